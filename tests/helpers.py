"""Shared test helpers: copies of the demo brand and brief that a test may break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEMO_BRAND = REPO / "brand_guides" / "halden"
DEMO_BRIEF = REPO / "demo" / "campaign.yaml"
PROMPTS = REPO / "prompts"


def copy_demo(tmp: Path) -> Path:
    """Copy brand + demo (brief, catalog, products) into tmp; return the brief path."""
    shutil.copytree(DEMO_BRAND, tmp / "brand_guides" / "halden")
    shutil.copytree(REPO / "demo", tmp / "demo")
    return tmp / "demo" / "campaign.yaml"


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

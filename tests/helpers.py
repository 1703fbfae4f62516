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


def render_demo_variant(sku: str = "B07GTFSCHB", locale: str = "en-US", fmt: str = "square"):
    """(product, variant): one real variant of the demo campaign, rendered as a run renders it."""
    from PIL import Image

    from pipeline.campaign import load_campaign
    from pipeline.products import prepare_product
    from pipeline.studio import StudioBackend
    from pipeline.variants import plan_variants, render_variant

    campaign = load_campaign(DEMO_BRIEF, PROMPTS)
    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    product, _ = prepare_product(sku, campaign.catalog.images(sku))
    assert product is not None
    plans, _ = plan_variants(campaign, sku)
    plan = next(p for p in plans if p.locale == locale and p.format_id == fmt)
    return product, render_variant(campaign, product, plan, StudioBackend(), logo)

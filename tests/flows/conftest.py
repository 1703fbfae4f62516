"""One real campaign run through Prefect's local server per test session (FACTS.md 1: each
server start costs seconds, so the flow runs once and the tests read its results)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import copy_demo, edit_yaml

VITRINA = [sys.executable, "-m", "flows.cli"]
REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*VITRINA, *args], capture_output=True, text=True, cwd=REPO, timeout=timeout,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


@dataclass(frozen=True)
class DemoRun:
    brief: Path
    out: Path
    proc: subprocess.CompletedProcess
    summary: dict
    prefect_env: dict[str, str]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo brief, made small (1 scene, 2 formats, 3 locales), with the vitamin's only
    packshot truncated: that SKU must be skipped with a reason while the others complete."""
    root = tmp_path_factory.mktemp("demo")
    brief = copy_demo(root)

    def shrink(d: dict) -> None:
        d["scenes"] = d["scenes"][:1]
        d["formats"] = ["square", "story"]
        d["locales"] = ["en-US", "ar-AE", "ja-JP"]

    edit_yaml(brief, shrink)
    packshot = root / "demo" / "products" / "B07GTFSCHB" / "844a1cce.jpg"
    packshot.write_bytes(packshot.read_bytes()[:15000])
    env = {"PREFECT_HOME": str(root / "prefect-home"), "COLUMNS": "200"}
    proc = run_cli("run", str(brief), "--out", str(root / "out"), "--json", env=env)
    assert proc.stdout.strip(), f"no JSON on stdout; stderr:\n{proc.stderr}"
    return DemoRun(brief, root / "out", proc, json.loads(proc.stdout), env)

"""`vitrina run --backend diffusion` end to end: a tiny random-weight model runs the real
diffusion path through Prefect (batched per SKU, product pixels checked, lineage stored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_vitrina
from tests.helpers import copy_demo, edit_yaml


@pytest.mark.slow
def test_run_with_the_tiny_model_end_to_end(tmp_path: Path, tiny_model: Path):
    brief = copy_demo(tmp_path)

    def shrink(d: dict[str, Any]) -> None:
        d["scenes"] = d["scenes"][:1]
        d["formats"] = ["square", "hero"]
        d["locales"] = ["en-US", "ar-AE"]

    edit_yaml(brief, shrink)
    out = tmp_path / "out"
    proc = run_vitrina(
        "run",
        brief,
        "--out",
        out,
        "--json",
        "--backend",
        "diffusion",
        "--model",
        tiny_model,
        "--steps",
        "2",
        env={"PREFECT_HOME": str(tmp_path / "prefect-home")},
    )
    assert proc.stdout.strip(), proc.stderr
    summary = json.loads(proc.stdout)
    # 3 SKUs x 1 scene x 2 formats x 2 locales; every variant has its lineage sidecar
    assert summary["variants"] == 12
    sidecars = list((out / "blobs").rglob("*.json"))
    assert len(sidecars) == summary["variants"]
    for sidecar in sidecars:
        data = json.loads(sidecar.read_text())
        gen = data["lineage"]["generation"]
        assert (
            gen["backend"] == "diffusion" and gen["steps"] == 2 and gen["pipeline"] == "StableDiffusionInpaintPipeline"
        )
        report = data["check_report"]
        assert any(c["check"] == "product.pixels" and c["verdict"] == "passed" for c in report["results"])
        assert 0 <= data["brand_score"] == report["brand_score"] <= 1

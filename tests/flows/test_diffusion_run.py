"""`vitrina run --backend diffusion` end to end: a tiny random-weight model of every family (SD 1.5,
SDXL, Flux Fill) runs the real diffusion path through Prefect (batched per SKU, product pixels
checked, lineage stored with the family, the dtype read off the loaded modules, the weight variant
and the weights' byte hashes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_vitrina
from tests.helpers import copy_demo, edit_yaml

PIPELINES = {
    "sd15": "StableDiffusionInpaintPipeline",
    "sdxl": "StableDiffusionXLInpaintPipeline",
    "flux-fill": "FluxFillPipeline",
}


@pytest.mark.slow
@pytest.mark.parametrize("family", PIPELINES)
def test_run_with_the_tiny_model_end_to_end(tmp_path: Path, tiny_model: Path, family: str):
    from pipeline.scene.tiny_model import write_tiny

    model = tiny_model if family == "sd15" else write_tiny(tmp_path / f"tiny-{family}", family)
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
        model,
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
        assert gen["backend"] == "diffusion" and gen["steps"] == 2 and gen["pipeline"] == PIPELINES[family]
        assert gen["model"]["family"] == family and gen["model"]["variant"] is None
        assert gen["dtype"] == "float32" and set(gen["dtypes"].values()) == {"float32"}
        weights = gen["model"]["weights"]
        assert weights and all(len(sha) == 64 for sha in weights.values())
        assert gen["guidance"] == (30.0 if family == "flux-fill" else 7.5)  # the family's profile
        report = data["check_report"]
        assert any(c["check"] == "product.pixels" and c["verdict"] == "passed" for c in report["results"])
        assert 0 <= data["brand_score"] == report["brand_score"] <= 1

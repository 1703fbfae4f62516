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


@pytest.mark.slow
def test_out_of_memory_fails_one_sku_and_the_run_goes_on(tmp_path: Path, tiny_model: Path):
    """CUDA out of memory at batch 1 for one SKU's scenes (injected from the loaded pipeline's
    prompt encoder, which sees each SKU's title in its prompts): that SKU fails with the reason,
    the others are made. The flow runs in-process, through Prefect."""
    import torch

    from flows.campaign import campaign_run
    from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings

    brief = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["scenes"], d["formats"], d["locales"] = d["scenes"][:1], ["square"], ["en-US"]

    edit_yaml(brief, small)
    pipe = DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=2)).pipe  # the run's pipeline
    encode = pipe.encode_prompt

    def out_of_memory_for_the_bulb(prompt: Any, *args: Any, **kwargs: Any) -> Any:
        if any("GU10 LED bulb" in p for p in prompt):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return encode(prompt, *args, **kwargs)

    pipe.encode_prompt = out_of_memory_for_the_bulb
    try:
        summary = campaign_run(
            brief=str(brief),
            out=str(tmp_path / "out"),
            backend="diffusion",
            backend_options={"model": str(tiny_model), "steps": 2},
        )
    finally:
        del pipe.encode_prompt
        from pipeline.scene import diffusion

        diffusion._BATCH_LIMITS.clear()  # the batch sizes that "fitted" here are no GPU's: forget them
    assert summary["failed_skus"] == ["B074M5HPBD"]
    (reason,) = [s["reason"] for s in summary["skipped"] if s["subject"] == "B074M5HPBD"]
    assert reason.startswith("failed: diffusion backend: CUDA out of memory at batch 1 (sd15, bucket 64x64")
    assert summary["variants"] == summary["rendered"] == 2  # the two other SKUs, one square en-US each


@pytest.mark.slow
def test_scenes_of_several_skus_share_model_calls(tmp_path: Path, tiny_model: Path):
    """Three SKUs' square scenes go through the model in one call (batch 3), not one call per SKU;
    each is counted as rendered and its product pixels are checked."""
    from flows.campaign import campaign_run

    brief = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["scenes"], d["formats"], d["locales"] = d["scenes"][:1], ["square"], ["en-US"]

    edit_yaml(brief, small)
    out = tmp_path / "out"
    summary = campaign_run(
        brief=str(brief), out=str(out), backend="diffusion", backend_options={"model": str(tiny_model), "steps": 2}
    )
    assert (summary["variants"], summary["rendered"], summary["failed_skus"]) == (3, 3, [])
    sidecars = [json.loads(p.read_text()) for p in (out / "blobs").rglob("*.json")]
    assert len(sidecars) == 3
    assert [s["lineage"]["generation"]["batch_size"] for s in sidecars] == [3, 3, 3]
    assert len({s["lineage"]["sku"] for s in sidecars}) == 3

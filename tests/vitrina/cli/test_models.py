"""`vitrina models tiny|check`: a tiny model of every family written by the CLI is one that
`models check` accepts and the backend loads; check reports what loading reads (family, variant,
weight files); a missing model, an unknown family or a non-empty target folder is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina

PIPELINES = {
    "sd15": "StableDiffusionInpaintPipeline",
    "sdxl": "StableDiffusionXLInpaintPipeline",
    "flux-fill": "FluxFillPipeline",
}


@pytest.mark.parametrize("family", PIPELINES)
def test_models_tiny_writes_a_pipeline_that_models_check_accepts(vitrina: Vitrina, tmp_path: Path, family: str):
    target = tmp_path / "tiny"
    result = vitrina("models", "tiny", target, "--family", family)
    assert result.exit_code == 0, result.output
    assert f"tiny {family} inpainting pipeline" in result.stdout and f"--model {target}" in result.stdout
    assert (target / "model_index.json").is_file()
    assert (target / "tokenizer" / "tokenizer_config.json").is_file()
    result = vitrina("models", "check", target, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["path"] == str(target) and info["pipeline"] == PIPELINES[family] and info["family"] == family
    assert info["variant"] is None and len(info["weights_sha256"]) == 64
    denoiser = "transformer" if family == "flux-fill" else "unet"
    assert f"{denoiser}/diffusion_pytorch_model.safetensors" in info["weights"]


def test_an_fp16_only_model_checks_and_loads_as_the_fp16_variant(vitrina: Vitrina, tmp_path: Path):
    from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings

    target = tmp_path / "fp16"
    assert vitrina("models", "tiny", target, "--variant", "fp16").exit_code == 0
    assert not list(target.rglob("diffusion_pytorch_model.safetensors"))  # only *.fp16.safetensors
    result = vitrina("models", "check", target, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["variant"] == "fp16" and "unet/diffusion_pytorch_model.fp16.safetensors" in info["weights"]
    backend = DiffusionBackend(DiffusionSettings(model=str(target), steps=1))
    assert backend.model.variant == "fp16" and backend.model.weights_sha256 == info["weights_sha256"]
    assert backend._static_lineage["dtype"] == "float32"  # fp16 files, loaded as the dtype asked for


def test_models_check_refuses_what_loading_would_refuse(vitrina: Vitrina, tmp_path: Path):
    target = tmp_path / "broken"
    assert vitrina("models", "tiny", target).exit_code == 0
    (target / "unet" / "diffusion_pytorch_model.safetensors").unlink()
    result = vitrina("models", "check", target)
    assert result.exit_code == 2 and result.stdout == ""
    assert "component 'unet' has no weight file" in result.stderr


def test_models_tiny_refuses_a_non_empty_folder_and_an_unknown_family(vitrina: Vitrina, tiny_model: Path):
    before = sorted(p.relative_to(tiny_model) for p in tiny_model.rglob("*"))
    result = vitrina("models", "tiny", tiny_model)
    assert result.exit_code == 2 and "not empty" in result.stderr and "--force" in result.stderr
    assert sorted(p.relative_to(tiny_model) for p in tiny_model.rglob("*")) == before
    result = vitrina("models", "tiny", tiny_model / "x", "--family", "sd3")
    assert result.exit_code == 2 and "--family 'sd3': use one of sd15, sdxl, flux-fill" in result.stderr


def test_models_check_names_what_is_missing(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("models", "check", tmp_path / "nope")
    assert result.exit_code == 2 and "nope" in result.stderr and "vitrina models tiny" in result.stderr
    assert result.stdout == ""

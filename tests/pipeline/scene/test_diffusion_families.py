"""Generation profiles per model family (issue 16 item 1): a tiny random-weight pipeline of every
family (SD 1.5, SDXL, Flux Fill) runs through the backend with byte-exact product pixels, each with
its family's defaults; a real-size Flux Fill model is sized at 1024 px with guidance 30."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import ModelNotFoundError
from pipeline.imaging.placement import product_pixels_unchanged
from pipeline.model.brand import ImageryStyle
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings, pick_bucket
from pipeline.scene.diffusion_profiles import PROFILES, bucket_step, profile_for_class
from pipeline.scene.tiny_model import TINY_FAMILIES, write_tiny
from tests.pipeline.scene.test_diffusion import _request

PIPELINES = {"sd15": "StableDiffusionInpaintPipeline", "sdxl": "StableDiffusionXLInpaintPipeline"}
PIPELINES["flux-fill"] = "FluxFillPipeline"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("families")
    return {family: write_tiny(root / family, family) for family in TINY_FAMILIES}


@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_every_family_renders_a_batch_around_the_untouched_product(models: dict[str, Path], family: str):
    backend = DiffusionBackend(DiffusionSettings(model=str(models[family]), steps=2, max_batch=4))
    results = backend.render_batch([_request((1080, 1350), seed=1), _request((1200, 628), seed=2)])
    assert [r.image.size for r in results] == [(1080, 1350), (1200, 628)]
    for r in results:
        solid, differing = product_pixels_unchanged(r.image, r.product_layer, r.placement)
        assert solid > 10_000 and differing == 0
        lin = r.lineage
        assert lin["pipeline"] == PIPELINES[family] and lin["model"]["family"] == family
        assert lin["guidance"] == PROFILES[family].guidance and lin["steps"] == 2
        assert lin["dtype"] == "float32" and lin["native_size"] == 64
    assert [r.lineage["bucket"]["family"] for r in results] == ["portrait", "wide"]


def test_flux_fill_takes_its_own_defaults_and_no_negative_prompt(models: dict[str, Path]):
    """Guidance about 30 and 50 steps (diffusers' and BFL's reference values), flow matching, and
    the mask given per pixel (cell 1), not per 8 px latent cell."""
    flux = DiffusionBackend.from_imagery(ImageryStyle(), None, model=str(models["flux-fill"]))
    assert (flux.steps, flux.guidance, flux.cell) == (50, 30.0, 1)
    lin = flux._static_lineage
    assert lin["scheduler"]["class"] == "FlowMatchEulerDiscreteScheduler"
    assert lin["mask"] == {"given": "pixel", "cell_px": 1, "kept": "whole cells of opaque product"}
    assert "negative_prompt" not in flux._accepted  # distilled guidance: FluxFillPipeline has none
    sd = DiffusionBackend.from_imagery(ImageryStyle(), None, model=str(models["sd15"]))
    assert (sd.steps, sd.guidance, sd.cell) == (30, 7.5, 2)  # the tiny VAE's scale: 2 px cells


def test_what_the_brand_writes_wins_over_the_profile(models: dict[str, Path]):
    imagery = ImageryStyle(guidance=12, steps=20)
    flux = DiffusionBackend.from_imagery(imagery, None, model=str(models["flux-fill"]))
    assert (flux.steps, flux.guidance) == (20, 12)
    assert DiffusionBackend.from_imagery(imagery, None, model=str(models["flux-fill"]), steps=3).steps == 3


def test_a_flux_fill_model_is_sized_at_its_native_1024_px(models: dict[str, Path], tmp_path: Path):
    """Flux's transformer states no sample size; its VAE does (1024 for FLUX.1-Fill): buckets are
    about 1024^2 px, multiples of 16, never the 512 px fallback that was upscaled."""
    import shutil

    folder = shutil.copytree(models["flux-fill"], tmp_path / "flux-1024")
    config = json.loads((folder / "vae" / "config.json").read_text())
    (folder / "vae" / "config.json").write_text(json.dumps(config | {"sample_size": 1024}))
    flux = DiffusionBackend(DiffusionSettings(model=str(folder)))
    assert (flux.base, flux.step) == (1024, 16)
    assert flux.bucket((1080, 1080)) == ("square", (1024, 1024))
    assert flux.bucket((1080, 1920)) == pick_bucket((1080, 1920), 1024, 16) == ("tall", (768, 1360))


def test_bucket_multiples_follow_the_family():
    assert bucket_step(PROFILES["sd15"], 512, 64) == 64
    assert bucket_step(PROFILES["sdxl"], 1024, 32) == 64
    assert bucket_step(PROFILES["flux-fill"], 1024, 16) == 16
    assert bucket_step(PROFILES["sd15"], 64, 8) == 8  # the tiny model: same shapes, smaller


def test_a_pipeline_class_of_no_known_family_is_refused():
    assert profile_for_class("StableDiffusionXLPipeline", "m").family == "sdxl"
    with pytest.raises(ModelNotFoundError, match=r"'KandinskyV22InpaintPipeline', which is not an inpainting family"):
        profile_for_class("KandinskyV22InpaintPipeline", "model 'k'")

"""The pipeline's own safety checker (issue 16 item 3): a frame it flags never becomes a background
(diffusers blacks it out; the scene gets the flat brand background), the flag is in the scene's
lineage, and `image.nudity` blocks the banner with it. A real `StableDiffusionSafetyChecker` on a
tiny CLIP tower, with thresholds that flag every image or none (`pipeline.scene.tiny_model`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.safety import check_nudity, model_nsfw_reason
from pipeline.checks.results import Verdict
from pipeline.imaging.placement import product_pixels_unchanged
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings
from pipeline.scene.tiny_model import write_tiny_sd_inpaint
from tests.pipeline.scene.test_diffusion import _request


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("checked")
    return {s: write_tiny_sd_inpaint(root / s, safety=s) for s in ("flag-all", "pass-all")}


def test_a_flagged_frame_is_never_the_background(checked: dict[str, Path]):
    backend = DiffusionBackend(DiffusionSettings(model=str(checked["flag-all"]), steps=2))
    results = backend.render_batch([_request((1080, 1080), seed=1), _request((1080, 1350), seed=2)])
    for r in results:
        safety = r.lineage["safety"]
        assert safety["checker"] == "StableDiffusionSafetyChecker" and safety["nsfw"] is True
        outside = np.ones(r.image.size[::-1], bool)
        x0, y0, x1, y1 = r.placement.box
        outside[y0:y1, x0:x1] = np.asarray(r.product_layer)[..., 3] == 0
        background = np.asarray(r.image)[outside]
        assert (background == (0xF3, 0xEE, 0xE6)).all()  # the brand background, not black, not the frame
        assert product_pixels_unchanged(r.image, r.product_layer, r.placement)[1] == 0
        assert model_nsfw_reason(r.lineage) == (
            f"StableDiffusionSafetyChecker flagged the generated scene (seed {r.lineage['seed']})"
        )


def test_an_unflagged_frame_is_used_and_says_so(checked: dict[str, Path]):
    r = DiffusionBackend(DiffusionSettings(model=str(checked["pass-all"]), steps=2)).render(_request((1080, 1080)))
    assert r.lineage["safety"] == {"checker": "StableDiffusionSafetyChecker", "nsfw": False, "used": "generated"}
    assert np.asarray(r.image)[:100, -100:].std() > 1  # the model's frame
    assert model_nsfw_reason(r.lineage) is None and model_nsfw_reason(None) is None


def test_image_nudity_blocks_a_flagged_scene_next_to_nudenet():
    """Both detectors feed the check: NudeNet's findings (none here) and the model's flag."""
    banner = Image.new("RGB", (400, 400), (243, 238, 230))
    reason = "StableDiffusionSafetyChecker flagged the generated scene (seed 7)"
    results = check_nudity(banner, None, ImageContext(), ImageCheckSettings(), detections=[], model_flag=reason)
    assert [(r.verdict, r.code) for r in results] == [(Verdict.BLOCKED, "nudity.model_flag")]
    assert results[0].message.startswith(reason) and "another seed" in results[0].message
    clean = check_nudity(banner, None, ImageContext(), ImageCheckSettings(), detections=[])
    assert [(r.verdict, r.code) for r in clean] == [(Verdict.PASSED, "nudity.none")]

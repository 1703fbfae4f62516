from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.checks.product import check_product_pixels
from pipeline.checks.results import Verdict
from pipeline.errors import InputError
from pipeline.imaging.placement import place_product
from pipeline.model.brand import load_brand
from pipeline.scene.base import SceneRequest, render_batch
from pipeline.scene.studio import STYLES, StudioBackend
from tests.helpers import DEMO_BRAND


def _cutout() -> Image.Image:
    rng = np.random.default_rng(1)
    rgba = np.zeros((120, 80, 4), np.uint8)
    rgba[..., :3] = rng.integers(0, 255, (120, 80, 3))
    rgba[10:110, 10:70, 3] = 255  # opaque body
    rgba[5:10, 10:70, 3] = 128  # soft top edge
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("style", STYLES)
def test_every_style_keeps_product_pixels_and_is_deterministic(style: str):
    palette = load_brand(DEMO_BRAND).palette.all_colours()
    req = SceneRequest((400, 300), _cutout(), (20, 40, 220, 280), palette, style, seed=3)
    a, b = StudioBackend().render(req), StudioBackend().render(req)
    assert a.image.tobytes() == b.image.tobytes()
    assert check_product_pixels(a.image, a.product_layer, a.placement).verdict is Verdict.PASSED
    other = StudioBackend().render(SceneRequest((400, 300), _cutout(), (20, 40, 220, 280), palette, style, seed=4))
    assert other.image.tobytes() != a.image.tobytes()


def test_placement_fits_the_area_and_stands_on_the_ground():
    layer, placement = place_product(_cutout(), (100, 100, 300, 500))
    x0, y0, x1, y1 = placement.box
    assert 100 <= x0 and x1 <= 300 and 100 <= y0 and y1 <= 500
    assert y1 == placement.ground_y
    assert layer.size == (x1 - x0, y1 - y0)


def test_drawing_over_the_product_is_caught():
    palette = load_brand(DEMO_BRAND).palette.all_colours()
    res = StudioBackend().render(SceneRequest((400, 300), _cutout(), (20, 40, 220, 280), palette, "sweep", 1))
    tampered = res.image.copy()
    x0, y0, _, _ = res.placement.box
    tampered.putpixel((x0 + 30, y0 + 50), (1, 2, 3))
    result = check_product_pixels(tampered, res.product_layer, res.placement)
    assert result.verdict is Verdict.BLOCKED and "1 of" in result.message


def test_the_studio_backend_has_the_whole_backend_protocol():
    """Built from a brand's imagery like any backend, batch = one render per request, and an
    option it does not have (a diffusion model) is refused, not ignored."""
    palette = load_brand(DEMO_BRAND).palette.all_colours()
    backend = StudioBackend.from_imagery(load_brand(DEMO_BRAND).imagery, DEMO_BRAND)
    reqs = [SceneRequest((400, 300), _cutout(), (20, 40, 220, 280), palette, s, seed=2) for s in ("sweep", "podium")]
    batch = render_batch(backend, reqs)
    assert [r.image.tobytes() for r in batch] == [backend.render(r).image.tobytes() for r in reqs]
    with pytest.raises(InputError, match="takes no options; got model"):
        StudioBackend.from_imagery(None, None, model="some/model")


def test_an_unknown_style_is_an_input_error():
    palette = load_brand(DEMO_BRAND).palette.all_colours()
    with pytest.raises(InputError, match="'neon'"):
        StudioBackend().render(SceneRequest((400, 300), _cutout(), (20, 40, 220, 280), palette, "neon", 1))

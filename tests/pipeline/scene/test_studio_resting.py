"""The product rests on its floor (issue 15: "the bag hovers above the podium"): the podium's top
surface carries every base point that stands, and the contact shadow follows the base's real
footprint, found from the mask's alpha rather than the bounding box."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.checks.product import check_product_pixels
from pipeline.checks.results import Verdict
from pipeline.model.brand import load_brand
from pipeline.scene.base import SceneRequest, SceneResult
from pipeline.scene.studio import StudioBackend, base_footprint
from tests.helpers import DEMO_BRAND

PALETTE = load_brand(DEMO_BRAND).palette.all_colours()
SIZE, AREA = (600, 500), (150, 60, 450, 460)


def _cutout(polygon: list[tuple[int, int]], size: tuple[int, int], soft_rows: int = 0) -> Image.Image:
    """A grey product of that outline; `soft_rows` faint (alpha 60) rows hang under it, as an
    anti-aliased or feathered mask leaves them."""
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(polygon, fill=255)
    alpha = np.asarray(mask).copy()
    if soft_rows:
        last = np.flatnonzero(alpha.any(axis=1)).max()
        alpha[last + 1 : last + 1 + soft_rows] = np.where(alpha[last] > 0, 60, 0)
    rgba = np.zeros((*alpha.shape, 4), np.uint8)
    rgba[..., :3] = 90
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, "RGBA")


def _render(cut: Image.Image, style: str, area: tuple[int, int, int, int] = AREA) -> SceneResult:
    return StudioBackend().render(SceneRequest(SIZE, cut, area, PALETTE, style, seed=1))


def _luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")).astype(np.float32)


# A duffel bag seen at 3/4: its base runs from the front corner (lowest) up to the back right.
THREE_QUARTER = _cutout([(0, 40), (200, 0), (200, 130), (40, 170), (0, 150)], (201, 171))
# A wide holdall, its base bowed: the ends stand a little higher than the middle, near the rim.
WIDE_BOWED = _cutout([(0, 0), (300, 0), (300, 138), (150, 150), (0, 138)], (301, 151))
# A lamp on two narrow feet, with a faint mask fringe under them.
ON_FEET = _cutout([(0, 0), (160, 0), (160, 120), (0, 120)], (161, 181), soft_rows=3)
for x0 in (10, 130):
    ImageDraw.Draw(ON_FEET).rectangle((x0, 121, x0 + 20, 175), fill=(90, 90, 90, 255))


def test_the_footprint_is_the_lowest_opaque_pixels_not_the_box():
    scene = _render(ON_FEET, "sweep")
    footprint = base_footprint(scene.product_layer, scene.placement.box)
    alpha = np.asarray(scene.product_layer)[..., 3]
    lowest_opaque = scene.placement.box[1] + np.flatnonzero((alpha >= 128).any(axis=1)).max()
    assert footprint.lowest == lowest_opaque < scene.placement.box[3]  # the faint fringe is not the base
    standing = footprint.xs[footprint.contact] - scene.placement.box[0]
    scale = scene.placement.scale
    assert standing.min() >= 9 * scale and standing.max() <= 152 * scale
    assert not np.any((standing > 32 * scale) & (standing < 128 * scale))  # nothing stands between the feet


@pytest.mark.parametrize("cut", [THREE_QUARTER, WIDE_BOWED], ids=["three-quarter", "wide-bowed"])
def test_every_standing_base_point_rests_on_the_podium_top(cut: Image.Image):
    podium = _render(cut, "podium")
    # the podium keeps the lower fifth of the area for its plinth: a sweep with the product at the
    # same place has the same backdrop and shadow, so where the two differ the podium was drawn
    x0, y0, x1, y1 = AREA
    sweep = _render(cut, "sweep", (x0, y0, x1, y1 - (y1 - y0) // 5))
    assert sweep.placement == podium.placement
    drawn = np.any(np.asarray(podium.image) != np.asarray(sweep.image), axis=-1)
    footprint = base_footprint(podium.product_layer, podium.placement.box)
    xs, ys = footprint.xs[footprint.contact], footprint.ys[footprint.contact]
    assert np.ptp(ys) > 8  # the base really recedes
    # right under each standing base point is the podium, not the wall behind it (a gap)
    hovering = [(int(x), int(y)) for x, y in zip(xs, ys, strict=True) if not drawn[y + 1, x]]
    assert hovering == []
    assert check_product_pixels(podium.image, podium.product_layer, podium.placement).verdict is Verdict.PASSED


def test_the_contact_shadow_is_under_the_feet_and_nowhere_else():
    scene = _render(ON_FEET, "sweep")
    luma = _luma(scene.image)
    footprint = base_footprint(scene.product_layer, scene.placement.box)
    row = footprint.lowest + 2
    left_foot = int(footprint.xs[footprint.contact].min()) + 3
    x0, _, x1, _ = scene.placement.box
    between, beside = (x0 + x1) // 2, x1 + (x1 - x0) // 4
    assert luma[row, left_foot] < luma[row, between] - 12  # darkest where the base touches
    assert abs(luma[row, between] - luma[row, beside]) < 6  # no body-wide shadow between the feet
    assert check_product_pixels(scene.image, scene.product_layer, scene.placement).verdict is Verdict.PASSED

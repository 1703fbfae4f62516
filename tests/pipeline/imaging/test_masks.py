"""Product masks: the product's own pixels stay product, the background (and only it) goes."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.errors import InputError
from pipeline.imaging.imageio import image_sha256, load_product_image, to_array
from pipeline.imaging.masks import ProductMask, cutout, product_mask

Drawing = Callable[[ImageDraw.ImageDraw, int], None]  # draws at the given scale
DEMO = Path(__file__).resolve().parents[3] / "demo" / "products"
needs_demo = pytest.mark.skipif(not DEMO.is_dir(), reason="demo product photos not present")


def supersampled(
    size: tuple[int, int], background: tuple[int, int, int], draw_fn: Drawing, scale: int = 4
) -> Image.Image:
    """Draw at ``scale``x and shrink, so edges are anti-aliased like a real photo's."""
    big = Image.new("RGB", (size[0] * scale, size[1] * scale), background)
    draw_fn(ImageDraw.Draw(big), scale)
    return big.resize(size, Image.Resampling.BOX).convert("RGBA")


def bag(draw: ImageDraw.ImageDraw, s: int) -> None:
    """A dark bag body with a thick handle loop: the loop encloses a white hole."""
    draw.rounded_rectangle((60 * s, 140 * s, 340 * s, 280 * s), radius=20 * s, fill=(70, 70, 72))
    draw.ellipse((120 * s, 30 * s, 280 * s, 220 * s), outline=(20, 20, 20), width=18 * s)


def alpha_at(mask: ProductMask, x: int, y: int) -> int:
    return int(mask.alpha[y, x])


# --- white background -------------------------------------------------------------------------


def test_bag_with_handle_hole_on_white() -> None:
    img = supersampled((400, 300), (255, 255, 255), bag)
    mask = product_mask(img)
    assert mask.method == "white-background"
    assert mask.confidence == 1.0 and mask.notes == ()
    assert mask.alpha.shape == (300, 400) and mask.alpha.dtype == np.uint8
    assert alpha_at(mask, 200, 210) == 255  # body
    assert alpha_at(mask, 200, 39) == 255  # top of the handle
    assert alpha_at(mask, 200, 100) == 0  # inside the handle loop: see-through
    assert alpha_at(mask, 5, 5) == 0 and alpha_at(mask, 390, 290) == 0
    assert mask.bbox is not None and abs(mask.bbox[0] - 60) <= 2 and abs(mask.bbox[3] - 280) <= 2


def test_white_product_keeps_its_white_inside() -> None:
    """A white bulb on white: its pale body and a pure-white highlight are product, not holes."""

    def bulb(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.ellipse((100 * s, 50 * s, 300 * s, 250 * s), fill=(236, 236, 234), outline=(205, 205, 205), width=2 * s)
        draw.ellipse((150 * s, 90 * s, 200 * s, 140 * s), fill=(255, 255, 255))  # specular highlight
        draw.rectangle((180 * s, 250 * s, 220 * s, 280 * s), fill=(150, 150, 150))  # base

    mask = product_mask(supersampled((400, 300), (255, 255, 255), bulb))
    assert alpha_at(mask, 200, 150) == 255
    assert alpha_at(mask, 175, 115) == 255  # the highlight is as white as the background
    assert alpha_at(mask, 200, 270) == 255
    assert alpha_at(mask, 20, 20) == 0
    assert 0.25 < mask.area_fraction < 0.3


def test_white_print_on_a_dark_product_is_not_a_hole() -> None:
    def label(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.rectangle((50 * s, 50 * s, 350 * s, 250 * s), fill=(25, 25, 25))
        for i in range(8):  # white letter-like strokes, as white as the background
            x = (80 + 30 * i) * s
            draw.rectangle((x, 120 * s, x + 5 * s, 150 * s), fill=(255, 255, 255))

    mask = product_mask(supersampled((400, 300), (255, 255, 255), label))
    assert all(alpha_at(mask, 80 + 30 * i + 2, 135) == 255 for i in range(8))


def test_floor_reflection_under_the_product_is_left_out() -> None:
    def studio(draw: ImageDraw.ImageDraw, s: int) -> None:
        for row in range(40):  # a pale grey floor gradient fading downwards
            grey = 238 + row * 17 // 40
            draw.rectangle((70 * s, (240 + row) * s, 330 * s, (241 + row) * s - 1), fill=(grey, grey, grey))
        draw.rectangle((80 * s, 60 * s, 320 * s, 240 * s), fill=(90, 90, 95))

    mask = product_mask(supersampled((400, 300), (255, 255, 255), studio))
    assert alpha_at(mask, 200, 150) == 255
    assert alpha_at(mask, 200, 255) == 0
    assert "floor shadow or reflection left out" in mask.notes
    assert mask.confidence == 1.0


def test_soft_edge_without_halo() -> None:
    """Edges ramp over 1-2 px, and nothing of the white background shows on a dark scene."""
    img = supersampled(
        (200, 200),
        (255, 255, 255),
        lambda d, s: d.ellipse((40 * s, 40 * s, 160 * s, 160 * s), fill=(0, 0, 0)),
    )
    mask = product_mask(img)
    partial = (mask.alpha > 0) & (mask.alpha < 255)
    perimeter = np.pi * 120
    assert perimeter * 0.5 < np.count_nonzero(partial) < perimeter * 3.5
    # Every partly transparent pixel is within 2-3 px (diagonals) of a fully opaque one.
    to_opaque = cv2.distanceTransform((mask.alpha != 255).astype(np.uint8), cv2.DIST_L2, 5)
    assert to_opaque[partial].max() <= 3.0

    cut = to_array(cutout(img, mask)).astype(np.float64)
    on_black = cut[:, :, :3] * (cut[:, :, 3:] / 255.0)
    assert on_black.max() <= 12  # a black product on black shows no pale rim


def test_non_white_but_plain_background() -> None:
    img = supersampled(
        (300, 300),
        (180, 180, 185),
        lambda d, s: d.rectangle((80 * s, 80 * s, 220 * s, 220 * s), fill=(200, 40, 40)),
    )
    mask = product_mask(img)
    assert "background is not white" in mask.notes  # said, for triage's reasons ...
    assert alpha_at(mask, 150, 150) == 255 and alpha_at(mask, 10, 10) == 0
    assert mask.confidence == 1.0  # ... but a plain backdrop that cuts out cleanly is trusted like white


def test_a_grainy_non_white_background_still_loses_trust_for_its_colour() -> None:
    """The same grain (not uniform: a textured surface, not a backdrop) on a dark grey and on a
    light one: the dark one is trusted less, as no studio packshot looks like it."""
    grain = np.random.default_rng(4).normal(0, 8, (300, 300, 3))

    def grainy(level: int) -> ProductMask:
        img = Image.fromarray(np.clip(level + grain, 0, 255).round().astype(np.uint8))
        ImageDraw.Draw(img).rectangle((100, 100, 200, 200), fill=(200, 40, 40))
        return product_mask(img)

    light, dark = grainy(225), grainy(120)
    assert light.notes[0].startswith("background is not uniform") and 0 < light.confidence < 1
    assert "background is not white" in dark.notes and "background is not white" not in light.notes
    assert dark.confidence == pytest.approx(0.8 * light.confidence, abs=0.02)


def test_busy_background_gets_low_confidence() -> None:
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    mask = product_mask(Image.fromarray(noise))
    assert mask.confidence < 0.5
    assert any(note.startswith("background is not uniform") for note in mask.notes)


def test_product_touching_edges_and_tiny_products_lower_confidence() -> None:
    cropped = supersampled(
        (300, 300), (255, 255, 255), lambda d, s: d.rectangle((0, 0, 250 * s, 300 * s), fill=(60, 60, 60))
    )
    mask = product_mask(cropped)
    assert "product touches 3 image edges" in mask.notes and mask.confidence <= 0.5

    tiny = supersampled(
        (400, 400),
        (255, 255, 255),
        lambda d, s: d.rectangle((190 * s, 190 * s, 205 * s, 205 * s), fill=(60, 60, 60)),
    )
    mask = product_mask(tiny)
    assert any(note.startswith("product is tiny") for note in mask.notes) and mask.confidence < 0.5

    empty = product_mask(Image.new("RGB", (50, 50), "white"))
    assert empty.confidence == 0.0 and empty.notes == ("no product found",) and empty.bbox is None


def test_several_objects_are_all_kept() -> None:
    def two(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.rectangle((20 * s, 50 * s, 120 * s, 150 * s), fill=(40, 90, 160))
        draw.rectangle((180 * s, 50 * s, 280 * s, 150 * s), fill=(40, 90, 160))

    mask = product_mask(supersampled((300, 200), (255, 255, 255), two))
    assert alpha_at(mask, 70, 100) == 255 and alpha_at(mask, 230, 100) == 255 and alpha_at(mask, 150, 100) == 0


def test_tiny_images_do_not_crash() -> None:
    for size in [(1, 1), (3, 2), (8, 8)]:
        mask = product_mask(Image.new("RGB", size, (20, 20, 20)))
        assert mask.alpha.shape == (size[1], size[0])


# --- alpha channel ----------------------------------------------------------------------------


def test_existing_transparency_is_used_as_is() -> None:
    img = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((20, 10, 80, 70), fill=(200, 100, 50, 255))
    img.putpixel((50, 40), (200, 100, 50, 128))  # semi-transparent product pixel (glass)
    mask = product_mask(img)
    assert mask.method == "alpha-channel" and mask.confidence == 1.0
    assert np.array_equal(mask.alpha, to_array(img)[:, :, 3])


def test_opaque_rgba_falls_back_to_the_background() -> None:
    img = supersampled((400, 300), (255, 255, 255), bag)
    assert img.mode == "RGBA" and img.getextrema()[3] == (255, 255)
    assert product_mask(img).method == "white-background"


# --- the mask value and cutout ----------------------------------------------------------------


def test_mask_is_frozen_and_validated() -> None:
    mask = product_mask(supersampled((400, 300), (255, 255, 255), bag))
    with pytest.raises(ValueError):
        mask.alpha[0, 0] = 1
    with pytest.raises(ValueError, match="uint8"):
        ProductMask(np.zeros((4, 4), np.float32), 1.0, "alpha-channel")
    with pytest.raises(ValueError, match="confidence"):
        ProductMask(np.zeros((4, 4), np.uint8), 1.5, "alpha-channel")
    with pytest.raises(ValueError, match="method"):
        ProductMask(np.zeros((4, 4), np.uint8), 1.0, "magic")


def test_cutout_crops_and_keeps_product_pixels_untouched() -> None:
    img = supersampled((400, 300), (255, 255, 255), bag)
    mask = product_mask(img)
    cut = cutout(img, mask)
    left, top, right, bottom = mask.bbox
    assert cut.mode == "RGBA" and cut.size == (right - left, bottom - top)
    cut_arr = to_array(cut)
    src = to_array(img)[top:bottom, left:right]
    assert np.array_equal(cut_arr[:, :, 3], mask.alpha[top:bottom, left:right])
    opaque = cut_arr[:, :, 3] == 255
    assert np.array_equal(cut_arr[opaque][:, :3], src[opaque][:, :3])
    # The proof downstream code relies on: hash the opaque product pixels.
    proof = Image.fromarray(np.where(opaque[:, :, None], cut_arr[:, :, :3], 0).astype(np.uint8))
    again = Image.fromarray(np.where(opaque[:, :, None], to_array(cutout(img, mask))[:, :, :3], 0).astype(np.uint8))
    assert image_sha256(proof) == image_sha256(again)


def test_cutout_refuses_mismatch_and_empty_masks() -> None:
    img = Image.new("RGB", (10, 10), "white")
    with pytest.raises(ValueError, match="mask is 5x5"):
        cutout(img, ProductMask(np.zeros((5, 5), np.uint8), 0.0, "white-background"))
    with pytest.raises(InputError, match="empty"):
        cutout(img, ProductMask(np.zeros((10, 10), np.uint8), 0.0, "white-background"))


# --- real catalog photos ----------------------------------------------------------------------


@cache
def demo_mask(name: str) -> tuple[Image.Image, ProductMask]:
    img = load_product_image(DEMO / name)
    return img, product_mask(img)


@needs_demo
def test_white_bulb_body_stays_product() -> None:
    img, mask = demo_mask("B074M5HPBD/dcace9b5.jpg")
    assert mask.confidence >= 0.9
    for x, y in [(450, 60), (450, 300), (450, 600), (300, 700), (340, 960)]:  # rim, body, neck, pin
        assert alpha_at(mask, x, y) == 255, (x, y)
    assert alpha_at(mask, 20, 20) == 0 and alpha_at(mask, 880, 20) == 0
    assert 0.45 < mask.area_fraction < 0.65


@needs_demo
@pytest.mark.parametrize(
    ("name", "holes", "product"),
    [
        ("B0799CK52K/d80a51d3.jpg", [(564, 178), (94, 617)], [(550, 600), (570, 30), (405, 600)]),
        ("B0799CK52K/528c608a.jpg", [(448, 200), (545, 200), (345, 230)], [(450, 600)]),
    ],
)
def test_bag_handles_are_see_through(name: str, holes: list[tuple[int, int]], product: list[tuple[int, int]]) -> None:
    img, mask = demo_mask(name)
    assert mask.confidence >= 0.9
    for x, y in holes:
        assert to_array(img)[y, x, :3].min() >= 250  # really background-white there
        assert alpha_at(mask, x, y) == 0, (x, y)
    for x, y in product:
        assert alpha_at(mask, x, y) == 255, (x, y)


@needs_demo
def test_bag_floor_reflection_is_not_product() -> None:
    _, mask = demo_mask("B0799CK52K/d80a51d3.jpg")
    assert alpha_at(mask, 550, 880) == 0  # pale floor just under the bag
    assert alpha_at(mask, 550, 820) == 255  # bag bottom
    assert "floor shadow or reflection left out" in mask.notes


@needs_demo
def test_bottle_keeps_its_pale_label_band() -> None:
    img, mask = demo_mask("B07GTFSCHB/844a1cce.jpg")
    assert to_array(img)[858, 650, :3].min() >= 225  # near-white band on the label
    assert alpha_at(mask, 650, 858) == 255
    assert alpha_at(mask, 500, 500) == 255 and alpha_at(mask, 512, 990) == 0


# --- confidence: what lowers it, and what must not --------------------------------------------


def _soft_shadow(img: Image.Image, centre: tuple[int, int], half: tuple[int, int], darkest: float) -> Image.Image:
    """Darken the (white) floor with a blurred grey ellipse, as a studio contact shadow does."""
    arr = to_array(img.convert("RGB")).astype(np.float32)
    shade = np.zeros(arr.shape[:2], np.float32)
    cv2.ellipse(shade, centre, half, 0, 0, 360, 1.0, -1)
    shade = cv2.GaussianBlur(shade, (0, 0), 5.0) * darkest
    return Image.fromarray(np.clip(arr * (1 - shade[:, :, None]) + 0.5, 0, 255).astype(np.uint8))


def test_grey_contact_shadow_is_left_out_but_a_grey_base_is_kept() -> None:
    def product(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.rectangle((150 * s, 60 * s, 250 * s, 200 * s), fill=(30, 90, 160))  # blue body
        draw.rectangle((140 * s, 200 * s, 260 * s, 230 * s), fill=(150, 150, 150))  # grey base, sharp edges

    plain = supersampled((400, 300), (255, 255, 255), product)
    # The shadow is drawn under the product, so only the floor around the base is darkened.
    floor = _soft_shadow(Image.new("RGB", (400, 300), "white"), (200, 232), (110, 8), 0.35)
    shaded = Image.fromarray(
        np.where(to_array(plain.convert("RGB")) < 250, to_array(plain.convert("RGB")), to_array(floor))
    )
    mask = product_mask(shaded)
    assert "grey contact shadow under the product left out" in mask.notes
    assert alpha_at(mask, 200, 215) == 255 and alpha_at(mask, 145, 215) == 255  # the grey base stays
    assert alpha_at(mask, 200, 236) == 0 and alpha_at(mask, 95, 232) == 0  # the shadow goes
    assert mask.confidence >= 0.8

    kept = product_mask(plain)  # no shadow: the grey base is not mistaken for one
    assert "grey contact shadow under the product left out" not in kept.notes and kept.confidence == 1.0
    assert alpha_at(kept, 200, 228) == 255


def test_white_label_on_off_white_is_not_confident() -> None:
    """The label is 3 levels from the background: the mask loses it, and says so."""

    def bottle(draw: ImageDraw.ImageDraw, s: int) -> None:
        draw.rectangle((150 * s, 40 * s, 250 * s, 270 * s), fill=(30, 120, 70))
        draw.rectangle((150 * s, 120 * s, 250 * s, 190 * s), fill=(250, 250, 248))  # full-width label

    mask = product_mask(supersampled((400, 300), (0xF7, 0xF7, 0xF5), bottle))
    assert mask.confidence < 0.8
    assert any(note.startswith("edges blend into the background along") for note in mask.notes)


def test_soft_edged_product_gets_a_measured_ramp() -> None:
    """A blurred (fur-like) edge: the outline at half cover, a wide alpha ramp, a note."""
    img = supersampled(
        (300, 300), (255, 255, 255), lambda d, s: d.ellipse((70 * s, 70 * s, 230 * s, 230 * s), fill=(190, 60, 90))
    )
    arr = to_array(img.convert("RGB")).astype(np.float32)
    coverage = cv2.GaussianBlur((arr.min(axis=2) < 250).astype(np.float32), (0, 0), 3.0)
    soft = Image.fromarray(
        np.clip(255 * (1 - coverage[:, :, None]) + np.array([190, 60, 90]) * coverage[:, :, None] + 0.5, 0, 255).astype(
            np.uint8
        )
    )
    mask = product_mask(soft)
    assert any(note.startswith("soft edges along") for note in mask.notes), mask.notes
    solid = mask.alpha >= 128
    truth = coverage >= 0.5
    assert np.count_nonzero(solid & truth) / np.count_nonzero(solid | truth) >= 0.97
    ramp = (mask.alpha > 0) & (mask.alpha < 255)
    assert np.count_nonzero(ramp) > np.pi * 160 * 3  # several px wide all round


@needs_demo
@pytest.mark.parametrize(
    "name", ["B074M5HPBD/dcace9b5.jpg", "B0799CK52K/528c608a.jpg", "B0799CK52K/d80a51d3.jpg", "B07GTFSCHB/844a1cce.jpg"]
)
def test_demo_packshots_stay_confident(name: str) -> None:
    """The packshots the demo uses: no doubt about their edges, nothing sent to review."""
    _, mask = demo_mask(name)
    assert mask.confidence >= 0.9, mask.notes
    assert not any(note.startswith(("edges blend", "soft edges")) for note in mask.notes), mask.notes

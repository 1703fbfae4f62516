"""Packshot triage: which catalog photos can carry a campaign, and the reason for the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageDraw

import pipeline.imaging.triage as triage_module
from pipeline.errors import DetectorUnavailable
from pipeline.imaging.imageio import load_product_image
from pipeline.imaging.masks import ProductMask, product_mask
from pipeline.imaging.people import PeopleDetector
from pipeline.imaging.triage import TriageResult, choose_packshot, triage_packshot

Drawing = Callable[[ImageDraw.ImageDraw, int], None]  # draws at the given scale
DEMO = Path(__file__).resolve().parents[3] / "demo" / "products"
needs_demo = pytest.mark.skipif(not DEMO.is_dir(), reason="demo product photos not present")


def on_white(size: tuple[int, int], draw_fn: Drawing) -> Image.Image:
    scale = 2
    big = Image.new("RGB", (size[0] * scale, size[1] * scale), "white")
    draw_fn(ImageDraw.Draw(big), scale)
    return big.resize(size, Image.Resampling.BOX).convert("RGBA")


def triage(img: Image.Image) -> TriageResult:
    return triage_packshot(img, product_mask(img))


def box(draw: ImageDraw.ImageDraw, s: int, xy: tuple[int, int, int, int], fill=(60, 90, 140)) -> None:
    draw.rounded_rectangle(tuple(v * s for v in xy), radius=8 * s, fill=fill)


# --- synthetic photos, one per reason ---------------------------------------------------------


def test_single_product_on_white_is_usable() -> None:
    result = triage(on_white((400, 400), lambda d, s: box(d, s, (100, 80, 300, 330))))
    assert result.usable and result.reason is None
    assert result.metrics["similar_objects"] == 1.0
    assert 0.25 < result.metrics["product_area"] < 0.35


def test_extreme_aspect_ratio() -> None:
    result = triage(on_white((1000, 200), lambda d, s: box(d, s, (400, 30, 600, 170))))
    assert not result.usable and result.reason == "extreme aspect ratio 5.0:1"
    tall = triage(on_white((200, 600), lambda d, s: box(d, s, (40, 100, 160, 500))))
    assert tall.reason == "extreme aspect ratio 3.0:1"


def test_several_products() -> None:
    def grid(draw: ImageDraw.ImageDraw, s: int) -> None:
        for row in range(2):
            for col in range(3):
                box(draw, s, (20 + col * 130, 40 + row * 170, 120 + col * 130, 180 + row * 170))

    result = triage(on_white((400, 400), grid))
    assert result.reason == "several products (6 objects)"


def test_small_accessory_beside_the_product_is_not_a_second_product() -> None:
    def product_and_tag(draw: ImageDraw.ImageDraw, s: int) -> None:
        box(draw, s, (80, 60, 300, 340))
        box(draw, s, (330, 300, 350, 320))

    assert triage(on_white((400, 400), product_and_tag)).usable


def test_text_panel() -> None:
    img = Image.new("RGB", (600, 600), "white")
    draw = ImageDraw.Draw(img)
    for line in range(30):
        draw.text((20, 15 + line * 19), "Store in a cool, dry place. Do not exceed the dose.", fill=(0, 0, 0))
    result = triage(img.convert("RGBA"))
    assert result.reason == "text panel"
    assert result.metrics["small_marks"] >= 30


def test_person_photo() -> None:
    """scikit-image's astronaut (Eileen Collins, NASA, public domain): a person, by her face."""
    result = triage(Image.fromarray(skimage.data.astronaut()))
    assert result.reason == "shows a person (face detected)"
    assert result.metrics["face_score"] >= 0.5


@pytest.mark.parametrize("name", ["chelsea", "coffee"])
def test_cat_and_cup_are_not_people(name: str) -> None:
    """A cat and an espresso cup (scikit-image, CC0) on busy backgrounds: refused for the
    background, never as people (the skin-tone heuristic called animals people)."""
    result = triage(Image.fromarray(getattr(skimage.data, name)()))
    assert result.reason is not None and "person" not in result.reason and "hand" not in result.reason
    assert max(result.metrics[key] for key in ("face_score", "body_score", "hand_score")) < 0.5


@needs_demo
def test_hand_holding_the_product() -> None:
    """The man carrying the bag, cropped below his chin: no face, a hand on the strap."""
    img = load_product_image(DEMO / "B0799CK52K" / "25ffa37c.jpg").crop((40, 280, 375, 650))
    result = triage(img)
    assert result.reason == "shows a hand"
    assert result.metrics["hand_score"] >= 0.5 and result.metrics["face_score"] < 0.5


def test_skin_coloured_product_is_not_a_person() -> None:
    """A tan leather wallet is mostly skin-tone: that is a product, not a person."""
    result = triage(on_white((400, 400), lambda d, s: box(d, s, (80, 100, 320, 300), fill=(200, 150, 110))))
    assert result.usable, result.reason


def test_a_detector_that_cannot_load_refuses_every_photo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No silent pass: without its models the triage says the people check could not run."""
    with pytest.raises(DetectorUnavailable) as missing:
        PeopleDetector(model_dir=tmp_path)
    monkeypatch.setattr(triage_module, "shared_people_detector", lambda: missing.value)
    result = triage(on_white((400, 400), lambda d, s: box(d, s, (100, 80, 300, 330))))
    assert not result.usable
    assert result.reason is not None
    assert result.reason.startswith(f"people check unavailable: model file missing: {tmp_path}/")


def test_close_up_filling_the_frame() -> None:
    result = triage(on_white((400, 400), lambda d, s: d.rectangle((6 * s, 6 * s, 394 * s, 394 * s), fill=(90, 90, 90))))
    assert result.reason == "close-up or detail shot (product fills the frame)"


def test_busy_background() -> None:
    rng = np.random.default_rng(5)
    img = Image.fromarray(rng.integers(0, 256, (300, 300, 3), dtype=np.uint8))
    assert triage(img).reason == (
        "not a packshot on a plain background (supply a transparent PNG or a photo on a white or plain background)"
    )


@pytest.mark.parametrize("grey", [200, 128, 90])
def test_plain_grey_background_is_usable(grey: int) -> None:
    img = Image.new("RGB", (400, 400), (grey, grey, grey))
    ImageDraw.Draw(img).rounded_rectangle((110, 70, 290, 330), radius=12, fill=(40, 90, 160))
    result = triage(img)
    assert result.usable, result.reason
    assert result.metrics["border_uniformity"] == 1.0


def grey_backdrop(grey: int, falloff: str, amplitude: float = 6.0) -> tuple[Image.Image, np.ndarray]:
    """A blue product in the middle of a grey backdrop lit unevenly, as a studio's is: ``grey``
    +- ``amplitude`` levels, left to right ("linear") or brightest in the middle and falling off
    with the distance from it ("radial"). Returns the photo and the product's true mask."""
    ys, xs = np.mgrid[0:400, 0:400].astype(np.float64)
    if falloff == "linear":
        ramp = 2 * xs / 399 - 1
    else:
        ramp = 1 - 2 * np.hypot(xs - 200, ys - 200) / np.hypot(200, 200)
    backdrop = np.repeat((grey + amplitude * ramp)[..., None], 3, axis=2)
    scale = 4  # drawn at 4x and shrunk: anti-aliased edges, like a real photo's
    big = Image.new("L", (400 * scale, 400 * scale), 0)
    ImageDraw.Draw(big).rounded_rectangle((130 * scale, 80 * scale, 270 * scale, 320 * scale), 10 * scale, fill=255)
    cover = np.asarray(big.resize((400, 400), Image.Resampling.BOX), np.float64)[..., None] / 255
    pixels = backdrop * (1 - cover) + np.array([40, 90, 160]) * cover
    return Image.fromarray(pixels.round().astype(np.uint8)), cover[..., 0] >= 0.5


@pytest.mark.parametrize("falloff", ["linear", "radial"])
@pytest.mark.parametrize("grey", [90, 128, 200])
def test_grey_backdrop_with_a_light_falloff_is_usable(grey: int, falloff: str) -> None:
    """+-6 levels of light falloff on a plain grey backdrop: as usable as white, and cut out right."""
    img, truth = grey_backdrop(grey, falloff)
    mask = product_mask(img)
    result = triage_packshot(img, mask)
    assert result.usable, (result.reason, mask.notes)
    solid = mask.alpha >= 128
    assert np.count_nonzero(solid & truth) / np.count_nonzero(solid | truth) >= 0.95
    assert mask.confidence >= 0.8, mask.notes  # nothing sent to review either


def test_a_stronger_falloff_still_cuts_out() -> None:
    """+-12 levels, falling off to the corners: the background around the product is modelled
    from the background near it, not extrapolated from the border (which misses the middle)."""
    img, truth = grey_backdrop(150, "radial", amplitude=12)
    mask = product_mask(img)
    assert triage_packshot(img, mask).usable, mask.notes
    solid = mask.alpha >= 128
    assert np.count_nonzero(solid & truth) / np.count_nonzero(solid | truth) >= 0.99


def test_a_busy_backdrop_is_still_refused() -> None:
    """Large soft blotches (a room, a wall, a table): no smooth surface fits them."""
    rng = np.random.default_rng(0)
    blotches = cv2.GaussianBlur(rng.normal(0, 1, (400, 400)), (0, 0), 12)
    backdrop = 140 + 60 * blotches / np.abs(blotches).max()
    img = Image.fromarray(np.repeat(backdrop[..., None], 3, axis=2).round().astype(np.uint8))
    ImageDraw.Draw(img).rounded_rectangle((130, 80, 270, 320), radius=10, fill=(40, 90, 160))
    mask = product_mask(img)
    assert mask.confidence < 0.5 and mask.notes[0].startswith("background is not uniform"), mask.notes
    result = triage_packshot(img, mask)
    assert result.reason == f"not a packshot on a plain background ({triage_module._BACKGROUND_FIX})"
    assert result.metrics["border_uniformity"] < 0.85


def test_product_cut_off_at_the_edges() -> None:
    def cropped(draw: ImageDraw.ImageDraw, s: int) -> None:  # a "T": cut off left, right and top
        draw.rectangle((0, 180 * s, 400 * s, 220 * s), fill=(90, 60, 60))
        draw.rectangle((180 * s, 0, 220 * s, 200 * s), fill=(90, 60, 60))

    result = triage(on_white((400, 400), cropped))
    assert result.metrics["border_uniformity"] > 0.9
    assert result.reason == "product cut off at the image edges (touches 3 image edges)"


def test_product_too_small() -> None:
    result = triage(on_white((600, 600), lambda d, s: box(d, s, (270, 250, 330, 350))))
    assert result.reason == "product too small in frame (2% of the image)"
    speck = triage(on_white((600, 600), lambda d, s: box(d, s, (290, 290, 320, 320))))
    assert speck.reason == "product too small in frame (under 1% of the image)"


def test_empty_and_transparent_images() -> None:
    assert triage(Image.new("RGB", (300, 300), "white")).reason == "no product found"
    cut = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(cut).ellipse((60, 40, 240, 260), fill=(180, 40, 40, 255))
    result = triage(cut)
    assert result.usable and result.metrics["border_uniformity"] == 1.0


def test_mask_must_match_image() -> None:
    img = Image.new("RGB", (10, 10), "white")
    with pytest.raises(ValueError, match="mask is 5x5"):
        triage_packshot(img, ProductMask(np.zeros((5, 5), np.uint8), 0.0, "white-background"))


def test_choose_packshot_prefers_the_largest_usable_product() -> None:
    small = on_white((400, 400), lambda d, s: box(d, s, (140, 120, 260, 300)))
    large = on_white((400, 400), lambda d, s: box(d, s, (80, 60, 320, 340)))
    strip = on_white((1000, 200), lambda d, s: box(d, s, (400, 30, 600, 170)))
    candidates = [
        (Path(name), img, product_mask(img))
        for name, img in [("strip.jpg", strip), ("small.jpg", small), ("large.jpg", large)]
    ]
    index, skipped = choose_packshot(candidates)
    assert index == 2
    assert skipped == [
        (Path("strip.jpg"), "extreme aspect ratio 5.0:1"),
        (Path("small.jpg"), "usable, but a larger packshot was chosen"),
    ]
    assert choose_packshot(candidates[:1]) == (None, [(Path("strip.jpg"), "extreme aspect ratio 5.0:1")])
    assert choose_packshot([]) == (None, [])


# --- the real catalog -------------------------------------------------------------------------

EXPECTED = {
    # bulb listing
    "B074M5HPBD/dcace9b5.jpg": None,  # packshot of one white bulb on white
    "B074M5HPBD/9ea6992d.jpg": "several products (16 objects)",  # 16-pack grid
    "B074M5HPBD/f5047137.jpg": "extreme aspect ratio 4.9:1",  # 1024x208 line-up strip
    # bag listing
    "B0799CK52K/528c608a.jpg": None,  # three-quarter packshot on white
    "B0799CK52K/d80a51d3.jpg": None,  # front packshot on white
    "B0799CK52K/25ffa37c.jpg": "shows a person (face detected)",  # man carrying the bag
    "B0799CK52K/95f7ee92.jpg": "close-up or detail shot (product fills the frame)",  # interior
    "B0799CK52K/a8a14cd2.jpg": "close-up or detail shot (product fills the frame)",  # strap detail
    # vitamin listing
    "B07GTFSCHB/844a1cce.jpg": None,  # bottle packshot on white
    "B07GTFSCHB/7e487bec.jpg": "text panel",  # label text
    "B07GTFSCHB/31afd5f5.jpg": "text panel",  # 1024x378 leaflet strip
    "B07GTFSCHB/3238d76f.jpg": "text panel",  # 1024x378 nutrition strip
}


@cache
def demo(name: str) -> tuple[Path, Image.Image, ProductMask]:
    path = DEMO / name
    img = load_product_image(path)
    return path, img, product_mask(img)


@needs_demo
def test_every_demo_photo_is_covered() -> None:
    on_disk = {str(p.relative_to(DEMO)) for p in DEMO.glob("*/*.jpg")}
    assert on_disk == set(EXPECTED)


@needs_demo
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_catalog_photo(name: str) -> None:
    _, img, mask = demo(name)
    result = triage_packshot(img, mask)
    assert result.reason == EXPECTED[name], result.metrics
    assert result.usable is (EXPECTED[name] is None)


@needs_demo
@pytest.mark.parametrize(
    ("listing", "chosen"),
    [
        ("B074M5HPBD", {"dcace9b5.jpg"}),
        ("B0799CK52K", {"528c608a.jpg", "d80a51d3.jpg"}),
        ("B07GTFSCHB", {"844a1cce.jpg"}),
    ],
)
def test_choose_packshot_per_listing(listing: str, chosen: set[str]) -> None:
    names = sorted(name for name in EXPECTED if name.startswith(listing))
    candidates = [demo(name) for name in names]
    index, skipped = choose_packshot(candidates)
    assert index is not None and candidates[index][0].name in chosen
    assert len(skipped) == len(candidates) - 1
    for path, reason in skipped:
        expected = EXPECTED[f"{listing}/{path.name}"]
        assert reason == (expected or "usable, but a larger packshot was chosen")

"""Image checks on real banners: the demo brand, a demo packshot, the studio backend, the composer.

Each check must pass a clean banner and flag the problem it exists for, with the measured value,
the threshold and the box in its result. NudeNet and Tesseract run for real (no mocks); nudity
positives cannot be shipped, so the nudity thresholds are tested on detections built by hand and
the real detector only on clean images (see the module docstring of bench/bench_image_checks.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pipeline.banner.compose import BannerCopy, ComposedBanner, compose_banner
from pipeline.banner.layout import Layout, plan_layout
from pipeline.banner.money import format_price
from pipeline.checks.image import (
    IMAGE_CHECKS,
    DesignedText,
    Detection,
    ImageCheckSettings,
    ImageContext,
    check_background_palette,
    check_jpeg_quality,
    check_logo,
    check_nudity,
    check_overlay_palette,
    check_people,
    check_resolution,
    check_safe_zones,
    check_sharpness,
    check_stray_text,
    check_text_contrast_boxes,
    context_from_lineage,
    detect_body_parts,
    estimate_jpeg_quality,
    run_image_checks,
    sharpness_of,
)
from pipeline.checks.results import Verdict, build_report
from pipeline.imaging.imageio import load_product_image
from pipeline.imaging.masks import cutout, product_mask
from pipeline.imaging.placement import composite_product
from pipeline.model.brand import hex_to_rgb, load_brand
from pipeline.model.locales import locale_info
from pipeline.scene.base import SceneRequest, SceneResult
from pipeline.scene.studio import StudioBackend
from tests.helpers import DEMO_BRAND, REPO

BRAND = load_brand(DEMO_BRAND)
with Image.open(BRAND.logo_path) as _f:
    LOGO = _f.convert("RGBA")
PAL = BRAND.palette
SETTINGS = ImageCheckSettings()
COPY = BannerCopy(
    headline="Winter essentials, warmly priced",
    subline="Everyday favourites for the cosy season",
    cta="Shop now",
    price=format_price(Decimal("11.99"), "USD", locale_info("en-US")),
    prior_price="$14.99",
    discount_label="-20%",
    legal="Prices in USD, taxes extra.",
)


def _cut(rel: str) -> Image.Image:
    img = load_product_image(REPO / "demo" / "products" / rel)
    return cutout(img, product_mask(img))


VITAMIN = _cut("B07GTFSCHB/844a1cce.jpg")


@dataclass
class Made:
    banner: ComposedBanner
    scene: SceneResult
    layout: Layout
    fmt_id: str

    @property
    def image(self) -> Image.Image:
        return self.banner.image

    def context(self, **changes: object) -> ImageContext:
        """Everything known at render time (masks included)."""
        b = self.banner
        layer_alpha = np.asarray(self.scene.product_layer)[..., 3] == 255
        mask = np.zeros(b.overlay_mask.shape, bool)
        x0, y0, x1, y1 = self.scene.placement.box
        mask[y0:y1, x0:x1] = layer_alpha
        ctx = ImageContext(
            format=BRAND.format_by_id[self.fmt_id],
            text_blocks=tuple(DesignedText(t.role, t.box, t.color, t.large, t.background, t.text) for t in b.blocks),
            logo_box=b.logo_box,
            product_box=self.scene.placement.box,
            product_mask=mask,
            scene=b.background,
            overlay_mask=b.overlay_mask,
        )
        return replace(ctx, **changes)  # type: ignore[arg-type]

    def lineage(self) -> dict:
        """The sidecar keys render_variant writes, from the same objects."""
        return {
            "format": {"id": self.fmt_id, "size": list(self.image.size)},
            "layout": {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self.layout).items()},
            "text_blocks": [
                {"role": t.role, "text": t.text, "box": list(t.box), "size_px": t.size_px, "color": t.color}
                for t in self.banner.blocks
            ],
            "product": {"placement_box": list(self.scene.placement.box)},
            "generation": {"backend": "studio", "style": "sweep", "seed": 1},
        }


def make(
    fmt_id: str = "square",
    style: str = "sweep",
    *,
    palette: dict[str, str] | None = None,
    scene_edit=None,
    layer_edit=None,
    logo: Image.Image | None = None,
    product: Image.Image = VITAMIN,
) -> Made:
    fmt = BRAND.format_by_id[fmt_id]
    layout = plan_layout(
        fmt,
        locale_info("en-US"),
        logo_aspect=LOGO.width / LOGO.height,
        logo_min_width=BRAND.logo.min_width_px,
        clear_space=BRAND.logo.clear_space,
    )
    pal = {**PAL.all_colours(), **(palette or {})}
    scene = StudioBackend().render(SceneRequest(fmt.size, product, layout.product, pal, style, 11))
    image = scene.image
    if layer_edit is not None:
        layer = layer_edit(scene.product_layer)
        image = composite_product(image, layer, scene.placement)
        scene = SceneResult(image, layer, scene.placement, scene.lineage)
    if scene_edit is not None:
        image = scene_edit(image, scene)
    banner = compose_banner(
        image,
        layout,
        COPY,
        BRAND,
        locale_info("en-US"),
        min_text_px=fmt.min_text_px,
        logo=LOGO if logo is None else logo,
    )
    return Made(banner, scene, layout, fmt_id)


@pytest.fixture(scope="module")
def clean() -> Made:
    return make()


def flagged(results) -> list:
    """The findings someone must act on (needs review or blocked; not-applicable results are not)."""
    return [r for r in results if r.verdict.failed]


def _font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(DEMO_BRAND / "fonts" / ("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf")), size
    )


def _draw_text(
    image: Image.Image,
    text: str,
    xy: tuple[int, int],
    size: int,
    colour: str,
    *,
    bold: bool = True,
    plate: str | None = None,
    pad: int = 0,
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    layer = Image.new("L", image.size, 0)
    ImageDraw.Draw(layer).text(xy, text, font=_font(size, bold), fill=255)
    ys, xs = np.nonzero(np.asarray(layer))
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    out = image.copy()
    if plate:
        ImageDraw.Draw(out).rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=plate)
    out.paste(Image.new("RGB", image.size, colour), (0, 0), layer)
    return out, box


# --------------------------------------------------------------------------- clean banners pass


def test_a_clean_banner_passes_every_check_with_full_context_and_from_its_lineage(clean):
    full = run_image_checks(clean.image, BRAND, clean.context(), SETTINGS, logo=LOGO)
    assert {r.check for r in full} == {c.id for c in IMAGE_CHECKS}
    assert flagged(full) == [], [r.message for r in flagged(full)]
    # decoded pixels are no JPEG file: that rule has nothing to judge; every other one passed on evidence
    assert {r.check for r in full if r.verdict is Verdict.NOT_APPLICABLE} == {"image.quality.jpeg"}
    from_sidecar = run_image_checks(
        clean.image, BRAND, context_from_lineage(clean.lineage(), BRAND), SETTINGS, logo=LOGO
    )
    assert flagged(from_sidecar) == [], [r.message for r in flagged(from_sidecar)]
    stray = next(r for r in full if r.check == "image.stray_text")
    assert "OCR not needed" in stray.message  # the fast path: a studio backdrop has no text-like marks


@pytest.mark.parametrize("style", ["gradient", "surface", "podium"])
def test_every_studio_style_is_on_palette(style):
    m = make(style=style)
    res = check_background_palette(m.image, BRAND, m.context(), SETTINGS)
    assert flagged(res) == [], res[0].message
    assert res[0].code == "palette.on_brand"


def test_context_from_lineage_reads_the_sidecar(clean):
    ctx = context_from_lineage(clean.lineage(), BRAND)
    assert ctx.format == BRAND.format_by_id["square"]
    assert ctx.product_box == clean.scene.placement.box and ctx.logo_box == clean.layout.logo
    roles = {b.role: b for b in ctx.text_blocks}
    # WCAG large text (>= 24 px, bold >= 18.5 px) derived from size and role as the composer decided it
    assert {b.role: b.large for b in clean.banner.blocks} == {r: b.large for r, b in roles.items()}
    assert roles["headline"].color == clean.banner.block("headline").color
    small = {
        **clean.lineage(),
        "text_blocks": [
            {"role": "cta", "box": [0, 0, 9, 9], "size_px": 20, "color": "#FFFFFF"},
            {"role": "legal", "box": [0, 0, 9, 9], "size_px": 20},
        ],
    }
    assert [b.large for b in context_from_lineage(small, BRAND).text_blocks] == [True, False]
    assert ctx.generated_background


def test_registry_filters_and_ocr_switch(clean):
    only = run_image_checks(
        clean.image, BRAND, clean.context(), SETTINGS, logo=LOGO, enabled=["image.safe_zone", "image.quality.jpeg"]
    )
    assert {r.check for r in only} == {"image.safe_zone", "image.quality.jpeg"}
    no_ocr = run_image_checks(
        clean.image, BRAND, clean.context(), SETTINGS, logo=LOGO, ocr=False, enabled=["image.stray_text", "image.logo"]
    )
    assert {r.check for r in no_ocr} == {"image.logo"}
    with pytest.raises(ValueError, match="unknown image checks"):
        run_image_checks(clean.image, BRAND, clean.context(), SETTINGS, enabled=["image.nope"])


def test_a_bare_image_is_checked_with_what_can_be_known(clean):
    res = run_image_checks(clean.image, BRAND, ImageContext(), SETTINGS, logo=LOGO, ocr=False)
    by = {r.check: r for r in res}
    assert by["image.logo"].code == "logo.ok"  # found by the whole-image search
    # no designed text is known: no overlay colours and no text boxes to judge, which is not a pass
    assert (by["image.palette.overlay"].verdict, by["image.palette.overlay"].code) == (
        Verdict.NOT_APPLICABLE,
        "palette.overlay_unknown",
    )
    assert by["image.quality.resolution"].code == "resolution.ok"  # the brand format of that aspect
    assert by["image.safe_zone"].code == "safe_zone.ok"  # the brand format of that size, logo as found
    # without product/text boxes the backdrop includes copy and product: it may ask for review, never block
    assert by["image.palette.background"].verdict is not Verdict.BLOCKED


# --------------------------------------------------------------------------- palette


def test_off_palette_overlay_colours_block_and_name_the_nearest_brand_colour(clean):
    ctx = clean.context()
    blocks = (replace(ctx.text_blocks[0], color="#6A0DAD"), *ctx.text_blocks[1:])
    res = flagged(check_overlay_palette(clean.image, BRAND, replace(ctx, text_blocks=blocks), SETTINGS))
    assert len(res) == 1 and res[0].verdict is Verdict.BLOCKED and res[0].code == "palette.overlay_off_palette"
    assert "#6A0DAD" in res[0].message and "#1F4E5F" in res[0].message and res[0].box == blocks[0].box
    plate = (*ctx.text_blocks[:-1], replace(ctx.text_blocks[-1], background="#2255CC"))
    assert flagged(check_overlay_palette(clean.image, BRAND, replace(ctx, text_blocks=plate), SETTINGS))


def test_off_palette_backdrop_asks_for_review_with_colour_share_and_nearest():
    m = make(palette={"background": "#7A4FB0", "sand": "#6C3FA0", "mist": "#8E66C4"})
    res = flagged(check_background_palette(m.image, BRAND, m.context(), SETTINGS))
    assert res and all(r.verdict is Verdict.NEEDS_REVIEW and r.code == "palette.off_brand_colour" for r in res)
    msg = res[0].message
    assert "covers" in msg and "%" in msg and "ΔE2000" in msg and "nearest brand colour" in msg
    assert res[0].score > SETTINGS.palette_max_delta_e and res[0].box is not None


def test_forbidden_colour_blocks_even_as_a_small_prop_but_a_small_blue_prop_passes():
    def prop(colour: str, r: int):
        def edit(img: Image.Image, scene: SceneResult) -> Image.Image:
            out = img.copy()
            ImageDraw.Draw(out).ellipse((380 - r, 560 - r, 380 + r, 560 + r), fill=colour)
            return out

        return edit

    red = make(scene_edit=prop("#FF0000", 70))
    res = flagged(check_background_palette(red.image, BRAND, red.context(), SETTINGS))
    assert [r.code for r in res] == ["palette.forbidden_colour"] and res[0].verdict is Verdict.BLOCKED
    x0, y0, x1, y1 = res[0].box
    assert x0 <= 320 and x1 >= 440 and y0 <= 500 and y1 >= 620  # the prop, not the whole canvas
    blue = make(scene_edit=prop("#2F6FD8", 60))
    assert flagged(check_background_palette(blue.image, BRAND, blue.context(), SETTINGS)) == []
    big_blue = make(scene_edit=prop("#2F6FD8", 200))
    assert [r.code for r in flagged(check_background_palette(big_blue.image, BRAND, big_blue.context(), SETTINGS))] == [
        "palette.off_brand_colour"
    ]


# --------------------------------------------------------------------------- contrast


def _luminance(hex_colour: str) -> float:
    c = np.array(hex_to_rgb(hex_colour)) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def _wcag(a: str, b: str) -> float:
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.parametrize(
    ("colour", "plate", "size", "large", "passes"),
    [
        (PAL.primary, PAL.accent, 40, True, True),  # 3.08:1, large text needs 3.0
        (PAL.accent, PAL.on_primary, 40, True, False),  # 2.95:1
        (PAL.accent, PAL.on_primary, 20, False, False),  # 2.95:1, normal text needs 4.5
        (PAL.text, PAL.accent, 20, False, True),  # 5.84:1
    ],
)
def test_contrast_pairs_around_the_wcag_thresholds_are_measured_from_pixels(clean, colour, plate, size, large, passes):
    img, box = _draw_text(clean.image, "Members save", (330, 470), size, colour, bold=large, plate=plate, pad=10)
    ctx = clean.context(text_blocks=(DesignedText("badge", box, colour, large, plate),))
    (res,) = check_text_contrast_boxes(img, BRAND, ctx, SETTINGS)
    assert res.score == pytest.approx(_wcag(colour, plate), abs=0.04)
    assert (res.verdict is Verdict.PASSED) == passes
    if not passes:
        assert res.code == "contrast.too_low" and res.box == box and f"{res.score:.2f}:1" in res.message


def test_contrast_without_a_known_colour_uses_the_glyph_pixels(clean):
    img, box = _draw_text(clean.image, "Members save", (330, 470), 20, "#A8A8A8", bold=False)
    (res,) = check_text_contrast_boxes(img, BRAND, clean.context(text_blocks=(DesignedText("badge", box),)), SETTINGS)
    assert res.verdict is Verdict.BLOCKED and res.score < 2.5


# --------------------------------------------------------------------------- logo


def test_logo_matching_scores_empty_windows_zero_and_others_exactly():
    """OpenCV's TM_CCOEFF_NORMED divides float32 FFT noise by a round-off variance on flat windows
    and clamps the quotient to +-1: an empty stretch of backdrop scored 0.98 and beat a squashed logo."""
    from numpy.lib.stride_tricks import sliding_window_view

    from pipeline.checks.image.logo import _LogoModel, _ncc

    model = _LogoModel(LOGO, np.array([250, 245, 235], np.float32))
    ink = np.zeros((120, 300), np.float32)
    ink[30:87, 20:166] = model.ink(146, 57)  # a squashed logo's ink on an exactly flat backdrop
    for w, h in [(40, 11), (80, 21), (120, 32)]:
        templ = model.ink(w, h)
        got = _ncc(ink, templ)
        windows = sliding_window_view(ink.astype(np.float64), (h, w))
        centred = windows - windows.mean(axis=(2, 3), keepdims=True)
        t = templ - templ.mean()
        den = np.sqrt((centred**2).sum(axis=(2, 3)) * (t**2).sum())
        exact = np.divide((centred * t).sum(axis=(2, 3)), den, out=np.zeros_like(den), where=den > 1e-9)
        empty = windows.max(axis=(2, 3)) == 0
        assert empty.any() and np.all(got[empty] == 0)
        kept = got != 0
        assert np.abs(got - exact)[kept].max() < 1e-4
        assert exact[~kept].max() < 0.3  # what is zeroed could never have been the logo
        assert np.unravel_index(got.argmax(), got.shape) == np.unravel_index(exact.argmax(), exact.shape)


def test_logo_problems_are_told_apart(clean):
    blank = make(logo=Image.new("RGBA", LOGO.size, (0, 0, 0, 0)))

    def codes(m: Made, ctx: ImageContext | None = None) -> list[str]:
        return [r.code for r in flagged(check_logo(m.image, BRAND, ctx or m.context(), SETTINGS, logo=LOGO))]

    assert codes(blank, blank.context(logo_box=clean.banner.logo_box)) == ["logo.missing"]

    hue = np.asarray(LOGO).copy()
    hue[..., :3] = hue[..., [2, 0, 1]]  # channels rotated: same shape, other colours
    assert codes(make(logo=Image.fromarray(hue, "RGBA"))) == ["logo.recoloured"]

    lb = clean.banner.logo_box
    img = clean.image.copy()
    img.paste(clean.banner.background.crop(lb), lb[:2])
    squashed = LOGO.resize((round((lb[2] - lb[0]) * 0.68), lb[3] - lb[1]), Image.Resampling.LANCZOS)
    img.paste(squashed.convert("RGB"), lb[:2], squashed.getchannel("A"))
    res = flagged(check_logo(img, BRAND, clean.context(overlay_mask=None), SETTINGS, logo=LOGO))
    assert [r.code for r in res] == ["logo.distorted"] and "aspect" in res[0].message

    img = clean.image.copy()
    img.paste(clean.banner.background.crop(lb), lb[:2])
    small = LOGO.resize((96, round(96 * LOGO.height / LOGO.width)), Image.Resampling.LANCZOS)
    img.paste(small.convert("RGB"), lb[:2], small.getchannel("A"))
    res = flagged(check_logo(img, BRAND, clean.context(overlay_mask=None), SETTINGS, logo=LOGO))
    assert [r.code for r in res] == ["logo.too_small"] and "96 px wide" in res[0].message and "120" in res[0].message


def test_logo_clear_space_blocks_a_badge_next_to_it(clean):
    lb = clean.banner.logo_box
    img, box = _draw_text(clean.image, "NEW", (lb[2] + 6, lb[1] + 8), 26, PAL.text, plate=PAL.accent, pad=6)
    ctx = context_from_lineage(clean.lineage(), BRAND)
    crowded = replace(ctx, text_blocks=(*ctx.text_blocks, DesignedText("badge", box, PAL.text, True, PAL.accent)))
    res = flagged(check_logo(img, BRAND, crowded, SETTINGS, logo=LOGO))
    assert [r.code for r in res] == ["logo.clear_space"] and "badge text" in res[0].message
    undeclared = flagged(check_logo(img, BRAND, ctx, SETTINGS, logo=LOGO))  # nothing declared: the pixels tell
    assert [r.code for r in undeclared] == ["logo.clear_space_marks"]
    assert undeclared[0].verdict is Verdict.NEEDS_REVIEW


# --------------------------------------------------------------------------- safe zones


def test_text_outside_the_story_safe_zone_blocks_with_the_overlap():
    story = BRAND.format_by_id["story"]
    ctx = ImageContext(
        format=story,
        text_blocks=(
            DesignedText("badge", (120, 150, 320, 190), PAL.text, True),
            DesignedText("headline", (120, 400, 600, 480), PAL.text, True),
        ),
    )
    res = flagged(check_safe_zones(None, BRAND, ctx, SETTINGS))
    assert len(res) == 1 and res[0].code == "safe_zone.outside" and res[0].box == (120, 150, 320, 190)
    assert "120 px into the top margin" in res[0].message and res[0].score == 200 * 40
    assert not flagged(check_safe_zones(None, BRAND, replace(ctx, text_blocks=ctx.text_blocks[1:]), SETTINGS))


# --------------------------------------------------------------------------- nudity and people


def test_nudity_thresholds_block_exposed_parts_only():
    img = Image.new("RGB", (64, 64), "white")
    dets = [
        Detection("FEMALE_BREAST_EXPOSED", 0.62, (1, 2, 30, 40)),
        Detection("FEMALE_BREAST_COVERED", 0.9, (1, 2, 3, 4)),  # covered: not nudity
        Detection("BUTTOCKS_EXPOSED", 0.3, (5, 5, 9, 9)),
    ]  # below its threshold
    res = check_nudity(img, BRAND, ImageContext(), SETTINGS, detections=dets)
    assert [(r.code, r.box) for r in res] == [("nudity.exposed", (1, 2, 30, 40))]
    assert res[0].verdict is Verdict.BLOCKED and "0.62" in res[0].message
    looser = replace(SETTINGS, nudity_thresholds={"FEMALE_BREAST_EXPOSED": 0.7})
    assert not flagged(check_nudity(img, BRAND, ImageContext(), looser, detections=dets))


def test_the_real_detector_passes_a_clean_banner_and_matches_nudenet(clean):
    res = check_nudity(clean.image, BRAND, clean.context(), SETTINGS)
    assert not flagged(res) and res[0].code == "nudity.none"
    import cv2
    from nudenet import NudeDetector

    bgr = cv2.imread(str(REPO / "demo" / "products" / "B0799CK52K" / "25ffa37c.jpg"))
    theirs = sorted((d["class"], round(d["score"], 4), tuple(d["box"])) for d in NudeDetector().detect(bgr))
    ours = sorted(
        (d.label, round(d.score, 4), (d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]))
        for d in detect_body_parts(np.ascontiguousarray(bgr[..., ::-1]))
    )
    assert ours == theirs and theirs  # same detections (the person photo has some)


def test_a_person_in_a_generated_background_follows_the_policy():
    person = _cut("B0799CK52K/25ffa37c.jpg")

    def add_person(img: Image.Image, scene: SceneResult) -> Image.Image:
        h = 560
        p = person.resize((round(person.width * h / person.height), h), Image.Resampling.LANCZOS)
        out = img.copy()
        out.paste(p, (scene.placement.box[2] + 10, img.height - h - 4), p)
        return out

    m = make("hero", scene_edit=add_person)
    res = check_people(m.image, BRAND, m.context(), SETTINGS)
    assert [(r.verdict, r.code) for r in res] == [(Verdict.NEEDS_REVIEW, "people.in_background")]
    # where the person is, right of the product (the detector's box may reach a pixel or two into it)
    assert res[0].box[0] >= m.scene.placement.box[2] - 2
    block, allow = replace(SETTINGS, people_policy="block"), replace(SETTINGS, people_policy="allow")
    assert check_people(m.image, BRAND, m.context(), block)[0].verdict is Verdict.BLOCKED
    assert check_people(m.image, BRAND, m.context(), allow)[0].code == "people.allowed"
    photo = check_people(m.image, BRAND, m.context(generated_background=False), SETTINGS)
    assert [(r.verdict, r.code) for r in photo] == [(Verdict.NOT_APPLICABLE, "people.not_generated")]


# --------------------------------------------------------------------------- stray text


def test_a_watermark_in_the_background_is_read_and_reported(clean):
    def watermark(img: Image.Image, scene: SceneResult) -> Image.Image:
        layer = Image.new("L", img.size, 0)
        ImageDraw.Draw(layer).text((600, 930), "SAMPLE", font=_font(80), fill=140)
        out = img.copy()
        out.paste(Image.new("RGB", img.size, (120, 120, 120)), (0, 0), layer)
        return out

    m = make(scene_edit=watermark)
    res = check_stray_text(m.image, BRAND, context_from_lineage(m.lineage(), BRAND), SETTINGS)
    assert [r.code for r in res] == ["stray_text.found"] and res[0].verdict is Verdict.NEEDS_REVIEW
    assert "SAMPLE" in res[0].message.upper()
    x0, y0, x1, y1 = res[0].box
    assert 560 <= x0 and y0 >= 900 and x1 <= 1000


# --------------------------------------------------------------------------- quality


def test_a_blurred_product_asks_for_review(clean):
    m = make(layer_edit=lambda layer: layer.filter(ImageFilter.GaussianBlur(2.5)))
    res = check_sharpness(m.image, BRAND, context_from_lineage(m.lineage(), BRAND), SETTINGS)
    assert res[0].code == "quality.blurry" and res[0].score < SETTINGS.min_sharpness
    ok = check_sharpness(clean.image, BRAND, clean.context(), SETTINGS)[0]
    assert ok.code == "sharpness.ok" and ok.score > 1.5
    gray = np.asarray(clean.image.convert("L").crop(clean.scene.placement.box))
    blurred = [Image.fromarray(gray).filter(ImageFilter.GaussianBlur(s)) for s in (0.01, 1, 2, 4)]
    scores = [sharpness_of(np.asarray(b)) for b in blurred]
    assert scores == sorted(scores, reverse=True)


def test_resolution_blocks_an_image_smaller_than_its_format(clean):
    small = clean.image.resize((540, 540))
    res = check_resolution(small, BRAND, clean.context(), SETTINGS)
    assert res[0].verdict is Verdict.BLOCKED and "540x540" in res[0].message and "1080x1080" in res[0].message
    assert check_resolution(clean.image, BRAND, clean.context(), SETTINGS)[0].verdict is Verdict.PASSED
    odd = check_resolution(Image.new("RGB", (1000, 300)), BRAND, ImageContext(), SETTINGS)[0]
    assert odd.code == "quality.no_format"
    # the other checks read the sidecar's boxes scaled to the smaller image
    res = run_image_checks(small, BRAND, context_from_lineage(clean.lineage(), BRAND), SETTINGS, logo=LOGO, ocr=False)
    assert {r.check for r in flagged(res)} == {"image.quality.resolution"}


@pytest.mark.parametrize("quality", [25, 50, 75, 80, 92])
def test_jpeg_quality_is_read_from_the_quantisation_tables(clean, quality):
    buf = io.BytesIO()
    clean.image.save(buf, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buf.getvalue())) as jpeg:
        q, err = estimate_jpeg_quality(jpeg.quantization)
        assert q == quality and err == 0
        res = check_jpeg_quality(jpeg, BRAND, ImageContext(), SETTINGS)[0]
    assert (res.verdict is Verdict.NEEDS_REVIEW) == (quality < 80)
    assert f"about {quality}" in res.message


def _reopened(image: Image.Image, fmt: str, **save: object) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, fmt, **save)
    with Image.open(io.BytesIO(buf.getvalue())) as f:
        f.load()
        return f


def test_a_png_master_has_no_jpeg_rule_and_it_leaves_the_brand_score(clean):
    png = _reopened(clean.image, "PNG")
    (res,) = check_jpeg_quality(png, BRAND, ImageContext(), SETTINGS)
    assert (res.verdict, res.code) == (Verdict.NOT_APPLICABLE, "jpeg.not_jpeg") and "PNG" in res.message
    on_png = build_report(run_image_checks(png, BRAND, clean.context(), SETTINGS, logo=LOGO, ocr=False)).to_dict()
    # 11 image rules, stray text not run (no OCR), the JPEG rule not applicable: 9 applicable, all passed
    assert on_png["rules"]["not_applicable"] == 1 and on_png["rules"]["not_applicable_rules"] == ["image.quality.jpeg"]
    assert (on_png["rules"]["applicable"], on_png["rules"]["passed"], on_png["brand_score"]) == (9, 9, 1.0)
    # the same banner as an over-compressed JPEG: now the rule applies, fails, and counts
    jpeg = _reopened(clean.image, "JPEG", quality=50)
    on_jpeg = build_report(run_image_checks(jpeg, BRAND, clean.context(), SETTINGS, logo=LOGO, ocr=False)).to_dict()
    assert on_jpeg["rules"]["failed"] == ["image.quality.jpeg"] and on_jpeg["rules"]["not_applicable"] == 0
    assert (on_jpeg["rules"]["applicable"], on_jpeg["rules"]["passed"], on_jpeg["brand_score"]) == (10, 9, 0.9)
    unknown = check_jpeg_quality(clean.image, BRAND, ImageContext(source_format="JPEG"), SETTINGS)[0]
    assert (unknown.verdict, unknown.code) == (Verdict.NEEDS_REVIEW, "quality.jpeg_unknown")

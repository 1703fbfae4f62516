"""Banners: every block drawn in brand colours, in its box, and never over the product."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.banner.compose import BannerCopy, compose_banner, contrast_of
from pipeline.banner.layout import inside, overlaps, plan_layout, type_scale
from pipeline.banner.money import format_percent_off, format_price
from pipeline.errors import InputError
from pipeline.model.brand import hex_to_rgb, load_brand
from pipeline.model.locales import locale_info
from tests.pipeline.banner.logos import make_logo

BRAND = load_brand(Path(__file__).resolve().parents[3] / "brand_guides" / "halden")
with Image.open(BRAND.logo_path) as _logo:
    LOGO = _logo.convert("RGBA")

COPY = {
    "en-US": (
        "Winter essentials, warmly priced",
        "Everyday favourites for the cosy season",
        "Shop now",
        "USD",
        "24.99",
        "31.99",
    ),
    "ar-AE": ("أساسيات الشتاء بأسعار دافئة", "مفضلاتك اليومية لموسم دافئ", "تسوّق الآن", "AED", "99", "125"),
    "ja-JP": (
        "冬の定番を、うれしい価格で",
        "ぬくもりの季節に、毎日のお気に入りを",
        "今すぐ購入",
        "JPY",
        "2980",
        "3980",
    ),
    "he-IL": ("מבצע חורף על כל המוצרים", "החורף הכי נעים", "לקנייה", "ILS", "99.90", "129.90"),
}


def banner_copy(code, **changes):
    locale = locale_info(code)
    head, sub, cta, cur, price, prior = COPY[code]
    copy = BannerCopy(
        headline=head,
        subline=sub,
        cta=cta,
        price=format_price(Decimal(price), cur, locale),
        prior_price=format_price(Decimal(prior), cur, locale),
        discount_label=format_percent_off(20, locale),
        legal=BRAND.tone.disclaimers.get(code, "Offer ends Dec 24, 2026."),
    )
    return BannerCopy(**{**copy.__dict__, **changes})


def layout_for(fmt, code):
    return plan_layout(
        fmt,
        locale_info(code),
        logo_aspect=LOGO.width / LOGO.height,
        logo_min_width=BRAND.logo.min_width_px,
        clear_space=BRAND.logo.clear_space,
    )


def scene_for(layout):
    """Brand paper background with a noisy 'product' filling the product box."""
    img = np.empty((layout.canvas[1], layout.canvas[0], 3), dtype=np.uint8)
    img[:] = hex_to_rgb(BRAND.palette.background)
    x0, y0, x1, y1 = layout.product
    rng = np.random.default_rng(7)
    img[y0:y1, x0:x1] = rng.integers(0, 256, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
    return Image.fromarray(img)


def product_hash(image, layout):
    x0, y0, x1, y1 = layout.product
    return hashlib.sha256(np.ascontiguousarray(np.asarray(image)[y0:y1, x0:x1])).hexdigest()


def compose(fmt, code, copy=None):
    layout = layout_for(fmt, code)
    scene = scene_for(layout)
    banner = compose_banner(
        scene, layout, copy or banner_copy(code), BRAND, locale_info(code), min_text_px=fmt.min_text_px, logo=LOGO
    )
    return layout, scene, banner


CASES = [(f, code) for f in BRAND.formats for code in ("en-US", "ar-AE")]


@pytest.mark.parametrize(("fmt", "code"), CASES, ids=[f"{f.id}-{c}" for f, c in CASES])
def test_banner_draws_every_block_and_leaves_the_product_untouched(fmt, code):
    layout, scene, banner = compose(fmt, code)
    assert banner.problems == ()
    assert banner.image.mode == "RGB" and banner.image.size == fmt.size
    assert product_hash(banner.image, layout) == product_hash(scene, layout)
    x0, y0, x1, y1 = layout.product
    assert not banner.overlay_mask[y0:y1, x0:x1].any()
    assert np.array_equal(np.asarray(banner.background), np.asarray(scene))

    roles = [b.role for b in banner.blocks]
    expected = ["headline", "subline", "price", "prior_price", "discount", "cta", "legal"]
    assert sorted(roles) == sorted(r for r in expected if r not in layout.omits)
    sz = fmt.safe_zone
    safe = (sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom)
    for block in banner.blocks:
        assert block.glyph_mask.shape == (fmt.height, fmt.width) and block.glyph_mask.any(), block.role
        assert inside(block.box, safe), (block.role, block.box)
        assert not overlaps(block.box, layout.product), block.role
        assert block.size_px >= fmt.min_text_px
        assert (banner.overlay_mask | ~block.glyph_mask).all()  # every glyph is in the overlay mask
    assert banner.logo_box == layout.logo  # drawn at exactly the size the layout reserved
    assert banner.logo_box[2] - banner.logo_box[0] >= BRAND.logo.min_width_px


def test_colours_are_the_palettes_exactly():
    fmt = BRAND.format_by_id["square"]
    _, _, banner = compose(fmt, "en-US")
    img = np.asarray(banner.image)
    for block in banner.blocks:
        glyphs = img[block.glyph_mask]
        colours, counts = np.unique(glyphs.reshape(-1, 3), axis=0, return_counts=True)
        assert tuple(colours[counts.argmax()]) == hex_to_rgb(block.color), block.role
        assert block.color in BRAND.palette.all_colours().values()
    cta = banner.block("cta")
    assert cta.background == BRAND.palette.primary and cta.color == BRAND.palette.on_primary
    plate = banner.overlay_mask & ~cta.glyph_mask
    x0, y0, x1, y1 = cta.box
    pad = 6
    around = plate[y0 - pad : y1 + pad, x0 - pad : x1 + pad]
    region = img[y0 - pad : y1 + pad, x0 - pad : x1 + pad][around]
    colours, counts = np.unique(region, axis=0, return_counts=True)
    assert tuple(colours[counts.argmax()]) == hex_to_rgb(BRAND.palette.primary)
    # text colours chosen for legibility on the paper background
    paper = hex_to_rgb(BRAND.palette.background)
    for role in ("headline", "price", "legal"):
        assert contrast_of(hex_to_rgb(banner.block(role).color), paper) >= 4.5, role
    assert banner.block("discount").background == BRAND.palette.accent


def test_text_on_a_dark_scene_switches_to_the_light_brand_colour():
    fmt = BRAND.format_by_id["square"]
    layout = layout_for(fmt, "en-US")
    dark = Image.new("RGB", fmt.size, (20, 24, 28))
    banner = compose_banner(
        dark, layout, banner_copy("en-US"), BRAND, locale_info("en-US"), min_text_px=fmt.min_text_px, logo=LOGO
    )
    for role in ("headline", "subline", "legal"):
        assert banner.block(role).color == BRAND.palette.on_primary, role
    price = banner.block("price")  # the accent colour is legible on dark: the price may use it
    assert price.color == BRAND.palette.accent and price.large
    assert contrast_of(hex_to_rgb(price.color), (20, 24, 28)) >= 3.0


def test_wcag_large_text_flag():
    _, _, banner = compose(BRAND.format_by_id["hero"], "en-US")
    for block in banner.blocks:
        bold = block.role in ("headline", "price", "discount", "cta")
        expected = block.size_px >= 24 or (bold and block.size_px >= 18.5)
        assert block.large == expected, block.role
    assert banner.block("headline").large


def test_rtl_banner_starts_at_the_right():
    fmt = BRAND.format_by_id["portrait"]
    layout, _, banner = compose(fmt, "ar-AE")
    assert banner.logo_box[2] == layout.logo[2]
    head = banner.block("headline")
    assert layout.headline[2] - head.box[2] < 12  # flush right
    assert head.box[0] > layout.headline[0] + 50


@pytest.mark.parametrize("code", ["ja-JP", "he-IL"])
def test_other_scripts_compose_without_problems(code):
    fmt = BRAND.format_by_id["story"]
    layout, scene, banner = compose(fmt, code)
    assert banner.problems == ()
    assert product_hash(banner.image, layout) == product_hash(scene, layout)


def test_copy_that_does_not_fit_is_reported_not_dropped_or_cut():
    fmt = BRAND.format_by_id["square"]
    long_headline = "Winter essentials " * 40
    long_cta = "Shop the whole winter collection today before it is gone"
    layout, scene, banner = compose(fmt, "en-US", banner_copy("en-US", headline=long_headline, cta=long_cta))
    problems = "\n".join(banner.problems)
    assert "copy does not fit: headline" in problems and f"{fmt.min_text_px}-" in problems
    assert "copy does not fit: cta" in problems
    roles = {b.role for b in banner.blocks}
    assert "headline" not in roles and "cta" not in roles  # never drawn cut
    assert {"price", "subline", "legal"} <= roles  # the rest of the banner is still there
    assert product_hash(banner.image, layout) == product_hash(scene, layout)


def test_uncovered_script_is_reported():
    fmt = BRAND.format_by_id["square"]
    _, _, banner = compose(fmt, "en-US", banner_copy("en-US", headline="สวัสดีฤดูหนาว"))
    assert any(p.startswith("headline: no font covers") for p in banner.problems)


def test_without_discount_the_price_stands_alone():
    fmt = BRAND.format_by_id["square"]
    _, _, banner = compose(fmt, "en-US", banner_copy("en-US", prior_price=None, discount_label=None))
    assert banner.problems == ()
    roles = {b.role for b in banner.blocks}
    assert "price" in roles and not roles & {"prior_price", "discount"}


def test_inputs_are_checked():
    fmt = BRAND.format_by_id["square"]
    layout = layout_for(fmt, "en-US")
    with pytest.raises(ValueError, match="scene is"):
        compose_banner(
            Image.new("RGB", (100, 100)),
            layout,
            banner_copy("en-US"),
            BRAND,
            locale_info("en-US"),
            min_text_px=24,
            logo=LOGO,
        )
    with pytest.raises(ValueError, match="does not match locale"):
        compose_banner(
            scene_for(layout), layout, banner_copy("ar-AE"), BRAND, locale_info("ar-AE"), min_text_px=24, logo=LOGO
        )
    with pytest.raises(InputError, match="headline is required"):
        BannerCopy(headline=" ", cta="Shop", price="$1")


# --------------------------------------------------------------------------- rhythm, alignment, priority

STACKED = ["square", "portrait", "story", "hero", "landscape"]


@pytest.mark.parametrize("fid", STACKED)
@pytest.mark.parametrize("code", ["en-US", "de-DE", "ar-AE"])
def test_headline_and_subline_ink_are_one_rhythm_unit_apart(fid, code):
    """The gap comes from the type scale (0.8 x the subline size), not from fixed pixels: the same
    share in every format and locale."""
    fmt = BRAND.format_by_id[fid]
    layout, _, banner = compose(fmt, code, banner_copy(code) if code != "de-DE" else german_copy())
    head, sub = banner.block("headline"), banner.block("subline")
    rhythm = type_scale(layout.family, layout.canvas, fmt.min_text_px).rhythm
    assert sub.box[1] - head.box[3] == rhythm
    assert rhythm == round(0.8 * type_scale(layout.family, layout.canvas, fmt.min_text_px).subline)


def german_copy():
    locale = locale_info("de-DE")
    return BannerCopy(
        headline="Winterlieblinge zum kleinen Preis",
        subline="Alltagsbegleiter für die gemütliche Jahreszeit",
        cta="Jetzt entdecken",
        price=format_price(Decimal("7.99"), "EUR", locale),
        prior_price=format_price(Decimal("9.99"), "EUR", locale),
        discount_label=format_percent_off(20, locale),
        legal="Preise inkl. MwSt., zzgl. Versand. Angebot bis 24.12.2026.",
    )


@pytest.mark.parametrize("fid", ["hero", "landscape"])
@pytest.mark.parametrize("code", ["en-US", "ar-AE"])
def test_a_wide_banner_puts_the_cta_right_after_the_price(fid, code):
    """The hero's CTA used to float at the end of the copy column, aligned with nothing: it now
    follows the price block two rhythm units after its ink, centred on the price figure (or as
    low as its row allows)."""
    fmt = BRAND.format_by_id[fid]
    layout, _, banner = compose(fmt, code)
    rhythm = type_scale(layout.family, layout.canvas, fmt.min_text_px).rhythm
    cta_plate = _plate_of(banner, "cta")
    price_ink = [banner.block(r).box for r in ("price", "prior_price", "discount")]
    price_plate = _plate_of(banner, "discount")
    if code == "en-US":
        assert cta_plate[0] - max(b[2] for b in [*price_ink, price_plate]) == 2 * rhythm
    else:
        assert min(b[0] for b in [*price_ink, price_plate]) - cta_plate[2] == 2 * rhythm
    figure = banner.block("price").box
    centred = abs((cta_plate[1] + cta_plate[3]) / 2 - (figure[1] + figure[3]) / 2) <= 1
    assert centred or cta_plate[3] == layout.cta[3]  # else as low as the row allows
    assert cta_plate[1] <= figure[1] and cta_plate[3] >= figure[3] - 2  # the figure's height is within the button's
    assert not overlaps(cta_plate, layout.product)


def _plate_of(banner, role):
    """The plate behind a block: the overlay pixels connected to its label, as a box."""
    block = banner.block(role)
    x0, y0, x1, y1 = block.box
    rows = np.flatnonzero(banner.overlay_mask[:, (x0 + x1) // 2])
    cols = np.flatnonzero(banner.overlay_mask[(y0 + y1) // 2])
    top = bottom = (y0 + y1) // 2
    while top - 1 in rows:
        top -= 1
    while bottom + 1 in rows:
        bottom += 1
    left = right = (x0 + x1) // 2
    while left - 1 in cols:
        left -= 1
    while right + 1 in cols:
        right += 1
    return left, top, right + 1, bottom + 1


@pytest.mark.parametrize("code", ["en-US", "ar-AE"])
def test_the_leaderboard_keeps_logo_and_product_full_height_and_the_price_next_to_the_cta(code):
    fmt = BRAND.format_by_id["leaderboard"]
    layout, _, banner = compose(fmt, code)
    assert banner.problems == ()
    sz = fmt.safe_zone
    assert layout.product[1] == sz.top and layout.product[3] == fmt.height - sz.bottom
    logo = layout.logo
    assert abs((logo[1] + logo[3]) - fmt.height) <= 1  # centred in height
    legal = banner.block("legal").box
    assert not overlaps((layout.product[0], legal[1], layout.product[2], legal[3]), legal)  # not under the product
    rhythm = type_scale(layout.family, layout.canvas, fmt.min_text_px).rhythm
    cta = layout.cta
    price_ink = [banner.block(r).box for r in ("price", "prior_price")]
    if code == "en-US":
        assert cta[0] - max(b[2] for b in price_ink) <= rhythm + 2
    else:
        assert min(b[0] for b in price_ink) - cta[2] <= rhythm + 2


def test_a_block_the_layout_drops_is_not_drawn_and_is_no_problem():
    """A square 1:1 logo at 100 px leaves a medium rectangle no room for a headline: its family's
    drop_order leaves the headline out; the banner carries price, CTA, logo and legal line."""
    fmt = BRAND.format_by_id["medium-rectangle"]
    logo = make_logo(1.0, "mark")
    brand = BRAND.model_copy(update={"logo": BRAND.logo.model_copy(update={"min_width_px": 100})})
    loc = locale_info("en-US")
    layout = plan_layout(fmt, loc, logo_aspect=1.0, logo_min_width=100, clear_space=0.25)
    assert "headline" in layout.omits
    banner = compose_banner(
        scene_for(layout), layout, banner_copy("en-US"), brand, loc, min_text_px=fmt.min_text_px, logo=logo
    )
    assert banner.problems == ()
    assert {b.role for b in banner.blocks} == {"price", "prior_price", "discount", "cta", "legal"}
    assert banner.logo_box == layout.logo and banner.logo_box[2] - banner.logo_box[0] == 100


def test_a_logo_box_of_another_aspect_is_refused():
    fmt = BRAND.format_by_id["square"]
    layout = layout_for(fmt, "en-US")
    with pytest.raises(ValueError, match="not the logo's aspect"):
        compose_banner(
            scene_for(layout),
            layout,
            banner_copy("en-US"),
            BRAND,
            locale_info("en-US"),
            min_text_px=24,
            logo=make_logo(1.0, "mark"),
        )

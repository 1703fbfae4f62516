"""Banners: every block drawn in brand colours, in its box, and never over the product."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.banner.compose import BannerCopy, compose_banner, contrast_of
from pipeline.banner.layout import inside, overlaps, plan_layout
from pipeline.banner.money import format_percent_off, format_price
from pipeline.errors import InputError
from pipeline.model.brand import hex_to_rgb, load_brand
from pipeline.model.locales import locale_info

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
    assert inside(banner.logo_box, layout.logo)
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

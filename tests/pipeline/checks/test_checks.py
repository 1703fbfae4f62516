from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.checks.copy import check_copy, check_price_reduction
from pipeline.checks.results import Verdict, worst
from pipeline.checks.text import check_text_contrast
from pipeline.model.brand import load_brand
from pipeline.model.catalog import CatalogItem, PricePoint
from pipeline.model.locales import locale_info
from tests.helpers import DEMO_BRAND

BRAND = load_brand(DEMO_BRAND)
DEC1 = date(2026, 12, 1)


def _legal(code: str) -> str:
    return BRAND.tone.disclaimers[code]


def _copy(headline: str, code: str = "en-US", sku: str | None = None):
    return check_copy(
        {"headline": headline, "cta": "Shop now", "legal": _legal(code)},
        locale_info(code),
        BRAND,
        sku=sku,
        on=DEC1,
        campaign_ends=date(2026, 12, 24),
    )


def test_clean_copy_passes():
    assert worst(_copy("Winter essentials, warmly priced")) is Verdict.PASSED


def test_banned_words_block_through_case_and_unicode_tricks():
    found = _copy("The CHEAPEST\u00a0lamp")
    assert worst(found) is Verdict.BLOCKED
    assert any(r.check == "copy.tone" and "cheapest" in r.message.lower() for r in found)
    assert worst(_copy("Ein Wunder an Licht", "de-DE")) is Verdict.BLOCKED


def test_missing_disclaimer_blocks():
    res = check_copy({"headline": "Hello", "legal": ""}, locale_info("de-DE"), BRAND, sku=None, on=DEC1)
    assert any(r.code == "disclaimer.missing" for r in res)


def test_claims_need_the_library_for_that_market_and_sku():
    # eco claim: nothing in the library
    assert any(
        r.check == "copy.claims.environmental" and r.verdict is Verdict.BLOCKED for r in _copy("Eco-friendly light")
    )
    # performance claim backed for the bulb in the US ...
    assert worst(_copy("Lasts 15,000 hours", sku="B074M5HPBD")) is Verdict.PASSED
    # health claim registered for DE/FR only, and only in its approved wording
    assert any(
        r.check == "copy.claims.health" and r.verdict is Verdict.BLOCKED
        for r in _copy("Boosts immunity", sku="B07GTFSCHB")
    )


def test_innocent_uses_of_free_do_not_fire():
    assert worst(_copy("Free your evenings")) is Verdict.PASSED
    assert worst(_copy("Free shipping")) is Verdict.BLOCKED


def _item(history: list[tuple[str, str]], price: str = "7.99") -> CatalogItem:
    return CatalogItem(
        "S",
        "DE",
        "t",
        Decimal(price),
        "EUR",
        5,
        (),
        tuple(PricePoint(date.fromisoformat(d), Decimal(p)) for d, p in history),
    )


def test_reduction_checked_against_lowest_30_day_price():
    ok, prior = check_price_reduction(_item([("2026-09-01", "9.99")]), 20, DEC1)
    assert ok.verdict is Verdict.PASSED and prior == Decimal("9.99")
    dip = _item([("2026-09-01", "9.99"), ("2026-11-15", "8.49"), ("2026-11-22", "9.99")])
    over, prior = check_price_reduction(dip, 20, DEC1)
    assert over.verdict is Verdict.BLOCKED and over.code == "price.reduction_overstated" and prior == Decimal("8.49")
    none, prior = check_price_reduction(_item([("2026-11-20", "9.99")]), 20, DEC1)
    assert none.code == "price.no_history" and prior is None
    # nothing announced: nothing to verify, which is not a pass
    unannounced, prior = check_price_reduction(_item([("2026-11-20", "9.99")]), None, DEC1)
    assert (unannounced.verdict, unannounced.code, prior) == (Verdict.NOT_APPLICABLE, "price.no_reduction", None)


def _text_block(bg: tuple[int, int, int], fg: str):
    img = Image.new("RGB", (300, 80), bg)
    mask_img = Image.new("L", img.size, 0)
    font = ImageFont.truetype(str(DEMO_BRAND / "fonts" / "NotoSans-Regular.ttf"), 20)
    ImageDraw.Draw(mask_img).text((10, 20), "Shop the season", font=font, fill=255)
    rgb = tuple(int(fg[i : i + 2], 16) for i in (1, 3, 5))
    img.paste(rgb, (0, 0), mask_img)
    mask = np.asarray(mask_img) > 0
    ys, xs = np.nonzero(mask)
    block = SimpleNamespace(
        role="headline", box=(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1), glyph_mask=mask, color=fg, large=False
    )
    return img, block


def test_contrast_passes_dark_on_light_and_blocks_grey_on_grey():
    img, block = _text_block((244, 241, 234), "#1B1B1B")
    assert check_text_contrast(img, [block], BRAND)[0].verdict is Verdict.PASSED
    img, block = _text_block((150, 150, 150), "#A0A0A0")
    res = check_text_contrast(img, [block], BRAND)[0]
    assert res.verdict is Verdict.BLOCKED and res.code == "contrast.too_low" and res.score < 1.5


def _packshot() -> Image.Image:
    """A product-like RGBA cut-out with structure (label stripes) and colour."""
    rng = np.random.default_rng(3)
    arr = np.zeros((400, 240, 4), np.uint8)
    arr[..., 0], arr[..., 1], arr[..., 2], arr[..., 3] = 40, 120, 200, 255
    for y in range(60, 340, 40):
        arr[y : y + 14, 30:210, :3] = (240, 230, 40)
    arr[..., :3] = np.clip(arr[..., :3].astype(int) + rng.integers(-6, 7, arr[..., :3].shape), 0, 255)
    return Image.fromarray(arr, "RGBA")


def test_product_fidelity_passes_a_faithful_resize_and_blocks_shifts_and_stretches():
    from pipeline.checks.product import check_product_fidelity

    cutout = _packshot()
    layer = cutout.resize((150, 250), Image.Resampling.LANCZOS)
    ok = check_product_fidelity(layer, cutout, min_ssim=0.9, max_delta_e=2.0)
    assert ok.verdict is Verdict.PASSED, ok.message

    tinted = Image.fromarray(np.clip(np.asarray(layer).astype(int) + (25, 0, -25, 0), 0, 255).astype(np.uint8), "RGBA")
    shifted = check_product_fidelity(tinted, cutout, min_ssim=0.9, max_delta_e=2.0)
    assert shifted.verdict is Verdict.BLOCKED and shifted.code == "product.colour_or_structure_changed"
    assert "ΔE2000" in shifted.message

    stretched = check_product_fidelity(cutout.resize((200, 250)), cutout, min_ssim=0.9, max_delta_e=2.0)
    assert stretched.verdict is Verdict.BLOCKED and stretched.code == "product.distorted"

    flipped = check_product_fidelity(
        layer.transpose(Image.Transpose.FLIP_TOP_BOTTOM), cutout, min_ssim=0.9, max_delta_e=2.0
    )
    assert flipped.verdict is Verdict.BLOCKED

"""One digit system per banner (issue 15): an ar-AE banner with a Western price and an
Arabic-Indic legal line is flagged, naming the block, its text and both systems; a consistent one
passes; the brand's `numbering` choice is honoured, and Vitrina's own figures follow it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PIL import Image

from pipeline.banner.compose import BannerCopy, ComposedBanner, compose_banner
from pipeline.banner.layout import plan_layout
from pipeline.banner.messages import render_message
from pipeline.banner.money import format_percent_off, format_price
from pipeline.checks.digits import check_digit_system
from pipeline.checks.registry import CHECKS, spec_for
from pipeline.checks.results import Verdict
from pipeline.model.brand import BrandGuide, hex_to_rgb, load_brand
from pipeline.model.locales import locale_info
from tests.helpers import DEMO_BRAND

HALDEN = load_brand(DEMO_BRAND)
with Image.open(HALDEN.logo_path) as _logo:
    LOGO = _logo.convert("RGBA")
FMT = HALDEN.format_by_id["landscape"]

# Each locale's copy, with a stock count Vitrina formats ({stock}) and the currency of its market.
COPY = {
    "ar-AE": ("أساسيات الشتاء: بقي {stock} فقط", "تسوّق الآن", "AED", "العرض حتى ٢٤ ديسمبر ٢٠٢٦."),
    "hi-IN": ("सर्दियों की ज़रूरतें, केवल {stock} बचे", "अभी खरीदें", "INR", "ऑफ़र 24 दिसंबर 2026 तक।"),
    "en-US": ("Winter essentials, only {stock} left", "Shop now", "USD", "Offer ends Dec 24, 2026."),
}


def _banner(code: str, brand: BrandGuide = HALDEN, **changes: str) -> ComposedBanner:
    """A real banner of the demo brand, its figures formatted by Vitrina in the brand's digits."""
    locale = locale_info(code)
    numbering = brand.numbering.get(code)
    headline, cta, currency, legal = COPY[code]
    copy = BannerCopy(
        headline=render_message(headline, {"stock": 12}, locale, numbering),
        cta=cta,
        price=format_price(Decimal("1249.50"), currency, locale, numbering),
        prior_price=format_price(Decimal("1499.00"), currency, locale, numbering),
        discount_label=format_percent_off(17, locale, numbering),
        legal=legal,
    )
    copy = BannerCopy(**{**copy.__dict__, **changes})
    layout = plan_layout(
        FMT,
        locale,
        logo_aspect=LOGO.width / LOGO.height,
        logo_min_width=brand.logo.min_width_px,
        clear_space=brand.logo.clear_space,
    )
    scene = Image.new("RGB", FMT.size, hex_to_rgb(brand.palette.background))
    return compose_banner(scene, layout, copy, brand, locale, min_text_px=FMT.min_text_px, logo=LOGO)


def _choosing(numbering: dict[str, str]) -> BrandGuide:
    return BrandGuide.model_validate({**HALDEN.model_dump(), "numbering": numbering, "root": HALDEN.root})


def test_a_western_price_beside_an_arabic_indic_legal_line_is_flagged_in_plain_words():
    banner = _banner("ar-AE")  # the demo brand's ar-AE disclaimer writes ٢٤ ديسمبر ٢٠٢٦
    found = check_digit_system(banner.blocks, locale_info("ar-AE"), HALDEN)
    flagged = [(r.check, r.verdict, r.code) for r in found]
    assert flagged == [("text.digits.legal", Verdict.NEEDS_REVIEW, "digits.mixed")]
    message = found[0].message
    assert message.startswith('legal line "العرض حتى ٢٤ ديسمبر ٢٠٢٦." writes ٢٤, ٢٠٢٦ in Arabic-Indic digits (٠-٩)')
    assert "this banner's digits are Western digits (0-9) (ar-AE's default)" in message
    assert "numbering: {ar-AE: arab}" in message
    assert found[0].box == banner.block("legal").box


def test_the_brands_arabic_indic_choice_is_honoured_by_vitrinas_own_figures():
    arab = _choosing({"ar-AE": "arab"})
    banner = _banner("ar-AE", arab)
    assert "١٬٢٤٩٫٥٠" in banner.block("price").text and "١٢" in banner.block("headline").text
    found = check_digit_system(banner.blocks, locale_info("ar-AE"), arab)
    assert [(r.check, r.verdict) for r in found] == [("text.digits", Verdict.PASSED)]
    assert "Arabic-Indic digits (٠-٩) (the brand's numbering for ar-AE)" in found[0].message
    # now the Western digits typed into a legal line are the odd ones out
    western = _banner("ar-AE", arab, legal="العرض حتى 24 ديسمبر 2026.")
    (result,) = check_digit_system(western.blocks, locale_info("ar-AE"), arab)
    assert result.check == "text.digits.legal" and "writes 24, 2026 in Western digits (0-9)" in result.message


@pytest.mark.parametrize("numbering", [None, "deva"])
def test_hindi_banners_pass_in_either_of_their_systems_and_a_stray_digit_is_flagged(numbering: str | None):
    brand = _choosing({"hi-IN": numbering}) if numbering else HALDEN
    legal = "ऑफ़र २४ दिसंबर २०२६ तक।" if numbering else COPY["hi-IN"][3]
    banner = _banner("hi-IN", brand, legal=legal)
    assert [r.verdict for r in check_digit_system(banner.blocks, locale_info("hi-IN"), brand)] == [Verdict.PASSED]
    stray = _banner("hi-IN", brand, legal=legal, cta="अभी खरीदें २०%" if not numbering else "अभी खरीदें 20%")
    (result,) = check_digit_system(stray.blocks, locale_info("hi-IN"), brand)
    assert result.check == "text.digits.cta" and result.message.startswith('button "अभी खरीदें')


def test_an_english_banner_in_western_digits_passes_and_fullwidth_digits_do_not():
    banner = _banner("en-US")
    found = check_digit_system(banner.blocks, locale_info("en-US"), HALDEN)
    assert [(r.verdict, r.message) for r in found] == [
        (Verdict.PASSED, "every digit is in Western digits (0-9) (en-US's default)")
    ]
    wide = _banner("en-US", legal="Offer ends Dec 24, ２０２６.")
    (result,) = check_digit_system(wide.blocks, locale_info("en-US"), HALDEN)
    assert "writes ２０２６ in fullwidth digits" in result.message and "numbering:" not in result.message


def test_a_banner_without_digits_has_nothing_to_check():
    headline = [b for b in _banner("en-US", headline="Winter essentials").blocks if b.role == "headline"]
    (result,) = check_digit_system(headline, locale_info("en-US"), HALDEN)
    assert result.verdict is Verdict.NOT_APPLICABLE and "no digits" in result.message


def test_the_check_is_in_the_checks_table_and_a_brand_may_turn_it_off():
    assert spec_for("text.digits.legal") is CHECKS["text.digits"]
    assert CHECKS["text.digits"].category == "text" and not CHECKS["text.digits"].mandatory
    off = BrandGuide.model_validate({**HALDEN.model_dump(), "checks": {"disabled": ["text.digits"]}, "root": "."})
    assert not off.checks.runs("text.digits")


def test_persian_is_not_a_shipped_locale_so_a_brand_cannot_choose_its_digits():
    with pytest.raises(ValueError, match="fa-IR"):
        _choosing({"fa-IR": "arabext"})
    assert _choosing({}).numbering == {}

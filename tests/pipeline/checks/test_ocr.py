"""Rendered text is read back: glyph coverage via HarfBuzz, an OCR round trip via real Tesseract."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.banner.compose import TextBlock
from pipeline.banner.text import FontStack, fit_text
from pipeline.checks.figures import figures_only
from pipeline.checks.ocr import (
    NUMERIC_TRIES,
    TextReader,
    cer,
    comparable,
    missing_glyphs,
    numeric_part,
)
from pipeline.checks.results import Verdict, build_report, worst
from pipeline.checks.text import check_glyph_coverage, check_text_ocr
from pipeline.model.brand import load_brand
from pipeline.model.locales import locale_info

BRAND = load_brand(Path(__file__).resolve().parents[3] / "brand_guides" / "halden")
HEAD = FontStack.for_brand(BRAND, "headline")
BODY = FontStack.for_brand(BRAND, "body")
NBSP = "\xa0"
AED = "\u200f{}\xa0د.إ.\u200f"  # Babel's ar-AE price pattern
LATIN_ONLY = FontStack([HEAD.fonts[0]])

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


def block(
    role: str,
    text: str,
    drawn: str | None = None,
    code: str = "en-US",
    *,
    colour: str = "#1F2A30",
    plate: str | None = None,
    size: int | None = None,
    stack: FontStack = HEAD,
) -> TextBlock:
    """A text block that says `text` but whose pixels were drawn from `drawn` (default: the same),
    at `size` px when given (else the largest of 24-56 px that fits)."""
    hi, lo = (size, size) if size else (56, 24)
    fit = fit_text(drawn or text, stack, 1000, 200, max_px=hi, min_px=lo, locale=locale_info(code), max_lines=2)
    assert fit is not None
    return TextBlock(
        role, text, (0, 0, fit.width, fit.height), fit.size_px, colour, plate, True, np.zeros((4, 4), bool), fit
    )


def test_cer_and_comparable_ignore_spacing_bidi_marks_and_case():
    assert cer("Winter essentials", "winter\nessentials") == 0
    assert comparable("\u200f1,234.50\xa0د.إ.\u200f") == "1,234.50د.إ."
    assert cer("abcd", "abXd") == 0.25
    assert cer("abc", "") == 1


def test_numeric_part_keeps_figures_signs_and_currency_only():
    assert numeric_part("1\u202f234,50\xa0€") == "1234,50€"
    assert numeric_part("\u200f1,234.50\xa0د.إ.\u200f") == "1,234.50"
    assert numeric_part("-20\xa0%") == "-20%"
    assert numeric_part("￥980") == "¥980"


def test_missing_glyphs_names_the_character_the_font_lacks():
    assert missing_glyphs("Winter essentials", HEAD) == []
    assert missing_glyphs("Winter 冬", LATIN_ONLY) == ["冬"]


def test_glyph_coverage_blocks_a_notdef_and_passes_covered_text():
    good = block("headline", "Winter essentials")
    assert worst(check_glyph_coverage([good])) is Verdict.PASSED
    bad = dataclasses.replace(good, fit=dataclasses.replace(good.fit, lines=("Winter 冬",), stack=LATIN_ONLY))
    results = check_glyph_coverage([bad])
    assert results[0].verdict is Verdict.BLOCKED and "U+51AC" in results[0].message


def test_missing_tesseract_is_one_clear_review_reason_not_a_crash():
    reader = TextReader(tesseract_cmd="/nonexistent/tesseract")
    results = check_text_ocr([block("headline", "Winter essentials")], locale_info("en-US"), reader)
    assert [(r.verdict, r.code) for r in results] == [(Verdict.NEEDS_REVIEW, "ocr.unavailable")]
    assert "tesseract" in results[0].message


@needs_tesseract
def test_ocr_round_trip_passes_what_was_drawn_and_flags_what_was_not():
    reader = TextReader()
    en = locale_info("en-US")
    ok = check_text_ocr(
        [
            block("headline", "Winter essentials, warmly priced"),
            block("price", "$24.99"),
            block("cta", "Shop now", colour="#FFFFFF", plate="#2F5D50"),
        ],
        en,
        reader,
    )
    assert worst(ok) is Verdict.PASSED, [r.message for r in ok]
    wrong = check_text_ocr(
        [block("headline", "Winter essentials", drawn="Winter esentals"), block("price", "$24.99", drawn="$21.99")],
        en,
        reader,
    )
    assert {r.code for r in wrong} == {"ocr.mismatch", "ocr.numbers_mismatch"}
    assert all(r.verdict is Verdict.NEEDS_REVIEW for r in wrong)


@needs_tesseract
def test_ocr_reads_each_unique_block_once():
    reader = TextReader()
    b = block("headline", "Winter essentials")
    check_text_ocr([b], locale_info("en-US"), reader)
    calls = reader.calls
    check_text_ocr([b, block("headline", "Winter essentials")], locale_info("en-US"), reader)
    assert reader.calls == calls and reader.hits == 2
    check_text_ocr(
        [block("headline", "Winter essentials", colour="#FFFFFF", plate="#2F5D50")], locale_info("en-US"), reader
    )
    assert reader.calls == calls + 1  # other colours: another reading


@needs_tesseract
def test_arabic_full_text_is_not_verifiable_but_its_figures_are():
    """Tesseract misreads correct Arabic (the demo's cta loses its shadda), so Arabic full text is
    reported not applicable, whatever was drawn; the price is read digit for digit and can fail."""
    reader = TextReader()
    ar = locale_info("ar-AE")
    calls = reader.calls
    good = check_text_ocr(
        [block("headline", "أساسيات الشتاء", code="ar-AE"), block("price", AED.format("31.20"), code="ar-AE")],
        ar,
        reader,
    )
    assert [(r.check, r.verdict, r.code) for r in good] == [
        ("text.ocr", Verdict.PASSED, "ocr.ok"),
        ("text.ocr", Verdict.NOT_APPLICABLE, "ocr.not_verifiable"),
    ]
    assert "headline" in good[1].message and "price" in good[0].message
    assert reader.calls - calls == 1  # the price's figures only: no full-text read of Arabic at all
    # a misrendered headline is not caught by OCR (glyph coverage is text.glyphs' job) ...
    misrendered = check_text_ocr([block("headline", "أساسيات الشتاء", drawn="أساسيات", code="ar-AE")], ar, reader)
    assert [(r.verdict, r.code) for r in misrendered] == [(Verdict.NOT_APPLICABLE, "ocr.not_verifiable")]
    report = build_report(misrendered).to_dict()
    assert report["rules"]["applicable"] == 0 and report["rules"]["not_applicable_rules"] == ["text.ocr"]
    # ... a wrongly drawn price is
    wrong = check_text_ocr([block("price", AED.format("31.20"), drawn=AED.format("31.50"), code="ar-AE")], ar, reader)
    assert [(r.verdict, r.code) for r in wrong] == [(Verdict.NEEDS_REVIEW, "ocr.numbers_mismatch")]
    assert "31.50" in wrong[0].message


def test_arabic_figures_need_only_the_english_model():
    reader = TextReader()
    reader._langs, reader._missing = frozenset({"eng"}), None  # Tesseract with English data only
    ar, en = locale_info("ar-AE"), locale_info("en-US")
    assert reader.unavailable_reason(ar, numeric_only=True) is None
    assert "'ara'" in (reader.unavailable_reason(ar) or "")
    assert reader.unavailable_reason(en) is None
    with pytest.raises(ValueError, match="numeric"):
        reader.read(block("headline", "Winter").fit, "#1F2A30", None, full_text=False)


def test_no_text_blocks_is_not_applicable_not_a_pass():
    reader = TextReader()
    reader._langs, reader._missing = frozenset({"eng"}), None  # a working Tesseract that is never called
    (res,) = check_text_ocr([], locale_info("en-US"), reader)
    assert (res.verdict, res.code) == (Verdict.NOT_APPLICABLE, "ocr.no_text") and reader.calls == 0
    assert [(r.verdict, r.code) for r in check_glyph_coverage([])] == [(Verdict.NOT_APPLICABLE, "glyphs.no_text")]


def test_numeric_pass_draws_figures_without_the_letters_of_a_currency_abbreviation():
    assert figures_only(AED.format("31.20")) == "\u200f31.20\xa0    \u200f"
    assert figures_only(f"1.234,50{NBSP}€") == f"1.234,50{NBSP}€"
    assert figures_only("CHF 12.50") == "    12.50"


# Sizes of the figures on display formats: medium rectangle 300x250 draws the price at 22 px and
# the prior price and badge at 11 px (min_text_px 10); 22 px is where "26,39 €" read as "26,59€".
SMALL_SIZES = (10, 11, 14, 22)
PRICES = [
    ("price", f"26,39{NBSP}€", "de-DE", "#E07A5F"),
    ("price", f"9,99{NBSP}€", "fr-FR", "#1B1B1B"),
    ("price", "$27.99", "en-US", "#FFFFFF"),
    ("price", "￥1,480", "ja-JP", "#1B1B1B"),
    ("prior_price", f"7,99{NBSP}€", "de-DE", "#1B1B1B"),
    ("price", AED.format("103.20"), "ar-AE", "#1B1B1B"),
]


@needs_tesseract
@pytest.mark.parametrize("size", SMALL_SIZES)
def test_small_prices_read_back_exactly(size):
    reader = TextReader()
    for role, text, code, colour in PRICES:
        stack = BODY if role == "prior_price" else HEAD
        b = block(role, text, code=code, colour=colour, size=size, stack=stack)
        results = check_text_ocr([b], locale_info(code), reader)
        assert [r.code for r in results] == ["ocr.ok"], (size, text, [r.message for r in results])


@needs_tesseract
@pytest.mark.parametrize("size", SMALL_SIZES)
def test_wrongly_drawn_figures_are_flagged_at_small_sizes_despite_several_tries(size):
    """Accepting the first of several reads that matches must not let a wrong price through: each
    try reads the same wrong glyphs, so none yields the expected figures."""
    reader = TextReader()
    cases = [
        (f"26,39{NBSP}€", f"26,59{NBSP}€", "de-DE", "#E07A5F"),  # the demo's price, one digit off
        ("$27.99", "$21.99", "en-US", "#1B1B1B"),
        (f"9,99{NBSP}€", f"9,90{NBSP}€", "fr-FR", "#1B1B1B"),
        ("￥1,480", "￥1,430", "ja-JP", "#1B1B1B"),
        (f"7,99{NBSP}€", f"79,9{NBSP}€", "de-DE", "#1B1B1B"),
    ]
    for expected, drawn, code, colour in cases:
        b = block("price", expected, drawn=drawn, code=code, colour=colour, size=size)
        results = check_text_ocr([b], locale_info(code), reader)
        assert [(r.verdict, r.code) for r in results] == [(Verdict.NEEDS_REVIEW, "ocr.numbers_mismatch")], (
            size,
            drawn,
            [r.message for r in results],
        )
        calls = reader.calls
        reading = reader.read(b.fit, b.color, b.background, numeric=b.text, full_text=False)
        assert reader.calls == calls  # the check's own reading, from the cache
        assert len(reading.numeric_reads) == len(NUMERIC_TRIES)  # every try made, none matched
    # Arabic: the letters are left out of the numeric drawing, the figures are held to as in any script
    ar = block("price", AED.format("103.20"), drawn=AED.format("103.50"), code="ar-AE", size=size)
    results = check_text_ocr([ar], locale_info("ar-AE"), reader)
    assert [(r.verdict, r.code) for r in results] == [(Verdict.NEEDS_REVIEW, "ocr.numbers_mismatch")]
    assert "103.50" in results[0].message


@needs_tesseract
def test_a_headline_hyphenated_by_the_layout_reads_back_as_the_copy():
    de = locale_info("de-DE")
    word = "Wanderausrüstungsschnäppchenwochen"
    fit = fit_text(word, HEAD, 260, 200, max_px=40, min_px=28, locale=de, max_lines=3)
    assert fit is not None and len(fit.lines) > 1 and fit.lines[0].endswith("\u2010"), fit.lines
    drawn = TextBlock("headline", word, (0, 0, fit.width, fit.height), fit.size_px, "#1F2A30", None, True,
                      np.zeros((4, 4), bool), fit)  # fmt: skip
    assert [r.code for r in check_text_ocr([drawn], de, TextReader())] == ["ocr.ok"]
    # closing up the break hyphens never hides a misrendered word
    wrong = dataclasses.replace(drawn, text="Wanderausrüstungsschnäppchentage")
    assert [r.code for r in check_text_ocr([wrong], de, TextReader())] == ["ocr.mismatch"]

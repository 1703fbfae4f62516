"""Rendered text is read back: glyph coverage via HarfBuzz, an OCR round trip via real Tesseract."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.brand import load_brand
from pipeline.checks import Verdict, check_glyph_coverage, check_text_ocr, worst
from pipeline.compose import TextBlock
from pipeline.locales import locale_info
from pipeline.ocr import TextReader, cer, comparable, missing_glyphs, numeric_part
from pipeline.text import FontStack, fit_text

BRAND = load_brand(Path(__file__).resolve().parents[2] / "brand_guides" / "halden")
HEAD = FontStack.for_brand(BRAND, "headline")
LATIN_ONLY = FontStack([HEAD.fonts[0]])

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


def block(role: str, text: str, drawn: str | None = None, code: str = "en-US", *, colour: str = "#1F2A30",
          plate: str | None = None) -> TextBlock:
    """A text block that says `text` but whose pixels were drawn from `drawn` (default: the same)."""
    fit = fit_text(drawn or text, HEAD, 1000, 200, max_px=56, min_px=24, locale=locale_info(code), max_lines=2)
    assert fit is not None
    return TextBlock(role, text, (0, 0, fit.width, fit.height), fit.size_px, colour, plate, True,
                     np.zeros((4, 4), bool), fit)


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
    ok = check_text_ocr([block("headline", "Winter essentials, warmly priced"),
                         block("price", "$24.99"), block("cta", "Shop now", colour="#FFFFFF", plate="#2F5D50")],
                        en, reader)
    assert worst(ok) is Verdict.PASSED, [r.message for r in ok]
    wrong = check_text_ocr([block("headline", "Winter essentials", drawn="Winter esentals"),
                            block("price", "$24.99", drawn="$21.99")], en, reader)
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
    check_text_ocr([block("headline", "Winter essentials", colour="#FFFFFF", plate="#2F5D50")],
                   locale_info("en-US"), reader)
    assert reader.calls == calls + 1  # other colours: another reading


@needs_tesseract
def test_arabic_ocr_is_advisory_never_blocking():
    reader = TextReader()
    ar = locale_info("ar-AE")
    results = check_text_ocr([block("headline", "أساسيات الشتاء", drawn="أساسيات", code="ar-AE")], ar, reader)
    # a real misrender is reported as advice, but does not hold the Arabic variant back
    assert worst(results) is Verdict.PASSED
    assert any(r.code == "ocr.advisory" and r.message.startswith("advisory:") for r in results)

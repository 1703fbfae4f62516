"""Figures drawn in a brand's native digits (issue 15 item 5): Devanagari prices and badges are read
back and compared by value, a wrong digit is still flagged; Arabic-Indic ones, which Tesseract
cannot read, are reported as not verified, never passed and never a false alarm. Real Tesseract,
real fonts."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest

from pipeline.banner.money import format_percent_off, format_price
from pipeline.checks.ocr import TextReader
from pipeline.checks.results import Verdict, build_report
from pipeline.checks.text import check_text_ocr
from pipeline.model.locales import locale_info
from tests.pipeline.checks.test_ocr import BODY, block


def _models() -> str:
    if shutil.which("tesseract") is None:
        return ""
    return subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
needs_devanagari = pytest.mark.skipif(
    "Devanagari" not in _models().split(), reason="Tesseract's Devanagari script model is not installed"
)
AR, HI = locale_info("ar-AE"), locale_info("hi-IN")
DEVA_FIGURES = [
    ("price", format_price(Decimal("129.90"), "INR", HI, "deva")),  # ₹१२९.९०
    ("prior_price", format_price(Decimal("1299.00"), "INR", HI, "deva")),  # ₹१,२९९.००
    ("discount", format_percent_off(20, HI, "deva")),  # -२०%
]


def _wrong(text: str) -> str:
    """`text` with its last digit one more (mod 10), in the same digit system."""
    i = max(i for i, ch in enumerate(text) if ch.isdigit())
    zero = ord(text[i]) - int(text[i])
    return text[:i] + chr(zero + (int(text[i]) + 1) % 10) + text[i + 1 :]


@needs_devanagari
@pytest.mark.parametrize("size", (11, 14, 24))
def test_devanagari_figures_read_back_and_a_wrong_digit_is_flagged(size: int):
    reader = TextReader()
    for role, text in DEVA_FIGURES:
        stack = {"stack": BODY} if role == "prior_price" else {}
        ok = check_text_ocr([block(role, text, code="hi-IN", size=size, **stack)], HI, reader)
        assert [(r.verdict, r.code) for r in ok] == [(Verdict.PASSED, "ocr.ok")], (text, [r.message for r in ok])
        drawn = _wrong(text)
        bad = check_text_ocr([block(role, text, drawn, code="hi-IN", size=size, **stack)], HI, reader)
        assert [(r.verdict, r.code) for r in bad] == [(Verdict.NEEDS_REVIEW, "ocr.numbers_mismatch")], drawn
        assert text.lstrip("₹") in bad[0].message  # the expected figures, in the digits drawn


@needs_devanagari
def test_figures_compare_by_value_across_digit_systems():
    reader = TextReader()
    western = format_price(Decimal("129.90"), "INR", HI)  # ₹129.90 said, ₹१२९.९० drawn: the same price
    drawn = format_price(Decimal("129.90"), "INR", HI, "deva")
    assert [r.code for r in check_text_ocr([block("price", western, drawn, code="hi-IN")], HI, reader)] == ["ocr.ok"]
    wrong = format_price(Decimal("129.50"), "INR", HI, "deva")
    results = check_text_ocr([block("price", western, wrong, code="hi-IN")], HI, reader)
    assert [r.code for r in results] == ["ocr.numbers_mismatch"]


def test_without_the_devanagari_model_its_figures_ask_for_review_naming_the_package():
    reader = TextReader()
    reader._langs, reader._missing = frozenset({"eng", "hin"}), None  # the base install: no script model
    results = check_text_ocr([block("price", DEVA_FIGURES[0][1], code="hi-IN")], HI, reader)
    assert [(r.verdict, r.code) for r in results] == [(Verdict.NEEDS_REVIEW, "ocr.unavailable")]
    assert "tesseract-ocr-script-deva" in results[0].message and reader.calls == 0


@needs_tesseract
def test_arabic_indic_figures_are_one_not_verified_result_whatever_was_drawn():
    reader = TextReader()
    price = format_price(Decimal("39.20"), "AED", AR, "arab")  # ‏٣٩٫٢٠ د.إ.‏
    badge = format_percent_off(20, AR, "arab")
    for drawn in (price, _wrong(price)):
        blocks = [
            block("headline", "أساسيات الشتاء", code="ar-AE"),
            block("price", price, drawn, code="ar-AE", size=14),
            block("discount", badge, code="ar-AE", size=14),
        ]
        results = check_text_ocr(blocks, AR, reader)
        assert [(r.check, r.verdict, r.code) for r in results] == [
            ("text.ocr", Verdict.NOT_APPLICABLE, "ocr.not_verifiable")
        ], [r.message for r in results]
        message = results[0].message
        assert "price, discount: figures not verified by OCR in Arabic-Indic digits (٠-٩)" in message
        assert "headline: not verified by OCR" in message
        assert build_report(results).to_dict()["rules"]["not_applicable_rules"] == ["text.ocr"]
    assert reader.calls == 0  # nothing is read that could not be judged


@needs_tesseract
def test_western_figures_in_arabic_are_still_verified_next_to_native_ones():
    """A banner may hold both (a Western prior price typed into the copy): each block is judged on
    its own digits."""
    reader = TextReader()
    western = block("price", format_price(Decimal("39.20"), "AED", AR), code="ar-AE", size=18)
    native = block("prior_price", format_price(Decimal("49.00"), "AED", AR, "arab"), code="ar-AE", size=18)
    results = check_text_ocr([western, native], AR, reader)
    assert [(r.verdict, r.code) for r in results] == [
        (Verdict.PASSED, "ocr.ok"),
        (Verdict.NOT_APPLICABLE, "ocr.not_verifiable"),
    ], [r.message for r in results]
    assert "prior_price" in results[1].message and "price" in results[0].message


@needs_devanagari
def test_a_typographic_minus_beside_devanagari_digits_is_verified_and_a_lost_one_flagged():
    reader = TextReader()
    badge = "\u2212२०\u202f%"  # −२० %: the minus from the Latin font, the digits from the Devanagari one
    ok = check_text_ocr([block("discount", badge, code="hi-IN", size=24)], HI, reader)
    assert [r.code for r in ok] == ["ocr.ok"], [r.message for r in ok]
    lost = check_text_ocr([block("discount", badge, "२०\u202f%", code="hi-IN", size=24)], HI, reader)
    assert [r.code for r in lost] == ["ocr.numbers_mismatch"]

"""Figures in every currency and with every minus (issue 15): signs Tesseract never reads (₪, ₹, ₩)
no longer raise a false alarm on a correct price, while a wrong price, a different sign or a lost
minus is still flagged. Real Tesseract, real fonts."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from pipeline.banner.money import format_price
from pipeline.checks.ocr import TextReader, numeric_part
from pipeline.checks.results import Verdict
from pipeline.checks.text import check_text_ocr
from pipeline.model.locales import locale_info
from tests.pipeline.checks.test_ocr import block

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

PRICES = [("he-IL", "ILS", "129.90"), ("hi-IN", "INR", "7.49"), ("ko-KR", "KRW", "1299"), ("ja-JP", "JPY", "1299"),
          ("ar-AE", "AED", "1299.00"), ("en-GB", "GBP", "7.49"), ("de-DE", "EUR", "129.90")]  # fmt: skip


def test_every_minus_is_the_sign_and_unread_signs_are_left_out_of_the_figures():
    assert numeric_part("\u221215\u202f%") == numeric_part("–15 %") == numeric_part("-15%") == "-15%"
    assert numeric_part("\u200f129.90\xa0\u200f₪") == "129.90"
    assert numeric_part("129.90 $") == "129.90$"  # any other sign still counts


def _verdicts(text: str, drawn: str, code: str, size: int) -> list[Verdict]:
    b = block("price", text, drawn, code=code, size=size)
    return [r.verdict for r in check_text_ocr([b], locale_info("en-US"), reader=TextReader())]


@needs_tesseract
@pytest.mark.parametrize(("code", "currency", "amount"), PRICES)
def test_a_correct_price_reads_back_in_every_currency(code: str, currency: str, amount: str):
    text = format_price(Decimal(amount), currency, locale_info(code))
    for size in (14, 24):
        assert _verdicts(text, text, code, size) == [Verdict.PASSED], (text, size)


@needs_tesseract
@pytest.mark.parametrize(
    ("code", "currency", "amount", "drawn"),
    [
        ("he-IL", "ILS", "129.90", "\u200f129.80\xa0\u200f₪"),  # a wrong digit next to an unread sign
        ("he-IL", "ILS", "129.90", "\u200f129.90\xa0\u200f$"),  # another sign in its place
        ("hi-IN", "INR", "7.49", "₹7.45"),
    ],
)
def test_a_wrong_price_or_sign_is_still_flagged(code: str, currency: str, amount: str, drawn: str):
    text = format_price(Decimal(amount), currency, locale_info(code))
    assert Verdict.NEEDS_REVIEW in _verdicts(text, drawn, code, 24)


@needs_tesseract
def test_a_lost_typographic_minus_is_flagged_and_a_drawn_one_passes():
    def verdicts(drawn: str) -> list[Verdict]:
        b = block("discount", "\u221215\u202f%", drawn, size=20)
        return [r.verdict for r in check_text_ocr([b], locale_info("fr-FR"), reader=TextReader())]

    assert verdicts("\u221215\u202f%") == [Verdict.PASSED]
    assert Verdict.NEEDS_REVIEW in verdicts("15\u202f%")

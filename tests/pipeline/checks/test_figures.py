"""Figures compared by value in every digit system, and which Tesseract model reads which digits."""

from __future__ import annotations

from decimal import Decimal

from pipeline.banner.money import format_percent_off, format_price
from pipeline.checks.figures import (
    figure_model,
    figure_value,
    figure_whitelist,
    figures_only,
    numeric_part,
    unreadable_figures,
)
from pipeline.model.locales import locale_info

AR, HI = locale_info("ar-AE"), locale_info("hi-IN")


def test_figures_in_native_digits_compare_by_value_with_western_ones():
    drawn = format_price(Decimal("1299.00"), "AED", AR, "arab")  # '‏١٬٢٩٩٫٠٠ د.إ.‏'
    assert numeric_part(drawn) == "١٬٢٩٩٫٠٠"  # what a message shows: the digits as drawn
    assert figure_value(drawn) == figure_value(format_price(Decimal("1299.00"), "AED", AR)) == "1,299.00"
    assert figure_value("٣٩٫٢٠") == figure_value("39.20") == figure_value("३९.२०")
    assert figure_value(format_percent_off(20, HI, "deva")) == "-20%"


def test_a_wrong_digit_or_separator_still_differs_in_every_system():
    assert figure_value("٣٩٫٢٠") != figure_value("39.50")
    assert figure_value("३९.२०") != figure_value("३९.२१")
    assert figure_value("١٬٢٩٩") != figure_value("1.299")  # a group separator is not a decimal one
    assert figure_value("-٢٠%") != figure_value("٢٠%")  # a lost minus


def test_devanagari_and_western_figures_have_a_model_arabic_indic_ones_do_not():
    assert figure_model(["₹१२९.९०"]) == "Devanagari"
    assert figure_model(["$129.90"]) == figure_model(["\u200f129.90\xa0د.إ.\u200f"]) == "eng"
    assert unreadable_figures(["₹१२९.९०"]) is None and unreadable_figures(["-20%"]) is None
    why = unreadable_figures([format_price(Decimal("39.20"), "AED", AR, "arab")])
    assert why == "figures not verified by OCR in Arabic-Indic digits (٠-٩), which Tesseract cannot read"
    assert "Persian digits" in (unreadable_figures(["१२ ۱۲"]) or "")


def test_the_whitelist_holds_only_the_drawn_digits_and_the_expected_signs():
    # Devanagari digits only (no Western 0-9, which would be one more way to misread them), no ₹
    assert figure_whitelist("₹१२९.९०", ["₹१२९.९०"]) == ".०१२३४५६७८९"
    assert figure_whitelist("$129.90", ["$129.90"]) == "$.0123456789"
    # expected in Western digits, drawn in Devanagari ones: the drawn digits are what is read
    assert figure_whitelist("-20%", ["-२०%"]) == "%-०१२३४५६७८९"


def test_the_numeric_drawing_can_leave_out_signs_no_model_reads():
    assert figures_only("₹१२९.९०", "₹") == " १२९.९०"
    assert figures_only("₹129.90") == "₹129.90"  # kept unless asked: eng is allowed `$€£¥` in its place

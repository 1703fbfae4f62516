"""Vitrina's figures are written in the banner's digit system (issue 15): the brand's `numbering`
choice for the locale, else the locale's CLDR default; Babel's separators for that system."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.banner.messages import render_message
from pipeline.banner.money import format_number, format_percent_off, format_price
from pipeline.errors import InputError
from pipeline.model.locales import LocaleInfo, locale_info

NBSP = "\xa0"
RLM = "\u200f"
PERSIAN = LocaleInfo("fa-IR", "fa", "Arab", "rtl", "IR")  # not a shipped locale: CLDR's default is ۰-۹


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "numbering", "expected"),
    [
        ("1249.5", "USD", locale_info("en-US"), None, "$1,249.50"),
        ("44", "AED", locale_info("ar-AE"), None, f"{RLM}44.00{NBSP}د.إ.{RLM}"),  # CLDR: ar-AE writes 0-9
        ("1249.5", "AED", locale_info("ar-AE"), "arab", f"{RLM}١٬٢٤٩٫٥٠{NBSP}د.إ.{RLM}"),
        ("1234567.5", "INR", locale_info("hi-IN"), "deva", "₹१२,३४,५६७.५०"),  # lakh grouping kept
        ("1250", "IRR", PERSIAN, None, "\u200eریال\xa0۱٬۲۵۰"),  # the locale's own default: Persian digits
    ],
)
def test_prices_are_written_in_the_chosen_digits(amount, currency, locale, numbering, expected):
    assert format_price(Decimal(amount), currency, locale, numbering) == expected


def test_discounts_and_counts_follow_the_same_digits():
    assert format_percent_off(20, locale_info("ar-AE"), "arab") == "-٢٠%"
    assert format_percent_off(20, locale_info("hi-IN"), "deva") == "-२०%"
    assert format_percent_off(20, locale_info("de-DE")) == f"-20{NBSP}%"
    assert format_number(12345, locale_info("ar-AE"), "arab") == "١٢٬٣٤٥"
    template = "{stock, plural, one {Only # left} other {Only # left}} – 2 per order"
    # the count is Vitrina's and follows the choice; the "2" typed into the copy is kept as typed
    assert render_message(template, {"stock": 3}, locale_info("ar-AE"), "arab") == "Only ٣ left – 2 per order"
    assert render_message(template, {"stock": 3}, locale_info("ar-AE")) == "Only 3 left – 2 per order"


def test_a_digit_system_vitrina_does_not_write_is_an_input_error():
    with pytest.raises(InputError, match="unknown digit system 'thai'"):
        format_price(Decimal("5"), "USD", locale_info("en-US"), "thai")

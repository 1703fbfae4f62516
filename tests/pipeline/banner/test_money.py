"""Prices and discount labels read the way each market writes them, and are never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.banner.money import format_percent_off, format_price
from pipeline.model.locales import locale_info

NBSP = "\xa0"
RLM = "\u200f"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("7.99", "EUR", "de-DE", f"7,99{NBSP}€"),
        ("1234.5", "EUR", "de-DE", f"1.234,50{NBSP}€"),
        ("24.99", "USD", "en-US", "$24.99"),
        ("980", "JPY", "ja-JP", "￥980"),
        ("1234567.5", "INR", "hi-IN", "₹12,34,567.50"),  # lakh grouping
        ("12.50", "EUR", "fr-FR", f"12,50{NBSP}€"),
    ],
)
def test_price_is_written_as_the_locale_writes_it(amount, currency, locale, expected):
    assert format_price(Decimal(amount), currency, locale_info(locale)) == expected


def test_arabic_price_keeps_babels_right_to_left_marks():
    text = format_price(Decimal("99"), "AED", locale_info("ar-AE"))
    assert text.startswith(RLM) and "99.00" in text and "د.إ." in text


def test_trailing_zero_that_changes_nothing_is_accepted():
    assert format_price(Decimal("19.990"), "EUR", locale_info("de-DE")) == f"19,99{NBSP}€"


@pytest.mark.parametrize(("amount", "currency"), [("19.999", "EUR"), ("980.5", "JPY"), ("0.001", "USD")])
def test_more_decimals_than_the_currency_has_is_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError) as err:
        format_price(Decimal(amount), currency, locale_info("de-DE"))
    assert amount in str(err.value) and currency in str(err.value)


def test_float_amount_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        format_price(19.99, "EUR", locale_info("de-DE"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [("5", "XXQ", "unknown currency"), ("-5", "EUR", "negative"), ("NaN", "EUR", "finite")],
)
def test_bad_prices_are_refused(amount, currency, message):
    with pytest.raises(ValueError, match=message):
        format_price(Decimal(amount), currency, locale_info("en-US"))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "-20%"), ("de-DE", f"-20{NBSP}%"), ("fr-FR", f"-20{NBSP}%"), ("ja-JP", "-20%")],
)
def test_percent_off(locale, expected):
    assert format_percent_off(20, locale_info(locale)) == expected


@pytest.mark.parametrize("percent", [0, 100, -5, True])
def test_percent_off_outside_1_to_99_is_refused(percent):
    with pytest.raises((ValueError, TypeError)):
        format_percent_off(percent, locale_info("en-US"))

"""Prices and discounts as a shopper in each locale expects to read them.

Babel (CLDR) knows each locale's symbol position, separators, digit grouping (hi-IN lakh) and
bidi marks (ar/he carry RLM), so its output is kept exactly as it comes. What Babel does *not* do
is refuse: it silently rounds (half-even) an amount to the currency's precision, which would print
a price the catalog never had. Here an amount with more precision than its currency is an error.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import (
    format_currency,
    format_percent,
    get_currency_precision,
    is_currency,
)

from pipeline.errors import InputError
from pipeline.model.locales import LocaleInfo

__all__ = ["format_price", "format_percent_off"]


def format_price(amount: Decimal, currency: str, locale: LocaleInfo) -> str:
    """The price as the locale writes it, e.g. de-DE `1.234,50 €` (NBSP), ja-JP `￥980`.

    Raises TypeError for a non-Decimal amount (floats cannot hold prices exactly) and InputError
    for an unknown currency, a negative or non-finite amount, or an amount with more decimals
    than the currency has (19.999 EUR, 980.5 JPY): Babel would round those silently.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"price amount must be a Decimal, got {type(amount).__name__} {amount!r}")
    if not isinstance(currency, str) or not is_currency(currency):
        raise InputError(f"unknown currency {currency!r} (use an ISO 4217 code such as 'EUR')")
    if not amount.is_finite():
        raise InputError(f"price amount {amount} {currency} is not a finite number")
    if amount < 0:
        raise InputError(f"price amount {amount} {currency} is negative")
    precision = get_currency_precision(currency)
    step = Decimal(1).scaleb(-precision)
    if amount != amount.quantize(step):
        raise InputError(
            f"price {amount} {currency} has more decimals than {currency} allows ({precision}); "
            "Babel would round it silently: fix the price at its source"
        )
    return format_currency(amount, currency, locale=locale.babel)


def format_percent_off(percent: int, locale: LocaleInfo) -> str:
    """A discount label, e.g. en-US `-20%`, de-DE `-20 %` (NBSP), via CLDR's percent pattern."""
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise TypeError(f"discount percent must be an int, got {type(percent).__name__} {percent!r}")
    if not 0 < percent < 100:
        raise InputError(f"discount percent {percent} is outside 1-99")
    return format_percent(Decimal(-percent) / 100, locale=locale.babel)

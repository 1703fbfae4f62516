"""Prices and discounts as a shopper in each locale expects to read them.

Babel (CLDR) knows each locale's symbol position, separators, digit grouping (hi-IN lakh) and
bidi marks (ar/he carry RLM), so its output is kept exactly as it comes. What Babel does *not* do
is refuse: it silently rounds (half-even) an amount to the currency's precision, which would print
a price the catalog never had. Here an amount with more precision than its currency is an error.

Nor does Babel write digits other than 0-9: its `numbering_system` picks the separators (ar-AE
`arab`: `٬` and `٫`) but the digits stay Western. Prices and discounts are written in the banner's
digit system (the brand's `numbering` choice for the locale, else CLDR's default for it, see
`pipeline.model.locales`): Babel's separators for that system, then its digits, so Vitrina's own
figures pass its one-digit-system check (`pipeline.checks.digits`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from babel.numbers import (
    UnsupportedNumberingSystemError,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    is_currency,
)

from pipeline.errors import InputError
from pipeline.model.locales import LocaleInfo, default_numbering, digit_system, write_digits

__all__ = ["format_price", "format_percent_off", "format_number"]


def _in_digits(format_with: Callable[[str], str], locale: LocaleInfo, numbering: str | None) -> str:
    """What `format_with(babel_numbering_system)` gives, written in the digit system `numbering`
    (None: the locale's CLDR default). Babel's separators for that system where CLDR has them for
    the locale, else the Western ones (the digits are written either way)."""
    system = numbering or default_numbering(locale)
    digit_system(system)  # InputError for a system Vitrina does not write
    try:
        text = format_with(system)
    except UnsupportedNumberingSystemError:
        text = format_with("latn")
    return write_digits(text, system)


def format_number(value: int | Decimal, locale: LocaleInfo, numbering: str | None = None) -> str:
    """A count as the locale writes it (de-DE `1.234`), in the digit system `numbering`."""
    return _in_digits(
        lambda system: format_decimal(value, locale=locale.babel, numbering_system=system), locale, numbering
    )


def format_price(amount: Decimal, currency: str, locale: LocaleInfo, numbering: str | None = None) -> str:
    """The price as the locale writes it, e.g. de-DE `1.234,50 €` (NBSP), ja-JP `￥980`, in the
    digit system `numbering` (None: the locale's default; ar-AE `arab`: `‏٤٤٫٠٠ د.إ.‏`).

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
    return _in_digits(
        lambda system: format_currency(amount, currency, locale=locale.babel, numbering_system=system),
        locale,
        numbering,
    )


def format_percent_off(percent: int, locale: LocaleInfo, numbering: str | None = None) -> str:
    """A discount label, e.g. en-US `-20%`, de-DE `-20 %` (NBSP), via CLDR's percent pattern, in
    the digit system `numbering` (None: the locale's default; hi-IN `deva`: `-२०%`)."""
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise TypeError(f"discount percent must be an int, got {type(percent).__name__} {percent!r}")
    if not 0 < percent < 100:
        raise InputError(f"discount percent {percent} is outside 1-99")
    value = Decimal(-percent) / 100
    return _in_digits(
        lambda system: format_percent(value, locale=locale.babel, numbering_system=system), locale, numbering
    )

"""Locales Vitrina can render: language, script, direction and the market whose prices apply,
and the digits each may be written in.

The table is data, not logic: adding a locale means adding a row here (and fonts that cover it).
Which digits a locale writes by default, and which others it may use, is CLDR's (through Babel):
ar-AE and hi-IN write 0-9 by default and may use their native ٠-٩ and ०-९, fa-IR writes ۰-۹.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from babel import Locale

from pipeline.errors import InputError

__all__ = [
    "LocaleInfo",
    "SUPPORTED_LOCALES",
    "locale_info",
    "DigitSystem",
    "NumberingSystem",
    "DIGIT_SYSTEMS",
    "default_numbering",
    "numbering_choices",
    "check_numbering",
    "digit_system_of",
    "write_digits",
    "digit_system",
]


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # BCP 47, e.g. "de-DE"
    language: str  # ISO 639-1, e.g. "de"
    script: str  # ISO 15924, e.g. "Latn"
    direction: str  # "ltr" | "rtl"
    market: str  # ISO 3166-1 alpha-2 country whose prices, claims and disclaimers apply

    @property
    def babel(self) -> str:
        """Babel/CLDR identifier ("de_DE")."""
        return self.code.replace("-", "_")

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


def _row(code: str, script: str, direction: str = "ltr") -> LocaleInfo:
    language, market = code.split("-")
    return LocaleInfo(code, language, script, direction, market)


SUPPORTED_LOCALES: dict[str, LocaleInfo] = {
    info.code: info
    for info in (
        _row("en-US", "Latn"),
        _row("en-GB", "Latn"),
        _row("de-DE", "Latn"),
        _row("fr-FR", "Latn"),
        _row("es-ES", "Latn"),
        _row("ar-AE", "Arab", "rtl"),
        _row("he-IL", "Hebr", "rtl"),
        _row("ja-JP", "Jpan"),
        _row("zh-CN", "Hans"),
        _row("ko-KR", "Kore"),
        _row("hi-IN", "Deva"),
    )
}


def locale_info(code: str) -> LocaleInfo:
    """Look a locale up; InputError (with the known codes) when Vitrina cannot render it."""
    try:
        return SUPPORTED_LOCALES[code]
    except KeyError:
        raise InputError(f"unknown locale {code!r}; supported: {', '.join(SUPPORTED_LOCALES)}") from None


# --------------------------------------------------------------------------- digits


class DigitSystem(NamedTuple):
    zero: str  # the digit 0; the other nine follow it in Unicode
    name: str  # what a designer calls them

    @property
    def digits(self) -> str:
        return "".join(chr(ord(self.zero) + d) for d in range(10))

    def __str__(self) -> str:
        return f"{self.name} ({self.zero}-{chr(ord(self.zero) + 9)})"


#: The digit systems Vitrina writes, by CLDR numbering system id: those the supported locales use
#: by default or natively (CLDR's others, such as Chinese hanidec, are not ten consecutive Unicode
#: decimal digits, and no supported locale writes them by default).
NumberingSystem = Literal["latn", "arab", "arabext", "deva"]
DIGIT_SYSTEMS: dict[str, DigitSystem] = {
    "latn": DigitSystem("0", "Western digits"),
    "arab": DigitSystem("\u0660", "Arabic-Indic digits"),
    "arabext": DigitSystem("\u06f0", "Persian digits"),
    "deva": DigitSystem("\u0966", "Devanagari digits"),
}
_BY_ZERO = {system.zero: cldr_id for cldr_id, system in DIGIT_SYSTEMS.items()}


@lru_cache(maxsize=64)
def _cldr(code: str) -> tuple[str, tuple[str, ...]]:
    """(CLDR default numbering system, its other systems) of a locale code ("ar-AE")."""
    locale = Locale.parse(code.replace("-", "_"))
    return locale.default_numbering_system, tuple(locale.other_numbering_systems.values())


def default_numbering(locale: LocaleInfo) -> str:
    """The CLDR numbering system the locale writes its digits in by default (ar-AE "latn")."""
    return _cldr(locale.code)[0]


def numbering_choices(code: str) -> tuple[str, ...]:
    """The digit systems a brand may choose for a locale: its CLDR default and its native
    system, where Vitrina writes them (`DIGIT_SYSTEMS`); ar-AE ("latn", "arab")."""
    default, others = _cldr(code)
    return tuple(dict.fromkeys(s for s in (default, *others) if s in DIGIT_SYSTEMS))


def check_numbering(code: str, system: str) -> str:
    """`system` if a brand may write `code`'s digits in it, else ValueError naming the choices."""
    choices = numbering_choices(code)
    if system not in choices:
        shown = ", ".join(f"{c} = {DIGIT_SYSTEMS[c]}" for c in choices)
        raise ValueError(f"{code} digits can be written as {shown}; got {system!r}")
    return system


def digit_system_of(ch: str) -> str | None:
    """The numbering system of a decimal digit: a CLDR id from `DIGIT_SYSTEMS`, else the Unicode
    name of its script ("fullwidth", "thai"); None for anything that is not a decimal digit (a
    superscript ² or a Roman numeral is not)."""
    value = unicodedata.decimal(ch, None)
    if value is None:
        return None
    zero = chr(ord(ch) - value)
    return _BY_ZERO.get(zero) or unicodedata.name(zero).removesuffix(" DIGIT ZERO").lower()


def digit_system(system: str) -> DigitSystem:
    """The `DigitSystem` of a CLDR id; InputError for one Vitrina does not write."""
    try:
        return DIGIT_SYSTEMS[system]
    except KeyError:
        raise InputError(f"unknown digit system {system!r}; Vitrina writes {', '.join(DIGIT_SYSTEMS)}") from None


def write_digits(text: str, system: str) -> str:
    """`text` with its ASCII digits 0-9 written in `system` (what Babel formatted, which always
    gives 0-9); every other character is kept."""
    if system == "latn":
        return text
    return text.translate(str.maketrans("0123456789", digit_system(system).digits))

"""Locales Vitrina can render: language, script, direction and the market whose prices apply.

The table is data, not logic: adding a locale means adding a row here (and fonts that cover it).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import InputError

__all__ = ["LocaleInfo", "SUPPORTED_LOCALES", "locale_info"]


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

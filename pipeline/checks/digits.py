"""One digit system per banner (`text.digits`): every digit drawn on a banner is written in the
same numbering system.

Which one: the brand's `numbering` choice for the locale, else the locale's CLDR default (Babel:
ar-AE and hi-IN write 0-9 by default, fa-IR ۰-۹). A banner whose price reads `123` and whose
legal line reads `٢٠٢٦` looks like two designers made it; each block with a digit of another
system gets a result naming the block, its text and both systems, so the copy (or the brand's
choice) can be fixed. Vitrina's own figures (prices, discounts, counts) are written in the chosen
system (`pipeline.banner.money`), so only text someone typed can differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.checks.copy import _shown
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.model.brand import BrandGuide
from pipeline.model.locales import (
    DIGIT_SYSTEMS,
    LocaleInfo,
    default_numbering,
    digit_system_of,
    numbering_choices,
)

__all__ = ["check_digit_system", "banner_numbering"]

# What a designer calls each block
_BLOCK_NAMES = {
    "headline": "headline",
    "subline": "subline",
    "price": "price",
    "prior_price": "prior price",
    "discount": "discount badge",
    "cta": "button",
    "legal": "legal line",
}


def banner_numbering(locale: LocaleInfo, brand: BrandGuide | None) -> tuple[str, str]:
    """(the numbering system the banner's digits must be in, where that comes from in words)."""
    chosen = brand.numbering.get(locale.code) if brand is not None else None
    if chosen is not None:
        return chosen, f"the brand's numbering for {locale.code}"
    return default_numbering(locale), f"{locale.code}'s default"


def _system_name(system: str) -> str:
    known = DIGIT_SYSTEMS.get(system)
    return str(known) if known is not None else f"{system} digits"


def _runs(text: str, system: str) -> list[str]:
    """The runs of consecutive digits of `system` in `text` ("2026", "24")."""
    runs: list[str] = []
    current = ""
    for ch in text:
        if digit_system_of(ch) == system:
            current += ch
        elif current:
            runs.append(current)
            current = ""
    return runs + [current] if current else runs


def check_digit_system(blocks: Iterable[Any], locale: LocaleInfo, brand: BrandGuide | None) -> list[CheckResult]:
    """Every digit in the banner's text blocks is in the banner's numbering system
    (`banner_numbering`); one needs-review result per block that has digits of another."""
    expected, source = banner_numbering(locale, brand)
    wanted = _system_name(expected)
    out: list[CheckResult] = []
    digits = 0
    for block in blocks:
        systems = [s for ch in block.text if (s := digit_system_of(ch)) is not None]
        digits += len(systems)
        for other in dict.fromkeys(s for s in systems if s != expected):
            name = _BLOCK_NAMES.get(block.role, block.role)
            if other in numbering_choices(locale.code):
                fix = f"write them in {wanted} or set numbering: {{{locale.code}: {other}}} in the brand guide"
            else:
                fix = f"write them in {wanted}"
            out.append(
                CheckResult(
                    f"text.digits.{block.role}",
                    Verdict.NEEDS_REVIEW,
                    "digits.mixed",
                    f'{name} "{_shown(block.text)}" writes {", ".join(_runs(block.text, other))} in '
                    f"{_system_name(other)}, but this banner's digits are {wanted} ({source}): {fix}",
                    box=block.box,
                )
            )
    if not digits:
        return [not_applicable("text.digits", "digits.none", "no digits on the banner")]
    if not out:
        out.append(
            CheckResult("text.digits", Verdict.PASSED, "digits.one_system", f"every digit is in {wanted} ({source})")
        )
    return out

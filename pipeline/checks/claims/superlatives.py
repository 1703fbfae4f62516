"""Objective superlatives ('#1', 'best-selling', 'cheapest', 'award-winning') and origin claims.

Both are statements of fact a competitor or authority can challenge, so each needs an approved,
dated claim with evidence in the brand's library; puffery ('our softest ever') is not matched.
"""

from __future__ import annotations

from pipeline.checks.claims.document import ClaimFinding, Doc, collect
from pipeline.checks.claims.lexicon import origin_rules, rules
from pipeline.checks.claims.library import library_family

__all__ = ["superlative", "origin"]


def superlative(doc: Doc) -> list[ClaimFinding]:
    """Objective superlatives the library does not substantiate (BLOCKED)."""
    return library_family(doc, "superlative", collect(doc, rules("superlative", doc.langs)))


def origin(doc: Doc) -> list[ClaimFinding]:
    """Origin claims ('Made in Italy') the library does not substantiate (BLOCKED)."""
    rows = [row for lang in doc.langs for row in origin_rules(lang)]
    return library_family(doc, "origin", collect(doc, rows))

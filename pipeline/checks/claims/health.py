"""Health claims (cures, immunity, detox, clinical evidence, endorsements, weight loss, anti-ageing).

Only authorised wording may be used (EU Regulation 1924/2006, see docs/facts.md), so every match
must be substantiated by an approved claim in the brand's library.
"""

from __future__ import annotations

from pipeline.checks.claims.document import ClaimFinding, Doc, collect
from pipeline.checks.claims.lexicon import rules
from pipeline.checks.claims.library import library_family

__all__ = ["health"]


def health(doc: Doc) -> list[ClaimFinding]:
    """Health claims the library does not substantiate (BLOCKED)."""
    return library_family(doc, "health", collect(doc, rules("health", doc.langs)))

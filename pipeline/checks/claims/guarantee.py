"""Guarantee and warranty claims: satisfaction and money-back guarantees, lifetime warranties,
'risk-free', '100 % guaranteed'.

A commercial guarantee binds the brand to terms (who gives it, for how long, on what conditions,
how to claim; EU Directive 2011/83/EU Art. 6 and 2019/771 Art. 17), so like other claims that
cannot be checked from the copy each match must be backed by an approved guarantee claim in the
brand's library. A plain statement of a warranty term ('2-year warranty', '2 Jahre Garantie') is
not matched.
"""

from __future__ import annotations

from pipeline.checks.claims.document import ClaimFinding, Doc, collect
from pipeline.checks.claims.lexicon import rules
from pipeline.checks.claims.library import library_family

__all__ = ["guarantee"]


def guarantee(doc: Doc) -> list[ClaimFinding]:
    """Guarantee and warranty promises the library does not back (BLOCKED)."""
    return library_family(doc, "guarantee", collect(doc, rules("guarantee", doc.langs)))

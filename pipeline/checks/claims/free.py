"""Free offers: 'free' must come with its conditions printed on the banner itself.

Pattern tables decide what an offer is (`free`, with a keep check that tells 'feel free' and
'sugar-free' from an offer) and what counts as a condition (`free_conditions`).
"""

from __future__ import annotations

from pipeline.checks.claims.document import ClaimFinding, Doc, collect, finding
from pipeline.checks.claims.lexicon import COMMON, patterns, rules
from pipeline.checks.results import Verdict

__all__ = ["free"]


def free(doc: Doc) -> list[ClaimFinding]:
    """Free offers without their conditions on the banner (BLOCKED)."""
    hits = collect(doc, rules("free", doc.langs))
    if not hits:
        return []
    if doc.any(patterns("free_conditions", doc.langs)):
        return []
    out = []
    terms_only = doc.any([COMMON.pattern["terms_and_conditions"]])
    hint = " ('T&Cs apply' or a bare asterisk is not enough)" if terms_only else ""
    for _rule, h in hits:
        m = doc.matched(h.start, h.end)
        out.append(
            finding(
                doc,
                "free.no_conditions",
                "free",
                h.start,
                h.end,
                Verdict.BLOCKED,
                f"'{m}' offers something free but the banner does not state the conditions{hint}; "
                "print them on the banner itself (e.g. 'on orders over €50', 'when you buy 2', 'within 30 days').",
            )
        )
    return out

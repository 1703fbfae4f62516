"""Environmental claims: generic green wording, neutrality, offsetting, recyclability, 'natural'.

Every match must be substantiated by the brand's claims library (EU Empowering Consumers
Directive 2024/825, see docs/facts.md). In EU/EEA markets a neutrality claim that rests on
offsetting is banned outright, even when the library approves it.
"""

from __future__ import annotations

import re

from pipeline.checks.claims.document import ClaimFinding, Doc, collect, finding
from pipeline.checks.claims.lexicon import COMMON, rules
from pipeline.checks.claims.library import library_family
from pipeline.checks.claims.normalise import fold_pattern
from pipeline.checks.results import Verdict

__all__ = ["EU_MARKETS", "environmental"]

EU_MARKETS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)


def environmental(doc: Doc) -> list[ClaimFinding]:
    """Environmental claims the library does not substantiate, and EU offsetting claims (BLOCKED)."""
    hits = collect(doc, rules("environmental", doc.langs))
    offsets = [(r, h) for r, h in hits if r == "environmental.offset"]
    neutral = [(r, h) for r, h in hits if r == "environmental.neutrality"]
    # a neutrality claim explained by offsetting anywhere on the banner ("*through offset projects")
    offsetting = bool(offsets) or (
        bool(neutral) and re.search(fold_pattern(COMMON.pattern["offsetting_anywhere"]), doc.view) is not None
    )
    if not (offsetting and doc.market in EU_MARKETS):
        return library_family(doc, "environmental", hits)
    out: list[ClaimFinding] = []
    for rule, h in offsets + neutral:
        m = doc.matched(h.start, h.end)
        what = (
            "bases a climate claim on offsetting"
            if rule == "environmental.offset"
            else "is a neutrality claim based on offsetting"
        )
        out.append(
            finding(
                doc,
                "environmental.offset_neutrality",
                "environmental",
                h.start,
                h.end,
                Verdict.BLOCKED,
                f"'{m}' {what}, which EU Directive 2024/825 bans in {doc.market} even with an approved "
                "claim in the library; remove the neutrality/offsetting wording.",
            )
        )
    rest = [(r, h) for r, h in hits if r not in ("environmental.offset", "environmental.neutrality")]
    return out + library_family(doc, "environmental", rest)

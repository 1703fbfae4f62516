"""Scarcity claims: a stated stock level must match live stock; vague scarcity needs low stock.

'Only 3 left' is true when 0 < stock <= 3; 'selling fast' when stock <= 10. Without a linked
catalog row a reviewer must confirm it.
"""

from __future__ import annotations

from pipeline.checks.claims.document import ClaimFinding, Doc, finding, non_overlapping
from pipeline.checks.claims.lexicon import COMMON, number, patterns
from pipeline.checks.claims.normalise import compile_folded
from pipeline.checks.results import Verdict

__all__ = ["scarcity"]


def scarcity(doc: Doc) -> list[ClaimFinding]:
    """Stock claims checked against live stock: a stated number, or vague scarcity (stock <= 10)."""
    num_hits = non_overlapping(
        [("n", h) for p in patterns("scarcity_count", doc.langs) for h in doc.finditer(compile_folded(p))]
    )
    vague_hits = non_overlapping(
        [("v", h) for p in patterns("scarcity_vague", doc.langs) for h in doc.finditer(compile_folded(p))]
    )
    at_least = compile_folded(COMMON.pattern["more_than_before"])
    vague_hits = [(k, h) for k, h in vague_hits if not any(h.start < h2.end and h2.start < h.end for _, h2 in num_hits)]
    out: list[ClaimFinding] = []
    item = doc.ctx.item
    for _, h in num_hits:
        n = number(h.m.group("n"))
        m = doc.matched(h.start, h.end)
        if n is None:
            continue
        if at_least.search(doc.view[max(0, h.start - 14) : h.start]):
            continue  # "over 400 in stock" / "más de 400 unidades": plenty, not scarcity
        if item is None:
            out.append(
                finding(
                    doc,
                    "scarcity.no_stock",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' states a stock level, but no live stock is linked for this SKU; a reviewer must confirm "
                    "it, or link the catalog row.",
                )
            )
        elif item.stock <= 0:
            out.append(
                finding(
                    doc,
                    "scarcity.sold_out",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.BLOCKED,
                    f"'{m}' but the catalog shows the item as sold out (stock 0); remove the banner or the claim.",
                )
            )
        elif item.stock > n:
            out.append(
                finding(
                    doc,
                    "scarcity.stock_mismatch",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.BLOCKED,
                    f"'{m}' claims {n} left, but the catalog shows {item.stock} in stock; remove the claim or state "
                    "the real number.",
                )
            )
    for _, h in vague_hits:
        m = doc.matched(h.start, h.end)
        if item is None:
            out.append(
                finding(
                    doc,
                    "scarcity.unverified",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' suggests low stock, but no live stock is linked; a reviewer must confirm it (stock must "
                    "be 10 or fewer).",
                )
            )
        elif item.stock <= 0:
            out.append(
                finding(
                    doc,
                    "scarcity.sold_out",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.BLOCKED,
                    f"'{m}' but the catalog shows the item as sold out (stock 0); remove the banner or the claim.",
                )
            )
        elif item.stock > 10:
            out.append(
                finding(
                    doc,
                    "scarcity.not_low",
                    "scarcity",
                    h.start,
                    h.end,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' suggests low stock, but the catalog shows {item.stock} in stock (more than 10); remove "
                    "it unless a reviewer confirms it.",
                )
            )
    return out

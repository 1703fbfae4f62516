"""The brand's claims library: the only way a green, health, superlative, origin or guarantee claim may stand.

A claim found in the copy passes when the library holds an approved claim of the same category
whose wording appears at that place in the copy and that applies to the market, SKU and run day;
otherwise the finding says which of these failed, so the designer knows what to fix.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.checks.claims.document import ClaimFinding, Doc, Hit, finding
from pipeline.checks.claims.normalise import fold_text, loose_words
from pipeline.checks.results import Verdict
from pipeline.model.brand import Claim

__all__ = ["substantiated", "library_family"]

_LIB_WHAT = {
    "environmental": ("a generic environmental claim", "add an approved environmental claim with its evidence (e.g. "
    "EU Ecolabel, ISO 14024 certificate) for {market} to the claims library, or remove the wording"),
    "health": ("a health claim", "add the authorised health claim (with its evidence) for {market} to the claims "
    "library and use its exact wording, or remove it"),
    "superlative": ("an objective superlative", "add a dated superlative claim with its evidence (sales data, test, "
    "award) for {market} to the claims library, or tone it down to puffery"),
    "origin": ("an origin claim", "add an origin claim with bill-of-materials evidence for {market} to the claims "
    "library, or remove it"),
    "guarantee": ("a guarantee", "add the guarantee with its terms (who gives it, how long, the conditions, how to "
    "claim) for {market} to the claims library as an approved guarantee claim and use its exact wording, or remove "
    "the promise"),
}  # fmt: skip
_RULE_WHAT = {
    "environmental.neutrality": "a climate/carbon neutrality claim",
    "environmental.biodegradable": "a biodegradability claim",
    "environmental.recyclable": "an unqualified recyclability claim",
    "environmental.natural": "a 'natural' claim",
    "health.immune": "an immunity health claim",
    "health.detox": "a detox health claim",
    "health.evidence": "a clinical-evidence claim",
    "health.endorsement": "a professional-endorsement health claim",
    "health.weight": "a weight-loss health claim",
    "health.cosmetic": "an anti-ageing/antibacterial efficacy claim",
    "superlative.price": "a lowest/best price superlative",
    "superlative.sales": "a best-selling claim",
    "superlative.award": "an award claim",
    "guarantee.satisfaction": "a satisfaction guarantee",
    "guarantee.money_back": "a money-back guarantee",
    "guarantee.lifetime": "a lifetime warranty/guarantee",
    "guarantee.risk_free": "a 'risk-free' promise (a guarantee in effect)",
    "guarantee.absolute": "an unconditional guarantee",
}


def _why_not(claim: Claim, market: str, sku: str | None, on: date) -> str:
    """Why an approved claim with the right wording does not cover this copy (dates, market, SKU)."""
    if claim.valid_from is not None and on < claim.valid_from:
        return f"the approved claim '{claim.text}' is valid only from {claim.valid_from.isoformat()}"
    if on > claim.expires:
        return f"the approved claim '{claim.text}' expired on {claim.expires.isoformat()}"
    if not ("*" in claim.markets or market in claim.markets):
        return f"the approved claim '{claim.text}' is approved for {', '.join(claim.markets)} only"
    if not ("*" in claim.skus or sku is None or sku in claim.skus):
        return f"the approved claim '{claim.text}' is approved for SKU {', '.join(claim.skus)} only"
    return f"the approved claim '{claim.text}' does not apply here"


def substantiated(doc: Doc, category: str, s: int, e: int) -> tuple[bool, str]:
    """Is the claim at normalised span [s, e) substantiated by the library? (ok, reason if not)."""
    ctx = doc.ctx
    where = f"market {doc.market}" + (f" and SKU {ctx.sku}" if ctx.sku else "") + f" on {ctx.on.isoformat()}"
    cands = [c for c in ctx.claims if c.category == category]
    if not cands:
        return False, f"the claims library has no approved {category} claim for {where}"
    loose, lmap = doc.loose
    worded: list[Claim] = []
    for c in cands:
        cl = loose_words(fold_text(c.text))[0]
        if not cl:
            continue
        for m in re.finditer(re.escape(cl), loose):
            a, b = m.start(), m.end()
            if a > 0 and loose[a - 1] != " " and cl[0].isascii():
                continue
            if b < len(loose) and loose[b] != " " and cl[-1].isascii():
                continue
            na, nb = lmap[a], lmap[b - 1] + 1
            if na < e and s < nb:
                worded.append(c)
                break
    for c in worded:
        if c.applies(doc.market, ctx.sku, ctx.on):
            return True, ""
    if worded:
        return False, _why_not(worded[0], doc.market, ctx.sku, ctx.on)
    usable = [c for c in cands if c.applies(doc.market, ctx.sku, ctx.on)]
    if usable:
        return False, f"its wording differs from the approved claim '{usable[0].text}'"
    return False, _why_not(cands[0], doc.market, ctx.sku, ctx.on) + f" (needed: {where})"


def library_family(doc: Doc, category: str, hits: list[tuple[str, Hit]]) -> list[ClaimFinding]:
    """A BLOCKED finding for each hit the claims library does not substantiate, saying why and what to do."""
    out = []
    what, fix = _LIB_WHAT[category]
    fix = fix.format(market=doc.market)
    for rule, h in hits:
        ok, reason = substantiated(doc, category, h.start, h.end)
        if ok:
            continue
        matched = doc.matched(h.start, h.end)
        desc = _RULE_WHAT.get(rule, what)
        out.append(
            finding(
                doc,
                rule,
                category,
                h.start,
                h.end,
                Verdict.BLOCKED,
                f"'{matched}' is {desc}, held back because {reason}; {fix}.",
            )
        )
    return out

"""The checker's entry point: run every rule family over the copy, in category order.

`find_claims` builds one `Doc` (the copy in its matching views) and asks each family in turn;
the families live in their own modules and find candidates with the pattern tables under
`tables/` (see table_format.py), then judge them against the data in `CopyContext`.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.checks.claims.document import CATEGORIES, ClaimFinding, CopyContext, Doc
from pipeline.checks.claims.free import free
from pipeline.checks.claims.green import environmental
from pipeline.checks.claims.guarantee import guarantee
from pipeline.checks.claims.health import health
from pipeline.checks.claims.prices import price, reference_price
from pipeline.checks.claims.scarcity import scarcity
from pipeline.checks.claims.superlatives import origin, superlative
from pipeline.checks.claims.tone import tone
from pipeline.checks.claims.urgency import urgency

__all__ = ["BOUNDARIES", "RULE_FAMILIES", "find_claims"]

# Decisions at the edge of each category (documented here so reviewers and tests agree).
BOUNDARIES = {
    "natural": "'natural' alone is descriptive (natural light, natural wood finish, natural look); "
    "'100% natural', 'all-natural', 'natural ingredients/formula/products' are claims",
    "green": "a colour or a noun (forest green, green tea, greenhouse) is fine; 'greener', 'greenest', "
    "'go green' and green + product/packaging/choice/energy... are claims",
    "durable": "French 'durable(s)' is read as 'sustainable' (BLOCK unless approved) except next to "
    "robustness words (solide, résistant); 'durablement' and English 'durable' are fine",
    "free": "'free' needs conditions on the banner (order minimum, 'buy 2', a time limit, members only); "
    "'T&Cs apply' alone is not a condition; X-free (sugar-free, hands-free), 'free your/yourself', "
    "'feel free', 'free from', 'freedom' and Spanish 'libre' are not offers; French 'sans frais' is",
    "limited_edition": "'limited edition' describes the product run and is not a scarcity claim; "
    "'while stocks last' and its translations are a legal caveat, not a claim",
    "scarcity": "a stated number is true when 0 < stock <= number; vague scarcity is true when stock <= 10",
    "urgency": "a stated deadline must lie between the run day and the campaign end (after the end: BLOCK; "
    "before it: review); vague urgency ('last chance') needs a campaign ending within 7 days "
    "('limited time' only needs a known end); recurring countdowns go to review",
    "superlative": "puffery passes (deliciously soft, our softest ever, the best way to start your day, "
    "best friend, number one fan); ranks, sales, prices, speed, awards and "
    "'best ... in the world' need an approved claim",
    "health": "'treat yourself' and 'a treat' are fine; cure/heal/immune/detox/clinically/doctor-"
    "recommended/fat-burning/anti-ageing/antibacterial and 'prevents/relieves <ailment>' are claims",
    "origin": "'Made in <place>' (country list or a capitalised place name) is a claim; made for you, "
    "made with love, made in minutes, hecho en casa are not",
    "reference_price": "a stated was/statt/au lieu de price must equal the 30-day prior price; without "
    "history it is BLOCKED; an RRP/UVP goes to review",
    "organic_recycled": "'organic', 'recycled' and 'plastic-free' are specific (certifiable) claims outside "
    "the generic list and are not flagged; 'recyclable' is (US: fine when qualified)",
    "nutrition": "'sugar-free', 'gluten-free', 'lactose-free' are nutrition/composition facts, not free offers "
    "and not health claims: not flagged",
    "free_conditions": "a condition anywhere on the banner counts ('with every order', 'buy 2', 'first order', "
    "'within 30 days', '2e offert' = buy one first)",
    "offsetting": "in EU/EEA markets any neutrality claim with offsetting on the banner (even in a footnote) is "
    "BLOCKED although approved (Directive 2024/825); elsewhere the offsetting statement is an "
    "ordinary claim that needs its own approved wording",
    "negation": "a denied reduction word ('No sale, just fair prices', 'Rabatt? Nein') is not a reduction",
    "guarantee": "satisfaction and money-back guarantees, lifetime warranties, 'risk-free' and '100% guaranteed' "
    "are BLOCKED unless an approved guarantee claim in the library backs the wording; a stated warranty term "
    "('2-year warranty', '2 Jahre Garantie', '1年保証') and 'guaranteed delivery' are not matched",
    "cjk_boundary": "a word boundary (\\b) also falls where Latin letters touch kana, Han or Hangul ('送料FREE', "
    "'FREEお届け'); never inside a Latin word ('carefree') nor between digits and CJK ('3日間')",
    "deadline_today": "'ends tonight', 'at midnight', 'today only' and their translations are a deadline on the "
    "run day, judged against the campaign end like a stated date",
}

#: One function per category, in CATEGORIES order.
RULE_FAMILIES: tuple[Callable[[Doc], list[ClaimFinding]], ...] = (
    price,
    reference_price,
    urgency,
    scarcity,
    free,
    environmental,
    health,
    superlative,
    origin,
    guarantee,
    tone,
)


def find_claims(text: str, ctx: CopyContext) -> list[ClaimFinding]:
    """Every claim in `text` that the data does not support, as findings a designer can act on.

    An empty list means the copy passes; each finding is NEEDS_REVIEW or BLOCKED and its span
    points into `text` as given (not the normalised form).
    """
    if not text or not text.strip():
        if ctx.announced_percent is None:
            return []
    doc = Doc(text or "", ctx)
    findings: list[ClaimFinding] = []
    for family in RULE_FAMILIES:
        findings.extend(family(doc))
    findings.sort(key=lambda f: (f.span, CATEGORIES.index(f.category)))
    return findings

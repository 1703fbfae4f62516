"""What every rule family works on: the copy in its matching views, its context, and findings.

A `Doc` is built once per `find_claims` call; the families search it with `finditer`, turn
normalised spans back into spans of the text the designer typed (`orig_span`), and report
`ClaimFinding`s made by `finding`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from pipeline.checks.claims.normalise import (
    cjk_aware,
    compile_folded,
    despaced_view,
    has_cjk_edge,
    leet_view,
    loose_words,
    match_view,
    normalise_full,
)
from pipeline.checks.claims.table_format import Rule
from pipeline.checks.results import Verdict
from pipeline.model.brand import Claim
from pipeline.model.catalog import CatalogItem
from pipeline.model.locales import LocaleInfo

__all__ = [
    "CATEGORIES",
    "CopyContext",
    "ClaimFinding",
    "Hit",
    "Doc",
    "finding",
    "collect",
    "non_overlapping",
]

CATEGORIES = (
    "price", "reference_price", "urgency", "scarcity", "free",
    "environmental", "health", "superlative", "origin", "guarantee", "tone",
)  # fmt: skip


@dataclass(frozen=True)
class CopyContext:
    """Everything the checker may know about the copy: it reads no environment, clock or file."""

    locale: LocaleInfo
    on: date  # the day the copy runs (campaign start)
    claims: tuple[Claim, ...] = ()  # the brand's claims library
    banned_words: tuple[str, ...] = ()  # brand tone of voice (already merged for the locale)
    sku: str | None = None
    item: CatalogItem | None = None  # catalog row for sku+market: price, stock, history
    campaign_ends: date | None = None
    announced_percent: int | None = None  # reduction the brief announces (besides any in the text)


@dataclass(frozen=True)
class ClaimFinding:
    """One claim the data does not support; `span` points into the text as the designer typed it."""

    rule: str
    category: str
    span: tuple[int, int]
    matched: str
    severity: Verdict  # NEEDS_REVIEW or BLOCKED
    message: str


@dataclass
class Hit:
    """A pattern match, in normalised indices, with the view it ran on (for look-around checks)."""

    start: int  # normalised index
    end: int
    m: re.Match[str]
    view: str  # the view text the match ran on


class Doc:
    """The copy in its views (plain, leetspeak-folded, de-spaced) and its context."""

    def __init__(self, text: str, ctx: CopyContext) -> None:
        self.text = text
        self.ctx = ctx
        self.norm, self.starts, self.ends = normalise_full(text)
        self.view = match_view(self.norm)
        self.leet = leet_view(self.view)
        self.desp, self.desp_map = despaced_view(self.leet)
        # Latin set right against kana/Han/Hangul ("送料FREE"): patterns' \b must see that edge too
        self.cjk_edges = has_cjk_edge(self.leet) or has_cjk_edge(self.view)
        lang = ctx.locale.language
        # brands mix English into every language, so English patterns always run too
        self.langs = (lang, "en") if lang != "en" else ("en",)
        self.market = ctx.locale.market

    @cached_property
    def loose(self) -> tuple[str, list[int]]:
        """The view as single-space-separated words (for comparing with approved claim wording)."""
        return loose_words(self.view)

    # -- spans ------------------------------------------------------------------------------
    def orig_span(self, s: int, e: int) -> tuple[int, int]:
        """The span in the original text that normalised span [s, e) came from."""
        if not self.norm:
            return (0, 0)
        s = min(max(s, 0), len(self.norm) - 1)
        e = min(max(e, s + 1), len(self.norm))
        return self.starts[s], self.ends[e - 1]

    def matched(self, s: int, e: int) -> str:
        """The original text of normalised span [s, e), as the designer typed it."""
        a, b = self.orig_span(s, e)
        return self.text[a:b]

    # -- searching --------------------------------------------------------------------------
    def finditer(self, rx: re.Pattern[str], *, views: str = "plm") -> Iterator[Hit]:
        """Matches over the plain (p), leet (l) and de-spaced (m) views, in normalised indices."""
        if self.cjk_edges:
            rx = cjk_aware(rx)
        seen: list[tuple[int, int]] = []

        def fresh(s: int, e: int) -> bool:
            for a, b in seen:
                if s < b and a < e:
                    return False
            seen.append((s, e))
            return True

        if "p" in views:
            for m in rx.finditer(self.view):
                if m.end() > m.start() and fresh(m.start(), m.end()):
                    yield Hit(m.start(), m.end(), m, self.view)
        if "l" in views and self.leet != self.view:
            for m in rx.finditer(self.leet):
                if m.end() > m.start() and fresh(m.start(), m.end()):
                    yield Hit(m.start(), m.end(), m, self.leet)
        if "m" in views and self.desp != self.leet:
            for m in rx.finditer(self.desp):
                if m.end() > m.start():
                    s, e = self.desp_map[m.start()], self.desp_map[m.end() - 1] + 1
                    if fresh(s, e):
                        yield Hit(s, e, m, self.desp)

    def any(self, patterns: Iterable[str]) -> bool:
        """Does any of `patterns` occur in the plain view?"""
        return any(True for p in patterns for _ in self.finditer(compile_folded(p), views="p"))


def finding(doc: Doc, rule: str, category: str, s: int, e: int, severity: Verdict, message: str) -> ClaimFinding:
    """A finding for normalised span [s, e); an empty span (a reduction from the brief) is (0, 0)."""
    if e <= s:
        return ClaimFinding(rule, category, (0, 0), "", severity, message)
    a, b = doc.orig_span(s, e)
    return ClaimFinding(rule, category, (a, b), doc.text[a:b], severity, message)


def collect(doc: Doc, rows: Iterable[Rule], views: str = "plm") -> list[tuple[str, Hit]]:
    """(rule, hit) for every row's matches its keep check accepts, longest first where they overlap."""
    hits: list[tuple[str, Hit]] = []
    for row in rows:
        for h in doc.finditer(compile_folded(row.pattern), views=views):
            if row.keep is None or row.keep(doc, h):
                hits.append((row.rule, h))
    return non_overlapping(hits)


def non_overlapping(hits: list[tuple[str, Hit]]) -> list[tuple[str, Hit]]:
    """Leftmost-longest hits that do not overlap (the first of equal ones wins)."""
    hits = sorted(hits, key=lambda rh: (rh[1].start, -(rh[1].end - rh[1].start)))
    out: list[tuple[str, Hit]] = []
    for rule, h in hits:
        if out and h.start < out[-1][1].end:
            continue
        out.append((rule, h))
    return out

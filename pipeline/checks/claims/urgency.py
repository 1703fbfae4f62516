"""Urgency claims: a deadline must be true for the campaign; vague time pressure needs a near end.

A stated deadline (a date after 'until', a weekday, 'today only', 'ends in 3 days') must lie between
the run day and the campaign end: after the end it is BLOCKED, before it goes to review (unless
it is a delivery cut-off). 'Last chance' needs a campaign ending within 7 days, 'limited time' a
known end; countdowns that restart every day go to review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from pipeline.checks.claims.document import ClaimFinding, Doc, finding, non_overlapping
from pipeline.checks.claims.lexicon import LANGUAGES, number, patterns, tables_for
from pipeline.checks.claims.normalise import compile_folded, fold_text
from pipeline.checks.results import Verdict

__all__ = ["urgency"]


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


@cache
def _calendar(langs: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
    """Folded month and weekday names of `langs` (Babel, plus the tables' extras) -> number."""
    from babel import Locale

    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for lang in langs:
        try:
            loc = Locale.parse(lang)
        except Exception:  # noqa: BLE001
            continue
        for ctx_name in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                try:
                    by_number = dict(loc.months[ctx_name][width])
                except KeyError:
                    continue
                for num, name in by_number.items():
                    name = fold_text(name).rstrip(".")
                    if name and not any(ch.isdigit() for ch in name) and len(name) >= 3:
                        months.setdefault(name, num)
        for num, name in dict(loc.days["format"]["wide"]).items():
            days.setdefault(fold_text(name), num)
        table = LANGUAGES.get(lang)
        if table is not None:
            for name, num in table.numbers.get("month_names", {}).items():
                months.setdefault(fold_text(name), num)
            for name, num in table.numbers.get("weekday_names", {}).items():
                days.setdefault(fold_text(name), num)
    return months, days


def _alt(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@cache
def _date_rx(langs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for every date form the copy may use (12 May, May 12, 12.5., 5月12日, weekdays)."""
    months, days = _calendar(langs)
    mon, day = _alt(months), _alt(days)
    return re.compile(
        rf"(?P<A>(?<!\d)(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er|ère|\.|º|°)?\s?(?:de |of |ב-?)?(?P<m1>{mon})\.?(?![a-z])"
        rf"(?:,?\s?(?:de )?(?P<y1>\d{{4}}))?)"
        rf"|(?P<B>(?<![a-z])(?P<m2>{mon})\.?\s?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s(?P<y2>\d{{4}}))?)"
        rf"|(?P<C>(?:(?P<y3>\d{{4}})年)?(?P<m3>\d{{1,2}})月\s?(?P<d3>\d{{1,2}})日)"
        rf"|(?P<K>(?:(?P<y4>\d{{4}})년\s?)?(?P<m4>\d{{1,2}})월\s?(?P<d4>\d{{1,2}})일)"
        rf"|(?P<D>(?P<y5>\d{{4}})-(?P<m5>\d{{1,2}})-(?P<d5>\d{{1,2}}))"
        rf"|(?P<E>(?<![\d.,/])(?P<a>\d{{1,2}})(?P<sep>[./])(?P<b>\d{{1,2}})(?:(?P=sep)(?P<y6>\d{{2,4}}))?\.?(?![\d%€$£]|\s?[€$£%]|[.,]\d))"
        rf"|(?P<W>(?<![a-z])(?:{day})(?![a-z]))"
    )


def _mkdate(y: int | None, m: int, d: int, on: date) -> date | None:
    """A date; without a year, one more than 60 days in the past means next year's."""
    year = y if y is not None else on.year
    if year < 100:
        year += 2000
    try:
        out = date(year, m, d)
    except ValueError:
        return None
    if y is None and out < on - timedelta(days=60):
        try:
            out = date(year + 1, m, d)
        except ValueError:
            return None
    return out


def _find_dates(doc: Doc) -> list[tuple[int, int, date]]:
    """(start, end, date) of every date or weekday in the view, in normalised indices."""
    months, days = _calendar(doc.langs)
    on = doc.ctx.on
    found: list[tuple[int, int, date, bool]] = []
    for m in _date_rx(doc.langs).finditer(doc.view):
        g = m.groupdict()
        d: date | None = None
        weekday = False
        if g["A"]:
            d = _mkdate(int(g["y1"]) if g["y1"] else None, months[g["m1"]], int(g["d1"]), on)
        elif g["B"]:
            d = _mkdate(int(g["y2"]) if g["y2"] else None, months[g["m2"]], int(g["d2"]), on)
        elif g["C"]:
            d = _mkdate(int(g["y3"]) if g["y3"] else None, int(g["m3"]), int(g["d3"]), on)
        elif g["K"]:
            d = _mkdate(int(g["y4"]) if g["y4"] else None, int(g["m4"]), int(g["d4"]), on)
        elif g["D"]:
            d = _mkdate(int(g["y5"]), int(g["m5"]), int(g["d5"]), on)
        elif g["E"]:
            a, b = int(g["a"]), int(g["b"])
            y = int(g["y6"]) if g["y6"] else None
            us = doc.ctx.locale.market == "US" and g["sep"] == "/"
            d = _mkdate(y, a, b, on) if us else _mkdate(y, b, a, on)
            if d is None:
                d = _mkdate(y, b, a, on) if us else _mkdate(y, a, b, on)
        elif g["W"]:
            wd = days[m.group("W")]
            d = on + timedelta(days=(wd - on.weekday()) % 7)
            weekday = True
        if d is not None:
            found.append((m.start(), m.end(), d, weekday))
    out = []
    for s, e, d, weekday in found:
        if weekday and any(0 <= s2 - e <= 4 for s2, _, _, w2 in found if not w2):
            continue  # "Sunday 30 November": the date wins
        out.append((s, e, d))
    return out


def _coming_sunday(on: date) -> date:
    """The run day itself when it is a Sunday."""
    return on + timedelta(days=(6 - on.weekday()) % 7)


# --------------------------------------------------------------------------------------------
# The rule family
# --------------------------------------------------------------------------------------------


def urgency(doc: Doc) -> list[ClaimFinding]:
    """Deadlines and time pressure checked against the run day and the campaign end."""
    ctx = doc.ctx
    on, ends = ctx.on, ctx.campaign_ends
    deadlines: list[tuple[int, int, date]] = []
    tables = tables_for(doc.langs)
    pre_alts = "|".join(t.pattern["urgency_cue_before"] for t in tables if "urgency_cue_before" in t.pattern)
    pre_rx = compile_folded(
        rf"(?:{pre_alts})[\s,:\-]*(?:(?:the|am|le|el|la|this|next|on|dem|del|de|ce|este|ה-?|יום|يوم|\S+)[\s,.]+){{0,2}}$"
    )
    post = [t.pattern["urgency_cue_after"] for t in tables if "urgency_cue_after" in t.pattern]
    for s, e, d in _find_dates(doc):
        window = doc.view[max(0, s - 40) : s]
        cue = pre_rx.search(window)
        if cue:
            deadlines.append((s - len(window) + cue.start(), e, d))
            continue
        for p in post:
            pm = compile_folded(p).match(doc.view, e)
            if pm:
                deadlines.append((s, pm.end(), d))
                break
    for t in tables:
        for pattern, delta in t.deadlines.get("urgency_relative", ()):
            for h in doc.finditer(compile_folded(pattern), views="pl"):
                d = _coming_sunday(on) if delta == "sunday" else on + timedelta(days=delta)
                deadlines.append((h.start, h.end, d))
    for pattern in patterns("urgency_countdown", doc.langs):
        for h in doc.finditer(compile_folded(pattern), views="pl"):
            n = number(h.m.group("n"))
            if n is None or n > 366:
                continue
            days = n if h.m.group("ud") else -(-n // 24)
            deadlines.append((h.start, h.end, on + timedelta(days=days)))
    deadlines = sorted(deadlines)
    dl: list[tuple[int, int, date]] = []
    for s, e, d in deadlines:
        if dl and s < dl[-1][1]:
            continue
        dl.append((s, e, d))
    vague = non_overlapping(
        [
            (kind, h)
            for t in tables
            for p, kind in t.vague.get("urgency_vague", ())
            for h in doc.finditer(compile_folded(p))
        ]
    )
    vague = [(k, h) for k, h in vague if not any(h.start < e and s < h.end for s, e, _ in dl)]
    out: list[ClaimFinding] = []
    if (dl or vague) and doc.any([t.pattern["urgency_recurring"] for t in tables if "urgency_recurring" in t.pattern]):
        s, e = (dl[0][0], dl[0][1]) if dl else (vague[0][1].start, vague[0][1].end)
        out.append(
            finding(
                doc,
                "urgency.recurring",
                "urgency",
                s,
                e,
                Verdict.NEEDS_REVIEW,
                f"'{doc.matched(s, e)}' is a countdown that recurs (every day/week), which makes the deadline look "
                "more urgent than it is; a reviewer must confirm it or remove it.",
            )
        )
        return out
    for s, e, d in dl:
        m = doc.matched(s, e)
        if d < on:
            out.append(
                finding(
                    doc,
                    "urgency.deadline_passed",
                    "urgency",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' names {d.isoformat()}, which is before the copy runs ({on.isoformat()}); correct the date.",
                )
            )
        elif ends is None:
            out.append(
                finding(
                    doc,
                    "urgency.no_campaign_end",
                    "urgency",
                    s,
                    e,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' states a deadline ({d.isoformat()}) but the campaign has no end date to check it "
                    "against; set the campaign end date.",
                )
            )
        elif d > ends:
            out.append(
                finding(
                    doc,
                    "urgency.deadline_after_campaign",
                    "urgency",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' promises the offer until {d.isoformat()}, but the campaign ends on {ends.isoformat()}; "
                    f"state {ends.isoformat()} or extend the campaign.",
                )
            )
        elif d < ends and doc.any([t.pattern["shipping_cutoff"] for t in tables if "shipping_cutoff" in t.pattern]):
            continue  # "order by 18 December for Christmas delivery": a shipping cut-off, not the offer's end
        elif d < ends:
            out.append(
                finding(
                    doc,
                    "urgency.deadline_before_campaign_end",
                    "urgency",
                    s,
                    e,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' says the offer ends {d.isoformat()}, but the campaign runs until {ends.isoformat()}, so "
                    "the deadline would be false; state the real end date or confirm in review.",
                )
            )
    for kind, h in vague:
        m = doc.matched(h.start, h.end)
        if ends is None:
            out.append(
                finding(
                    doc,
                    "urgency.unverified",
                    "urgency",
                    h.start,
                    h.end,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' creates time pressure, but the campaign has no end date to back it; set the campaign end "
                    "date or remove the wording.",
                )
            )
        elif kind == "imminent" and not (on <= ends <= on + timedelta(days=7)):
            out.append(
                finding(
                    doc,
                    "urgency.not_imminent",
                    "urgency",
                    h.start,
                    h.end,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' suggests the offer ends very soon, but the campaign runs until {ends.isoformat()} (more "
                    f"than 7 days after {on.isoformat()}); use it only in the final week.",
                )
            )
    return out

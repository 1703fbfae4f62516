"""Price claims: announced reductions and former prices, checked against the 30-day prior price.

A reduction ('-20 %', 'save €10', 'sale') or a former price ('was €49') must agree with the
lowest price of the 30 days before the run day (EU Price Indication Directive 98/6/EC Art. 6a,
see docs/facts.md); without that history it is BLOCKED. An RRP goes to review.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pipeline.checks.claims.document import ClaimFinding, Doc, Hit, finding
from pipeline.checks.claims.lexicon import COMMON, tables_for
from pipeline.checks.claims.normalise import compile_folded, fold_pattern
from pipeline.checks.results import Verdict
from pipeline.model.catalog import prior_price

__all__ = ["price", "reference_price", "parse_amount"]


def parse_amount(raw: str) -> Decimal | None:
    """'1.299,00' / '1,299.00' / '49,-' style amounts as a Decimal (None if unreadable)."""
    s = raw.replace(" ", "").replace("'", "")
    if "," in s and "." in s:
        dec = max(s.rfind(","), s.rfind("."))
        s = re.sub(r"[.,]", "", s[:dec]) + "." + s[dec + 1 :]
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and len(parts) == 2 and sep == ","):
            s = "".join(parts)
        elif len(parts[-1]) == 3 and sep == ".":
            s = "".join(parts)  # 1.299 (grouping) -- prices with 3 decimals do not exist
        else:
            s = parts[0] + "." + parts[1]
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _price_context(doc: Doc) -> tuple[str | None, Decimal | None]:
    """(problem rule or None, prior price)."""
    item = doc.ctx.item
    if item is None:
        return "no_item", None
    prior = prior_price(item, doc.ctx.on)
    if prior is None:
        return "no_history", None
    return None, prior


def _no_history_message(doc: Doc, m: str, problem: str, what: str) -> str:
    sku = doc.ctx.sku or (doc.ctx.item.sku if doc.ctx.item else None)
    if problem == "no_item":
        return (
            f"'{m}' {what}, but no catalog item{f' (SKU {sku})' if sku else ''} is linked for market {doc.market}, "
            "so the lowest price of the last 30 days cannot be checked; link the SKU's catalog row and price history "
            "or remove it."
        )
    return (
        f"'{m}' {what}, but the price history for SKU {sku} in {doc.market} does not cover the 30 days before "
        f"{doc.ctx.on.isoformat()}; add that history (price_history.csv) or remove it."
    )


def _fmt(x: Decimal) -> str:
    return f"{x:.2f}"


def _negated(h: Hit) -> bool:
    """'No sale, just fair prices' / 'Rabatt? Nein.' deny the keyword instead of claiming it."""
    before = compile_folded(COMMON.pattern["negation_before"])
    after = compile_folded(COMMON.pattern["negation_after"])
    return bool(
        before.search(h.view[max(0, h.m.start() - 25) : h.m.start()]) or after.match(h.view[h.m.end() : h.m.end() + 12])
    )


def price(doc: Doc) -> list[ClaimFinding]:
    """Announced reductions (in the copy or the brief) checked against the 30-day prior price."""
    claims: list[tuple[int, int, Decimal | None, Decimal | None]] = []  # (s, e, percent, amount)
    for h in doc.finditer(compile_folded(COMMON.pattern["percent"]), views="p"):
        stated = Decimal(h.m.group("pct").replace(",", "."))
        if not (0 < stated < 100):
            continue
        if re.match(fold_pattern(COMMON.pattern["percent_not_reduction"]), h.view[h.m.end() : h.m.end() + 30]):
            continue
        before = h.view[max(0, h.m.start() - 3) : h.m.start()]
        is_red = bool(re.search(r"-\s?$", before))
        if not is_red:
            window = h.view[max(0, h.m.start() - 30) : h.m.end() + 25]
            is_red = any(
                re.search(fold_pattern(t.pattern["reduction_words"]), window)
                for t in tables_for(doc.langs)
                if "reduction_words" in t.pattern
            )
        if is_red:
            s = h.start - (1 if before.endswith("-") else 2 if re.search(r"-\s$", before) else 0)
            claims.append((s, h.end, stated, None))
    for mm in re.finditer(r"(?<![\d.])(\d(?:\.\d)?|\d{2})\s?折", doc.view):
        v = Decimal(mm.group(1))
        off = 100 - v * 10 if v < 10 else 100 - v
        if 0 < off < 100:
            claims.append((mm.start(), mm.end(), off, None))
    for mm in re.finditer(r"(\d)\s?割(?:引|オフ|off)", doc.view):
        claims.append((mm.start(), mm.end(), Decimal(int(mm.group(1)) * 10), None))
    for h in doc.finditer(compile_folded(COMMON.pattern["half_price"]), views="p"):
        claims.append((h.start, h.end, Decimal(50), None))
    for p in COMMON.patterns["amount_off"]:
        for h in doc.finditer(compile_folded(p), views="p"):
            amt = parse_amount(h.m.group("amt"))
            if amt:
                claims.append((h.start, h.end, None, amt))
    numeric = bool(claims)
    if not numeric:
        for t in tables_for(doc.langs):
            if "generic_reduction" in t.pattern:
                for h in doc.finditer(compile_folded(t.pattern["generic_reduction"])):
                    if not _negated(h):
                        claims.append((h.start, h.end, None, None))
    announced = doc.ctx.announced_percent
    if announced is not None and not any(c[2] == announced for c in claims):
        claims.append((0, 0, Decimal(announced), None))
    if not claims:
        return []
    claims.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    uniq: list[tuple[int, int, Decimal | None, Decimal | None]] = []
    for c in claims:
        if uniq and c[1] > c[0] and c[0] < uniq[-1][1]:
            continue
        uniq.append(c)
    problem, prior = _price_context(doc)
    out: list[ClaimFinding] = []
    if problem:
        s, e, pct, amt = next((c for c in uniq if c[1] > c[0]), uniq[0])
        m = doc.matched(s, e) if e > s else f"{announced} % (from the brief)"
        out.append(
            finding(
                doc,
                "price.no_history",
                "price",
                s,
                e,
                Verdict.BLOCKED,
                _no_history_message(doc, m, problem, "announces a price reduction"),
            )
        )
        return out
    item = doc.ctx.item
    assert item is not None and prior is not None
    current = item.price
    cur = item.currency
    for s, e, pct, amt in uniq:
        m = doc.matched(s, e) if e > s else f"{announced} % (from the brief)"
        if current >= prior:
            out.append(
                finding(
                    doc,
                    "price.no_reduction",
                    "price",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' announces a reduction, but the price {_fmt(current)} {cur} is not below the lowest price "
                    "of the "
                    f"30 days before {doc.ctx.on.isoformat()} ({_fmt(prior)} {cur}); remove the reduction wording.",
                )
            )
            break
        real_pct = (prior - current) / prior * 100
        if pct is not None and real_pct + Decimal("0.5") < pct:
            out.append(
                finding(
                    doc,
                    "price.reduction_overstated",
                    "price",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' announces {pct.normalize():f} % off, but from the 30-day prior price {_fmt(prior)} {cur} "
                    "to "
                    f"{_fmt(current)} {cur} the reduction is {real_pct:.1f} %; announce at most "
                    f"{int(real_pct + Decimal('0.5'))} %.",
                )
            )
        elif amt is not None and (prior - current) + Decimal("0.005") < amt:
            out.append(
                finding(
                    doc,
                    "price.reduction_overstated",
                    "price",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' announces a saving of {_fmt(amt)}, but from the 30-day prior price {_fmt(prior)} {cur} to "
                    f"{_fmt(current)} {cur} the saving is {_fmt(prior - current)} {cur}; correct the amount.",
                )
            )
    return out


_AMT_PLAIN = r"\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CUR = COMMON.fragments["currency"]
_RRP_CUES = COMMON.pattern["rrp_cues"]
_NOW_CUES = COMMON.pattern["now_cues"]
_MONEY_PLAIN = rf"(?:{_CUR}\s?(?:{_AMT_PLAIN})|(?:{_AMT_PLAIN})\s?(?:{_CUR}|,-|\.-)|\d+[.,]\d{{2}}(?!\d))"


def _money_value(s: str) -> Decimal | None:
    """The first amount in a money expression ('49,99 €' -> 49.99)."""
    m = re.search(_AMT_PLAIN, s)
    return parse_amount(m.group(0)) if m else None


def reference_price(doc: Doc) -> list[ClaimFinding]:
    """Former prices ('was €49') that must equal the 30-day prior price; an RRP goes to review."""
    refs: list[tuple[int, int, Decimal, bool, int]] = []  # (s, e, value, rrp, money_end)
    cues = "|".join(t.pattern["reference_cues"] for t in tables_for(doc.langs) if "reference_cues" in t.pattern)
    rx = compile_folded(rf"(?:{cues})[:\s]*(?:(?:of|von|de|du|del|ב-?)\s)?(?P<money>{_MONEY_PLAIN})")
    for h in doc.finditer(rx, views="p"):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append((h.start, h.end, v, False, h.end))
    for h in doc.finditer(compile_folded(rf"(?:{_RRP_CUES})[:\s.]*(?P<money>{_MONEY_PLAIN})"), views="p"):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append((h.start, h.end, v, True, h.end))
    for h in doc.finditer(
        compile_folded(rf"(?P<money>{_MONEY_PLAIN})\s?(?:→|->|➜|⇒|⟶|➔|>|›|»)\s?(?P<now>{_MONEY_PLAIN})"), views="p"
    ):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append(
                (
                    h.start,
                    h.start + (h.m.end("money") - h.m.start()),
                    v,
                    False,
                    h.start + (h.m.end("money") - h.m.start()),
                )
            )
    if not refs:
        return []
    refs.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    uniq: list[tuple[int, int, Decimal, bool, int]] = []
    for r in refs:
        if uniq and r[0] < uniq[-1][1]:
            continue
        uniq.append(r)
    out: list[ClaimFinding] = []
    problem, prior = _price_context(doc)
    item = doc.ctx.item
    for s, e, value, rrp, money_end in uniq:
        m = doc.matched(s, e)
        if rrp:
            out.append(
                finding(
                    doc,
                    "reference_price.rrp",
                    "reference_price",
                    s,
                    e,
                    Verdict.NEEDS_REVIEW,
                    f"'{m}' compares with a recommended retail price, which the catalog cannot verify; a reviewer "
                    "must confirm it is the manufacturer's current RRP.",
                )
            )
            continue
        if problem:
            out.append(
                finding(
                    doc,
                    "reference_price.no_history",
                    "reference_price",
                    s,
                    e,
                    Verdict.BLOCKED,
                    _no_history_message(doc, m, problem, "shows a former price"),
                )
            )
            continue
        assert item is not None and prior is not None
        if abs(value - prior) > Decimal("0.005"):
            out.append(
                finding(
                    doc,
                    "reference_price.mismatch",
                    "reference_price",
                    s,
                    e,
                    Verdict.BLOCKED,
                    f"'{m}' shows {_fmt(value)} as the former price, but the lowest price of the 30 days before "
                    f"{doc.ctx.on.isoformat()} was {_fmt(prior)} {item.currency}; show {_fmt(prior)} as the former "
                    "price.",
                )
            )
            continue
        now = compile_folded(rf"^[\s,;:/|-]*(?:{_NOW_CUES})?[\s:]*(?P<now>{_MONEY_PLAIN})").search(
            doc.view[money_end : money_end + 30]
        )
        if now:
            nv = _money_value(now.group("now"))
            if nv is not None and abs(nv - item.price) > Decimal("0.005"):
                ns, ne = money_end + now.start("now"), money_end + now.end("now")
                out.append(
                    finding(
                        doc,
                        "reference_price.current_mismatch",
                        "reference_price",
                        ns,
                        ne,
                        Verdict.BLOCKED,
                        f"'{doc.matched(ns, ne)}' is shown as the current price, but the catalog price is "
                        f"{_fmt(item.price)} {item.currency}; show the catalog price.",
                    )
                )
    return out

"""Misleading-claims copy checker: finds candidate claims in banner copy and judges them against data.

A pattern only *finds* a candidate claim (a reduction, a deadline, "only 3 left", "free", a generic
green claim, a health or superlative claim, a "Made in"). Whether it may stand is decided by data
(FACTS.md section 4): the 30-day prior price from the price history (EU 98/6/EC Art. 6a), the
campaign end date, live stock, conditions printed on the banner, and the brand's claims library
(category, market, SKU, validity dates, approved wording). The module is pure: everything it needs
arrives in `CopyContext`; it reads no environment, clock or file.

Matching works on a normalised copy of the text (NFKC, case-folded, look-alike spaces and hyphens
unified, invisible marks, Arabic harakat/tatweel, Hebrew niqqud and Devanagari nukta removed, native
digits to ASCII) with an index map back to the original, so every finding's span points at the
text the designer typed. Keyword families also run over an accent-folded view, a leetspeak-folded
view (fr33 -> free, c02 -> co2, 3co -> eco) and a de-spaced view (E C O -> eco); numbers and dates are
parsed from the un-folded text only.

Boundary decisions (what a designer may write without a finding) are listed in `BOUNDARIES`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator

from pipeline import checks as _checks  # module import: tolerates pipeline.checks importing us back
from pipeline.brand import Claim
from pipeline.catalog import CatalogItem, prior_price
from pipeline.locales import LocaleInfo

if TYPE_CHECKING:
    from pipeline.checks import Verdict

__all__ = [
    "CATEGORIES",
    "BOUNDARIES",
    "CopyContext",
    "ClaimFinding",
    "find_claims",
    "normalise",
]

CATEGORIES = (
    "price", "reference_price", "urgency", "scarcity", "free",
    "environmental", "health", "superlative", "origin", "tone",
)

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
}

EU_MARKETS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)


def _verdict():
    return _checks.Verdict


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyContext:
    locale: LocaleInfo
    on: date                              # the day the copy runs (campaign start)
    claims: tuple[Claim, ...] = ()        # the brand's claims library
    banned_words: tuple[str, ...] = ()    # brand tone of voice (already merged for the locale)
    sku: str | None = None
    item: CatalogItem | None = None       # catalog row for sku+market: price, stock, history
    campaign_ends: date | None = None
    announced_percent: int | None = None  # reduction the brief announces (besides any in the text)


@dataclass(frozen=True)
class ClaimFinding:
    rule: str
    category: str
    span: tuple[int, int]
    matched: str
    severity: Verdict  # NEEDS_REVIEW or BLOCKED
    message: str


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_SPACE_CHARS = frozenset(
    "\t\n\r\f\v\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_HYPHEN_CHARS = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u05be\u2e3a\u2e3b")
_QUOTE_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "\u0060": "'",
    "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
}
_INVISIBLE_CHARS = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0640"  # + Arabic tatweel
)
_ARABIC_PUNCT = {"\u066a": "%", "\u060c": ",", "\u061b": ";", "\u061f": "?", "\u066b": ".", "\u066c": ","}


def _is_dropped_mark(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0610 <= cp <= 0x061A or 0x064B <= cp <= 0x065F or cp == 0x0670 or 0x06D6 <= cp <= 0x06ED  # harakat
        or 0x0591 <= cp <= 0x05BD or cp in (0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7)  # niqqud
        or cp == 0x093C  # Devanagari nukta (फ़ == फ for matching)
    )


def _is_combining(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M") or ch in "\uff9e\uff9f"


def _fold_char(out: str) -> str:
    """Per-character mapping after NFKC + casefold (spaces, hyphens, quotes, digits)."""
    res = []
    for c in out:
        if c in _SPACE_CHARS or (c.isspace()):
            res.append(" ")
        elif c in _HYPHEN_CHARS:
            res.append("-")
        elif c in _QUOTE_MAP:
            res.append(_QUOTE_MAP[c])
        elif c in _ARABIC_PUNCT:
            res.append(_ARABIC_PUNCT[c])
        elif c in _INVISIBLE_CHARS or _is_dropped_mark(c):
            continue
        elif ord(c) > 127 and unicodedata.category(c) == "Nd":
            res.append(str(unicodedata.decimal(c)))
        else:
            res.append(c)
    return "".join(res)


_LINE_BREAK_HYPHEN = re.compile(r"[ \t]*\n\s*(?=[^\W\d_])")


def _normalise_full(text: str) -> tuple[str, list[int], list[int]]:
    """Normalised text plus, per normalised char, the original start and end offsets."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _INVISIBLE_CHARS or _is_dropped_mark(ch):
            i += 1
            continue
        if (ch == "-" or ch in _HYPHEN_CHARS) and i and text[i - 1].isalpha():
            # a word hyphenated across a line break ("Klima-\nneutral") is one word
            brk = _LINE_BREAK_HYPHEN.match(text, i + 1)
            if brk:
                i = brk.end()
                continue
        j = i + 1
        cluster = ch
        while j < n and _is_combining(text[j]):
            if not (_is_dropped_mark(text[j]) or text[j] in _INVISIBLE_CHARS):
                cluster += text[j]
            j += 1
        out = _fold_char(unicodedata.normalize("NFKC", cluster).casefold())
        # NFKC can yield characters that need another round (e.g. fullwidth -> ASCII done; fine)
        for c in out:
            if c == " " and (not chars or chars[-1] == " "):
                continue  # collapse runs of spaces, drop leading
            chars.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    while chars and chars[-1] == " ":
        chars.pop(), starts.pop(), ends.pop()
    return "".join(chars), starts, ends


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and a map from each normalised index to the original index.

    The map has one extra entry at the end (the original length), so a normalised half-open
    span [a, b) maps to the original span [map[a], map[b]) for b == len(norm) as well.
    """
    norm, starts, _ = _normalise_full(text)
    return norm, starts + [len(text)]


# Accent/letter-variant folding for matching (one char -> one char, so indices stay aligned).
_LETTER_FOLD = {
    "ø": "o", "đ": "d", "ł": "l", "ı": "i", "ħ": "h", "ŧ": "t",
    # Arabic letter variants (hamza carriers, alef maqsura, ta marbuta) and Persian look-alikes
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ک": "ك", "ی": "ي",
    # Hebrew final-form-insensitive? No: final forms are distinct letters in spelling; keep them.
    "״": '"', "׳": "'",
}


@lru_cache(maxsize=4096)
def _fold_match_char(c: str) -> str:
    if c in _LETTER_FOLD:
        return _LETTER_FOLD[c]
    cp = ord(c)
    if cp < 0x80:
        return c
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
        d = unicodedata.normalize("NFKD", c)
        if d and ord(d[0]) < 0x80 and all(unicodedata.category(x).startswith("M") for x in d[1:]):
            return d[0]
    return c


def _match_view(norm: str) -> str:
    return "".join(_fold_match_char(c) for c in norm)


_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
_LEET_TOKEN = re.compile(r"[a-z0-9@$€]+")


def _leet_view(view: str) -> str:
    out = list(view)
    for m in _LEET_TOKEN.finditer(view):
        tok = m.group(0)
        if re.search(r"[a-z]", tok) and re.search(r"[013457@$€]", tok):
            for k, ch in enumerate(tok):
                if ch in _LEET:
                    out[m.start() + k] = _LEET[ch]
    return "".join(out)


_SPACED_RUN = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[ .\-*_·•][a-z0-9]){2,}(?![a-z0-9])")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_INTRA_HYPHEN = re.compile(r"(?<=[^\W\d_])[-·•](?=[^\W\d_])")


def _despaced_view(view: str) -> tuple[str, list[int]]:
    """Join s.p.a.c.e.d letters and squeeze runs of 3+ equal letters to 2; map to view indices."""
    keep = [True] * len(view)
    for m in _SPACED_RUN.finditer(view):
        for k in range(m.start(), m.end()):
            if not view[k].isalnum():
                keep[k] = False
    for m in _REPEATS.finditer(view):
        for k in range(m.start() + 2, m.end()):
            keep[k] = False
    for m in _INTRA_HYPHEN.finditer(view):  # sus-tain-able, umwelt-freundlich
        keep[m.start()] = False
    idx = [k for k in range(len(view)) if keep[k]]
    return "".join(view[k] for k in idx), idx


@lru_cache(maxsize=None)
def _fold_pattern(pattern: str) -> str:
    """Apply the normalisation + match folding to the literal non-ASCII characters of a regex."""
    out = []
    for c in pattern:
        if ord(c) < 0x80:
            out.append(c)
            continue
        if c in _INVISIBLE_CHARS or _is_dropped_mark(c):
            continue
        folded = _fold_char(unicodedata.normalize("NFKC", c).casefold())
        out.append("".join(_fold_match_char(x) for x in folded))
    return "".join(out)


@lru_cache(maxsize=None)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(_fold_pattern(pattern))


def _fold_text(s: str) -> str:
    return _match_view(_normalise_full(s)[0])


# --------------------------------------------------------------------------------------------
# Document: the text in its views
# --------------------------------------------------------------------------------------------


@dataclass
class _Hit:
    start: int   # normalised index
    end: int
    m: re.Match[str]
    view: str    # the view text the match ran on


class _Doc:
    def __init__(self, text: str, ctx: CopyContext):
        self.text = text
        self.ctx = ctx
        self.norm, self.starts, self.ends = _normalise_full(text)
        self.view = _match_view(self.norm)
        self.leet = _leet_view(self.view)
        self.desp, self.desp_map = _despaced_view(self.leet)
        lang = ctx.locale.language
        self.langs = (lang, "en") if lang != "en" else ("en",)
        self.market = ctx.locale.market

    # -- spans ------------------------------------------------------------------------------
    def orig_span(self, s: int, e: int) -> tuple[int, int]:
        if not self.norm:
            return (0, 0)
        s = min(max(s, 0), len(self.norm) - 1)
        e = min(max(e, s + 1), len(self.norm))
        return self.starts[s], self.ends[e - 1]

    def matched(self, s: int, e: int) -> str:
        a, b = self.orig_span(s, e)
        return self.text[a:b]

    # -- searching --------------------------------------------------------------------------
    def finditer(self, rx: re.Pattern[str], *, views: str = "plm") -> Iterator[_Hit]:
        """Matches over the plain (p), leet (l) and de-spaced (m) views, in normalised indices."""
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
                    yield _Hit(m.start(), m.end(), m, self.view)
        if "l" in views and self.leet != self.view:
            for m in rx.finditer(self.leet):
                if m.end() > m.start() and fresh(m.start(), m.end()):
                    yield _Hit(m.start(), m.end(), m, self.leet)
        if "m" in views and self.desp != self.leet:
            for m in rx.finditer(self.desp):
                if m.end() > m.start():
                    s, e = self.desp_map[m.start()], self.desp_map[m.end() - 1] + 1
                    if fresh(s, e):
                        yield _Hit(s, e, m, self.desp)

    def any(self, patterns: list[str]) -> bool:
        return any(True for p in patterns for _ in self.finditer(_rx(p), views="p"))


def _pats(table: dict[str, list], langs: tuple[str, ...]) -> list:
    out = []
    for lang in langs:
        out.extend(table.get(lang, []))
    return out


# --------------------------------------------------------------------------------------------
# Claims library
# --------------------------------------------------------------------------------------------


def _loose(s: str) -> tuple[str, list[int]]:
    """Letters/digits (with their marks) in single-space-separated runs; map to input indices."""
    chars: list[str] = []
    idx: list[int] = []
    for k, c in enumerate(s):
        if c.isalnum() or unicodedata.category(c).startswith("M"):
            chars.append(c)
            idx.append(k)
        elif chars and chars[-1] != " ":
            chars.append(" ")
            idx.append(k)
    while chars and chars[-1] == " ":
        chars.pop(), idx.pop()
    return "".join(chars), idx


def _why_not(claim: Claim, market: str, sku: str | None, on: date) -> str:
    if claim.valid_from is not None and on < claim.valid_from:
        return f"the approved claim '{claim.text}' is valid only from {claim.valid_from.isoformat()}"
    if on > claim.expires:
        return f"the approved claim '{claim.text}' expired on {claim.expires.isoformat()}"
    if not ("*" in claim.markets or market in claim.markets):
        return f"the approved claim '{claim.text}' is approved for {', '.join(claim.markets)} only"
    if not ("*" in claim.skus or sku is None or sku in claim.skus):
        return f"the approved claim '{claim.text}' is approved for SKU {', '.join(claim.skus)} only"
    return f"the approved claim '{claim.text}' does not apply here"


def _library(doc: _Doc, category: str, s: int, e: int) -> tuple[bool, str]:
    """Is the claim at normalised span [s, e) substantiated by the library? (ok, reason if not)."""
    ctx = doc.ctx
    where = f"market {doc.market}" + (f" and SKU {ctx.sku}" if ctx.sku else "") + f" on {ctx.on.isoformat()}"
    cands = [c for c in ctx.claims if c.category == category]
    if not cands:
        return False, f"the claims library has no approved {category} claim for {where}"
    loose, lmap = doc.loose
    worded: list[Claim] = []
    for c in cands:
        cl = _loose(_fold_text(c.text))[0]
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


# --------------------------------------------------------------------------------------------
# Pattern tables. Patterns are written in lower case with their natural accents/letters; the
# same folding as the text is applied to their literal characters (é -> e, أ -> ا, ß -> ss).
# Each row: (rule, regex) or (rule, regex, filter(doc, hit) -> keep?).
# --------------------------------------------------------------------------------------------

_Row = tuple  # (rule, pattern[, filter])


def _near(doc: _Doc, h: _Hit, pattern: str, before: int = 40, after: int = 40) -> bool:
    window = h.view[max(0, h.m.start() - before): h.m.end() + after]
    return re.search(_fold_pattern(pattern), window) is not None


# ---- environmental ----------------------------------------------------------------------------

_GREEN_NOUNS = (
    r"choice|choices|option|options|alternative|alternatives|products?|packaging|pack|living|lifestyle|"
    r"life|way|ways|future|planet|energy|power|powered|electricity|credentials|shopping|brand|company|"
    r"solutions?|formulas?|formulation|cleaning|clean|home|habits?|swaps?|promise|commitment|materials?|"
    r"technology|tech|delivery|shipping|manufacturing|production|business|beauty|fashion|initiative|"
    r"mission|values|movement|revolution|steps?|investment|goods|consumer|footprint|certified|friendly|"
    r"conscious|credentials|alternative"
)


def _fr_durable_ok(doc: _Doc, h: _Hit) -> bool:
    return not _near(doc, h, r"solide|résistant|robuste|qui dure|longue durée|longtemps|usure|des années|inusable")


def _recyclable_keep(doc: _Doc, h: _Hit) -> bool:
    if doc.market != "US":
        return True
    qualified = (
        r"check locally|check (?:with )?(?:your )?local|where (?:facilities|recycling) (?:exist|is available)|"
        r"may not be recyclable|not recyclable in all|in (?:some|many|most) communities|where accepted|"
        r"store drop-?off|recycling facilities|recycling programs? (?:exist|are available)|"
        r"\d+ ?% of (?:us |u\.s\. )?(?:communities|households|consumers)"
    )
    return not re.search(_fold_pattern(qualified), doc.view)


_ENV: dict[str, list[_Row]] = {
    "en": [
        ("environmental.generic", r"\beco[- ]?(?:friendly|friendlier|conscious|smart|wise|minded|responsible|positive|safe|sensitive|aware|chic|choice|option|alternative|edition|range|collection|line|packaging|pack|design|designed|material|materials|fabric|cotton|product|products|version|refills?|bottle|bag|warrior|logical|logically|credentials|label|certified)\b"),
        ("environmental.generic", r"\beco\b(?![- ]?(?:mode|programme|program|setting|settings|cycle|wash|button|function|system))"),
        ("environmental.generic", r"\becolog(?:ical|ically|y)\b|\b(?:environment(?:al(?:ly)?)?)[- ]?(?:friendly|friendlier|conscious|safe|sound|responsible|positive|kind|kinder|better|preferable|aware|gentle|smart)\b"),
        ("environmental.generic", r"\b(?:kind|kinder|good|better|gentle|gentler|friendly|friendlier|easy|easier|safe|safer|lighter|great|nicer|best|softer|nice|fair|fairer) (?:to|for|on) (?:the |our |your |this )?(?:planet|earth|environment|nature|oceans?|climate)\b"),
        ("environmental.generic", r"\b(?:planet|earth|nature|climate|ocean|environment|forest|wildlife)[- ]?(?:friendly|friendlier|positive|safe|conscious|kind|kinder|smart|first|proof|approved|loving|saving|protecting|neutral)\b"),
        ("environmental.generic", r"\b(?:save|saves|saving|protect|protects|protecting|help|helps|helping|heal|heals|healing|respect|respects|respecting|restore|restores|restoring|cool|cools|love|loves|care for|cares for|caring for|spare|spares) (?:the |our |your )?(?:planet|earth|environment|climate)\b|\b(?:for|towards?) (?:the|a|our) (?:better|greener|healthier|cleaner|happier|sustainable|livable) (?:planet|earth|world|future|tomorrow)\b|\bfor the planet\b"),
        ("environmental.generic", r"\bgreen(?:er|est)\b"),
        ("environmental.generic", r"\b(?:for|to|on|and|with|love|loves|loving|help|helps|protect|protects|kind|kinder|good|better|gentle|gentler|respect|respects|care for|cares for|think of|thinking of|mindful of|easy on|people,?) (?:the |our |your |this )?(?:planet|environment)\b|\b(?:planet|environment|earth) in mind\b|\b(?:for|to|and|with|love|loves|help|helps|protect|protects|kind|kinder|good|better|gentle|gentler|respect|respects|care for|cares for|easy on) (?:the |our |your |mother )?earth\b|\bmother (?:earth|nature)\b|\blow[- ]impact\b(?! (?:workouts?|exercises?|training|sports?|cardio|yoga|class|classes|moves|fitness|aerobics))"),
        ("environmental.generic", r"\b(?:go|goes|going|gone|went|think|thinking|be|live|living|shop|shopping|choose|choosing|stay|buy|buying|act|truly|100 ?%|100 percent|certified|totally|naturally|clean (?:and|&)) green\b|\bgreen (?:and|&) clean\b|\bgreen (?:by (?:design|nature|default)|at heart|to the core|from the (?:inside|start|ground up))\b"),
        ("environmental.generic", r"\bgreen[- ](?:" + _GREEN_NOUNS + r")\b"),
        ("environmental.generic", r"\bsustainab\w*|\bresponsibl[ey][- ](?:made|sourced|produced|crafted|grown|manufactured|harvested|packaged)\b|\b(?:consciously|sustainably)[- ](?:made|sourced|produced|crafted|grown)\b|\bconscious (?:choice|collection|living|fashion|consumer|consumption|shopping|line|edition|range|style|beauty)\b"),
        ("environmental.generic", r"\b(?:renewable|clean|solar|wind)[- ](?:energy|power|electricity|powered)\b|\bzero[- ]waste\b|\b(?:low|less|reduced|minimal)[- ]waste\b|\bcircular (?:fashion|design|economy)\b|\bresponsible (?:choice|fashion|materials?|packaging|production|consumption|shopping|sourcing)\b"),
        ("environmental.neutrality", r"\b(?:carbon|climate|co2|ghg|emissions?|greenhouse[- ]gas)[- ]?(?:neutral|neutrality|negative|positive|free|zero|compensated|offset|balanced)\b|\bnet[- ]?zero\b|\bzero[- ](?:carbon|emissions?|co2|impact|footprint)\b|\b(?:low|lower|reduced|minimal|no)[- ](?:carbon|co2|emissions?)\b|\b(?:reduced|lower|smaller|tiny|zero|minimal|low|neutral) (?:carbon|co2|environmental|ecological|climate) (?:footprint|impact)\b|\bcarbon[- ]?(?:footprint|friendly|smart|conscious|light)\b|\bclimate[- ](?:smart|conscious|safe|kind|action)\b|\bplastic[- ]neutral\b|\bwater[- ]positive\b"),
        ("environmental.biodegradable", r"\bbio[- ]?degradable\b|\b(?:home[- ])?compostable\b|\bbiodegrades?\b|\b(?:can|to|will|just|simply) compost\b|\bhome[- ]compost\w*|\b(?:in|into) (?:the|your) compost\b|\bcompost (?:it|them|this|the \w+) at home\b"),
        ("environmental.recyclable", r"\b(?:100 ?% |fully |widely |infinitely |easily |completely |totally )?recyclable\b", _recyclable_keep),
        ("environmental.natural", r"\b(?:100 ?%|100 percent|all|pure(?:ly)?|totally|completely|entirely|truly|purely|nothing but|naturally) ?-?natural\b|\bnatural (?:ingredients?|products?|formula(?:tion)?s?|cosmetics|skin ?care|origin|extracts?|goodness|remed(?:y|ies)|actives?|alternatives? to)\b|\bnaturally (?:derived|sourced)\b"),
        ("environmental.offset", r"\b(?:carbon|co2|climate|emissions?)[- ]?(?:offset\w*|compensat\w*)\b|\b(?:offset\w*|compensat\w*)(?: [\w']+){0,3} (?:carbon|co2|emissions?|footprint)\b|\b(?:through|via|by|with|thanks to) (?:[\w-]+ ){0,2}(?:offset\w*|compensation|compensating)\b|\boffsetting\b|\boffset (?:projects?|credits?|schemes?|programmes?|programs?)\b"),
    ],
    "de": [
        ("environmental.neutrality", r"\b(?:klima|co2|co 2|treibhausgas|emissions|kohlendioxid|carbon)[- ]?(?:neutral|positiv|negativ|frei|kompensiert|ausgeglichen|reduziert|arm|bilanziert|neutralität)\w*|\bnetto[- ]?null\b|\bemissionsfrei\w*|\bnull emissionen\b|\bco2[- ]?(?:fußabdruck|bilanz)\b"),
        ("environmental.generic", r"\bklima(?:freundlich|schonend|bewusst|gerecht|schützend|fit|smart|positiv)\w*|\bumwelt(?:freundlich|schonend|bewusst|verträglich|gerecht|neutral|fair|positiv|schützend|sensibel|schonender)\w*|\bnachhaltig\w*|\bzukunftsfähig\w*|\bressourcen(?:schonend|sparend|freundlich)\w*|\bplaneten(?:freundlich|schonend)\w*|\berdfreundlich\w*"),
        ("environmental.generic", r"\b(?:öko|oeko)(?!nom)\w*"),
        ("environmental.generic", r"\b(?:gut|besser|freundlich|schonend|sanft|gutes|fair|fairer) (?:für|fürs|für's|zur|zu) (?:die |unsere |unseren |unserer |den |der )?(?:umwelt|planeten|planet|erde|natur|klima)\b|\b(?:schont|schützt|schonen|schützen|rettet|retten) (?:die umwelt|das klima|den planeten|ressourcen|die erde)\b|\bfür (?:den|unseren) planeten\b"),
        ("environmental.generic", r"\bgrün(?:e|er|es|en)? (?:wahl|alternative|produkte?|verpackung\w*|strom|energie|zukunft|lebensstil|mode|weg|gewissen|entscheidung)\b|\bgrünst\w*|\bgrüner leben\b|\bverantwortungsvoll (?:hergestellt|produziert|gefertigt|beschafft)\w*"),
        ("environmental.biodegradable", r"\bbiologisch abbaubar\w*|\bbio[- ]?abbaubar\w*|\bkompostierbar\w*"),
        ("environmental.recyclable", r"\b(?:100 ?% |voll |vollständig |komplett )?(?:recycelbar|recyclebar|recyclingfähig|wiederverwertbar)\w*"),
        ("environmental.natural", r"\b(?:100 ?%|rein|ganz|völlig|vollkommen|pur|echt) natürlich\w*|\bnaturrein\w*|\bnatürliche (?:inhaltsstoffe|zutaten|rezeptur|kosmetik|formel|produkte|wirkstoffe)\b|\brein pflanzlich\w*"),
        ("environmental.offset", r"\bkompens\w*|\b(?:co2|emissions|klima)[- ]?ausgleich\w*|\b(?:co2|emissionen|klima)[- ]?ausgeglichen\w*"),
    ],
    "fr": [
        ("environmental.generic", r"\b(?:respectueu(?:x|se|ses)|ami(?:e|es|s)?|soucieu(?:x|se|ses)|bienveillant\w*|responsables?|meilleur\w*|bon(?:ne|s|nes)?|plus douce?s?|doux|douce|engagé\w*) (?:de|avec|envers|pour) (?:l'environnement|la planète|la nature|le climat|notre planète)\b"),
        ("environmental.generic", r"\bécolo\w*|\béco[- ]?(?:responsable|conçu|conçue|conscient|citoyen|friendly|logique|design|emballage|geste)\w*|\béco\b(?! ?(?:mode|programme))"),
        ("environmental.generic", r"\bdurables?\b", _fr_durable_ok),
        ("environmental.generic", r"\b(?:geste|choix|mode|solution|option|alternative|achat|consommation|emballage|produit|produits|matière|matières|collection|démarche|engagement|énergie|électricité|fabrication|beauté)s? (?:vert|verte|verts|vertes|plus verte?s?|écolo|éco-responsable|responsables?)\b|\bplus (?:verte?s?|responsables?)\b|\bverdi\w*"),
        ("environmental.generic", r"\b(?:préserve|préserver|préservent|protège|protéger|protègent|sauve|sauver|respecte|respecter|aide|aider|aime|prend soin de) (?:la planète|l'environnement|le climat|la nature)\b|\bpour la planète\b|\bbon(?:ne)? pour la planète\b|\bmeilleur\w* pour la planète\b"),
        ("environmental.neutrality", r"\bneutres? en (?:carbone|co2|émissions)\b|\bneutralité (?:carbone|climatique)\b|\bcarbone neutre\b|\bclimatiquement neutres?\b|\b(?:zéro|0) (?:émission|émissions|carbone|co2|déchet|déchets|impact)\b|\bbas carbone\b|\bfaible (?:empreinte|impact) (?:carbone|écologique|environnemental)\b|\bempreinte carbone\b"),
        ("environmental.biodegradable", r"\bbiodégradables?\b|\bcompostables?\b"),
        ("environmental.recyclable", r"\b(?:100 ?% |entièrement |totalement )?recyclables?\b", _recyclable_keep),
        ("environmental.natural", r"\b(?:100 ?%|tout|entièrement|totalement|purement|pur|100 pour cent) naturel\w*|\bingrédients? (?:\w+ )?naturels?\b|\bd'origine naturelle\b"),
        ("environmental.offset", r"\bcompens\w*"),
    ],
    "es": [
        ("environmental.generic", r"\becológic\w*|\beco[- ]?(?:friendly|amigable|responsable|sostenible|lógico|consciente)\w*|\beco\b(?! ?(?:mode|modo|programa))"),
        ("environmental.generic", r"\bsostenib\w*|\bsustentab\w*|\bsustentable\w*"),
        ("environmental.generic", r"\b(?:respetuos[oa]s?|amigables?|comprometid[oa]s?|buen[oa]s?|mejor(?:es)?|amable|responsables?) (?:con|para) (?:el medio ?ambiente|el planeta|la naturaleza|el entorno|el clima)\b|\b(?:cuida|cuidamos|cuidar|protege|protegemos|proteger|salva|salvar|ayuda a|respeta|respetamos) (?:el |al |del )?(?:planeta|medio ?ambiente|clima)\b|\bpor el planeta\b|\bpara el planeta\b"),
        ("environmental.generic", r"\b(?:opción|opciones|elección|alternativa|moda|consumo|compra|producto|productos|envase|embalaje|energía|materiales?)s? (?:verdes?|más verdes?|responsables?|ecológic\w+)\b|\bmás verdes?\b"),
        ("environmental.neutrality", r"\b(?:neutr[oa]s?|neutral(?:es)?) en (?:carbono|co2|emisiones|clima)\b|\bcarbono neutral\b|\bclimáticamente neutr\w+|\b(?:cero|0) (?:emisiones|carbono|co2|residuos)\b|\bhuella de carbono\b|\bbaj[oa]s? en (?:carbono|emisiones)\b|\bneutralidad (?:climática|de carbono|en carbono)\b"),
        ("environmental.biodegradable", r"\bbiodegradables?\b|\bcompostables?\b"),
        ("environmental.recyclable", r"\b(?:100 ?% |totalmente )?reciclables?\b", _recyclable_keep),
        ("environmental.natural", r"\b(?:100 ?%|totalmente|puro|pura|todo|completamente|cien por cien) naturales?\b|\bingredientes? naturales?\b|\bde origen natural\b"),
        ("environmental.offset", r"\bcompens\w*"),
    ],
    "ja": [
        ("environmental.generic", r"(?:環境|地球|自然|海|森|未来)に(?:やさしい|優しい|やさしく|優しく|配慮|いい|良い)|環境配慮|環境対応|エコ(?!ノミ)|サステナブル|サスティナブル|サステイナブル|持続可能|グリーン(?:な|エネルギー|電力)|環境負荷(?:を)?(?:低減|軽減|削減|ゼロ)"),
        ("environmental.neutrality", r"カーボン(?:ニュートラル|ネガティブ|ゼロ|フリー)|co2(?:ゼロ|削減|排出ゼロ|ニュートラル|フリー|オフ)|脱炭素|ゼロエミッション|ネットゼロ|炭素(?:中立|ゼロ)|温室効果ガス(?:ゼロ|削減)"),
        ("environmental.biodegradable", r"生分解|堆肥化可能"),
        ("environmental.recyclable", r"リサイクル可能|100 ?%リサイクル可能"),
        ("environmental.natural", r"(?:100 ?%|純|完全)(?:天然|自然)|天然(?:成分)?100|自然由来(?:成分)?100"),
        ("environmental.offset", r"(?:カーボン)?オフセット|排出(?:量)?(?:を)?相殺"),
    ],
    "zh": [
        ("environmental.generic", r"环保|環保|绿色(?:环保|产品|生活|出行|能源|包装|消费|材料|材质|科技|制造|选择|理念)|可持续|永续|生态友好|对环境友好|环境友好|地球友好|低碳|零污染|无污染"),
        ("environmental.neutrality", r"碳中和|零碳|净零|零排放|碳足迹|负碳"),
        ("environmental.biodegradable", r"可降解|生物降解|可堆肥"),
        ("environmental.recyclable", r"可回收|可循环"),
        ("environmental.natural", r"纯天然|全天然|100 ?%天然"),
        ("environmental.offset", r"碳抵消|碳补偿|碳汇"),
    ],
    "ko": [
        ("environmental.generic", r"친환경|환경 ?친화|지구를 (?:위한|생각하는|지키는)|환경을 (?:생각|지키|보호)|지속 ?가능|에코(?!백)|그린 ?(?:에너지|라이프|제품)"),
        ("environmental.neutrality", r"탄소 ?중립|넷 ?제로|탄소 ?제로|제로 ?에미션|탄소 ?배출 ?(?:제로|없는|감소)|저탄소"),
        ("environmental.biodegradable", r"생분해|퇴비화"),
        ("environmental.recyclable", r"재활용 ?가능"),
        ("environmental.natural", r"100 ?% ?(?:천연|자연)|천연 ?100|순수 ?천연"),
        ("environmental.offset", r"탄소 ?상쇄|탄소 ?오프셋"),
    ],
    "ar": [
        ("environmental.generic", r"صديق(?:ة)? ?(?:لل|ل|ا)بيئة|(?:امن|آمن|آمنة) على البيئة|(?:يحافظ|تحافظ|نحافظ) على البيئة|(?:يحمي|تحمي) البيئة|مستدام|استدامة|(?:منتج|منتجات|خيار|خيارات|عبوة|عبوات|تغليف)(?: \S+)? (?:بيئي|بيئية|أخضر|خضراء)|صديق(?:ة)? (?:لل|ل)كوكب|أفضل (?:لل|ل)(?:بيئة|كوكب)|من أجل (?:ال)?كوكب|رفيق(?:ة)? بالبيئة"),
        ("environmental.neutrality", r"محايد(?:ة)? (?:للكربون|الكربون|كربوني\S*|مناخي\S*)|الحياد (?:الكربوني|المناخي)|حياد كربوني|خال(?:ي|ية)? من (?:الكربون|الانبعاثات)|انبعاثات صفرية|صفر انبعاثات|بصمة كربونية|منخفض(?:ة)? الكربون"),
        ("environmental.biodegradable", r"قابل(?:ة)? للتحلل|يتحلل (?:طبيعيا|بيولوجيا)"),
        ("environmental.recyclable", r"قابل(?:ة)? (?:لإعادة التدوير|للتدوير)"),
        ("environmental.natural", r"طبيعي(?:ة)? ?(?:100|بالكامل|تماما|تماماً)|100 ?% ?طبيعي|مكونات طبيعية"),
        ("environmental.offset", r"تعويض (?:ال)?(?:كربون|انبعاثات)|معادلة (?:ال)?(?:كربون|انبعاثات)"),
    ],
    "he": [
        ("environmental.generic", r"ידידותי(?:ת|ים|ות)? ל(?:סביבה|כדור הארץ|טבע|כוכב)|שומר(?:ת|ים|ות)? על (?:ה)?סביבה|בר[- ]קיימא|ברי[- ]קיימא|קיימות|אקולוגי\S*|ירוק(?:ה|ים|ות)? יותר|טוב(?:ה)? ל(?:סביבה|כדור הארץ)"),
        ("environmental.neutrality", r"(?:ניטרלי|נייטרלי|נטרלי)(?:ת)? (?:פחמני\S*|בפחמן|אקלימי\S*)|פחמן (?:ניטרלי|נייטרלי|נטרלי)|אפס פליטות|נטול(?:ת)? פחמן|טביעת רגל פחמנית"),
        ("environmental.biodegradable", r"מתכל(?:ה|ים|ות)|מתפרק(?:ת)? בטבע"),
        ("environmental.recyclable", r"ניתנ?(?:ת|ים|ות)? ל?מחזור|בר[- ]מחזור|ברת[- ]מחזור"),
        ("environmental.natural", r"100 ?% ?טבעי|טבעי(?:ת|ים|ות)? (?:לחלוטין|100)|רכיבים טבעיים"),
        ("environmental.offset", r"קיזוז (?:ה)?(?:פחמן|פליטות)|מקוזז"),
    ],
    "hi": [
        ("environmental.generic", r"पर्यावरण[- ]?(?:के )?(?:अनुकूल|हितैषी|मित्र|फ्रेंडली|प्रिय)|इको[- ]?फ्रेंडली|ईको[- ]?फ्रेंडली|सस्टेनेबल|धरती के (?:लिए बेहतर|अनुकूल)|प्रकृति के अनुकूल|हरित (?:उत्पाद|विकल्प|ऊर्जा)"),
        ("environmental.neutrality", r"कार्बन (?:न्यूट्रल|तटस्थ|मुक्त)|नेट ज़ीरो|शून्य उत्सर्जन"),
        ("environmental.biodegradable", r"बायोडिग्रेडेबल|जैव[- ]?(?:निम्नीकरणीय|अपघटनीय)"),
        ("environmental.recyclable", r"रिसाइ?क(?:ि|्)?ल करने योग्य|पुनर्चक्रण योग्य|रीसाइक्लेबल"),
        ("environmental.natural", r"100 ?% ?प्राकृतिक|पूरी तरह (?:से )?प्राकृतिक|शुद्ध प्राकृतिक|प्राकृतिक (?:सामग्री|तत्व|उत्पाद)"),
        ("environmental.offset", r"कार्बन ऑफसेट|ऑफसेट"),
    ],
}

# ---- health ---------------------------------------------------------------------------------

_AIL_EN = (
    r"(?:acne|eczema|psoriasis|dandruff|colds|the common cold|a cold|flu|influenza|infections?|diseases?|illness(?:es)?|"
    r"cancer|diabetes|arthritis|pain|aches?|headaches?|migraines?|insomnia|sleeplessness|anxiety|depression|stress|"
    r"inflammation|allerg(?:y|ies)|hair loss|baldness|cellulite|fatigue|viruses|virus|bacteria|germs|covid(?:-19)?|"
    r"coronavirus|blood pressure|cholesterol|heart disease|obesity|hangovers?|scars?|rosacea|dermatitis|sunburn|"
    r"nausea|bloating|indigestion|constipation|cavities|tooth decay|gum disease|plaque|osteoporosis|dementia|"
    r"alzheimer'?s|wrinkles|dark spots|hyperpigmentation|varicose veins|joint pain|back pain|muscle pain|"
    r"sore throats?|coughs?|congestion|fever|jet lag|snoring|toxins|ageing|aging|bad breath|spots|blemishes|breakouts)"
)
_AIL_DE = (
    r"(?:akne|pickel|ekzem\w*|neurodermitis|schuppen|erkältung\w*|grippe|infekt\w*|infektion\w*|krankheit\w*|"
    r"erkrankung\w*|krebs|diabetes|arthrose|arthritis|schmerz\w*|kopfschmerz\w*|migräne|schlafstörung\w*|"
    r"schlaflosigkeit|angstzustände|depression\w*|stress|entzündung\w*|allergi\w*|haarausfall|cellulite|müdigkeit|"
    r"erschöpfung|viren|virus|bakterien|keime|covid\w*|corona\w*|bluthochdruck|cholesterin\w*|übergewicht|kater|"
    r"narben|rosazea|sonnenbrand|übelkeit|blähungen|verstopfung|karies|zahnfleisch\w*|falten|pigmentflecken|"
    r"husten|schnupfen|fieber|halsschmerz\w*|rückenschmerz\w*|gelenkschmerz\w*|giftstoffe|schadstoffe|toxine|"
    r"hautalterung|alterung|mundgeruch|unreinheiten)"
)
_AIL_FR = (
    r"(?:l'|les |la |le |vos |votre |des |du |de la |de l')?(?:acné|eczéma|psoriasis|pellicules|rhumes?|grippe|"
    r"infections?|maladies?|cancers?|diabète|arthrose|arthrite|douleurs?|maux de tête|migraines?|insomnies?|"
    r"anxiété|dépression|stress|inflammations?|allergies?|chute des cheveux|cellulite|fatigue|virus|bactéries|"
    r"germes|covid(?:-19)?|hypertension|tension artérielle|cholestérol|obésité|cicatrices|rosacée|coups? de soleil|"
    r"nausées?|ballonnements|constipation|caries|gingivite|rides|taches pigmentaires|toux|fièvre|maux de gorge|"
    r"mal de dos|toxines|vieillissement|imperfections|boutons)"
)
_AIL_ES = (
    r"(?:el |la |los |las |tu |tus |del |de la )?(?:acné|eccema|psoriasis|caspa|resfriados?|gripe|infecciones?|"
    r"infección|enfermedad(?:es)?|cáncer|diabetes|artrosis|artritis|dolor(?:es)?(?: de cabeza| de espalda| "
    r"articular(?:es)?| muscular(?:es)?)?|migrañas?|insomnio|ansiedad|depresión|estrés|inflamación|alergias?|"
    r"caída del cabello|celulitis|fatiga|cansancio|virus|bacterias|gérmenes|covid(?:-19)?|hipertensión|tensión "
    r"arterial|presión arterial|colesterol|obesidad|resaca|cicatrices|rosácea|quemaduras solares|náuseas|"
    r"hinchazón|estreñimiento|caries|gingivitis|arrugas|manchas|tos|fiebre|toxinas|envejecimiento|granos|imperfecciones)"
)

_HEALTH: dict[str, list[_Row]] = {
    "en": [
        ("health.medical", r"\b(?:cures?|cured|curing|heals?|healed|healing|treats?|treating|treatment for|prevents?|preventing|prevention of|fights?|fighting|combats?|relieves?|relieving|relief (?:from|for)|soothes?|eases?|reduces?|reducing|lowers?|lowering|eliminates?|eliminating|stops?|kills?|protects? (?:you )?(?:against|from)|protection (?:against|from)|helps? (?:to )?(?:prevent|treat|fight|relieve|reduce|cure|heal|with)|beats?|banish(?:es)?|no more|say goodbye to|goodbye to|against|keeps?|keeping|wards? off|warding off|fends? off|helps? keep) (?:the |your |all |of |those |winter |signs of |symptoms of |risk of |the risk of |the signs of |the symptoms of |fine lines and |everyday |seasonal )*" + _AIL_EN + r"\b"),
        ("health.medical", r"\bnatural remed(?:y|ies)\b|\brelax(?:es)? (?:your |tense |sore )?muscles\b|\bmuscle[- ]relax\w*|\bcures\b|\bcured\b|\bcuring\b|\bheals?\b|\bhealed\b|\bhealing\b|\bremed(?:y|ies) for " + _AIL_EN + r"|\btherapeutic\b|\bmedicinal\b|\bmedicated\b|\b(?:a |the )?cure for " + _AIL_EN + r"\b"),
        ("health.immune", r"\bimmun(?:e|ity|ities|ising|izing|o\w*)\b(?! (?:to|from|against) (?!(?:the |your |all |seasonal )*" + _AIL_EN + r"\b))"),
        ("health.immune", r"\b(?:boosts?|boosting|booster|strengthens?|strengthening|supports?|supporting|enhances?|enhancing|stimulates?|stimulating|improves?|improving|builds?|building|bolsters?|fortif(?:y|ies)|revs? up|powers? up|recharges?|arms?|arming) (?:your |the |our |kids'? |children's |body's |family's )*(?:natural |body's |own )?(?:defen[cs]es|defen[cs]e system|resistance|immun\w*)\b|\bnatural defen[cs]es\b|\bbody'?s (?:own )?defen[cs]es\b"),
        ("health.detox", r"\bdetox\w*(?! (?:your |the |my )?(?:closet|wardrobe|inbox|home|house|feed|schedule|desk|phone|screen|calendar|kitchen|life|routine|style))|\bde-tox\w*|\b(?:cleanses?|cleansing|purif(?:y|ies|ying)|flush(?:es|ing)?(?: out)?|removes?|eliminates?|draws? out|purges?|rids?) (?:your |the )?(?:body|liver|system|blood|organs|kidneys|gut)?\s?(?:of )?toxins\b"),
        ("health.evidence", r"\b(?:clinically|scientifically|medically|dermatologically|laboratory|lab|clinical|doctor|dermatologist|ophthalmologist|pediatrician|paediatrician|gynaecologist|gynecologist)[- ](?:proven|tested|shown|validated|approved|demonstrated|backed|certified|confirmed|studied|evaluated)\b|\bproven (?:by (?:science|studies|research)|in (?:clinical )?(?:trials|studies))\b|\bclinical(?:ly)? (?:studies|trials|results|evidence|tests) (?:show|prove|confirm)\b|\bscience[- ]backed\b|\b(?:backed|supported|proven|confirmed|validated) by (?:\w+ )?(?:clinical|scientific|medical) (?:research|studies|evidence|trials|data)\b|\b(?:clinical|scientific) (?:research|studies|trials|evidence) (?:shows?|proves?|confirms?)\b|\bproven to (?:\w+ )?(?:reduce|improve|boost|help|prevent|relieve|heal|cure|treat|lower|support|increase|protect|strengthen|fight|restore|repair|regenerate|rebuild|burn|detox|cleanse|lift|firm)\b"),
        ("health.endorsement", r"\b(?:doctors?|dermatologists?|dentists?|physicians?|pediatricians?|paediatricians?|pharmacists?|gps?|nurses?|midwives|midwife|vets?|nutritionists?|dietitians?|allergists?)[- '](?:recommended|approved|endorsed|trusted|developed|formulated|tested|choice|preferred|#1|no\.? ?1|number one)\b|\b(?:recommended|approved|endorsed|trusted|used|developed|formulated|preferred|tested|certified|checked|validated|reviewed) by (?:\d+ ?% of )?(?:leading |top |expert |independent )?(?:doctors|dermatologists|dentists|physicians|pediatricians|paediatricians|pharmacists|gps|nurses|midwives|vets|nutritionists|dietitians|allergists|medical professionals|healthcare professionals|health professionals|medical experts)\b|\b\d+ ?(?:%|out of \d+|in \d+) (?:of )?(?:doctors|dermatologists|dentists|pediatricians|vets)\b"),
        ("health.weight", r"\b(?:burns?|burning|melts?|melting|torch(?:es)?|blasts?|zaps?|shreds?) (?:away )?(?:belly |body |stubborn |excess |unwanted )?fat\b|\bfat[- ]?(?:burn\w*|loss|melting|blaster|blocker|reduc\w*)\b|\b(?:lose|losing|loses|shed|drop) (?:\d+ ?(?:kg|lbs?|pounds|kilos) ?|weight|the weight|pounds|kilos|inches)\b|\bweight[- ]?(?:loss|management|reduction|control)\b|\bslimming\b|\bslims? (?:down|you)\b|\bappetite (?:suppress\w*|control)\b|\bmetabolism[- ]boost\w*|\bboosts? (?:your )?metabolism\b"),
        ("health.cosmetic", r"\banti[- ]?(?:aging|ageing|age|wrinkles?|cellulite|bacterial|viral|microbial|fungal|inflammatory|acne|dandruff|hair ?loss|blemish)\b|\bantibacterial\b|\bantiviral\b|\bantimicrobial\b|\bantiseptic\b|\bkills? (?:\d+[.,]?\d* ?% (?:of )?)?(?:germs|bacteria|viruses|microbes)\b|\b99[.,]9 ?% (?:of )?(?:germs|bacteria|viruses)\b|\breverses? (?:the signs of )?(?:aging|ageing)\b|\b(?:erase|erases|smooths? away|fills? in) (?:the (?:appearance|look) of )?(?:fine lines|wrinkles)\b|\bregrows? hair\b|\bhair regrowth\b"),
        ("health.body", r"\bfor (?:healthy|strong|healthier|stronger) (?:joints|bones|skin|hair|nails|heart|digestion|immune system|gut|teeth|gums|eyes|muscles)\b|\b(?:supports?|nourish(?:es)?|boosts?|restores?|feeds?|fuels?) (?:your |the )?(?:natural |skin's |healthy )*(?:glow|radiance|skin|hair|nails|joints|gut|energy|beauty) from within\b|\bbeauty from within\b|\b(?:good|great|better|best) for (?:your |the )?(?:heart|gut|immune system|brain|joints|bones|digestion|liver|kidneys|blood sugar|cholesterol|metabolism)\b|\bheart[- ]healthy\b|\b(?:supports?|supporting|promotes?|promoting|improves?|improving|aids?|aiding|maintains?|boosts?) (?:a |healthy |normal |better |your )*(?:digestion|gut health|heart health|joint health|brain function|cognitive function|blood sugar|blood pressure|cholesterol|circulation|sleep quality|memory|concentration|recovery|bone health|hair growth|energy levels|metabolism|liver function|gut flora|immune function|hormonal balance|fertility)\b|\blowers? (?:your )?(?:cholesterol|blood pressure|blood sugar)\b|\breduces? (?:the )?risk of\b|\bpain[- ]?(?:relief|free|killer|reliever)\b|\b(?:cancer|disease|illness)[- ](?:fighting|preventing|free)\b|\bmedical[- ]grade\b|\bsuperfoods?\b|\bfree radicals\b|\bbalances? (?:your )?hormones\b|\bhormon(?:e|al) balance\b|\bpain[- ]?reliev\w*|\bdetoxif\w*|\b(?:vitamin \w+|minerals?|protein|fibre|fiber|omega[- ]3|calcium|iron|zinc|magnesium) (?:contributes?|helps?) to\b"),
    ],
    "de": [
        ("health.medical", r"\b(?:heilt|heilen|heilend\w*|heilung|heilkraft|heilwirkung|heilsam\w*|heilmittel|lindert|lindern|linderung|therapeutisch\w*|arzneilich\w*)\b|\b(?:gegen|bekämpft|bekämpfen|hilft bei|hilft gegen|schützt vor|schützen vor|schutz vor|reduziert|reduzieren|senkt|senken|beseitigt|tötet|stoppt|verhindert|verhindern|wirkt gegen|wirksam gegen|nie wieder) (?:\w+ ){0,2}" + _AIL_DE + r"\b|\bbeugt\b.{0,40}\bvor\b|\bvorbeug\w*"),
        ("health.immune", r"\bimmun(?! gegen\b)\w*|\babwehrkräfte\b|\bkörpereigenen? abwehr\w*|\bstärkt (?:das|die|ihr|dein|deine|ihre|unser|unsere|eure) (?:\w+ )?(?:immun\w*|abwehr\w*)"),
        ("health.detox", r"\bentgift\w*|\bdetox\w*|\bentschlack\w*|\bentsäuer\w*|\breinigt (?:den |ihren |deinen )?(?:körper|darm|leber|organismus)\b"),
        ("health.evidence", r"\b(?:klinisch|wissenschaftlich|medizinisch|dermatologisch|labor)[- ]?(?:getestet|bewiesen|erwiesen|belegt|bestätigt|geprüft|nachgewiesen|untersucht)\w*|\bstudien (?:belegen|beweisen|zeigen)\b|\bwirkung (?:klinisch |wissenschaftlich )?(?:belegt|bewiesen|nachgewiesen)\b"),
        ("health.endorsement", r"\b(?:von |vom )?(?:ärzten|ärztinnen|dermatologen|zahnärzten|apothekern|hebammen|kinderärzten|fachärzten) (?:empfohlen|getestet|entwickelt)\w*|\b(?:ärztlich|dermatologisch|zahnärztlich) empfohlen\w*|\bempfohlen von (?:ärzten|dermatologen|zahnärzten|apothekern|hebammen|kinderärzten)\b|\barzt[- ]?empfohlen\w*|\bhautärzt\w*|\bhautarzt\w*"),
        ("health.weight", r"\bfett ?verbrenn\w*|\bverbrennt (?:\w+ )?fett\b|\bfettkiller\b|\bschmilzt (?:\w+ )?fett\b|\babnehm\w*|\bgewichts(?:verlust|reduktion|abnahme)\b|\bschlankheits\w*|\b(?:\d+ ?kg|kilos|pfunde) (?:verlieren|abnehmen|weniger)\b|\bstoffwechsel[- ]?(?:anregend|boost\w*|beschleunig\w*)\b|\bappetitzügler\b|\bschlank machend\w*|\bschlank(?:er)? in \d+|\b\d+ ?(?:kilo|kg|pfund) weniger\b"),
        ("health.cosmetic", r"\banti[- ]?(?:aging|ageing|age|falten|cellulite|bakteriell\w*|viral\w*|schuppen|haarausfall|pickel|akne)\b|\bantibakteriell\w*|\bantiviral\w*|\bdesinfizier\w*|\btötet (?:\d+[.,]?\d* ?% (?:aller |der )?)?(?:keime|bakterien|viren)\b|\b99[.,]9 ?% (?:aller |der )?(?:keime|bakterien|viren)\b|\bfaltenreduzier\w*|\bverjüng\w*"),
        ("health.body", r"\bgut für (?:das |dein |ihr |den |die )?(?:herz|darm|immunsystem|gehirn|gelenke|knochen|verdauung|leber|blutzucker|cholesterin|stoffwechsel)\b|\b(?:fördert|unterstützt|verbessert|stärkt) (?:die |den |das |eine |deine |ihre )?(?:gesunde |normale |bessere )?(?:verdauung|darmgesundheit|herzgesundheit|gelenkgesundheit|gehirnfunktion|konzentration|schlafqualität|regeneration|durchblutung|knochen|gelenke|fruchtbarkeit|stoffwechsel|leberfunktion)\b|\bsenkt (?:den |das )?(?:cholesterin\w*|blutdruck|blutzucker)\b|\bsenkt das risiko\b|\b(?:entzündungs|schmerz|juckreiz|krampf|fieber)(?:hemmend|stillend|lindernd|lösend|senkend)\w*|\bsuperfood\w*|\b(?:vitamin|mineralstoff|eisen|zink|magnesium|calcium|kalzium)\w*(?: \w)? trägt zu\b"),
    ],
    "fr": [
        ("health.medical", r"\bguéri(?:t|r|ssent|son|ssez|ssant)\b|\bthérapeutique\w*|\bmédicinal\w*|\bcuratif\w*|\bcurative\w*|\bsoulag\w*|\b(?:soigne|soignent|traite|traitent|traitement (?:de|contre|des)|prévien(?:t|nent)|prévenir|prévention (?:de|des|contre)|combat(?:tent)?|lutte(?:nt)? contre|protège(?:nt)? (?:de|contre)|rédui(?:t|sent)|élimine(?:nt)?|tue(?:nt)?|stoppe(?:nt)?|contre|anti|fini(?:es?)? les|adieu(?: aux?)?) " + _AIL_FR + r"\b"),
        ("health.immune", r"\bimmunit(?:é|e)\w*|\bimmunitaire\w*|\bimmuno\w*|\bdéfenses (?:naturelles|immunitaires|de l'organisme)\b|\b(?:renforce|renforcent|renforcer|booste|boostent|booster|stimule|stimulent|stimuler|soutient|soutiennent|soutenir|renforcement|renforcez) (?:les |vos |votre |l'|la |des |ses )?(?:défenses|organisme|système immunitaire|immunit\w*)\b"),
        ("health.detox", r"\bdétox\w*|\bdrain(?:ant|ante|e|er) (?:l'organisme|les toxines)\b|\bélimin\w* (?:les )?toxines\b|\bpurifi\w* (?:l'organisme|le corps|le foie)\b"),
        ("health.evidence", r"\b(?:cliniquement|scientifiquement|médicalement|dermatologiquement|biologiquement)[- ](?:prouv|test|démontr|valid|approuv|éprouv|établi)\w*|\btesté(?:e|s|es)? (?:sous contrôle|cliniquement|dermatologiquement)\w*|\bprouvé(?:e|s|es)? (?:scientifiquement|cliniquement)\b|\b(?:efficacité|résultats?) (?:cliniquement |scientifiquement )?(?:prouv|démontr)\w*|\bétudes? cliniques?\b"),
        ("health.endorsement", r"\b(?:recommand|approuv|conseill|plébiscit|test|développ|formul)\w* (?:par|avec) (?:les |des |nos )?(?:médecins|dermatologues|dentistes|pédiatres|pharmaciens|sages-femmes|experts? médica\w+|professionnels de santé|kinés?)\b|\b(?:n°|no) ?1 (?:en|des|chez les) (?:pharmacies?|dermatologues|pharmaciens)\b"),
        ("health.weight", r"\bbrûle[- ]?graisses?\b|\bbrûl\w* (?:les |des |vos )?graisses\b|\bminceur\b|\bamincissant\w*|\bperte de poids\b|\bperdre (?:du poids|\d+ ?kg|des kilos)\b|\bmaigrir\b|\bcoupe[- ]faim\b|\bbooste le métabolisme\b|\bfond(?:re|ent)? les graisses\b"),
        ("health.cosmetic", r"\banti[- ]?(?:âge|age|rides|cellulite|bactérien\w*|viral\w*|microbien\w*|fongique\w*|inflammatoire\w*|acné|chute|pelliculaire\w*|imperfections)\b|\bantibactérien\w*|\bantiviral\w*|\bélimine \d+[.,]?\d* ?% des (?:bactéries|germes|virus)\b|\b99[.,]9 ?% des (?:bactéries|germes|virus)\b|\blisse les rides\b|\bcomble les rides\b"),
        ("health.body", r"\bbon(?:ne)? pour (?:le |la |les |votre |vos )?(?:cœur|coeur|intestin|flore intestinale|système immunitaire|cerveau|articulations|os|digestion|foie|métabolisme)\b|\b(?:favorise|améliore|soutient|contribue à) (?:la |le |les |une |un |votre |vos )?(?:bonne |saine |meilleure )?(?:digestion|transit|santé \w+|circulation|concentration|mémoire|qualité du sommeil|récupération|fonctionnement normal|fertilité)\b|\bbaisse (?:le |la )?(?:cholestérol|tension)\b|\bsuper[- ]?aliments?\b|\bsuperfoods?\b"),
    ],
    "es": [
        ("health.medical", r"\bcura(?:s|n|r|tiv[oa]s?|ción)?\b|\bsana(?:r|n)\b|\bsanación\b|\bterapéutic\w*|\bmedicinal\w*|\balivi\w*|\bprevien\w*|\b(?:(?:ayuda|ayudan|contribuye|contribuyen) a )?(?:reducir|bajar|disminuir|controlar|regular|combatir|prevenir|aliviar|eliminar|tratar|curar|evitar) (?:el |la |los |las |tu |tus |su |sus )?(?:nivel(?:es)? de |riesgo de )?" + _AIL_ES + r"\b|\b(?:trata|tratan|tratamiento (?:de|para|contra)|prevenir|prevención de|combate|combaten|lucha contra|protege (?:de|contra)|protegen (?:de|contra)|reduce|reducen|elimina|eliminan|mata|matan|acaba con|contra|adiós a|di adiós a) " + _AIL_ES + r"\b"),
        ("health.immune", r"\bsistema inmun\w*|\binmun(?:idad|ológic\w*|itari\w*|e)\b|\bdefensas (?:naturales|del organismo)\b|\b(?:refuerza|refuerzan|reforzar|fortalece|fortalecen|fortalecer|potencia|potencian|estimula|estimulan|mejora|mejoran|aumenta|aumentan|sube|suben|activa|activan|cuida|cuidan) (?:el |tu |tus |las |su |sus |nuestras |nuestro )?(?:sistema inmun\w*|defensas|inmunidad)\b"),
        ("health.detox", r"\bdetox\w*|\bdesintoxica\w*|\bdepurativ\w*|\bdepura (?:el|tu) (?:organismo|cuerpo|hígado)\b|\belimina (?:las )?toxinas\b"),
        ("health.evidence", r"\b(?:clínicamente|científicamente|médicamente|dermatológicamente)[- ](?:probad|demostrad|testad|comprobad|validad|avalad|aprobad)\w*|\b(?:probad|testad|comprobad)\w* (?:clínicamente|científicamente|dermatológicamente)\b|\b(?:estudios|ensayos) clínicos\b|\beficacia (?:clínicamente |científicamente )?(?:probada|demostrada)\b"),
        ("health.endorsement", r"\b(?:recomendad|aprobad|avalad|testad|desarrollad|formulad)\w* (?:por|con) (?:los |nuestros )?(?:médicos|dermatólogos|dentistas|odontólogos|pediatras|farmacéuticos|matronas|especialistas médicos|profesionales sanitarios|expertos en salud)\b|\bn[º°] ?1 en farmacias\b"),
        ("health.weight", r"\bquema ?grasas?\b|\bquema(?:dor)? (?:de )?grasas?\b|\bquema la grasa\b|\badelgaz\w*|\bperder (?:peso|kilos|\d+ ?kg)\b|\bpérdida de peso\b|\bsaciante\w*|\bacelera (?:el|tu) metabolismo\b"),
        ("health.cosmetic", r"\banti[- ]?(?:edad|envejecimiento|arrugas|celulitis|bacteria\w*|viral\w*|microbian\w*|caída|caspa|acné|manchas)\b|\bantibacterian\w*|\bantiviral\w*|\b99[.,]9 ?% de (?:las |los )?(?:bacterias|gérmenes|virus)\b|\breduce las arrugas\b"),
        ("health.body", r"\bbuen[oa] para (?:el |la |los |las |tu |tus )?(?:corazón|intestino|sistema inmun\w*|cerebro|articulaciones|huesos|digestión|hígado|metabolismo)\b|\b(?:favorece|mejora|contribuye a|ayuda a) (?:la |el |una |un |tu )?(?:buena |mejor )?(?:digestión|tránsito intestinal|salud \w+|circulación|concentración|memoria|calidad del sueño|recuperación|función normal|fertilidad)\b|\b(?:reduce|baja) (?:el |la )?(?:colesterol|tensión|presión arterial|azúcar en sangre)\b|\bsuperalimentos?\b|\bsuperfoods?\b"),
    ],
    "ja": [
        ("health.immune", r"免疫|抵抗力(?:を)?(?:高め|アップ|強化)"),
        ("health.medical", r"治る|治す|治り|治療|完治|治癒|効能|効く|薬用|医薬|病気|予防|(?:花粉症|風邪|かぜ|インフルエンザ|ウイルス|アトピー|ニキビ|肩こり|腰痛|頭痛|不眠|便秘|高血圧|糖尿病|がん|癌)(?:に(?:効く|効果|よい|良い)|を(?:予防|改善|防ぐ|治す|撃退)|対策|予防)"),
        ("health.detox", r"デトックス|解毒|毒素(?:を)?(?:排出|除去)"),
        ("health.evidence", r"臨床(?:試験|実験|研究|的)?(?:で|にて|により)?(?:証明|実証|確認|済)|医学的に(?:証明|実証)|科学的に(?:証明|実証)|皮膚科医?(?:テスト|試験)済"),
        ("health.endorsement", r"(?:医師|ドクター|皮膚科医|歯科医師?|薬剤師|専門医)(?:が|も)?(?:推奨|おすすめ|オススメ|監修|開発|認めた|愛用)"),
        ("health.weight", r"脂肪(?:を)?(?:燃焼|燃や)|燃焼系|痩せる|やせる|ダイエット効果|体重(?:を)?(?:減|落と)|減量|脂肪(?:を)?(?:減ら|落と)|代謝(?:を)?(?:アップ|促進|高め)"),
        ("health.cosmetic", r"アンチエイジング|抗老化|若返り|抗菌|殺菌|除菌|抗ウイルス|(?:シワ|しわ)(?:を)?(?:改善|消|減ら)"),
        ("health.body", r"(?:血圧|血糖値|コレステロール)(?:を)?(?:下げ|低下|改善)|腸内環境(?:を)?(?:整え|改善)|スーパーフード"),
    ],
    "zh": [
        ("health.immune", r"免疫|抵抗力"),
        ("health.medical", r"治愈|治疗|根治|疗效|治病|药用|医用|防病|预防|缓解(?:疼痛|症状|头痛|失眠|焦虑)|(?:防|抗|治|预防|缓解|消除|杀灭|对抗)(?:感冒|流感|病毒|痤疮|失眠|高血压|糖尿病|癌症|细菌)"),
        ("health.detox", r"排毒|解毒|清除毒素|排出毒素"),
        ("health.evidence", r"临床(?:证明|验证|实验|试验|研究|测试|实证)|医学(?:证明|验证)|科学(?:证明|验证)|皮肤科(?:测试|验证)"),
        ("health.endorsement", r"(?:医生|医师|皮肤科医生|牙医)(?:推荐|认证|认可|研发)"),
        ("health.weight", r"燃脂|燃烧脂肪|减肥|瘦身|减重|减脂|降脂|消脂|刮油"),
        ("health.cosmetic", r"抗衰老|抗衰|逆龄|冻龄|抗皱|去皱|抗菌|杀菌|抑菌|除菌|抗病毒"),
        ("health.body", r"降血压|降血脂|降血糖|降胆固醇|护肝|养胃|增强体质|超级食物"),
    ],
    "ko": [
        ("health.immune", r"면역"),
        ("health.medical", r"치료|완치|치유|질병|예방|(?:감기|독감|바이러스|여드름|아토피|탈모|불면증|고혈압|당뇨|암) ?(?:예방|치료|개선|완화|에 효과|에 좋은)|통증 ?(?:완화|감소)|효능"),
        ("health.detox", r"디톡스|해독|독소 ?(?:배출|제거)"),
        ("health.evidence", r"임상(?:적으로)? ?(?:입증|실험|시험|검증|테스트|완료)|의학적으로 ?(?:입증|검증)|과학적으로 ?(?:입증|검증)|피부과 ?(?:테스트|임상)"),
        ("health.endorsement", r"(?:의사|피부과 ?(?:전문의|의사)|치과 ?의사|약사|전문의) ?(?:추천|권장|개발|인증)"),
        ("health.weight", r"지방 ?(?:연소|분해|감소|태우)|체중 ?감량|체지방 ?감소|살 ?빠지|다이어트 ?효과|감량 ?효과"),
        ("health.cosmetic", r"안티 ?에이징|항노화|노화 ?방지|주름 ?(?:개선|제거|감소)|항균|살균|항바이러스"),
        ("health.body", r"혈압 ?(?:강하|낮춰|개선)|혈당 ?(?:강하|낮춰|개선)|콜레스테롤 ?(?:감소|개선)|장 ?건강|슈퍼 ?푸드"),
    ],
    "ar": [
        ("health.immune", r"مناع"),
        ("health.medical", r"يعالج|تعالج|علاج|معالجة|يشفي|تشفي|شفاء|(?:يقي|تقي|يحمي|تحمي|الوقاية|وقاية) من (?:ال)?(?:أمراض|مرض|فيروس\S*|بكتيريا|زكام|برد|إنفلونزا|عدوى|سرطان|سكري)|(?:يخفف|تخفف|يسكن) (?:ال)?(?:ألم|آلام|صداع)|مسكن (?:لل)?ألم"),
        ("health.detox", r"ديتوكس|(?:يزيل|تزيل|إزالة|التخلص من|طرد) (?:ال)?سموم|تنقية الجسم"),
        ("health.evidence", r"(?:مثبت|مثبتة|مجرب|مجربة|مختبر|مختبرة) (?:سريري|علمي|طبي)\S*|سريريا|(?:دراسات|تجارب) سريرية"),
        ("health.endorsement", r"(?:يوصي|ينصح|توصي|تنصح) (?:به|بها) (?:ال)?(?:أطباء|طبيب)|(?:موصى|ينصح) به من (?:قبل )?(?:ال)?(?:أطباء|أخصائي\S*)|بتوصية (?:من )?(?:ال)?أطباء|معتمد من (?:ال)?أطباء"),
        ("health.weight", r"(?:يحرق|تحرق|حرق|يذيب|إذابة) (?:ال)?دهون|(?:إنقاص|خسارة|فقدان|تخفيف|نزول) (?:ال)?وزن|تخسيس|تنحيف"),
        ("health.cosmetic", r"مضاد(?:ة)? (?:لل|ل)?(?:شيخوخة|تجاعيد|بكتيريا|جراثيم|فيروسات|ميكروبات)|يقتل (?:ال)?(?:جراثيم|بكتيريا)"),
        ("health.body", r"(?:يخفض|يقلل|خفض) (?:من )?(?:ضغط الدم|الكوليسترول|سكر الدم)|مفيد (?:لل|ل)(?:قلب|مناعة|هضم|مفاصل)|صحة (?:القلب|الأمعاء)"),
    ],
    "he": [
        ("health.immune", r"מערכת החיסון|חיסוני\S*|חסינות"),
        ("health.medical", r"מרפא\S*|ריפוי|מטפל\S* ב(?:אקנה|כאב|מחלות|דלקת)|מונע\S* (?:מחלות|הצטננות|שפעת|זיהומים|וירוסים)|משכך כאבים|מקל\S* על כאב\S*"),
        ("health.detox", r"דיטוקס|ניקוי רעלים|מסלק\S* רעלים|פינוי רעלים"),
        ("health.evidence", r"מוכח\S* (?:קלינית|מדעית|רפואית)|נבדק\S* (?:קלינית|דרמטולוגית)|בדיקות קליניות"),
        ("health.endorsement", r"מומלץ\S* (?:על ידי|ע\"י|ע'י) (?:רופאים|רופאי\S*|דרמטולוגים)|(?:רופאים|דרמטולוגים) ממליצים"),
        ("health.weight", r"שורף\S* שומן|שריפת שומן|ירידה במשקל|הרזיה|לרזות|מרזה"),
        ("health.cosmetic", r"אנטי[- ]?(?:אייג'ינג|אייגינג|הזדקנות|בקטריאלי\S*|ויראלי\S*|קמטים)|הורג\S* (?:\d+[.,]?\d* ?% )?(?:חיידקים|נגיפים|וירוסים)"),
        ("health.body", r"מוריד\S* (?:כולסטרול|לחץ דם|סוכר)"),
    ],
    "hi": [
        ("health.immune", r"रोग प्रतिरोधक|प्रतिरक्षा|इम्युनिटी|इम्यूनिटी|इम्यून|रोग[- ]?प्रतिरोध"),
        ("health.medical", r"इलाज|उपचार|ठीक कर(?:ता|ती|ते|े)|रोगों से बचा\S*|बीमारी\S* से (?:बचा|रक्षा)|दर्द (?:से राहत|निवारक|दूर)|रोकथाम|रामबाण"),
        ("health.detox", r"डिटॉक्स|डीटॉक्स|विषहरण|विषाक्त पदार्थ\S* (?:निकाल|दूर)"),
        ("health.evidence", r"(?:चिकित्सकीय|वैज्ञानिक|क्लिनिकल|नैदानिक) (?:रूप से )?(?:सिद्ध|प्रमाणित|परीक्षित)|क्लिनिकली (?:प्रूवन|सिद्ध|टेस्टेड)"),
        ("health.endorsement", r"डॉक्टर\S* द्वारा (?:अनुशंसित|सुझाया|प्रमाणित)|डॉक्टर\S* (?:की सलाह|सुझाते|अनुशंसा)"),
        ("health.weight", r"फैट बर्न|चर्बी (?:घटा|कम|जला)\S*|वजन (?:कम|घटा)\S*|स्लिमिंग"),
        ("health.cosmetic", r"एंटी[- ]?(?:एजिंग|बैक्टीरियल|वायरल)|कीटाणु\S* (?:मार|नाश)\S*"),
    ],
}

# ---- superlative ----------------------------------------------------------------------------


def _number_one_keep(doc: _Doc, h: _Hit) -> bool:
    after = h.view[h.m.end(): h.m.end() + 14]
    return not re.match(r"\s*(?:fan|fans|priority|priorities|rule|tip|reason|question|thing|job|goal|(?:on|in|of) (?:our|my|your|their|his|her) )", after)


_SUPERLATIVE: dict[str, list[_Row]] = {
    "en": [
        ("superlative.sales", r"\b(?:best|top)[- ]?sell(?:er|ers|ing)\b|\bmost[- ](?:sold|purchased|bought|popular|downloaded|ordered|trusted|awarded|recommended|reviewed)\b|\bsold out (?:\d+|three|four|five|six|seven|eight|nine|ten) times\b"),
        ("superlative.rank", r"(?<![\w#])#\s?1\b|\bno\.?\s?1\b|\bn[°º]\s?1\b|\bnumber[- ](?:one|1)\b", _number_one_keep),
        ("superlative.rank", r"\bunrivall?ed\b|\bunmatched\b|\bunsurpassed\b|\bunparall?el(?:l)?ed\b|\bsecond to none\b|\bwithout (?:equal|rival)\b"),
        ("superlative.rank", r"\b(?:world|europe|america|britain|uk|us|germany|france|spain|japan|italy|the nation|the country|the world|the uk|the us|london|new york|europe)'s (?:best|favou?rite|first|no\.? ?1|number one|#1|most popular|leading|top|bestselling|best-selling|cheapest|fastest|biggest|largest|most loved|most trusted|best-loved|\w+est|most \w+)\b"),
        ("superlative.rank", r"\b(?:best|cheapest|fastest|first|only|biggest|largest|top|lightest|strongest|softest|smallest|thinnest|warmest|most \w+) [\w' -]{0,30}?\b(?:in|on|of) (?:the world|the market|europe|america|the uk|britain|the us|the usa|germany|france|spain|the country|the planet|the industry|all time)\b"),
        ("superlative.rank", r"\bworld[- ](?:first|leading|'s first)\b|\b(?:industry|market|category)[- ]leading\b|\bmarket[- ]leader\b|\bleading brand\b|(?<!our )(?<!my )(?<!your )(?<!their )(?<!its )\bfirst[- ]ever\b|\bthe only (?:\w+ )?(?:\w+ )?(?:that|to|with|on the market)\b|\bunbeat(?:able|en) (?:price|prices|value|deal|deals)\b|\bbest[- ]?(?:in[- ](?:class|test|show))\b|\b(?:top|best|highest)[- ]rated\b|\brated (?:no|#|number|best|top)\b|\bvoted (?:the )?(?:best|no|number|#|top|favou?rite)\b"),
        ("superlative.award", r"\bwinner of (?:the |an? )?[\w' -]{0,30}(?:award|prize|test|competition)\b|\bawarded (?:the |best|top|gold)\b|\b\w+ award[- ](?:winner|winning)\b|\b(?:award|prize)[- ]winning\b|\bmulti[- ]award\b|\baward[- ]winner\b|\bwinner of (?:the )?\w+ award\b|\bproduct of the year\b"),
        ("superlative.price", r"\bcheapest\b|\blowest[- ](?:price|prices|priced)\b|\bbest[- ](?:price|prices|priced|value)\b|\bprice[- ]match(?:ed)? guarantee\b|\bguaranteed lowest\b|\bcan't be beaten on price\b|\bnobody beats our prices\b|\b(?:nobody|no one|no-one|no other (?:shop|store|retailer))(?: else)? (?:sells|beats|undercuts|offers|has|does) (?:it|this|them|these|us|our prices)?\s?(?:for less|cheaper|lower)\b|\byou won'?t find (?:it|this|them|these)? ?(?:cheaper|for less|lower) (?:anywhere|elsewhere)\b|\bcheaper than anywhere else\b"),
        ("superlative.performance", r"\b(?:fastest|strongest|quickest|longest[- ]lasting|most (?:effective|powerful|efficient|advanced|durable|accurate|absorbent))\b"),
        # measurable comparisons ("twice as fast as before", "3x brighter") need evidence as much as "fastest"
        ("superlative.performance", r"\b(?:twice|three times|four times|(?:2|3|4|5|10)\s?x|(?:2|3|4|5|10) times) (?:as (?:fast|long|strong|bright|quick|powerful|efficient)|faster|longer|stronger|brighter|quicker|more (?:powerful|efficient|effective))\b"),
    ],
    "de": [
        ("superlative.sales", r"\bmeist ?verkauft\w*|\bam (?:meisten|häufigsten) verkauft\w*|\bbestseller\w*|\bverkaufsschlager\w*|\bmeistgekauft\w*|\bbeliebteste\w*|\berfolgreichste\w*"),
        ("superlative.rank", r"\bnr\.?\s?1\b|\bnummer (?:1|eins)\b|\b[\w-]*sieger\w*|\bmarktführer\w*|\bbranchenführer\w*|\bweltmarktführer\w*|\bweltneuheit\b|\bweltweit (?:erste|führend|beste|einzige|einzig)\w*|\bdeutschlands (?:beste|beliebteste|größte|meistverkaufte|nr|nummer|erste|günstigste|schnellste)\w*|\b(?:beste|besten|bester|bestes|erste|ersten|erster|einzige|einzigen|einziger) [\w -]{0,30}?\b(?:der welt|deutschlands|europas|am markt|auf dem markt|weltweit)\b|\bpreisgekrönt\w*|\bausgezeichnet mit dem\b|\bstiftung warentest\b"),
        ("superlative.price", r"\bgünstigste\w*|\bbilligste\w*|\bpreiswerteste\w*|\bbestpreis\w*|\bbeste[nr]? preis\w*|\btiefstpreis\w*|\bniedrigste\w* preis\w*|\bunschlagbar (?:günstig|billig|preiswert)\w*|\bunschlagbare\w* preis\w*|\bdauertiefpreis\w*|\bpreisgarantie\b|\b(?:günstiger|billiger|preiswerter) geht'?s nicht\b|\bnirgend(?:s|wo) (?:günstiger|billiger|preiswerter)\b|\b(?:günstiger|billiger|preiswerter) (?:findest du|finden sie|bekommst du|bekommen sie) (?:es|ihn|sie|das)? ?nirgend\w*"),
        ("superlative.rank", r"\bunübertroffen\w*|\bkonkurrenzlos\w*|\bunerreicht\w*|\bohnegleichen\b"),
        ("superlative.performance", r"\b(?:doppelt|dreimal|zweimal|(?:2|3|4|5|10)\s?x|(?:2|3|4|5|10)-mal) so (?:schnell|lange|stark|hell|effizient)\b|\b(?:schnellste|stärkste|leistungsstärkste|effektivste|wirksamste|langlebigste)\w*|\b\w+(?:ste|sten|ster|stes) [\w -]{0,30}?\b(?:der welt|europas|deutschlands|am markt|auf dem markt)\b"),
    ],
    "fr": [
        ("superlative.price", r"\b(?:le|la|les) moins cher(?:e|s|es)?\b|\bmoins cher(?:e|s|es)? du marché\b|\b(?:le |les )?prix (?:le|les) plus bas\b|\bmeilleurs? prix\b|\bprix imbattables?\b|\bprix les plus bas\b|\b(?:introuvable|nulle part) moins cher\b|\bpersonne ne (?:le |la |les )?vend moins cher\b|\bmoins cher qu'ailleurs\b"),
        ("superlative.rank", r"\bn[°º]\s?1\b|\bno\.?\s?1\b|\bnuméro (?:un|1)\b|\bleader (?:du marché|européen|mondial|français|en france)\b|\b(?:élu|élue|élus|élues) (?:produit|meilleur|n°|numéro)\w*|\bproduit de l'année\b|\bprimé\w*|\b(?:le|la|les) meilleur\w* [\w' -]{0,30}?\b(?:du monde|de france|d'europe|du marché|au monde)\b|\bpréféré\w* des français\b|\b(?:premier|première) (?:\w+ )?(?:au monde|du marché|mondial\w*)\b"),
        ("superlative.sales", r"\b(?:le|la|les) plus vendu(?:e|s|es)?\b|\bmeilleures? ventes?\b|\bbest[- ]?sellers?\b|\b(?:le|la|les) plus populaires?\b"),
        ("superlative.rank", r"\binégalée?s?\b|\bsans égal\w*|\bsans rival\w*|\binsurpassable\w*"),
        ("superlative.performance", r"\bdeux fois plus (?:rapide|puissante?|efficace|lumineuse?|longtemps)\b|\b(?:le|la|les) plus (?:rapides?|puissante?s?|efficaces?|performante?s?)\b|\bplus \w+ (?:du monde|au monde|du marché|de france|d'europe)\b"),
    ],
    "es": [
        ("superlative.sales", r"\b(?:el|la|los|las|lo) más vendid[oa]s?\b|\bmás vendid[oa]s?\b|\bsuperventas\b|\bbest[- ]?sellers?\b|\béxito de ventas\b|\b(?:el|la|los|las) más populares?\b"),
        ("superlative.price", r"\b(?:el|la|los|las) más barat[oa]s?\b|\bmás barat[oa]s? del mercado\b|\bmejor(?:es)? precios?\b|\b(?:el )?precio más bajo\b|\bprecios más bajos\b|\bprecios? imbatibles?\b|\bnadie (?:lo |la |los |las |te lo )?(?:vende|deja|ofrece) más barat[oa]s?\b|\bno (?:lo |la )?encontrarás más barat[oa]s?\b|\bmás barat[oa]s? que en ningún (?:sitio|lugar)\b"),
        ("superlative.rank", r"\bn[°º.]\s?1\b|\bnº ?1\b|\bn\.º ?1\b|\bnúmero (?:uno|1)\b|\blíder (?:del mercado|en ventas|mundial|europeo|en españa)\b|\b(?:el|la|los|las) mejor(?:es)? [\w' -]{0,30}?\b(?:del mundo|de españa|de europa|del mercado)\b|\bpremiad[oa]s?\b|\bgalardonad[oa]s?\b|\bfavorit[oa]s? de (?:españa|los españoles)\b|\bprimer\w* [\w -]{0,20}?(?:del mundo|del mercado)\b|\bproducto del año\b"),
        ("superlative.rank", r"\binigualable\w*|\bsin rival\w*|\binsuperable\w*|\bsin igual\b"),
        ("superlative.performance", r"\bel doble de (?:rápid[oa]|potente|eficaz|duración)\b|\bdos veces más (?:rápid[oa]|potente|eficaz)\b|\b(?:el|la|los|las) más (?:rápid[oa]s?|potentes?|eficaces?)\b|\bmás \w+ (?:del mundo|del mercado|de españa|de europa)\b"),
    ],
    "ja": [
        ("superlative.rank", r"no\.?\s?1|ナンバーワン|ナンバー1|(?:第)?1位|一位|首位|世界一|日本一|業界一"),
        ("superlative.sales", r"売上(?:ナンバーワン|no)|一番人気|人気no|一番売れ|最も売れ|ベストセラー|売れ筋(?:no|1位)"),
        ("superlative.price", r"最安|業界最安|最低価格"),
        ("superlative.rank", r"(?:業界|世界|日本|国内)初|受賞"),
        ("superlative.performance", r"最速|最強"),
    ],
    "zh": [
        ("superlative.rank", r"(?:销量|销售|行业|市场|全国|全球)领先|领先(?:品牌|地位)|(?:全球|世界|全国|全网|行业|亚洲|中国|销量|品类|口碑|人气)第一|销量第一|销售冠军|销冠|第一名|排名第一|全国第一|行业第一|全网第一|世界第一|no\.?\s?1|第一品牌|全球首|世界首|首创|行业领先|领先品牌|全球领先|最佳|顶级|国家级|最高级"),
        ("superlative.price", r"最低价|全网最低|最便宜|价格最低|史上最低|全网最低价"),
        ("superlative.sales", r"最畅销|畅销第一|最受欢迎"),
        ("superlative.performance", r"最快|最强"),
    ],
    "ko": [
        ("superlative.rank", r"1위|1등|일등|넘버원|no\.?\s?1|(?:업계|세계|국내) ?최초"),
        ("superlative.price", r"최저가|가장 (?:싼|저렴한)|최저 가격"),
        ("superlative.sales", r"베스트셀러|가장 많이 팔린|판매량 ?1위|최고 인기|가장 인기"),
        ("superlative.performance", r"가장 빠른|가장 강력한"),
    ],
    "ar": [
        ("superlative.sales", r"الأكثر مبيع\S*|الأكثر (?:شعبية|طلبا\S*)|الأفضل مبيع\S*"),
        ("superlative.price", r"(?:ال)?أرخص|أقل سعر|أدنى سعر|أفضل سعر|أفضل الأسعار|أقل الأسعار|أسعار لا تقبل المنافسة"),
        ("superlative.rank", r"رقم (?:1|واحد)|الأول في|الأولى في|المركز الأول|الأفضل في (?:العالم|السوق|الإمارات|المنطقة|الشرق الأوسط)|(?:أفضل|الأفضل) \S+ في (?:العالم|السوق)|حائز\S* على جائزة|رائد\S* (?:في )?السوق"),
        ("superlative.performance", r"الأسرع|الأقوى"),
    ],
    "he": [
        ("superlative.sales", r"רבי?[- ]מכר\S*|רב מכר|הנמכר ביותר|הנמכרת ביותר|הכי נמכר\S*|הפופולרי\S* ביותר"),
        ("superlative.price", r"הזול(?:ה|ים)? ביותר|הכי זול\S*|המחיר הנמוך ביותר|המחיר הזול ביותר|המחיר הטוב ביותר|המחירים הנמוכים ביותר"),
        ("superlative.rank", r"מספר (?:1|אחת|אחד)\b|מס' 1|הטוב(?:ה|ים)? ביותר ב(?:עולם|ישראל|שוק)|זוכה פרס|עטור(?:ת)? פרסים"),
        ("superlative.performance", r"המהיר(?:ה)? ביותר|החזק(?:ה)? ביותר"),
    ],
    "hi": [
        ("superlative.sales", r"सबसे (?:ज्यादा|ज़्यादा|अधिक) बिक\S*|बेस्टसेलर|बेस्ट सेलर|सबसे लोकप्रिय"),
        ("superlative.rank", r"नंबर (?:1|वन)|नं\.? ?1|दुनिया (?:का|की|के) (?:सबसे|पहला|पहली)|पुरस्कार विजेता"),
        ("superlative.price", r"सबसे सस्त\S*|सबसे कम (?:कीमत|दाम)|सबसे अच्छी कीमत"),
        ("superlative.performance", r"सबसे तेज़|सबसे तेज"),
    ],
}

# ---- origin ---------------------------------------------------------------------------------

_PLACE_EXTRAS = {
    "en": ["usa", "u.s.a.", "u.s.a", "u.s.", "us", "america", "uk", "u.k.", "britain", "great britain", "england",
           "scotland", "wales", "northern ireland", "europe", "the eu", "eu", "holland", "california", "bavaria",
           "tuscany", "the usa", "the us", "the uk", "asia", "the alps"],
    "de": ["deutschland", "europa", "der eu", "bayern", "österreich", "der schweiz", "italien", "usa", "den usa",
           "china", "asien", "fernost"],
    "fr": ["france", "europe", "l'ue", "italie", "portugal", "espagne", "chine", "bretagne", "provence"],
    "es": ["españa", "europa", "la ue", "italia", "portugal", "méxico", "china", "asia"],
    "ja": ["アメリカ", "米国", "英国", "イギリス", "欧州", "ヨーロッパ", "北欧", "日本", "ドイツ", "イタリア", "フランス", "中国", "韓国"],
    "zh": ["美国", "英国", "欧洲", "意大利", "法国", "德国", "日本", "韩国", "中国"],
    "ko": ["미국", "영국", "유럽", "한국", "이태리", "이탈리아", "독일", "프랑스", "일본", "중국"],
    "ar": ["الإمارات", "امريكا", "أمريكا", "أوروبا", "السعودية", "إيطاليا", "الصين", "اليابان", "ألمانيا", "فرنسا",
           "بريطانيا", "إسبانيا", "تركيا", "مصر", "دبي", "الهند"],
    "he": ["ישראל", "איטליה", "ארה\"ב", "אירופה", "גרמניה", "צרפת", "סין", "יפן", "הארץ", "ספרד", "פורטוגל"],
    "hi": ["भारत", "इंडिया", "चीन", "जापान", "जर्मनी", "इटली", "अमेरिका", "यूरोप"],
}
_BAD_TERRITORIES = {"XA", "XB", "ZZ", "QO"}


@lru_cache(maxsize=None)
def _place_names(lang: str) -> tuple[str, ...]:
    names: set[str] = set()
    try:
        from babel import Locale

        terr = Locale.parse(lang).territories
    except Exception:  # noqa: BLE001 - a language Babel lacks just has fewer place names
        terr = {}
    for code, name in terr.items():
        if (len(code) == 2 and code.isalpha() and code not in _BAD_TERRITORIES) or code in ("EU", "150"):
            names.add(name)
    names.update(_PLACE_EXTRAS.get(lang, []))
    folded = {_fold_text(n) for n in names}
    return tuple(sorted((f for f in folded if f), key=len, reverse=True))


@lru_cache(maxsize=None)
def _places(lang: str) -> str:
    return "(?:" + "|".join(re.escape(n) for n in _place_names(lang)) + ")"


_ORIGIN_STOP = {
    "en": {"minutes", "seconds", "hours", "heaven", "love", "style", "batches", "house", "small", "limited", "our",
           "a", "the", "one", "your", "collaboration", "partnership", "seconds", "moments", "mind", "heart"},
    "de": {"handarbeit", "kleinserie", "kleinserien", "serie", "manufaktur", "liebe", "sorgfalt", "perfektion",
           "qualität", "minuten", "sekunden", "eigenregie", "eigenproduktion", "familienhand", "handwerk",
           "unserer", "unseren", "einer", "eigener", "zusammenarbeit", "kooperation", "deutschland"},
    "fr": {"minutes", "secondes", "série", "petite", "collaboration", "partenariat", "atelier"},
    "es": {"casa", "minutos", "segundos", "serie", "pequeñas", "colaboración"},
}


def _origin_cap_keep(doc: _Doc, h: _Hit) -> bool:
    """'made in <Word>': a place when the word is capitalised in copy that is not all caps/title case."""
    word = h.m.group("w")
    if word in doc_place_set(doc):
        return True
    if word in _ORIGIN_STOP.get(doc.ctx.locale.language, set()) | _ORIGIN_STOP["en"]:
        return False
    ws = h.start + h.m.start("w") - h.m.start()
    a, _ = doc.orig_span(ws, ws + 1)
    first = doc.text[a: a + 1]
    if not first.isupper():
        return False
    letters = [c for c in doc.text if c.isalpha() and c.isascii()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return False  # ALL CAPS copy: capitals tell nothing
    # Title Case headline ("Made In Minutes"): the preposition itself is capitalised
    pa, _ = doc.orig_span(h.start + h.m.start("prep") - h.m.start(), h.start + h.m.start("prep") - h.m.start() + 1)
    return not doc.text[pa: pa + 1].isupper()


def doc_place_set(doc: _Doc) -> set[str]:
    out: set[str] = set()
    for lang in doc.langs:
        out.update(_place_names(lang))
    return out


_V_EN = (r"(?:made|manufactured|produced|crafted|hand[- ]?crafted|handmade|hand[- ]made|hand[- ]?built|built|"
         r"assembled|sewn|stitched|woven|knitted|knit|brewed|bottled|printed|roasted|distilled|engineered|forged|"
         r"tailored|cut and sewn|grown|harvested|baked|blended|milled|tanned|carved|cast|blown|spun|dyed|"
         r"designed and made|designed & made|made and designed)")
_V_DE = (r"(?:hergestellt|produziert|gefertigt|handgefertigt|genäht|gewebt|gestrickt|gebraut|gedruckt|geröstet|"
         r"gebacken|montiert|gegossen|verarbeitet|made|entwickelt und hergestellt|handgemacht|gemacht|handgenäht|designt und gefertigt|hergestellt und verpackt)")
_V_FR = (r"(?:fabriqu(?:é|ée|és|ées)|produit(?:e|s|es)?|conçu(?:e|s|es)? et fabriqu\w*|confectionn\w*|assembl\w*|"
         r"tiss(?:é|ée|és|ées)|cousu\w*|tricot(?:é|ée|és|ées)|imprim(?:é|ée|és|ées)|torréfi\w*|brass(?:é|ée|és|ées)|"
         r"fai(?:t|te|ts|tes)(?: main)?|élabor(?:é|ée|és|ées)|façonn\w*|made)")
_V_ES = (r"(?:hech[oa]s?(?: a mano)?|fabricad[oa]s?|producid[oa]s?|elaborad[oa]s?|confeccionad[oa]s?|"
         r"diseñad[oa]s? y fabricad[oa]s?|tejid[oa]s?|cosid[oa]s?|ensamblad[oa]s?|made)")


_ADV_EN = r"(?:(?:by hand|locally|entirely|exclusively|proudly|lovingly|carefully|still|all|right here|here|responsibly|ethically|sustainably|traditionally) )?"


def _origin_rows(lang: str) -> list[_Row]:
    P = _places(lang) if lang == "en" else "(?:" + _places(lang)[3:-1] + "|" + _places("en")[3:-1] + ")"
    W = r"(?P<w>[^\W\d_][\w.'-]*)"
    if lang == "en":
        return [
            ("origin.made_in", rf"\b{_V_EN} {_ADV_EN}(?P<prep>in) (?:the )?{P}(?![\w])"),
            ("origin.made_in", rf"\b{_V_EN} {_ADV_EN}(?P<prep>in) (?:the )?{W}", _origin_cap_keep),
            ("origin.made_in", r"\b(?:swiss|german|italian|french|british|american|japanese|us|usa|u\.s\.|eu|european|spanish|portuguese|english|scottish|irish|danish|swedish|korean|chinese|indian|canadian|australian|uk|locally|home)[- ]made\b"),
            ("origin.made_in", rf"\bproduct of (?:the )?{P}(?![\w])|\bproudly (?:american|british|canadian|australian|german|italian|french|swiss)\b|\b(?:100 ?% )?(?:american|british|canadian|australian)[- ](?:made|built|grown)\b|\bmade in\s*:"),
        ]
    if lang == "de":
        return [
            ("origin.made_in", rf"\b{_V_DE} (?P<prep>in) (?:der |den )?{P}(?![\w])"),
            ("origin.made_in", rf"\b{_V_DE} (?P<prep>in) (?:der |den )?{W}", _origin_cap_keep),
            ("origin.made_in", rf"\bin (?:der |den )?{P} (?:hergestellt|produziert|gefertigt|handgefertigt|genäht|gemacht|handgemacht|entwickelt und (?:hergestellt|gefertigt)|gebraut|geröstet)\b"),
            ("origin.made_in", rf"\b(?:qualität|handarbeit|wertarbeit|markenqualität|ware|produkte?|mode|design|handwerk) aus (?:der |den )?{P}(?![\w])|\baus (?:deutscher|europäischer|italienischer|französischer|spanischer|portugiesischer|heimischer|schweizer|österreichischer|regionaler|lokaler) (?:herstellung|produktion|fertigung|manufaktur|handarbeit)\b|\bmade in germany\b"),
        ]
    if lang == "fr":
        return [
            ("origin.made_in", rf"\b{_V_FR} (?P<prep>en|au|aux) {P}(?![\w])"),
            ("origin.made_in", rf"\b{_V_FR} (?P<prep>en|au|aux) {W}", _origin_cap_keep),
            ("origin.made_in", r"\bfabrication (?:française|européenne|italienne|portugaise|espagnole|allemande|locale|100 ?% française|artisanale française)\b|\borigine france\b|\bmade in france\b"),
        ]
    if lang == "es":
        return [
            ("origin.made_in", rf"\b{_V_ES} (?P<prep>en) {P}(?![\w])"),
            ("origin.made_in", rf"\b{_V_ES} (?P<prep>en) {W}", _origin_cap_keep),
            ("origin.made_in", r"\bfabricación (?:española|nacional|europea|local|italiana|portuguesa)\b|\bproducto (?:español|nacional|de españa|local)\b|\bmade in spain\b"),
        ]
    if lang == "ja":
        return [("origin.made_in", rf"{P}(?:製|産|で(?:製造|生産|作られ|作ら|仕立て)|にて(?:製造|生産)|製造|生産)|国産|国内(?:製造|生産|製)|made in")]
    if lang == "zh":
        return [("origin.made_in", rf"{P}(?:制造|製造|生产|原产|原装|产|进口|進口|工艺)|国产|原产地|产地(?:[:：]|为|是)|made in|原装进口")]
    if lang == "ko":
        return [("origin.made_in", rf"{P} ?(?:산|제|제조|생산|에서 (?:만든|제조|생산))|국내산|국산|국내 ?(?:생산|제조)|메이드 ?인|made in")]
    if lang == "ar":
        return [("origin.made_in", r"(?:صنع|صُنع|مصنوع\S*|صناعة|إنتاج|تصنيع|منتج|صنعت)(?: \S+)? (?:في|فى) \S+|صناعة (?:إماراتية|سعودية|محلية|وطنية|ألمانية|إيطالية|يابانية|فرنسية|أمريكية|بريطانية|إسبانية|تركية|صينية)|منتج (?:إماراتي|سعودي|محلي|وطني|ألماني|إيطالي)|(?:صنع|إنتاج) (?:محلي|إماراتي|وطني)|made in")]
    if lang == "he":
        return [("origin.made_in", rf"תוצרת \S+|(?:מיוצר|מיוצרת|מיוצרים|מיוצרות|יוצר|יוצרה|נוצר|נוצרה|מיובא\S*) (?:ב|מ){P}|made in")]
    if lang == "hi":
        return [("origin.made_in", rf"{P} में (?:निर्मित|बना|बनी|बने|बनाया गया|बनाई गई)|मेड इन|स्वदेशी|made in")]
    return []


# ---- free -----------------------------------------------------------------------------------

_FREE_PREV_INNOCENT = set("""
feel set sets setting break breaks breaking broke run runs running roam roams roaming born wild spirit spirits stay
breathe ride rides fly flies flying move moves moving swing swings hang hangs toll sugar gluten lactose dairy fat
alcohol caffeine bpa paraben parabens fragrance scent perfume cruelty plastic hands nut soy egg wheat meat toxin
chemical chemicals tax duty interest stress worry hassle fuss care crease wrinkle iron drip lint rust maintenance
smoke tangle clutter guilt pain latex nickel lead pvc phthalate phthalates silicone silicones sulfate sulfates
sulphate sulphates oil allergen grain carb carbs glare flicker noise cable cord wire key touch mess spill scratch
odour odor risk ad ads royalty cage gmo preservative preservatives animal dye palm mineral waste emission emissions
carbon hormone antibiotic pesticide additive additives spam calorie calories salt gelatin yeast nitrate nitrates
sulphite sulphites sulfite sulfites frizz streak lump clump smudge snag pill bleach chlorine fluoride micro
""".split())
_FREE_PRONOUNS = {"yourself", "yourselves", "myself", "themselves", "ourselves", "and", "them", "you", "me", "us",
                  "her", "him", "it", "your", "my", "our", "their", "mind", "soul"}
_FREE_NEXT_INNOCENT = re.compile(
    r"\s?(?:as (?:in|a|an|the)\b|-\s?(?!shipping|delivery|returns?|gift|trial|sample|postage|p&p)\w|(?:your|yourself|yourselves|you|from|up|time|"
    r"spirit|spirits|spirited|will|hand|hands|fall|kick|kicks|throw|throws|radicals?|agents?|range|standing|flowing|"
    r"weights?|ride|riding|running|thinking|thinker|speech|press|market|world|form|style|size|flow|space|zone|period|"
    r"verse|wheel|wheeling|diving|skating|people|man|men|country|state|reign|rein|the (?:mind|soul|body)|and easy|"
    r"as a bird|as the wind|to (?!you\b|all\b|members\b|customers\b|everyone\b|the first\b|new\b|join\b)\w+|"
    r"of (?!charge|cost)\w+)\b)"
)


def _free_en_keep(doc: _Doc, h: _Hit) -> bool:
    v = h.view
    s, e = h.m.start(), h.m.end()
    if s > 0 and v[s - 1] in "-/":
        return False
    words = re.findall(r"[\w']+", v[max(0, s - 40):s])
    if words and words[-1] in _FREE_PREV_INNOCENT:
        return False
    if len(words) >= 2 and words[-2] in _FREE_PREV_INNOCENT and words[-1] in _FREE_PRONOUNS:
        return False  # "set yourself free", "wild and free", "break them free"
    if _FREE_NEXT_INNOCENT.match(v, e):
        return False
    return True


_FREE: dict[str, list[_Row]] = {
    "en": [
        ("free.offer", r"\bfree\b", _free_en_keep),
        ("free.offer", r"\bfor free\b|\bfree of charge\b|\bcomplimentary\b|\bgratis\b|\bon the house\b|\bno (?:extra |additional )?(?:delivery |shipping |postage |booking |p&p |return |returns )?(?:charges?|costs?|fees?)\b(?! apply)|\bat no (?:extra |additional )?(?:cost|charge)\b|\bwithout (?:extra |additional )?(?:charge|cost)\b|\bzero[- ](?:delivery |shipping )?(?:fees?|cost)\b|\bcosts? (?:you )?nothing\b|\b(?:delivery|shipping|postage|returns|p&p|gift wrapping|it|this|that|everything)(?:'s| is| are)? on us\b|(?:'s|\bis|\bare|\bbe) on us\b|(?:[€$£]\s?0(?:[.,]00)?|\b0(?:[.,]00)?\s?[€$£]) (?:delivery|shipping|postage)\b|\b(?:delivery|shipping|postage)(?::| for| at)? (?:[€$£]\s?0(?:[.,]00)?|0(?:[.,]00)?\s?[€$£])(?!\d)"),
    ],
    "de": [
        ("free.offer", r"\bgratis\w*|\bkostenlos\w*|\bkostenfrei\w*|\bumsonst\b|\bgeschenkt\b|\b(?:versand|liefer|porto|versandkosten|lieferkosten|rücksende|rückversand|retouren?|montage|gebühren|spesen)(?:kosten)?[- ]?frei\w*|\bfrei haus\b|\bohne (?:aufpreis|zusatzkosten|versandkosten|extrakosten|gebühren|kosten)\b|\bzum nulltarif\b|\bgeht auf uns\b|\b(?:0|0,00) ?€ (?:versand|lieferung)\b|\b(?:versand|lieferung)(?::| für| zu)? (?:0|0,00) ?€"),
    ],
    "fr": [
        ("free.offer", r"\bgratuit\w*|\bgratis\b|\boffert(?:e|s|es)?\b|\bsans frais\b|\bà 0 ?€|\b0 ?€ de (?:frais|livraison)\b|\bsans supplément\b|\ben cadeau\b|\b(?:on vous|nous vous|vous) (?:l'|les |la |le )?offr(?:e|ons)\b|\bc'est cadeau\b"),
    ],
    "es": [
        ("free.offer", r"\bgratis\b|\bgratuit[oa]s?\b|\bgratuitamente\b|\bsin (?:coste|costo|cargo|gastos)(?: adicional(?:es)?| de envío| extra)?\b|(?<!tarjeta )(?<!tarjetas )(?<!papel )(?<!ideas )(?<!idea )(?<!bolsa )(?<!caja )(?<!cajas )(?<!cheque )\bde regalo\b|\bcon regalo\b|\bregalo (?:directo|seguro|incluido)\b|\b(?:te |os |le )?regalamos\b|\bte lo regalamos\b|\benvío 0 ?€|\b0 ?€ (?:de )?envío\b|\bcorre de nuestra cuenta\b|\bpor cuenta de la casa\b|\binvita la casa\b"),
    ],
    "ja": [("free.offer", r"無料|タダ|ただで|(?<![\d,.])0円|無償|進呈|プレゼント(?:中|します|キャンペーン)|もれなく")],
    "zh": [("free.offer", r"免费|免運費|免运费|包邮|包郵|赠送|赠品|零元|(?<![\d,.])0元|白送|买\S{1,2}送\S{1,2}|免单")],
    "ko": [("free.offer", r"무료|공짜|무상|(?<![\d,.])0원|증정|사은품")],
    "ar": [("free.offer", r"مجان|ببلاش|بلاش|بدون (?:رسوم|تكلفة|مقابل)|بلا (?:رسوم|مقابل)|على حسابنا")],
    "he": [("free.offer", r"חינם|ללא (?:עלות|תשלום|דמי משלוח)|משלוח (?:ב-?)?0 ?₪|0 ?₪ משלוח")],
    "hi": [("free.offer", r"मुफ्त|मुफ़्त|फ्री|फ़्री|निःशुल्क|नि:शुल्क|निशुल्क|बिना (?:किसी )?(?:शुल्क|चार्ज|कीमत)")],
}

_MONEY_SYM = r"(?:[€$£¥₹₩₪]|us\$|eur|usd|gbp|aed|chf|jpy|inr|ils|krw|cny|rmb|dhs?|د\.إ|درهم|ريال|ر\.س|ش\.ج|円|元|원|rs\.?)"
_FREE_COND: dict[str, list[str]] = {
    "en": [
        r"\b(?:orders?|purchases?|spend(?:ing)?|baskets?|carts?|checkout) (?:of |totall?ing |worth )?(?:over|above|from|of at least|at least|more than|exceeding|\+)",
        r"\b(?:over|above|from|at least|more than) " + _MONEY_SYM + r"?\s?\d", r"\b\d+\s?" + _MONEY_SYM + r"?\+", _MONEY_SYM + r"\s?\d+\+",
        r"\bmin(?:imum|\.)?\.? (?:spend|order|purchase|basket)", r"\bwhen you (?:spend|buy|order|purchase|sign up|subscribe|join|register|download|trade in|book)",
        r"\bwith (?:any|every|your|each|a|the|all)? ?(?:purchase|order|subscription|membership|code|app)",
        r"\bbuy (?:\d+|one|two|three|any|a|2|3)\b", r"\b(?:for|to) (?:all )?(?:members|subscribers|new customers|first[- ]time|app users|loyalty|club members|cardholders|students)",
        r"\bwithin \d+ (?:days|weeks|months)", r"\bfor (?:the first )?\d+ (?:days|weeks|months)", r"\b\d+[- ]day\b", r"\bfirst (?:month|order|\d+|week|year)\b",
        r"\b(?:excl(?:\.|udes|uding)?|except|not valid on|exclusions)\b", r"\bon (?:selected|eligible) (?:items|styles|products)", r"\bwhile stocks last\b.*\b(?:per|one)\b",
        r"\buntil \d", r"\bvalid (?:until|till|through)\b", r"\b(?:one|1) per customer\b", r"\bwith (?:every|each|any) \w+ (?:over|above)",
        r"\bsign up\b|\bsubscribe\b|\bmembers?\b",
    ],
    "de": [
        r"\bab (?:einem )?(?:bestellwert |einkaufswert |warenwert |einkauf )?(?:von )?(?:€ ?)?\d", r"\bmindestbestellwert\b", r"\bbeim kauf\b", r"\bbei (?:einem |ihrem |deinem )?(?:einkauf|bestellung|kauf)\b",
        r"\bfür (?:alle )?(?:mitglieder|neukunden|abonnenten|clubmitglieder)\b", r"\binnerhalb von \d+ tagen\b", r"\b\d+ tage\b", r"\bmit (?:code|gutschein|der app)\b",
        r"\b(?:ausgenommen|ausgeschlossen|außer|ausser)\b", r"\bzum kauf\b", r"\bab \d+ (?:artikeln|teilen|stück)\b", r"\bbei bestellungen? (?:ab|über)\b", r"\büber \d+ ?€", r"\bbis \d",
    ],
    "fr": [
        r"\bdès \d", r"\bà partir de \d", r"\bpour (?:tout|toute|l'|un|une) (?:achat|commande)", r"\bdès \d+ (?:€|articles|achetés|produits)", r"\bsous \d+ jours\b", r"\bpendant \d+ jours\b",
        r"\bpour les (?:membres|abonnés|nouveaux clients)\b", r"\bavec le code\b", r"\bhors\b", r"\bà l'achat (?:de|d')", r"\b(?:2e|3e|2ème|3ème|deuxième|troisième|second|seconde|2nd|2nde)\b",
        r"\bachat de \d", r"\b\d+ achetés?\b", r"\bsauf\b", r"\bdès \d+ ?€ d'achat", r"\bjusqu'(?:au|à) \d", r"\bpour \d+ ?€ d'achat", r"\bau-delà de \d",
    ],
    "es": [
        r"\b(?:a partir de|desde) \d", r"\b(?:en|por|para) (?:pedidos|compras) (?:superiores|de más|a partir|mayores|de al menos|desde|de \d)", r"\b(?:pedidos|compras) (?:superiores|mayores) a\b",
        r"\bal comprar\b", r"\bpor la compra de\b", r"\bcon (?:tu|cada|la|su) (?:compra|pedido)\b", r"\b(?:en )?(?:un plazo de |los próximos )?\d+ días\b", r"\bdurante \d+ (?:días|meses)\b",
        r"\bpara (?:socios|miembros|nuevos clientes|suscriptores)\b", r"\bcon el código\b", r"\b(?:excepto|salvo)\b", r"\b(?:2ª|2a|segunda|3ª|3a|tercera) unidad\b", r"\bmás de \d", r"\bhasta el \d",
    ],
    "ja": [r"\d[\d,]*円以上", r"以上(?:の)?(?:ご)?(?:購入|お買い上げ|注文|お買い物)", r"(?:購入|お買い上げ|ご注文)(?:で|の方|者|時)", r"会員", r"\d+日以内", r"(?:コード|クーポン)", r"点以上", r"2点目", r"\d+日間"],
    "zh": [r"满\d", r"满\S{0,6}(?:元|件)", r"购买\S{0,6}(?:即|送|可)", r"买\S{1,2}送", r"会员", r"\d+天内", r"以上", r"订单"],
    "ko": [r"이상 ?구매", r"\d[\d,]*원 ?이상", r"구매 ?시", r"회원", r"\d+일 ?이내", r"이상"],
    "ar": [r"مع كل (?:طلب|عملية شراء|شراء)", r"للطلبات (?:فوق|التي تزيد|بقيمة|الأكثر)", r"فوق \d", r"عند (?:شراء|الشراء|طلب)", r"بشراء", r"للأعضاء", r"خلال \d+ (?:يوم|أيام)", r"بقيمة \d", r"تزيد (?:عن|على)", r"أكثر من \d", r"عند الإنفاق"],
    "he": [r"בקני(?:י)?ה מעל", r"מעל \d", r"בקניית", r"בהזמנה מעל", r"לחברי מועדון", r"תוך \d+ ימים", r"בקני(?:י)?ה של", r"בקנייה ב"],
    "hi": [r"से (?:ऊपर|अधिक) (?:के|की) (?:ऑर्डर|खरीद)", r"₹\s?\d+ से ऊपर", r"खरीद पर", r"ऑर्डर पर", r"सदस्यों", r"\d+ दिनों"],
}

# ---- scarcity -------------------------------------------------------------------------------

_NUMWORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "ein": 1, "eins": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "funf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "zwölf": 12, "zwolf": 12,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "两": 2,
}
_N = (r"(?P<n>\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|ein|eins|eine|"
      r"zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|un|une|deux|trois|quatre|cinq|sept|huit|neuf|dix|"
      r"uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|[一二三四五六七八九十两])")
_NOT_MONEY = r"(?![\d.,]*\s?(?:[€$£¥₹₩₪%]|eur|euro|usd|cent|ct|dhs?|درهم|ريال|円|元|원|₪|ש\"ח|रु|rs|days?|tage?n?|jours?|días?|hours?|stunden|heures|horas|h\b|min|mal|x\b|years?|jahre|ans|años|monate|mois|meses|weeks?|wochen|semaines|semanas|日|時間|天|일|시간|يوم|أيام|ساعة|ימים|שעות|दिन|घंटे))"

_SCARCITY_NUM: dict[str, list[str]] = {
    "en": [rf"\b(?:only|just|last|final|less than|fewer than|under) {_N}{_NOT_MONEY} (?:\w+ ){{0,2}}(?:left|remaining|remain|available|in stock|to go)\b",
           rf"\b{_N} (?:\w+ )?(?:left|remaining) in stock\b", rf"\b(?:only|just) {_N}{_NOT_MONEY} (?:\w+ )?left\b", rf"\blast {_N} (?:pieces|pairs|units|items|ones|sets)\b",
           rf"\b{_N} (?:pieces?|pairs?|units?|items?|sets?)? ?left\b(?! (?:turn|side|foot|hand))", rf"\bonly {_N}{_NOT_MONEY} (?:in stock|available)\b", rf"\bstock: ?{_N}\b"],
    "de": [rf"\bnur noch {_N}{_NOT_MONEY}\b", rf"\b(?:nur|noch) {_N} (?:stück|stk\.?|exemplare|artikel|paar|teile|einheiten)\b",
           rf"\b{_N} (?:stück|stk\.?|exemplare|artikel|paar|teile)? ?(?:übrig|auf lager|verfügbar|vorrätig)\b", rf"\bletzten? {_N} (?:stück|exemplare|artikel|paar|teile)\b",
           rf"\b(?:weniger als|unter) {_N} (?:stück|exemplare)? ?(?:auf lager|verfügbar|übrig)\b"],
    "fr": [rf"\bplus que {_N}{_NOT_MONEY}\b", rf"\bil (?:ne )?(?:en )?reste (?:plus )?(?:que |seulement )?{_N}{_NOT_MONEY}\b",
           rf"\b(?:seulement|plus que|encore|que) {_N} (?:pièces?|articles?|exemplaires?|unités?|paires?)? ?(?:en stock|disponibles?|restant\w*)\b",
           rf"\bderni(?:ers|ères|er|ère) {_N} (?:pièces?|articles?|exemplaires?|unités?|paires?)\b", rf"\b{_N} (?:pièces?|articles?|exemplaires?|unités?) restant\w*"],
    "es": [rf"\b(?:solo|sólo|únicamente)? ?(?:quedan|queda|hay) (?:solo |sólo |únicamente )?{_N}{_NOT_MONEY}\b", rf"\b(?:últimas?|últimos?) {_N} (?:unidades|piezas|artículos|pares)\b",
           rf"\b{_N} (?:unidades|piezas|artículos)? ?(?:disponibles|en stock|restantes)\b", rf"\b(?:solo|sólo) {_N} (?:unidades|piezas)\b"],
    "ja": [rf"残り\s?{_N}{_NOT_MONEY}\s?(?:点|個|つ|枚|着|本|台|足|セット)?", rf"あと\s?{_N}\s?(?:点|個|つ|枚|着|本|台|足)", rf"在庫\s?{_N}\s?(?:点|個)", rf"ラスト\s?{_N}"],
    "zh": [rf"(?:仅剩|只剩|剩余|仅余|还剩|最后)\s?{_N}{_NOT_MONEY}\s?(?:件|个|套|双|台)?", rf"库存(?:仅|只)?(?:剩)?\s?{_N}"],
    "ko": [rf"(?:단|딱|남은 수량|잔여|재고)\s?{_N}\s?(?:개|점|벌|족|세트)", rf"{_N}\s?(?:개|점|벌)\s?(?:남음|남았|한정)"],
    "ar": [rf"(?:تبقى|تبقّى|بقي|متبقي|باقي|لم يتبق إلا|لم يتبقى سوى|لم يتبق سوى)\s?{_N}{_NOT_MONEY}", rf"{_N}\s?(?:قطع|قطعة)\s?(?:فقط|متبقية)", rf"آخر {_N} (?:قطع|قطعة)"],
    "he": [rf"(?:נותרו|נשארו|נותר|נשאר|רק עוד)\s?{_N}{_NOT_MONEY}", rf"{_N} (?:יחידות|פריטים) (?:אחרונ\S*|בלבד|במלאי)"],
    "hi": [rf"(?:केवल|सिर्फ|बस)\s?{_N}\s?(?:बचे|बची|पीस|आइटम)", rf"{_N}\s?(?:पीस|आइटम)?\s?(?:बचे|बची|शेष)"],
}
_SCARCITY_VAGUE: dict[str, list[str]] = {
    "en": [r"\bsell(?:s|ing)? (?:out )?fast\b|\bselling quickly\b|\bgoing fast\b|\bgoing quickly\b|\b(?:almost|nearly|practically) (?:gone|sold out)\b|\blow (?:in )?stock\b|\blimited (?:stock|quantities|quantity|supply|supplies|availability|numbers|run)\b|\b(?:only )?a (?:few|handful) (?:left|remaining)\b|\bfew (?:pieces|items|pairs|units) (?:left|remaining)\b|\blast (?:few )?(?:pieces|pairs|units|items|ones|sizes)\b|\brunning (?:low|out)\b|\b(?:stock|stocks|supplies) (?:is |are )?(?:running )?low\b|\bwon't last(?: long)?\b|\bbefore (?:it's|they're|its|theyre|it is|they are) (?:all )?gone\b|\bsold out soon\b|\bflying off the shelves\b|\bhigh demand\b|\bnearly out\b|\bsell(?:s|ing)? out\b|\bwhile they last\b"],
    "de": [r"\b(?:fast|bald|schnell|nahezu|beinahe) (?:ausverkauft|weg|vergriffen)\b|\bnur noch wenige\b|\bwenige (?:stück|exemplare|teile|artikel|paar) (?:übrig|verfügbar|auf lager)\b|\bbegrenzte (?:stückzahl|menge|verfügbarkeit)\b|\blimitierte (?:stückzahl|menge)\b|\bgeringer (?:lagerbestand|bestand)\b|\bknapp(?:e|er)? (?:bestand|ware)\b|\brestposten\b|\bletzte (?:exemplare|stücke|teile|paare)\b|\bheiß begehrt\b|\bstark nachgefragt\b|\bgeht weg wie\b|\bbevor (?:es|sie) weg (?:ist|sind)\b|\bnur solange\b(?! der vorrat)"],
    "fr": [r"\b(?:presque|bientôt|quasi|pratiquement|bientot) épuisé\w*|\bpart(?:ent)? vite\b|\bstocks? limités?\b|\bquantités? limitée\w*|\bderni(?:ers|ères) (?:pièces|exemplaires|articles|unités|tailles)\b|\bplus que quelques (?:pièces|exemplaires|articles|unités)\b|\bil en reste peu\b|\bvictime de son succès\b|\bs'arrache\w*|\bforte demande\b"],
    "es": [r"\bcasi agotad\w+|\bse agota\w*|\bse están agotando\b|\bagotándose\b|\búltimas unidades\b|\bpocas unidades\b|\bstock limitado\b|\bexistencias limitadas\b|\bunidades limitadas\b|\bcantidad(?:es)? limitada\w*|\búltim[oa]s (?:piezas|artículos|tallas|pares|existencias)\b|\bvuela\w*|\bquedan pocos\b|\bquedan pocas\b|\balta demanda\b"],
    "ja": [r"残りわずか|残り僅か|在庫わずか|在庫僅少|売り切れ間近|品薄|数量限定|限定数|完売間近|残り少|売り切れ続出|お早めに"],
    "zh": [r"即将售罄|库存紧张|库存有限|数量有限|限量|仅剩少量|手慢无|少量现货|即将抢光|抢购中"],
    "ko": [r"품절 ?임박|매진 ?임박|한정 ?수량|수량 ?한정|재고 ?부족|얼마 남지 않|소량 ?한정|조기 ?품절"],
    "ar": [r"(?:تبقى|بقي|لم يتبق|متبقي)\S* (?:سوى |إلا )?(?:قطعتان|قطعتين|قطعة واحدة|القليل|عدد قليل)|كمي(?:ة|ات) محدودة|الكمية محدودة|على وشك النفا[دذ]|ين?فد بسرعة|تنفد بسرعة|المخزون محدود|آخر القطع|قطع قليلة|كمية قليلة|الكمية تنفد"],
    "he": [r"כמות מוגבלת|מלאי מוגבל|עומד להיגמר|נגמר מהר|נגמרים מהר|אחרונים במלאי|יחידות אחרונות|המלאי אוזל"],
    "hi": [r"सीमित स्टॉक|स्टॉक सीमित|जल्दी बिक रहा|कुछ ही बचे|सीमित मात्रा|स्टॉक खत्म होने वाला"],
}

# ---- urgency --------------------------------------------------------------------------------

_URG_PRE_CUE = {
    "en": r"(?:ends?|ending|until|till|til|through|thru|expires?|expiring|valid (?:until|till|through|to)|runs? (?:until|till|through)|closes?|last day(?: is)?|deadline|up to and including|no later than|before|by)",
    "de": r"(?:bis(?: zum| zur| einschließlich| spätestens| inklusive)?|endet(?: am)?|gültig bis|läuft bis|nur noch bis|letzter tag|spätestens(?: am)?|vor dem)",
    "fr": r"(?:jusqu'(?:au|à|a|aux)|se termine(?: le)?|termine le|fin(?:it)? le|prend fin le|valable jusqu'(?:au|à)|avant le|expire le|dernier jour|au plus tard le|jusqu'à ce)",
    "es": r"(?:hasta(?: el| este| el próximo)?|termina(?: el| este)?|finaliza(?: el)?|acaba(?: el)?|válid[oa] hasta(?: el)?|vence(?: el)?|antes del?|último día)",
    "ar": r"(?:حتى|لغاية|إلى|الى|ينتهي(?: في| يوم)?|تنتهي(?: في| يوم)?|قبل|آخر موعد|ساري(?:ة)? حتى|صالح(?:ة)? حتى)",
    "he": r"(?:עד(?: ה-?| יום| ל-?)?|מסתיים(?: ב-?| ביום)?|מסתיימת(?: ב-?| ביום)?|בתוקף עד|תקף עד|לפני)",
    "zh": r"(?:截止(?:到|至|日期)?|截至|至|到|直到)",
    "ja": r"(?:[〜~])",
    "ko": r"(?:[〜~])",
    "hi": r"(?:तक)",
}
_URG_POST_CUE = {
    "ja": r"(?:\s?[\(（][^)）]{1,3}[\)）])?\s?(?:\d{1,2}:\d{2}\s?)?(?:まで|迄|限り|限定|締切|締め切り|終了)",
    "zh": r"(?:\s?[\(（][^)）]{1,3}[\)）])?\s?(?:前|为止|止|截止|结束)",
    "ko": r"(?:\s?[\(（][^)）]{1,3}[\)）])?\s?(?:까지|마감|종료)",
    "hi": r"\s?(?:तक|से पहले)",
    "he": r"$^",
}
# (pattern, days after `on` or "sun" for the coming Sunday)
_URG_RELATIVE: dict[str, list[tuple[str, object]]] = {
    "en": [(r"\btoday only\b|\bonly today\b|\bends? today\b|\bends? tonight\b|\btonight only\b|\buntil midnight\b|\bends? at midnight\b|\bone day only\b|\b1[- ]day only\b|\btoday's the (?:last|final) day\b|\blast day today\b|\b(?:final|last) day\b|\bfor today only\b", 0),
           (r"\bends? tomorrow\b|\buntil tomorrow\b|\btill tomorrow\b|\b24 ?(?:hours?|hrs?|h) only\b|\bonly 24 ?(?:hours?|hrs?|h)\b|\bfor 24 hours\b|\bnext 24 hours\b", 1),
           (r"\b48 ?(?:hours?|hrs?|h) only\b|\bonly 48 ?(?:hours?|hrs?|h)\b|\bfor 48 hours\b|\bnext 48 hours\b", 2),
           (r"\b72 ?(?:hours?|hrs?|h)\b", 3),
           (r"\b(?:this|one) week only\b|\b(?:this|one) weekend only\b|\bweekend only\b|\bthis weekend\b|\bends? this weekend\b|\bthis week only\b|\bends? this week\b|\bends? sunday night\b", "sun")],
    "de": [(r"\bnur heute\b|\bheute nur\b|\bnur noch heute\b|\bendet heute\b|\bbis mitternacht\b|\bnur für heute\b|\bheute letzter tag\b|\bnur an diesem tag\b|\bheute bis \d", 0),
           (r"\bbis morgen\b|\bendet morgen\b|\bnur 24 (?:stunden|std)\b|\bnur noch 24 (?:stunden|std)\b|\b24 stunden lang\b", 1),
           (r"\bnur 48 (?:stunden|std)\b|\b48 stunden lang\b", 2),
           (r"\bnur (?:dieses|am) wochenende\b|\bnur diese woche\b|\bdieses wochenende\b|\bendet am wochenende\b|\bbis so\.|\bbis sonntag\b", "sun")],
    "fr": [(r"\baujourd'hui seulement\b|\bseulement aujourd'hui\b|\buniquement aujourd'hui\b|\baujourd'hui uniquement\b|\bjusqu'à minuit\b|\bse termine (?:ce soir|aujourd'hui)\b|\bdernier jour aujourd'hui\b|\bdernier jour\b|\bpour aujourd'hui seulement\b|\bce soir seulement\b", 0),
           (r"\bse termine demain\b|\bfinit demain\b|\bfin demain\b|\bjusqu'à demain\b|\bpendant 24 ?h\b|\b24 ?h seulement\b|\b24 ?heures seulement\b|\bpendant 24 heures\b", 1),
           (r"\bpendant 48 ?h\b|\b48 ?h seulement\b|\b48 ?heures seulement\b|\bpendant 48 heures\b", 2),
           (r"\bce week-end seulement\b|\bce week-end uniquement\b|\bce week-end\b|\bcette semaine seulement\b|\bcette semaine uniquement\b", "sun")],
    "es": [(r"\bs[oó]lo hoy\b|\bhoy s[oó]lo\b|\bhoy solamente\b|\bsolamente hoy\b|\búnicamente hoy\b|\bs[oó]lo por hoy\b|\bhasta (?:la )?medianoche\b|\btermina hoy\b|\bacaba hoy\b|\búltimo día hoy\b|\bhoy es el último día\b", 0),
           (r"\bhasta mañana\b|\btermina mañana\b|\bs[oó]lo 24 ?(?:horas|h)\b|\bdurante 24 ?(?:horas|h)\b|\b24 horas s[oó]lo\b", 1),
           (r"\bs[oó]lo 48 ?(?:horas|h)\b|\bdurante 48 ?(?:horas|h)\b", 2),
           (r"\beste fin de semana\b|\bs[oó]lo este fin de semana\b|\bs[oó]lo esta semana\b|\besta semana s[oó]lo\b", "sun")],
    "ja": [(r"今日限定|今日のみ|本日限り|本日限定|本日のみ|今日だけ|今日限り|今日まで|本日まで|今夜まで|本日23:59まで|本日中", 0),
           (r"明日まで|24時間限定|24時間のみ", 1), (r"48時間限定|48時間のみ", 2),
           (r"今週末(?:限り|まで|限定|のみ)|週末限定|週末だけ|今週(?:限り|まで|のみ|いっぱい)", "sun")],
    "zh": [(r"仅限今天|仅限今日|今天截止|今日截止|今天最后一天|今日限定|只限今天|限今日|今晚截止|仅此一天|今天结束|今日结束", 0),
           (r"明天截止|限时24小时|24小时内", 1), (r"48小时", 2), (r"本周末|仅限周末|本周截止", "sun")],
    "ko": [(r"오늘만|오늘 하루만|오늘까지|오늘 마감|오늘 자정까지|하루만", 0),
           (r"내일까지|24시간 ?한정|24시간만", 1), (r"48시간", 2), (r"이번 ?주말만|주말 ?한정|이번 ?주까지|이번 ?주말까지", "sun")],
    "ar": [(r"ينتهي العرض (?:اليوم|الليلة)|الليلة فقط|اليوم فقط|لليوم فقط|ل?يوم واحد فقط|ينتهي اليوم|تنتهي اليوم|ينتهي الليلة|ينتهي العرض اليوم|حتى منتصف الليل|العرض ينتهي اليوم", 0),
           (r"حتى الغد|ينتهي غدا|تنتهي غدا|لمدة 24 ساعة|24 ساعة فقط", 1), (r"لمدة 48 ساعة|48 ساعة فقط", 2),
           (r"نهاية الأسبوع فقط|هذا الأسبوع فقط|عطلة نهاية الأسبوع", "sun")],
    "he": [(r"היום בלבד|רק היום|מסתיים היום|מסתיימת היום|עד חצות|יום אחד בלבד", 0),
           (r"עד מחר|24 שעות בלבד|ל-?24 שעות", 1), (r"48 שעות", 2), (r"סוף השבוע בלבד|רק בסוף השבוע|השבוע בלבד", "sun")],
    "hi": [(r"सिर्फ आज|केवल आज|आज ही|आज तक|आधी रात तक|सिर्फ एक दिन", 0),
           (r"कल तक|24 घंटे", 1), (r"48 घंटे", 2), (r"सिर्फ इस (?:वीकेंड|सप्ताहांत)|इस वीकेंड", "sun")],
}
_DAYS = r"(?P<ud>days?|tage?n?|jours?|días?|dias|日|天|일|يوم|أيام|ايام|ימים|दिन)"
_HOURS = r"(?P<uh>hours?|hrs?|h|stunden|std|heures|horas|時間|小时|시간|ساعة|ساعات|שעות|घंटे)"
_CNT = r"(?P<n>\d{1,3}|one|two|three|four|five|six|seven|ein|eine|zwei|drei|vier|fünf|un|une|deux|trois|quatre|cinq|uno|una|dos|tres|cuatro|cinco)"
_UNIT = rf"(?:{_DAYS}|{_HOURS})"
# countdowns: "ends in 3 days", "nur noch 3 Tage", "あと3日" -> a deadline `n` days/hours after the run day
_URG_COUNT: dict[str, list[str]] = {
    "en": [rf"\b(?:ends?|ending|closes?|over|finishes|expires?) in (?:just |only )?{_CNT} {_UNIT}\b", rf"\b(?:only|just|last|final) (?:for )?{_CNT} {_UNIT}(?: left| to go| remaining| only)?\b", rf"\b{_CNT}[- ](?:(?P<ud>day)|(?P<uh>hour))[- ](?:sale|event|flash sale|deal|deals|offer|special)\b", rf"\b{_CNT} {_UNIT} (?:left|to go|remaining)\b"],
    "de": [rf"\b(?:nur )?noch {_CNT} {_UNIT}\b", rf"\b(?:endet|vorbei|läuft ab) in {_CNT} {_UNIT}\b", rf"\bnur {_CNT} {_UNIT}\b"],
    "fr": [rf"\b(?:plus que|encore|seulement|plus qu'|que) {_CNT} {_UNIT}\b", rf"\b(?:se termine|fin|termine|expire) dans {_CNT} {_UNIT}\b", rf"\bdans {_CNT} {_UNIT} c'est fini\b"],
    "es": [rf"\b(?:quedan|queda|solo|sólo|últimos|últimas) {_CNT} {_UNIT}\b", rf"\b(?:termina|acaba|finaliza) en {_CNT} {_UNIT}\b"],
    "ja": [rf"(?:あと|残り|ラスト)\s?{_CNT}\s?{_UNIT}"],
    "zh": [rf"(?:还剩|仅剩|剩余|最后|仅限|倒计时)\s?{_CNT}\s?{_UNIT}"],
    "ko": [rf"{_CNT}\s?{_UNIT}\s?(?:남음|남았|후 ?종료|뒤 ?종료|한정|만)"],
    "ar": [rf"(?:ينتهي|تنتهي|العرض ينتهي|ينتهي العرض) (?:خلال|بعد|في غضون) {_CNT} {_UNIT}", rf"(?:باقي|تبقى|بقي|متبقي) {_CNT} {_UNIT}"],
    "he": [rf"(?:נותרו|נותר|עוד|רק עוד) {_CNT} {_UNIT}"],
    "hi": [rf"(?:सिर्फ|केवल|बस) {_CNT} {_UNIT} (?:बाकी|शेष)", rf"{_CNT} {_UNIT} (?:बाकी|शेष)"],
}
# (pattern, kind): "limited" is true whenever the campaign end is known; "imminent" needs it within 7 days
_URG_VAGUE: dict[str, list[tuple[str, str]]] = {
    "en": [(r"\blimited[- ]time\b|\bfor a limited (?:time|period)\b|\bfor a short time\b|\btime[- ]limited\b|\bshort time only\b", "limited"),
           (r"\blast chance\b|\bfinal chance\b|\blast call\b|\blast few (?:hours|days)\b|\bfinal (?:hours|days|countdown|call)\b|\blast (?:hours|days)\b|\bhurry\b|\bdon't miss (?:out|it)\b|\bdo not miss\b|\bdon't wait\b|\bends soon\b|\bending soon\b|\bclosing soon\b|\bover soon\b|\btime is running out\b|\brunning out of time\b|\bact (?:fast|now|quickly)\b|\bnow or never\b|\bbefore it ends\b|\bcountdown\b|\bclock is ticking\b|\bwhile you (?:still )?can\b|\bbe quick\b|\bquick!|\bnot long left\b|\bfinal reductions\b|\bgoing, going\b|\blast-minute deal\b|\bleaving soon\b|(?:^|[.!?] )quick\b|\bwon't last\b|\bbefore it's too late\b|\bdon't delay\b|\btime'?s running out\b|\bwhile it lasts\b", "imminent")],
    "de": [(r"\bnur für kurze zeit\b|\bfür kurze zeit\b|\bzeitlich begrenzt\w*|\bbefristet\w*|\bnur für begrenzte zeit\b|\bbegrenzte zeit\b|\blimitiert(?:e|es)? angebot\b|\bnur kurze zeit\b", "limited"),
           (r"\bletzte chance\b|\bletzte gelegenheit\b|\bnur noch kurz\b|\bschnell sein\b|\bschnell zugreifen\b|\bnicht verpassen\b|\bverpasse? (?:es )?nicht\b|\bendet bald\b|\bbald vorbei\b|\bnur noch wenige (?:tage|stunden)\b|\bbeeil\w*|\bcountdown\b|\bletzte stunden\b|\bletzte tage\b|\bjetzt oder nie\b|\bläuft bald aus\b|\bendspurt\b|\bfinale\b|\bbevor es zu spät ist\b|\bsolange es noch geht\b", "imminent")],
    "fr": [(r"\boffre limitée dans le temps\b|\bpour une durée limitée\b|\bdurée limitée\b|\btemps limité\b|\bpour un temps limité\b|\boffre à durée limitée\b|\bpour une courte durée\b|\bpériode limitée\b", "limited"),
           (r"\bdernière chance\b|\bdernières heures\b|\bderniers jours\b|\bdépêchez[- ]vous\b|\bdépêche[- ]toi\b|\bfaites vite\b|\bvite ?!|\bne ratez pas\b|\bne manquez pas\b|\bà ne pas manquer\b|\bbientôt fini\b|\bse termine bientôt\b|\bplus que quelques (?:jours|heures)\b|\bcompte à rebours\b|\bmaintenant ou jamais\b|\bderniers instants\b|\bplus pour longtemps\b|\bavant qu'il ne soit trop tard\b|\bc'est bientôt fini\b", "imminent")],
    "es": [(r"\bpor tiempo limitado\b|\btiempo limitado\b|\boferta limitada\b|\bdurante un tiempo limitado\b|\bpor poco tiempo\b|\bpor un periodo limitado\b", "limited"),
           (r"\búltima oportunidad\b|\búltimas horas\b|\búltimos días\b|\bdate prisa\b|\bdaos prisa\b|\bcorre ?!|\b¡corre\b|\bno te lo pierdas\b|\bno lo dejes pasar\b|\btermina pronto\b|\bacaba pronto\b|\bquedan pocos días\b|\bquedan pocas horas\b|\bcuenta atrás\b|\bahora o nunca\b|\bno esperes\b|\bapúrate\b|\bse (?:acaba|termina|agota el tiempo)\b|\bantes de que sea (?:demasiado )?tarde\b", "imminent")],
    "ja": [(r"期間限定|今だけ|タイムセール|限定期間", "limited"),
           (r"急いで|ラストチャンス|最後のチャンス|終了間近|まもなく終了|間もなく終了|カウントダウン|お見逃しなく|見逃すな|残りわずかの期間|ラスト\d*日", "imminent")],
    "zh": [(r"限时|限期|限定时间", "limited"), (r"最后机会|抓紧|赶快|赶紧|即将结束|倒计时|错过再等|不容错过|最后\S?天|手慢无", "imminent")],
    "ko": [(r"기간 ?한정|한정 ?기간|타임 ?세일|지금만|한정 ?특가", "limited"), (r"마지막 ?기회|서두르세요|서둘러|곧 ?종료|마감 ?임박|놓치지 ?마세요|카운트다운|종료 ?임박", "imminent")],
    "ar": [(r"لفترة محدودة|لوقت محدود|لمدة محدودة|عرض محدود", "limited"),
           (r"فرصة أخيرة|الفرصة الأخيرة|آخر فرصة|أسرع|سارع|سارعوا|بسرعة|ينتهي قريبا|ينتهي قريباً|العرض ينتهي قريبا|لا تفوت|لا تفوتوا|الساعات الأخيرة|الأيام الأخيرة|العد التنازلي", "imminent")],
    "he": [(r"לזמן מוגבל|לתקופה מוגבלת", "limited"), (r"הזדמנות אחרונה|מהרו|מהרי|מסתיים בקרוב|אל תפספסו|אל תפספסי|שעות אחרונות|ימים אחרונים|ספירה לאחור", "imminent")],
    "hi": [(r"सीमित समय|सीमित अवधि", "limited"), (r"आखिरी मौका|अंतिम मौका|जल्दी करें|जल्दी कीजिए|जल्द खत्म|मौका न चूकें|मत चूकें|जल्दी करो", "imminent")],
}
_URG_RECURRING = {
    "en": r"\bevery (?:day|night|morning|week|weekend|hour)\b|\bdaily\b|\beach day\b|\bweekly\b|\bday after day\b|\bnew deals? every\b|\bresets? (?:at|every)\b",
    "de": r"\bjeden (?:tag|morgen|abend)\b|\btäglich\w*|\bjede woche\b|\bwöchentlich\w*|\btagesangebot\w*|\bjedes wochenende\b",
    "fr": r"\btous les jours\b|\bchaque (?:jour|semaine|soir)\b|\bquotidien\w*|\btoutes les semaines\b|\bdu jour\b",
    "es": r"\btodos los días\b|\bcada (?:día|semana|noche)\b|\bdiari[oa]s?\b|\btodas las semanas\b|\bdel día\b",
    # 毎日の / 每天的 = "everyday" (an adjective: "everyday favourites"), not a recurring countdown
    "ja": r"毎日(?!の)|毎週(?!の)|日替わり|毎晩(?!の)",
    "zh": r"每天(?!的)|每日(?!的)|每周(?!的)|天天",
    "ko": r"매일|매주|오늘의 ?딜",
    "ar": r"كل يوم|يوميا|يومياً|كل أسبوع|أسبوعيا|عرض اليوم",
    "he": r"כל יום|יומי|כל שבוע|מבצע היום",
    "hi": r"हर दिन|रोज़|रोज|हर हफ्ते|आज की डील",
}

# ---- price ----------------------------------------------------------------------------------

_RED_WORDS = {
    "en": r"\b(?:off|save|saving|savings|discount(?:ed|s)?|reduc(?:ed|tion)|sale|cheaper|less|markdown|price cut|price drop|deal|extra|up to|take|clearance|rebate|promo|coupon|voucher|code)\b",
    "de": r"\b(?:rabatt\w*|reduziert\w*|spar\w*|ersparnis|nachlass|preisnachlass|günstiger|billiger|sale|auf alles|auf (?:das|die|den|ausgewählte|alle)|extra|bis zu|gutschein|aktion|preissturz|preissenkung|minus)\b",
    "fr": r"\b(?:remise|réduction\w*|réduit\w*|soldes?|économ\w*|moins cher\w*|rabais|promo\w*|démarque|sur (?:tout|toute|tous|les|le|la|l'|une sélection|le 2e|la 2e)|jusqu'à|supplémentaire|offre)\b",
    "es": r"\b(?:descuento\w*|dto|rebaja\w*|todo al|ahorr\w*|más barat\w*|menos|promoción|oferta|en (?:todo|toda|todos|la|el|los|las|una selección)|hasta|extra|adicional)\b",
    "ja": r"オフ|off|割引|引き|値下げ|セール|sale|お得|還元",
    "zh": r"优惠|立减|减|折扣|降价|促销|特价|直降|打折",
    "ko": r"할인|세일|특가|off",
    "ar": r"خصم|تخفيض\S*|تنزيلات|وفر|توفير|أوكازيون",
    "he": r"הנחה|הנחות|מבצע|סייל|חסכו|חיסכון",
    "hi": r"छूट|बचत|सेल|ऑफ|डिस्काउंट|off",
}
_PCT = r"(?<![\d.,])(?P<pct>\d{1,2}(?:[.,]\d{1,2})?)\s?(?:%|pct\b|percent\b|per cent\b|prozent\b|pour ?cent\b|por ?ciento\b|パーセント|퍼센트|بالمئة|אחוז|प्रतिशत)"
_PCT_NOT_REDUCTION = r"^\s?(?:%\s?)?(?:(?:more|bigger|larger|faster|quicker|stronger|lighter|softer|longer|warmer|thinner|brighter|quieter|schneller|mehr|stärker|leichter|länger|wärmer|leiser|plus (?:rapide|léger|légère|doux|douce|long|longue|chaud|chaude|de (?!remise|réduction|rabais))|más (?:rápido|ligero|suave|largo|de (?!descuento))|rapide)\b|(?:less|fewer) (?!than|off)(?:sugar|fat|salt|plastic|water|energy|waste|co2|carbon|calories|noise|weight|time|packaging|effort)|weniger (?:zucker|fett|salz|plastik|wasser|energie|gewicht|zeit|verpackung)|moins (?:de (?:sucre|gras|sel|plastique|déchets|temps|bruit)|lourd)|menos (?:azúcar|grasa|sal|plástico|peso|tiempo|ruido)|cotton|wool|linen|silk|cashmere|natural|recycled|organic|polyester|nylon|leather|merino|alpaca|of |more|extra (?:volume|content|free)|bigger|larger|juice|fruit|cocoa|vegan|plant|bio|baumwolle|wolle|recycelt|coton|laine|recyclé|algodón|lana|reciclad|real|pure|satisfaction|apr|financing|finanzierung|zins|interest|vol|alc|abv|spf|humidity|battery|charged|faster|stronger|lighter|softer|longer)"
_GENERIC_REDUCTION = {
    "en": r"(?:(?<![\d/⁄])\d\s?[/⁄]\s?\d(?![\d/⁄])|[½⅓¼¾])\s?(?:off|price)\b|\bhalf[- ]price\b|\bbogof?\b|\bbuy one,? get one\b|\b(?:2|3|two|three) for (?:1|2|one|two)\b|\bsale\b(?<!for sale)(?<!pre-sale)(?<!presale)(?! (?:starts|begins|from|on) \d)|\breduced (?:to|prices?|items?|styles?|from|by|now)\b|\b(?:prices?|now|all) reduced\b|\bdiscount(?:ed)? (?:prices?|items?|code)\b|\bprice (?:cut|drop)s?\b|\bmarkdowns?\b|\bclearance\b|\bcut[- ]price\w*|\bnow only\b|\b(?:prices?|everything) (?:slashed|cut|down)\b|\bslashed prices?\b|\b(?:big|huge|massive|great|major|extra|mega) savings\b|\bsavings on\b|\bdeals? of the (?:day|week)\b|\b(?:great|big|hot|top|amazing|unbeatable|special|crazy|mega) deals?\b|\bblack friday\b|\bcyber monday\b|\bhalf[- ]price\b|\bbogo\b",
    "de": r"\bzum halben preis\b|\bhalber preis\b|\b(?:[2-5]) für (?:[1-4])\b|\b(?:[2-5]) zum preis von (?:[1-4])\b|\bsale\b|(?<![\w-])reduziert\w*|\bpreise? (?:gesenkt|runter|reduziert|purzeln)\b|\bgesenkte preise\b|\brabatt\w*|\bpreisnachlass\b|\bschlussverkauf\b|\bsommerschlussverkauf\b|\bwinterschlussverkauf\b|\bpreissturz\b|\bpreissenkung\b|\bjetzt sparen\b|\bsparen sie\b|\bspar-?preis\w*|\baktionspreis\w*|\bangebotspreis\w*|\bstatt nur\b|\bblack friday\b|\bzum halben preis\b|\bhalber preis\b",
    "fr": r"\bsoldes?\b|\bpromo(?:tion)?s?\b|\bremises?\b|\bréduction\w*|\brabais\b|\bdémarque\b|\bprix barrés?\b|\bprix cassés?\b|\bprix réduits?\b|\béconomisez (?:jusqu'à |\d|sur |gros)|\bbaisse de prix\b|\bblack friday\b|\bmoitié prix\b|\bà moitié prix\b|\bventes? privées?\b|\bbons plans?\b",
    "es": r"\b[2-5] ?x ?[1-4]\b|\b(?:\d+ª|segunda|tercera) unidad (?:al|a mitad|a mitad de precio|con)\b|\brebajas?\b|\brebajad[oa]s?\b|\bdescuentos?\b|\bdto\b|\bliquidación\b|\bahorra (?:hasta |un |\d|en (?:toda|todo|tu|tus|la|el|los|las))|\bprecio rebajado\b|\bpromoción\b|\bblack friday\b|\bmitad de precio\b|\ba mitad de precio\b|\bsale\b",
    "ja": r"セール|割引|値下げ|値引き|特価|半額|sale|オフ|タイムセール|お買い得",
    "zh": r"(?:[一二三四五六七八九]|\d)(?:\.\d)?折|打折|折扣|特价|降价|促销|优惠|立减|半价|直降|大促",
    "ko": r"할인|세일|특가|반값|sale",
    "ar": r"خصم|خصومات|تخفيض|تخفيضات|تنزيلات|أوكازيون|عرض خاص|sale",
    "he": r"הנחה|הנחות|מבצע|סייל|sale|מחיר מבצע",
    "hi": r"छूट|सेल|डिस्काउंट|sale|ऑफर",
}
_HALF = r"\bhalf[- ]price\b|\bhalf off\b|\bhalber preis\b|\bzum halben preis\b|\bmoitié prix\b|\bmitad de precio\b|半額|半价|반값|نصف السعر|חצי מחיר|आधी कीमत"
_AMOUNT = r"(?P<amt>\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_CUR = r"(?:[€$£¥₹₩₪]|us\$|eur|usd|gbp|aed|sar|chf|jpy|inr|ils|krw|dhs?|د\.إ|درهم|ريال|ر\.س|円|元|원|₪|rs\.?|ש\"ח)"
_AMOUNT_OFF = [
    rf"\bsave (?:up to )?{_CUR}\s?{_AMOUNT}", rf"\bsave (?:up to )?{_AMOUNT}\s?{_CUR}", rf"{_CUR}\s?{_AMOUNT} off\b", rf"\b{_AMOUNT}\s?{_CUR} off\b",
    rf"\b{_AMOUNT}\s?{_CUR} (?:rabatt|sparen|günstiger|reduziert|de réduction|de remise|de descuento|de rebaja|moins cher|más barato)",
    rf"{_CUR}\s?{_AMOUNT} (?:rabatt|sparen|günstiger|de réduction|de remise|de descuento)", rf"\b(?:spare|sparen sie|sparst|économisez|ahorra|ahorre) (?:bis zu |jusqu'à |hasta )?{_AMOUNT}\s?{_CUR}",
    rf"{_AMOUNT}円(?:引き|オフ|off|割引)", rf"(?:立减|减|省|直降)\s?{_AMOUNT}\s?元", rf"{_AMOUNT}\s?원 ?할인", rf"(?:وفر|خصم) {_AMOUNT}\s?{_CUR}",
]

# ---- reference price ------------------------------------------------------------------------

_REF_CUES = {
    "en": r"\b(?:was|were|previously|formerly|originally|before|reg(?:ular)?\.?(?: price)?|usual(?:ly)?(?: price)?|normally|instead of|compare at|compared to|list price|original price|old price)",
    "de": r"\b(?:statt|anstatt|vorher|bisher|ursprünglich|regulär|alter preis|zuvor|ehemals|früher|streichpreis|normalpreis|sonst)",
    "fr": r"\b(?:au lieu de|avant|prix de référence|ancien prix|prix initial|initialement|prix habituel|prix barré|habituellement|anciennement)",
    "es": r"\b(?:antes|precio anterior|en lugar de|precio original|precio habitual|precio de referencia|antiguo precio|anteriormente|en vez de)",
    "ja": r"(?:通常価格|通常|定価|元値|旧価格|参考価格)",
    "zh": r"(?:原价|原價|市场价|吊牌价|划线价|专柜价)",
    "ko": r"(?:정가|원가|기존가|이전 ?가격|정상가)",
    "ar": r"(?:بدلا من|بدلاً من|عوضا عن|كان|السعر الأصلي|السعر السابق|قبل)",
    "he": r"(?:במקום|מחיר קודם|מחיר מקורי|היה|במקום ב-?)",
    "hi": r"(?:पहले|मूल्य था|की जगह|असली कीमत)",
}
_RRP_CUES = r"\b(?:rrp|msrp|srp|recommended retail price|uvp|unverbindliche preisempfehlung|prix conseillé|prix public conseillé|pvpr|pvp recomendado|precio recomendado|mrp)\b|メーカー希望小売価格|希望小売価格|建议零售价|권장 ?소비자 ?가격|السعر الموصى به|מחיר מומלץ|एमआरपी"
_NOW_CUES = r"(?:now|only|just|today|jetzt|nur|für|heute|maintenant|à|seulement|désormais|ahora|por|solo|sólo|hoy|今なら|現在|特価|现价|到手价|折后价|지금|현재|الآن|الان|فقط|עכשיו|רק|अब|केवल)"


def _parse_amount(raw: str) -> Decimal | None:
    s = raw.replace(" ", "").replace("'", "")
    if "," in s and "." in s:
        dec = max(s.rfind(","), s.rfind("."))
        s = re.sub(r"[.,]", "", s[:dec]) + "." + s[dec + 1:]
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


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTH_EXTRAS = {
    "en": {"sept": 9}, "de": {"maerz": 3, "mrz": 3}, "fr": {"fév": 2, "juil": 7, "aout": 8}, "es": {"setiembre": 9, "sept": 9},
    "ar": {"كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8,
           "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12},
}
_WEEKDAY_EXTRAS = {
    "ja": {"日曜": 6, "月曜": 0, "火曜": 1, "水曜": 2, "木曜": 3, "金曜": 4, "土曜": 5},
    "zh": {"周日": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "星期天": 6, "礼拜天": 6},
    "he": {"שבת": 5},
}


@lru_cache(maxsize=None)
def _calendar(langs: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
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
                    table = dict(loc.months[ctx_name][width])
                except KeyError:
                    continue
                for num, name in table.items():
                    name = _fold_text(name).rstrip(".")
                    if name and not any(ch.isdigit() for ch in name) and len(name) >= 3:
                        months.setdefault(name, num)
        for num, name in dict(loc.days["format"]["wide"]).items():
            days.setdefault(_fold_text(name), num)
        for name, num in _MONTH_EXTRAS.get(lang, {}).items():
            months.setdefault(_fold_text(name), num)
        for name, num in _WEEKDAY_EXTRAS.get(lang, {}).items():
            days.setdefault(_fold_text(name), num)
    return months, days


def _alt(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@lru_cache(maxsize=None)
def _date_rx(langs: tuple[str, ...]) -> re.Pattern[str]:
    months, days = _calendar(langs)
    mon, day = _alt(months), _alt(days)
    return re.compile(
        rf"(?P<A>(?<!\d)(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er|ère|\.|º|°)?\s?(?:de |of |ב-?)?(?P<m1>{mon})\.?(?![a-z])(?:,?\s?(?:de )?(?P<y1>\d{{4}}))?)"
        rf"|(?P<B>(?<![a-z])(?P<m2>{mon})\.?\s?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s(?P<y2>\d{{4}}))?)"
        rf"|(?P<C>(?:(?P<y3>\d{{4}})年)?(?P<m3>\d{{1,2}})月\s?(?P<d3>\d{{1,2}})日)"
        rf"|(?P<K>(?:(?P<y4>\d{{4}})년\s?)?(?P<m4>\d{{1,2}})월\s?(?P<d4>\d{{1,2}})일)"
        rf"|(?P<D>(?P<y5>\d{{4}})-(?P<m5>\d{{1,2}})-(?P<d5>\d{{1,2}}))"
        rf"|(?P<E>(?<![\d.,/])(?P<a>\d{{1,2}})(?P<sep>[./])(?P<b>\d{{1,2}})(?:(?P=sep)(?P<y6>\d{{2,4}}))?\.?(?![\d%€$£]|\s?[€$£%]|[.,]\d))"
        rf"|(?P<W>(?<![a-z])(?:{day})(?![a-z]))"
    )


def _mkdate(y: int | None, m: int, d: int, on: date) -> date | None:
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


def _find_dates(doc: _Doc) -> list[tuple[int, int, date]]:
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
    for k, (s, e, d, weekday) in enumerate(found):
        if weekday and any(0 <= s2 - e <= 4 for s2, _, _, w2 in found if not w2):
            continue  # "Sunday 30 November": the date wins
        out.append((s, e, d))
    return out


def _coming_sunday(on: date) -> date:
    return on + timedelta(days=(6 - on.weekday()) % 7)


# --------------------------------------------------------------------------------------------
# Rule families
# --------------------------------------------------------------------------------------------


def _blocked():
    return _verdict().BLOCKED


def _review():
    return _verdict().NEEDS_REVIEW


def _finding(doc: _Doc, rule: str, category: str, s: int, e: int, severity, message: str) -> ClaimFinding:
    if e <= s:
        return ClaimFinding(rule, category, (0, 0), "", severity, message)
    a, b = doc.orig_span(s, e)
    return ClaimFinding(rule, category, (a, b), doc.text[a:b], severity, message)


def _collect(doc: _Doc, table: dict[str, list[_Row]], views: str = "plm") -> list[tuple[str, _Hit]]:
    hits: list[tuple[str, _Hit]] = []
    for row in _pats(table, doc.langs):
        rule, pattern = row[0], row[1]
        keep = row[2] if len(row) > 2 else None
        for h in doc.finditer(_rx(pattern), views=views):
            if keep is None or keep(doc, h):
                hits.append((rule, h))
    return _non_overlapping(hits)


def _non_overlapping(hits: list[tuple[str, _Hit]]) -> list[tuple[str, _Hit]]:
    hits = sorted(hits, key=lambda rh: (rh[1].start, -(rh[1].end - rh[1].start)))
    out: list[tuple[str, _Hit]] = []
    for rule, h in hits:
        if out and h.start < out[-1][1].end:
            continue
        out.append((rule, h))
    return out


_LIB_WHAT = {
    "environmental": ("a generic environmental claim", "add an approved environmental claim with its evidence (e.g. EU Ecolabel, ISO 14024 certificate) for {market} to the claims library, or remove the wording"),
    "health": ("a health claim", "add the authorised health claim (with its evidence) for {market} to the claims library and use its exact wording, or remove it"),
    "superlative": ("an objective superlative", "add a dated superlative claim with its evidence (sales data, test, award) for {market} to the claims library, or tone it down to puffery"),
    "origin": ("an origin claim", "add an origin claim with bill-of-materials evidence for {market} to the claims library, or remove it"),
}
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
}


def _library_family(doc: _Doc, category: str, table: dict[str, list[_Row]], extra: list[tuple[str, _Hit]] | None = None) -> list[ClaimFinding]:
    out = []
    what, fix = _LIB_WHAT[category]
    fix = fix.format(market=doc.market)
    for rule, h in (extra if extra is not None else _collect(doc, table)):
        ok, reason = _library(doc, category, h.start, h.end)
        if ok:
            continue
        matched = doc.matched(h.start, h.end)
        desc = _RULE_WHAT.get(rule, what)
        out.append(_finding(doc, rule, category, h.start, h.end, _blocked(),
                            f"'{matched}' is {desc}, held back because {reason}; {fix}."))
    return out


_OFFSET_ANYWHERE = r"offset|compensat|kompens|compens|オフセット|抵消|补偿|상쇄|تعويض|קיזוז|ऑफसेट"


def _environmental(doc: _Doc) -> list[ClaimFinding]:
    hits = _collect(doc, _ENV)
    offsets = [(r, h) for r, h in hits if r == "environmental.offset"]
    neutral = [(r, h) for r, h in hits if r == "environmental.neutrality"]
    # a neutrality claim explained by offsetting anywhere on the banner ("*through offset projects")
    offsetting = bool(offsets) or (bool(neutral) and re.search(_fold_pattern(_OFFSET_ANYWHERE), doc.view) is not None)
    if not (offsetting and doc.market in EU_MARKETS):
        return _library_family(doc, "environmental", _ENV, extra=hits)
    out: list[ClaimFinding] = []
    for rule, h in offsets + neutral:
        m = doc.matched(h.start, h.end)
        what = "bases a climate claim on offsetting" if rule == "environmental.offset" else "is a neutrality claim based on offsetting"
        out.append(_finding(doc, "environmental.offset_neutrality", "environmental", h.start, h.end, _blocked(),
                            f"'{m}' {what}, which EU Directive 2024/825 bans in {doc.market} even with an approved "
                            "claim in the library; remove the neutrality/offsetting wording."))
    rest = [(r, h) for r, h in hits if r not in ("environmental.offset", "environmental.neutrality")]
    return out + _library_family(doc, "environmental", _ENV, extra=rest)


def _health(doc: _Doc) -> list[ClaimFinding]:
    return _library_family(doc, "health", _HEALTH)


def _superlative(doc: _Doc) -> list[ClaimFinding]:
    return _library_family(doc, "superlative", _SUPERLATIVE)


def _origin(doc: _Doc) -> list[ClaimFinding]:
    table = {lang: _origin_rows(lang) for lang in doc.langs}
    return _library_family(doc, "origin", table)


# ---- free ----------------------------------------------------------------------------------


def _free(doc: _Doc) -> list[ClaimFinding]:
    hits = _collect(doc, _FREE)
    if not hits:
        return []
    conds = [p for lang in doc.langs for p in _FREE_COND.get(lang, [])]
    if doc.any(conds):
        return []
    out = []
    terms_only = doc.any([r"\b(?:t&cs?|t ?& ?c|terms(?: and conditions)?|conditions|agb|cgv|bedingungen|condiciones|términos|规则|条件|利用規約|약관|الشروط|תנאים|शर्तें)\b|\*"])
    hint = " ('T&Cs apply' or a bare asterisk is not enough)" if terms_only else ""
    for rule, h in hits:
        m = doc.matched(h.start, h.end)
        out.append(_finding(doc, "free.no_conditions", "free", h.start, h.end, _blocked(),
                            f"'{m}' offers something free but the banner does not state the conditions{hint}; "
                            "print them on the banner itself (e.g. 'on orders over €50', 'when you buy 2', 'within 30 days')."))
    return out


# ---- scarcity ------------------------------------------------------------------------------


def _num(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    return _NUMWORDS.get(raw)


_AT_LEAST = re.compile(r"(?:\bover|\bmore than|\bat least|\b[uü]ber|\bmehr als|\bplus de|\bmás de|\bmas de)\s*$")


def _scarcity(doc: _Doc) -> list[ClaimFinding]:
    num_hits = _non_overlapping([("n", h) for p in _pats(_SCARCITY_NUM, doc.langs) for h in doc.finditer(_rx(p))])
    vague_hits = _non_overlapping([("v", h) for p in _pats(_SCARCITY_VAGUE, doc.langs) for h in doc.finditer(_rx(p))])
    vague_hits = [(k, h) for k, h in vague_hits if not any(h.start < h2.end and h2.start < h.end for _, h2 in num_hits)]
    out: list[ClaimFinding] = []
    item = doc.ctx.item
    for _, h in num_hits:
        n = _num(h.m.group("n"))
        m = doc.matched(h.start, h.end)
        if n is None:
            continue
        if _AT_LEAST.search(doc.view[max(0, h.start - 14):h.start]):
            continue  # "over 400 in stock" / "más de 400 unidades": plenty, not scarcity
        if item is None:
            out.append(_finding(doc, "scarcity.no_stock", "scarcity", h.start, h.end, _review(),
                                f"'{m}' states a stock level, but no live stock is linked for this SKU; a reviewer must confirm it, or link the catalog row."))
        elif item.stock <= 0:
            out.append(_finding(doc, "scarcity.sold_out", "scarcity", h.start, h.end, _blocked(),
                                f"'{m}' but the catalog shows the item as sold out (stock 0); remove the banner or the claim."))
        elif item.stock > n:
            out.append(_finding(doc, "scarcity.stock_mismatch", "scarcity", h.start, h.end, _blocked(),
                                f"'{m}' claims {n} left, but the catalog shows {item.stock} in stock; remove the claim or state the real number."))
    for _, h in vague_hits:
        m = doc.matched(h.start, h.end)
        if item is None:
            out.append(_finding(doc, "scarcity.unverified", "scarcity", h.start, h.end, _review(),
                                f"'{m}' suggests low stock, but no live stock is linked; a reviewer must confirm it (stock must be 10 or fewer)."))
        elif item.stock <= 0:
            out.append(_finding(doc, "scarcity.sold_out", "scarcity", h.start, h.end, _blocked(),
                                f"'{m}' but the catalog shows the item as sold out (stock 0); remove the banner or the claim."))
        elif item.stock > 10:
            out.append(_finding(doc, "scarcity.not_low", "scarcity", h.start, h.end, _review(),
                                f"'{m}' suggests low stock, but the catalog shows {item.stock} in stock (more than 10); remove it unless a reviewer confirms it."))
    return out


# ---- urgency -------------------------------------------------------------------------------


# A date next to delivery wording is a shipping cut-off (a logistics fact), not an offer deadline.
_SHIPPING_CUTOFF = {
    "en": r"\b(?:deliver(?:y|ed)|shipping|shipped|dispatch(?:ed)?|arrive[sd]?|in time for|under the tree)\b",
    "de": r"\b(?:liefer\w*|geliefert|zugestellt|versand\w*|versendet|zustellung|unterm baum|rechtzeitig (?:zu|vor|bis)|pünktlich zu\w*)\b",
    "fr": r"\b(?:livr\w*|expédi\w*|envoi|sous le sapin|à temps pour)\b",
    "es": r"\b(?:entrega\w*|envío\w*|recíbelo|recibirlo|lo recibes|llega\w*|a tiempo para|bajo el árbol)\b",
    "ja": r"お届け|配送|発送|到着",
    "zh": r"送达|配送|发货|到货",
    "ko": r"배송|도착",
    "ar": r"توصيل|شحن|تسليم",
    "he": r"משלוח|אספקה",
    "hi": r"डिलीवरी|शिपिंग",
}


def _urgency(doc: _Doc) -> list[ClaimFinding]:
    ctx = doc.ctx
    on, ends = ctx.on, ctx.campaign_ends
    deadlines: list[tuple[int, int, date]] = []
    pre_alts = "|".join(_URG_PRE_CUE[lang] for lang in doc.langs if lang in _URG_PRE_CUE)
    pre_rx = _rx(rf"(?:{pre_alts})[\s,:\-]*(?:(?:the|am|le|el|la|this|next|on|dem|del|de|ce|este|ה-?|יום|يوم|\S+)[\s,.]+){{0,2}}$")
    post = [(_URG_POST_CUE[lang]) for lang in doc.langs if lang in _URG_POST_CUE]
    for s, e, d in _find_dates(doc):
        window = doc.view[max(0, s - 40):s]
        m = pre_rx.search(window)
        if m:
            deadlines.append((s - len(window) + m.start(), e, d))
            continue
        for p in post:
            pm = _rx(p).match(doc.view, e)
            if pm:
                deadlines.append((s, pm.end(), d))
                break
    for lang in doc.langs:
        for pattern, delta in _URG_RELATIVE.get(lang, []):
            for h in doc.finditer(_rx(pattern), views="pl"):
                d = _coming_sunday(on) if delta == "sun" else on + timedelta(days=int(delta))
                deadlines.append((h.start, h.end, d))
    for lang in doc.langs:
        for pattern in _URG_COUNT.get(lang, []):
            for h in doc.finditer(_rx(pattern), views="pl"):
                n = _num(h.m.group("n"))
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
    vague = _non_overlapping([(kind, h) for lang in doc.langs for p, kind in _URG_VAGUE.get(lang, []) for h in doc.finditer(_rx(p))])
    vague = [(k, h) for k, h in vague if not any(h.start < e and s < h.end for s, e, _ in dl)]
    out: list[ClaimFinding] = []
    if (dl or vague) and doc.any([_URG_RECURRING[lang] for lang in doc.langs if lang in _URG_RECURRING]):
        s, e = (dl[0][0], dl[0][1]) if dl else (vague[0][1].start, vague[0][1].end)
        out.append(_finding(doc, "urgency.recurring", "urgency", s, e, _review(),
                            f"'{doc.matched(s, e)}' is a countdown that recurs (every day/week), which makes the deadline look more urgent than it is; a reviewer must confirm it or remove it."))
        return out
    for s, e, d in dl:
        m = doc.matched(s, e)
        if d < on:
            out.append(_finding(doc, "urgency.deadline_passed", "urgency", s, e, _blocked(),
                                f"'{m}' names {d.isoformat()}, which is before the copy runs ({on.isoformat()}); correct the date."))
        elif ends is None:
            out.append(_finding(doc, "urgency.no_campaign_end", "urgency", s, e, _review(),
                                f"'{m}' states a deadline ({d.isoformat()}) but the campaign has no end date to check it against; set the campaign end date."))
        elif d > ends:
            out.append(_finding(doc, "urgency.deadline_after_campaign", "urgency", s, e, _blocked(),
                                f"'{m}' promises the offer until {d.isoformat()}, but the campaign ends on {ends.isoformat()}; state {ends.isoformat()} or extend the campaign."))
        elif d < ends and doc.any([_SHIPPING_CUTOFF[lang] for lang in doc.langs if lang in _SHIPPING_CUTOFF]):
            continue  # "order by 18 December for Christmas delivery": a shipping cut-off, not the offer's end
        elif d < ends:
            out.append(_finding(doc, "urgency.deadline_before_campaign_end", "urgency", s, e, _review(),
                                f"'{m}' says the offer ends {d.isoformat()}, but the campaign runs until {ends.isoformat()}, so the deadline would be false; state the real end date or confirm in review."))
    for kind, h in vague:
        m = doc.matched(h.start, h.end)
        if ends is None:
            out.append(_finding(doc, "urgency.unverified", "urgency", h.start, h.end, _review(),
                                f"'{m}' creates time pressure, but the campaign has no end date to back it; set the campaign end date or remove the wording."))
        elif kind == "imminent" and not (on <= ends <= on + timedelta(days=7)):
            out.append(_finding(doc, "urgency.not_imminent", "urgency", h.start, h.end, _review(),
                                f"'{m}' suggests the offer ends very soon, but the campaign runs until {ends.isoformat()} (more than 7 days after {on.isoformat()}); use it only in the final week."))
    return out


# ---- price and reference price -------------------------------------------------------------


def _price_context(doc: _Doc) -> tuple[str | None, Decimal | None]:
    """(problem rule or None, prior price)."""
    item = doc.ctx.item
    if item is None:
        return "no_item", None
    prior = prior_price(item, doc.ctx.on)
    if prior is None:
        return "no_history", None
    return None, prior


def _no_history_message(doc: _Doc, m: str, problem: str, what: str) -> str:
    sku = doc.ctx.sku or (doc.ctx.item.sku if doc.ctx.item else None)
    if problem == "no_item":
        return (f"'{m}' {what}, but no catalog item{f' (SKU {sku})' if sku else ''} is linked for market {doc.market}, "
                "so the lowest price of the last 30 days cannot be checked; link the SKU's catalog row and price history or remove it.")
    return (f"'{m}' {what}, but the price history for SKU {sku} in {doc.market} does not cover the 30 days before "
            f"{doc.ctx.on.isoformat()}; add that history (price_history.csv) or remove it.")


def _fmt(x: Decimal) -> str:
    return f"{x:.2f}"


_NEGATION_BEFORE = re.compile(
    r"(?:^|\W)(?:no|not|never|without|kein\w*|nicht|nie|ohne|pas de|pas d'|sans|jamais|ni|sin|nunca)\s(?:\w+\s)?$"
)
_NEGATION_AFTER = re.compile(r"^\s*\?\s*(?:no|nope|nein|non|nee)\b")


def _negated(h: _Hit) -> bool:
    """'No sale, just fair prices' / 'Rabatt? Nein.' deny the keyword instead of claiming it."""
    return bool(_NEGATION_BEFORE.search(h.view[max(0, h.m.start() - 25): h.m.start()])
                or _NEGATION_AFTER.match(h.view[h.m.end(): h.m.end() + 12]))


def _price(doc: _Doc) -> list[ClaimFinding]:
    claims: list[tuple[int, int, Decimal | None, Decimal | None]] = []  # (s, e, percent, amount)
    for h in doc.finditer(_rx(_PCT), views="p"):
        pct = Decimal(h.m.group("pct").replace(",", "."))
        if not (0 < pct < 100):
            continue
        if re.match(_fold_pattern(_PCT_NOT_REDUCTION), h.view[h.m.end(): h.m.end() + 30]):
            continue
        before = h.view[max(0, h.m.start() - 3): h.m.start()]
        is_red = bool(re.search(r"-\s?$", before))
        if not is_red:
            window = h.view[max(0, h.m.start() - 30): h.m.end() + 25]
            is_red = any(re.search(_fold_pattern(_RED_WORDS[lang]), window) for lang in doc.langs if lang in _RED_WORDS)
        if is_red:
            s = h.start - (1 if before.endswith("-") else 2 if re.search(r"-\s$", before) else 0)
            claims.append((s, h.end, pct, None))
    for m in re.finditer(r"(?<![\d.])(\d(?:\.\d)?|\d{2})\s?折", doc.view):
        v = Decimal(m.group(1))
        pct = 100 - v * 10 if v < 10 else 100 - v
        if 0 < pct < 100:
            claims.append((m.start(), m.end(), pct, None))
    for m in re.finditer(r"(\d)\s?割(?:引|オフ|off)", doc.view):
        claims.append((m.start(), m.end(), Decimal(int(m.group(1)) * 10), None))
    for h in doc.finditer(_rx(_HALF), views="p"):
        claims.append((h.start, h.end, Decimal(50), None))
    for p in _AMOUNT_OFF:
        for h in doc.finditer(_rx(p), views="p"):
            amt = _parse_amount(h.m.group("amt"))
            if amt:
                claims.append((h.start, h.end, None, amt))
    numeric = bool(claims)
    if not numeric:
        for lang in doc.langs:
            if lang in _GENERIC_REDUCTION:
                for h in doc.finditer(_rx(_GENERIC_REDUCTION[lang])):
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
        out.append(_finding(doc, "price.no_history", "price", s, e, _blocked(),
                            _no_history_message(doc, m, problem, "announces a price reduction")))
        return out
    item = doc.ctx.item
    assert item is not None and prior is not None
    price = item.price
    cur = item.currency
    for s, e, pct, amt in uniq:
        m = doc.matched(s, e) if e > s else f"{announced} % (from the brief)"
        if price >= prior:
            out.append(_finding(doc, "price.no_reduction", "price", s, e, _blocked(),
                                f"'{m}' announces a reduction, but the price {_fmt(price)} {cur} is not below the lowest price of the "
                                f"30 days before {doc.ctx.on.isoformat()} ({_fmt(prior)} {cur}); remove the reduction wording."))
            break
        real_pct = (prior - price) / prior * 100
        if pct is not None and real_pct + Decimal("0.5") < pct:
            out.append(_finding(doc, "price.reduction_overstated", "price", s, e, _blocked(),
                                f"'{m}' announces {pct.normalize():f} % off, but from the 30-day prior price {_fmt(prior)} {cur} to "
                                f"{_fmt(price)} {cur} the reduction is {real_pct:.1f} %; announce at most {int(real_pct + Decimal('0.5'))} %."))
        elif amt is not None and (prior - price) + Decimal("0.005") < amt:
            out.append(_finding(doc, "price.reduction_overstated", "price", s, e, _blocked(),
                                f"'{m}' announces a saving of {_fmt(amt)}, but from the 30-day prior price {_fmt(prior)} {cur} to "
                                f"{_fmt(price)} {cur} the saving is {_fmt(prior - price)} {cur}; correct the amount."))
    return out


_AMT_PLAIN = r"\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY_PLAIN = rf"(?:{_CUR}\s?(?:{_AMT_PLAIN})|(?:{_AMT_PLAIN})\s?(?:{_CUR}|,-|\.-)|\d+[.,]\d{{2}}(?!\d))"


def _money_value(s: str) -> Decimal | None:
    m = re.search(_AMT_PLAIN, s)
    return _parse_amount(m.group(0)) if m else None


def _reference_price(doc: _Doc) -> list[ClaimFinding]:
    refs: list[tuple[int, int, Decimal, bool, int]] = []  # (s, e, value, rrp, money_end)
    cues = "|".join(_REF_CUES[lang] for lang in doc.langs if lang in _REF_CUES)
    rx = _rx(rf"(?:{cues})[:\s]*(?:(?:of|von|de|du|del|ב-?)\s)?(?P<money>{_MONEY_PLAIN})")
    for h in doc.finditer(rx, views="p"):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append((h.start, h.end, v, False, h.end))
    for h in doc.finditer(_rx(rf"(?:{_RRP_CUES})[:\s.]*(?P<money>{_MONEY_PLAIN})"), views="p"):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append((h.start, h.end, v, True, h.end))
    for h in doc.finditer(_rx(rf"(?P<money>{_MONEY_PLAIN})\s?(?:→|->|➜|⇒|⟶|➔|>|›|»)\s?(?P<now>{_MONEY_PLAIN})"), views="p"):
        v = _money_value(h.m.group("money"))
        if v is not None:
            refs.append((h.start, h.start + (h.m.end("money") - h.m.start()), v, False, h.start + (h.m.end("money") - h.m.start())))
    if not refs:
        return []
    refs.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    uniq = []
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
            out.append(_finding(doc, "reference_price.rrp", "reference_price", s, e, _review(),
                                f"'{m}' compares with a recommended retail price, which the catalog cannot verify; a reviewer must confirm it is the manufacturer's current RRP."))
            continue
        if problem:
            out.append(_finding(doc, "reference_price.no_history", "reference_price", s, e, _blocked(),
                                _no_history_message(doc, m, problem, "shows a former price")))
            continue
        assert item is not None and prior is not None
        if abs(value - prior) > Decimal("0.005"):
            out.append(_finding(doc, "reference_price.mismatch", "reference_price", s, e, _blocked(),
                                f"'{m}' shows {_fmt(value)} as the former price, but the lowest price of the 30 days before "
                                f"{doc.ctx.on.isoformat()} was {_fmt(prior)} {item.currency}; show {_fmt(prior)} as the former price."))
            continue
        now = _rx(rf"^[\s,;:/|-]*(?:{_NOW_CUES})?[\s:]*(?P<now>{_MONEY_PLAIN})").search(doc.view[money_end: money_end + 30])
        if now:
            nv = _money_value(now.group("now"))
            if nv is not None and abs(nv - item.price) > Decimal("0.005"):
                ns, ne = money_end + now.start("now"), money_end + now.end("now")
                out.append(_finding(doc, "reference_price.current_mismatch", "reference_price", ns, ne, _blocked(),
                                    f"'{doc.matched(ns, ne)}' is shown as the current price, but the catalog price is {_fmt(item.price)} {item.currency}; show the catalog price."))
    return out


# ---- tone ----------------------------------------------------------------------------------

_LEET_CLASS = {
    "a": "a4@", "b": "b8", "e": "e3€", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0", "s": "s5$z", "t": "t7+", "z": "z2",
}
_SUFFIXES = {
    "en": "s|es|ed|d|ing|er|ers|est|ly|y",
    "de": "e|en|er|es|em|n|s|st|ste|sten|ster|stes",
    "fr": "s|e|es|x|es",
    "es": "s|es|a|as|o|os",
}


_UMLAUT_ASCII = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


@lru_cache(maxsize=1024)
def _banned_rx(word: str, langs: tuple[str, ...] = ("en",)) -> re.Pattern[str] | None:
    """Whole-word, inflection-, leetspeak-, spacing- and letter-repeat-tolerant pattern for a banned word."""
    w = _fold_text(word).strip()
    if not w:
        return None
    if not re.search(r"[a-z]", w):
        return re.compile(re.escape(w))  # CJK, Arabic...: plain substring
    suffixes = "|".join(_SUFFIXES.get(lang, "s|es") for lang in langs)
    stem_swap = ""
    if any(lang in ("es", "fr") for lang in langs) and w[-1] in "oa" and len(w) > 3:
        w, stem_swap = w[:-1], "[oa]"
    sep = r"[\s.\-_*·•'/]?"
    parts = []
    for ch in w:
        if ch == " ":
            parts.append(r"[\s\W_]+")
            continue
        cls = _LEET_CLASS.get(ch)
        atom = f"[{re.escape(cls)}]" if cls else re.escape(ch)
        parts.append(atom + "+")
    body = ""
    for k, p in enumerate(parts):
        body += p
        if k + 1 < len(parts) and p != r"[\s\W_]+" and parts[k + 1] != r"[\s\W_]+":
            body += sep
    return re.compile(rf"(?<![a-z0-9]){body}{stem_swap}(?:{suffixes})?(?![a-z0-9])")


def _banned_patterns(word: str, langs: tuple[str, ...]) -> list[re.Pattern[str]]:
    """The banned word's pattern, plus its derived forms: a long German noun heading a compound
    ("Schnäppchen" -> "Schnäppchenalarm") and English -cle adjectives ("miracle" -> "miraculous")."""
    rx = _banned_rx(word, langs)
    if rx is None:
        return []
    out = [rx]
    # only long nouns: short ones head unrelated compounds ("Wunder" -> "wunderschön", "Wunderkerzen")
    if "de" in langs and word[:1].isupper() and " " not in word and len(word) >= 8:
        end = "(?![a-z0-9])"
        if rx.pattern.endswith(end):
            out.append(re.compile(rx.pattern[: -len(end)] + r"[a-zäöüß]{3,}"))
    if any(ch in word.lower() for ch in _UMLAUT_ASCII):  # "Schnaeppchen": typed without umlauts
        plain = "".join(_UMLAUT_ASCII.get(ch, ch) for ch in word.lower())
        translit = _banned_rx(plain, langs)
        if translit is not None:
            out.append(translit)
    if "en" in langs and word.lower().endswith("cle") and len(word) >= 6:
        derived = _banned_rx(word[:-3] + "culous", ("en",))
        if derived is not None:
            out.append(derived)
    return out


def _tone(doc: _Doc) -> list[ClaimFinding]:
    out: list[ClaimFinding] = []
    taken: list[tuple[int, int]] = []
    for word in doc.ctx.banned_words:
        for rx in _banned_patterns(word, doc.langs):
            for m in rx.finditer(doc.view):
                s, e = m.start(), m.end()
                if any(s < b and a < e for a, b in taken):
                    continue
                taken.append((s, e))
                out.append(_finding(doc, "tone.banned_word", "tone", s, e, _blocked(),
                                    f"'{doc.matched(s, e)}' is the banned word '{word}' from the brand's tone of "
                                    "voice; rephrase without it."))
    return out


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _loose_prop(self: _Doc) -> tuple[str, list[int]]:
    if not hasattr(self, "_loose_cache"):
        self._loose_cache = _loose(self.view)
    return self._loose_cache


_Doc.loose = property(_loose_prop)  # type: ignore[attr-defined]

_RULES: tuple[Callable[[_Doc], list[ClaimFinding]], ...] = (
    _price, _reference_price, _urgency, _scarcity, _free, _environmental, _health, _superlative, _origin, _tone,
)


def find_claims(text: str, ctx: CopyContext) -> list[ClaimFinding]:
    """Every claim in `text` that the data does not support, as findings a designer can act on.

    An empty list means the copy passes; each finding is NEEDS_REVIEW or BLOCKED and its span
    points into `text` as given (not the normalised form).
    """
    if not text or not text.strip():
        if ctx.announced_percent is None:
            return []
    doc = _Doc(text or "", ctx)
    findings: list[ClaimFinding] = []
    for rule in _RULES:
        findings.extend(rule(doc))
    findings.sort(key=lambda f: (f.span, CATEGORIES.index(f.category)))
    return findings

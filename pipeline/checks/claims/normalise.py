"""Text normalisation for the claims checker: one comparable form of what a designer typed.

Matching works on a normalised copy of the text (NFKC, case-folded, look-alike spaces and hyphens
unified, invisible marks, Arabic harakat/tatweel, Hebrew niqqud and Devanagari nukta removed, native
digits to ASCII) with an index map back to the original, so every finding's span points at the
text the designer typed. Keyword families also run over an accent-folded view (`match_view`), a
leetspeak-folded view (fr33 -> free, c02 -> co2, 3co -> eco) and a de-spaced view (E C O -> eco);
numbers and dates are parsed from the un-folded text only.

Patterns get the same folding (`fold_pattern`), so the tables are written with natural accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

__all__ = [
    "CJK_AWARE_BOUNDARY",
    "cjk_aware",
    "has_cjk_edge",
    "normalise",
    "normalise_full",
    "match_view",
    "leet_view",
    "despaced_view",
    "fold_pattern",
    "compile_folded",
    "fold_text",
    "loose_words",
]

_SPACE_CHARS = frozenset(
    "\t\n\r\f\v\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_HYPHEN_CHARS = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u05be\u2e3a\u2e3b")
_QUOTE_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "\u0060": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}
_INVISIBLE_CHARS = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u061c\u180e"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0640"  # + Arabic tatweel
)
_ARABIC_PUNCT = {"\u066a": "%", "\u060c": ",", "\u061b": ";", "\u061f": "?", "\u066b": ".", "\u066c": ","}


def _is_dropped_mark(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0610 <= cp <= 0x061A
        or 0x064B <= cp <= 0x065F
        or cp == 0x0670
        or 0x06D6 <= cp <= 0x06ED  # harakat
        or 0x0591 <= cp <= 0x05BD
        or cp in (0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7)  # niqqud
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


def normalise_full(text: str) -> tuple[str, list[int], list[int]]:
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
    norm, starts, _ = normalise_full(text)
    return norm, starts + [len(text)]


# Accent/letter-variant folding for matching (one char -> one char, so indices stay aligned).
_LETTER_FOLD = {
    "ø": "o",
    "đ": "d",
    "ł": "l",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    # Arabic letter variants (hamza carriers, alef maqsura, ta marbuta) and Persian look-alikes
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
    "ک": "ك",
    "ی": "ي",
    # Hebrew final-form-insensitive? No: final forms are distinct letters in spelling; keep them.
    "״": '"',
    "׳": "'",
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


def match_view(norm: str) -> str:
    """The normalised text with accents and letter variants folded (é -> e, أ -> ا), index for index."""
    return "".join(_fold_match_char(c) for c in norm)


_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
_LEET_TOKEN = re.compile(r"[a-z0-9@$€]+")


def leet_view(view: str) -> str:
    """Digits and symbols inside words read as letters (fr33 -> free, 3co -> eco), index for index."""
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


def despaced_view(view: str) -> tuple[str, list[int]]:
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


# Han, kana and Hangul (and the half-width katakana NFKC leaves alone): `\w` to Python's `re`, so a
# plain `\b` sees no edge in "送料free" or "FREEお届け"; Latin copy set right against them is common.
_CJK = (
    r"\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
_NOT_CJK_WORD = rf"[^\W\d_{_CJK}]"  # a letter that is not CJK (digits glued to 円/日 are normal)
#: What `\b` in a table pattern means: Python's word boundary, plus the edge between a Latin (or
#: other non-CJK) word character and a CJK one. It only adds edges where a CJK character touches a
#: Latin word, so nothing changes inside Latin words ("carefree") or inside CJK runs.
CJK_AWARE_BOUNDARY = rf"(?:\b|(?<={_NOT_CJK_WORD})(?=[{_CJK}])|(?<=[{_CJK}])(?={_NOT_CJK_WORD}))"


_CJK_EDGE = re.compile(rf"{_NOT_CJK_WORD}[{_CJK}]|[{_CJK}]{_NOT_CJK_WORD}")


def has_cjk_edge(text: str) -> bool:
    """Does a Latin (non-CJK) word character touch a CJK one somewhere in `text` ("送料free")?"""
    return _CJK_EDGE.search(text) is not None


@lru_cache(maxsize=8192)
def cjk_aware(rx: re.Pattern[str]) -> re.Pattern[str]:
    """`rx` with `CJK_AWARE_BOUNDARY` for each `\\b`: used only on text where `has_cjk_edge` (the
    plain `\\b` keeps Python's literal-prefix search fast everywhere else)."""
    pattern = _cjk_aware_boundaries(rx.pattern)
    return rx if pattern == rx.pattern else re.compile(pattern, rx.flags)


def _cjk_aware_boundaries(pattern: str) -> str:
    r"""`pattern` with each `\b` outside a character class replaced by `CJK_AWARE_BOUNDARY`."""
    if "\\b" not in pattern:
        return pattern
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            pair = pattern[i : i + 2]
            out.append(CJK_AWARE_BOUNDARY if pair == "\\b" and not in_class else pair)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a literal ] first in a class
                out.append("]")
                i += 1
            continue
        if c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


@cache
def fold_pattern(pattern: str) -> str:
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


@cache
def compile_folded(pattern: str) -> re.Pattern[str]:
    """The regex of a table pattern, folded like the text it runs on (cached: tables are reused)."""
    return re.compile(fold_pattern(pattern))


def fold_text(s: str) -> str:
    """`s` as the match view shows it: how names and approved wording are compared with the copy."""
    return match_view(normalise_full(s)[0])


def loose_words(s: str) -> tuple[str, list[int]]:
    """Letters/digits (with their marks) in single-space-separated runs; map to input indices.

    Approved claim wording and the copy are compared in this form, so punctuation and spacing
    ("eco-friendly" vs "eco friendly") do not make an approved claim look different.
    """
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

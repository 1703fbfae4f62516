"""Hyphenation, the last resort for a word wider than its box (pyphen's LibreOffice dictionaries).

Only alphabetic scripts are hyphenated (Latin, Cyrillic, Greek) and only in a language pyphen has
a dictionary for; Japanese, Chinese and Thai break between BudouX phrases, Korean, Arabic, Hebrew
and Devanagari at spaces, and are never hyphenated. Whether a word may be broken at all is the
fitter's decision (`pipeline.banner.text.fit`: only a word that does not fit its line at the
smallest allowed size); this module only says where, and with which glyph.

A word is cut into pieces: a piece ending in U+00AD (soft hyphen) breaks with a hyphen drawn at the
line's end, a piece ending in an explicit hyphen ("E-Bike-") breaks after it with nothing added.
A soft hyphen the copy itself carries is honoured as the only place such a word may break.
"""

from __future__ import annotations

from functools import lru_cache

import pyphen

from pipeline.banner.text.fonts import FontStack
from pipeline.model.locales import LocaleInfo

__all__ = ["SOFT_HYPHEN", "HYPHENATED_SCRIPTS", "can_hyphenate", "hyphen_pieces", "hyphen_glyph"]

SOFT_HYPHEN = "\u00ad"
#: Scripts whose words break at dictionary hyphenation points when they must.
HYPHENATED_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})
#: Hyphens a word may already carry: a line may end after one without another being drawn.
_EXPLICIT = ("-", "\u2010")
#: At least two letters before a break and three after it (TeX's \lefthyphenmin/\righthyphenmin
#: for English): "Ex-" or "-en" alone on a line reads as a typo.
_LEFT, _RIGHT = 2, 3


@lru_cache(maxsize=32)
def _dictionary(tag: str) -> pyphen.Pyphen | None:
    language = pyphen.language_fallback(tag)
    return pyphen.Pyphen(lang=language, left=_LEFT, right=_RIGHT) if language else None


def can_hyphenate(locale: LocaleInfo) -> bool:
    """Whether words of this locale may be hyphenated (an alphabetic script with a dictionary)."""
    return locale.script in HYPHENATED_SCRIPTS and _dictionary(locale.babel) is not None


def hyphen_pieces(word: str, locale: LocaleInfo) -> list[str]:
    """`word` cut at every place it may break; the pieces join back to `word` (with U+00AD marks
    where a hyphen is to be drawn). `[word]` when it may not break (another script, no dictionary,
    no hyphenation point)."""
    if not can_hyphenate(locale):
        return [word]
    if SOFT_HYPHEN in word:  # the copy's own soft hyphens: the writer chose where
        parts = word.split(SOFT_HYPHEN)
        return [p + SOFT_HYPHEN for p in parts[:-1] if p] + [parts[-1]]
    dictionary = _dictionary(locale.babel)
    assert dictionary is not None  # can_hyphenate
    pieces: list[str] = []
    for part in _after_hyphens(word):
        start = 0
        for point in dictionary.positions(part):
            pieces.append(part[start:point] + SOFT_HYPHEN)
            start = point
        pieces.append(part[start:])
    return pieces


def _after_hyphens(word: str) -> list[str]:
    """ "E-Bike-Angebote" -> ["E-", "Bike-", "Angebote"]: a word may always break after its own hyphen."""
    parts, start = [], 0
    for i, ch in enumerate(word):
        if ch in _EXPLICIT and 0 < i < len(word) - 1:
            parts.append(word[start : i + 1])
            start = i + 1
    parts.append(word[start:])
    return parts


def hyphen_glyph(stack: FontStack, before: str) -> str:
    """The hyphen drawn at a break after `before`: U+2010 HYPHEN when the font that draws the end
    of `before` has it, else the hyphen-minus every font has (a hyphen from a fallback font
    would not match the word's letters)."""
    font = stack.split_runs(before)[-1][1] if before else 0
    return "\u2010" if stack.covers(font, "\u2010") else "-"

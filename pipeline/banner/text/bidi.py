"""Reading direction: the paragraph's, and the Unicode bidi algorithm's levels for mixed lines.

When one font covers a whole line, raqm (FriBiDi) reorders the line itself. Only when a line
mixes fonts are its runs placed by Vitrina, in visual order from the Unicode bidi algorithm's
implicit rules: a compact implementation, since marketing copy has no explicit embeddings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from pipeline.model.locales import LocaleInfo

__all__ = ["bidi_levels", "visual_order", "base_direction"]

_NEUTRAL = {"B", "S", "WS", "ON", "BN", "LRI", "RLI", "FSI", "PDI"}

_EXPLICIT = {"LRE", "RLE", "LRO", "RLO", "PDF", "BN"}


def base_direction(text: str, locale: LocaleInfo) -> str:
    """The paragraph direction: the locale's, except that text with no letters at all (a
    discount such as `-20%`) reads left to right everywhere, so its minus sign stays in front."""
    if locale.rtl and not any(unicodedata.bidirectional(c) in ("L", "R", "AL") for c in text):
        return "ltr"
    return locale.direction


def bidi_levels(text: str, base_level: int) -> list[int]:
    """Resolved embedding level per character (UAX #9 rules W1-W7, N1-N2, I1-I2, L1).

    Explicit embeddings and isolates are treated as neutrals and bracket pairs (N0) are not
    paired: copy and prices do not use them, and raqm handles them inside single-font lines.
    """
    if base_level not in (0, 1):
        raise ValueError(f"base level {base_level} is not 0 (ltr) or 1 (rtl)")
    original = [unicodedata.bidirectional(c) or "L" for c in text]
    types = ["BN" if t in _EXPLICIT else t for t in original]
    n = len(types)
    sos = "R" if base_level else "L"

    prev = sos  # W1
    for i, t in enumerate(types):
        if t == "BN":
            continue
        if t == "NSM":
            types[i] = "ON" if prev in ("LRI", "RLI", "FSI", "PDI") else prev
        prev = types[i]
    last = sos  # W2
    for i, t in enumerate(types):
        if t in ("L", "R", "AL"):
            last = t
        elif t == "EN" and last == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]  # W3
    for i in range(1, n - 1):  # W4
        a, t, b = types[i - 1], types[i], types[i + 1]
        if t == "ES" and a == b == "EN":
            types[i] = "EN"
        elif t == "CS" and a == b and a in ("EN", "AN"):
            types[i] = a
    i = 0  # W5
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                types[i:j] = ["EN"] * (j - i)
            i = j
        else:
            i += 1
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]  # W6
    last = sos  # W7
    for i, t in enumerate(types):
        if t in ("L", "R"):
            last = t
        elif t == "EN" and last == "L":
            types[i] = "L"
    i = 0  # N1, N2
    while i < n:
        if types[i] in _NEUTRAL:
            j = i
            while j < n and types[j] in _NEUTRAL:
                j += 1
            before = sos if i == 0 else ("L" if types[i - 1] == "L" else "R")
            after = sos if j == n else ("L" if types[j] == "L" else "R")
            resolved = before if before == after else sos
            types[i:j] = [resolved] * (j - i)
            i = j
        else:
            i += 1
    levels = []  # I1, I2
    for t in types:
        if base_level == 0:
            levels.append(1 if t == "R" else 2 if t in ("AN", "EN") else 0)
        else:
            levels.append(2 if t in ("L", "EN", "AN") else 1)
    j = n  # L1: trailing whitespace takes the paragraph level
    while j > 0 and original[j - 1] in ("WS", "S", "B", "BN", *_EXPLICIT, "LRI", "RLI", "FSI", "PDI"):
        j -= 1
        levels[j] = base_level
    return levels


def visual_order(levels: Sequence[int]) -> list[int]:
    """Rule L2: indices in display order (left to right)."""
    order = list(range(len(levels)))
    odd = [lv for lv in levels if lv % 2]
    if not odd:
        return order
    for level in range(max(levels), min(odd) - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order

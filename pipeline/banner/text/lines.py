"""One line of text shaped, and copy broken into lines.

A line is shaped by raqm (HarfBuzz + FriBiDi) with the locale's direction and language, which
joins Arabic, reorders Indic clusters and applies locale forms (Japanese vs Simplified Chinese
glyphs in Noto CJK). A line that mixes fonts is cut where the font or the bidi level changes and
its pieces placed in visual order.

Lines break at spaces for alphabetic scripts and Korean, at BudouX phrase boundaries for
Japanese and Chinese, and never inside a word, except a word the fitter allows to be hyphenated
(`hyphens`: one wider than its box at the smallest size). The number of lines is the greedy
one (the fewest); which words go on which line is then chosen so that the last line does not
hold one word alone when another arrangement with as many lines fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import budoux
import numpy as np

from pipeline.banner.text.bidi import base_direction, bidi_levels, visual_order
from pipeline.banner.text.fonts import FontStack
from pipeline.banner.text.hyphens import SOFT_HYPHEN, hyphen_glyph, hyphen_pieces
from pipeline.model.locales import LocaleInfo

__all__ = ["ShapedRun", "ShapedLine", "Shape", "shape_line", "split_units", "too_wide", "wrap_text", "measurer"]


@dataclass(frozen=True)
class ShapedRun:
    text: str
    font_index: int
    direction: str  # "ltr" | "rtl"
    x: float  # pen offset from the line origin
    advance: float


@dataclass(frozen=True)
class ShapedLine:
    text: str
    runs: tuple[ShapedRun, ...]  # visual order, left to right
    left: int  # ink extents relative to the line origin and baseline (Pillow getbbox, anchor "ls")
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left


def shape_line(text: str, stack: FontStack, size: int, locale: LocaleInfo, direction: str) -> ShapedLine:
    """`text` as one line at `size` px in paragraph `direction`, with its ink extents."""
    runs = stack.split_runs(text)
    language = locale.code
    if len(runs) == 1:
        font = stack.font(runs[0][1], size)
        x_lo, y_lo, x_hi, y_hi = font.getbbox(text, anchor="ls", direction=direction, language=language)
        adv = font.getlength(text, direction=direction, language=language)
        run = ShapedRun(text, runs[0][1], direction, 0.0, adv)
        return ShapedLine(text, (run,), int(x_lo), int(y_lo), int(x_hi), int(y_hi))

    # Several fonts on one line: cut where the font or the bidi level changes, order the pieces
    # visually (rule L2 at piece level), shape each piece with its own direction.
    levels = bidi_levels(text, 1 if direction == "rtl" else 0)
    pieces: list[tuple[str, int, int]] = []  # text, font, level (logical order)
    pos = 0
    for run_text, font_index in runs:
        for k, ch in enumerate(run_text):
            lv = levels[pos + k]
            if pieces and pieces[-1][1] == font_index and pieces[-1][2] == lv:
                pieces[-1] = (pieces[-1][0] + ch, font_index, lv)
            else:
                pieces.append((ch, font_index, lv))
        pos += len(run_text)
    order = visual_order([p[2] for p in pieces])

    placed: list[ShapedRun] = []
    x = 0.0
    left, top, right, bottom = 0.0, 0.0, 0.0, 0.0
    for idx in order:
        piece_text, font_index, lv = pieces[idx]
        piece_dir = "rtl" if lv % 2 else "ltr"
        font = stack.font(font_index, size)
        x_lo, y_lo, x_hi, y_hi = font.getbbox(piece_text, anchor="ls", direction=piece_dir, language=language)
        adv = font.getlength(piece_text, direction=piece_dir, language=language)
        placed.append(ShapedRun(piece_text, font_index, piece_dir, x, adv))
        left, right = min(left, x + x_lo), max(right, x + x_hi)
        top, bottom = min(top, y_lo), max(bottom, y_hi)
        x += adv
    right = max(right, x)
    return ShapedLine(text, tuple(placed), int(np.floor(left)), int(top), int(np.ceil(right)), int(bottom))


# --------------------------------------------------------------------------- line breaking

_BREAK_SPACE = "[ \t\u3000\u2000-\u2006\u2008-\u200a\u205f]"
_UNIT = re.compile(rf"(?:(?!{_BREAK_SPACE}).)+{_BREAK_SPACE}*|{_BREAK_SPACE}+", re.S)
_STRIP = " \t\u3000\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f"

#: How lines are chosen once their count is known: "greedy" fills each line in turn (fast: the
#: size search), "no_orphan" is greedy unless that leaves one word alone on the last line,
#: "balanced" evens out the line lengths (headlines), never ending on one word when avoidable.
Shape = Literal["greedy", "no_orphan", "balanced"]


@lru_cache(maxsize=4)
def _budoux_parser(kind: str) -> budoux.Parser:
    loaders = {
        "ja": budoux.load_default_japanese_parser,
        "zh-Hans": budoux.load_default_simplified_chinese_parser,
        "zh-Hant": budoux.load_default_traditional_chinese_parser,
        "th": budoux.load_default_thai_parser,
    }
    return loaders[kind]()


def _phrase_model(locale: LocaleInfo) -> str | None:
    if locale.script == "Jpan" or locale.language == "ja":
        return "ja"
    if locale.script == "Hans":
        return "zh-Hans"
    if locale.script == "Hant":
        return "zh-Hant"
    if locale.script == "Thai":
        return "th"
    return None  # Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Korean: break at spaces


def split_units(paragraph: str, locale: LocaleInfo, hyphenate: Collection[str] = ()) -> list[str]:
    """Unbreakable units of a paragraph, in order; a line may end only between two units.

    Spaces stay attached to the unit before them (no-break spaces, e.g. inside `7,99 €`, do not
    break). Japanese and Chinese are cut into BudouX phrases, then at any spaces inside them.
    A word listed in `hyphenate` is cut further at its hyphenation points (`hyphens.hyphen_pieces`).
    """
    chunks = [paragraph]
    model = _phrase_model(locale)
    if model is not None:
        chunks = [p for p in _budoux_parser(model).parse(paragraph) if p]
    units: list[str] = []
    for chunk in chunks:
        for unit in _UNIT.findall(chunk):
            word = unit.rstrip(_STRIP)
            if word in hyphenate:
                pieces = hyphen_pieces(word, locale)
                units.extend([*pieces[:-1], pieces[-1] + unit[len(word) :]])
            else:
                units.append(unit)
    return units


def _finisher(stack: FontStack) -> Callable[[str], str]:
    """Units joined -> the line drawn: outer spaces stripped, soft hyphens dropped, and a hyphen
    drawn where the line breaks inside a word."""

    def finish(joined: str) -> str:
        line = joined.strip(_STRIP)
        if line.endswith(SOFT_HYPHEN):
            body = line.replace(SOFT_HYPHEN, "")
            return body + hyphen_glyph(stack, body)
        return line.replace(SOFT_HYPHEN, "")

    return finish


def _greedy(
    units: Sequence[str], max_width: int, measure: Callable[[str], int], finish: Callable[[str], str]
) -> list[int] | None:
    """Where each line ends (unit indices), filling each line in turn; the fewest lines.
    None when one unit alone is wider than `max_width` (never cut, except at its hyphen pieces)."""
    ends: list[int] = []
    start = 0
    for i, unit in enumerate(units):
        if finish("".join(units[start:i])) and measure(finish("".join(units[start : i + 1]))) <= max_width:
            continue
        if finish("".join(units[start:i])):
            ends.append(i)
            start = i
        alone = finish(unit)
        if alone and measure(alone) > max_width:
            return None
    if finish("".join(units[start:])):
        ends.append(len(units))
    return ends


#: A last line of one word costs more than any spread of line lengths; a break inside a word
#: (hyphenated) costs as much as a line a quarter empty (as fractions of the width squared).
_ORPHAN_COST = 16.0
_HYPHEN_COST = 0.25


def _arrange(
    units: Sequence[str],
    count: int,
    max_width: int,
    measure: Callable[[str], int],
    finish: Callable[[str], str],
    balanced: bool,
) -> list[int] | None:
    """The best line ends for `count` lines: least squared slack (every line when `balanced`,
    else every line but the last), with a last line of one word only when nothing else fits,
    and as few hyphenated breaks as will do. None when `count` lines cannot hold the units."""
    n = len(units)
    width2 = float(max_width) ** 2
    # best[k][b]: (cost, previous end) of setting units[:b] in k lines
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, -1)}] + [{} for _ in range(count)]
    for k in range(1, count + 1):
        for a, (cost_a, _) in best[k - 1].items():
            for b in range(a + 1, n + 1):
                line = finish("".join(units[a:b]))
                if not line:
                    continue
                w = measure(line)
                if w > max_width:
                    break
                last = b == n
                cost = cost_a
                if balanced or not last:
                    cost += (max_width - w) ** 2 / width2
                if units[b - 1].rstrip(_STRIP).endswith(SOFT_HYPHEN) and not last:
                    cost += _HYPHEN_COST
                if last and k > 1 and _words(units[a:b]) == 1:
                    cost += _ORPHAN_COST
                if b not in best[k] or cost < best[k][b][0]:
                    best[k][b] = (cost, a)
    done = [(best[k][n][0], k) for k in range(1, count + 1) if n in best[k]]
    if not done:
        return None
    k = min(done)[1]
    ends: list[int] = []
    b = n
    while k > 0:
        ends.append(b)
        b = best[k][b][1]
        k -= 1
    return ends[::-1]


def _words(units: Sequence[str]) -> int:
    """Words that end among `units` (a hyphenation piece continues its word on the next unit)."""
    return sum(1 for u in units if u.strip(_STRIP) and not u.endswith(SOFT_HYPHEN))


def _is_orphan(units: Sequence[str], ends: Sequence[int]) -> bool:
    return len(ends) > 1 and _words(units[ends[-2] :]) == 1


def too_wide(text: str, stack: FontStack, size: int, max_width: int, locale: LocaleInfo) -> frozenset[str]:
    """The words of `text` wider than `max_width` at `size` (drawn alone on a line): the only
    ones the fitter lets be hyphenated."""
    measure = measurer(stack, size, locale, base_direction(text, locale))
    finish = _finisher(stack)
    words = {u.rstrip(_STRIP) for p in text.split("\n") for u in split_units(p.strip(_STRIP), locale)}
    return frozenset(w for w in words if w and measure(finish(w)) > max_width)


def wrap_text(
    text: str,
    stack: FontStack,
    size: int,
    max_width: int,
    locale: LocaleInfo,
    *,
    measure: Callable[[str], int] | None = None,
    shape: Shape = "no_orphan",
    hyphenate: Collection[str] = (),
) -> list[str] | None:
    """Copy broken into lines no wider than `max_width` at allowed break points, in the fewest
    lines, chosen as `shape` says; None when a single unit is too wide. Explicit newlines are
    kept as forced breaks. Words in `hyphenate` may break at their hyphenation points."""
    measure = measure or measurer(stack, size, locale, base_direction(text, locale))
    finish = _finisher(stack)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip(_STRIP)
        if not paragraph:
            continue
        units = split_units(paragraph, locale, hyphenate)
        ends = _greedy(units, max_width, measure, finish)
        if ends is None:
            return None
        if shape == "balanced" or (shape == "no_orphan" and _is_orphan(units, ends)):
            ends = _arrange(units, len(ends), max_width, measure, finish, shape == "balanced") or ends
        starts = [0, *ends[:-1]]
        lines.extend(finish("".join(units[a:b])) for a, b in zip(starts, ends, strict=True))
    return lines


def measurer(stack: FontStack, size: int, locale: LocaleInfo, direction: str) -> Callable[[str], int]:
    cache: dict[str, int] = {}

    def measure(line: str) -> int:
        if line not in cache:
            cache[line] = shape_line(line, stack, size, locale, direction).width
        return cache[line]

    return measure

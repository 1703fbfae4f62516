"""One line of text shaped, and copy broken into lines.

A line is shaped by raqm (HarfBuzz + FriBiDi) with the locale's direction and language, which
joins Arabic, reorders Indic clusters and applies locale forms (Japanese vs Simplified Chinese
glyphs in Noto CJK). A line that mixes fonts is cut where the font or the bidi level changes and
its pieces placed in visual order.

Lines break at spaces for alphabetic scripts and Korean, at BudouX phrase boundaries for
Japanese and Chinese, and never inside a word: nothing is hyphenated or cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import budoux
import numpy as np

from pipeline.banner.text.bidi import base_direction, bidi_levels, visual_order
from pipeline.banner.text.fonts import FontStack
from pipeline.model.locales import LocaleInfo

__all__ = ["ShapedRun", "ShapedLine", "shape_line", "split_units", "wrap_text", "measurer"]


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


def split_units(paragraph: str, locale: LocaleInfo) -> list[str]:
    """Unbreakable units of a paragraph, in order; a line may end only between two units.

    Spaces stay attached to the unit before them (no-break spaces, e.g. inside `7,99 €`, do not
    break). Japanese and Chinese are cut into BudouX phrases, then at any spaces inside them.
    """
    chunks = [paragraph]
    model = _phrase_model(locale)
    if model is not None:
        chunks = [p for p in _budoux_parser(model).parse(paragraph) if p]
    units: list[str] = []
    for chunk in chunks:
        units.extend(_UNIT.findall(chunk))
    return units


def _greedy(units: Sequence[str], max_width: int, measure: Callable[[str], int]) -> list[str] | None:
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = (current + unit).strip(_STRIP)
        if current and measure(candidate) <= max_width:
            current += unit
            continue
        if current:
            lines.append(current.strip(_STRIP))
        if unit.strip(_STRIP) and measure(unit.strip(_STRIP)) > max_width:
            return None  # one word is wider than the box: never cut or hyphenate it
        current = unit if unit.strip(_STRIP) else ""
    if current.strip(_STRIP):
        lines.append(current.strip(_STRIP))
    return lines


def wrap_text(
    text: str,
    stack: FontStack,
    size: int,
    max_width: int,
    locale: LocaleInfo,
    *,
    measure: Callable[[str], int] | None = None,
) -> list[str] | None:
    """Greedy line breaking at allowed break points; None when a single unit is too wide.
    Explicit newlines are kept as forced breaks."""
    measure = measure or measurer(stack, size, locale, base_direction(text, locale))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip(_STRIP)
        if not paragraph:
            continue
        wrapped = _greedy(split_units(paragraph, locale), max_width, measure)
        if wrapped is None:
            return None
        lines.extend(wrapped)
    return lines


def measurer(stack: FontStack, size: int, locale: LocaleInfo, direction: str) -> Callable[[str], int]:
    cache: dict[str, int] = {}

    def measure(line: str) -> int:
        if line not in cache:
            cache[line] = shape_line(line, stack, size, locale, direction).width
        return cache[line]

    return measure

"""Typography that is right in every script: font fallback, shaping, bidi, line breaking, fitting.

Pillow draws one font per call and has no fallback: a character the font lacks becomes a box
(.notdef). So text is cut into runs by glyph coverage over a `FontStack` (brand font first, then
the brand's fallbacks), and each run is shaped by raqm (HarfBuzz + FriBiDi) with the locale's
direction and language, which joins Arabic, reorders Indic clusters and applies locale forms
(Japanese vs Simplified Chinese glyphs in Noto CJK).

When one font covers a whole line, raqm shapes and reorders the line itself. Only when a line
mixes fonts are its runs placed here, in visual order from the Unicode bidi algorithm's implicit
rules (a compact implementation below: marketing copy has no explicit embeddings).

Lines break at spaces for alphabetic scripts and Korean, at BudouX phrase boundaries for
Japanese and Chinese, and never inside a word: nothing is hyphenated or cut.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import budoux
import numpy as np
import uharfbuzz as hb
from PIL import Image, ImageDraw, ImageFont, features

from pipeline.errors import VitrinaError
from pipeline.imageio import to_array
from pipeline.locales import LocaleInfo

if TYPE_CHECKING:
    from pipeline.brand import BrandGuide

__all__ = [
    "FontStack",
    "MissingGlyphError",
    "TextFit",
    "Align",
    "VAlign",
    "split_units",
    "wrap_text",
    "fit_text",
    "draw_fit",
    "draw_fit_into",
    "text_covered",
    "bidi_levels",
    "base_direction",
]

Align = Literal["start", "center", "end"]
VAlign = Literal["top", "middle", "bottom"]
Box = tuple[int, int, int, int]


class MissingGlyphError(VitrinaError):
    """No font of the stack has a glyph for a character: it would render as a box."""

    def __init__(self, text: str, char: str, fonts: Sequence[str]) -> None:
        self.text = text
        self.char = char
        self.fonts = tuple(fonts)
        name = unicodedata.name(char, "unnamed")
        super().__init__(
            f"no font covers {char!r} (U+{ord(char):04X} {name}) in {text!r}; "
            f"tried: {', '.join(self.fonts)}"
        )


# --------------------------------------------------------------------------- fonts and coverage


@lru_cache(maxsize=64)
def _unicodes(path: str, face_index: int) -> frozenset[int]:
    blob = hb.Blob.from_file_path(path)
    count = hb.Face(blob).count  # faces in the file: several in a .ttc collection
    if count == 0:
        raise ValueError(f"{path} is not a font file HarfBuzz can read (TrueType/OpenType)")
    if face_index >= count:
        raise ValueError(f"font {path} has {count} face(s); face_index {face_index} does not exist")
    unicodes = frozenset(hb.Face(blob, face_index).unicodes)
    if not unicodes:
        raise ValueError(f"font {path} face {face_index} maps no characters")
    return unicodes


@lru_cache(maxsize=512)
def _pil_font(path: str, face_index: int, size: int) -> ImageFont.FreeTypeFont:
    if not features.check("raqm"):
        raise RuntimeError(
            "Pillow was built without raqm (libraqm/FriBiDi): Arabic, Hebrew and Indic text "
            "would be drawn unshaped; install libraqm0 and libfribidi0"
        )
    return ImageFont.truetype(path, size, index=face_index, layout_engine=ImageFont.Layout.RAQM)


def _ignorable(char: str) -> bool:
    """Default-ignorable characters (RLM, ZWJ, soft hyphen, variation selectors): HarfBuzz hides
    them when a font lacks them, so they never become a box and need no coverage."""
    cp = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or char == "\n"
    )


def _sticky(char: str) -> bool:
    """Spaces, punctuation, digits, symbols and marks belong to no script of their own: they stay
    in the surrounding run when its font has them, so a run is not cut at every space or comma."""
    return unicodedata.category(char)[0] in "ZPNSMC"


class FontStack:
    """Fonts in fallback order: `fonts[0]` is the brand font, later ones fill its gaps."""

    def __init__(self, fonts: Sequence[tuple[Path | str, int]]) -> None:
        if not fonts:
            raise ValueError("a font stack needs at least one font")
        resolved: list[tuple[Path, int]] = []
        for path, face in fonts:
            p = Path(path)
            if not p.is_file():
                raise FileNotFoundError(f"font file not found: {p}")
            if face < 0:
                raise ValueError(f"font {p}: face_index {face} is negative")
            _unicodes(str(p), face)  # fails early on a bad face index or an unreadable font
            resolved.append((p, face))
        self.fonts: tuple[tuple[Path, int], ...] = tuple(resolved)

    @classmethod
    def for_brand(cls, brand: BrandGuide, role: Literal["headline", "body"]) -> FontStack:
        """The brand's headline or body font followed by its fallbacks."""
        if role not in ("headline", "body"):
            raise ValueError(f"font role {role!r} is not 'headline' or 'body'")
        fonts = tuple((str(brand.font_path(s)), s.face_index) for s in brand.typography.stack(role))
        return _cached_stack(fonts) if cls is FontStack else cls(fonts)

    def __repr__(self) -> str:
        return f"FontStack({', '.join(self.names)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FontStack) and other.fonts == self.fonts

    def __hash__(self) -> int:
        return hash(self.fonts)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"{p.name}#{f}" if f else p.name for p, f in self.fonts)

    @cached_property
    def bold(self) -> bool:
        """Whether the primary font is bold (WCAG counts bold text from 18.5 px as large)."""
        style = self.font(0, 16).getname()[1] or ""
        return any(w in style.lower() for w in ("bold", "black", "heavy"))

    def covers(self, index: int, char: str) -> bool:
        path, face = self.fonts[index]
        return _ignorable(char) or ord(char) in _unicodes(str(path), face)

    def font(self, index: int, size: int) -> ImageFont.FreeTypeFont:
        """The Pillow font (raqm layout), cached per (path, face, size)."""
        if size < 1:
            raise ValueError(f"font size {size} px is below 1")
        path, face = self.fonts[index]
        return _pil_font(str(path), face, int(size))

    def _first_covering(self, char: str, text: str) -> int:
        for i in range(len(self.fonts)):
            if self.covers(i, char):
                return i
        raise MissingGlyphError(text, char, self.names)

    def split_runs(self, text: str) -> list[tuple[str, int]]:
        """Logical-order runs `(text, font_index)` such that each run's font covers all of it.

        Letters take the first font that has them. Spaces, punctuation, digits, symbols and marks
        stay in the current run when its font has them, else join the next letter's font, else
        take the first font that has them (NotoSansHebrew has no digits: they fall through).
        Raises MissingGlyphError for a character no font covers.
        """
        n = len(text)
        strong: list[int | None] = [None] * n
        for i, ch in enumerate(text):
            if not _sticky(ch):
                strong[i] = self._first_covering(ch, text)
        next_strong: list[int | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_strong[i] = strong[i] if strong[i] is not None else next_strong[i + 1]

        fonts: list[int] = []
        current: int | None = None
        for i, ch in enumerate(text):
            chosen = strong[i]
            if chosen is None:
                ahead = next_strong[i + 1]
                if current is not None and self.covers(current, ch):
                    chosen = current
                elif ahead is not None and self.covers(ahead, ch):
                    chosen = ahead
                else:
                    chosen = self._first_covering(ch, text)
            fonts.append(chosen)
            current = chosen

        runs: list[tuple[str, int]] = []
        for ch, f in zip(text, fonts):
            if runs and runs[-1][1] == f:
                runs[-1] = (runs[-1][0] + ch, f)
            else:
                runs.append((ch, f))
        return runs


@lru_cache(maxsize=64)
def _cached_stack(fonts: tuple[tuple[str, int], ...]) -> FontStack:
    """One FontStack per font list: building one re-reads coverage and checks files per call.
    A stack is immutable (its `fonts` tuple), so sharing it between banners is safe."""
    return FontStack(fonts)


def text_covered(text: str, stack: FontStack) -> bool:
    """True when every character of `text` has a glyph in some font of the stack."""
    try:
        stack.split_runs(text)
    except MissingGlyphError:
        return False
    return True


# --------------------------------------------------------------------------- bidi (implicit UBA)

_NEUTRAL = {"B", "S", "WS", "ON", "BN", "LRI", "RLI", "FSI", "PDI"}
_EXPLICIT = {"LRE", "RLE", "LRO", "RLO", "PDF", "BN"}


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


def _visual_order(levels: Sequence[int]) -> list[int]:
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


# --------------------------------------------------------------------------- shaping one line


@dataclass(frozen=True)
class _Run:
    text: str
    font_index: int
    direction: str  # "ltr" | "rtl"
    x: float  # pen offset from the line origin
    advance: float


@dataclass(frozen=True)
class _Line:
    text: str
    runs: tuple[_Run, ...]  # visual order, left to right
    left: int  # ink extents relative to the line origin and baseline (Pillow getbbox, anchor "ls")
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left


def base_direction(text: str, locale: LocaleInfo) -> str:
    """The paragraph direction: the locale's, except that text with no letters at all (a
    discount such as `-20%`) reads left to right everywhere, so its minus sign stays in front."""
    if locale.rtl and not any(unicodedata.bidirectional(c) in ("L", "R", "AL") for c in text):
        return "ltr"
    return locale.direction


def _shape_line(text: str, stack: FontStack, size: int, locale: LocaleInfo, direction: str) -> _Line:
    runs = stack.split_runs(text)
    language = locale.code
    if len(runs) == 1:
        font = stack.font(runs[0][1], size)
        l, t, r, b = font.getbbox(text, anchor="ls", direction=direction, language=language)
        adv = font.getlength(text, direction=direction, language=language)
        run = _Run(text, runs[0][1], direction, 0.0, adv)
        return _Line(text, (run,), int(l), int(t), int(r), int(b))

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
    order = _visual_order([p[2] for p in pieces])

    placed: list[_Run] = []
    x = 0.0
    left, top, right, bottom = 0.0, 0.0, 0.0, 0.0
    for idx in order:
        piece_text, font_index, lv = pieces[idx]
        piece_dir = "rtl" if lv % 2 else "ltr"
        font = stack.font(font_index, size)
        l, t, r, b = font.getbbox(piece_text, anchor="ls", direction=piece_dir, language=language)
        adv = font.getlength(piece_text, direction=piece_dir, language=language)
        placed.append(_Run(piece_text, font_index, piece_dir, x, adv))
        left, right = min(left, x + l), max(right, x + r)
        top, bottom = min(top, t), max(bottom, b)
        x += adv
    right = max(right, x)
    return _Line(text, tuple(placed), int(np.floor(left)), int(top), int(np.ceil(right)), int(bottom))


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
    measure = measure or _measurer(stack, size, locale, base_direction(text, locale))
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


def _measurer(
    stack: FontStack, size: int, locale: LocaleInfo, direction: str
) -> Callable[[str], int]:
    cache: dict[str, int] = {}

    def measure(line: str) -> int:
        if line not in cache:
            cache[line] = _shape_line(line, stack, size, locale, direction).width
        return cache[line]

    return measure


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class TextFit:
    """Copy laid out at one size: what `draw_fit` draws. Widths and height are ink extents."""

    size_px: int
    lines: tuple[str, ...]
    line_widths: tuple[int, ...]
    height: int  # from the first line's ink top to the last line's ink bottom
    ascent: int  # from the block's top to the first baseline
    line_pitch: float  # baseline to baseline
    direction: str  # paragraph direction the lines were shaped with ("ltr" | "rtl")
    stack: FontStack = field(repr=False)
    locale: LocaleInfo = field(repr=False)
    _shaped: tuple[_Line, ...] = field(repr=False, compare=False, default=())

    @property
    def width(self) -> int:
        return max(self.line_widths)


def _layout(
    lines: Sequence[str],
    stack: FontStack,
    size: int,
    locale: LocaleInfo,
    line_spacing: float,
    direction: str,
) -> TextFit:
    shaped = tuple(_shape_line(line, stack, size, locale, direction) for line in lines)
    pitch = size * line_spacing
    ascent = -shaped[0].top
    height = ascent + round(pitch * (len(shaped) - 1)) + shaped[-1].bottom
    return TextFit(
        size_px=size,
        lines=tuple(lines),
        line_widths=tuple(s.width for s in shaped),
        height=int(height),
        ascent=int(ascent),
        line_pitch=pitch,
        direction=direction,
        stack=stack,
        locale=locale,
        _shaped=shaped,
    )


def fit_text(
    text: str,
    stack: FontStack,
    box_w: int,
    box_h: int,
    *,
    max_px: int,
    min_px: int,
    locale: LocaleInfo,
    max_lines: int,
    line_spacing: float = 1.15,
    balance: bool = False,
) -> TextFit | None:
    """The largest size in [min_px, max_px] at which the wrapped copy fits the box, or None.

    Binary search over integer sizes (wrapping makes fit almost, not strictly, monotonic in size;
    the search returns a size that fits). `balance` then evens out line lengths at that size
    (fewest lines first, then the narrowest width that keeps that count), so a headline does not
    end with one orphaned word. Raises MissingGlyphError when no font covers a character.
    """
    if not text.strip():
        raise ValueError("cannot fit empty text")
    if box_w < 1 or box_h < 1:
        raise ValueError(f"text box {box_w}x{box_h} px is empty")
    if min_px < 1 or max_px < min_px:
        raise ValueError(f"font size range {min_px}-{max_px} px is invalid")
    if max_lines < 1:
        raise ValueError(f"max_lines {max_lines} is below 1")
    if line_spacing <= 0:
        raise ValueError(f"line_spacing {line_spacing} is not positive")
    stack.split_runs(text)  # coverage first: a missing glyph is an error, not a "does not fit"
    return _fit_cached(text, stack, box_w, box_h, max_px, min_px, locale, max_lines, line_spacing, balance)


@lru_cache(maxsize=2048)
def _fit_cached(
    text: str,
    stack: FontStack,
    box_w: int,
    box_h: int,
    max_px: int,
    min_px: int,
    locale: LocaleInfo,
    max_lines: int,
    line_spacing: float,
    balance: bool,
) -> TextFit | None:
    """`fit_text` after validation, memoised: a TextFit is immutable and depends on nothing but
    these arguments (fonts are files read once), so a campaign repeating copy, boxes and locales
    across formats and variants fits each block once per process."""
    direction = base_direction(text, locale)

    def attempt(size: int) -> TextFit | None:
        measure = _measurer(stack, size, locale, direction)
        lines = wrap_text(text, stack, size, box_w, locale, measure=measure)
        if lines is None or not lines or len(lines) > max_lines:
            return None
        if balance and len(lines) > 1:
            lines = _balance(text, stack, size, locale, lines, measure)
        fit = _layout(lines, stack, size, locale, line_spacing, direction)
        if fit.width > box_w or fit.height > box_h:
            return None
        return fit

    best = attempt(max_px)
    if best is None:
        best = attempt(min_px)
        if best is None:
            return None
        lo, hi = min_px, max_px  # lo fits, hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            fit = attempt(mid)
            if fit is None:
                hi = mid
            else:
                lo, best = mid, fit
    return best


def _balance(
    text: str,
    stack: FontStack,
    size: int,
    locale: LocaleInfo,
    lines: list[str],
    measure: Callable[[str], int],
) -> list[str]:
    """The same number of lines at the narrowest width that still allows it (CSS
    `text-wrap: balance`): no last line holding one orphaned word."""
    count = len(lines)
    lo, hi = 1, max(measure(line) for line in lines)
    best = lines
    while lo < hi:
        mid = (lo + hi) // 2
        wrapped = wrap_text(text, stack, size, mid, locale, measure=measure)
        if wrapped is not None and len(wrapped) <= count:
            hi, best = mid, wrapped
        else:
            lo = mid + 1
    return best


# --------------------------------------------------------------------------- drawing


def draw_fit(
    canvas: Image.Image,
    fit: TextFit,
    box: Box,
    color_rgb: tuple[int, int, int],
    *,
    align: Align,
    locale: LocaleInfo,
    valign: VAlign = "top",
) -> tuple[Image.Image, np.ndarray]:
    """Draw the fitted copy inside `box`; returns the new image and a bool mask of glyph pixels.

    `align` is logical: 'start' is the left edge for left-to-right locales and the right edge for
    right-to-left ones. Pixels fully inside glyphs get exactly `color_rgb`; only anti-aliased
    edges blend with the canvas.
    """
    out = canvas.copy()
    region, small = draw_fit_into(out, fit, box, color_rgb, align=align, locale=locale, valign=valign)
    mask = np.zeros((canvas.height, canvas.width), dtype=bool)
    rx0, ry0, rx1, ry1 = region
    mask[ry0:ry1, rx0:rx1] = small
    return out, mask


def draw_fit_into(
    canvas: Image.Image,
    fit: TextFit,
    box: Box,
    color_rgb: tuple[int, int, int],
    *,
    align: Align,
    locale: LocaleInfo,
    valign: VAlign = "top",
) -> tuple[Box, np.ndarray]:
    """`draw_fit` drawing onto `canvas` in place; returns `(region, mask)`: the glyph mask of the
    canvas rectangle `region` only (the box plus a margin for ink overhang, clipped to the
    canvas). No glyph pixel lies outside `region`. Same pixels as `draw_fit`, without a
    canvas-sized layer, canvas copy or canvas-sized mask per block."""
    if canvas.mode not in ("RGB", "RGBA"):
        raise ValueError(f"canvas mode {canvas.mode!r} is not RGB or RGBA")
    x0, y0, x1, y1 = box
    if not (0 <= x0 < x1 <= canvas.width and 0 <= y0 < y1 <= canvas.height):
        raise ValueError(f"text box {box} is not inside the {canvas.width}x{canvas.height} canvas")
    if fit.width > x1 - x0 or fit.height > y1 - y0:
        raise ValueError(
            f"text fitted to {fit.width}x{fit.height} px does not fit the {x1 - x0}x{y1 - y0} box"
        )
    if locale != fit.locale:
        raise ValueError(f"text was fitted for {fit.locale.code}, drawn for {locale.code}")
    if align not in ("start", "center", "end"):
        raise ValueError(f"align {align!r} is not start, center or end")
    if len(color_rgb) != 3 or not all(isinstance(c, int) and 0 <= c <= 255 for c in color_rgb):
        raise ValueError(f"colour {color_rgb!r} is not an (r, g, b) triple of 0-255 ints")
    if align == "center":
        side = "center"
    else:
        side = "left" if (align == "start") != locale.rtl else "right"

    free = (y1 - y0) - fit.height
    top = y0 + {"top": 0, "middle": free // 2, "bottom": free}[valign]
    shaped = fit._shaped or tuple(
        _shape_line(ln, fit.stack, fit.size_px, locale, fit.direction) for ln in fit.lines
    )
    # The ink stays inside the box by construction (widths and height are ink extents); the
    # layer still reaches two ems past it on every side so that any overhang is drawn (and
    # clipped at the canvas edge) exactly as on a canvas-sized layer.
    margin = 2 * fit.size_px + 2
    rx0, ry0 = max(0, x0 - margin), max(0, y0 - margin)
    rx1, ry1 = min(canvas.width, x1 + margin), min(canvas.height, y1 + margin)
    layer = Image.new("L", (rx1 - rx0, ry1 - ry0), 0)
    draw = ImageDraw.Draw(layer)
    for i, line in enumerate(shaped):
        baseline = top + fit.ascent + round(fit.line_pitch * i)
        if side == "left":
            origin = x0 - line.left
        elif side == "right":
            origin = x1 - line.right
        else:
            origin = (x0 + x1) / 2 - (line.left + line.right) / 2
        for run in line.runs:
            draw.text(
                (origin + run.x - rx0, baseline - ry0),
                run.text,
                font=fit.stack.font(run.font_index, fit.size_px),
                fill=255,
                anchor="ls",
                direction=run.direction,
                language=locale.code,
            )
    ink = layer.getbbox()
    if ink is not None:
        fill = color_rgb if canvas.mode == "RGB" else (*color_rgb, 255)
        canvas.paste(fill, (ink[0] + rx0, ink[1] + ry0, ink[2] + rx0, ink[3] + ry0), layer.crop(ink))
    return (rx0, ry0, rx1, ry1), to_array(layer)[..., 0] > 0

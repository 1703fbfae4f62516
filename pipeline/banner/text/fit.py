"""Copy fitted to a box (the largest size at which it wraps into it) and drawn there.

`fit_text` searches the font size (then a shorter alternative, then hyphenation, when the copy
does not fit); `draw_fit` / `draw_fit_into` draw what it fitted, glyph pixels in exactly the
given colour, and return the glyph mask the checks read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from pipeline.banner.text.bidi import base_direction
from pipeline.banner.text.fonts import FontStack
from pipeline.banner.text.hyphens import can_hyphenate, hyphen_pieces
from pipeline.banner.text.lines import Shape, ShapedLine, measurer, shape_line, too_wide, wrap_text
from pipeline.errors import InputError, shown
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import to_array
from pipeline.model.locales import LocaleInfo

__all__ = ["Align", "VAlign", "TextFit", "fit_text", "draw_fit", "draw_fit_into"]

Align = Literal["start", "center", "end"]

VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class TextFit:
    """Copy laid out at one size: what `draw_fit` draws. Widths and height are ink extents."""

    size_px: int
    lines: tuple[str, ...]  # as drawn: a line broken inside a word ends with its hyphen
    line_widths: tuple[int, ...]
    height: int  # from the first line's ink top to the last line's ink bottom
    ascent: int  # from the block's top to the first baseline
    line_pitch: float  # baseline to baseline
    direction: str  # paragraph direction the lines were shaped with ("ltr" | "rtl")
    stack: FontStack = field(repr=False)
    locale: LocaleInfo = field(repr=False)
    _shaped: tuple[ShapedLine, ...] = field(repr=False, compare=False, default=())
    text: str = ""  # the copy fitted: the text asked for, or the shorter alternative that fitted

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
    text: str = "",
) -> TextFit:
    shaped = tuple(shape_line(line, stack, size, locale, direction) for line in lines)
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
        text=text,
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
    shorter: Sequence[str] = (),
) -> TextFit | None:
    """The largest size in [min_px, max_px] at which the wrapped copy fits the box, or None.

    Binary search over integer sizes (wrapping makes fit almost, not strictly, monotonic in size;
    the search returns a size that fits). At that size the words are then arranged on the same
    number of lines so that the last line does not hold one word alone when avoidable; `balance`
    also evens out the line lengths (headlines).

    When the copy does not fit at `min_px`, the `shorter` alternatives are tried in order (blank
    ones are skipped: a brief without per-format copy) and the first that fits is returned
    (`TextFit.text` says which). Only when none fits whole are words hyphenated: a word wider than
    the box at `min_px` may then break at its hyphenation points (Latin, Cyrillic and Greek
    scripts with a pyphen dictionary; `hyphens`), the copy first, then each alternative.
    Raises MissingGlyphError when no font covers a character.
    """
    candidates = (text, *(s for s in shorter if s.strip()))
    if not text.strip():
        raise InputError(f"cannot fit empty text {shown(text)}")
    if box_w < 1 or box_h < 1:
        raise ValueError(f"text box {box_w}x{box_h} px is empty")
    if min_px < 1 or max_px < min_px:
        raise ValueError(f"font size range {min_px}-{max_px} px is invalid")
    if max_lines < 1:
        raise ValueError(f"max_lines {max_lines} is below 1")
    if line_spacing <= 0:
        raise ValueError(f"line_spacing {line_spacing} is not positive")
    for candidate in candidates:
        stack.split_runs(candidate)  # coverage first: a missing glyph is an error, not a "does not fit"
    for hyphenate in (False, True):
        for candidate in candidates:
            fit = _fit_cached(
                candidate, stack, box_w, box_h, max_px, min_px, locale, max_lines, line_spacing, balance, hyphenate
            )
            if fit is not None:
                return fit
    return None


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
    hyphenate: bool = False,
) -> TextFit | None:
    """One candidate of `fit_text` after validation, memoised: a TextFit is immutable and depends
    on nothing but these arguments (fonts are files read once), so a campaign repeating copy,
    boxes and locales across formats and variants fits each block once per process.
    `hyphenate`: words wider than the box at `min_px` may break (None when there is none)."""
    direction = base_direction(text, locale)
    breakable: frozenset[str] = frozenset()
    if hyphenate:
        if can_hyphenate(locale):
            wide = too_wide(text, stack, min_px, box_w, locale)
            breakable = frozenset(w for w in wide if len(hyphen_pieces(w, locale)) > 1)
        if not breakable:
            return None  # nothing to hyphenate: the plain search already failed

    def attempt(size: int, shape: Shape = "greedy") -> TextFit | None:
        measure = measurer(stack, size, locale, direction)
        lines = wrap_text(text, stack, size, box_w, locale, measure=measure, shape=shape, hyphenate=breakable)
        if lines is None or not lines or len(lines) > max_lines:
            return None
        fit = _layout(lines, stack, size, locale, line_spacing, direction, text)
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
    if len(best.lines) == 1:
        return best
    # The size is found with greedy lines (the fewest); the words are then arranged at that size.
    # Other lines can change the ink height (a descender moved to the last line): then up to a
    # tenth smaller, since a slightly smaller headline reads better than one ending on one word.
    shape: Shape = "balanced" if balance else "no_orphan"
    for size in range(best.size_px, max(min_px, math.floor(best.size_px * 0.9)) - 1, -1):
        arranged = attempt(size, shape)
        if arranged is not None:
            return arranged
    return best


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
        raise ValueError(f"text fitted to {fit.width}x{fit.height} px does not fit the {x1 - x0}x{y1 - y0} box")
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
    shaped = fit._shaped or tuple(shape_line(ln, fit.stack, fit.size_px, locale, fit.direction) for ln in fit.lines)
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
        origin: float
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

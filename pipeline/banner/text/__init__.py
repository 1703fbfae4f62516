"""Typography that is right in every script: font fallback, shaping, bidi, line breaking, fitting.

Pillow draws one font per call and has no fallback, and draws any text it is given in one
direction. Here, in reading order:

- `fonts`: a `FontStack` (brand font, then its fallbacks) cuts text into runs by glyph coverage;
  a character no font has is a `MissingGlyphError`, never a box.
- `bidi`: the paragraph direction, and the Unicode bidi levels that order a line mixing fonts.
- `lines`: one line shaped by raqm (HarfBuzz + FriBiDi) with the locale's direction and
  language; copy broken into lines at spaces, or BudouX phrases for Japanese and Chinese, with no
  word alone on the last line when avoidable.
- `hyphens`: where a word too wide for its box may break (pyphen dictionaries, alphabetic
  scripts only), and the hyphen drawn there.
- `fit`: the largest size at which the copy fits its box (else its shorter alternative, else
  hyphenated), and drawing it there.
"""

from __future__ import annotations

from pipeline.banner.text.bidi import base_direction, bidi_levels
from pipeline.banner.text.fit import Align, TextFit, VAlign, draw_fit, draw_fit_into, fit_text
from pipeline.banner.text.fonts import FontStack, MissingGlyphError, text_covered
from pipeline.banner.text.lines import split_units, wrap_text

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

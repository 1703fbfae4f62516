"""Fonts in fallback order, and which font draws which character.

Pillow draws one font per call and has no fallback: a character the font lacks becomes a box
(.notdef). So text is cut into runs by glyph coverage over a `FontStack` (brand font first, then
the brand's fallbacks), read from the fonts' character maps with HarfBuzz, and each run is drawn
with its own font. A character no font covers is a `MissingGlyphError`, never a box.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import uharfbuzz as hb
from PIL import ImageFont, features

from pipeline.errors import FontError, MissingGlyphError

if TYPE_CHECKING:
    from pipeline.model.brand import BrandGuide

__all__ = ["FontStack", "MissingGlyphError", "text_covered"]


@lru_cache(maxsize=64)
def _unicodes(path: str, face_index: int) -> frozenset[int]:
    """The characters a font face maps (its cmap), read once per face: coverage decides fonts."""
    blob = hb.Blob.from_file_path(path)
    count = hb.Face(blob).count  # faces in the file: several in a .ttc collection
    if count == 0:
        raise FontError(f"{path} is not a font file HarfBuzz can read (TrueType/OpenType)")
    if face_index >= count:
        raise FontError(f"font {path} has {count} face(s); face_index {face_index} does not exist")
    unicodes = frozenset(hb.Face(blob, face_index).unicodes)
    if not unicodes:
        raise FontError(f"font {path} face {face_index} maps no characters")
    return unicodes


@lru_cache(maxsize=512)
def _pil_font(path: str, face_index: int, size: int) -> ImageFont.FreeTypeFont:
    """The Pillow font with raqm layout; without raqm, complex scripts would be drawn unshaped."""
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
    return unicodedata.category(char) == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or char == "\n"


def _sticky(char: str) -> bool:
    """Spaces, punctuation, digits, symbols and marks belong to no script of their own: they stay
    in the surrounding run when its font has them, so a run is not cut at every space or comma."""
    return unicodedata.category(char)[0] in "ZPNSMC"


class FontStack:
    """Fonts in fallback order: `fonts[0]` is the brand font, later ones fill its gaps."""

    def __init__(self, fonts: Sequence[tuple[Path | str, int]]) -> None:
        """`fonts`: (file, face index) pairs. A file that is missing or not a font, or a face it
        does not have, is a `FontError` naming it: fonts come from the brand guide."""
        if not fonts:
            raise ValueError("a font stack needs at least one font")
        resolved: list[tuple[Path, int]] = []
        for path, face in fonts:
            p = Path(path)
            if not p.is_file():
                raise FontError(f"font file not found: {p}")
            if face < 0:
                raise FontError(f"font {p}: face_index {face} is negative")
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
        for ch, f in zip(text, fonts, strict=True):
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

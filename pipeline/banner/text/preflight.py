"""Can the copy fit the formats at all? Asked when a brief loads, so that nobody learns it from
a run where every variant of a format was blocked with an empty headline slot.

Each format's box for the role is planned as a run plans it (`plan_layout`), and the copy is
fitted there at the format's smallest text size, as `fit_text` fits it in a run: whole, then
its short alternative, then hyphenated. Only the answer is kept; nothing is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.banner.layout import plan_layout
from pipeline.banner.text.fit import fit_text
from pipeline.banner.text.fonts import FontStack
from pipeline.banner.text.lines import too_wide
from pipeline.errors import LayoutError
from pipeline.model.brand import BrandGuide
from pipeline.model.locales import LocaleInfo

__all__ = ["TextBox", "text_boxes", "formats_without_fit", "words_too_wide"]

#: Lines a headline or subline may take (what `compose_banner` allows them).
MAX_LINES = 3

Role = Literal["headline", "subline"]


@dataclass(frozen=True)
class TextBox:
    """Where a role's copy goes in one format: its box and the format's smallest text size."""

    format_id: str
    width: int
    height: int
    min_px: int


def text_boxes(
    brand: BrandGuide, format_ids: Sequence[str], locale: LocaleInfo, role: Role, logo_aspect: float
) -> list[TextBox]:
    """The `role` box of each format, in order; a format that leaves the role out is not listed,
    nor one that cannot be laid out at all (a run reports that itself, as a `LayoutError`)."""
    boxes: list[TextBox] = []
    for format_id in format_ids:
        fmt = brand.format_by_id[format_id]
        try:
            layout = plan_layout(
                fmt,
                locale,
                logo_aspect=logo_aspect,
                logo_min_width=brand.logo.min_width_px,
                clear_space=brand.logo.clear_space,
            )
        except LayoutError:
            continue
        box = layout.headline if role == "headline" else layout.subline
        if box is None or role in layout.omits:
            continue
        x0, y0, x1, y1 = box
        boxes.append(TextBox(format_id, x1 - x0, y1 - y0, fmt.min_text_px))
    return boxes


def formats_without_fit(
    renderings: Sequence[Sequence[str]], stack: FontStack, boxes: Sequence[TextBox], locale: LocaleInfo
) -> list[str]:
    """Ids of the boxes' formats where some rendering of the copy fits in no form. A rendering is
    the copy as one variant draws it (a plural form filled in) followed by its shorter
    alternative, if any."""
    unfit: list[str] = []
    for box in boxes:
        for text, *shorter in renderings:
            fit = fit_text(
                text,
                stack,
                box.width,
                box.height,
                max_px=box.min_px,
                min_px=box.min_px,
                locale=locale,
                max_lines=MAX_LINES,
                shorter=shorter,
            )
            if fit is None:
                unfit.append(box.format_id)
                break
    return unfit


def words_too_wide(text: str, stack: FontStack, boxes: Sequence[TextBox], locale: LocaleInfo) -> list[str]:
    """The words of `text` wider than every one of `boxes` at its smallest size, even hyphenated
    (a word that cannot break is as wide as it is), longest first."""
    wide: set[str] | None = None
    for box in boxes:
        here = {w for w in too_wide(text, stack, box.min_px, box.width, locale) if _unbreakable(w, stack, box, locale)}
        wide = here if wide is None else wide & here
    return sorted(wide or (), key=len, reverse=True)


def _unbreakable(word: str, stack: FontStack, box: TextBox, locale: LocaleInfo) -> bool:
    return (
        fit_text(word, stack, box.width, 1 << 16, max_px=box.min_px, min_px=box.min_px, locale=locale, max_lines=64)
        is None
    )

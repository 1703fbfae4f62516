"""Where everything goes on a banner, per channel format.

A format falls into an aspect family (square, portrait, tall story, wide hero), each with its own
template drawn inside the format's safe zone. The plan is checked before it is returned:

- every text and logo box lies inside the safe zone (platform chrome covers the rest);
- the logo is at least its minimum width, and no other box (the product included) enters the
  logo's clear space (`clear_space` x logo height on every side);
- the product box overlaps no text or logo box: product pixels are never drawn over.

Right-to-left locales get the same template mirrored horizontally (logo and copy start at the
right). A format the template cannot serve raises `LayoutError` naming the format and the rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pipeline.errors import LayoutError
from pipeline.imaging.geometry import Box
from pipeline.model.brand import ChannelFormat
from pipeline.model.locales import LocaleInfo

__all__ = ["Box", "Layout", "plan_layout", "aspect_family", "overlaps", "inside", "expand", "mirror"]


@dataclass(frozen=True)
class Layout:
    canvas: tuple[int, int]
    product: Box
    headline: Box
    subline: Box | None
    price: Box
    cta: Box
    logo: Box
    legal: Box | None
    rtl: bool
    family: str
    omits: tuple[str, ...] = ()  # blocks the format leaves out by design (ChannelFormat.blocks)

    def overlay_boxes(self) -> dict[str, Box]:
        """Every box something is drawn into (text and logo), by role."""
        roles = ("headline", "subline", "price", "cta", "logo", "legal")
        return {r: b for r in roles if (b := getattr(self, r)) is not None}


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, outer: Box) -> bool:
    return outer[0] <= a[0] < a[2] <= outer[2] and outer[1] <= a[1] < a[3] <= outer[3]


def expand(box: Box, px: int) -> Box:
    return box[0] - px, box[1] - px, box[2] + px, box[3] + px


def mirror(box: Box, width: int) -> Box:
    return width - box[2], box[1], width - box[0], box[3]


def aspect_family(fmt: ChannelFormat) -> str:
    """square (about 1:1), portrait (4:5), tall (9:16 stories), wide (web heroes, 1.91:1 links),
    flat (display banners 4:1 and flatter, e.g. the 728x90 leaderboard) or small (display units
    under 600 px on both sides, e.g. the 300x250 medium rectangle)."""
    a = fmt.aspect
    if a >= 4:
        return "flat"
    if max(fmt.width, fmt.height) < 600 and a >= 0.9:
        return "small"
    if a >= 1.5:
        return "wide"
    if a >= 0.9:
        return "square"
    if a >= 0.65:
        return "portrait"
    return "tall"


def plan_layout(
    fmt: ChannelFormat,
    locale: LocaleInfo,
    *,
    logo_aspect: float,
    logo_min_width: int,
    clear_space: float,
) -> Layout:
    """The banner's boxes for a format and locale; `LayoutError` when the format cannot hold them
    or a brand value (logo aspect, minimum width, clear space) makes no layout possible."""
    if not (logo_aspect > 0 and math.isfinite(logo_aspect)):
        raise LayoutError(f"logo aspect {logo_aspect} is not a positive number")
    if logo_min_width < 1:
        raise LayoutError(f"logo minimum width {logo_min_width} px is below 1")
    if not 0 <= clear_space <= 2:
        raise LayoutError(f"logo clear space {clear_space} is outside 0-2 (fraction of its height)")
    family = aspect_family(fmt)
    g = _Grid(fmt, family, logo_aspect, logo_min_width, clear_space)
    omits = tuple(b for b in ("subline", "legal") if b not in fmt.blocks)
    layout = _TEMPLATES[family](g)  # every block, left to right
    layout = replace(
        layout,
        subline=None if "subline" in omits else layout.subline,
        legal=None if "legal" in omits else layout.legal,
        omits=omits,
    )
    if locale.rtl:
        layout = _mirrored(layout)
    _check(layout, fmt, g.clear, logo_min_width)
    return layout


def _mirrored(layout: Layout) -> Layout:
    """The same layout reflected left to right (right-to-left locales start at the right)."""
    width = layout.canvas[0]

    def flip(box: Box | None) -> Box | None:
        return None if box is None else mirror(box, width)

    return replace(
        layout,
        rtl=True,
        product=mirror(layout.product, width),
        headline=mirror(layout.headline, width),
        subline=flip(layout.subline),
        price=mirror(layout.price, width),
        cta=mirror(layout.cta, width),
        logo=mirror(layout.logo, width),
        legal=flip(layout.legal),
    )


class _Grid:
    """Safe-area geometry shared by the templates; `gap` is the rhythm unit between blocks."""

    def __init__(self, fmt: ChannelFormat, family: str, logo_aspect: float, logo_min_width: int, clear: float) -> None:
        sz = fmt.safe_zone
        self.fmt = fmt
        self.family = family
        self.W, self.H = fmt.width, fmt.height
        self.x0, self.y0 = sz.left, sz.top
        self.x1, self.y1 = fmt.width - sz.right, fmt.height - sz.bottom
        self.sw, self.sh = self.x1 - self.x0, self.y1 - self.y0
        self.gap = max(8, round((0.03 if family == "wide" else 0.025) * min(self.W, self.H)))
        share = {"square": 0.2, "portrait": 0.2, "tall": 0.24, "wide": 0.1, "flat": 0.12, "small": 0.28}[family]
        self.logo_w = max(logo_min_width, round(share * self.W))
        self.logo_h = max(1, round(self.logo_w / logo_aspect))
        self.clear = math.ceil(clear * self.logo_h)
        # legal: up to two lines at the format's smallest text size, with room for descenders
        self.legal_h = math.ceil(fmt.min_text_px * 2.6)
        if self.logo_w > self.sw:
            raise LayoutError(
                f"format {fmt.id!r}: the logo's minimum width {logo_min_width} px does not fit "
                f"the {self.sw} px wide safe area"
            )

    def layout(
        self, product: Box, headline: Box, subline: Box | None, price: Box, cta: Box, legal: Box | None
    ) -> Layout:
        """A template's boxes, the logo at the start corner, as a left-to-right layout of every
        block (`plan_layout` drops what the format leaves out and mirrors it for rtl locales)."""
        return Layout(
            self.fmt.size, product, headline, subline, price, cta, self.logo(), legal, rtl=False, family=self.family
        )

    def logo(self) -> Box:
        return self.x0, self.y0, self.x0 + self.logo_w, self.y0 + self.logo_h

    def below_logo(self) -> int:
        return self.y0 + self.logo_h + max(self.clear, self.gap // 2) + self.gap

    def legal(self) -> Box:
        return self.x0, self.y1 - self.legal_h, self.x1, self.y1


def _square(g: _Grid) -> Layout:
    """Logo and a full-width headline on top; the product on the right; subline, price and CTA
    stacked in the left column; legal along the bottom."""
    top = g.below_logo()
    headline = (g.x0, top, g.x1, top + round(0.2 * g.sh))
    legal = g.legal()
    col_w = round(0.42 * g.sw)
    body_top = headline[3] + g.gap
    body_bottom = legal[1] - g.gap
    product = (g.x0 + col_w + 2 * g.gap, body_top, g.x1, body_bottom)
    cta_h = round(0.085 * g.sh)
    cta = (g.x0, body_bottom - cta_h, g.x0 + col_w, body_bottom)
    price_h = round(0.2 * g.sh)
    price = (g.x0, cta[1] - g.gap - price_h, g.x0 + col_w, cta[1] - g.gap)
    subline = (g.x0, body_top, g.x0 + col_w, max(body_top + 1, min(body_top + round(0.16 * g.sh), price[1] - g.gap)))
    return g.layout(product, headline, subline, price, cta, legal)


def _stacked(g: _Grid, headline_h: float, subline_h: float, cta_h: float) -> Layout:
    """Logo, headline and subline on top; the product large in the middle; price and CTA side by
    side below it; legal along the bottom. Heights are shares of the safe area's height."""
    top = g.below_logo()
    headline = (g.x0, top, g.x1, top + round(headline_h * g.sh))
    subline = (g.x0, headline[3] + g.gap, g.x1, headline[3] + g.gap + round(subline_h * g.sh))
    legal = g.legal()
    row_h = round(0.12 * g.sh)
    row = (legal[1] - g.gap - row_h, legal[1] - g.gap)
    half = (g.sw - g.gap) // 2
    price = (g.x0, row[0], g.x0 + half, row[1])
    cta_px = round(cta_h * g.sh)
    cta = (g.x1 - half, row[1] - cta_px, g.x1, row[1])
    product = (g.x0, subline[3] + g.gap, g.x1, row[0] - g.gap)
    return g.layout(product, headline, subline, price, cta, legal)


def _portrait(g: _Grid) -> Layout:
    """Feed 4:5: the stacked template."""
    return _stacked(g, headline_h=0.16, subline_h=0.06, cta_h=0.075)


def _tall(g: _Grid) -> Layout:
    """Stories: the stacked template inside the tall safe area (app chrome covers the rest)."""
    return _stacked(g, headline_h=0.17, subline_h=0.065, cta_h=0.07)


def _wide(g: _Grid) -> Layout:
    """Web heroes: copy column on the start side, the product filling the other side."""
    col_w = round(0.5 * g.sw)
    cx1 = g.x0 + col_w
    top = g.below_logo()
    legal = (g.x0, g.y1 - g.legal_h, cx1, g.y1)
    row_h = round(0.2 * g.sh)
    row = (legal[1] - g.gap - row_h, legal[1] - g.gap)
    price = (g.x0, row[0], g.x0 + round(0.5 * col_w), row[1])
    cta_h = round(0.15 * g.sh)
    cta = (price[2] + 2 * g.gap, row[1] - cta_h, cx1, row[1])
    avail = row[0] - g.gap - top
    headline = (g.x0, top, cx1, top + round(0.72 * avail))
    subline = (g.x0, headline[3] + g.gap, cx1, row[0] - g.gap)
    product = (cx1 + 3 * g.gap, g.y0, g.x1, g.y1)
    return g.layout(product, headline, subline, price, cta, legal)


def _flat(g: _Grid) -> Layout:
    """Leaderboards (728x90): one row. Logo at the start, then the product, the headline, the
    price and the CTA at the end; the legal line (one line at the smallest size) runs along the
    bottom under logo, product and headline. No subline."""
    legal_h = math.ceil(g.fmt.min_text_px * 1.5)
    legal_top = g.y1 - legal_h
    body_bottom = legal_top - max(4, g.gap // 2)
    logo = g.logo()
    px0 = logo[2] + max(g.clear, g.gap) + g.gap
    product = (px0, g.y0, px0 + round(0.15 * g.sw), body_bottom)
    cta_w = round(0.17 * g.sw)
    cta_h = round(0.5 * g.sh)
    cy = g.y0 + (g.sh - cta_h) // 2
    cta = (g.x1 - cta_w, cy, g.x1, cy + cta_h)
    price = (cta[0] - g.gap - round(0.17 * g.sw), g.y0, cta[0] - g.gap, g.y1)
    headline = (product[2] + g.gap, g.y0, price[0] - g.gap, body_bottom)
    legal = (g.x0, legal_top, price[0] - g.gap, g.y1)
    return g.layout(product, headline, None, price, cta, legal)


def _small(g: _Grid) -> Layout:
    """Medium rectangles (300x250): logo, headline, price and CTA stacked in the start column;
    the product filling the other column; a legal line along the bottom. No subline."""
    legal = g.legal()
    col_w = round(0.5 * g.sw)
    top = g.below_logo()
    bottom = legal[1] - g.gap
    avail = bottom - top
    headline = (g.x0, top, g.x0 + col_w, top + round(0.42 * avail))
    cta = (g.x0, bottom - round(0.2 * avail), g.x0 + col_w, bottom)
    price = (g.x0, headline[3] + g.gap, g.x0 + col_w, cta[1] - g.gap)
    product = (g.x0 + col_w + 2 * g.gap, g.y0, g.x1, bottom)
    if overlaps(product, expand(g.logo(), g.clear)):
        product = (product[0], top, product[2], product[3])
    return g.layout(product, headline, None, price, cta, legal)


_TEMPLATES = {"square": _square, "portrait": _portrait, "tall": _tall, "wide": _wide, "flat": _flat, "small": _small}


def _check(layout: Layout, fmt: ChannelFormat, clear: int, logo_min_width: int) -> None:
    sz = fmt.safe_zone
    safe = (sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom)
    canvas = (0, 0, fmt.width, fmt.height)

    def fail(rule: str) -> None:
        raise LayoutError(f"format {fmt.id!r} ({fmt.width}x{fmt.height}, {layout.family}): {rule}")

    if not inside(layout.product, canvas):
        fail(f"product box {layout.product} is empty or outside the canvas")
    boxes = layout.overlay_boxes()
    for role, box in boxes.items():
        if not inside(box, safe):
            fail(f"{role} box {box} is empty or outside the safe zone {safe}")
        if overlaps(box, layout.product):
            fail(f"{role} box {box} overlaps the product box {layout.product}")
    roles = list(boxes)
    for i, a in enumerate(roles):
        for b in roles[i + 1 :]:
            if overlaps(boxes[a], boxes[b]):
                fail(f"{a} box {boxes[a]} overlaps {b} box {boxes[b]}")
    logo = layout.logo
    if logo[2] - logo[0] < logo_min_width:
        fail(f"logo box is {logo[2] - logo[0]} px wide, below the minimum {logo_min_width} px")
    keep_out = expand(logo, clear)
    for role, box in {**boxes, "product": layout.product}.items():
        if role != "logo" and overlaps(box, keep_out):
            fail(f"{role} box {box} enters the logo's clear space {keep_out}")

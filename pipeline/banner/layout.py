"""Where everything goes on a banner, per channel format.

A format falls into an aspect family (square, portrait, tall story, wide hero, flat leaderboard,
small display unit), each with its own template drawn inside the format's safe zone. Sizes come
from the family's type scale (`type_scale`): the vertical gap between blocks is its rhythm unit,
so headline and subline sit the same share of the type size apart in every format.

The logo is reserved at the size it is drawn: the family's share of the canvas (formats.yaml
`families`), never narrower than the brand's minimum width, its height the width over the logo's
aspect rounded to whole pixels. `compose_banner` draws it at exactly that box, and the logo check
measures it there.

When a template has no room for a block at the format's smallest text size (a tall logo, a small
canvas), the family's `drop_order` says what is left out first (only the headline and subline can
be); the price, the CTA, the logo and the legal line are never dropped: a format that cannot hold
them raises `LayoutError` naming the format, the block and the room it lacks. `explain_omits`
states why each left-out block is missing.

The plan is checked before it is returned:

- every text and logo box lies inside the safe zone (platform chrome covers the rest);
- the logo is at least its minimum width, and no other box (the product included) enters the
  logo's clear space (`clear_space` x logo height on every side);
- the product box overlaps no text or logo box: product pixels are never drawn over.

Right-to-left locales get the same template mirrored horizontally (logo and copy start at the
right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pipeline.errors import LayoutError
from pipeline.imaging.geometry import Box
from pipeline.model.formats import family_of, family_rules

if TYPE_CHECKING:
    from pipeline.model.brand import ChannelFormat
    from pipeline.model.locales import LocaleInfo

__all__ = [
    "Box",
    "Layout",
    "TypeScale",
    "type_scale",
    "badge_row_height",
    "plan_layout",
    "plan_layout_explained",
    "explain_omits",
    "aspect_family",
    "overlaps",
    "inside",
    "expand",
    "mirror",
]


@dataclass(frozen=True)
class Layout:
    canvas: tuple[int, int]
    product: Box
    headline: Box  # empty (x0 == x1) when the headline is left out ("headline" in omits)
    subline: Box | None
    price: Box
    cta: Box
    logo: Box  # the size the logo is drawn at
    legal: Box | None
    rtl: bool
    family: str
    omits: tuple[str, ...] = ()  # blocks left out: by the format (ChannelFormat.blocks) or its family's drop_order

    def overlay_boxes(self) -> dict[str, Box]:
        """Every box something is drawn into (text and logo), by role."""
        roles = ("headline", "subline", "price", "cta", "logo", "legal")
        return {r: b for r in roles if (b := getattr(self, r)) is not None and r not in self.omits}


@dataclass(frozen=True)
class TypeScale:
    """Text sizes (px) of one format: the largest each block is drawn at (copy that does not fit
    is drawn smaller, down to the format's smallest text size)."""

    headline: int
    subline: int
    price: int
    prior: int
    badge: int
    cta: int
    legal: int

    @property
    def rhythm(self) -> int:
        """The vertical unit between blocks: 0.8 x the subline size, the same share in every format
        (headline ink to subline ink, logo to headline, copy to product, price row to legal line)."""
        return max(4, round(0.8 * self.subline))


def type_scale(family: str, canvas: tuple[int, int], min_px: int) -> TypeScale:
    """The type scale of a format: sizes proportional to the canvas (its height for wide and flat
    formats, its width otherwise), never below `min_px`."""
    w, h = canvas
    unit = {"wide": h / 600, "flat": h / 90, "small": w / 300}.get(family, w / 1080)
    head = {"square": 84, "portrait": 84, "tall": 96, "wide": 68, "flat": 24, "small": 22}[family]

    def px(v: float) -> int:
        return max(min_px, round(v * unit))

    if family in ("flat", "small"):  # display units: figures and the button read first
        return TypeScale(
            headline=px(head),
            subline=px(0.5 * head),
            price=px(1.0 * head),
            prior=px(0.5 * head),
            badge=px(0.5 * head),
            cta=px(0.6 * head),
            legal=px(0.45 * head),
        )
    return TypeScale(
        headline=px(head),
        subline=px(0.42 * head),
        price=px(0.9 * head),
        prior=px(0.36 * head),
        badge=px(0.34 * head),
        cta=px(0.36 * head),
        legal=px(0.29 * head) if family != "wide" else px(0.34 * head),
    )


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, outer: Box) -> bool:
    return outer[0] <= a[0] < a[2] <= outer[2] and outer[1] <= a[1] < a[3] <= outer[3]


def expand(box: Box, px: int) -> Box:
    return box[0] - px, box[1] - px, box[2] + px, box[3] + px


def mirror(box: Box, width: int) -> Box:
    return width - box[2], box[1], width - box[0], box[3]


def aspect_family(fmt: ChannelFormat) -> str:
    """The format's layout family (`pipeline.model.formats.family_of`)."""
    return family_of(fmt.width, fmt.height)


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
    return plan_layout_explained(
        fmt, locale, logo_aspect=logo_aspect, logo_min_width=logo_min_width, clear_space=clear_space
    )[0]


def plan_layout_explained(
    fmt: ChannelFormat,
    locale: LocaleInfo,
    *,
    logo_aspect: float,
    logo_min_width: int,
    clear_space: float,
) -> tuple[Layout, dict[str, str]]:
    """`plan_layout` and, for each block it leaves out, the reason (see `explain_omits`)."""
    if not (logo_aspect > 0 and math.isfinite(logo_aspect)):
        raise LayoutError(f"logo aspect {logo_aspect} is not a positive number")
    if logo_min_width < 1:
        raise LayoutError(f"logo minimum width {logo_min_width} px is below 1")
    if not 0 <= clear_space <= 2:
        raise LayoutError(f"logo clear space {clear_space} is outside 0-2 (fraction of its height)")
    family = family_of(fmt.width, fmt.height)
    order = family_rules(family).drop_order
    reasons = {b: "the format does not carry it (its `blocks`)" for b in ("subline", "legal") if b not in fmt.blocks}
    while True:
        g = _Grid(fmt, family, logo_aspect, logo_min_width, clear_space, frozenset(reasons))
        layout = _TEMPLATES[family](g)
        if g.short is None:
            break
        drop = next((b for b in order if b not in reasons), None)
        if drop is None:
            raise LayoutError(f"format {fmt.id!r} ({fmt.width}x{fmt.height}, {family}): {g.short}")
        reasons[drop] = f"left out first by the {family} layout (drop_order: {', '.join(order)}): {g.short}"
    omits = tuple(b for b in ("headline", "subline", "legal") if b in reasons)
    layout = replace(
        layout,
        headline=(layout.headline[0], layout.headline[1]) * 2 if "headline" in omits else layout.headline,
        subline=None if "subline" in omits else layout.subline,
        legal=None if "legal" in omits else layout.legal,
        omits=omits,
    )
    if locale.rtl:
        layout = _mirrored(layout)
    _check(layout, fmt, g.clear, logo_min_width)
    return layout, {b: reasons[b] for b in omits}


def explain_omits(fmt: ChannelFormat, *, logo_aspect: float, logo_min_width: int, clear_space: float) -> dict[str, str]:
    """Why the format's layout leaves each block out, by block (empty when it carries them all):
    the format's `blocks`, or its family's `drop_order` with the room the block lacked."""
    from pipeline.model.locales import locale_info  # any left-to-right locale: mirroring drops nothing

    return plan_layout_explained(
        fmt, locale_info("en-US"), logo_aspect=logo_aspect, logo_min_width=logo_min_width, clear_space=clear_space
    )[1]


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


def _line(px: int) -> int:
    """Height of one line of ink at `px` (ascenders to descenders)."""
    return math.ceil(1.3 * px)


def badge_row_height(min_px: int) -> int:
    """The least height of the price block's top row (discount badge, struck prior price): the ink
    of a figure at the smallest text size (under one em) inside the badge's padding (18 % of the
    row above and below)."""
    return math.ceil(min_px / 0.64)


class _Grid:
    """Safe-area geometry, type scale and minimum sizes shared by the templates; `u` is the
    rhythm unit between blocks."""

    def __init__(
        self,
        fmt: ChannelFormat,
        family: str,
        logo_aspect: float,
        logo_min_width: int,
        clear: float,
        omits: frozenset[str],
    ) -> None:
        sz = fmt.safe_zone
        self.fmt, self.family, self.omits = fmt, family, omits
        self.short: str | None = None  # the first block without the room it needs (`need`)
        self.W, self.H = fmt.width, fmt.height
        self.x0, self.y0 = sz.left, sz.top
        self.x1, self.y1 = fmt.width - sz.right, fmt.height - sz.bottom
        self.sw, self.sh = self.x1 - self.x0, self.y1 - self.y0
        min_px = fmt.min_text_px
        self.scale = s = type_scale(family, fmt.size, min_px)
        self.u = s.rhythm
        rules = family_rules(family)
        design = min(rules.logo_width * self.W, rules.logo_height * self.sh * logo_aspect)
        self.logo_w = max(logo_min_width, round(design))
        self.logo_h = max(1, round(self.logo_w / logo_aspect))
        self.clear = math.ceil(clear * self.logo_h)
        where = f"format {fmt.id!r} ({fmt.width}x{fmt.height}, {family})"
        drawn = f"the logo at its minimum width {logo_min_width} px is {self.logo_w}x{self.logo_h} px"
        if self.logo_w > self.sw or self.logo_h > self.sh:
            raise LayoutError(
                f"{where}: {drawn}, larger than the {self.sw}x{self.sh} px safe area; lower logo.min_width_px "
                f"or leave the format out"
            )
        # legal: up to two lines (one on flat formats) at the format's legal size
        self.legal_h = _line(s.legal) * (1 if family == "flat" else 2)
        # the least room each block is laid out with (below it, the block is dropped or refused)
        self.min_headline = _line(max(min_px, round(0.5 * s.headline)))
        self.min_subline = _line(max(min_px, round(0.7 * s.subline)))
        # the price figure at half its size under a badge row (`compose_banner` draws one when a
        # reduction is announced) and the gap between them
        self.min_price = badge_row_height(min_px) + 4 + _line(max(min_px, round(0.5 * s.price)))
        self.min_cta = math.ceil(1.3 * min_px / 0.46)  # a label at the smallest size inside the button's padding
        self.min_product = round(0.25 * self.sh)

    def has(self, block: str) -> bool:
        return block not in self.omits

    def need(self, block: str, got: int, least: int, what: str = "tall") -> None:
        """Note the first block that gets less room than it needs (the plan is then not used)."""
        if got < least and self.short is None:
            self.short = f"the {block} gets {max(0, got)} px, it needs at least {least} px {what}"

    def layout(
        self, product: Box, headline: Box, subline: Box | None, price: Box, cta: Box, legal: Box | None, logo: Box
    ) -> Layout:
        """A template's boxes as a left-to-right layout (`plan_layout` drops what is left out and
        mirrors it for rtl locales)."""
        return Layout(self.fmt.size, product, headline, subline, price, cta, logo, legal, rtl=False, family=self.family)

    def logo(self) -> Box:
        return self.x0, self.y0, self.x0 + self.logo_w, self.y0 + self.logo_h

    def below_logo(self) -> int:
        return self.y0 + self.logo_h + max(self.clear, self.u // 2) + self.u

    def legal_bottom(self, x0: int | None = None, x1: int | None = None) -> Box | None:
        """The legal line along the bottom of the safe area (between x0 and x1), if carried."""
        if not self.has("legal"):
            return None
        return self.x0 if x0 is None else x0, self.y1 - self.legal_h, self.x1 if x1 is None else x1, self.y1


def _square(g: _Grid) -> Layout:
    """Logo and a full-width headline on top; the product on the right; subline, price and CTA
    stacked in the left column; legal along the bottom."""
    top = g.below_logo()
    headline = (g.x0, top, g.x1, top + round(0.2 * g.sh))
    legal = g.legal_bottom()
    bottom = legal[1] - g.u if legal else g.y1
    col_w = round(0.42 * g.sw)
    body_top = headline[3] + g.u
    cta_h = max(g.min_cta, round(0.085 * g.sh))
    cta = (g.x0, bottom - cta_h, g.x0 + col_w, bottom)
    room = cta[1] - g.u - body_top - ((g.min_subline + g.u) if g.has("subline") else 0)
    price_h = min(round(0.2 * g.sh), room)
    g.need("price", price_h, g.min_price)
    price = (g.x0, cta[1] - g.u - price_h, g.x0 + col_w, cta[1] - g.u)
    subline = None
    if g.has("subline"):
        subline = (g.x0, body_top, g.x0 + col_w, min(body_top + round(0.16 * g.sh), price[1] - g.u))
        g.need("subline", subline[3] - subline[1], g.min_subline)
    product = (g.x0 + col_w + 2 * g.u, body_top, g.x1, bottom)
    g.need("product", product[3] - product[1], g.min_product)
    return g.layout(product, headline, subline, price, cta, legal, g.logo())


def _stacked(g: _Grid, headline_h: float, subline_h: float, cta_h: float) -> Layout:
    """Logo, headline and subline on top; the product large in the middle; price and CTA side by
    side below it; legal along the bottom. Heights are shares of the safe area's height."""
    top = g.below_logo()
    headline = (g.x0, top, g.x1, top + round(headline_h * g.sh))
    copy_bottom = headline[3]
    subline = None
    if g.has("subline"):
        subline = (g.x0, headline[3] + g.u, g.x1, headline[3] + g.u + round(subline_h * g.sh))
        copy_bottom = subline[3]
    legal = g.legal_bottom()
    bottom = legal[1] - g.u if legal else g.y1
    row = (bottom - round(0.12 * g.sh), bottom)
    half = (g.sw - g.u) // 2
    price = (g.x0, row[0], g.x0 + half, row[1])
    cta_px = max(g.min_cta, round(cta_h * g.sh))
    cta = (g.x1 - half, row[1] - cta_px, g.x1, row[1])
    product = (g.x0, copy_bottom + g.u, g.x1, row[0] - g.u)
    g.need("product", product[3] - product[1], g.min_product)
    return g.layout(product, headline, subline, price, cta, legal, g.logo())


def _portrait(g: _Grid) -> Layout:
    """Feed 4:5: the stacked template."""
    return _stacked(g, headline_h=0.16, subline_h=0.06, cta_h=0.075)


def _tall(g: _Grid) -> Layout:
    """Stories: the stacked template inside the tall safe area (app chrome covers the rest)."""
    return _stacked(g, headline_h=0.17, subline_h=0.065, cta_h=0.07)


def _wide(g: _Grid) -> Layout:
    """Web heroes: copy column on the start side (logo, headline, subline, then price with the
    CTA after it, legal at the bottom), the product filling the other side."""
    col_w = round(0.5 * g.sw)
    cx1 = g.x0 + col_w
    top = g.below_logo()
    legal = g.legal_bottom(x1=cx1)
    bottom = legal[1] - g.u if legal else g.y1
    row = (bottom - round(0.2 * g.sh), bottom)
    price = (g.x0, row[0], g.x0 + round(0.5 * col_w), row[1])
    cta_h = max(g.min_cta, round(0.15 * g.sh))
    cta = (price[2] + g.u, row[1] - cta_h, cx1, row[1])
    avail = row[0] - g.u - top
    subline = None
    head_h = avail
    if g.has("subline"):
        head_h = min(round(0.72 * avail), avail - g.u - g.min_subline)
        subline = (g.x0, top + head_h + g.u, cx1, row[0] - g.u)
        g.need("subline", subline[3] - subline[1], g.min_subline)
    g.need("headline", head_h, g.min_headline)
    headline = (g.x0, top, cx1, top + head_h)
    product = (cx1 + 3 * g.u, g.y0, g.x1, g.y1)
    return g.layout(product, headline, subline, price, cta, legal, g.logo())


def _flat(g: _Grid) -> Layout:
    """Leaderboards (728x90): one row. The logo at the start (centred in height), the product,
    the headline, the price and the CTA at the end; the legal line (one line at the smallest
    size) runs along the bottom under headline, price and CTA. No subline."""
    cy = g.y0 + (g.sh - g.logo_h) // 2
    logo = (g.x0, cy, g.x0 + g.logo_w, cy + g.logo_h)
    px0 = logo[2] + max(g.clear, g.u) + g.u
    product = (px0, g.y0, px0 + round(0.15 * g.sw), g.y1)
    text_x0 = product[2] + g.u
    legal = g.legal_bottom(x0=text_x0)
    row_bottom = legal[1] - g.u if legal else g.y1
    row_h = row_bottom - g.y0
    cta_w = round(0.17 * g.sw)
    cta_h = min(max(g.min_cta, round(0.5 * g.sh)), row_h)
    g.need("CTA", cta_h, g.min_cta)
    cy = g.y0 + (row_h - cta_h) // 2
    cta = (g.x1 - cta_w, cy, g.x1, cy + cta_h)
    g.need("price", row_h, g.min_price)
    price = (cta[0] - g.u - round(0.17 * g.sw), g.y0, cta[0] - g.u, row_bottom)
    headline = (text_x0, g.y0, price[0] - g.u, row_bottom)
    if g.has("headline"):
        g.need("headline", headline[2] - headline[0], 4 * g.min_headline, "wide")
        g.need("headline", row_h, g.min_headline)
    g.need("product", product[2] - product[0], 1, "wide")
    if legal is not None:
        g.need("legal line", legal[2] - legal[0], 20 * g.fmt.min_text_px, "wide")
    return g.layout(product, headline, None, price, cta, legal, logo)


def _small(g: _Grid) -> Layout:
    """Medium rectangles (300x250): logo, headline, price and CTA stacked in the start column;
    the product filling the other column; a legal line along the bottom. No subline. When a tall
    logo leaves the column no room for price and CTA (the headline already left out), price and
    CTA share one row across the banner above the legal line, the product above it at the end."""
    legal = g.legal_bottom()
    col_w = round(0.5 * g.sw)
    top = g.below_logo()
    bottom = legal[1] - g.u if legal else g.y1
    avail = bottom - top
    cta_h = max(g.min_cta, round(0.2 * avail))
    head_h = round(0.38 * avail) if g.has("headline") else 0
    price_h = avail - cta_h - g.u - ((head_h + g.u) if g.has("headline") else 0)
    if price_h < g.min_price and g.has("headline"):
        head_h, price_h = head_h - (g.min_price - price_h), g.min_price
        g.need("headline", head_h, g.min_headline)
    if price_h < g.min_price:
        return _small_row(g, legal, bottom)
    headline = (g.x0, top, g.x0 + col_w, top + head_h)
    price_top = headline[3] + g.u if g.has("headline") else top
    price = (g.x0, price_top, g.x0 + col_w, price_top + price_h)
    cta = (g.x0, bottom - cta_h, g.x0 + col_w, bottom)
    product = (g.x0 + col_w + 2 * g.u, g.y0, g.x1, bottom)
    if overlaps(product, expand(g.logo(), g.clear)):  # a wide logo reaches over the product column
        product = (product[0], top, product[2], product[3])
    g.need("product", product[3] - product[1], g.min_product)
    return g.layout(product, headline, None, price, cta, legal, g.logo())


def _small_row(g: _Grid, legal: Box | None, bottom: int) -> Layout:
    """`_small` for a tall logo: the logo at the top of the start column, the product beside it,
    price and CTA side by side in one row across the banner."""
    row_h = max(g.min_price, g.min_cta)
    row = (bottom - row_h, bottom)
    logo = g.logo()
    g.need("price and CTA row", bottom - (logo[3] + max(g.clear, g.u // 2) + g.u), row_h)
    half = (g.sw - g.u) // 2
    price = (g.x0, row[0], g.x0 + half, row[1])
    cta = (g.x1 - half, row[0], g.x1, row[1])
    product = (logo[2] + max(g.clear, g.u) + g.u, g.y0, g.x1, row[0] - g.u)
    g.need("product", product[3] - product[1], g.min_product)
    g.need("product", product[2] - product[0], round(0.25 * g.sw), "wide")
    headline = (g.x0, row[0], g.x0, row[0])
    return g.layout(product, headline, None, price, cta, legal, logo)


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

"""The banner: localized copy, price block, CTA button, logo and legal line over a scene.

The scene already holds the product at `layout.product`; nothing here touches those pixels (the
layout keeps every box off the product, and `compose_banner` verifies it pixel by pixel before
returning). Overlay colours are the palette's hex values exactly; only glyph anti-aliasing and
the plates' and logo's alpha edges blend with the scene.

Copy that cannot fit (not even its short form or hyphenated: `fit_text`) is never cut or dropped
in silence: the block is left undrawn and a problem is recorded (`ComposedBanner.problems`),
which blocks the variant downstream while the image stays available for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from pipeline.banner.layout import Layout, badge_row_height, type_scale
from pipeline.banner.text import (
    Align,
    FontStack,
    MissingGlyphError,
    TextFit,
    VAlign,
    draw_fit_into,
    fit_text,
)
from pipeline.errors import InputError, shown
from pipeline.imaging.color import contrast_ratio, pixel_luminance, relative_luminance
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import open_image, to_array
from pipeline.model.brand import BrandGuide, hex_to_rgb
from pipeline.model.locales import LocaleInfo

__all__ = ["BannerCopy", "TextBlock", "ComposedBanner", "compose_banner", "contrast_of", "ROLES"]

ROLES = ("headline", "subline", "price", "prior_price", "discount", "cta", "legal")


@dataclass(frozen=True)
class BannerCopy:
    """The localized strings of one banner; prices arrive already formatted (pipeline.money)."""

    headline: str
    cta: str
    price: str
    subline: str = ""
    prior_price: str | None = None
    discount_label: str | None = None
    legal: str = ""
    headline_short: str = ""  # per-format copy: drawn where the headline itself does not fit
    subline_short: str = ""

    def __post_init__(self) -> None:
        for name in ("headline", "cta", "price"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"banner copy: {name} is required, got {shown(value)}")
        for name in ("prior_price", "discount_label"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise ValueError(f"banner copy: {name} is blank; use None for no {name}")


@dataclass(frozen=True)
class TextBlock:
    role: str
    text: str
    box: Box  # tight box of the drawn glyphs
    size_px: int
    color: str  # hex
    background: str | None  # hex of the solid plate behind it (CTA button, badge), else None
    large: bool  # WCAG large text: >= 24 px, or >= 18.5 px bold
    glyph_mask: np.ndarray  # bool, canvas-sized
    fit: TextFit | None = field(default=None, repr=False, compare=False)  # what was drawn (for OCR)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"text block role {self.role!r} is not one of {ROLES}")


@dataclass(frozen=True)
class ComposedBanner:
    image: Image.Image  # RGB
    background: Image.Image  # the scene before any overlay
    blocks: tuple[TextBlock, ...]
    logo_box: Box  # where the logo was drawn
    overlay_mask: np.ndarray  # bool: every pixel any overlay touched
    problems: tuple[str, ...]

    def block(self, role: str) -> TextBlock | None:
        return next((b for b in self.blocks if b.role == role), None)


# --------------------------------------------------------------------------- colour


def contrast_of(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.x contrast ratio of two sRGB colours (1 to 21)."""
    return float(contrast_ratio(relative_luminance(a), relative_luminance(b)))


def _worst_contrast(colour: str, lums: tuple[float, float]) -> float:
    lc = _lum(colour)
    return min(float(contrast_ratio(lc, lb)) for lb in lums)


def _scene_lums(scene: Image.Image, box: Box) -> tuple[float, float]:
    """The darkest and lightest of what text in `box` sits on (5th/95th luminance percentile),
    measured on the box's crop only (no full-scene array)."""
    lo, hi = np.percentile(pixel_luminance(to_array(scene.crop(box))), (5, 95))
    return float(lo), float(hi)


def _pick(candidates: list[str], lums: tuple[float, float], need: float | None = None) -> str:
    """The first candidate reaching `need`, else the one with the best worst-case contrast."""
    if need is not None:
        for c in candidates:
            if _worst_contrast(c, lums) >= need:
                return c
    return max(candidates, key=lambda c: _worst_contrast(c, lums))


# --------------------------------------------------------------------------- drawing helpers


class _Canvas:
    """The image being built plus what each overlay touched."""

    def __init__(self, scene: Image.Image) -> None:
        self.image = scene.copy()
        self.overlay = np.zeros((scene.height, scene.width), dtype=bool)

    def plate(self, box: Box, colour: str, radius: int) -> None:
        """A solid rounded rectangle; anti-aliased at its corners by 4x supersampling."""
        x0, y0, x1, y1 = box
        alpha, covered = _plate_alpha(x1 - x0, y1 - y0, radius)
        self.image.paste(hex_to_rgb(colour), box, alpha)
        self.overlay[y0:y1, x0:x1] |= covered

    def text(
        self, fit: TextFit, box: Box, colour: str, align: Align, locale: LocaleInfo, valign: VAlign = "top"
    ) -> np.ndarray:
        (rx0, ry0, rx1, ry1), small = draw_fit_into(
            self.image, fit, box, hex_to_rgb(colour), align=align, locale=locale, valign=valign
        )
        self.overlay[ry0:ry1, rx0:rx1] |= small
        mask = np.zeros_like(self.overlay)  # the block's canvas-sized glyph mask, built once
        mask[ry0:ry1, rx0:rx1] = small
        return mask

    def rule(self, box: Box, colour: str) -> np.ndarray:
        x0, y0, x1, y1 = box
        self.image.paste(hex_to_rgb(colour), box)
        mask = np.zeros_like(self.overlay)
        mask[y0:y1, x0:x1] = True
        self.overlay |= mask
        return mask


@lru_cache(maxsize=256)
def _plate_alpha(w: int, h: int, radius: int) -> tuple[Image.Image, np.ndarray]:
    """The plate's alpha and the pixels it touches, per size (read only: shared between banners)."""
    big = Image.new("L", (w * 4, h * 4), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, w * 4 - 1, h * 4 - 1), radius=radius * 4, fill=255)
    alpha = big.resize((w, h), Image.Resampling.BOX)
    covered = to_array(alpha)[..., 0] > 0
    covered.flags.writeable = False
    return alpha, covered


def _tight(mask: np.ndarray, fallback: Box) -> Box:
    cols, rows = np.flatnonzero(mask.any(axis=0)), np.flatnonzero(mask.any(axis=1))
    if len(cols) == 0:
        return fallback
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _large(size: int, bold: bool) -> bool:
    return size >= 24 or (bold and size >= 18.5)


def _placed(box: Box, width: int, height: int, rtl: bool, valign: VAlign = "top") -> Box:
    """A width x height box at the start edge of `box` (left, or right for rtl)."""
    x0, y0, x1, y1 = box
    y = y0 + {"top": 0, "middle": (y1 - y0 - height) // 2, "bottom": y1 - y0 - height}[valign]
    return (x1 - width, y, x1, y + height) if rtl else (x0, y, x0 + width, y + height)


def _no_fit(role: str, text: str, lo: int, hi: int, box_w: int, box_h: int) -> str:
    return f'copy does not fit: {role} "{text}" at {lo}-{hi} px in {box_w}x{box_h} box'


# --------------------------------------------------------------------------- compose


def compose_banner(
    scene: Image.Image,
    layout: Layout,
    copy: BannerCopy,
    brand: BrandGuide,
    locale: LocaleInfo,
    *,
    min_text_px: int,
    logo: Image.Image | None = None,
) -> ComposedBanner:
    """Draw copy, price block, CTA, logo and legal line over `scene` following `layout`.

    `logo` defaults to the brand's logo file. Never draws inside `layout.product`; a block that
    cannot fit at `min_text_px` (or has a character no brand font covers) is recorded in
    `problems` and left undrawn rather than cut.
    """
    if scene.mode != "RGB":
        raise ValueError(f"scene mode {scene.mode!r} is not RGB")
    if scene.size != layout.canvas:
        raise ValueError(f"scene is {scene.size}, the layout is for {layout.canvas}")
    if layout.rtl != locale.rtl:
        raise ValueError(f"layout rtl={layout.rtl} does not match locale {locale.code} ({locale.direction})")
    if min_text_px < 1:
        raise ValueError(f"min_text_px {min_text_px} is below 1")

    c = _Composer(scene, layout, brand, locale, min_text_px)
    # the headline sits at the bottom of its box, next to the subline it belongs with
    c.free_text(
        "headline", copy.headline, layout.headline, c.head, c.scale.headline, 3, True, "bottom", copy.headline_short
    )
    if copy.subline and "subline" not in layout.omits:
        if layout.subline is None:
            c.problems.append(f'layout {layout.family} has no subline box for "{copy.subline}"')
        else:
            c.free_text(
                "subline", copy.subline, layout.subline, c.body, c.scale.subline, 3, True, shorter=copy.subline_short
            )
    c.price_block(copy, c.price_box(copy))
    c.cta(copy.cta)
    logo_box = c.logo(logo)
    if copy.legal:
        if layout.legal is None:
            why = (
                "the format carries no legal line"
                if "legal" in layout.omits
                else f"layout {layout.family} has no legal box"
            )
            c.problems.append(f'{why}: required legal text "{copy.legal}" cannot be shown')
        else:
            c.free_text("legal", copy.legal, layout.legal, c.body, c.scale.legal, 3, False)

    image = c.canvas.image
    x0, y0, x1, y1 = layout.product
    if c.canvas.overlay[y0:y1, x0:x1].any() or not np.array_equal(
        to_array(image.crop(layout.product)), to_array(scene.crop(layout.product))
    ):
        raise RuntimeError(f"bug: an overlay touched the product box {layout.product}")
    return ComposedBanner(
        image=image,
        background=scene.copy(),
        blocks=tuple(c.blocks),
        logo_box=logo_box,
        overlay_mask=c.canvas.overlay,
        problems=tuple(c.problems),
    )


class _Composer:
    """State of one composition: the canvas, the blocks drawn so far and the problems found."""

    def __init__(self, scene: Image.Image, layout: Layout, brand: BrandGuide, locale: LocaleInfo, min_px: int) -> None:
        self.layout, self.brand, self.locale, self.min_px = layout, brand, locale, min_px
        self.palette = brand.palette
        self.head = FontStack.for_brand(brand, "headline")
        self.body = FontStack.for_brand(brand, "body")
        self.scale = type_scale(layout.family, layout.canvas, min_px)
        self.scene = scene
        self.canvas = _Canvas(scene)
        self.blocks: list[TextBlock] = []
        self.problems: list[str] = []
        self.text_colours = [self.palette.text, self.palette.on_primary]

    def fit(
        self,
        role: str,
        text: str,
        stack: FontStack,
        w: int,
        h: int,
        hi: int,
        lines: int,
        balance: bool = False,
        shorter: str = "",
    ) -> TextFit | None:
        hi = max(hi, self.min_px)
        if w < 1 or h < 1:
            self.problems.append(_no_fit(role, text, self.min_px, hi, w, h))
            return None
        try:
            result = fit_text(
                text,
                stack,
                w,
                h,
                max_px=hi,
                min_px=self.min_px,
                locale=self.locale,
                max_lines=lines,
                balance=balance,
                shorter=(shorter,),
            )
        except MissingGlyphError as e:
            self.problems.append(f"{role}: {e}")
            return None
        if result is None:
            self.problems.append(_no_fit(role, text, self.min_px, hi, w, h))
        return result

    def draw(
        self,
        role: str,
        text: str,
        f: TextFit,
        box: Box,
        colour: str,
        stack: FontStack,
        *,
        align: Align = "start",
        valign: VAlign = "top",
        plate: str | None = None,
    ) -> np.ndarray:
        mask = self.canvas.text(f, box, colour, align, self.locale, valign)
        self.blocks.append(
            TextBlock(role, text, _tight(mask, box), f.size_px, colour, plate, _large(f.size_px, stack.bold), mask, f)
        )
        return mask

    def free_text(
        self,
        role: str,
        text: str,
        box: Box,
        stack: FontStack,
        hi: int,
        lines: int,
        balance: bool,
        valign: VAlign = "top",
        shorter: str = "",
    ) -> None:
        if role in self.layout.omits:  # left out by the format or its family's drop_order: by design
            return
        x0, y0, x1, y1 = box
        f = self.fit(role, text, stack, x1 - x0, y1 - y0, hi, lines, balance, shorter)
        if f is not None:
            colour = _pick(self.text_colours, _scene_lums(self.scene, box))
            self.draw(role, f.text, f, box, colour, stack, valign=valign)

    def price_box(self, copy: BannerCopy) -> Box:
        """Where the price block goes: its layout box, but in a flat layout only as wide as the
        block, at the box's end: the price sits a rhythm unit from the CTA and the free room lies
        between headline and price. The width is measured by drawing the block on a scratch
        canvas (no second copy of its geometry)."""
        box = self.layout.price
        if self.layout.family != "flat":
            return box
        probe = _Composer(self.scene, self.layout, self.brand, self.locale, self.min_px)
        probe.price_block(copy, box)
        cols = np.flatnonzero(probe.canvas.overlay[box[1] : box[3], box[0] : box[2]].any(axis=0))
        if len(cols) == 0:
            return box
        width = int(cols[-1] - cols[0]) + 1
        return (box[0], box[1], box[0] + width, box[3]) if self.locale.rtl else (box[2] - width, box[1], box[2], box[3])

    def price_block(self, copy: BannerCopy, box: Box) -> None:
        """Price large; above it, when given, the discount badge then the struck prior price."""
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        rtl = self.locale.rtl
        has_top = copy.prior_price is not None or copy.discount_label is not None
        top_h = max(round(0.36 * h), badge_row_height(self.min_px)) if has_top else 0
        gap = max(4, round(0.08 * h)) if has_top else 0
        price_area = (x0, y0 + top_h + gap, x1, y1)
        lums = _scene_lums(self.scene, self.layout.price)

        f = self.fit("price", copy.price, self.head, w, price_area[3] - price_area[1], self.scale.price, 1)
        if f is not None:
            need = 3.0 if _large(f.size_px, self.head.bold) else 4.5
            colour = _pick([self.palette.accent, *self.text_colours], lums, need)
            box = _placed(price_area, f.width, f.height, rtl, "top")
            self.draw("price", copy.price, f, box, colour, self.head)
        if not has_top:
            return

        row = (x0, y0, x1, y0 + top_h)
        used = 0  # px taken from the start edge of the row
        if copy.discount_label is not None:
            pad_y = max(2, round(0.18 * top_h))
            pad_x = max(4, round(0.32 * top_h))
            f = self.fit(
                "discount", copy.discount_label, self.head, w - 2 * pad_x, top_h - 2 * pad_y, self.scale.badge, 1
            )
            if f is not None:
                plate = _placed(row, f.width + 2 * pad_x, top_h, rtl)
                self.canvas.plate(plate, self.palette.accent, round(0.2 * top_h))
                badge = _lum(self.palette.accent)
                on = _pick([self.palette.on_primary, self.palette.text], (badge, badge), 4.5)
                inner = (plate[0] + pad_x, plate[1] + pad_y, plate[2] - pad_x, plate[3] - pad_y)
                self.draw(
                    "discount",
                    copy.discount_label,
                    f,
                    inner,
                    on,
                    self.head,
                    align="center",
                    valign="middle",
                    plate=self.palette.accent,
                )
                used = plate[2] - plate[0] + max(8, round(0.4 * top_h))
        if copy.prior_price is not None:
            avail = (x0, y0, x1 - used, y0 + top_h) if rtl else (x0 + used, y0, x1, y0 + top_h)
            f = self.fit("prior_price", copy.prior_price, self.body, avail[2] - avail[0], top_h, self.scale.prior, 1)
            if f is not None:
                colour = _pick(self.text_colours, lums)
                box = _placed(avail, f.width, f.height, rtl, "middle")
                mask = self.draw("prior_price", copy.prior_price, f, box, colour, self.body)
                # struck through the middle of the figures (digits are ~0.71 em tall)
                thick = max(2, round(f.size_px / 14))
                y = box[1] + f.ascent - round(0.36 * f.size_px) - thick // 2
                ink = _tight(mask, box)
                over = max(2, round(0.06 * f.size_px))
                strike = (max(avail[0], ink[0] - over), y, min(avail[2], ink[2] + over), y + thick)
                struck = mask | self.canvas.rule(strike, colour)
                last = self.blocks[-1]
                self.blocks[-1] = TextBlock(
                    last.role,
                    last.text,
                    _tight(struck, box),
                    last.size_px,
                    last.color,
                    None,
                    last.large,
                    struck,
                    last.fit,
                )

    def cta(self, text: str) -> None:
        """A rounded button in the primary colour, hugging its label. Beside the price (same row)
        it follows the price in a wide layout's copy column (aligned to that column through the
        price), else it sits at the row's end; alone in its row it sits at the start of its box."""
        x0, y0, x1, y1 = self.layout.cta
        w, h = x1 - x0, y1 - y0
        pad_y, pad_x = round(0.27 * h), round(0.45 * h)
        f = self.fit("cta", text, self.head, w - 2 * pad_x, h - 2 * pad_y, self.scale.cta, 1)
        if f is None:
            return
        px0, py0, px1, py1 = self.layout.price
        beside = py0 < y1 and y0 < py1
        plate_w = min(w, max(f.width + 2 * pad_x, round(2.4 * h)))
        if beside and self.layout.family == "wide":
            plate = self._after_price(plate_w, h)
        else:
            plate = _placed(self.layout.cta, plate_w, h, self.locale.rtl != beside)
        self.canvas.plate(plate, self.palette.primary, round(0.2 * h))
        inner = (plate[0] + pad_x, plate[1] + pad_y, plate[2] - pad_x, plate[3] - pad_y)
        self.draw(
            "cta",
            text,
            f,
            inner,
            self.palette.on_primary,
            self.head,
            align="center",
            valign="middle",
            plate=self.palette.primary,
        )

    def _after_price(self, plate_w: int, h: int) -> Box:
        """The CTA button two rhythm units after the price block's ink (in reading order), centred
        on the price figure, inside the price and CTA row. The layout keeps the CTA box after the
        price box, so the button never reaches the product."""
        drawn = [b.box for b in self.blocks if b.role in ("price", "prior_price", "discount")]
        figure = next((b.box for b in self.blocks if b.role == "price"), None)
        if not drawn or figure is None:
            return _placed(self.layout.cta, plate_w, h, self.locale.rtl)
        cx0, cy0, cx1, cy1 = self.layout.cta
        gap = 2 * self.scale.rhythm
        y = min(max((figure[1] + figure[3] - h) // 2, self.layout.price[1]), cy1 - h)
        if self.locale.rtl:  # the price's ink never reaches past its box: the CTA box's end is the furthest
            x1 = max(min(b[0] for b in drawn) - gap, cx1)
            return x1 - plate_w, y, x1, y + h
        x0 = min(max(b[2] for b in drawn) + gap, cx0)
        return x0, y, x0 + plate_w, y + h

    def logo(self, logo: Image.Image | None) -> Box:
        """The logo drawn at exactly its layout box, alpha-composited. The layout reserved that box
        at the logo's aspect (height rounded to whole pixels) and never below the brand's minimum
        width: what is drawn is what the layout planned and what the logo check measures."""
        if logo is None:
            logo = open_image(self.brand.logo_path, "logo").convert("RGBA")
        elif logo.mode != "RGBA":
            logo = logo.convert("RGBA")
        box = self.layout.logo
        w, h = box[2] - box[0], box[3] - box[1]
        if abs(h - w * logo.height / logo.width) > 0.5 + 1e-6:
            raise ValueError(
                f"the layout's logo box is {w}x{h} px, not the logo's aspect {logo.width / logo.height:.3f}:1; "
                f"plan the layout with this logo"
            )
        if w < self.brand.logo.min_width_px:
            self.problems.append(f"logo drawn {w} px wide, below the brand minimum {self.brand.logo.min_width_px} px")
        scaled = logo.resize((w, h), Image.Resampling.LANCZOS) if (w, h) != logo.size else logo
        alpha = scaled.getchannel("A")
        self.canvas.image.paste(scaled.convert("RGB"), box[:2], alpha)
        mask = np.zeros_like(self.canvas.overlay)
        mask[box[1] : box[3], box[0] : box[2]] = to_array(alpha)[..., 0] > 0
        self.canvas.overlay |= mask
        return box


def _lum(colour: str) -> float:
    return float(relative_luminance(np.array(hex_to_rgb(colour))))

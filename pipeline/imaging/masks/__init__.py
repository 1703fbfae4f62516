"""Product masks: which pixels are the product, and how sure we are.

Everything generated later is painted *around* these pixels, so the mask decides what is
sacred. Two sources, in order of trust:

1. ``alpha-channel``: the file already carries transparency (a cut-out PNG/WebP); we use it.
2. ``white-background``: a packshot on a plain background, white or not. The background is a
   smooth surface fitted to the image border (it follows a backdrop's light falloff); background
   is every pixel close to it that is *connected to the border* (so a white bulb's white body
   stays product), plus enclosed background-coloured holes that are large and sharply bounded
   (the space inside a bag handle).

Soft grey contact shadows and pale floor reflections under the product are left out (the
generated scene brings its own floor); soft (fur-like, out-of-focus) edges get an alpha ramp
measured from colour, with the outline at half cover.

The mask carries a confidence in 0..1 with human-readable notes saying what lowered it, so
triage (`pipeline.imaging.triage`) can explain why a photo is not usable as a packshot and a
variant whose cut-out is doubtful goes to review (`pipeline.render.MIN_MASK_CONFIDENCE`, 0.8).
Besides the framing (background not uniform, and then also not white; product tiny, filling
the frame or cut off), two measured doubts about the outline lower it: the colour just outside the outline is not
plain background along a share of it ("edges blend into the background along 31% of the
outline": a white label on an off-white background taken for background), and soft edges whose
transparency had to be estimated. On the evaluation set (bench/bench_masks.py) every case with
IoU < 0.9 is below 0.8 and every case with IoU >= 0.95 is at or above it.

Where the work is done: this module holds the mask and its two methods; `background` decides
which pixels are background (border flood, holes, shadows, reflections), `edges` draws the
outline's alpha and measures the doubts about it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.errors import InputError
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import from_array, to_array
from pipeline.imaging.masks.background import (
    background_distance,
    chroma,
    contact_shadow,
    disk,
    enclosed_holes,
    fit_background,
    floor_reflection,
    keep_significant,
    padded_box,
)
from pipeline.imaging.masks.edges import edge_alpha, edge_doubts

__all__ = ["ProductMask", "METHODS", "product_mask", "cutout", "background_distance"]

#: How a mask was made: from the file's transparency, or by removing a plain background.
METHODS = frozenset({"alpha-channel", "white-background"})


@dataclass(frozen=True, eq=False)
class ProductMask:
    """A product mask over an image of the same size.

    alpha: ``HxW`` uint8, 255 = product, 0 = background, values between on the 1-2 px
        anti-aliased edge.
    confidence: 0..1, how much the mask can be trusted as "one product, cleanly separated".
    method: ``"alpha-channel"`` or ``"white-background"``.
    notes: plain-language observations: why confidence was lowered, what was left out
        (a floor reflection); empty when all looked clean.

    Frozen means frozen: ``alpha`` is stored as a read-only view. Equality is identity (two
    masks are not compared pixel by pixel by accident).
    """

    alpha: np.ndarray
    confidence: float
    method: str
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.alpha.ndim != 2 or self.alpha.dtype != np.uint8:
            raise ValueError(f"alpha must be a 2-D uint8 array, got {self.alpha.ndim}-D {self.alpha.dtype}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, got {self.confidence}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {sorted(METHODS)}, got {self.method!r}")
        frozen = self.alpha.view()
        frozen.flags.writeable = False
        object.__setattr__(self, "alpha", frozen)

    @property
    def area_fraction(self) -> float:
        """Share of the image covered by the product (alpha >= 128)."""
        return float(np.count_nonzero(self.alpha >= 128)) / max(self.alpha.size, 1)

    @property
    def bbox(self) -> Box | None:
        """``(left, top, right, bottom)`` of every non-zero alpha pixel (right/bottom exclusive)."""
        rows = np.flatnonzero(self.alpha.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(self.alpha.any(axis=0))
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def product_mask(img: Image.Image) -> ProductMask:
    """Find the product in a packshot: from its alpha channel, or by removing a white background.

    Never fails on a valid image: a photo that is not a packshot yields a low-confidence mask
    whose notes say why (non-uniform background, product touching the edges, tiny or
    frame-filling product), and triage decides what to do with it.
    """
    rgba = to_array(img if img.mode == "RGBA" else img.convert("RGBA"))
    alpha = rgba[:, :, 3]
    transparent = np.count_nonzero(alpha < 255)
    if transparent > max(1, alpha.size // 1000):
        return _finish(alpha.copy(), "alpha-channel", 1.0, [])
    return _white_background_mask(rgba[:, :, :3])


def _white_background_mask(rgb: np.ndarray) -> ProductMask:
    """The ``white-background`` method: flood the background from the border, take out what
    only looks like product (holes, shadows, reflections), then draw and judge the outline."""
    fitted = fit_background(rgb)
    distance, background, tolerance = fitted.surface.distance(rgb), fitted.colour, fitted.tolerance
    notes: list[str] = []
    confidence = 1.0
    if not fitted.uniform:
        notes.append(f"background is not uniform ({fitted.uniformity:.0%} of the border matches)")
        confidence *= float(np.clip((fitted.uniformity - 0.5) / 0.45, 0.0, 1.0))
    if fitted.luma < 200:
        notes.append("background is not white")  # triage's reason says what to supply instead
        # A plain grey or coloured backdrop, evenly lit or not, cuts out as cleanly as white (the
        # surface follows its light falloff); one that is not uniform either (a table, a wall,
        # a textured surface) is unlikely to be a studio backdrop at all.
        if not fitted.uniform:
            confidence *= 0.8

    foreground = (distance > tolerance).astype(np.uint8)
    # Seal 1-2 px gaps in faint outlines (white product on white) before flooding from the border.
    sealed = cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, disk(2))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - sealed, connectivity=4)
    border_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    is_border = np.zeros(count, dtype=bool)
    is_border[border_labels[border_labels > 0]] = True
    outside = is_border[labels]  # lookup table: much faster than np.isin on big images
    inside = ~outside
    product_area = int(np.count_nonzero(inside))

    inside &= ~enclosed_holes(labels, stats, border_labels, distance, tolerance, product_area)
    # Everything from here on happens around the product: work in its box (+ a margin), which
    # gives the same pixels as the whole image, in a fraction of the time.
    window = padded_box(inside, 16)
    if window is None:
        return _finish(np.zeros(inside.shape, np.uint8), "white-background", confidence, notes)
    inside, outside, rgb_box, distance_box = inside[window], outside[window], rgb[window], distance[window]
    chroma_box = chroma(rgb_box)
    shadow = contact_shadow(inside, outside, rgb_box, distance_box, chroma_box, background, tolerance)
    if shadow.any():
        inside &= ~shadow
        notes.append("grey contact shadow under the product left out")
    floor = floor_reflection(inside, outside | shadow, chroma_box, distance_box)
    if floor.any():
        inside &= ~floor
        notes.append("floor shadow or reflection left out")

    solid_box = keep_significant(cv2.morphologyEx(inside.astype(np.uint8), cv2.MORPH_OPEN, disk(1)))
    solid = np.zeros(distance.shape, np.uint8)
    solid[window] = solid_box
    left_out = np.zeros(distance.shape, bool)
    left_out[window] = shadow | floor
    doubts, soft = edge_doubts(solid, rgb, fitted.surface, left_out)
    alpha = np.zeros(distance.shape, np.uint8)
    alpha[window], edge_notes = edge_alpha(solid_box, rgb_box, distance_box, background, soft, solid.shape)
    for factor, note in (*edge_notes, *doubts):
        confidence *= factor
        notes.append(note)
    return _finish(alpha, "white-background", confidence, notes)


def _finish(alpha: np.ndarray, method: str, confidence: float, notes: list[str]) -> ProductMask:
    """Lower confidence for masks that do not look like one product in frame, and say why."""
    solid = alpha >= 128
    area = float(np.count_nonzero(solid)) / max(alpha.size, 1)
    if area == 0.0:
        return ProductMask(alpha, 0.0, method, tuple(notes + ["no product found"]))
    if area < 0.02:
        notes.append(f"product is tiny ({area:.1%} of the image)")
        confidence *= area / 0.02
    elif area > 0.85:
        notes.append(f"product fills the frame ({area:.0%} of the image)")
        confidence *= float(np.clip((0.97 - area) / 0.24, 0.0, 0.5))
    edge = max(1, min(alpha.shape) // 200)
    sides = [solid[:edge], solid[-edge:], solid[:, :edge], solid[:, -edge:]]
    touching = sum(1 for side in sides if side.mean() > 0.02)
    if touching >= 2:
        notes.append(f"product touches {touching} image edges")
        confidence *= {2: 0.8, 3: 0.45, 4: 0.3}[touching]
    return ProductMask(alpha, round(float(confidence), 3), method, tuple(notes))


def cutout(img: Image.Image, mask: ProductMask) -> Image.Image:
    """The product alone: RGBA cropped to the mask's bounding box, alpha = mask alpha.

    Fully opaque pixels (alpha 255) are copied untouched, so the product can be proven
    unchanged by hashing them. Edge pixels (alpha < 255 within 2 px of the opaque product)
    and fully transparent pixels take the colour of the nearest opaque pixel: their original
    colour is part background (white), which would show as a pale fringe on a dark scene or
    bleed in when the cutout is resized. Semi-transparent regions away from the edge (glass
    in a cut-out PNG) keep their colour.
    """
    if mask.alpha.shape != (img.height, img.width):
        raise ValueError(f"mask is {mask.alpha.shape[1]}x{mask.alpha.shape[0]}, image is {img.width}x{img.height}")
    box = mask.bbox
    if box is None:
        raise InputError("mask is empty: no product to cut out")
    left, top, right, bottom = box
    rgba = to_array(img if img.mode == "RGBA" else img.convert("RGBA"))[top:bottom, left:right]
    alpha = mask.alpha[top:bottom, left:right]
    opaque = (alpha == 255).astype(np.uint8)
    if opaque.any() and not opaque.all():
        distance, nearest = cv2.distanceTransformWithLabels(1 - opaque, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
        seeds = np.argwhere(opaque > 0)  # label k <-> k-th opaque pixel in raster order
        fringe = (alpha == 0) | ((alpha < 255) & (distance <= 2.5))
        ys, xs = np.nonzero(fringe)
        sy, sx = seeds[nearest[ys, xs] - 1].T
        rgba[ys, xs, :3] = rgba[sy, sx, :3]
    rgba[:, :, 3] = alpha
    return from_array(rgba)

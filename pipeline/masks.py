"""Product masks: which pixels are the product, and how sure we are.

Everything generated later is painted *around* these pixels, so the mask decides what is
sacred. Two sources, in order of trust:

1. ``alpha-channel``: the file already carries transparency (a cut-out PNG/WebP); we use it.
2. ``white-background``: a packshot on a uniform light background. The background colour is
   estimated from the image border; background is every pixel close to it that is *connected
   to the border* (so a white bulb's white body stays product), plus enclosed background-
   coloured holes that are large and sharply bounded (the space inside a bag handle).

The mask carries a confidence in 0..1 with human-readable notes saying what lowered it, so
triage (`pipeline.triage`) can explain why a photo is not usable as a packshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from pipeline.imageio import from_array, to_array

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
    def bbox(self) -> tuple[int, int, int, int] | None:
        """``(left, top, right, bottom)`` of every non-zero alpha pixel (right/bottom exclusive)."""
        rows = np.flatnonzero(self.alpha.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(self.alpha.any(axis=0))
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


# --- tuning, in one place -------------------------------------------------------------------
_BORDER_MATCH = 14  # a border pixel within this distance of the background colour "matches"
_MIN_TOL, _MAX_TOL = 6, 20  # background tolerance bounds (max channel difference, 0..255)
_HOLE_MIN_FRACTION = 0.001  # enclosed hole must be >= this share of the product area ...
_HOLE_MIN_PX = 64  # ... and at least this many pixels ...
_HOLE_MIN_RADIUS = 0.01  # ... hold a disc of this radius (x sqrt(product area)) ...
_HOLE_RING_CONTRAST = 40  # ... and be bounded by pixels this far from the background colour
_FLOOR_MAX_DISTANCE = 40  # floor shadows/reflections are paler than this ...
_FLOOR_MAX_CHROMA = 16  # ... and nearly colourless
_EDGE_MIN_CONTRAST = 48  # edge alpha is measured from colour where product differs this much
_KEEP_FRACTION = 0.01  # keep components >= this share of the largest one


def background_distance(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Distance of every pixel to the background colour estimated from the image border.

    Returns ``(distance, background_rgb, tolerance, border_uniformity)``: distance is ``HxW``
    uint8 (max channel difference), tolerance the distance up to which a pixel still counts as
    background (adapted to the border's noise), uniformity the share of border pixels that
    match the background colour (1.0 for a clean studio packshot).
    """
    height, width = rgb.shape[:2]
    band = max(2, min(height, width) // 256)
    border = np.concatenate(
        [
            rgb[:band].reshape(-1, 3),
            rgb[-band:].reshape(-1, 3),
            rgb[:, :band].reshape(-1, 3),
            rgb[:, -band:].reshape(-1, 3),
        ]
    ).astype(np.int16)
    background = np.median(border, axis=0).round().astype(np.int16)
    border_dist = np.abs(border - background).max(axis=1)
    matching = border_dist <= _BORDER_MATCH
    uniformity = float(matching.mean())
    noise = float(np.percentile(border_dist[matching], 99)) if matching.any() else float(_MAX_TOL)
    tolerance = int(np.clip(round(noise) + 4, _MIN_TOL, _MAX_TOL))
    background = background.astype(np.uint8)
    scalar = (float(background[0]), float(background[1]), float(background[2]), 0.0)
    difference = cv2.absdiff(rgb, scalar)  # type: ignore[call-overload]  # a Scalar is allowed
    return _channel_max(difference), background, tolerance, uniformity


def _channel_max(arr: np.ndarray) -> np.ndarray:
    """Per-pixel max over channels of an ``HxWx3`` uint8 array (OpenCV: ~10x numpy's speed)."""
    red, green, blue = cv2.split(np.ascontiguousarray(arr))
    return cv2.max(cv2.max(red, green), blue)


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
    distance, background, tolerance, uniformity = background_distance(rgb)
    notes: list[str] = []
    confidence = 1.0
    if uniformity < 0.95:
        notes.append(f"background is not uniform ({uniformity:.0%} of the border matches)")
        confidence *= float(np.clip((uniformity - 0.5) / 0.45, 0.0, 1.0))
    luma = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2]
    if luma < 200:
        notes.append("background is not white")
        confidence *= 0.8

    foreground = (distance > tolerance).astype(np.uint8)
    # Seal 1-2 px gaps in faint outlines (white product on white) before flooding from the border.
    sealed = cv2.morphologyEx(foreground, cv2.MORPH_CLOSE, _disk(2))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - sealed, connectivity=4)
    border_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    is_border = np.zeros(count, dtype=bool)
    is_border[border_labels[border_labels > 0]] = True
    outside = is_border[labels]  # lookup table: much faster than np.isin on big images
    inside = ~outside
    product_area = int(np.count_nonzero(inside))

    inside &= ~_enclosed_holes(labels, stats, border_labels, distance, tolerance, product_area)
    floor = _floor_reflection(inside, outside, rgb, distance)
    if floor.any():
        inside &= ~floor
        notes.append("floor shadow or reflection left out")

    solid = cv2.morphologyEx(inside.astype(np.uint8), cv2.MORPH_OPEN, _disk(1))
    solid = _keep_significant(solid)
    alpha = _soft_alpha(solid, rgb, background)
    return _finish(alpha, "white-background", confidence, notes)


def _enclosed_holes(
    labels: np.ndarray,
    stats: np.ndarray,
    border_labels: np.ndarray,
    distance: np.ndarray,
    tolerance: int,
    product_area: int,
) -> np.ndarray:
    """Enclosed background-coloured regions that are see-through holes (inside a bag handle).

    A region counts as a hole when it is (a) flat background colour, (b) sharply bounded by
    clearly non-background pixels, (c) large: a disc of radius ~1% of the product's size fits
    in it. (c) keeps letter counters and white print on a label as product: letting the
    generated background show through a printed "o" would be far worse than a missed hole.
    """
    holes = np.zeros(labels.shape, dtype=bool)
    scale = float(np.sqrt(max(product_area, 1)))
    min_area = max(_HOLE_MIN_PX, int(_HOLE_MIN_FRACTION * product_area))
    min_radius = max(4.0, _HOLE_MIN_RADIUS * scale)
    candidates = [
        label
        for label in np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= min_area)
        if label > 0 and label not in border_labels
    ]
    for label in candidates:
        x, y, w, h = (int(v) for v in stats[label, :4])
        pad = 6
        y0, y1 = max(0, y - pad), min(labels.shape[0], y + h + pad)
        x0, x1 = max(0, x - pad), min(labels.shape[1], x + w + pad)
        region = labels[y0:y1, x0:x1] == label
        dist = distance[y0:y1, x0:x1]
        if float(np.percentile(dist[region], 90)) > tolerance * 0.75:
            continue
        ring = cv2.dilate(region.astype(np.uint8), _disk(4)).astype(bool) & ~region
        if not ring.any() or float(np.median(dist[ring])) < _HOLE_RING_CONTRAST:
            continue
        radius = float(cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 3).max())
        if radius >= min_radius:
            holes[y0:y1, x0:x1] |= region
    return holes


def _floor_reflection(
    inside: np.ndarray, outside: np.ndarray, rgb: np.ndarray, distance: np.ndarray
) -> np.ndarray:
    """Pale, colourless floor shadow or reflection hanging below the product.

    Studio packshots often keep a soft grey floor gradient or mirror image under the product.
    It is not product: generated scenes bring their own floor. A pale (distance <= 40),
    colourless region counts as floor only when it hangs *under* the clearly visible product:
    it starts in the lower half, touches the surrounding background, is smaller than the
    clearly visible part, has product above it in most of its columns and nothing of the
    product below it. So a white bulb's body (reaches the top) and a pale band on a label
    (product below it) stay. Known limit: an all-white, edge-less base under a coloured
    product (a plain white sole) looks exactly like this; the note "floor shadow or reflection
    left out" tells the reviewer to look.
    """
    strong = inside & (distance > _FLOOR_MAX_DISTANCE)
    if not strong.any():
        return np.zeros_like(inside)
    red, green, blue = cv2.split(np.ascontiguousarray(rgb))
    chroma = cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))
    pale = inside & ~strong & (chroma <= _FLOOR_MAX_CHROMA)
    rows = np.flatnonzero(strong.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1])
    middle = top + (bottom - top) // 2
    strong_area = int(np.count_nonzero(strong))
    near_outside = cv2.dilate(outside.astype(np.uint8), _disk(1)).astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pale.astype(np.uint8), connectivity=8)
    # strong_below[r, c]: some clearly visible product pixel lies below row r in column c.
    strong_below = np.zeros_like(strong)
    strong_below[:-1] = np.flip(np.maximum.accumulate(np.flip(strong, 0), axis=0), 0)[1:]
    floor = np.zeros_like(inside)
    min_area = max(_HOLE_MIN_PX, int(0.002 * np.count_nonzero(inside)))
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if area < min_area or y < middle or area >= strong_area:
            continue
        region: np.ndarray = np.equal(labels[y : y + h, x : x + w], label)
        columns = region.any(axis=0)
        # It must hang *under* the product: product above it in most of its columns ...
        above = np.asarray(strong[: y + h // 2, x : x + w].any(axis=0))[columns].mean()
        # ... and nothing of the product below its lowest pixel (a pale label band has).
        lowest = h - 1 - np.argmax(region[::-1], axis=0)
        below = strong_below[y + lowest, np.arange(x, x + w)][columns].mean()
        if above >= 0.6 and below <= 0.1 and (region & near_outside[y : y + h, x : x + w]).any():
            floor[y : y + h, x : x + w] |= region
    return floor


def _soft_alpha(solid: np.ndarray, rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Anti-aliased alpha with no background halo.

    Geometric edge: the boundary is pulled 1 px inward and blurred, a ~2 px ramp. Where the
    product's edge colour differs clearly from the background, the edge pixels' alpha is then
    measured from their colour instead: an edge pixel p blends the product colour F (its
    nearest interior pixel) with the background B, so alpha = (p-B).(F-B) / |F-B|^2. A 214-grey
    pixel between a black strap and white is then ~16% opaque, not 25-75%, so no pale fringe
    shows on a dark scene. Interior pixels stay exactly 255.
    """
    eroded = cv2.erode(solid, _disk(1))
    alpha = cv2.GaussianBlur(eroded.astype(np.float32) * 255.0, (0, 0), 0.8)
    interior = cv2.erode(solid, _disk(2))
    band = cv2.dilate(solid, _disk(1)).astype(bool) & ~interior.astype(bool)
    # Only interior pixels near the band can be nearest to it: keep the seed list edge-sized.
    seeds_mask = ((interior > 0) & (cv2.dilate(band.astype(np.uint8), _disk(4)) > 0)).astype(np.uint8)
    if seeds_mask.any() and band.any():
        _, nearest = cv2.distanceTransformWithLabels(
            1 - seeds_mask, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        seeds = np.argwhere(seeds_mask > 0)  # label k <-> k-th seed pixel in raster order
        ys, xs = np.nonzero(band)
        fy, fx = seeds[nearest[ys, xs] - 1].T
        base = background.astype(np.float32)
        pixel = rgb[ys, xs].astype(np.float32) - base
        product = rgb[fy, fx].astype(np.float32) - base
        norm = (product**2).sum(axis=1)
        reliable = np.abs(product).max(axis=1) >= _EDGE_MIN_CONTRAST
        measured = np.clip((pixel * product).sum(axis=1) / np.maximum(norm, 1.0), 0.0, 1.0)
        measured = np.where(measured < 0.05, 0.0, measured) * 255.0
        alpha[ys[reliable], xs[reliable]] = measured[reliable]
    alpha[interior > 0] = 255.0
    return np.clip(alpha.round(), 0, 255).astype(np.uint8)


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


def _keep_significant(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep components at least `_KEEP_FRACTION` of the largest one."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, dtype=np.uint8)
    keep[1:] = areas >= max(4, _KEEP_FRACTION * areas.max())
    return keep[labels]


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


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
        raise ValueError(
            f"mask is {mask.alpha.shape[1]}x{mask.alpha.shape[0]}, image is {img.width}x{img.height}"
        )
    box = mask.bbox
    if box is None:
        raise ValueError("mask is empty: no product to cut out")
    left, top, right, bottom = box
    rgba = to_array(img if img.mode == "RGBA" else img.convert("RGBA"))[top:bottom, left:right]
    alpha = mask.alpha[top:bottom, left:right]
    opaque = (alpha == 255).astype(np.uint8)
    if opaque.any() and not opaque.all():
        distance, nearest = cv2.distanceTransformWithLabels(
            1 - opaque, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        seeds = np.argwhere(opaque > 0)  # label k <-> k-th opaque pixel in raster order
        fringe = (alpha == 0) | ((alpha < 255) & (distance <= 2.5))
        ys, xs = np.nonzero(fringe)
        sy, sx = seeds[nearest[ys, xs] - 1].T
        rgba[ys, xs, :3] = rgba[sy, sx, :3]
    rgba[:, :, 3] = alpha
    return from_array(rgba)

"""What is background in a packshot on a plain background, and what is not.

The background is a smooth surface fitted to the image border (`fit_background`), not one
colour: a studio backdrop is rarely lit evenly, and a grey one falling off by a few levels
towards the corners is as plain as a white one. Background is every pixel close to that surface
that is *connected to the border*, so a white bulb's white body stays product; `enclosed_holes`
adds the enclosed background-coloured regions that are large and sharply bounded (the space
inside a bag handle). Below the product, `contact_shadow` and `floor_reflection` find the grey
shadow and pale reflection a studio floor leaves: not product, the generated scene brings its
own floor.

The thresholds are calibrated on bench/bench_masks.py; they are tuned together, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = [
    "Background",
    "BackgroundSurface",
    "fit_background",
    "border_strips",
    "background_distance",
    "distance_to",
    "chroma",
    "disk",
    "padded_box",
    "enclosed_holes",
    "contact_shadow",
    "floor_reflection",
    "keep_significant",
]

# --- tuning, in one place -------------------------------------------------------------------
_BORDER_MATCH = 14  # a border pixel within this distance of the background surface "matches" ...
_UNIFORM = 0.95  # ... and a background is uniform when this share of its border does
_MIN_TOL, _MAX_TOL = 6, 20  # background tolerance bounds (max channel difference, 0..255)
_FIT_SAMPLES = 5000  # most pixels a surface is fitted to
_CELL = 16  # px between the points a surface is drawn at before it is stretched to the image
_HOLE_MIN_FRACTION = 0.001  # enclosed hole must be >= this share of the product area ...
_HOLE_MIN_PX = 64  # ... and at least this many pixels ...
_HOLE_MIN_RADIUS = 0.01  # ... hold a disc of this radius (x sqrt(product area)) ...
_HOLE_RING_CONTRAST = 40  # ... and be bounded by pixels this far from the background colour
_FLOOR_MAX_DISTANCE = 40  # floor shadows/reflections are paler than this ...
_FLOOR_MAX_CHROMA = 16  # ... and nearly colourless
_KEEP_FRACTION = 0.01  # keep components >= this share of the largest one
_SHADOW_MAX_DISTANCE = 120  # a contact shadow darkens the floor; it is grey, not black ...
_SHADOW_MAX_CHROMA = 16  # ... colourless ...
_SHADOW_MAX_SLOPE = 24  # ... and soft: its colour changes less than this across 3 px


class BackgroundSurface:
    """A smooth background: per channel, a quadratic in x and y (6 numbers), in coordinates
    relative to the image size, so one surface serves the image at any scale. A quadratic
    follows a backdrop's light falloff (a linear gradient, a vignette) and nothing busier."""

    def __init__(self, coef: np.ndarray) -> None:
        self.coef = coef.astype(np.float32)  # 6 x 3: 1, u, v, u^2, v^2, uv

    @classmethod
    def flat(cls, colour: np.ndarray) -> BackgroundSurface:
        coef = np.zeros((6, 3), np.float32)
        coef[0] = colour
        return cls(coef)

    @classmethod
    def fit(
        cls, values: np.ndarray, ys: np.ndarray, xs: np.ndarray, size: tuple[int, int], start: np.ndarray
    ) -> BackgroundSurface:
        """Fit ``values`` (``Nx3``) at pixel rows ``ys``, columns ``xs`` of an image of ``size``
        (height, width), robustly: a product, a shadow or a speck touching the border sticks out
        and is left out. ``start`` is a first guess of the colour (the border's median); the
        surface stays flat there when too few samples match it. At most `_FIT_SAMPLES` evenly
        spaced samples are used: plenty for 18 numbers."""
        step = max(1, len(values) // _FIT_SAMPLES)
        values, ys, xs = values[::step], ys[::step], xs[::step]
        design = _design(ys, xs, size)
        surface = cls.flat(start)
        misfit = surface.misfit(values, design)
        inliers = misfit <= _BORDER_MATCH
        for _ in range(2):  # a second round follows a gradient beyond the first guess's reach
            if np.count_nonzero(inliers) < 3 * design.shape[1]:
                return surface
            surface = cls(_least_squares(design[inliers], values[inliers]))
            misfit = surface.misfit(values, design)
            inliers = misfit <= _BORDER_MATCH
        # Refit without what still sticks out a little (JPEG ringing, a faint shadow's tail).
        close = inliers & (misfit <= max(3.0, 2.0 * float(np.percentile(misfit[inliers], 80))))
        if np.count_nonzero(close) >= 3 * design.shape[1]:
            surface = cls(_least_squares(design[close], values[close]))
        return surface

    def misfit(self, values: np.ndarray, design: np.ndarray) -> np.ndarray:
        """Max channel difference of ``values`` (``Nx3``) to the surface at the `_design` points.
        Column by column, not as a matrix product: a BLAS call on a busy 2-core machine waits
        for its threads far longer than these few sums take."""
        difference = np.zeros(len(design))
        for channel, coef in enumerate(self.coef.T.astype(np.float64)):
            modelled = sum(design[:, term] * weight for term, weight in enumerate(coef))
            np.maximum(difference, np.abs(values[:, channel] - modelled), out=difference)
        return difference

    def render(self, rows: tuple[int, int], cols: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
        """The surface over ``rows`` x ``cols`` (half-open) of an image of ``size``, ``hxwx3`` float32."""
        ys, xs = np.arange(*rows) / size[0] - 0.5, np.arange(*cols) / size[1] - 0.5
        return self._plane(self.coef, ys, xs)

    def distance(self, rgb: np.ndarray) -> np.ndarray:
        """Max channel difference of every pixel of ``rgb`` (the whole image) to the surface, ``HxW`` uint8."""
        height, width = rgb.shape[:2]
        # The surface is drawn on a grid of 16 px cells and stretched (bilinear): on a quadratic
        # as gentle as a backdrop's that is exact to a few hundredths of a level, and it spares a
        # 12 MP photo three full-size float planes.
        rows, cols = max(2, -(-height // _CELL)), max(2, -(-width // _CELL))
        coarse = np.clip(self._plane(self.coef, _cell_centres(rows, height), _cell_centres(cols, width)), 0, 255)
        if float(np.ptp(coarse, axis=(0, 1)).max()) < 0.5:  # evenly lit: one colour (a white packshot)
            return distance_to(rgb, coarse.mean(axis=(0, 1)).round())
        surface = cv2.convertScaleAbs(cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR))
        return _channel_max(cv2.absdiff(np.ascontiguousarray(rgb), surface))

    @staticmethod
    def _plane(coef: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """The surface at rows ``ys`` x columns ``xs`` given as fractions of the image (-0.5..0.5)."""
        v = ys.astype(np.float32)[:, None, None]
        u = xs.astype(np.float32)[None, :, None]
        c = coef
        plane: np.ndarray = (c[0] + c[2] * v + c[4] * v * v) + (c[1] * u + c[3] * u * u) + c[5] * (v * u)
        return plane


def _cell_centres(cells: int, length: int) -> np.ndarray:
    """Where `cv2.resize` (bilinear) samples ``cells`` grid points when stretching them to
    ``length`` px, as fractions of the image: grid point k sits at pixel (k + 0.5) * length / cells - 0.5."""
    return ((np.arange(cells) + 0.5) * (length / cells) - 0.5) / length - 0.5


def _design(ys: np.ndarray, xs: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The quadratic's terms at pixel rows ``ys``, columns ``xs`` of an image of ``size``, ``Nx6``
    (the order of `BackgroundSurface.coef`; `BackgroundSurface._plane` sums the same terms over
    a grid, separably)."""
    v, u = ys / size[0] - 0.5, xs / size[1] - 0.5
    return np.stack([np.ones_like(u), u, v, u * u, v * v, u * v], axis=-1)


def _least_squares(design: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Least-squares fit via the (6x6) normal equations, lightly regularised."""
    gram = design.T @ design + 1e-6 * np.eye(design.shape[1])
    coef: np.ndarray = np.linalg.solve(gram, design.T @ value)
    return coef


@dataclass(frozen=True)
class Background:
    """The background as the image border shows it.

    surface: the fitted smooth background; colour: its typical colour (the border's median,
    uint8 RGB); tolerance: the distance up to which a pixel still counts as background (adapted
    to the border's noise); uniformity: the share of border pixels that match the surface (1.0
    for a clean studio packshot, white or a plain colour, evenly lit or not).
    """

    surface: BackgroundSurface
    colour: np.ndarray
    tolerance: int
    uniformity: float

    @property
    def uniform(self) -> bool:
        """A plain backdrop: nearly all of the border matches the surface."""
        return self.uniformity >= _UNIFORM

    @property
    def luma(self) -> float:
        red, green, blue = (float(v) for v in self.colour)
        return 0.299 * red + 0.587 * green + 0.114 * blue


def fit_background(rgb: np.ndarray) -> Background:
    """The background of an ``HxWx3`` uint8 image, fitted to a band along its border."""
    height, width = rgb.shape[:2]
    ys, xs = _border_pixels(height, width, max(2, min(height, width) // 256))
    values = rgb[ys, xs].astype(np.float64)
    colour = np.median(values, axis=0).round()
    surface = BackgroundSurface.fit(values, ys, xs, (height, width), colour)
    misfit = surface.misfit(values, _design(ys, xs, (height, width)))
    matching = misfit <= _BORDER_MATCH
    noise = float(np.percentile(misfit[matching], 99)) if matching.any() else float(_MAX_TOL)
    tolerance = int(np.clip(round(noise) + 4, _MIN_TOL, _MAX_TOL))
    return Background(surface, colour.astype(np.uint8), tolerance, float(matching.mean()))


def border_strips(height: int, width: int, band: int) -> list[tuple[int, int, int, int]]:
    """The ``(y0, y1, x0, x1)`` strips within ``band`` px of the image edge: the top and bottom
    strips, then the left and right ones between them (each pixel in one strip; none empty)."""
    band = max(1, min(band, height // 2, width // 2))
    strips = [(0, band, 0, width), (height - band, height, 0, width)]
    strips += [(band, height - band, 0, band), (band, height - band, width - band, width)]
    return [(y0, y1, x0, x1) for y0, y1, x0, x1 in strips if y1 > y0 and x1 > x0]


def _border_pixels(height: int, width: int, band: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the pixels within ``band`` px of the image edge (each once)."""
    grids = [np.mgrid[y0:y1, x0:x1].reshape(2, -1) for y0, y1, x0, x1 in border_strips(height, width, band)]
    ys, xs = np.concatenate(grids, axis=1)
    return ys, xs


def background_distance(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Distance of every pixel to the background fitted to the image border.

    Returns ``(distance, background_rgb, tolerance, border_uniformity)``: distance is ``HxW``
    uint8 (max channel difference to the surface), background_rgb its typical colour; see
    `Background` for the rest.
    """
    background = fit_background(rgb)
    return background.surface.distance(rgb), background.colour, background.tolerance, background.uniformity


def distance_to(rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Max channel difference of every pixel to one colour, ``HxW`` uint8."""
    scalar = (float(background[0]), float(background[1]), float(background[2]), 0.0)
    difference = cv2.absdiff(rgb, scalar)  # type: ignore[call-overload]  # a Scalar is allowed
    return _channel_max(difference)


def _channel_max(arr: np.ndarray) -> np.ndarray:
    """Per-pixel max over channels of an ``HxWx3`` uint8 array (OpenCV: ~10x numpy's speed)."""
    red, green, blue = cv2.split(np.ascontiguousarray(arr))
    return cv2.max(cv2.max(red, green), blue)


def chroma(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel max - min over channels (0 = grey), ``HxW`` uint8."""
    red, green, blue = cv2.split(np.ascontiguousarray(rgb))
    return cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))


def disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def padded_box(mask: np.ndarray, pad: int) -> tuple[slice, slice] | None:
    """The bounding box of a mask's set pixels grown by `pad` px (clipped), or None if empty."""
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    if w == 0 or h == 0:
        return None
    return (
        slice(max(0, y - pad), min(mask.shape[0], y + h + pad)),
        slice(max(0, x - pad), min(mask.shape[1], x + w + pad)),
    )


def enclosed_holes(
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
        ring = cv2.dilate(region.astype(np.uint8), disk(4)).astype(bool) & ~region
        if not ring.any() or float(np.median(dist[ring])) < _HOLE_RING_CONTRAST:
            continue
        radius = float(cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 3).max())
        if radius >= min_radius:
            holes[y0:y1, x0:x1] |= region
    return holes


def contact_shadow(
    inside: np.ndarray,
    outside: np.ndarray,
    rgb: np.ndarray,
    distance: np.ndarray,
    chroma_map: np.ndarray,
    background: np.ndarray,
    tolerance: int,
) -> np.ndarray:
    """A soft grey contact shadow under the product, darker than `_floor_reflection` accepts.

    A shadow is the floor made darker: grey (low chroma), darker than the background but not
    black, smooth (no edges inside it), and it *fades* into the background: where it meets the
    surrounding background its colour is almost background. It hangs under the product (product
    above it in some of its columns, no clearly visible product below it) in the lower half of
    the product, and is wider than tall. A grey product part (a sole, a base) differs in one
    of those: its edge against the background is sharp (a step, not a fade), or product lies
    below it.
    """
    shadow = np.zeros_like(inside)
    rows = np.flatnonzero(inside.any(axis=1))
    if rows.size == 0:
        return shadow
    cols = np.flatnonzero(inside.any(axis=0))
    top, bottom = int(rows[0]), int(rows[-1])
    # Work on the lower half of the product's box (+1 px so the background around it is seen).
    y0, y1 = top + (bottom - top) // 2, min(inside.shape[0], bottom + 2)
    x0, x1 = max(0, int(cols[0]) - 1), min(inside.shape[1], int(cols[-1]) + 2)
    window = (slice(y0, y1), slice(x0, x1))
    sub_inside = inside[window]
    dist = distance[window]
    luma = cv2.cvtColor(np.ascontiguousarray(rgb[window]), cv2.COLOR_RGB2GRAY)
    bg_luma = float(0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2])
    # Local slope: the range of the distance in a 3x3 neighbourhood (a sharp edge: its full contrast).
    slope = cv2.morphologyEx(dist, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    candidate = (
        sub_inside
        & (chroma_map[window] <= _SHADOW_MAX_CHROMA)
        & (dist <= _SHADOW_MAX_DISTANCE)
        & (luma < bg_luma - tolerance / 2)
        & (slope <= _SHADOW_MAX_SLOPE)
    )
    if not candidate.any():
        return shadow
    lowest_strong = _lowest_rows(sub_inside & ~candidate)  # per column, in window rows
    topmost_inside = np.argmax(inside[:y1, x0:x1], axis=0) - y0  # per column, in window rows
    sub_outside = outside[window].astype(np.uint8)
    near_outside = cv2.dilate(sub_outside, disk(1)).astype(bool)
    rim_zone = cv2.dilate(sub_outside, disk(3)).astype(bool)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=8)
    min_area = max(_HOLE_MIN_PX, int(0.002 * np.count_nonzero(inside)))
    big = (stats[:, cv2.CC_STAT_AREA] >= min_area) & (stats[:, cv2.CC_STAT_WIDTH] >= stats[:, cv2.CC_STAT_HEIGHT])
    for label in np.flatnonzero(big[1:]) + 1:  # texture makes thousands of specks: skip them at once
        x, y, w, h, _area = (int(v) for v in stats[label])
        region: np.ndarray = np.equal(labels[y : y + h, x : x + w], label)
        if np.count_nonzero(region & near_outside[y : y + h, x : x + w]) < max(8, w // 4):
            continue  # not against the background along a real stretch: an inner grey part
        box_dist = dist[y : y + h, x : x + w]
        depth = float(np.percentile(box_dist[region], 95))
        faint = max(2.5 * tolerance, 0.4 * depth)
        if depth < 2 * tolerance or float(np.median(box_dist[region & rim_zone[y : y + h, x : x + w]])) > faint:
            continue  # too faint to matter (the floor test handles it), or a sharp edge
        # Row by row, a shadow fades out at both ends; a grey band of the product (a softly lit
        # bottle base) ends against the rest of the product, at full contrast.
        filled = np.flatnonzero(region.any(axis=1))
        first = np.argmax(region[filled], axis=1)
        last = w - 1 - np.argmax(region[filled, ::-1], axis=1)
        ends = np.concatenate([box_dist[filled, first], box_dist[filled, last]])
        if float(np.mean(ends <= faint)) < 0.8:
            continue
        columns = region.any(axis=0)
        lowest = y + h - 1 - np.argmax(region[::-1], axis=0)
        highest = y + np.argmax(region, axis=0)
        below = np.mean((lowest_strong[x : x + w] > lowest)[columns])
        above = np.mean((topmost_inside[x : x + w] < highest)[columns])
        if below <= 0.1 and above >= 0.2:
            shadow[y0 + y : y0 + y + h, x0 + x : x0 + x + w] |= region
    return shadow


def floor_reflection(
    inside: np.ndarray, outside: np.ndarray, chroma_map: np.ndarray, distance: np.ndarray
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
    pale = inside & ~strong & (chroma_map <= _FLOOR_MAX_CHROMA)
    rows = np.flatnonzero(strong.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1])
    middle = top + (bottom - top) // 2
    strong_area = int(np.count_nonzero(strong))
    near_outside = cv2.dilate(outside.astype(np.uint8), disk(1)).astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pale.astype(np.uint8), connectivity=8)
    lowest_strong = _lowest_rows(strong)  # per column: the lowest clearly visible product pixel
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
        below = np.mean((lowest_strong[x : x + w] > y + lowest)[columns])
        if above >= 0.6 and below <= 0.1 and (region & near_outside[y : y + h, x : x + w]).any():
            floor[y : y + h, x : x + w] |= region
    return floor


def _lowest_rows(mask: np.ndarray) -> np.ndarray:
    """Per column, the row of the lowest set pixel (-1 where the column is empty)."""
    lowest = mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0)
    return np.where(mask.any(axis=0), lowest, -1)


def keep_significant(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep components at least `_KEEP_FRACTION` of the largest one."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, dtype=np.uint8)
    keep[1:] = areas >= max(4, _KEEP_FRACTION * areas.max())
    kept: np.ndarray = keep[labels]
    return kept

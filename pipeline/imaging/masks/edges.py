"""The product's outline: its alpha ramp, and how far to trust where it runs.

On a crisp packshot the outline is where the background flood stopped; the edge pixels, part
product and part background, get their alpha from colour (`_soft_alpha`), so no pale fringe
shows on a dark scene. Fur and out-of-focus edges ramp up over many pixels: there each edge
pixel's cover is read from its colour and the outline put at half cover (`_soft_edge_alpha`).

`edge_doubts` measures two reasons to doubt the outline, which lower the mask's confidence:
the colour just outside it is not plain background (a white label on an off-white background
taken for background), and soft edges whose transparency had to be estimated.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.imaging.masks.background import BackgroundSurface, border_strips, disk

__all__ = ["edge_doubts", "edge_alpha"]

# --- tuning, in one place -------------------------------------------------------------------
_EDGE_MIN_CONTRAST = 48  # edge alpha is measured from colour where product differs this much
_RING_INNER, _RING_OUTER = 6, 14  # px outside the outline where the colour should be background ...
_AMBIGUOUS_MIN = 1.5  # ... within this (local mean, levels) or twice the border's own deviation ...
_AMBIGUOUS_SHARE = 0.15  # ... along all but this share of the outline
_SOFT_NEAR, _SOFT_DEEP = 3, 9  # a soft edge: 3 px inside the outline, the colour has < 60% ...
_SOFT_SHARE = 0.6  # ... of its contrast 8 px in, along more than this share of the outline
_DOUBT_SIDE = 640  # edges are judged on the image scaled down to about this many px
_LOCAL_MARGIN = _RING_OUTER + 6  # the background near the product is modelled from pixels this far out ...
_LOCAL_GROW = 0.5  # ... within the product's box grown by this share of its size on each side ...
_LOCAL_MIN_PX = 500  # ... when there are at least this many (else the border's surface serves)
_SOFT_EDGE_FACTOR = 0.9  # confidence left after measuring a soft edge's transparency from colour


def edge_alpha(
    solid: np.ndarray,
    rgb: np.ndarray,
    distance: np.ndarray,
    background: np.ndarray,
    soft: float,
    full_shape: tuple[int, ...],
) -> tuple[np.ndarray, list[tuple[float, str]]]:
    """Alpha over the product's box (`solid`, `rgb`, `distance` cut to it) and the doubts it
    leaves, as (confidence factor, note) pairs. `soft` is `edge_doubts`' share of soft outline;
    `full_shape` the whole image's, which sets the scale the ramp is measured at."""
    if soft > _SOFT_SHARE:
        # Fur, an out-of-focus edge: the outline above sits where the ramp starts (a few % cover).
        # Read each edge pixel's cover from its colour instead, and put the outline at half cover.
        measured = _soft_edge_alpha(solid, distance, (_SOFT_DEEP + 1) * _working_factor(full_shape))
        if measured is not None:
            note = f"soft edges along {soft:.0%} of the outline: their transparency is estimated from colour"
            return measured, [(_SOFT_EDGE_FACTOR, note)]
    alpha = _soft_alpha(solid, rgb, background)
    if soft > _SOFT_SHARE:
        return alpha, [(0.6, f"soft edges along {soft:.0%} of the outline: where the product ends is a guess there")]
    return alpha, []


def edge_doubts(
    solid: np.ndarray, rgb: np.ndarray, surface: BackgroundSurface, left_out: np.ndarray
) -> tuple[list[tuple[float, str]], float]:
    """Measurable reasons to doubt the outline: ``(doubts, soft)``, where doubts are (confidence
    factor, note) pairs and soft the share of the outline with a soft edge (0..1).

    * Unclean surroundings: a few pixels outside the outline the colour should be plain
      background. Where it is faintly but consistently off (a white label on an off-white
      background that the flood took for background, product fading into the background), the
      outline runs through something that is neither. Measured on a ring 6-14 px outside the
      mask (past JPEG ringing), on the local mean of the colour minus a smooth background model
      fitted to the background around the product (`_near_background`: a backdrop's light
      falloff need not be one the border alone predicts), against the same measure on the
      border itself (the backdrop's own grain, measured against `surface`, fitted to the border).
    * Soft edges: on a crisp packshot the colour reaches its full contrast 1-2 px inside the
      outline; on fur or an out-of-focus edge it is still ramping up 6 px in, so where exactly
      the product ends (and which pixels are half background) is a guess.

    Measured on the image shrunk by the integer factor that brings it closest to `_DOUBT_SIDE`
    px (near the scale the thresholds were calibrated at; 4x less work on a 1024 px photo).
    """
    shrink = _working_factor(solid.shape)  # an integer: a fast, exact box filter
    if shrink > 1:
        size = (max(1, solid.shape[1] // shrink), max(1, solid.shape[0] // shrink))
        crop = (slice(0, size[1] * shrink), slice(0, size[0] * shrink))
        rgb = cv2.resize(rgb[crop], size, interpolation=cv2.INTER_AREA)
        solid = (cv2.resize(solid[crop] * np.uint8(255), size, interpolation=cv2.INTER_AREA) >= 128).astype(np.uint8)
        left_out = cv2.resize(left_out[crop].astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
    distance = surface.distance(rgb)
    rows = np.flatnonzero(solid.any(axis=1))
    if rows.size == 0:
        return [], 0.0
    cols = np.flatnonzero(solid.any(axis=0))
    height, width = solid.shape
    pad = _RING_OUTER + 4
    y0, y1 = max(0, int(rows[0]) - pad), min(height, int(rows[-1]) + pad + 1)
    x0, x1 = max(0, int(cols[0]) - pad), min(width, int(cols[-1]) + pad + 1)
    box = solid[y0:y1, x0:x1]
    doubts: list[tuple[float, str]] = []
    soft = 0.0

    # --- unclean surroundings ---
    out_dist = cv2.distanceTransform((box == 0).astype(np.uint8), cv2.DIST_L2, 3)
    ring = (out_dist >= _RING_INNER) & (out_dist <= _RING_OUTER)
    if left_out.any():  # floor shadows left out are explained already, with their fading tails
        to_left_out = cv2.distanceTransform((~left_out[y0:y1, x0:x1]).astype(np.uint8), cv2.DIST_L2, 3)
        ring &= to_left_out > _RING_OUTER
    if np.count_nonzero(ring) >= 32:
        near = _near_background(solid, rgb, left_out, surface)
        clear = (out_dist >= 2).astype(np.float32)
        modelled = near.render((y0, y1), (x0, x1), (height, width))
        residual = (rgb[y0:y1, x0:x1].astype(np.float32) - modelled) * clear[:, :, None]
        level = _local_level(residual, clear)
        threshold = max(_AMBIGUOUS_MIN, 2.0 * _border_level(rgb, surface) + 0.5)
        share = float(np.count_nonzero(level[ring] > threshold)) / float(np.count_nonzero(ring))
        if share > _AMBIGUOUS_SHARE:
            factor = 1.0 - 0.4 * float(np.clip((share - _AMBIGUOUS_SHARE) / 0.12, 0.0, 1.0))
            doubts.append((factor, f"edges blend into the background along {share:.0%} of the outline"))

    # --- soft edges ---
    # Pair each pixel 2 px inside the outline with the nearest one 8 px in: on a crisp edge both
    # carry the product's full contrast to the background, on a soft edge the outer one is
    # still part background.
    depth = cv2.distanceTransform(box, cv2.DIST_L2, 3)
    deep = ((depth >= _SOFT_DEEP) & (depth < _SOFT_DEEP + 1)).astype(np.uint8)
    near_y, near_x = np.nonzero((depth >= _SOFT_NEAR - 0.5) & (depth < _SOFT_NEAR + 0.5))
    if deep.any() and near_y.size >= 32:
        _, nearest = cv2.distanceTransformWithLabels(1 - deep, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
        seeds = np.argwhere(deep > 0)  # label k <-> k-th deep pixel in raster order
        deep_y, deep_x = seeds[nearest[near_y, near_x] - 1].T
        dist = distance[y0:y1, x0:x1]
        full = dist[deep_y, deep_x].astype(np.float32)
        measurable = full >= 40  # against a barely visible product there is no edge to judge
        if np.count_nonzero(measurable) >= 32:
            ratio = dist[near_y, near_x][measurable].astype(np.float32) / full[measurable]
            soft = float(np.mean(ratio < 0.6))
    return doubts, soft


def _near_background(
    solid: np.ndarray, rgb: np.ndarray, left_out: np.ndarray, surface: BackgroundSurface
) -> BackgroundSurface:
    """The background just around the product, fitted to the background pixels near it.

    A surface fitted to the border extrapolates to the middle of the image, where the product
    is; a light's falloff (a hot spot, a vignette) often peaks just there, several levels off
    the extrapolation. Fitted to the background `_LOCAL_MARGIN` px and more outside the product
    (in its box grown by half), it interpolates across the ring instead. Pixels that close to
    the outline are left out, and a label the flood took for background is a small step among
    them, which the smooth fit does not follow. `surface` when too few pixels are around.
    """
    height, width = solid.shape
    x, y, w, h = cv2.boundingRect(solid)
    grow_x, grow_y = int(_LOCAL_GROW * w) + _LOCAL_MARGIN, int(_LOCAL_GROW * h) + _LOCAL_MARGIN
    window = (slice(max(0, y - grow_y), y + h + grow_y), slice(max(0, x - grow_x), x + w + grow_x))
    away = cv2.distanceTransform((solid[window] == 0).astype(np.uint8), cv2.DIST_L2, 3) >= _LOCAL_MARGIN
    if left_out.any():  # a shadow left out, and its fading tail, is not the backdrop
        away &= cv2.distanceTransform((~left_out[window]).astype(np.uint8), cv2.DIST_L2, 3) > _RING_OUTER
    ys, xs = np.nonzero(away)
    if ys.size < _LOCAL_MIN_PX:
        return surface
    ys, xs = ys + window[0].start, xs + window[1].start
    values = rgb[ys, xs].astype(np.float64)
    return BackgroundSurface.fit(values, ys, xs, (height, width), np.median(values, axis=0).round())


def _border_level(rgb: np.ndarray, surface: BackgroundSurface) -> float:
    """How far the border strays from `surface`, measured like the ring: the 99th percentile of
    the local mean of the residual along a band a few px deeper than the one it was fitted to."""
    height, width = rgb.shape[:2]
    band = min(max(2, min(height, width) // 256) + 6, max(1, min(height, width) // 4))
    levels = []
    for y0, y1, x0, x1 in border_strips(height, width, band):
        residual = rgb[y0:y1, x0:x1].astype(np.float32) - surface.render((y0, y1), (x0, x1), (height, width))
        levels.append(_local_level(residual, np.ones((y1 - y0, x1 - x0), np.float32)).ravel())
    return float(np.percentile(np.concatenate(levels), 99))


def _working_factor(shape: tuple[int, ...]) -> int:
    """The integer factor that brings an image's longer side closest to `_DOUBT_SIDE` px."""
    return max(1, int(max(shape[:2]) / _DOUBT_SIDE + 0.5))


def _soft_edge_alpha(solid: np.ndarray, distance: np.ndarray, ramp: int) -> np.ndarray | None:
    """Alpha for a soft-edged product: each pixel within `ramp` px of the outline is a blend of
    the product colour (the nearest pixel `ramp` px in) and the background, and its distance to
    the background says how much product it holds. Pixels under half cover that reach the outline
    through each other are peeled off (alpha = their cover); the rest stay product (alpha >= 128),
    so a pale spot near the edge is never punched out. None when the product is too thin to have
    an inside `ramp` px deep."""
    depth = cv2.distanceTransform(solid, cv2.DIST_L2, 3)
    deep = (depth >= ramp).astype(np.uint8)
    ys, xs = np.nonzero((solid > 0) & (depth < ramp))
    if not deep.any() or ys.size == 0:
        return None
    _, nearest = cv2.distanceTransformWithLabels(1 - deep, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    seeds = np.argwhere(deep > 0)  # label k <-> k-th deep pixel in raster order
    sy, sx = seeds[nearest[ys, xs] - 1].T
    full = distance[sy, sx].astype(np.float32)
    cover = np.where(full >= 40, distance[ys, xs].astype(np.float32) / np.maximum(full, 1.0), 1.0)
    cover = np.clip(cover, 0.0, 1.0)
    thin = np.zeros(solid.shape, np.uint8)
    thin[ys, xs] = cover < 0.5
    count, labels = cv2.connectedComponents(thin, connectivity=8)
    outline = depth[ys, xs] < 1.5
    reaches = np.zeros(count, dtype=bool)
    reaches[labels[ys[outline], xs[outline]]] = True
    reaches[0] = False
    peeled = reaches[labels[ys, xs]]
    alpha = np.where(solid > 0, np.float32(255.0), np.float32(0.0))
    alpha[ys, xs] = np.where(peeled, cover, np.maximum(cover, 0.5)) * 255.0
    return np.clip(alpha.round(), 0, 255).astype(np.uint8)


def _soft_alpha(solid: np.ndarray, rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Anti-aliased alpha with no background halo.

    Geometric edge: the boundary is pulled 1 px inward and blurred, a ~2 px ramp. Where the
    product's edge colour differs clearly from the background, the edge pixels' alpha is then
    measured from their colour instead: an edge pixel p blends the product colour F (its
    nearest interior pixel) with the background B, so alpha = (p-B).(F-B) / |F-B|^2. A 214-grey
    pixel between a black strap and white is then ~16% opaque, not 25-75%, so no pale fringe
    shows on a dark scene. Interior pixels stay exactly 255.
    """
    eroded = cv2.erode(solid, disk(1))
    alpha = cv2.GaussianBlur(eroded.astype(np.float32) * 255.0, (0, 0), 0.8)
    interior = cv2.erode(solid, disk(2))
    band = cv2.dilate(solid, disk(1)).astype(bool) & ~interior.astype(bool)
    # Only interior pixels near the band can be nearest to it: keep the seed list edge-sized.
    seeds_mask = ((interior > 0) & (cv2.dilate(band.astype(np.uint8), disk(4)) > 0)).astype(np.uint8)
    if seeds_mask.any() and band.any():
        _, nearest = cv2.distanceTransformWithLabels(1 - seeds_mask, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
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


def _local_level(residual: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Max over channels of the |local mean| (7x7, over weighted pixels) of a colour residual."""
    count = np.maximum(cv2.boxFilter(weight, -1, (7, 7), normalize=False), 1.0)
    total = cv2.boxFilter(np.ascontiguousarray(residual), -1, (7, 7), normalize=False)
    red, green, blue = (np.abs(channel) for channel in cv2.split(total))
    return cv2.max(cv2.max(red, green), blue) / count

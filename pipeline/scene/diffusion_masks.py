"""Geometry of the diffusion backend: generation buckets, the init image and mask given to the model,
fitting the generated background to the channel, and the halo measure.

The halo. The model keeps (does not repaint) what the mask marks black, at the resolution its
denoiser sees the mask: SD and SDXL shrink it to latent cells (8 x 8 px, nearest neighbour), Flux
Fill packs every pixel into channels. A kept cell reproduces the init image, whose background is a
flat fill; where a kept cell reaches past the product's opaque pixels, that flat fill shows in the
banner as a ring around the product (up to 21 px at 1080 px for SD 1.5 when the mask was shrunk
with nearest-neighbour sampling). So the mask is built at the denoiser's cell grid: a cell is kept
only when every canvas pixel it stands for, widened by the support of the bicubic resize that fits
the background to the channel, is opaque product. Everything else is repainted; the product layer
is composited over it at channel size afterwards, so its own pixels are untouched either way.
`stray_ring_width` measures what is left of the ring (0 by construction; the tests and
bench/bench_diffusion_halo.py measure it on the mask each tiny model actually received).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from PIL import Image, ImageColor

from pipeline.imaging.geometry import Box

__all__ = [
    "BUCKET_FAMILIES",
    "buckets_for",
    "pick_bucket",
    "cover",
    "fit_to_size",
    "inpaint_inputs",
    "kept_cells",
    "stray_ring_width",
    "received_masks",
    "BICUBIC_SUPPORT",
]

# Aspect families (width / height), from the usual SDXL training buckets.
BUCKET_FAMILIES: tuple[tuple[str, float], ...] = (
    ("square", 1.0),
    ("portrait", 896 / 1152),  # 4:5 feeds
    ("tall", 768 / 1344),  # 9:16 stories
    ("landscape", 1152 / 896),
    ("wide", 1344 / 768),  # 16:9
    ("panorama", 1536 / 640),  # web heroes, 3:1 and wider
)

#: Radius (source px) of Pillow's bicubic kernel when enlarging; shrinking widens it by the factor.
BICUBIC_SUPPORT = 2


def buckets_for(base: int, step: int | None = None) -> dict[str, tuple[int, int]]:
    """Bucket (width, height) per family for a model whose native size is `base` px square: about
    base^2 pixels each, sides multiples of `step` (default: 64 for real models, 8 for tiny ones;
    the backend passes its family's `bucket_step`)."""
    if step is None:
        step = 64 if base >= 512 else 8
    out = {}
    for name, aspect in BUCKET_FAMILIES:
        w = max(step, round(base * math.sqrt(aspect) / step) * step)
        h = max(step, round(base / math.sqrt(aspect) / step) * step)
        out[name] = (w, h)
    return out


def pick_bucket(size: tuple[int, int], base: int, step: int | None = None) -> tuple[str, tuple[int, int]]:
    """The family whose aspect is nearest (in log ratio) to the channel size, and its bucket."""
    aspect = size[0] / size[1]
    name, _ = min(BUCKET_FAMILIES, key=lambda fa: abs(math.log(aspect / fa[1])))
    return name, buckets_for(base, step)[name]


def cover(bucket: tuple[int, int], size: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Size of the bucket scaled to cover `size`, and the offset of `size` centred inside it."""
    s = max(size[0] / bucket[0], size[1] / bucket[1])
    cw, ch = max(size[0], math.ceil(bucket[0] * s - 1e-9)), max(size[1], math.ceil(bucket[1] * s - 1e-9))
    return (cw, ch), ((cw - size[0]) // 2, (ch - size[1]) // 2)


def fit_to_size(generated: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale a generated background to cover `size` and centre-crop it (backgrounds only)."""
    (cw, ch), (ox, oy) = cover(generated.size, size)
    big = generated.convert("RGB").resize((cw, ch), Image.Resampling.BICUBIC)
    return big.crop((ox, oy, ox + size[0], oy + size[1]))


def _min_pool(values: np.ndarray, out_shape: tuple[int, int]) -> np.ndarray:
    """Each output pixel: the minimum over every input pixel it overlaps (any fraction)."""
    h, w = values.shape
    ys = [(math.floor(i * h / out_shape[0]), math.ceil((i + 1) * h / out_shape[0])) for i in range(out_shape[0])]
    xs = [(math.floor(j * w / out_shape[1]), math.ceil((j + 1) * w / out_shape[1])) for j in range(out_shape[1])]
    rows = np.stack([values[a:b].min(axis=0) for a, b in ys])
    return np.stack([rows[:, a:b].min(axis=1) for a, b in xs], axis=1)


def _erode(kept: np.ndarray, radius: int, *, border: bool = False) -> np.ndarray:
    """`kept` with every pixel within `radius` (square) of a non-kept pixel dropped; pixels past
    the edge count as `border`."""
    if radius <= 0:
        return kept
    # a square minimum filter is separable: rows, then columns (plain numpy: no OpenCV needed here)
    out = kept
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], constant_values=border)
        length = out.shape[axis]
        shifted = [np.take(padded, range(i, i + length), axis=axis) for i in range(2 * radius + 1)]
        out = np.logical_and.reduce(shifted)
    return np.asarray(out, dtype=bool)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """`mask` grown by `radius` px (square)."""
    return ~_erode(~mask, radius, border=True)


def kept_cells(size: tuple[int, int], alpha: np.ndarray, box: Box, bucket: tuple[int, int], cell: int) -> np.ndarray:
    """Bucket-sized bool, True where the model may keep the init image: whole `cell` x `cell`
    blocks (the denoiser's mask resolution) whose canvas pixels, widened by the bicubic support
    of `fit_to_size`, are all opaque product (`alpha` == 255, placed at `box` on a `size` canvas)."""
    (cw, ch), (ox, oy) = cover(bucket, size)
    opaque = np.zeros((ch, cw), bool)
    x0, y0 = ox + box[0], oy + box[1]
    opaque[y0 : y0 + alpha.shape[0], x0 : x0 + alpha.shape[1]] = alpha == 255
    at_bucket = _min_pool(opaque, (bucket[1], bucket[0]))
    # fit_to_size resamples the bucket to the cover size: a canvas pixel mixes bucket pixels up to
    # the bicubic support away (more when shrinking).
    at_bucket = _erode(at_bucket, math.ceil(BICUBIC_SUPPORT * max(1.0, bucket[0] / cw)))
    rows, cols = bucket[1] // cell, bucket[0] // cell
    cells = at_bucket[: rows * cell, : cols * cell].reshape(rows, cell, cols, cell).all(axis=(1, 3))
    kept = np.zeros((bucket[1], bucket[0]), bool)
    kept[: rows * cell, : cols * cell] = np.repeat(np.repeat(cells, cell, axis=0), cell, axis=1)
    return kept


def inpaint_inputs(
    size: tuple[int, int], layer: Image.Image, box: Box, fill: str, bucket: tuple[int, int], cell: int = 1
) -> tuple[Image.Image, Image.Image]:
    """Init image and mask (white = repaint) at bucket size for a product layer placed at `box`.

    The canvas is what the final banner shows: the bucket covers it (scale + centre crop), so the
    parts of the bucket outside the canvas are pure scene. Only whole denoiser cells (`cell` px)
    inside the opaque product are kept (`kept_cells`): no flat init background survives next to
    the product.
    """
    (cw, ch), (ox, oy) = cover(bucket, size)
    init = Image.new("RGB", (cw, ch), ImageColor.getrgb(fill))
    init.paste(layer, (ox + box[0], oy + box[1]), layer)
    kept = kept_cells(size, np.asarray(layer)[..., 3], box, bucket, cell)
    mask = Image.fromarray(np.where(kept, 0, 255).astype(np.uint8), "L")
    return init.resize(bucket, Image.Resampling.LANCZOS), mask


def stray_ring_width(
    kept: np.ndarray, size: tuple[int, int], alpha: np.ndarray, box: Box, bucket: tuple[int, int]
) -> int:
    """Widest ring (channel px) of init image the model kept outside the opaque product.

    `kept` is bucket-sized, True where the denoiser kept the init image (as it received the mask).
    Each kept bucket pixel reaches the channel through `fit_to_size` (cover scale, bicubic: its
    support widens it); every channel pixel it reaches that is not opaque product is stray, and
    the ring's width is the largest distance (px, chessboard) of a stray pixel from the product."""
    import cv2

    (cw, ch), (ox, oy) = cover(bucket, size)
    sx, sy = cw / bucket[0], ch / bucket[1]  # equal but for the rounding of the cover size
    reach = _dilate(kept, math.ceil(BICUBIC_SUPPORT * max(1.0, 1 / min(sx, sy))))
    ys = np.minimum(((np.arange(ch) + 0.5) / sy).astype(int), bucket[1] - 1)
    xs = np.minimum(((np.arange(cw) + 0.5) / sx).astype(int), bucket[0] - 1)
    reached = reach[np.ix_(ys, xs)][oy : oy + size[1], ox : ox + size[0]]
    opaque = np.zeros((size[1], size[0]), bool)
    opaque[box[1] : box[1] + alpha.shape[0], box[0] : box[0] + alpha.shape[1]] = alpha == 255
    stray = reached & ~opaque
    if not stray.any():
        return 0
    if not opaque.any():  # nothing to measure from: the whole kept area is stray
        return max(size)
    # chessboard distance of every pixel from the nearest opaque product pixel
    distance = cv2.distanceTransform((~opaque).astype(np.uint8), cv2.DIST_C, 3)
    return int(distance[stray].max())


@contextmanager
def received_masks(pipe: Any) -> Iterator[list[np.ndarray]]:
    """While inside, every mask the pipeline hands its denoiser is recorded, as a bucket-sized
    bool array per image (True: kept, the init image reproduced). Read from the pipeline's own
    `prepare_mask_latents`: SD / SDXL return the mask per latent cell (doubled for classifier-free
    guidance), Flux Fill packs it per pixel into channels (unpacked here)."""
    seen: list[np.ndarray] = []
    original = pipe.prepare_mask_latents
    scale = int(pipe.vae_scale_factor)

    def recording(*args: Any) -> Any:
        # (mask, masked_image, batch_size, ...): every inpainting pipeline passes these positionally
        out = original(*args)
        mask, batch = out[0].detach().float().cpu(), int(args[2])
        if mask.ndim == 4:  # (batch [x2 for guidance], 1, h / scale, w / scale)
            kept = mask[:batch, 0].numpy() < 0.5
            seen.extend(kept.repeat(scale, axis=1).repeat(scale, axis=2))
        else:  # Flux: (batch, tokens, scale^2 x 4): 2x2 latent cells a token, scale^2 pixels a cell
            height, width = (2 * (int(v) // (scale * 2)) for v in args[5:7])  # latent cells
            cells = mask[:batch].view(batch, height // 2, width // 2, scale * scale, 2, 2)
            cells = cells.permute(0, 3, 1, 4, 2, 5).reshape(batch, scale, scale, height, width)
            pixels = cells.permute(0, 3, 1, 4, 2).reshape(batch, height * scale, width * scale)
            seen.extend(pixels.numpy() < 0.5)
        return out

    pipe.prepare_mask_latents = recording
    try:
        yield seen
    finally:
        del pipe.prepare_mask_latents  # the class's method again

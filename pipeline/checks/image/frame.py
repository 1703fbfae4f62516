"""What every image check shares: the image as arrays converted once (`Frame`), the context in the
image's own pixel grid (`fit_context`), where the design sits (`designed_mask`), box arithmetic,
colour conversions (CIELAB, CIEDE2000, WCAG luminance) and the `result` constructor.

Boxes are `pipeline.imaging.geometry.Box`: (x0, y0, x1, y1), x1/y1 exclusive, in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import ImageContext
from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.color import relative_luminance
from pipeline.imaging.geometry import Box
from pipeline.model.brand import hex_to_rgb

__all__ = [
    "Frame",
    "as_frame",
    "fit_context",
    "unscale",
    "scale_of",
    "designed_mask",
    "grid_stride",
    "result",
    "clip_box",
    "box_area",
    "intersection",
    "expand",
    "fmt_box",
    "scale_box",
    "luminance",
    "hex_luminance",
    "to_hex",
    "lab",
    "lab_to_hex",
    "delta_e",
]


@dataclass
class Frame:
    """The image as arrays, converted once and shared by the checks of one run."""

    image: Image.Image
    rgb: np.ndarray  # HxWx3 uint8
    _gray: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    @property
    def gray(self) -> np.ndarray:
        if self._gray is None:
            self._gray = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)
        return self._gray


def as_frame(image: Image.Image) -> Frame:
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    return Frame(image, rgb)


def result(
    check: str, verdict: Verdict, code: str, message: str, score: float | None = None, box: Box | None = None
) -> CheckResult:
    """A CheckResult with the score rounded to 4 decimals and the box as plain ints (JSON-ready)."""
    return CheckResult(
        check,
        verdict,
        code,
        message,
        None if score is None else round(float(score), 4),
        None if box is None else (int(box[0]), int(box[1]), int(box[2]), int(box[3])),
    )


# --------------------------------------------------------------------------- colour

# WCAG relative luminance of each channel value alone, computed by `relative_luminance` itself
# (black is 0, so the other two terms add exactly 0.0): summing the three looked-up terms is the
# same float64 arithmetic in the same order, so `luminance` is bit-identical to
# `relative_luminance`, and ~15x faster on a text block's crop than a power per channel.
_V = np.arange(256, dtype=np.uint8)
_Z = np.zeros(256, dtype=np.uint8)
_LUM_R = relative_luminance(np.stack([_V, _Z, _Z], axis=-1))
_LUM_G = relative_luminance(np.stack([_Z, _V, _Z], axis=-1))
_LUM_B = relative_luminance(np.stack([_Z, _Z, _V], axis=-1))
del _V, _Z


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of (..., 3) uint8 sRGB: `relative_luminance`, by table look-up."""
    lum: np.ndarray = _LUM_R[rgb[..., 0]] + _LUM_G[rgb[..., 1]] + _LUM_B[rgb[..., 2]]
    return lum


def hex_luminance(value: str) -> float:
    return float(relative_luminance(np.array(hex_to_rgb(value), dtype=np.uint8)))


def to_hex(rgb: Sequence[float] | np.ndarray) -> str:
    r, g, b = (int(np.clip(round(float(c)), 0, 255)) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def lab(rgb: np.ndarray) -> np.ndarray:
    """(...,3) uint8 sRGB -> CIELAB (D65), float64."""
    from skimage.color import rgb2lab

    arr = np.asarray(rgb, dtype=np.float64).reshape(-1, 1, 3) / 255.0
    return np.asarray(rgb2lab(arr), dtype=np.float64).reshape(np.shape(rgb))


def lab_to_hex(value: np.ndarray) -> str:
    from skimage.color import lab2rgb

    rgb = lab2rgb(np.asarray(value, dtype=np.float64).reshape(1, 1, 3)).reshape(3) * 255
    return to_hex(rgb)


def delta_e(lab1: np.ndarray, lab2: np.ndarray, k_l: float = 1.0) -> np.ndarray:
    """CIEDE2000 between CIELAB arrays; `k_l` > 1 counts lightness differences less."""
    from skimage.color import deltaE_ciede2000

    return np.asarray(deltaE_ciede2000(lab1, lab2, kL=k_l), dtype=np.float64)  # type: ignore[no-untyped-call]


# --------------------------------------------------------------------------- boxes


def clip_box(box: Box, size: tuple[int, int]) -> Box:
    w, h = size
    x0, y0, x1, y1 = box
    return max(0, min(x0, w)), max(0, min(y0, h)), max(0, min(x1, w)), max(0, min(y1, h))


def box_area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersection(a: Box, b: Box) -> Box:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def expand(box: Box, px: int) -> Box:
    return box[0] - px, box[1] - px, box[2] + px, box[3] + px


def fmt_box(box: Box) -> str:
    return f"({box[0]}, {box[1]})-({box[2]}, {box[3]})"


def scale_box(box: Box, sx: float, sy: float) -> Box:
    return (
        int(math.floor(box[0] * sx)),
        int(math.floor(box[1] * sy)),
        int(math.ceil(box[2] * sx)),
        int(math.ceil(box[3] * sy)),
    )


# --------------------------------------------------------------------------- context in the image's grid


def fit_context(ctx: ImageContext, size: tuple[int, int]) -> ImageContext:
    """The context in the checked image's pixel grid (boxes and masks scaled when it differs)."""
    if ctx.format is None or ctx.format.size == size:
        return ctx
    sx, sy = size[0] / ctx.format.width, size[1] / ctx.format.height

    def mask(m: np.ndarray | None) -> np.ndarray | None:
        if m is None:
            return None
        return cv2.resize(m.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)

    return replace(
        ctx,
        text_blocks=tuple(replace(b, box=scale_box(b.box, sx, sy)) for b in ctx.text_blocks),
        logo_box=scale_box(ctx.logo_box, sx, sy) if ctx.logo_box else None,
        product_box=scale_box(ctx.product_box, sx, sy) if ctx.product_box else None,
        product_mask=mask(ctx.product_mask),
        overlay_mask=mask(ctx.overlay_mask),
        scene=ctx.scene.resize(size, Image.Resampling.BOX) if ctx.scene is not None else None,
    )


def unscale(box: Box | None, ctx: ImageContext, size: tuple[int, int]) -> Box | None:
    """A box found in the checked image, back in the designed canvas's coordinates."""
    if box is None or ctx.format is None or ctx.format.size == size:
        return box
    sx, sy = ctx.format.width / size[0], ctx.format.height / size[1]
    return scale_box(box, sx, sy)


def scale_of(ctx: ImageContext, size: tuple[int, int]) -> float:
    """Image px per designed (format) px."""
    if ctx.format is None:
        return 1.0
    return min(size[0] / ctx.format.width, size[1] / ctx.format.height)


def designed_mask(ctx: ImageContext, size: tuple[int, int], stride: int, logo_box: Box | None = None) -> np.ndarray:
    """On the `stride` grid: True where something designed sits (product, text, logo, plates)."""
    w, h = size
    gh, gw = -(-h // stride), -(-w // stride)
    out = np.zeros((gh, gw), dtype=bool)

    def put(box: Box, pad: int) -> None:
        x0, y0, x1, y1 = clip_box(expand(box, pad), size)
        out[y0 // stride : -(-y1 // stride), x0 // stride : -(-x1 // stride)] = True

    for b in ctx.text_blocks:
        # a block on a plate (CTA button, badge): the plate reaches about one text height beyond the glyphs
        put(b.box, max(4, round((1.2 if b.background else 0.2) * (b.box[3] - b.box[1]))))
    for box in (logo_box or ctx.logo_box, ctx.product_box if ctx.product_mask is None else None):
        if box is not None:
            put(box, 4)
    # The product mask is its opaque pixels: its soft (partly transparent) rim and the print
    # right at its edge (a strap's lettering) belong to the product too, hence the wider margin.
    for m, k in ((ctx.product_mask, 7), (ctx.overlay_mask, 3)):
        if m is not None and m.shape == (h, w):
            small = m[::stride, ::stride]
            out[: small.shape[0], : small.shape[1]] |= cv2.dilate(small.astype(np.uint8), np.ones((k, k), np.uint8)) > 0
    return out


def grid_stride(size: tuple[int, int], target: int = 80_000) -> int:
    """The subsampling step that leaves about `target` pixels of an image of `size`."""
    return max(1, round(math.sqrt(size[0] * size[1] / target)))

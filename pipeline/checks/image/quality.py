"""Image quality: `image.quality.sharpness` (the product is crisp), `image.quality.resolution`
(at least the format's size and aspect) and `image.quality.jpeg` (a JPEG is not over-compressed,
quality estimated from its quantisation tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import Frame, as_frame, box_area, clip_box, fit_context, fmt_box, result
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.model.brand import BrandGuide

__all__ = [
    "sharpness_of",
    "check_sharpness",
    "sharpness_on",
    "check_resolution",
    "estimate_jpeg_quality",
    "check_jpeg_quality",
]


def sharpness_of(gray: np.ndarray, mask: np.ndarray | None = None) -> float | None:
    """Contrast-free sharpness of a grey image region: RMS Laplacian / RMS gradient magnitude over
    its strong edges (gradient >= 30 % of the region's 99th percentile and >= 6 levels/px, so the
    backdrop's grain and flat areas do not count), inside `mask` when given.

    For an edge blurred by a Gaussian of sigma s, the Laplacian near the edge falls off as 1/s
    relative to the gradient, so the ratio measures how abruptly intensity turns at edges, not how
    much contrast the product has: a plain white bulb and a busy label score alike when crisp.
    None when the region has no edges to judge.
    """
    g = gray.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
    lap = cv2.Laplacian(g, cv2.CV_32F, ksize=1)
    mag2 = gx * gx + gy * gy
    if mask is not None:
        sel = mask
        m2 = mag2[sel]
        l2 = (lap * lap)[sel]
    else:
        m2 = mag2.ravel()
        l2 = (lap * lap).ravel()
    if m2.size < 50:
        return None
    thr = max(0.09 * float(np.percentile(m2, 99)), 36.0)  # squared: 30 % of p99, 6 levels/px
    strong = m2 >= thr
    if strong.sum() < 30:
        return None
    return float(math.sqrt(l2[strong].mean() / m2[strong].mean()))


def check_sharpness(
    image: Image.Image, brand: BrandGuide | None, ctx: ImageContext, settings: ImageCheckSettings
) -> list[CheckResult]:
    """Is the product crisp? `sharpness_of` on the product (mask eroded 2 px, else its box)."""
    frame = as_frame(image)
    return sharpness_on(frame, fit_context(ctx, frame.size), settings)


def sharpness_on(frame: Frame, ctx: ImageContext, settings: ImageCheckSettings) -> list[CheckResult]:
    """`check_sharpness` on an image already converted, the context in its grid (the runner's entry)."""
    cid = "image.quality.sharpness"
    if ctx.product_mask is not None and ctx.product_mask.shape == frame.gray.shape and ctx.product_mask.any():
        ys, xs = np.nonzero(ctx.product_mask)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        m = (
            cv2.erode(ctx.product_mask[box[1] : box[3], box[0] : box[2]].astype(np.uint8), np.ones((5, 5), np.uint8))
            > 0
        )
    elif ctx.product_box is not None:
        box, m = clip_box(ctx.product_box, frame.size), None
    else:
        return [
            not_applicable(
                cid,
                "sharpness.unknown_product",
                "the product's position is unknown, so there is no product to judge the sharpness of",
            )
        ]
    if box_area(box) < 100:
        return [not_applicable(cid, "sharpness.unknown_product", "the product box is empty")]
    if min(box[2] - box[0], box[3] - box[1]) < 64:
        # A thumbnail-sized product (leaderboard) has too few edge pixels left after the erosion for
        # the measure to be stable: 23x42 px crisp packshots scored 1.22 on the demo.
        return [
            not_applicable(
                cid,
                "sharpness.too_small",
                f"the product at {fmt_box(box)} is under 64 px on a side: too small to judge sharpness",
                box=box,
            )
        ]
    s = sharpness_of(frame.gray[box[1] : box[3], box[0] : box[2]], m)
    if s is None:
        return [not_applicable(cid, "sharpness.flat", "the product region has no edges to judge sharpness by", box=box)]
    if s < settings.min_sharpness:
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "quality.blurry",
                f"the product at {fmt_box(box)} looks soft: sharpness {s:.2f}, below {settings.min_sharpness:g} "
                f"(crisp packshots score 1.6-2.2); use a higher-resolution or sharper packshot",
                score=s,
                box=box,
            )
        ]
    return [
        result(
            cid,
            Verdict.PASSED,
            "sharpness.ok",
            f"product sharpness {s:.2f} (needs {settings.min_sharpness:g})",
            score=s,
            box=box,
        )
    ]


def check_resolution(
    image: Image.Image, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings | None = None
) -> list[CheckResult]:
    """The image is at least its format's size (smaller blocks; another aspect asks for review).

    Without a known format, the brand format of the same aspect (within 1 %) is used."""
    cid = "image.quality.resolution"
    w, h = image.size
    fmt = ctx.format
    if fmt is None:
        same = [f for f in brand.formats if abs(f.aspect - w / h) <= 0.01 * f.aspect]
        fmt = max(same, key=lambda f: f.width) if same else None
        if fmt is None:
            return [
                result(
                    cid,
                    Verdict.NEEDS_REVIEW,
                    "quality.no_format",
                    f"the image is {w}x{h}, an aspect ratio ({w / h:.3f}) no channel format of the brand has; "
                    f"crop or re-render it for a format",
                )
            ]
    if w < fmt.width or h < fmt.height:
        return [
            result(
                cid,
                Verdict.BLOCKED,
                "quality.too_small",
                f"the image is {w}x{h}, smaller than the {fmt.name} format ({fmt.width}x{fmt.height}); the "
                f"channel would upscale it and blur it; render it at full size",
                score=min(w / fmt.width, h / fmt.height),
            )
        ]
    if abs(w / h - fmt.aspect) > 0.01 * fmt.aspect:
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "quality.wrong_aspect",
                f"the image is {w}x{h} (aspect {w / h:.3f}), the {fmt.name} format is {fmt.width}x{fmt.height} "
                f"(aspect {fmt.aspect:.3f}); it would be cropped or letterboxed",
            )
        ]
    return [
        result(
            cid,
            Verdict.PASSED,
            "resolution.ok",
            f"{w}x{h} covers the {fmt.name} format ({fmt.width}x{fmt.height})",
            score=min(w / fmt.width, h / fmt.height),
        )
    ]


# libjpeg's standard luminance quantisation table (ITU T.81 Annex K), natural order
_STD_LUMA = np.array(
    [
        16,
        11,
        10,
        16,
        24,
        40,
        51,
        61,
        12,
        12,
        14,
        19,
        26,
        58,
        60,
        55,
        14,
        13,
        16,
        24,
        40,
        57,
        69,
        56,
        14,
        17,
        22,
        29,
        51,
        87,
        80,
        62,
        18,
        22,
        37,
        56,
        68,
        109,
        103,
        77,
        24,
        35,
        55,
        64,
        81,
        104,
        113,
        92,
        49,
        64,
        78,
        87,
        103,
        121,
        120,
        101,
        72,
        92,
        95,
        98,
        112,
        100,
        103,
        99,
    ],
    dtype=np.float64,
)


def estimate_jpeg_quality(quantization: Mapping[int, Sequence[int]]) -> tuple[int, float]:
    """(libjpeg quality 1-100, mean absolute table error) that best explains the luminance table.

    The table is compared as a sorted set of values, so zigzag or natural order does not matter;
    an error of 0 means the file was written by libjpeg (Pillow, most tools) at that quality.
    """
    table = np.sort(np.asarray(quantization[min(quantization)], dtype=np.float64))
    best = (0, float("inf"))
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        std = np.clip(np.floor((_STD_LUMA * scale + 50) / 100), 1, 255)
        err = float(np.abs(np.sort(std) - table).mean())
        if err < best[1]:
            best = (q, err)
    return best


def check_jpeg_quality(
    image: Image.Image, brand: BrandGuide | None, ctx: ImageContext, settings: ImageCheckSettings
) -> list[CheckResult]:
    """JPEG quality estimated from the file's quantisation tables; below the minimum: review."""
    cid = "image.quality.jpeg"
    q_tables = ctx.jpeg_quantization or getattr(image, "quantization", None)
    fmt = (ctx.source_format or getattr(image, "format", None) or "").upper()
    if fmt != "JPEG" and not q_tables:
        return [
            not_applicable(
                cid, "jpeg.not_jpeg", f"not a JPEG ({fmt or 'decoded pixels'}): no JPEG compression loss to check"
            )
        ]
    if not q_tables:
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "quality.jpeg_unknown",
                "a JPEG whose quantisation tables are not available; its quality could not be estimated",
            )
        ]
    q, err = estimate_jpeg_quality(q_tables)
    note = "" if err < 0.5 else f" (tables are not libjpeg's; estimate off by ~{err:.0f} per coefficient)"
    if q < settings.min_jpeg_quality:
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "quality.jpeg_low",
                f"JPEG quality is about {q}{note}, below the minimum {settings.min_jpeg_quality}; compression "
                f"artefacts show around text and edges; export at quality {settings.min_jpeg_quality}+ or as PNG",
                score=q,
            )
        ]
    return [
        result(
            cid,
            Verdict.PASSED,
            "jpeg.ok",
            f"JPEG quality about {q}{note} (minimum {settings.min_jpeg_quality})",
            score=q,
        )
    ]

"""Text contrast from pixels alone, `image.text.contrast`: the WCAG 2.x ratio of each designed
text block against what is right around its glyphs, for images Vitrina did not compose itself
(`vitrina check image`). Banners Vitrina composes use `text.contrast`, which knows the exact glyphs.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import DesignedText, ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import (
    Frame,
    as_frame,
    clip_box,
    fit_context,
    fmt_box,
    hex_luminance,
    luminance,
    result,
)
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.imaging.color import contrast_ratio
from pipeline.model.brand import BrandGuide

__all__ = ["check_text_contrast_boxes", "text_contrast_on"]


def check_text_contrast_boxes(
    image: Image.Image,
    brand: BrandGuide,
    ctx: ImageContext,
    settings: ImageCheckSettings | None = None,
    *,
    min_normal: float | None = None,
    min_large: float | None = None,
) -> list[CheckResult]:
    """WCAG 2.x contrast of each designed text block, measured from the image alone.

    Inside the block's box the pixels are split in two by luminance (Otsu); the glyphs are the
    class nearer the designed text colour (the darker/lighter minority when no colour is known).
    The background is a ring 2-5 px (scaled with the text) around the glyphs, leaving out the
    anti-aliased fringe; the ratio is the 10th percentile over the ring, as in
    `pipeline.checks.check_text_contrast`. Thresholds: `min_normal` / `min_large`, by default
    brand.checks (4.5 normal / 3.0 large).
    """
    frame = as_frame(image)
    return text_contrast_on(frame, brand, fit_context(ctx, frame.size), min_normal, min_large)


def text_contrast_on(
    frame: Frame, brand: BrandGuide, ctx: ImageContext, min_normal: float | None = None, min_large: float | None = None
) -> list[CheckResult]:
    """`check_text_contrast_boxes` on an image already converted, the context in its grid (the runner's entry)."""
    cid = "image.text.contrast"
    if not ctx.text_blocks:
        return [
            not_applicable(
                cid,
                "contrast.unknown_blocks",
                "no text blocks are known for this image, so there is no text contrast to measure",
            )
        ]
    out: list[CheckResult] = []
    for b in ctx.text_blocks:
        ratio, note = _block_contrast(frame, b)
        if b.large:
            need = brand.checks.min_contrast_large if min_large is None else min_large
        else:
            need = brand.checks.min_contrast_normal if min_normal is None else min_normal
        kind = "large" if b.large else "normal"
        if ratio is None:
            out.append(
                result(
                    cid,
                    Verdict.NEEDS_REVIEW,
                    "contrast.unmeasured",
                    f"{b.role} text at {fmt_box(b.box)}: contrast could not be measured ({note})",
                    box=b.box,
                )
            )
        elif ratio < need:
            out.append(
                result(
                    cid,
                    Verdict.BLOCKED,
                    "contrast.too_low",
                    f"{b.role} text at {fmt_box(b.box)} has contrast {ratio:.2f}:1 against what is right around it, "
                    f"below {need:g}:1 for {kind} text{note}; change the text colour, add a plate behind it or "
                    f"calm the background there",
                    score=ratio,
                    box=b.box,
                )
            )
        else:
            out.append(
                result(
                    cid,
                    Verdict.PASSED,
                    "contrast.ok",
                    f"{b.role} text contrast {ratio:.2f}:1 (needs {need:g}:1 for {kind} text)",
                    score=ratio,
                    box=b.box,
                )
            )
    return out


def _block_contrast(frame: Frame, b: DesignedText) -> tuple[float | None, str]:
    W, H = frame.size
    x0, y0, x1, y1 = clip_box(b.box, (W, H))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None, "the box is empty or outside the image"
    th = y1 - y0
    r_in = max(1, round(th / 40))  # anti-aliased fringe left out
    r_out = r_in + max(3, round(th / 16))
    pad = r_out + 2
    X0, Y0, X1, Y1 = clip_box((x0 - pad, y0 - pad, x1 + pad, y1 + pad), (W, H))
    crop = frame.rgb[Y0:Y1, X0:X1]
    lum = luminance(crop)
    inner = np.zeros(lum.shape, dtype=bool)
    inner[y0 - Y0 : y1 - Y0, x0 - X0 : x1 - X0] = True
    vals = (np.sqrt(lum[inner]) * 255).astype(np.uint8)  # perceptual-ish scale for the split
    if int(vals.max()) - int(vals.min()) < 2:
        text_lum = hex_luminance(b.color) if b.color else float(lum[inner].mean())
        ring_lum = lum[~inner]
        ratio = _ratio_p10(text_lum, ring_lum)
        return ratio, " (no glyphs stand out from the background)"
    t, _ = cv2.threshold(vals.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    full = (np.sqrt(lum) * 255).astype(np.uint8)
    high = (full > t) & inner
    low = (full <= t) & inner
    if b.color:
        text_lum = hex_luminance(b.color)
        mean_hi = float(lum[high].mean()) if high.any() else 1.0
        mean_lo = float(lum[low].mean()) if low.any() else 0.0
        glyph = high if abs(mean_hi - text_lum) < abs(mean_lo - text_lum) else low
    else:
        glyph = high if high.sum() < low.sum() else low
        core = cv2.erode(glyph.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        text_lum = float(np.median(lum[core if core.any() else glyph]))
    g8 = glyph.astype(np.uint8)
    near = cv2.dilate(g8, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r_in + 1, 2 * r_in + 1))) > 0
    far = cv2.dilate(g8, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r_out + 1, 2 * r_out + 1))) > 0
    ring = far & ~near
    if ring.sum() < 10:
        return None, "no background visible around the glyphs"
    return _ratio_p10(text_lum, lum[ring]), ""


def _ratio_p10(text_lum: float, ring_lum: np.ndarray) -> float:
    """The 10th percentile of the text's contrast against the ring: text is unreadable where it is worst."""
    return float(np.percentile(contrast_ratio(text_lum, ring_lum), 10))

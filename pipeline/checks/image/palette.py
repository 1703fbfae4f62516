"""Brand colours: `image.palette.overlay` (designed text and plate colours are palette colours,
exactly) and `image.palette.background` (the scene's dominant colours lie near the palette and
away from the brand's forbidden colours, CIEDE2000).
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import (
    Frame,
    as_frame,
    clip_box,
    delta_e,
    designed_mask,
    fit_context,
    fmt_box,
    grid_stride,
    lab,
    lab_to_hex,
    result,
    to_hex,
)
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide, hex_to_rgb

__all__ = ["check_overlay_palette", "check_background_palette", "background_palette_on"]


def check_overlay_palette(
    image: Image.Image | None, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings | None = None
) -> list[CheckResult]:
    """Designed text and plate colours must be brand palette colours exactly (hex)."""
    cid = "image.palette.overlay"
    palette = {v.upper(): k for k, v in brand.palette.all_colours().items()}
    if not ctx.text_blocks:
        return [
            not_applicable(
                cid,
                "palette.overlay_unknown",
                "no designed text blocks are known for this image, so there are no overlay colours to check",
            )
        ]
    out: list[CheckResult] = []
    for b in ctx.text_blocks:
        for what, colour in (("text", b.color), ("plate", b.background)):
            if colour is None:
                continue
            if colour.upper() not in palette:
                near = _nearest_palette(colour, brand)
                out.append(
                    result(
                        cid,
                        Verdict.BLOCKED,
                        "palette.overlay_off_palette",
                        f"{b.role} {what} colour {colour.upper()} is not a brand colour; overlays may only use the "
                        f"palette (nearest: {near[0]} {near[1]}, ΔE2000 {near[2]:.1f}). Use {near[1]} instead.",
                        score=near[2],
                        box=b.box,
                    )
                )
    if not out:
        n = sum((b.color is not None) + (b.background is not None) for b in ctx.text_blocks)
        out.append(
            result(
                cid, Verdict.PASSED, "palette.overlay_ok", f"all {n} text and plate colours are brand palette colours"
            )
        )
    return out


def _nearest_palette(colour: str, brand: BrandGuide) -> tuple[str, str, float]:
    names = list(brand.palette.all_colours().items())
    labs = lab(np.array([hex_to_rgb(v) for _, v in names], dtype=np.uint8))
    target = lab(np.array(hex_to_rgb(colour), dtype=np.uint8))
    d = delta_e(labs, np.broadcast_to(target, labs.shape))
    i = int(np.argmin(d))
    return names[i][0], names[i][1], float(d[i])


# --------------------------------------------------------------------------- palette: background

_QBITS = 6  # colours quantised to 6 bits per channel (error <= 2 levels, < 1 ΔE) before ΔE


def _colour_keys(px: np.ndarray) -> np.ndarray:
    q = (px >> (8 - _QBITS)).astype(np.int32)
    return (q[:, 0] << (2 * _QBITS)) | (q[:, 1] << _QBITS) | q[:, 2]


def _keys_to_rgb(keys: np.ndarray) -> np.ndarray:
    m = (1 << _QBITS) - 1
    step = 1 << (8 - _QBITS)
    rgb = np.stack([(keys >> (2 * _QBITS)) & m, (keys >> _QBITS) & m, keys & m], axis=1) * step + step // 2
    return rgb.astype(np.uint8)


def check_background_palette(
    image: Image.Image, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings
) -> list[CheckResult]:
    """Dominant colours of the generated background against the palette and its forbidden colours.

    The visible background is the image minus the product (mask, else box), the text blocks, the
    logo and the overlays, subsampled to about 80k pixels. Each pixel's colour (quantised to 6
    bits per channel, so CIEDE2000 is computed once per distinct colour) gets its distance to the
    nearest brand colour (lightness weighted by 1/`palette_lightness_weight`, see the settings)
    and to the nearest forbidden colour. Forbidden pixels covering `forbidden_min_share` block;
    off-palette pixels covering `dominant_min_share` are grouped into up to three colours
    (k-means in CIELAB) and each group that covers the share asks for review.
    """
    frame = as_frame(image)
    return background_palette_on(frame, brand, fit_context(ctx, frame.size), settings)


def background_palette_on(
    frame: Frame, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings, logo_box: Box | None = None
) -> list[CheckResult]:
    """`check_background_palette` on an image already converted, the context in its grid; `logo_box`:
    where the logo check found the logo (left out of the background like the designed one)."""
    cid = "image.palette.background"
    s = grid_stride(frame.size)
    small = frame.rgb[::s, ::s]
    keep = ~designed_mask(ctx, frame.size, s, logo_box)[: small.shape[0], : small.shape[1]]
    ys, xs = np.nonzero(keep)
    px = small[ys, xs]
    n = len(px)
    if n < 200:
        return [
            not_applicable(
                cid, "palette.no_background", "almost no background is visible outside the product, text and logo"
            )
        ]
    keys = _colour_keys(px)
    used = np.flatnonzero(np.bincount(keys, minlength=1 << (3 * _QBITS)))
    lab_used = lab(_keys_to_rgb(used))
    names = list(brand.palette.all_colours().items())
    brand_lab = lab(np.array([hex_to_rgb(v) for _, v in names], dtype=np.uint8))
    d_all = np.stack(
        [delta_e(lab_used, np.broadcast_to(b, lab_used.shape), settings.palette_lightness_weight) for b in brand_lab]
    )
    lut_d = np.zeros(1 << (3 * _QBITS), np.float32)
    lut_i = np.zeros(1 << (3 * _QBITS), np.int16)
    lut_d[used] = d_all.min(axis=0)
    lut_i[used] = d_all.argmin(axis=0)
    d_px = lut_d[keys]
    out: list[CheckResult] = []

    lut_exact = np.zeros(1 << (3 * _QBITS), bool)  # a palette colour itself is never forbidden
    lut_exact[used] = np.min([delta_e(lab_used, np.broadcast_to(b, lab_used.shape)) for b in brand_lab], axis=0) <= 3.0
    exact = lut_exact[keys]
    forbidden_px = np.zeros(n, dtype=bool)
    for colour in brand.palette.forbidden:
        f_lab = lab(np.array(hex_to_rgb(colour), dtype=np.uint8))
        lut_f = np.full(1 << (3 * _QBITS), np.inf, np.float32)
        lut_f[used] = delta_e(lab_used, np.broadcast_to(f_lab, lab_used.shape))
        hit = (lut_f[keys] < settings.forbidden_min_delta_e) & ~exact
        share = hit.mean()
        forbidden_px |= hit
        if share >= settings.forbidden_min_share:
            mean_hex = to_hex(px[hit].mean(axis=0))
            d = float(np.median(lut_f[keys][hit]))
            box = _points_box(xs[hit], ys[hit], s, frame.size)
            out.append(
                result(
                    cid,
                    Verdict.BLOCKED,
                    "palette.forbidden_colour",
                    f"the background shows {mean_hex} over {share:.1%} of its visible area around {fmt_box(box)}, "
                    f"ΔE2000 {d:.1f} from the forbidden colour {colour.upper()} (must stay at least "
                    f"{settings.forbidden_min_delta_e:g} away); regenerate the scene without it or repaint that area "
                    f"in a brand colour",
                    score=d,
                    box=box,
                )
            )

    off = (d_px > settings.palette_max_delta_e) & ~forbidden_px
    off_share = float(off.mean())
    if off_share >= settings.dominant_min_share:
        lab_off = lab(px[off]).astype(np.float32)
        idx = np.flatnonzero(off)
        k = 3 if len(lab_off) >= 30 else 1
        sample = lab_off if len(lab_off) <= 6000 else lab_off[np.linspace(0, len(lab_off) - 1, 6000).astype(int)]
        if k > 1:
            crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
            cv2.setRNGSeed(0)
            _, _, centres = cv2.kmeans(sample, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
            labels = np.argmin(((lab_off[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        else:
            centres, labels = lab_off.mean(axis=0, keepdims=True), np.zeros(len(lab_off), int)
        groups = sorted(range(len(centres)), key=lambda g: -int((labels == g).sum()))
        reported = 0
        for g in groups:
            members = labels == g
            share = float(members.sum()) / n
            if share < settings.dominant_min_share and (reported or off_share < 2 * settings.dominant_min_share):
                continue
            reported += 1
            centre = centres[g].astype(np.float64)
            d_b = delta_e(brand_lab, np.broadcast_to(centre, brand_lab.shape), settings.palette_lightness_weight)
            j = int(np.argmin(d_b))
            sel = idx[members]
            box = _points_box(xs[sel], ys[sel], s, frame.size)
            out.append(
                result(
                    cid,
                    Verdict.NEEDS_REVIEW,
                    "palette.off_brand_colour",
                    f"background colour {lab_to_hex(centre)} covers {share:.0%} of the visible background around "
                    f"{fmt_box(box)}; the nearest brand colour, {names[j][0]} {names[j][1]}, is ΔE2000 "
                    f"{float(d_b[j]):.1f} away (on-palette: at most {settings.palette_max_delta_e:g}, lightness "
                    f"counted 1/{settings.palette_lightness_weight:g}); regenerate the scene in brand colours or "
                    f"approve it as an exception",
                    score=float(d_b[j]),
                    box=box,
                )
            )
    if not out:
        worst = float(np.percentile(d_px, 100 * (1 - settings.dominant_min_share)))
        counts = np.bincount(lut_i[keys], minlength=len(names))
        main = names[int(np.argmax(counts))]
        out.append(
            result(
                cid,
                Verdict.PASSED,
                "palette.on_brand",
                f"{1 - off_share:.0%} of the visible background is within ΔE2000 {settings.palette_max_delta_e:g} of a "
                f"brand colour (mostly {main[0]} {main[1]}); no forbidden colour",
                score=worst,
            )
        )
    return out


def _points_box(xs: np.ndarray, ys: np.ndarray, stride: int, size: tuple[int, int]) -> Box:
    """Canvas box of grid points (1st-99th percentile, so a few stray points do not stretch it)."""
    if len(xs) == 0:
        return 0, 0, 0, 0
    lo_x, hi_x = np.percentile(xs, (1, 99)) if len(xs) > 50 else (xs.min(), xs.max())
    lo_y, hi_y = np.percentile(ys, (1, 99)) if len(ys) > 50 else (ys.min(), ys.max())
    return clip_box((int(lo_x) * stride, int(lo_y) * stride, (int(hi_x) + 1) * stride, (int(hi_y) + 1) * stride), size)

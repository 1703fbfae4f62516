"""The brand logo, `image.logo`: present (shape similarity by template matching of its "ink"),
unaltered (aspect, colours), at least its minimum width, with its clear space free of other
elements. The logo's found box is also what the safe-zone, palette and stray-text checks use.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import (
    Frame,
    as_frame,
    box_area,
    clip_box,
    delta_e,
    expand,
    fit_context,
    fmt_box,
    intersection,
    lab,
    result,
    scale_of,
    to_hex,
)
from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import open_image
from pipeline.model.brand import BrandGuide

__all__ = ["check_logo", "logo_on"]

_INK_SCALE = 60.0  # RGB distance from the backdrop that counts as full ink


@dataclass(frozen=True)
class _LogoMatch:
    score: float
    box: Box
    aspect_factor: float = 1.0  # drawn aspect / brand aspect


_LOGO_CACHE: dict[int, tuple[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def _logo_arrays(logo: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RGB float32, alpha 0..1, premultiplied RGB) of a logo, cached per logo object (weakly)."""
    hit = _LOGO_CACHE.get(id(logo))
    if hit is not None and hit[0]() is logo:
        return hit[1]
    rgba = np.asarray(logo if logo.mode == "RGBA" else logo.convert("RGBA")).astype(np.float32)
    alpha = rgba[..., 3] / 255.0
    rgb = np.ascontiguousarray(rgba[..., :3])
    arrays = (rgb, alpha, rgb * alpha[..., None])
    if len(_LOGO_CACHE) > 8:
        _LOGO_CACHE.clear()
    _LOGO_CACHE[id(logo)] = (weakref.ref(logo), arrays)
    return arrays


class _LogoModel:
    """The brand logo prepared for matching against one backdrop colour `bg`."""

    def __init__(self, logo: Image.Image, bg: np.ndarray) -> None:
        rgb, self.alpha, self.premul = _logo_arrays(logo)
        self.bg = bg.astype(np.float32)
        self.lh, self.lw = self.alpha.shape
        # ink of the logo composited over bg, at the logo's own resolution: alpha * |rgb - bg|
        diff = rgb - self.bg
        dist = cv2.sqrt(cv2.transform(diff * diff, np.ones((1, 3), np.float32)))
        self.ink_full = np.clip(self.alpha * dist.reshape(self.alpha.shape) / _INK_SCALE, 0, 1).astype(np.float32)

    @property
    def aspect(self) -> float:
        return float(self.lw / self.lh)

    def ink(self, w: int, h: int) -> np.ndarray:
        interp = cv2.INTER_AREA if w < self.lw else cv2.INTER_LINEAR
        return np.asarray(cv2.resize(self.ink_full, (w, h), interpolation=interp))

    def composite(self, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        """The logo scaled to w x h over the backdrop: (RGB float, alpha)."""
        interp = cv2.INTER_AREA if w < self.lw else cv2.INTER_LINEAR
        a = cv2.resize(self.alpha, (w, h), interpolation=interp)
        p = cv2.resize(self.premul, (w, h), interpolation=interp)
        return p + self.bg[None, None, :] * (1 - a[..., None]), a


_MIN_WINDOW_STD = 0.1  # of the template's std: a flatter image window cannot hold the logo


def _ncc(image: np.ndarray, templ: np.ndarray) -> np.ndarray:
    """`cv2.matchTemplate(image, templ, TM_CCOEFF_NORMED)` with the ill-conditioned windows zeroed.

    OpenCV computes the numerator by float32 FFT correlation and the window's variance from
    integral images, then divides. On a flat or nearly flat window (the ink map is exactly 0 on
    most of a clean backdrop) that is noise over noise, and OpenCV clamps a quotient just above 1
    to +-1: an empty window can score 0.98 or 1.0 and beat the real logo. Which windows do
    depends on round-off anywhere in the image, so on any change of pixels or library build.
    Windows whose standard deviation is below `_MIN_WINDOW_STD` x the template's score 0: they
    hold too little contrast to contain the logo (the real logo's window has about the
    template's own spread)."""
    res = np.asarray(cv2.matchTemplate(image, templ, cv2.TM_CCOEFF_NORMED))
    th, tw = templ.shape[:2]
    s, sq = cv2.integral2(image, sdepth=cv2.CV_64F, sqdepth=cv2.CV_64F)
    n = float(th * tw)

    def window(a: np.ndarray) -> np.ndarray:
        return np.asarray(a[th:, tw:] - a[:-th, tw:] - a[th:, :-tw] + a[:-th, :-tw])

    mean = window(s) / n
    var = window(sq) / n - mean * mean
    min_std = _MIN_WINDOW_STD * float(templ.std())
    res[var < min_std * min_std] = 0.0
    return res


def _ring_colour(rgb: np.ndarray, box: Box, width: int = 4) -> np.ndarray:
    """Median colour of a thin ring just outside `box` (the backdrop around the logo)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = clip_box(expand(box, width), (w, h))
    ix0, iy0, ix1, iy1 = clip_box(box, (w, h))
    region = rgb[y0:y1, x0:x1].reshape(-1, 3)
    m = np.ones((y1 - y0, x1 - x0), dtype=bool)
    m[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = False
    ring = region[m.reshape(-1)]
    return np.asarray(np.median(ring if len(ring) else region, axis=0), dtype=np.float32)


def _best_match(
    ink: np.ndarray, model: _LogoModel, sizes: Sequence[tuple[int, int]], origin: tuple[int, int], zoom: int = 1
) -> _LogoMatch | None:
    """Best normalised cross-correlation of the logo's ink over `ink` for each (w, h) in `sizes`
    (full-resolution px); `zoom` 2 matches on `ink` downscaled 2x (coarse search)."""
    best: _LogoMatch | None = None
    for w, h in sizes:
        tw, th = round(w / zoom), round(h / zoom)
        if tw < 8 or th < 4 or th > ink.shape[0] or tw > ink.shape[1]:
            continue
        t_ink = model.ink(tw, th)
        if float(t_ink.std()) < 1e-3:
            continue
        res = _ncc(ink, t_ink)
        _, score, _, (mx, my) = cv2.minMaxLoc(res)
        if not math.isfinite(score):
            continue
        if best is None or score > best.score + 1e-6:
            x0, y0 = origin[0] + mx * zoom, origin[1] + my * zoom
            best = _LogoMatch(float(score), (x0, y0, x0 + w, y0 + h), (w / h) / model.aspect)
    return best


def check_logo(
    image: Image.Image,
    brand: BrandGuide,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    logo: Image.Image | None = None,
) -> list[CheckResult]:
    """The brand logo: present, unaltered (shape and colours), not too small, clear space free.

    Shape: the logo area's "ink" (colour distance from the backdrop around it, saturating at 60
    RGB units) is matched against the brand logo's ink by normalised cross-correlation over
    scales 30-110 % of the area's size; this is colour-blind on purpose, so a recoloured logo is
    still found and then reported as recoloured (median CIEDE2000 of its solid pixels). When no
    true-aspect match reaches `logo_min_similarity`, stretched and squashed versions are tried
    to tell a distorted logo from a missing or replaced one. Without `ctx.logo_box` the whole
    image is searched (downscaled, several scales) first.
    """
    frame = as_frame(image)
    return logo_on(frame, brand, fit_context(ctx, frame.size), settings, logo)[0]


def logo_on(
    frame: Frame, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings, logo: Image.Image | None
) -> tuple[list[CheckResult], Box | None]:
    """`check_logo` on an image already converted, the context in its grid, plus the box where the logo
    was found (None when it was not): the runner hands that box to the checks that need the logo."""
    cid = "image.logo"
    if logo is None:
        logo = open_image(brand.logo_path, "logo").convert("RGBA")
    scale = scale_of(ctx, frame.size)
    min_w = brand.logo.min_width_px * scale
    area = ctx.logo_box
    if area is None:
        area = _global_logo_search(frame, logo, min_w)
        if area is None:
            return [
                result(
                    cid,
                    Verdict.BLOCKED,
                    "logo.missing",
                    "the brand logo was not found anywhere in the image; place the logo",
                )
            ], None
    W, H = frame.size
    area = clip_box(area, frame.size)
    bw, bh = area[2] - area[0], area[3] - area[1]
    if bw < 4 or bh < 4:
        return [result(cid, Verdict.BLOCKED, "logo.missing", f"the logo area {fmt_box(area)} is empty")], None
    pad = max(8, round(0.3 * bh))
    region_box = clip_box(expand(area, pad), frame.size)
    rx0, ry0, rx1, ry1 = region_box
    region = frame.rgb[ry0:ry1, rx0:rx1].astype(np.float32)
    if ctx.scene is not None:
        scene = np.asarray(ctx.scene.convert("RGB"))[ry0:ry1, rx0:rx1].astype(np.float32)
        bg = np.median(scene.reshape(-1, 3), axis=0)
        ink = np.clip(np.linalg.norm(region - scene, axis=2) / _INK_SCALE, 0, 1).astype(np.float32)
    else:
        bg = _ring_colour(frame.rgb, region_box)
        ink = np.clip(np.linalg.norm(region - bg, axis=2) / _INK_SCALE, 0, 1).astype(np.float32)

    model = _LogoModel(logo, bg)
    lh, lw = model.lh, model.lw
    fit = min(bw / lw, bh / lh)
    thr = settings.logo_min_similarity

    def near(w0: int, spread: float) -> list[tuple[int, int]]:
        step = max(1, round(w0 * 0.01))
        lo, hi = max(8, round(w0 * (1 - spread))), round(w0 * (1 + spread))
        return [(w, max(1, round(w * lh / lw))) for w in range(lo, hi + 1, step)]

    # Fast path: the size that fills the area (floored like the composer), +-2 %.
    w_fit = max(1, math.floor(lw * fit))
    best = _best_match(ink, model, near(w_fit, 0.02), (rx0, ry0))
    if best is None or best.score < thr:
        # Coarse search at half resolution, 110 % down to 30 % of that size, then 1 % steps.
        factors = (
            1.1,
            1.04,
            1.0,
            0.96,
            0.9,
            0.85,
            0.8,
            0.75,
            0.7,
            0.66,
            0.62,
            0.58,
            0.54,
            0.5,
            0.46,
            0.42,
            0.38,
            0.34,
            0.3,
        )
        half = cv2.resize(ink, (max(1, ink.shape[1] // 2), max(1, ink.shape[0] // 2)), interpolation=cv2.INTER_AREA)
        sizes = [(max(1, math.floor(lw * fit * f)), max(1, math.floor(lh * fit * f))) for f in factors]
        coarse = _best_match(half, model, sizes, (rx0, ry0), zoom=2)
        if coarse is not None:
            refined = _best_match(ink, model, near(coarse.box[2] - coarse.box[0], 0.06), (rx0, ry0))
            if refined is not None and (best is None or refined.score > best.score):
                best = refined
    if best is None or best.score < _LOGO_EXACT:
        # An imperfect match: does a stretched or squashed logo explain the area clearly better?
        stretched = _stretched_match(frame, model, area)
        if stretched is not None and stretched.score >= thr and stretched.score >= (best.score if best else 0) + 0.06:
            f = stretched.aspect_factor
            got = best.score if best else 0.0
            how = f"{abs(f - 1):.0%} too {'wide' if f > 1 else 'narrow'} for its height"
            return [
                result(
                    cid,
                    Verdict.BLOCKED,
                    "logo.distorted",
                    f"the logo is distorted: drawn at aspect {f * lw / lh:.2f}:1 where the brand logo is "
                    f"{lw / lh:.2f}:1 ({how}; similarity {stretched.score:.2f} when distorted, {got:.2f} "
                    f"as designed); scale it uniformly",
                    score=got,
                    box=stretched.box,
                )
            ], stretched.box
    if best is None or best.score < thr:
        return _logo_not_matched(ink, area, best, thr), None

    box = best.box
    out: list[CheckResult] = []
    width_design = (box[2] - box[0]) / scale
    # Matching locates the logo to about a pixel: a 120 px logo may measure 119 px. Only a logo
    # smaller by more than that measurement error is reported.
    if box[2] - box[0] < min_w - max(1.5 * scale, 0.01 * min_w):
        out.append(
            result(
                cid,
                Verdict.BLOCKED,
                "logo.too_small",
                f"the logo is drawn {width_design:.0f} px wide, below the brand minimum of "
                f"{brand.logo.min_width_px} px; draw it at least {brand.logo.min_width_px} px wide",
                score=width_design,
                box=box,
            )
        )
    # colours: solid pixels of the logo against the brand logo's own colours
    comp, a = model.composite(box[2] - box[0], box[3] - box[1])
    solid = cv2.erode((a > 0.98).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if solid.sum() >= 20:
        obs = frame.rgb[box[1] : box[3], box[0] : box[2]][solid]
        exp = comp[solid]
        step = max(1, len(obs) // 1500)
        d = delta_e(lab(obs[::step]), lab(np.clip(exp[::step] + 0.5, 0, 255).astype(np.uint8)))
        med = float(np.median(d))
        if med > settings.logo_max_colour_delta_e:
            seen = to_hex(np.median(obs, axis=0))
            want = to_hex(np.median(exp, axis=0))
            out.append(
                result(
                    cid,
                    Verdict.BLOCKED,
                    "logo.recoloured",
                    f"the logo's colours differ from the brand logo (median ΔE2000 {med:.1f}, allowed "
                    f"{settings.logo_max_colour_delta_e:g}; mostly {seen} where the logo has {want}); use the "
                    f"original logo file, unrecoloured",
                    score=med,
                    box=box,
                )
            )
    out.extend(_clear_space(ctx, brand, box, frame, bg))
    if not out:
        out.append(
            result(
                cid,
                Verdict.PASSED,
                "logo.ok",
                f"brand logo found at {fmt_box(box)}, {width_design:.0f} px wide (minimum "
                f"{brand.logo.min_width_px}), similarity {best.score:.2f} (needs {thr:g}), clear space free",
                score=best.score,
                box=box,
            )
        )
    return out, box


_LOGO_EXACT = 0.92  # an undistorted logo as drawn by the composer matches at 0.93-0.97 (0.88 after JPEG q15)


def _stretched_match(frame: Frame, model: _LogoModel, area: Box) -> _LogoMatch | None:
    """Best match of the logo stretched or squashed (aspect x0.5-2.0), anchored at the area's
    height (or 90/80 % of it) or at its width, searched in 4 % aspect steps at half resolution
    around the area (+-60 % of its height), then refined in 1 % steps at full resolution."""
    lh, lw = model.lh, model.lw
    bw, bh = area[2] - area[0], area[3] - area[1]
    region_box = clip_box(expand(area, max(8, round(0.6 * bh))), frame.size)
    x0, y0, x1, y1 = region_box
    region = frame.rgb[y0:y1, x0:x1].astype(np.float32)
    ink = np.clip(np.sqrt(((region - model.bg) ** 2).sum(axis=2)) / _INK_SCALE, 0, 1).astype(np.float32)
    half = cv2.resize(ink, (max(1, ink.shape[1] // 2), max(1, ink.shape[0] // 2)), interpolation=cv2.INTER_AREA)

    def sizes_for(factors: Sequence[float], heights: Sequence[int], widths: Sequence[int]) -> list[tuple[int, int]]:
        out = []
        for f in factors:
            out += [(round(hh * lw / lh * f), hh) for hh in heights]
            out += [(ww, round(ww / (lw / lh * f))) for ww in widths]
        return out

    factors = [float(f) for f in np.geomspace(0.5, 2.0, 36) if abs(f - 1) > 0.06]
    coarse = _best_match(
        half, model, sizes_for(factors, (bh, round(bh * 0.9), round(bh * 0.8)), (bw,)), (x0, y0), zoom=2
    )
    if coarse is None:
        return None
    f0 = coarse.aspect_factor
    w0, h0 = coarse.box[2] - coarse.box[0], coarse.box[3] - coarse.box[1]
    fine_f = [f0 * (1 + d / 100) for d in range(-4, 5)]
    return _best_match(ink, model, sizes_for(fine_f, (h0, h0 - 1, h0 + 1), (w0,)), (x0, y0)) or coarse


def _logo_not_matched(ink: np.ndarray, area: Box, best: _LogoMatch | None, thr: float) -> list[CheckResult]:
    cid = "image.logo"
    got = best.score if best else 0.0
    if float((ink > 0.5).mean()) < 0.02:
        return [
            result(
                cid,
                Verdict.BLOCKED,
                "logo.missing",
                f"the logo area {fmt_box(area)} is empty (no marks against the backdrop); place the brand logo",
                score=got,
                box=area,
            )
        ]
    return [
        result(
            cid,
            Verdict.BLOCKED,
            "logo.altered",
            f"the mark in the logo area {fmt_box(area)} is not the brand logo (shape similarity {got:.2f}, "
            f"needs {thr:g}); use the original logo file",
            score=got,
            box=best.box if best else area,
        )
    ]


def _global_logo_search(frame: Frame, logo: Image.Image, min_w: float) -> Box | None:
    """Where the logo most likely is on an image with no layout: grey-level NCC at 1/3 scale."""
    W, H = frame.size
    f = min(1.0, 400 / max(W, H))
    small = cv2.resize(frame.rgb, (max(1, round(W * f)), max(1, round(H * f))), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    bg = np.median(small.reshape(-1, 3), axis=0).astype(np.float32)
    model = _LogoModel(logo, bg)
    lh, lw = model.lh, model.lw
    lo, hi = max(12.0, 0.8 * min_w * f), 0.5 * small.shape[1]
    best: tuple[float, Box] | None = None
    if hi <= lo:
        return None
    for w in np.geomspace(lo, hi, 14):
        w_i, h_i = round(w), max(3, round(w * lh / lw))
        if h_i >= gray.shape[0] or w_i >= gray.shape[1]:
            continue
        comp, _ = model.composite(w_i, h_i)
        t = cv2.cvtColor(np.clip(comp, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
        if t.std() < 1:
            continue
        res = _ncc(gray, t)
        _, score, _, (mx, my) = cv2.minMaxLoc(res)
        if best is None or score > best[0]:
            best = (float(score), (mx, my, mx + w_i, my + h_i))
    if best is None or best[0] < 0.5:
        return None
    x0, y0, x1, y1 = best[1]
    return clip_box((math.floor(x0 / f), math.floor(y0 / f), math.ceil(x1 / f), math.ceil(y1 / f)), frame.size)


def _clear_space(ctx: ImageContext, brand: BrandGuide, box: Box, frame: Frame, bg: np.ndarray) -> list[CheckResult]:
    """Other elements in the logo's clear space (clear_space x logo height on every side).

    Declared elements block: text boxes (a block on a plate counts 0.3 x its text height wider on
    every side, the plate's margin), the product box and, when known, other overlay pixels. Then
    the pixels themselves: marks in the clear-space ring (colour 30+ RGB units from the backdrop
    around the logo, over 1 % of the ring) that no declared element explains ask for review; they
    may be a sticker, a generated object or a busy background."""
    size = frame.size
    clear = math.ceil(brand.logo.clear_space * (box[3] - box[1]))
    keep_out = expand(box, clear)
    crowding: list[tuple[str, Box, int]] = []
    named: list[Box] = []
    for b in ctx.text_blocks:
        bb = expand(b.box, round(0.3 * (b.box[3] - b.box[1]))) if b.background else b.box
        inter = intersection(bb, keep_out)
        if box_area(inter) > 0:
            crowding.append((f"{b.role} text" + (" and its plate" if b.background else ""), bb, box_area(inter)))
        named.append(bb)
    if ctx.product_box is not None:
        inter = intersection(ctx.product_box, keep_out)
        if box_area(inter) > 0:
            crowding.append(("the product", ctx.product_box, box_area(inter)))
        named.append(ctx.product_box)
    x0, y0, x1, y1 = clip_box(keep_out, size)
    lx0, ly0, lx1, ly1 = clip_box(expand(box, 3), size)

    def unexplained(m: np.ndarray) -> np.ndarray:
        m[max(0, ly0 - y0) : ly1 - y0, max(0, lx0 - x0) : lx1 - x0] = False
        for nb in named:
            ix0, iy0, ix1, iy1 = intersection(expand(nb, 3), (x0, y0, x1, y1))
            if ix1 > ix0 and iy1 > iy0:
                m[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = False
        return m

    def bbox(m: np.ndarray) -> Box:
        ys, xs = np.nonzero(m)
        return x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1

    if ctx.overlay_mask is not None and ctx.overlay_mask.shape == (size[1], size[0]):
        m = unexplained(ctx.overlay_mask[y0:y1, x0:x1].copy())
        if m.any():
            crowding.append(("other overlay pixels", bbox(m), int(m.sum())))
    out = []
    for what, crowd_box, px in crowding:
        out.append(
            result(
                "image.logo",
                Verdict.BLOCKED,
                "logo.clear_space",
                f"{what} at {fmt_box(crowd_box)} enters the logo's clear space ({brand.logo.clear_space:g} x logo "
                f"height = {clear} px around {fmt_box(box)}) by {px} px²; move it at least {clear} px away from "
                f"the logo",
                score=float(px),
                box=intersection(crowd_box, keep_out),
            )
        )
    if not out and x1 > x0 and y1 > y0:
        region = frame.rgb[y0:y1, x0:x1].astype(np.float32)
        marks = unexplained(np.sqrt(((region - bg) ** 2).sum(axis=2)) > 30)
        ring_area = (x1 - x0) * (y1 - y0) - (lx1 - lx0) * (ly1 - ly0)
        count = int(marks.sum())
        if ring_area > 0 and count > max(20, 0.01 * ring_area):
            out.append(
                result(
                    "image.logo",
                    Verdict.NEEDS_REVIEW,
                    "logo.clear_space_marks",
                    f"something is drawn in the logo's clear space ({clear} px around {fmt_box(box)}): {count} px "
                    f"({count / ring_area:.0%} of it) differ from the backdrop at {fmt_box(bbox(marks))}; keep the "
                    f"clear space free",
                    score=float(count),
                    box=bbox(marks),
                )
            )
    return out

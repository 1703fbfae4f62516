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
        _, self.alpha, self.premul = _logo_arrays(logo)
        self.bg = bg.astype(np.float32)
        self.lh, self.lw = self.alpha.shape
        self._inks: dict[tuple[int, int], np.ndarray] = {}

    @property
    def aspect(self) -> float:
        return float(self.lw / self.lh)

    def ink(self, w: int, h: int) -> np.ndarray:
        """The ink of the logo drawn w x h over the backdrop: made the way a drawn logo's ink is
        measured (scaled, composited, then the distance from the backdrop, saturating), so thin
        strokes saturate exactly as they do in the banner."""
        hit = self._inks.get((w, h))
        if hit is None:
            comp, _ = self.composite(w, h)
            diff = comp - self.bg
            hit = np.clip(np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)) / _INK_SCALE, 0, 1).astype(np.float32)
            self._inks[(w, h)] = hit
        return hit

    def template(self, w: int, h: int, margin: int) -> np.ndarray:
        """`ink(w, h)` inside `margin` px of empty backdrop: the logo's outline is part of what is
        matched, so a logo on a solid plate is located and sized by the plate's edges."""
        return np.asarray(
            cv2.copyMakeBorder(self.ink(w, h), margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=0)
        )

    def composite(self, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        """The logo scaled to w x h over the backdrop: (RGB float, alpha)."""
        # area averaging down, cubic up (the closest to the Lanczos filter banners are drawn with)
        interp = cv2.INTER_AREA if w < self.lw else cv2.INTER_CUBIC
        a = np.clip(cv2.resize(self.alpha, (w, h), interpolation=interp), 0, 1)
        p = cv2.resize(self.premul, (w, h), interpolation=interp)
        return p + self.bg[None, None, :] * (1 - a[..., None]), a


def _margin(h: int) -> int:
    """Empty backdrop matched around a logo h px tall (the clear space keeps it empty)."""
    return max(2, round(0.15 * h))


def true_aspect(w: int, h: int, aspect: float, slack: float = 0.5) -> bool:
    """Whether a logo drawn w x h px can be the brand logo (width / height = `aspect`) scaled
    uniformly: some real size of that aspect lies within half a pixel of rounding, plus `slack`
    px of measurement, of both sides. A logo resized to a whole number of pixels never fails
    this; one stretched 10 % does, down to 13 px tall."""
    lo = (w - 0.5 - slack) / (h + 0.5 + slack)
    hi = (w + 0.5 + slack) / max(1e-9, h - 0.5 - slack)
    return lo <= aspect <= hi


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
    """Best normalised cross-correlation of the logo's ink (with its margin of backdrop) over `ink`
    for each (w, h) in `sizes` (full-resolution px); `zoom` z matches on `ink` downscaled z times
    (coarse search). Ties go to the first size given."""
    best: _LogoMatch | None = None
    for w, h in dict.fromkeys(sizes):
        tw, th = round(w / zoom), round(h / zoom)
        m = max(1, round(_margin(h) / zoom))
        if tw < 4 or th < 3 or th + 2 * m > ink.shape[0] or tw + 2 * m > ink.shape[1]:
            continue
        templ = model.template(tw, th, m)
        if float(templ.std()) < 1e-3:
            continue
        res = _ncc(ink, templ)
        _, score, _, (mx, my) = cv2.minMaxLoc(res)
        if not math.isfinite(score):
            continue
        if best is None or score > best.score + 1e-6:
            x0, y0 = origin[0] + (mx + m) * zoom, origin[1] + (my + m) * zoom
            best = _LogoMatch(float(score), (x0, y0, x0 + w, y0 + h), (w / h) / model.aspect)
    return best


def _true_sizes(widths: Sequence[int], aspect: float) -> list[tuple[int, int]]:
    """(w, h) for each width with its height rounded down and up: both are the logo undistorted."""
    out = []
    for w in widths:
        for h in sorted({math.floor(w / aspect), math.ceil(w / aspect)}):
            if h >= 1:
                out.append((w, h))
    return out


def check_logo(
    image: Image.Image,
    brand: BrandGuide,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    logo: Image.Image | None = None,
) -> list[CheckResult]:
    """The brand logo: present, unaltered (shape and colours), not too small, clear space free.

    Shape: the logo area's "ink" (colour distance from the backdrop, saturating at 60 RGB units)
    is matched against the brand logo's ink, made the way a drawn logo's is (scaled, composited,
    measured) and framed by a margin of empty backdrop, by normalised cross-correlation: first at
    the area's own size +-1 % in 1 px steps (each width with its height rounded down and up: both
    are the logo undistorted), then over 30-110 % of it. This is colour-blind on purpose, so a
    recoloured logo is still found and then reported as recoloured (median CIEDE2000 of its
    solid pixels). The width is the match's, exact to the pixel: it is compared with the brand's
    minimum without tolerance. Below a near-perfect match, stretched and squashed versions are
    tried: the logo is distorted when one explains the area better at a size no rounding of the
    true aspect gives (`true_aspect`). Without `ctx.logo_box` the whole image is searched
    (downscaled, several scales) first.
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
    # The ink (colour distance from the backdrop) around the area, wide enough for the stretched
    # search below: from the scene under the overlays when known, else from the area's surroundings.
    full = expand(area, max(8, round(0.6 * bh)))
    rx0, ry0, rx1, ry1 = clip_box(full, frame.size)
    region = frame.rgb[ry0:ry1, rx0:rx1].astype(np.float32)
    if ctx.scene is not None:
        scene = np.asarray(ctx.scene.convert("RGB"))[ry0:ry1, rx0:rx1].astype(np.float32)
        bg = np.median(scene.reshape(-1, 3), axis=0)
        ink = np.clip(np.linalg.norm(region - scene, axis=2) / _INK_SCALE, 0, 1).astype(np.float32)
    else:
        bg = _ring_colour(frame.rgb, clip_box(expand(area, max(8, round(0.3 * bh))), frame.size))
        ink = np.clip(np.linalg.norm(region - bg, axis=2) / _INK_SCALE, 0, 1).astype(np.float32)
    # Nothing is drawn beyond the canvas: its ink is 0 there, so a logo at the canvas's edge (a
    # display unit's thin safe margin) keeps the empty margin its template is matched with.
    top, bottom, left, right = ry0 - full[1], full[3] - ry1, rx0 - full[0], full[2] - rx1
    ink = np.asarray(cv2.copyMakeBorder(ink, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0))
    rx0, ry0 = full[0], full[1]

    model = _LogoModel(logo, bg)
    lh, lw = model.lh, model.lw
    aspect = model.aspect
    thr = settings.logo_min_similarity

    def near(w0: int, spread: float) -> list[tuple[int, int]]:
        d = max(2, round(w0 * spread))
        return _true_sizes(range(max(8, w0 - d), w0 + d + 1), aspect)

    # Fast path: the size the area holds (the area itself when it has the logo's aspect, as the
    # composer's drawn box does), +-1 % (at least 2 px) in 1 px steps, each width with its height
    # rounded both ways.
    w_fit = bw if true_aspect(bw, bh, aspect, 0) else max(1, round(lw * min(bw / lw, bh / lh)))
    best = _best_match(ink, model, near(w_fit, 0.01), (rx0, ry0))
    if best is None or best.score < thr:
        # Coarse search at half resolution, 110 % down to 30 % of that size, then 1 px steps.
        factors = (1.1, 1.04, 1.0, 0.96, 0.9, 0.85, 0.8, 0.75, 0.7, 0.66, 0.62, 0.58, 0.54, 0.5, 0.46, 0.42, 0.38)
        half = cv2.resize(ink, (max(1, ink.shape[1] // 2), max(1, ink.shape[0] // 2)), interpolation=cv2.INTER_AREA)
        sizes = _true_sizes([max(1, round(w_fit * f)) for f in (*factors, 0.34, 0.3)], aspect)
        coarse = _best_match(half, model, sizes, (rx0, ry0), zoom=2)
        if coarse is not None:
            refined = _best_match(ink, model, near(coarse.box[2] - coarse.box[0], 0.06), (rx0, ry0))
            if refined is not None and (best is None or refined.score > best.score):
                best = refined
    if best is None or best.score < _LOGO_EXACT:
        # An imperfect match: does a stretched or squashed logo explain the area better, at a
        # size that no rounding of the true aspect gives?
        stretched = _stretched_match(ink, (rx0, ry0), model, area)
        got = best.score if best else 0.0
        if (
            stretched is not None
            and stretched.score >= thr
            and stretched.score >= got + 0.02
            and not true_aspect(stretched.box[2] - stretched.box[0], stretched.box[3] - stretched.box[1], aspect)
        ):
            f = stretched.aspect_factor
            how = f"{abs(f - 1):.0%} too {'wide' if f > 1 else 'narrow'} for its height"
            return [
                result(
                    cid,
                    Verdict.BLOCKED,
                    "logo.distorted",
                    f"the logo is distorted: drawn at aspect {f * aspect:.2f}:1 where the brand logo is "
                    f"{aspect:.2f}:1 ({how}; similarity {stretched.score:.2f} when distorted, {got:.2f} "
                    f"as designed); scale it uniformly",
                    score=got,
                    box=stretched.box,
                )
            ], stretched.box
    if best is None or best.score < thr:
        return _logo_not_matched(ink, area, best, thr), None

    box = clip_box(best.box, frame.size)  # a match reaching past the canvas is cut to it
    out: list[CheckResult] = []
    # The match is at whole pixels, so the width is measured exactly: 119 px is below 120. In a
    # copy of another size than the design, it is compared in design px rounded to whole pixels.
    width_design = (box[2] - box[0]) / scale
    if round(width_design, 6) < brand.logo.min_width_px - (0 if scale == 1 else 0.5):
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


# An undistorted logo matches at 0.96-1.0 whatever resampler drew it (Lanczos, bicubic, area), down
# to 13 px tall; one stretched 10 % at 0.51-0.98, and at 0.99-1.0 as stretched. Below this score
# the stretched search runs.
_LOGO_EXACT = 0.985


def _stretched_match(ink: np.ndarray, origin: tuple[int, int], model: _LogoModel, area: Box) -> _LogoMatch | None:
    """Best match of the logo stretched or squashed (aspect x0.5-2.0) in `ink` (whose top-left
    pixel is `origin`), anchored at the area's height (or 90/80 % of it) or at its width,
    searched in 4 % aspect steps on the area scaled to about 40 px tall, then refined in 1 % steps
    (+-3 %) at full resolution."""
    lh, lw = model.lh, model.lw
    bw, bh = area[2] - area[0], area[3] - area[1]
    zoom = max(1, bh // 40)  # the coarse search sees the logo about 40 px tall: a small one at full size
    coarse_ink = (
        ink
        if zoom == 1
        else cv2.resize(ink, (ink.shape[1] // zoom, ink.shape[0] // zoom), interpolation=cv2.INTER_AREA)
    )

    def sizes_for(factors: Sequence[float], heights: Sequence[int], widths: Sequence[int]) -> list[tuple[int, int]]:
        out = []
        for f in factors:
            out += [(round(hh * lw / lh * f), hh) for hh in heights]
            out += [(ww, round(ww / (lw / lh * f))) for ww in widths]
        return out

    factors = [float(f) for f in np.geomspace(0.5, 2.0, 36) if abs(f - 1) > 0.06]
    anchors = sizes_for(factors, (bh, round(bh * 0.9), round(bh * 0.8)), (bw,))
    coarse = _best_match(coarse_ink, model, anchors, origin, zoom=zoom)
    if coarse is None:
        return None
    f0 = coarse.aspect_factor
    w0, h0 = coarse.box[2] - coarse.box[0], coarse.box[3] - coarse.box[1]
    fine_f = [f0 * (1 + d / 100) for d in range(-3, 4)]
    return _best_match(ink, model, sizes_for(fine_f, (h0, h0 - 1, h0 + 1), (w0,)), origin) or coarse


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
    may be a sticker, a generated object or a busy background (a studio backdrop, known and drawn
    by code, is compared as drawn)."""
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
        base: np.ndarray = bg
        if ctx.scene is not None and not ctx.generated_background and ctx.scene.size == size:
            # A studio backdrop is drawn by code from the brand's colours: its own edges (the
            # floor line behind a logo centred on a leaderboard) are no marks; anything drawn
            # over it is.
            base = np.asarray(ctx.scene.convert("RGB"))[y0:y1, x0:x1].astype(np.float32)
        marks = unexplained(np.sqrt(((region - base) ** 2).sum(axis=2)) > 30)
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

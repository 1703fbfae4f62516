"""Image compliance checks: what a banner's pixels say, each verdict explained in plain words.

Every check returns `CheckResult`s (check id, verdict, machine code, a message a designer can act
on, the measured value and the box concerned) and can run on a bare image: what is known about
how the banner was made (`ImageContext`, e.g. from the lineage sidecar via `context_from_lineage`)
sharpens a check but is never required. Thresholds live in `ImageCheckSettings` (the brand guide
carries them); every default is documented where it is declared.

Checks (ids), what they need and what they do:

- ``image.palette.overlay``: the designed text and plate colours are brand palette colours
  exactly (blocks otherwise). Needs ``ctx.text_blocks``.
- ``image.palette.background``: every colour covering at least ``dominant_min_share`` of the
  visible background (product, text, logo and plates left out) lies within
  ``palette_max_delta_e`` (CIEDE2000, lightness-tolerant) of a brand colour (else review), and no
  colour covering ``forbidden_min_share`` comes within ``forbidden_min_delta_e`` of a forbidden
  colour (else block).
- ``image.logo``: the brand logo is there (shape similarity), unaltered (aspect, colours), at
  least ``LogoSpec.min_width_px`` wide, with its clear space free of other elements.
- ``image.safe_zone``: text blocks and logo inside the format's safe area.
- ``image.text.contrast``: WCAG 2.x contrast of each text block, measured from the pixels alone.
- ``image.nudity`` / ``image.people``: NudeNet (its ONNX model ships in the wheel; one detector
  per process, one thread) for exposed body parts anywhere, people in the generated background.
- ``image.stray_text``: words (Tesseract) in the background outside the designed text, the logo
  and the product: watermarks, stock-photo marks, generated gibberish signs.
- ``image.quality.sharpness`` / ``.resolution`` / ``.jpeg``: a blurred product, an image smaller
  than its format, JPEG compression below the minimum quality.

Speed (bench/bench_image_checks.py, one CPU thread): about 32 ms per 1080x1080 banner for all
checks but OCR, 13 ms of it NudeNet; wide and tall formats 55-65 ms (NudeNet runs on 3-4 square
tiles). Tesseract runs only where the background has text-like marks.

The module is pure: no environment reads, no files read except the brand's logo when the caller
passes none (as `compose_banner` does). Heavy optional parts (NudeNet, Tesseract) are imported
lazily; when missing, their check asks for review with the reason instead of failing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from pipeline.brand import BrandGuide, ChannelFormat, ImageCheckPolicy, hex_to_rgb
from pipeline.checks import CheckResult, Verdict

__all__ = [
    "Box",
    "DesignedText",
    "ImageCheckSettings",
    "ImageContext",
    "ImageCheck",
    "IMAGE_CHECKS",
    "EXPOSED_CLASSES",
    "PERSON_CLASSES",
    "context_from_lineage",
    "settings_from_policy",
    "run_image_checks",
    "check_background_palette",
    "check_overlay_palette",
    "check_logo",
    "check_safe_zones",
    "check_text_contrast_boxes",
    "check_nudity",
    "check_people",
    "check_stray_text",
    "check_sharpness",
    "check_resolution",
    "check_jpeg_quality",
    "detect_body_parts",
    "detect_tiled",
    "Detection",
    "estimate_jpeg_quality",
    "sharpness_of",
]

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (x1/y1 exclusive), canvas pixels

# NudeNet 3.4 classes. Exposed parts that block by default, with the score that blocks.
EXPOSED_CLASSES: Mapping[str, float] = MappingProxyType({
    "FEMALE_BREAST_EXPOSED": 0.45,
    "FEMALE_GENITALIA_EXPOSED": 0.35,
    "MALE_GENITALIA_EXPOSED": 0.35,
    "BUTTOCKS_EXPOSED": 0.45,
    "ANUS_EXPOSED": 0.35,
})
# Anything NudeNet reports is part of a person: faces, covered and exposed body parts.
PERSON_CLASSES: frozenset[str] = frozenset({
    "FACE_FEMALE", "FACE_MALE", "FEET_EXPOSED", "FEET_COVERED", "ARMPITS_EXPOSED", "ARMPITS_COVERED",
    "BELLY_EXPOSED", "BELLY_COVERED", "MALE_BREAST_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "FEMALE_BREAST_COVERED", "BUTTOCKS_EXPOSED", "BUTTOCKS_COVERED", "FEMALE_GENITALIA_EXPOSED",
    "FEMALE_GENITALIA_COVERED", "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED", "ANUS_COVERED",
})

# Roles the composer sets in the brand's headline (bold) font: WCAG "large" from 18.5 px there.
_BOLD_ROLES = frozenset({"headline", "price", "discount", "cta"})


# --------------------------------------------------------------------------- settings & context


@dataclass(frozen=True)
class ImageCheckSettings:
    """Thresholds of the image checks. Defaults were calibrated on studio-backend banners of the
    demo brand with injected problems (bench/image_set.py seed 0) and checked on held-out
    variations (other seeds); bench/bench_image_checks.py measures both."""

    # CIEDE2000 distance from the nearest brand colour for a background colour to count as
    # on-palette. 10 is "clearly a different colour" for saturated hues and still lets a studio
    # wall drift a little in hue and chroma under the light.
    palette_max_delta_e: float = 10.0
    # kL of CIEDE2000 for the on-palette test. Generated backdrops are brand colours *lit*: light
    # fall-off, vignettes, podium sides and contact shadows change lightness far more than hue or
    # chroma, so lightness differences count half (kL = 2). Forbidden colours use kL = 1.
    palette_lightness_weight: float = 2.0
    # Colours closer than this (CIEDE2000, kL = 1) to a forbidden colour block. CIEDE2000 squeezes
    # saturated reds together: from #FF0000, #E81414 is 4.9, #FF4040 8.2, #E05050 11.8, #C03030
    # 13.8 and Halden's terracotta accent #E07A5F 14.9; 12 blocks the first three, not the last two.
    # A colour of the brand's own palette (within ΔE 3) is never treated as forbidden.
    forbidden_min_delta_e: float = 12.0
    # A forbidden colour must cover this share of the visible background to block (anti-aliased
    # edges and a few noisy pixels do not).
    forbidden_min_share: float = 0.005
    # Off-palette colours covering less of the visible background are ignored (small props,
    # reflections, the fringe of the product).
    dominant_min_share: float = 0.04
    # NudeNet class -> score from which it blocks; classes not listed are ignored for nudity.
    nudity_thresholds: Mapping[str, float] = field(default_factory=lambda: dict(EXPOSED_CLASSES))
    # People or faces in a GENERATED background: ask for review (default), allow, or block.
    people_policy: Literal["review", "allow", "block"] = "review"
    # NudeNet score from which a face or body part counts as a person. NudeNet is a body-part
    # detector, not a person detector: a profile face scores 0.25-0.65, so keep this low.
    people_min_score: float = 0.4
    # Tesseract word confidence (0-100) from which a word in the background is reported.
    stray_text_min_confidence: float = 70.0
    # Product sharpness (see `sharpness_of`: RMS Laplacian / RMS gradient on the product's strong
    # edges). The demo packshots, Lanczos-scaled into banners, score 1.65-2.15 (1.65 after JPEG
    # q30); a Gaussian blur of sigma 1.5 brings them to ~1.0, sigma 3 to ~0.45, a packshot
    # upscaled 3-4x to 0.55-0.8. Below this the product looks soft: review.
    min_sharpness: float = 1.3
    min_jpeg_quality: int = 80
    # Normalised cross-correlation of the logo's ink (what differs from the backdrop) with the
    # brand logo's, at the best position and scale: 1 = identical shape. Composed logos score
    # 0.93-0.97, 0.88 after JPEG q15, 0.87 in a half-size banner; a logo squashed 20 % 0.75-0.78.
    logo_min_similarity: float = 0.82
    # Median CIEDE2000 of the logo's solid pixels against the brand logo's colours.
    logo_max_colour_delta_e: float = 12.0


def settings_from_policy(policy: ImageCheckPolicy) -> ImageCheckSettings:
    """The brand guide's image thresholds over the calibrated defaults (fields left out keep them)."""
    given = {k: v for k, v in policy.model_dump().items() if v is not None}
    return replace(ImageCheckSettings(), **given)


@dataclass(frozen=True)
class DesignedText:
    """A text block as designed: `box` is the tight box of its glyphs, `color` the text colour,
    `background` the solid plate's colour behind it (CTA button, badge) or None."""

    role: str
    box: Box
    color: str | None = None
    large: bool = False
    background: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ImageContext:
    """What is known about how the image was made; everything optional (a bare image: nothing).

    Boxes and masks are in the coordinates of `format` (the designed canvas); when the image
    checked has another size they are scaled to it."""

    format: ChannelFormat | None = None
    text_blocks: tuple[DesignedText, ...] = ()
    logo_box: Box | None = None  # where the logo was drawn, or the layout's logo area
    product_box: Box | None = None
    product_mask: np.ndarray | None = None  # canvas-sized bool, True where the product is opaque
    scene: Image.Image | None = None  # the background before overlays (if known)
    overlay_mask: np.ndarray | None = None  # True where text/logo/buttons were drawn
    generated_background: bool = True
    source_format: str | None = None  # "JPEG"/"PNG" of the file checked
    jpeg_quantization: Mapping[int, Sequence[int]] | None = None  # PIL `.quantization`, if known


def context_from_lineage(lineage: Mapping[str, Any], brand: BrandGuide) -> ImageContext:
    """The context recorded in a banner's lineage sidecar (as `render_variant` writes it).

    Reads "format" (id, size), "layout" (logo box), "text_blocks" (role, box, size_px, color and,
    when present, background and large) and "product" -> "placement_box". Large text is derived
    from the size when not recorded: >= 24 px, or >= 19 px for the roles the composer sets bold.
    """
    fmt: ChannelFormat | None = None
    fmt_info = lineage.get("format") or {}
    if isinstance(fmt_info, Mapping):
        fmt = brand.format_by_id.get(str(fmt_info.get("id", "")))
        size = fmt_info.get("size")
        if fmt is not None and size and tuple(size) != fmt.size:
            fmt = fmt.model_copy(update={"width": int(size[0]), "height": int(size[1])})
    blocks = []
    for b in lineage.get("text_blocks") or ():
        size_px = int(b.get("size_px", 0))
        role = str(b.get("role", "text"))
        large = b.get("large")
        if large is None:
            large = size_px >= 24 or (role in _BOLD_ROLES and size_px >= 19)
        blocks.append(DesignedText(role=role, box=_box(b["box"]), color=b.get("color"), large=bool(large),
                                   background=b.get("background"), text=str(b.get("text", ""))))
    layout = lineage.get("layout") or {}
    logo_box = _box(layout["logo"]) if layout.get("logo") else None
    product = lineage.get("product") or {}
    product_box = _box(product["placement_box"]) if product.get("placement_box") else None
    # Every Vitrina backend (studio, diffusion) generates the scene; a sidecar may say otherwise.
    generated = (lineage.get("generation") or {}).get("backend") not in ("photo", "none")
    return ImageContext(format=fmt, text_blocks=tuple(blocks), logo_box=logo_box, product_box=product_box,
                        generated_background=generated)


def _box(v: Sequence[Any]) -> Box:
    x0, y0, x1, y1 = (int(round(float(c))) for c in v)
    return x0, y0, x1, y1


# --------------------------------------------------------------------------- shared helpers


@dataclass
class _Frame:
    """The image as arrays, converted once and shared by the checks of one run."""

    image: Image.Image
    rgb: np.ndarray  # HxWx3 uint8
    _gray: np.ndarray | None = None
    _lum: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    @property
    def gray(self) -> np.ndarray:
        if self._gray is None:
            self._gray = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)
        return self._gray


def _frame(image: Image.Image) -> _Frame:
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    return _Frame(image, rgb)


# sRGB 8-bit -> linear, for WCAG relative luminance by table look-up
_LINEAR = np.where(np.arange(256) / 255.0 <= 0.04045, np.arange(256) / 255.0 / 12.92,
                   ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4).astype(np.float32)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    return _LINEAR[rgb[..., 0]] * 0.2126 + _LINEAR[rgb[..., 1]] * 0.7152 + _LINEAR[rgb[..., 2]] * 0.0722


def _hex_luminance(value: str) -> float:
    return float(_luminance(np.array(hex_to_rgb(value), dtype=np.uint8)))


def _to_hex(rgb: Sequence[float]) -> str:
    r, g, b = (int(np.clip(round(float(c)), 0, 255)) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"


def _lab(rgb: np.ndarray) -> np.ndarray:
    """(...,3) uint8 sRGB -> CIELAB (D65), float64."""
    from skimage.color import rgb2lab

    arr = np.asarray(rgb, dtype=np.float64).reshape(-1, 1, 3) / 255.0
    return rgb2lab(arr).reshape(np.shape(rgb))


def _lab_to_hex(lab: np.ndarray) -> str:
    from skimage.color import lab2rgb

    rgb = lab2rgb(np.asarray(lab, dtype=np.float64).reshape(1, 1, 3)).reshape(3) * 255
    return _to_hex(rgb)


def _delta_e(lab1: np.ndarray, lab2: np.ndarray, k_l: float = 1.0) -> np.ndarray:
    from skimage.color import deltaE_ciede2000

    return np.asarray(deltaE_ciede2000(lab1, lab2, kL=k_l), dtype=np.float64)


def _clip_box(box: Box, size: tuple[int, int]) -> Box:
    w, h = size
    x0, y0, x1, y1 = box
    return max(0, min(x0, w)), max(0, min(y0, h)), max(0, min(x1, w)), max(0, min(y1, h))


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _intersection(a: Box, b: Box) -> Box:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _expand(box: Box, px: int) -> Box:
    return box[0] - px, box[1] - px, box[2] + px, box[3] + px


def _fmt_box(box: Box) -> str:
    return f"({box[0]}, {box[1]})-({box[2]}, {box[3]})"


def _scale_box(box: Box, sx: float, sy: float) -> Box:
    return (int(math.floor(box[0] * sx)), int(math.floor(box[1] * sy)),
            int(math.ceil(box[2] * sx)), int(math.ceil(box[3] * sy)))


def _fit_context(ctx: ImageContext, size: tuple[int, int]) -> ImageContext:
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
        text_blocks=tuple(replace(b, box=_scale_box(b.box, sx, sy)) for b in ctx.text_blocks),
        logo_box=_scale_box(ctx.logo_box, sx, sy) if ctx.logo_box else None,
        product_box=_scale_box(ctx.product_box, sx, sy) if ctx.product_box else None,
        product_mask=mask(ctx.product_mask),
        overlay_mask=mask(ctx.overlay_mask),
        scene=ctx.scene.resize(size, Image.Resampling.BOX) if ctx.scene is not None else None,
    )


def _scale_of(ctx: ImageContext, size: tuple[int, int]) -> float:
    """Image px per designed (format) px."""
    if ctx.format is None:
        return 1.0
    return min(size[0] / ctx.format.width, size[1] / ctx.format.height)


def _designed_mask(ctx: ImageContext, size: tuple[int, int], stride: int, logo_box: Box | None = None) -> np.ndarray:
    """On the `stride` grid: True where something designed sits (product, text, logo, plates)."""
    w, h = size
    gh, gw = -(-h // stride), -(-w // stride)
    out = np.zeros((gh, gw), dtype=bool)

    def put(box: Box, pad: int) -> None:
        x0, y0, x1, y1 = _clip_box(_expand(box, pad), size)
        out[y0 // stride: -(-y1 // stride), x0 // stride: -(-x1 // stride)] = True

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


def _stride(size: tuple[int, int], target: int = 80_000) -> int:
    return max(1, round(math.sqrt(size[0] * size[1] / target)))


def _result(check: str, verdict: Verdict, code: str, message: str, score: float | None = None,
            box: Box | None = None) -> CheckResult:
    return CheckResult(check, verdict, code, message, None if score is None else round(float(score), 4),
                       None if box is None else tuple(int(v) for v in box))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- palette: overlays


def check_overlay_palette(image: Image.Image | None, brand: BrandGuide, ctx: ImageContext,
                          settings: ImageCheckSettings | None = None) -> list[CheckResult]:
    """Designed text and plate colours must be brand palette colours exactly (hex)."""
    cid = "image.palette.overlay"
    palette = {v.upper(): k for k, v in brand.palette.all_colours().items()}
    if not ctx.text_blocks:
        return [_result(cid, Verdict.PASSED, "palette.overlay_unknown",
                        "no designed text blocks are known for this image, so overlay colours were not checked")]
    out: list[CheckResult] = []
    for b in ctx.text_blocks:
        for what, colour in (("text", b.color), ("plate", b.background)):
            if colour is None:
                continue
            if colour.upper() not in palette:
                near = _nearest_palette(colour, brand)
                out.append(_result(
                    cid, Verdict.BLOCKED, "palette.overlay_off_palette",
                    f"{b.role} {what} colour {colour.upper()} is not a brand colour; overlays may only use the "
                    f"palette (nearest: {near[0]} {near[1]}, ΔE2000 {near[2]:.1f}). Use {near[1]} instead.",
                    score=near[2], box=b.box))
    if not out:
        n = sum((b.color is not None) + (b.background is not None) for b in ctx.text_blocks)
        out.append(_result(cid, Verdict.PASSED, "palette.overlay_ok",
                           f"all {n} text and plate colours are brand palette colours"))
    return out


def _nearest_palette(colour: str, brand: BrandGuide) -> tuple[str, str, float]:
    names = list(brand.palette.all_colours().items())
    labs = _lab(np.array([hex_to_rgb(v) for _, v in names], dtype=np.uint8))
    target = _lab(np.array(hex_to_rgb(colour), dtype=np.uint8))
    d = _delta_e(labs, np.broadcast_to(target, labs.shape))
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


def check_background_palette(image: Image.Image, brand: BrandGuide, ctx: ImageContext,
                             settings: ImageCheckSettings) -> list[CheckResult]:
    """Dominant colours of the generated background against the palette and its forbidden colours.

    The visible background is the image minus the product (mask, else box), the text blocks, the
    logo and the overlays, subsampled to about 80k pixels. Each pixel's colour (quantised to 6
    bits per channel, so CIEDE2000 is computed once per distinct colour) gets its distance to the
    nearest brand colour (lightness weighted by 1/`palette_lightness_weight`, see the settings)
    and to the nearest forbidden colour. Forbidden pixels covering `forbidden_min_share` block;
    off-palette pixels covering `dominant_min_share` are grouped into up to three colours
    (k-means in CIELAB) and each group that covers the share asks for review.
    """
    frame = _frame(image)
    return _background_palette(frame, brand, _fit_context(ctx, frame.size), settings)


def _background_palette(frame: _Frame, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings,
                        logo_box: Box | None = None) -> list[CheckResult]:
    cid = "image.palette.background"
    s = _stride(frame.size)
    small = frame.rgb[::s, ::s]
    keep = ~_designed_mask(ctx, frame.size, s, logo_box)[: small.shape[0], : small.shape[1]]
    ys, xs = np.nonzero(keep)
    px = small[ys, xs]
    n = len(px)
    if n < 200:
        return [_result(cid, Verdict.PASSED, "palette.no_background",
                        "almost no background is visible outside the product, text and logo")]
    keys = _colour_keys(px)
    used = np.flatnonzero(np.bincount(keys, minlength=1 << (3 * _QBITS)))
    lab_used = _lab(_keys_to_rgb(used))
    names = list(brand.palette.all_colours().items())
    brand_lab = _lab(np.array([hex_to_rgb(v) for _, v in names], dtype=np.uint8))
    d_all = np.stack([_delta_e(lab_used, np.broadcast_to(b, lab_used.shape), settings.palette_lightness_weight)
                      for b in brand_lab])
    lut_d = np.zeros(1 << (3 * _QBITS), np.float32)
    lut_i = np.zeros(1 << (3 * _QBITS), np.int16)
    lut_d[used] = d_all.min(axis=0)
    lut_i[used] = d_all.argmin(axis=0)
    d_px = lut_d[keys]
    out: list[CheckResult] = []

    lut_exact = np.zeros(1 << (3 * _QBITS), bool)  # a palette colour itself is never forbidden
    lut_exact[used] = np.min([_delta_e(lab_used, np.broadcast_to(b, lab_used.shape)) for b in brand_lab], axis=0) <= 3.0
    exact = lut_exact[keys]
    forbidden_px = np.zeros(n, dtype=bool)
    for colour in brand.palette.forbidden:
        f_lab = _lab(np.array(hex_to_rgb(colour), dtype=np.uint8))
        lut_f = np.full(1 << (3 * _QBITS), np.inf, np.float32)
        lut_f[used] = _delta_e(lab_used, np.broadcast_to(f_lab, lab_used.shape))
        hit = (lut_f[keys] < settings.forbidden_min_delta_e) & ~exact
        share = hit.mean()
        forbidden_px |= hit
        if share >= settings.forbidden_min_share:
            mean_hex = _to_hex(px[hit].mean(axis=0))
            d = float(np.median(lut_f[keys][hit]))
            box = _points_box(xs[hit], ys[hit], s, frame.size)
            out.append(_result(
                cid, Verdict.BLOCKED, "palette.forbidden_colour",
                f"the background shows {mean_hex} over {share:.1%} of its visible area around {_fmt_box(box)}, "
                f"ΔE2000 {d:.1f} from the forbidden colour {colour.upper()} (must stay at least "
                f"{settings.forbidden_min_delta_e:g} away); regenerate the scene without it or repaint that area "
                f"in a brand colour", score=d, box=box))

    off = (d_px > settings.palette_max_delta_e) & ~forbidden_px
    off_share = float(off.mean())
    if off_share >= settings.dominant_min_share:
        lab_off = _lab(px[off]).astype(np.float32)
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
            d_b = _delta_e(brand_lab, np.broadcast_to(centre, brand_lab.shape), settings.palette_lightness_weight)
            j = int(np.argmin(d_b))
            sel = idx[members]
            box = _points_box(xs[sel], ys[sel], s, frame.size)
            out.append(_result(
                cid, Verdict.NEEDS_REVIEW, "palette.off_brand_colour",
                f"background colour {_lab_to_hex(centre)} covers {share:.0%} of the visible background around "
                f"{_fmt_box(box)}; the nearest brand colour, {names[j][0]} {names[j][1]}, is ΔE2000 "
                f"{float(d_b[j]):.1f} away (on-palette: at most {settings.palette_max_delta_e:g}, lightness "
                f"counted 1/{settings.palette_lightness_weight:g}); regenerate the scene in brand colours or "
                f"approve it as an exception", score=float(d_b[j]), box=box))
    if not out:
        worst = float(np.percentile(d_px, 100 * (1 - settings.dominant_min_share)))
        counts = np.bincount(lut_i[keys], minlength=len(names))
        main = names[int(np.argmax(counts))]
        out.append(_result(
            cid, Verdict.PASSED, "palette.on_brand",
            f"{1 - off_share:.0%} of the visible background is within ΔE2000 {settings.palette_max_delta_e:g} of a "
            f"brand colour (mostly {main[0]} {main[1]}); no forbidden colour", score=worst))
    return out


def _points_box(xs: np.ndarray, ys: np.ndarray, stride: int, size: tuple[int, int]) -> Box:
    """Canvas box of grid points (1st-99th percentile, so a few stray points do not stretch it)."""
    if len(xs) == 0:
        return 0, 0, 0, 0
    lo_x, hi_x = np.percentile(xs, (1, 99)) if len(xs) > 50 else (xs.min(), xs.max())
    lo_y, hi_y = np.percentile(ys, (1, 99)) if len(ys) > 50 else (ys.min(), ys.max())
    return _clip_box((int(lo_x) * stride, int(lo_y) * stride, (int(hi_x) + 1) * stride, (int(hi_y) + 1) * stride), size)


# --------------------------------------------------------------------------- logo

_INK_SCALE = 60.0  # RGB distance from the backdrop that counts as full ink


@dataclass(frozen=True)
class _LogoMatch:
    score: float
    box: Box
    aspect_factor: float = 1.0  # drawn aspect / brand aspect


_LOGO_CACHE: dict[int, tuple[Any, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def _logo_arrays(logo: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RGB float32, alpha 0..1, premultiplied RGB) of a logo, cached per logo object (weakly)."""
    import weakref

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
        return self.lw / self.lh

    def ink(self, w: int, h: int) -> np.ndarray:
        interp = cv2.INTER_AREA if w < self.lw else cv2.INTER_LINEAR
        return cv2.resize(self.ink_full, (w, h), interpolation=interp)

    def composite(self, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        """The logo scaled to w x h over the backdrop: (RGB float, alpha)."""
        interp = cv2.INTER_AREA if w < self.lw else cv2.INTER_LINEAR
        a = cv2.resize(self.alpha, (w, h), interpolation=interp)
        p = cv2.resize(self.premul, (w, h), interpolation=interp)
        return p + self.bg[None, None, :] * (1 - a[..., None]), a


def _ring_colour(rgb: np.ndarray, box: Box, width: int = 4) -> np.ndarray:
    """Median colour of a thin ring just outside `box` (the backdrop around the logo)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _clip_box(_expand(box, width), (w, h))
    ix0, iy0, ix1, iy1 = _clip_box(box, (w, h))
    region = rgb[y0:y1, x0:x1].reshape(-1, 3)
    m = np.ones((y1 - y0, x1 - x0), dtype=bool)
    m[iy0 - y0: iy1 - y0, ix0 - x0: ix1 - x0] = False
    ring = region[m.reshape(-1)]
    return np.median(ring if len(ring) else region, axis=0).astype(np.float32)


def _best_match(ink: np.ndarray, model: _LogoModel, sizes: Sequence[tuple[int, int]], origin: tuple[int, int],
                zoom: int = 1) -> _LogoMatch | None:
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
        res = cv2.matchTemplate(ink, t_ink, cv2.TM_CCOEFF_NORMED)
        _, score, _, (mx, my) = cv2.minMaxLoc(res)
        if not math.isfinite(score):
            continue
        if best is None or score > best.score + 1e-6:
            x0, y0 = origin[0] + mx * zoom, origin[1] + my * zoom
            best = _LogoMatch(float(score), (x0, y0, x0 + w, y0 + h), (w / h) / model.aspect)
    return best


def check_logo(image: Image.Image, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings,
               *, logo: Image.Image | None = None) -> list[CheckResult]:
    """The brand logo: present, unaltered (shape and colours), not too small, clear space free.

    Shape: the logo area's "ink" (colour distance from the backdrop around it, saturating at 60
    RGB units) is matched against the brand logo's ink by normalised cross-correlation over
    scales 30-110 % of the area's size; this is colour-blind on purpose, so a recoloured logo is
    still found and then reported as recoloured (median CIEDE2000 of its solid pixels). When no
    true-aspect match reaches `logo_min_similarity`, stretched and squashed versions are tried
    to tell a distorted logo from a missing or replaced one. Without `ctx.logo_box` the whole
    image is searched (downscaled, several scales) first.
    """
    frame = _frame(image)
    return _check_logo(frame, brand, _fit_context(ctx, frame.size), settings, logo)[0]


def _check_logo(frame: _Frame, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings,
                logo: Image.Image | None) -> tuple[list[CheckResult], Box | None]:
    cid = "image.logo"
    if logo is None:
        with Image.open(brand.logo_path) as f:
            logo = f.convert("RGBA")
    scale = _scale_of(ctx, frame.size)
    min_w = brand.logo.min_width_px * scale
    area = ctx.logo_box
    if area is None:
        area = _global_logo_search(frame, logo, min_w)
        if area is None:
            return [_result(cid, Verdict.BLOCKED, "logo.missing",
                            "the brand logo was not found anywhere in the image; place the logo")], None
    W, H = frame.size
    area = _clip_box(area, frame.size)
    bw, bh = area[2] - area[0], area[3] - area[1]
    if bw < 4 or bh < 4:
        return [_result(cid, Verdict.BLOCKED, "logo.missing", f"the logo area {_fmt_box(area)} is empty")], None
    pad = max(8, round(0.3 * bh))
    region_box = _clip_box(_expand(area, pad), frame.size)
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
        factors = (1.1, 1.04, 1.0, 0.96, 0.9, 0.85, 0.8, 0.75, 0.7, 0.66, 0.62, 0.58, 0.54, 0.5, 0.46, 0.42, 0.38,
                   0.34, 0.3)
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
            return [_result(cid, Verdict.BLOCKED, "logo.distorted",
                            f"the logo is distorted: drawn at aspect {f * lw / lh:.2f}:1 where the brand logo is "
                            f"{lw / lh:.2f}:1 ({how}; similarity {stretched.score:.2f} when distorted, {got:.2f} "
                            f"as designed); scale it uniformly", score=got, box=stretched.box)], stretched.box
    if best is None or best.score < thr:
        return _logo_not_matched(ink, area, best, thr), None

    box = best.box
    out: list[CheckResult] = []
    width_design = (box[2] - box[0]) / scale
    # Matching locates the logo to about a pixel: a 120 px logo may measure 119 px. Only a logo
    # smaller by more than that measurement error is reported.
    if box[2] - box[0] < min_w - max(1.5 * scale, 0.01 * min_w):
        out.append(_result(
            cid, Verdict.BLOCKED, "logo.too_small",
            f"the logo is drawn {width_design:.0f} px wide, below the brand minimum of {brand.logo.min_width_px} px; "
            f"draw it at least {brand.logo.min_width_px} px wide", score=width_design, box=box))
    # colours: solid pixels of the logo against the brand logo's own colours
    comp, a = model.composite(box[2] - box[0], box[3] - box[1])
    solid = cv2.erode((a > 0.98).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    if solid.sum() >= 20:
        obs = frame.rgb[box[1]:box[3], box[0]:box[2]][solid]
        exp = comp[solid]
        step = max(1, len(obs) // 1500)
        d = _delta_e(_lab(obs[::step]), _lab(np.clip(exp[::step] + 0.5, 0, 255).astype(np.uint8)))
        med = float(np.median(d))
        if med > settings.logo_max_colour_delta_e:
            seen = _to_hex(np.median(obs, axis=0))
            want = _to_hex(np.median(exp, axis=0))
            out.append(_result(
                cid, Verdict.BLOCKED, "logo.recoloured",
                f"the logo's colours differ from the brand logo (median ΔE2000 {med:.1f}, allowed "
                f"{settings.logo_max_colour_delta_e:g}; mostly {seen} where the logo has {want}); use the "
                f"original logo file, unrecoloured", score=med, box=box))
    out.extend(_clear_space(ctx, brand, box, frame, bg))
    if not out:
        out.append(_result(cid, Verdict.PASSED, "logo.ok",
                           f"brand logo found at {_fmt_box(box)}, {width_design:.0f} px wide (minimum "
                           f"{brand.logo.min_width_px}), similarity {best.score:.2f} (needs {thr:g}), clear space free",
                           score=best.score, box=box))
    return out, box


_LOGO_EXACT = 0.92  # an undistorted logo as drawn by the composer matches at 0.93-0.97 (0.88 after JPEG q15)


def _stretched_match(frame: _Frame, model: _LogoModel, area: Box) -> _LogoMatch | None:
    """Best match of the logo stretched or squashed (aspect x0.5-2.0), anchored at the area's
    height (or 90/80 % of it) or at its width, searched in 4 % aspect steps at half resolution
    around the area (+-60 % of its height), then refined in 1 % steps at full resolution."""
    lh, lw = model.lh, model.lw
    bw, bh = area[2] - area[0], area[3] - area[1]
    region_box = _clip_box(_expand(area, max(8, round(0.6 * bh))), frame.size)
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
    coarse = _best_match(half, model, sizes_for(factors, (bh, round(bh * 0.9), round(bh * 0.8)), (bw,)), (x0, y0), zoom=2)
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
        return [_result(cid, Verdict.BLOCKED, "logo.missing",
                        f"the logo area {_fmt_box(area)} is empty (no marks against the backdrop); place the brand logo",
                        score=got, box=area)]
    return [_result(cid, Verdict.BLOCKED, "logo.altered",
                    f"the mark in the logo area {_fmt_box(area)} is not the brand logo (shape similarity {got:.2f}, "
                    f"needs {thr:g}); use the original logo file", score=got,
                    box=best.box if best else area)]


def _global_logo_search(frame: _Frame, logo: Image.Image, min_w: float) -> Box | None:
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
        res = cv2.matchTemplate(gray, t, cv2.TM_CCOEFF_NORMED)
        _, score, _, (mx, my) = cv2.minMaxLoc(res)
        if best is None or score > best[0]:
            best = (float(score), (mx, my, mx + w_i, my + h_i))
    if best is None or best[0] < 0.5:
        return None
    x0, y0, x1, y1 = best[1]
    return _clip_box((math.floor(x0 / f), math.floor(y0 / f), math.ceil(x1 / f), math.ceil(y1 / f)), frame.size)


def _clear_space(ctx: ImageContext, brand: BrandGuide, box: Box, frame: _Frame, bg: np.ndarray) -> list[CheckResult]:
    """Other elements in the logo's clear space (clear_space x logo height on every side).

    Declared elements block: text boxes (a block on a plate counts 0.3 x its text height wider on
    every side, the plate's margin), the product box and, when known, other overlay pixels. Then
    the pixels themselves: marks in the clear-space ring (colour 30+ RGB units from the backdrop
    around the logo, over 1 % of the ring) that no declared element explains ask for review; they
    may be a sticker, a generated object or a busy background."""
    size = frame.size
    clear = math.ceil(brand.logo.clear_space * (box[3] - box[1]))
    keep_out = _expand(box, clear)
    crowding: list[tuple[str, Box, int]] = []
    named: list[Box] = []
    for b in ctx.text_blocks:
        bb = _expand(b.box, round(0.3 * (b.box[3] - b.box[1]))) if b.background else b.box
        inter = _intersection(bb, keep_out)
        if _area(inter) > 0:
            crowding.append((f"{b.role} text" + (" and its plate" if b.background else ""), bb, _area(inter)))
        named.append(bb)
    if ctx.product_box is not None:
        inter = _intersection(ctx.product_box, keep_out)
        if _area(inter) > 0:
            crowding.append(("the product", ctx.product_box, _area(inter)))
        named.append(ctx.product_box)
    x0, y0, x1, y1 = _clip_box(keep_out, size)
    lx0, ly0, lx1, ly1 = _clip_box(_expand(box, 3), size)

    def unexplained(m: np.ndarray) -> np.ndarray:
        m[max(0, ly0 - y0): ly1 - y0, max(0, lx0 - x0): lx1 - x0] = False
        for nb in named:
            ix0, iy0, ix1, iy1 = _intersection(_expand(nb, 3), (x0, y0, x1, y1))
            if ix1 > ix0 and iy1 > iy0:
                m[iy0 - y0: iy1 - y0, ix0 - x0: ix1 - x0] = False
        return m

    def bbox(m: np.ndarray) -> Box:
        ys, xs = np.nonzero(m)
        return x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1

    if ctx.overlay_mask is not None and ctx.overlay_mask.shape == (size[1], size[0]):
        m = unexplained(ctx.overlay_mask[y0:y1, x0:x1].copy())
        if m.any():
            crowding.append(("other overlay pixels", bbox(m), int(m.sum())))
    out = []
    for what, b, px in crowding:
        out.append(_result(
            "image.logo", Verdict.BLOCKED, "logo.clear_space",
            f"{what} at {_fmt_box(b)} enters the logo's clear space ({brand.logo.clear_space:g} x logo height = "
            f"{clear} px around {_fmt_box(box)}) by {px} px²; move it at least {clear} px away from the logo",
            score=float(px), box=_intersection(b, keep_out)))
    if not out and x1 > x0 and y1 > y0:
        region = frame.rgb[y0:y1, x0:x1].astype(np.float32)
        marks = unexplained(np.sqrt(((region - bg) ** 2).sum(axis=2)) > 30)
        ring_area = (x1 - x0) * (y1 - y0) - (lx1 - lx0) * (ly1 - ly0)
        count = int(marks.sum())
        if ring_area > 0 and count > max(20, 0.01 * ring_area):
            out.append(_result(
                "image.logo", Verdict.NEEDS_REVIEW, "logo.clear_space_marks",
                f"something is drawn in the logo's clear space ({clear} px around {_fmt_box(box)}): {count} px "
                f"({count / ring_area:.0%} of it) differ from the backdrop at {_fmt_box(bbox(marks))}; keep the clear "
                f"space free", score=float(count), box=bbox(marks)))
    return out


# --------------------------------------------------------------------------- safe zones


def check_safe_zones(image: Image.Image | None, brand: BrandGuide, ctx: ImageContext,
                     settings: ImageCheckSettings | None = None, *, logo_box: Box | None = None) -> list[CheckResult]:
    """Every text block and the logo inside the format's safe area (canvas minus safe-zone insets).

    Without a known format, the brand format of exactly the image's size is used. Boxes are in
    the designed canvas; `logo_box` (where the logo check found the logo) overrides ctx.logo_box
    and, being measured, is given 2 px of tolerance (template matching is exact to about 1 px).
    """
    cid = "image.safe_zone"
    fmt = ctx.format
    if fmt is None and image is not None:
        fmt = next((f for f in brand.formats if f.size == image.size), None)
    if fmt is None:
        return [_result(cid, Verdict.PASSED, "safe_zone.unknown_format",
                        "the channel format is unknown, so the safe zone was not checked")]
    sz = fmt.safe_zone
    safe = (sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom)
    items: list[tuple[str, Box, int]] = [(f"{b.role} text", b.box, 0) for b in ctx.text_blocks]
    if logo_box is not None:
        items.append(("logo", logo_box, 2))
    elif ctx.logo_box is not None:
        items.append(("logo", ctx.logo_box, 0))
    out = []
    for what, box, tolerance in items:
        outside = _area(box) - _area(_intersection(box, _expand(safe, tolerance)))
        if outside > 0:
            sides = [name for name, cond in (("top", box[1] < safe[1]), ("bottom", box[3] > safe[3]),
                                             ("left", box[0] < safe[0]), ("right", box[2] > safe[2])) if cond]
            depth = max(safe[1] - box[1], box[3] - safe[3], safe[0] - box[0], box[2] - safe[2])
            out.append(_result(
                cid, Verdict.BLOCKED, "safe_zone.outside",
                f"{what} at {_fmt_box(box)} reaches {depth} px into the {'/'.join(sides)} margin of the {fmt.name} "
                f"safe zone ({outside} px² outside {_fmt_box(safe)}, where platform chrome covers it); move it "
                f"inside", score=float(outside), box=box))
    if not out:
        out.append(_result(cid, Verdict.PASSED, "safe_zone.ok",
                           f"{len(items)} text and logo boxes lie inside the {fmt.name} safe area {_fmt_box(safe)}"))
    return out


# --------------------------------------------------------------------------- text contrast


def check_text_contrast_boxes(image: Image.Image, brand: BrandGuide, ctx: ImageContext,
                              settings: ImageCheckSettings | None = None, *, min_normal: float | None = None,
                              min_large: float | None = None) -> list[CheckResult]:
    """WCAG 2.x contrast of each designed text block, measured from the image alone.

    Inside the block's box the pixels are split in two by luminance (Otsu); the glyphs are the
    class nearer the designed text colour (the darker/lighter minority when no colour is known).
    The background is a ring 2-5 px (scaled with the text) around the glyphs, leaving out the
    anti-aliased fringe; the ratio is the 10th percentile over the ring, as in
    `pipeline.checks.check_text_contrast`. Thresholds: `min_normal` / `min_large`, by default
    brand.checks (4.5 normal / 3.0 large).
    """
    frame = _frame(image)
    return _text_contrast(frame, brand, _fit_context(ctx, frame.size), min_normal, min_large)


def _text_contrast(frame: _Frame, brand: BrandGuide, ctx: ImageContext, min_normal: float | None = None,
                   min_large: float | None = None) -> list[CheckResult]:
    cid = "image.text.contrast"
    if not ctx.text_blocks:
        return [_result(cid, Verdict.PASSED, "contrast.unknown_blocks",
                        "no text blocks are known for this image, so text contrast was not measured")]
    out: list[CheckResult] = []
    W, H = frame.size
    for b in ctx.text_blocks:
        ratio, note = _block_contrast(frame, b)
        if b.large:
            need = brand.checks.min_contrast_large if min_large is None else min_large
        else:
            need = brand.checks.min_contrast_normal if min_normal is None else min_normal
        kind = "large" if b.large else "normal"
        if ratio is None:
            out.append(_result(cid, Verdict.NEEDS_REVIEW, "contrast.unmeasured",
                               f"{b.role} text at {_fmt_box(b.box)}: contrast could not be measured ({note})", box=b.box))
        elif ratio < need:
            out.append(_result(
                cid, Verdict.BLOCKED, "contrast.too_low",
                f"{b.role} text at {_fmt_box(b.box)} has contrast {ratio:.2f}:1 against what is right around it, "
                f"below {need:g}:1 for {kind} text{note}; change the text colour, add a plate behind it or calm the "
                f"background there", score=ratio, box=b.box))
        else:
            out.append(_result(cid, Verdict.PASSED, "contrast.ok",
                               f"{b.role} text contrast {ratio:.2f}:1 (needs {need:g}:1 for {kind} text)",
                               score=ratio, box=b.box))
    return out


def _block_contrast(frame: _Frame, b: DesignedText) -> tuple[float | None, str]:
    W, H = frame.size
    x0, y0, x1, y1 = _clip_box(b.box, (W, H))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None, "the box is empty or outside the image"
    th = y1 - y0
    r_in = max(1, round(th / 40))  # anti-aliased fringe left out
    r_out = r_in + max(3, round(th / 16))
    pad = r_out + 2
    X0, Y0, X1, Y1 = _clip_box((x0 - pad, y0 - pad, x1 + pad, y1 + pad), (W, H))
    crop = frame.rgb[Y0:Y1, X0:X1]
    lum = _luminance(crop)
    inner = np.zeros(lum.shape, dtype=bool)
    inner[y0 - Y0: y1 - Y0, x0 - X0: x1 - X0] = True
    vals = (np.sqrt(lum[inner]) * 255).astype(np.uint8)  # perceptual-ish scale for the split
    if int(vals.max()) - int(vals.min()) < 2:
        text_lum = _hex_luminance(b.color) if b.color else float(lum[inner].mean())
        ring_lum = lum[~inner]
        ratio = _ratio_p10(text_lum, ring_lum)
        return ratio, " (no glyphs stand out from the background)"
    t, _ = cv2.threshold(vals.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    full = (np.sqrt(lum) * 255).astype(np.uint8)
    high = (full > t) & inner
    low = (full <= t) & inner
    if b.color:
        text_lum = _hex_luminance(b.color)
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
    hi = np.maximum(text_lum, ring_lum)
    lo = np.minimum(text_lum, ring_lum)
    return float(np.percentile((hi + 0.05) / (lo + 0.05), 10))


# --------------------------------------------------------------------------- nudity and people

_SESSION: Any = None
_LABELS: tuple[str, ...] = ()
_DETECTOR_LOCK = threading.Lock()
_NUDENET_INPUT = 320


def _session() -> Any:
    """NudeNet's ONNX model (shipped in its wheel), loaded once per process, one CPU thread."""
    global _SESSION, _LABELS
    with _DETECTOR_LOCK:
        if _SESSION is None:
            import os.path

            import nudenet
            import onnxruntime as ort
            from nudenet import nudenet as nn

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            _SESSION = ort.InferenceSession(os.path.join(os.path.dirname(nudenet.__file__), "320n.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
            _LABELS = tuple(getattr(nn, "__labels"))
        return _SESSION


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: Box


def detect_body_parts(image: Image.Image | np.ndarray, offset: tuple[int, int] = (0, 0)) -> list[Detection]:
    """NudeNet 3.4 detections on an RGB image or array, boxes as (x0, y0, x1, y1) + `offset`.

    The same computation as `NudeDetector().detect(bgr_array)` (pad to a square at the bottom and
    right, 320 px blob, scores >= 0.2, NMS 0.25 / 0.45), with the model on one thread and the
    per-row Python post-processing vectorised (7 ms -> 0.3 ms)."""
    rgb = np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else image
    h, w = rgb.shape[:2]
    side = max(h, w)
    padded = cv2.copyMakeBorder(np.ascontiguousarray(rgb), 0, side - h, 0, side - w, cv2.BORDER_CONSTANT)
    # NudeNet converts its BGR input with COLOR_RGBA2BGR (a channel swap) and then swaps again in
    # blobFromImage: the network sees BGR order. From RGB: one swap.
    blob = cv2.dnn.blobFromImage(padded, 1 / 255.0, (_NUDENET_INPUT, _NUDENET_INPUT), (0, 0, 0), swapRB=True, crop=False)
    session = _session()
    raw = session.run(None, {session.get_inputs()[0].name: blob})[0]
    rows = np.squeeze(raw).T  # (anchors, 4 + classes)
    scores = rows[:, 4:]
    best = scores.max(axis=1)
    keep = np.flatnonzero(best >= 0.2)
    if not len(keep):
        return []
    cls = scores[keep].argmax(axis=1)
    conf = best[keep]
    cx, cy, bw, bh = (rows[keep, i] for i in range(4))
    k = side / _NUDENET_INPUT
    x = np.clip((cx - bw / 2) * k, 0, w)
    y = np.clip((cy - bh / 2) * k, 0, h)
    bw = np.minimum(bw * k, w - x)
    bh = np.minimum(bh * k, h - y)
    boxes = [[float(a), float(b), float(c), float(d)] for a, b, c, d in zip(x, y, bw, bh)]
    out = []
    for i in np.asarray(cv2.dnn.NMSBoxes(boxes, [float(c) for c in conf], 0.25, 0.45)).reshape(-1):
        bx, by, bww, bhh = (int(v) for v in boxes[i])
        out.append(Detection(_LABELS[int(cls[i])], float(conf[i]),
                             (offset[0] + bx, offset[1] + by, offset[0] + bx + bww, offset[1] + by + bhh)))
    return out


def check_nudity(image: Image.Image, brand: BrandGuide | None, ctx: ImageContext, settings: ImageCheckSettings,
                 *, detections: Sequence[Detection] | None = None) -> list[CheckResult]:
    """Exposed body parts anywhere in the banner (NudeNet), each class with its own threshold."""
    cid = "image.nudity"
    if detections is None:
        try:
            detections = detect_tiled(np.asarray(image.convert("RGB")))
        except Exception as exc:  # NudeNet or onnxruntime missing or broken
            return [_result(cid, Verdict.NEEDS_REVIEW, "nudity.unavailable",
                            f"nudity not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})")]
    out = []
    for d in detections:
        limit = settings.nudity_thresholds.get(d.label)
        if limit is not None and d.score >= limit:
            out.append(_result(cid, Verdict.BLOCKED, "nudity.exposed",
                               f"{d.label.lower().replace('_', ' ')} detected at {_fmt_box(d.box)} (score {d.score:.2f}, "
                               f"blocks from {limit:g}); this image cannot run", score=d.score, box=d.box))
    if not out:
        top = max((d.score for d in detections if d.label in settings.nudity_thresholds), default=0.0)
        out.append(_result(cid, Verdict.PASSED, "nudity.none",
                           f"no exposed body parts (highest score {top:.2f}, lowest blocking threshold "
                           f"{min(settings.nudity_thresholds.values(), default=1.0):g})", score=top))
    return out


def _tiles(size: tuple[int, int]) -> list[Box]:
    """Square tiles of side min(W, H) covering the image with overlap (one tile when nearly square):
    NudeNet pads its input square, so a 1920x600 hero seen whole would spend 2/3 of the model's
    320 px on padding."""
    W, H = size
    short, long = min(W, H), max(W, H)
    if long <= 1.3 * short:
        return [(0, 0, W, H)]
    # Banner strips (728x90) would need 11 square tiles: at most 4 tiles along the long side,
    # each then a little wider than tall (NudeNet pads it; a 90 px strip still fills a third).
    tile = max(short, math.ceil(long / 4))
    k = max(2, math.ceil(long / tile * 1.25)) if tile < long else 1
    step = (long - tile) / (k - 1) if k > 1 else 0
    if W > H:
        return [(round(i * step), 0, round(i * step) + tile, H) for i in range(k)]
    return [(0, round(i * step), W, round(i * step) + tile) for i in range(k)]


def detect_tiled(rgb: np.ndarray) -> list[Detection]:
    """NudeNet over `_tiles` of an RGB array (whole image when it is nearly square)."""
    out: list[Detection] = []
    for x0, y0, x1, y1 in _tiles((rgb.shape[1], rgb.shape[0])):
        out += detect_body_parts(rgb[y0:y1, x0:x1], offset=(x0, y0))
    return out


_ZOOM_MIN_DENSITY = 0.3  # clean studio banners: 0.02-0.2 (plates, podium rim); a person: 0.5+


def _busy_window(frame: _Frame, ctx: ImageContext) -> tuple[Box, float] | None:
    """The half-tile square of the background with the most local-contrast marks (|grey - its
    Gaussian blur, sigma ~ 25 px| > 12) outside the product, text and logo, and its mark density.
    Studio backdrops are smooth (their densest window holds the podium's rim or the table edge);
    a figure, a prop or a busy generated scene is not."""
    W, H = frame.size
    s = _stride(frame.size, 40_000)
    small = frame.gray[::s, ::s].astype(np.float32)
    marks = (np.abs(small - cv2.GaussianBlur(small, (0, 0), 5)) > 12).astype(np.float32)
    marks[_designed_mask(ctx, frame.size, s)[: marks.shape[0], : marks.shape[1]]] = 0
    side = max(8, min(W, H) // 2 // s)
    if side >= min(marks.shape):
        return None
    density = cv2.boxFilter(marks, -1, (side, side), normalize=True, borderType=cv2.BORDER_CONSTANT)
    half = side // 2
    inner = density[half: marks.shape[0] - (side - half) + 1, half: marks.shape[1] - (side - half) + 1]
    if inner.size == 0:
        return None
    y, x = np.unravel_index(int(np.argmax(inner)), inner.shape)
    d = float(inner[y, x])
    # slide the window up to the top of the marks in its columns: a standing figure's head
    marked = marks[:, x: x + side].sum(axis=1) >= 2
    top = y
    while top > 0 and marked[max(0, top - 4): top].any():
        top -= 1
    y = max(0, top - 2)
    box = (x * s, y * s, min(W, (x + side) * s), min(H, (y + side) * s))
    return box, d


def check_people(image: Image.Image, brand: BrandGuide | None, ctx: ImageContext, settings: ImageCheckSettings,
                 *, detections: Sequence[Detection] | None = None) -> list[CheckResult]:
    """Faces or body parts in a generated background (outside the product box), by policy.

    NudeNet runs on the whole banner (square tiles for wide or tall formats, `_tiles`); where the
    background has a busy half-size window (`_busy_window`, mark density >= 30 %), that window,
    moved up to the top of the marks below it, is looked at again, zoomed 2x, since NudeNet's
    320 px input barely resolves a face a tenth of the banner high. A detection counts from
    `people_min_score`, unless mostly inside the product box.
    """
    frame = _frame(image)
    return _people(frame, _fit_context(ctx, frame.size), settings, detections)


def _people(frame: _Frame, ctx: ImageContext, settings: ImageCheckSettings,
            detections: Sequence[Detection] | None) -> list[CheckResult]:
    cid = "image.people"
    if not ctx.generated_background:
        return [_result(cid, Verdict.PASSED, "people.not_generated",
                        "the background is not generated; the people policy applies to generated scenes")]
    try:
        found = list(detections) if detections is not None else detect_tiled(frame.rgb)
        busy = _busy_window(frame, ctx)
        if busy is not None and busy[1] >= _ZOOM_MIN_DENSITY:
            box = busy[0]
            found += detect_body_parts(frame.rgb[box[1]:box[3], box[0]:box[2]], offset=(box[0], box[1]))
    except Exception as exc:
        return [_result(cid, Verdict.NEEDS_REVIEW, "people.unavailable",
                        f"people not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})")]
    hits = []
    for d in found:
        if d.label not in PERSON_CLASSES or d.score < settings.people_min_score:
            continue
        if ctx.product_box is not None and _area(_intersection(d.box, ctx.product_box)) > 0.5 * _area(d.box):
            continue  # on the product itself (a model wearing it is the product photo's business)
        hits.append(d)
    if not hits:
        return [_result(cid, Verdict.PASSED, "people.none",
                        "no faces or people in the generated background "
                        f"(NudeNet, score >= {settings.people_min_score:g})")]
    hits.sort(key=lambda d: -d.score)
    what = ", ".join(f"{d.label.lower().replace('_', ' ')} {d.score:.2f} at {_fmt_box(d.box)}" for d in hits[:3])
    x0 = min(d.box[0] for d in hits); y0 = min(d.box[1] for d in hits)
    x1 = max(d.box[2] for d in hits); y1 = max(d.box[3] for d in hits)
    verdict = {"review": Verdict.NEEDS_REVIEW, "block": Verdict.BLOCKED, "allow": Verdict.PASSED}[settings.people_policy]
    code = "people.allowed" if settings.people_policy == "allow" else "people.in_background"
    tail = {"review": "a generated person needs a human check (likeness, hands, faces)",
            "block": "the brand does not allow people in generated scenes; regenerate without them",
            "allow": "allowed by the brand's people policy"}[settings.people_policy]
    return [_result(cid, verdict, code, f"the generated background shows a person: {what}; {tail}",
                    score=hits[0].score, box=(x0, y0, x1, y1))]


# --------------------------------------------------------------------------- stray text


def _text_candidates(frame: _Frame, ctx: ImageContext, logo_box: Box | None = None) -> list[tuple[Box, int]]:
    """Text-like regions of the background (outside designed text, logo, product): the fast path.

    At half resolution: morphological gradient (3x3) above 14 grey levels marks strokes, except
    where the edge runs within ~18 degrees of horizontal (rims, table and shadow edges); stroke
    pieces larger than a letter (over 120 x 80 half-px: podium rims, table edges, plates, product
    outlines) are dropped; the rest are joined along lines (closing 1 x 7, then groups on one line
    less than 0.8 x their height apart); a line counts as text-like when it is 5-70 px tall
    (10-140 px at full size), at least 1.2 times as wide as tall, made of at least 3 separate
    stroke pieces, and its strokes fill 12-75 % of its box.
    Smooth studio backdrops, contact shadows, podium and table edges give none, so OCR is skipped.
    Returns (box, median stroke-piece height) per line, both in full-resolution px.
    """
    g = frame.gray
    half = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
    grad = cv2.morphologyEx(half, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    gx = np.abs(cv2.Sobel(half, cv2.CV_16S, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(half, cv2.CV_16S, 0, 1, ksize=3))
    # near-horizontal edges (podium rims, table and shadow edges, a horizon) are not strokes
    strokes = ((grad > 14) & (gx * 3 >= gy)).astype(np.uint8)
    designed = _designed_mask(ctx, frame.size, 2, logo_box)[: strokes.shape[0], : strokes.shape[1]]
    strokes[designed] = 0
    if int(strokes.sum()) < 30:
        return []
    n, pieces, pst, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    too_big = (pst[:, 2] > 120) | (pst[:, 3] > 80)
    too_big[0] = False
    if too_big.any():
        strokes[too_big[pieces]] = 0
    joined = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((1, 7), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    _, piece_ids, piece_stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    # groups on one text line: vertical overlap >= half the smaller height, gap <= 0.8 x height
    groups: list[list[Any]] = []  # x0, y0, x1, y1, stroke px, piece heights
    for i in range(1, n):
        x, y, w, h, _a = (int(v) for v in stats[i])
        if not 5 <= h <= 70:
            continue
        sel = labels[y:y + h, x:x + w] == i
        ink = int(strokes[y:y + h, x:x + w][sel].sum())
        ids = np.unique(piece_ids[y:y + h, x:x + w][sel & (strokes[y:y + h, x:x + w] > 0)])
        groups.append([x, y, x + w, y + h, ink, [int(v) for v in piece_stats[ids, 3]]])
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                a, b = groups[i], groups[j]
                ha, hb = a[3] - a[1], b[3] - b[1]
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if overlap >= 0.5 * min(ha, hb) and gap <= 0.8 * max(ha, hb) and max(ha, hb) <= 2 * min(ha, hb):
                    groups[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]), a[4] + b[4],
                                 a[5] + b[5]]
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    out = []
    for x0, y0, x1, y1, ink, heights in groups:
        w, h = x1 - x0, y1 - y0
        if w < 1.2 * h or w < 10 or len(heights) < 3 or not 0.12 <= ink / (w * h) <= 0.75:
            continue
        out.append(((2 * x0, 2 * y0, 2 * x1, 2 * y1), 2 * int(np.median(heights))))
    return out


def _ocr_words(gray: np.ndarray, offset: tuple[int, int], sign: int, f: float) -> list[tuple[str, float, Box]]:
    """Tesseract words of a grey crop scaled by `f`. The crop is turned into dark-on-white for one
    polarity: deviation from its median (the backdrop) in direction `sign` (-1: darker text, +1:
    lighter text), stretched to its 99th percentile (faint watermarks become black), the other
    direction clipped to white (a shadow next to light lettering disappears). A line-shaped crop
    is read as one line (--psm 7), else as a block (--psm 6)."""
    import pytesseract

    h, w = gray.shape
    g = gray.astype(np.float32)
    if f != 1.0:
        g = cv2.resize(g, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    dev = (g - float(np.median(g))) * sign
    top = max(float(np.percentile(dev, 99)), 8.0)
    img = (255 - np.clip(dev * (255.0 / top), 0, 255)).astype(np.uint8)
    img = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    psm = 7 if w > 2.5 * h else 6
    data = pytesseract.image_to_data(img, lang="eng", config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
    words = []
    rows = zip(data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"])
    for text, conf, x, y, w, hh in rows:
        text = str(text).strip()
        try:
            c = float(conf)
        except (TypeError, ValueError):
            continue
        if not text or c < 0:
            continue
        box = (offset[0] + round((x - 20) / f), offset[1] + round((y - 20) / f),
               offset[0] + round((x - 20 + w) / f), offset[1] + round((y - 20 + hh) / f))
        words.append((text, c, box))
    return words


_MAX_OCR_CALLS = 8  # Tesseract calls per image (~0.1-0.3 s each); only images with text-like marks pay


def _is_word(text: str, conf: float, settings: ImageCheckSettings) -> bool:
    """A real word: confident enough, and short ones (2-3 letters) more so. Tesseract reads 'wa' or
    'Gra' at ~70 % into podium rims and shadows (two demo banners); real watermarks and generated
    lettering are longer or read far more confidently."""
    letters = sum(ch.isalnum() for ch in text)
    need = settings.stray_text_min_confidence if letters >= 4 else max(settings.stray_text_min_confidence, 85.0)
    return letters >= 2 and conf >= need


def check_stray_text(image: Image.Image, brand: BrandGuide | None, ctx: ImageContext, settings: ImageCheckSettings,
                     *, logo_box: Box | None = None) -> list[CheckResult]:
    """Words in the background outside the designed text, the logo and the product: watermarks,
    stock-photo marks, signs a generator painted. Tesseract reads only the text-like regions the
    fast path (`_text_candidates`) finds; no such region means no OCR at all. A word counts with
    Tesseract confidence >= `stray_text_min_confidence` and at least two letters or digits."""
    frame = _frame(image)
    return _stray_text(frame, _fit_context(ctx, frame.size), settings, logo_box)


def _stray_text(frame: _Frame, ctx: ImageContext, settings: ImageCheckSettings,
                logo_box: Box | None) -> list[CheckResult]:
    cid = "image.stray_text"
    candidates = _text_candidates(frame, ctx, logo_box)
    if not candidates:
        return [_result(cid, Verdict.PASSED, "stray_text.none",
                        "no text-like marks in the background outside the designed text, logo and product "
                        "(OCR not needed)")]
    candidates.sort(key=lambda c: -_area(c[0]))
    boxes = [b for b, _ in candidates]
    designed = _designed_mask(ctx, frame.size, 1, logo_box)

    def stray(word: tuple[str, float, Box]) -> bool:
        """A real word, mostly outside the designed text, logo and product."""
        t, c, (bx0, by0, bx1, by1) = word
        inside = designed[max(0, by0):max(0, by1), max(0, bx0):max(0, bx1)]
        # under 6 px tall nothing is legible: such "words" are Tesseract reading edges (a 7x4 px
        # 'Gra' at the corner of a leaderboard's logo in the demo)
        return (_is_word(t, c, settings) and by1 - by0 >= 6
                and (inside.size == 0 or float(inside.mean()) < 0.5))

    words: list[tuple[str, float, Box]] = []
    calls = 0
    try:
        # Breadth first: one read of each candidate region (largest first), then the further looks
        # (other scale / polarity), so a busy backdrop cannot spend the budget on its first region.
        plans = []
        for box, letter_h in candidates[:8]:
            x0, y0, x1, y1 = _clip_box(_expand(box, max(6, round(0.3 * letter_h))), frame.size)
            crop = frame.gray[y0:y1, x0:x1]
            dev = crop.astype(np.float32) - float(np.median(crop))
            strong = np.abs(dev) > 0.5 * max(float(np.abs(dev).max()), 1.0)
            first = 1 if float(dev[strong].sum()) > 0 else -1  # the polarity most strokes have
            # Tesseract reads best with letters ~28 px tall and its confidence swings with the exact
            # scale: further looks at 0.8x, in the other polarity and at 2x
            f = float(np.clip(28 / max(letter_h, 1), 0.25, 3.0))
            looks = ((first, f), (first, 0.8 * f), (-first, f), (first, 2 * f), (-first, 2 * f))
            plans.append((crop, (x0, y0), looks))
        found_stray = False
        for attempt in range(5):
            for crop, origin, looks in plans:
                if calls >= _MAX_OCR_CALLS or found_stray:
                    break
                sign, scale = looks[attempt]
                found = _ocr_words(crop, origin, sign, scale)
                calls += 1
                words += found
                found_stray = any(stray(w) for w in found)
    except Exception as exc:  # Tesseract missing
        return [_result(cid, Verdict.NEEDS_REVIEW, "stray_text.unverified",
                        f"{len(candidates)} text-like marks in the background at "
                        f"{', '.join(_fmt_box(b) for b in boxes[:3])} could not be read "
                        f"(OCR unavailable: {type(exc).__name__}); check them by eye", box=boxes[0])]
    real = [w for w in words if stray(w)]
    if not real:
        return [_result(cid, Verdict.PASSED, "stray_text.none",
                        f"{len(candidates)} text-like marks in the background, none read as a word with confidence >= "
                        f"{settings.stray_text_min_confidence:g}")]
    real.sort(key=lambda w: -w[1])
    shown = ", ".join(f"'{t}' ({c:.0f}%) at {_fmt_box(b)}" for t, c, b in real[:5])
    x0 = min(b[0] for _, _, b in real); y0 = min(b[1] for _, _, b in real)
    x1 = max(b[2] for _, _, b in real); y1 = max(b[3] for _, _, b in real)
    return [_result(cid, Verdict.NEEDS_REVIEW, "stray_text.found",
                    f"text in the background that is not part of the design: {shown}; a watermark or generated "
                    f"lettering must be removed (regenerate or retouch)", score=real[0][1], box=(x0, y0, x1, y1))]


# --------------------------------------------------------------------------- quality


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


def check_sharpness(image: Image.Image, brand: BrandGuide | None, ctx: ImageContext,
                    settings: ImageCheckSettings) -> list[CheckResult]:
    """Is the product crisp? `sharpness_of` on the product (mask eroded 2 px, else its box)."""
    frame = _frame(image)
    return _sharpness(frame, _fit_context(ctx, frame.size), settings)


def _sharpness(frame: _Frame, ctx: ImageContext, settings: ImageCheckSettings) -> list[CheckResult]:
    cid = "image.quality.sharpness"
    if ctx.product_mask is not None and ctx.product_mask.shape == frame.gray.shape and ctx.product_mask.any():
        ys, xs = np.nonzero(ctx.product_mask)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        m = cv2.erode(ctx.product_mask[box[1]:box[3], box[0]:box[2]].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    elif ctx.product_box is not None:
        box, m = _clip_box(ctx.product_box, frame.size), None
    else:
        return [_result(cid, Verdict.PASSED, "sharpness.unknown_product",
                        "the product's position is unknown, so its sharpness was not measured")]
    if _area(box) < 100:
        return [_result(cid, Verdict.PASSED, "sharpness.unknown_product", "the product box is empty")]
    if min(box[2] - box[0], box[3] - box[1]) < 64:
        # A thumbnail-sized product (leaderboard) has too few edge pixels left after the erosion for
        # the measure to be stable: 23x42 px crisp packshots scored 1.22 on the demo.
        return [_result(cid, Verdict.PASSED, "sharpness.too_small",
                        f"the product at {_fmt_box(box)} is under 64 px on a side: too small to judge sharpness", box=box)]
    s = sharpness_of(frame.gray[box[1]:box[3], box[0]:box[2]], m)
    if s is None:
        return [_result(cid, Verdict.PASSED, "sharpness.flat",
                        "the product region has no edges to judge sharpness by", box=box)]
    if s < settings.min_sharpness:
        return [_result(cid, Verdict.NEEDS_REVIEW, "quality.blurry",
                        f"the product at {_fmt_box(box)} looks soft: sharpness {s:.2f}, below {settings.min_sharpness:g} "
                        f"(crisp packshots score 1.6-2.2); use a higher-resolution or sharper packshot",
                        score=s, box=box)]
    return [_result(cid, Verdict.PASSED, "sharpness.ok",
                    f"product sharpness {s:.2f} (needs {settings.min_sharpness:g})", score=s, box=box)]


def check_resolution(image: Image.Image, brand: BrandGuide, ctx: ImageContext,
                     settings: ImageCheckSettings | None = None) -> list[CheckResult]:
    """The image is at least its format's size (smaller blocks; another aspect asks for review).

    Without a known format, the brand format of the same aspect (within 1 %) is used."""
    cid = "image.quality.resolution"
    w, h = image.size
    fmt = ctx.format
    if fmt is None:
        same = [f for f in brand.formats if abs(f.aspect - w / h) <= 0.01 * f.aspect]
        fmt = max(same, key=lambda f: f.width) if same else None
        if fmt is None:
            return [_result(cid, Verdict.NEEDS_REVIEW, "quality.no_format",
                            f"the image is {w}x{h}, an aspect ratio ({w / h:.3f}) no channel format of the brand has; "
                            f"crop or re-render it for a format")]
    if w < fmt.width or h < fmt.height:
        return [_result(cid, Verdict.BLOCKED, "quality.too_small",
                        f"the image is {w}x{h}, smaller than the {fmt.name} format ({fmt.width}x{fmt.height}); the "
                        f"channel would upscale it and blur it; render it at full size",
                        score=min(w / fmt.width, h / fmt.height))]
    if abs(w / h - fmt.aspect) > 0.01 * fmt.aspect:
        return [_result(cid, Verdict.NEEDS_REVIEW, "quality.wrong_aspect",
                        f"the image is {w}x{h} (aspect {w / h:.3f}), the {fmt.name} format is {fmt.width}x{fmt.height} "
                        f"(aspect {fmt.aspect:.3f}); it would be cropped or letterboxed")]
    return [_result(cid, Verdict.PASSED, "resolution.ok",
                    f"{w}x{h} covers the {fmt.name} format ({fmt.width}x{fmt.height})",
                    score=min(w / fmt.width, h / fmt.height))]


# libjpeg's standard luminance quantisation table (ITU T.81 Annex K), natural order
_STD_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64)


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


def check_jpeg_quality(image: Image.Image, brand: BrandGuide | None, ctx: ImageContext,
                       settings: ImageCheckSettings) -> list[CheckResult]:
    """JPEG quality estimated from the file's quantisation tables; below the minimum: review."""
    cid = "image.quality.jpeg"
    q_tables = ctx.jpeg_quantization or getattr(image, "quantization", None)
    fmt = (ctx.source_format or getattr(image, "format", None) or "").upper()
    if fmt != "JPEG" and not q_tables:
        return [_result(cid, Verdict.PASSED, "jpeg.not_jpeg",
                        f"not a JPEG ({fmt or 'decoded pixels'}), no compression loss to check")]
    if not q_tables:
        return [_result(cid, Verdict.NEEDS_REVIEW, "quality.jpeg_unknown",
                        "a JPEG whose quantisation tables are not available; its quality could not be estimated")]
    q, err = estimate_jpeg_quality(q_tables)
    note = "" if err < 0.5 else f" (tables are not libjpeg's; estimate off by ~{err:.0f} per coefficient)"
    if q < settings.min_jpeg_quality:
        return [_result(cid, Verdict.NEEDS_REVIEW, "quality.jpeg_low",
                        f"JPEG quality is about {q}{note}, below the minimum {settings.min_jpeg_quality}; compression "
                        f"artefacts show around text and edges; export at quality {settings.min_jpeg_quality}+ or as PNG",
                        score=q)]
    return [_result(cid, Verdict.PASSED, "jpeg.ok", f"JPEG quality about {q}{note} (minimum {settings.min_jpeg_quality})",
                    score=q)]


# --------------------------------------------------------------------------- registry and runner


@dataclass(frozen=True)
class ImageCheck:
    """One registered image check: its id, what it needs beyond the image, and how to run it."""

    id: str
    needs: frozenset[str]  # of: text_blocks, format, product, logo, detector, ocr
    summary: str


IMAGE_CHECKS: tuple[ImageCheck, ...] = (
    ImageCheck("image.palette.overlay", frozenset({"text_blocks"}), "text and plate colours are palette colours"),
    ImageCheck("image.palette.background", frozenset(), "background colours near the palette, far from forbidden ones"),
    ImageCheck("image.logo", frozenset({"logo"}), "logo present, unaltered, large enough, clear space free"),
    ImageCheck("image.safe_zone", frozenset({"format"}), "text and logo inside the format's safe area"),
    ImageCheck("image.text.contrast", frozenset({"text_blocks"}), "WCAG contrast of each text block, from pixels"),
    ImageCheck("image.nudity", frozenset({"detector"}), "no exposed body parts (NudeNet)"),
    ImageCheck("image.people", frozenset({"detector"}), "people in a generated background, by policy"),
    ImageCheck("image.stray_text", frozenset({"ocr"}), "no words in the background outside the design"),
    ImageCheck("image.quality.sharpness", frozenset({"product"}), "the product is crisp"),
    ImageCheck("image.quality.resolution", frozenset(), "at least the format's size"),
    ImageCheck("image.quality.jpeg", frozenset(), "JPEG quality at least the minimum"),
)


def run_image_checks(image: Image.Image, brand: BrandGuide, ctx: ImageContext, settings: ImageCheckSettings, *,
                     logo: Image.Image | None = None, ocr: bool = True,
                     enabled: Collection[str] | None = None) -> list[CheckResult]:
    """Run the image checks (all, or the ids in `enabled`) and return their results in registry
    order. The image is converted once; NudeNet runs once for nudity and people; the logo is
    located once and its found box is used by the safe-zone, palette and stray-text checks.
    `ocr=False` leaves out the stray-text check (the only one that calls Tesseract)."""
    want = {c.id for c in IMAGE_CHECKS} if enabled is None else set(enabled)
    unknown = want - {c.id for c in IMAGE_CHECKS}
    if unknown:
        raise ValueError(f"unknown image checks: {sorted(unknown)}")
    if not ocr:
        want.discard("image.stray_text")
    frame = _frame(image)
    fctx = _fit_context(ctx, frame.size)
    out: list[CheckResult] = []
    logo_found: Box | None = None
    logo_results: list[CheckResult] = []
    if "image.logo" in want:
        logo_results, logo_found = _check_logo(frame, brand, fctx, settings, logo)
    detections: list[Detection] | None = None
    detector_error: Exception | None = None
    if want & {"image.nudity", "image.people"}:
        try:
            detections = detect_tiled(frame.rgb)
        except Exception as exc:
            detector_error = exc
    runners: dict[str, Callable[[], list[CheckResult]]] = {
        "image.palette.overlay": lambda: check_overlay_palette(image, brand, fctx, settings),
        "image.palette.background": lambda: _background_palette(frame, brand, fctx, settings, logo_found),
        "image.logo": lambda: logo_results,
        "image.safe_zone": lambda: check_safe_zones(image, brand, ctx, settings,
                                                    logo_box=_unscale(logo_found, ctx, frame.size)),
        "image.text.contrast": lambda: _text_contrast(frame, brand, fctx),
        "image.nudity": lambda: _detector_failed("image.nudity", detector_error) or
        check_nudity(image, brand, fctx, settings, detections=detections),
        "image.people": lambda: _detector_failed("image.people", detector_error) or
        _people(frame, fctx, settings, detections),
        "image.stray_text": lambda: _stray_text(frame, fctx, settings, logo_found),
        "image.quality.sharpness": lambda: _sharpness(frame, fctx, settings),
        "image.quality.resolution": lambda: check_resolution(image, brand, ctx, settings),
        "image.quality.jpeg": lambda: check_jpeg_quality(image, brand, ctx, settings),
    }
    for c in IMAGE_CHECKS:
        if c.id in want:
            out.extend(runners[c.id]())
    return out


def _unscale(box: Box | None, ctx: ImageContext, size: tuple[int, int]) -> Box | None:
    if box is None or ctx.format is None or ctx.format.size == size:
        return box
    sx, sy = ctx.format.width / size[0], ctx.format.height / size[1]
    return _scale_box(box, sx, sy)


def _detector_failed(cid: str, exc: Exception | None) -> list[CheckResult]:
    if exc is None:
        return []
    return [_result(cid, Verdict.NEEDS_REVIEW, f"{cid.split('.')[-1]}.unavailable",
                    f"not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})")]


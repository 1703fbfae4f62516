"""What the image checks are told: the thresholds (`ImageCheckSettings`, from the brand guide by
`settings_from_policy`) and what is known about how the image was made (`ImageContext`, from a
lineage sidecar by `context_from_lineage`). Every default threshold is explained where it is
declared; every piece of context is optional (a bare image: nothing known).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from PIL import Image

from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide, ChannelFormat, ImageCheckPolicy

__all__ = [
    "EXPOSED_CLASSES",
    "ImageCheckSettings",
    "settings_from_policy",
    "DesignedText",
    "ImageContext",
    "context_from_lineage",
    "model_nsfw_reason",
]

# NudeNet 3.4 classes. Exposed parts that block by default, with the score that blocks.
EXPOSED_CLASSES: Mapping[str, float] = MappingProxyType(
    {
        "FEMALE_BREAST_EXPOSED": 0.45,
        "FEMALE_GENITALIA_EXPOSED": 0.35,
        "MALE_GENITALIA_EXPOSED": 0.35,
        "BUTTOCKS_EXPOSED": 0.45,
        "ANUS_EXPOSED": 0.35,
    }
)

# Roles the composer sets in the brand's headline (bold) font: WCAG "large" from 18.5 px there.
_BOLD_ROLES = frozenset({"headline", "price", "discount", "cta"})


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
    # Why the generator's own safety checker flagged the scene (`safety.model_nsfw_reason`), or None.
    model_flag: str | None = None


def context_from_lineage(lineage: Mapping[str, Any], brand: BrandGuide) -> ImageContext:
    """The context recorded in a banner's lineage sidecar (as `render_variant` writes it).

    Reads "format" (id, size), "layout" (logo box), "text_blocks" (role, box, size_px, color and,
    when present, background and large), "product" -> "placement_box" and "generation" -> "safety"
    (the generator's NSFW flag). Large text is derived from the size when not recorded: >= 24 px,
    or >= 19 px for the roles the composer sets bold.
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
        blocks.append(
            DesignedText(
                role=role,
                box=_box(b["box"]),
                color=b.get("color"),
                large=bool(large),
                background=b.get("background"),
                text=str(b.get("text", "")),
            )
        )
    layout = lineage.get("layout") or {}
    logo_box = _box(layout["logo"]) if layout.get("logo") else None
    product = lineage.get("product") or {}
    product_box = _box(product["placement_box"]) if product.get("placement_box") else None
    # Every Vitrina backend (studio, diffusion) generates the scene; a sidecar may say otherwise.
    generation = lineage.get("generation") or {}
    generated = generation.get("backend") not in ("photo", "none")
    return ImageContext(
        format=fmt,
        text_blocks=tuple(blocks),
        logo_box=logo_box,
        product_box=product_box,
        generated_background=generated,
        model_flag=model_nsfw_reason(generation),
    )


def model_nsfw_reason(generation: Mapping[str, Any] | None) -> str | None:
    """Why the scene's own generator flagged it (a sentence), or None: read from a scene's or a
    banner's generation lineage, whose ``safety`` record the diffusion backend writes. Here, not in
    `safety` (which imports this module), so that `context_from_lineage` reads it without a cycle."""
    safety = generation.get("safety") if generation else None
    if generation is None or not isinstance(safety, Mapping) or safety.get("nsfw") is not True:
        return None
    checker = safety.get("checker") or "the pipeline's safety checker"
    return f"{checker} flagged the generated scene (seed {generation.get('seed')})"


def _box(v: Sequence[Any]) -> Box:
    x0, y0, x1, y1 = (int(round(float(c))) for c in v)
    return x0, y0, x1, y1

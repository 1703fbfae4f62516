"""The image checks as one run: the registry (`IMAGE_CHECKS`: id, what each needs, a summary) and
`run_image_checks`, which converts the image once, runs NudeNet once for nudity and people,
locates the logo once and hands its found box to the checks that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.contrast import text_contrast_on
from pipeline.checks.image.frame import as_frame, fit_context, result, unscale
from pipeline.checks.image.logo import logo_on
from pipeline.checks.image.palette import background_palette_on, check_overlay_palette
from pipeline.checks.image.quality import check_jpeg_quality, check_resolution, sharpness_on
from pipeline.checks.image.safe_zone import check_safe_zones
from pipeline.checks.image.safety import Detection, check_nudity, detect_tiled, people_on
from pipeline.checks.image.stray_text import stray_text_on
from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide

__all__ = ["ImageCheck", "IMAGE_CHECKS", "run_image_checks"]


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


def run_image_checks(
    image: Image.Image,
    brand: BrandGuide,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    logo: Image.Image | None = None,
    ocr: bool = True,
    enabled: Collection[str] | None = None,
) -> list[CheckResult]:
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
    frame = as_frame(image)
    fctx = fit_context(ctx, frame.size)
    out: list[CheckResult] = []
    logo_found: Box | None = None
    logo_results: list[CheckResult] = []
    if "image.logo" in want:
        logo_results, logo_found = logo_on(frame, brand, fctx, settings, logo)
    detections: list[Detection] | None = None
    detector_error: Exception | None = None
    if want & {"image.nudity", "image.people"}:
        try:
            detections = detect_tiled(frame.rgb)
        except Exception as exc:
            detector_error = exc
    runners: dict[str, Callable[[], list[CheckResult]]] = {
        "image.palette.overlay": lambda: check_overlay_palette(image, brand, fctx, settings),
        "image.palette.background": lambda: background_palette_on(frame, brand, fctx, settings, logo_found),
        "image.logo": lambda: logo_results,
        "image.safe_zone": lambda: check_safe_zones(
            image, brand, ctx, settings, logo_box=unscale(logo_found, ctx, frame.size)
        ),
        "image.text.contrast": lambda: text_contrast_on(frame, brand, fctx),
        "image.nudity": lambda: _nudity(image, brand, fctx, settings, detections, detector_error),
        "image.people": lambda: (
            _detector_failed("image.people", detector_error) or people_on(frame, fctx, settings, detections)
        ),
        "image.stray_text": lambda: stray_text_on(frame, fctx, settings, logo_found),
        "image.quality.sharpness": lambda: sharpness_on(frame, fctx, settings),
        "image.quality.resolution": lambda: check_resolution(image, brand, ctx, settings),
        "image.quality.jpeg": lambda: check_jpeg_quality(image, brand, ctx, settings),
    }
    for c in IMAGE_CHECKS:
        if c.id in want:
            out.extend(runners[c.id]())
    return out


def _nudity(
    image: Image.Image,
    brand: BrandGuide,
    fctx: ImageContext,
    settings: ImageCheckSettings,
    detections: list[Detection] | None,
    detector_error: Exception | None,
) -> list[CheckResult]:
    """`image.nudity` from both detectors: NudeNet's findings and the generator's own NSFW flag
    (`fctx.model_flag`). The flag blocks even when NudeNet could not run."""
    if detector_error is None:
        return check_nudity(image, brand, fctx, settings, detections=detections, model_flag=fctx.model_flag)
    flagged = check_nudity(image, brand, fctx, settings, detections=[], model_flag=fctx.model_flag)
    return [r for r in flagged if r.code == "nudity.model_flag"] + _detector_failed("image.nudity", detector_error)


def _detector_failed(cid: str, exc: Exception | None) -> list[CheckResult]:
    if exc is None:
        return []
    return [
        result(
            cid,
            Verdict.NEEDS_REVIEW,
            f"{cid.split('.')[-1]}.unavailable",
            f"not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})",
        )
    ]

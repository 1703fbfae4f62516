"""Image compliance checks: what a banner's pixels say, each verdict explained in plain words.

Every check returns `CheckResult`s (check id, verdict, machine code, a message a designer can act
on, the measured value and the box concerned) and can run on a bare image: what is known about
how the banner was made (`ImageContext`, e.g. from the lineage sidecar via `context_from_lineage`)
sharpens a check but is never required. A check with nothing to judge (no known text blocks, a
PNG for the JPEG rule, a scene no generator made for the people rule) says "not applicable" and
why, rather than "passed". Thresholds live in `ImageCheckSettings` (the brand guide carries them);
every default is documented where it is declared.

Where each family lives (each module's docstring says what it owns):

- `context`: `ImageCheckSettings`, `settings_from_policy`, `DesignedText`, `ImageContext`,
  `context_from_lineage`.
- `frame`: what the checks share: the image converted once, the context scaled to the image,
  where the design sits, box and colour arithmetic.
- `palette`: ``image.palette.overlay`` (designed text and plate colours are brand palette colours
  exactly, else block; needs ``ctx.text_blocks``) and ``image.palette.background`` (every colour
  covering at least ``dominant_min_share`` of the visible background lies within
  ``palette_max_delta_e`` of a brand colour, else review; no colour covering
  ``forbidden_min_share`` comes within ``forbidden_min_delta_e`` of a forbidden colour, else block).
- `logo`: ``image.logo``: there (shape similarity), unaltered (aspect, colours), at least
  ``LogoSpec.min_width_px`` wide, clear space free of other elements.
- `safe_zone`: ``image.safe_zone``: text blocks and logo inside the format's safe area.
- `contrast`: ``image.text.contrast``: WCAG 2.x contrast of each text block, from the pixels alone.
- `safety`: ``image.nudity`` / ``image.people``: NudeNet (its ONNX model ships in the wheel; one
  detector per process, one thread) for exposed body parts anywhere, people in a generated background.
- `stray_text`: ``image.stray_text``: words (Tesseract) in the background outside the designed
  text, the logo and the product: watermarks, stock-photo marks, generated gibberish signs.
- `quality`: ``image.quality.sharpness`` / ``.resolution`` / ``.jpeg``: a blurred product, an image
  smaller than its format, JPEG compression below the minimum quality.
- `runner`: `IMAGE_CHECKS` (the registry) and `run_image_checks` (all of them, the image converted once).

Speed (bench/bench_image_checks.py, one CPU thread): about 32 ms per 1080x1080 banner for all
checks but OCR, 13 ms of it NudeNet; wide and tall formats 55-65 ms (NudeNet runs on 3-4 square
tiles). Tesseract runs only where the background has text-like marks.

The package is pure: no environment reads, no files read except the brand's logo when the caller
passes none (as `compose_banner` does). Heavy optional parts (NudeNet, Tesseract) are imported
lazily; when missing, their check asks for review with the reason instead of failing.
"""

from __future__ import annotations

from pipeline.checks.image.context import (
    EXPOSED_CLASSES,
    DesignedText,
    ImageCheckSettings,
    ImageContext,
    context_from_lineage,
    settings_from_policy,
)
from pipeline.checks.image.contrast import check_text_contrast_boxes
from pipeline.checks.image.logo import check_logo
from pipeline.checks.image.palette import check_background_palette, check_overlay_palette
from pipeline.checks.image.quality import (
    check_jpeg_quality,
    check_resolution,
    check_sharpness,
    estimate_jpeg_quality,
    sharpness_of,
)
from pipeline.checks.image.runner import IMAGE_CHECKS, ImageCheck, run_image_checks
from pipeline.checks.image.safe_zone import check_safe_zones
from pipeline.checks.image.safety import (
    PERSON_CLASSES,
    Detection,
    check_nudity,
    check_people,
    detect_body_parts,
    detect_tiled,
)
from pipeline.checks.image.stray_text import check_stray_text
from pipeline.imaging.geometry import Box

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

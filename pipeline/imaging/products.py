"""From a SKU's catalog photos to one trusted product cut-out (or a reason why not)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline.errors import ImageRejected
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import image_sha256, load_product_image
from pipeline.imaging.masks import cutout, product_mask
from pipeline.imaging.triage import triage_packshot

__all__ = ["PreparedProduct", "SkippedImage", "prepare_product", "mask_digest"]

MIN_MASK_CONFIDENCE = 0.8


@dataclass(frozen=True)
class PreparedProduct:
    """A SKU's chosen packshot, cut out. Produced once per SKU, reused by all its variants."""

    sku: str
    source: Path
    source_sha256: str  # of the image file's bytes
    cutout: Image.Image  # RGBA, alpha = product mask
    cutout_sha256: str  # of the cut-out's pixels
    mask_sha256: str
    mask_method: str
    mask_confidence: float
    mask_notes: tuple[str, ...] = ()
    # Where the cut-out was cut from the normalised photo (`load_product_image`: upright, sRGB,
    # RGBA) and that photo's size: recorded in lineage so an auditor can redo the crop.
    crop_box: Box | None = None
    source_size: tuple[int, int] | None = None


@dataclass(frozen=True)
class SkippedImage:
    path: Path
    reason: str
    damaged: bool = False  # the file itself is bad (corrupt, truncated, bomb): an input error


def prepare_product(sku: str, images: tuple[Path, ...]) -> tuple[PreparedProduct | None, list[SkippedImage]]:
    """Normalise every photo, mask and triage it, and keep the best single-product packshot.

    Unusable photos are returned with their reason; None means the SKU has no usable packshot.
    """
    skipped: list[SkippedImage] = []
    best: tuple[float, PreparedProduct] | None = None
    if not images:
        return None, [SkippedImage(Path(sku), "the catalog lists no images for this SKU")]
    for path in images:
        try:
            img = load_product_image(path)
        except ImageRejected as exc:
            skipped.append(SkippedImage(path, exc.reason, damaged=True))
            continue
        mask = product_mask(img)
        verdict = triage_packshot(img, mask)
        if not verdict.usable:
            skipped.append(SkippedImage(path, verdict.reason or "not a usable packshot"))
            continue
        # Prefer confident masks, then products that fill more of the frame (more real pixels).
        score = mask.confidence * 2 + min(mask.area_fraction, 0.6)
        cut = cutout(img, mask)
        prepared = PreparedProduct(
            sku=sku,
            source=path,
            source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            cutout=cut,
            cutout_sha256=image_sha256(cut),
            mask_sha256=mask_digest(mask.alpha),
            mask_method=mask.method,
            mask_confidence=mask.confidence,
            mask_notes=mask.notes,
            crop_box=mask.bbox,
            source_size=img.size,
        )
        if best is None or score > best[0]:
            best = (score, prepared)
    return (best[1] if best else None), skipped


def mask_digest(alpha: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(alpha, dtype=np.uint8).tobytes() + str(alpha.shape).encode()).hexdigest()

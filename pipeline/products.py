"""From a SKU's catalog photos to one trusted product cut-out (or a reason why not)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ImageRejected
from pipeline.imageio import image_sha256, load_product_image
from pipeline.masks import cutout, product_mask
from pipeline.triage import triage_packshot
from pipeline.variants import PreparedProduct, mask_digest

__all__ = ["SkippedImage", "prepare_product"]


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
        )
        if best is None or score > best[0]:
            best = (score, prepared)
    return (best[1] if best else None), skipped

"""Packshot triage: is this photo one product, alone, on a plain background?

A real catalog listing mixes packshots with multipacks, line-ups, lifestyle shots with people,
close-ups and text panels. Generation needs exactly one thing: a single product whose pixels
can be cut out cleanly. Triage decides that per photo and, when it says no, says why in a few
plain words ("text panel", "several products (16 objects)") so a marketer can fix the listing.

People and hands are found by small detectors (`pipeline.imaging.people`: MediaPipe's face,
pose and palm models, shipped with the code). Skin tones could not tell a person from a cat, a
raccoon or a tan wallet, and missed a hand holding the product. Everything else is a cheap
heuristic on the image and its `ProductMask`. When the detector cannot load, every photo is
refused with that reason: a photo never passes unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline.errors import DetectorUnavailable
from pipeline.imaging.imageio import to_array
from pipeline.imaging.masks import ProductMask, background_distance
from pipeline.imaging.people import PeopleDetector, shared_people_detector

__all__ = ["TriageResult", "triage_packshot", "choose_packshot", "MAX_ASPECT_RATIO"]

#: Widest (or tallest) image accepted as a packshot; 1024x208 strips are 4.9:1.
MAX_ASPECT_RATIO = 2.5
_MIN_CONFIDENCE = 0.5  # below this the mask is not trusted as one clean product
_MIN_UNIFORMITY = 0.85  # share of the border that must be plain background
_MAX_AREA = 0.85  # product covering more of the frame than this is a close-up / detail crop
_MIN_AREA = 0.04  # main product smaller than this share of the image is too small to use
_SIMILAR = 0.25  # components at least this share of the largest count as separate products
_TEXT_MIN_PIECES = 30  # a text panel has at least this many separate marks ...
_TEXT_SMALL_PIECE = 0.005  # ... each smaller than this share of the image ...
_TEXT_SMALL_SHARE = 0.6  # ... making up at least this share of everything that is not background
_TEXT_MARK_DISTANCE = 24  # a mark differs at least this much from the background colour
#: What to do about a background triage cannot cut the product out of.
_BACKGROUND_FIX = "supply a transparent PNG or a photo on a white or plain background"


@dataclass(frozen=True)
class TriageResult:
    """Verdict on one photo. ``reason`` is None exactly when ``usable`` is True.

    ``metrics`` holds every measurement taken (aspect ratio, product area, object counts,
    face/body/hand scores...), so a reviewer or a test can see why, not just what.
    """

    usable: bool
    reason: str | None
    metrics: dict[str, float] = field(default_factory=dict)


def triage_packshot(img: Image.Image, mask: ProductMask, people: PeopleDetector | None = None) -> TriageResult:
    """Decide whether ``img`` is a usable single-product packshot, and if not, why.

    Checks, first failing one wins (most specific reason first): a person or a hand in the
    shot (or the people detector cannot run), a text panel, an extreme aspect ratio, a
    background that is not plain, a close-up filling the frame, a mask not trusted for another
    reason (product cut off at the edges), several products, a product too small in the frame.
    ``people`` defaults to the process's shared detector, loaded on first use.
    """
    if mask.alpha.shape != (img.height, img.width):
        raise ValueError(f"mask is {mask.alpha.shape[1]}x{mask.alpha.shape[0]}, image is {img.width}x{img.height}")
    solid = (mask.alpha >= 128).astype(np.uint8)
    metrics: dict[str, float] = {
        "aspect_ratio": round(max(img.size) / max(min(img.size), 1), 3),
        "mask_confidence": float(mask.confidence),
        "product_area": round(mask.area_fraction, 4),
    }
    rgb = _on_white(img)
    distance, _, tolerance, uniformity = background_distance(rgb)
    metrics["border_uniformity"] = round(uniformity, 3)
    metrics.update(_component_metrics(solid))
    metrics.update(_text_metrics(distance, tolerance))
    detector = people if people is not None else shared_people_detector()
    if isinstance(detector, DetectorUnavailable):
        return TriageResult(usable=False, reason=f"people check unavailable: {detector}", metrics=metrics)
    found = detector.find(rgb)
    metrics.update({"face_score": found.face, "body_score": found.body, "hand_score": found.hand})

    reason = found.reason or _first_reason(metrics, mask)
    return TriageResult(usable=reason is None, reason=reason, metrics=metrics)


def _first_reason(metrics: dict[str, float], mask: ProductMask) -> str | None:
    if metrics["text_like"] >= 1.0:
        return "text panel"
    ratio = metrics["aspect_ratio"]
    if ratio > MAX_ASPECT_RATIO:
        return f"extreme aspect ratio {ratio:.1f}:1"
    if metrics["border_uniformity"] < _MIN_UNIFORMITY:
        return f"not a packshot on a plain background ({_BACKGROUND_FIX})"
    if metrics["product_area"] > _MAX_AREA:
        return "close-up or detail shot (product fills the frame)"
    if metrics["product_area"] == 0.0:
        return "no product found"
    if mask.confidence < _MIN_CONFIDENCE:
        return _low_confidence_reason(mask, metrics)
    if metrics["similar_objects"] >= 2:
        return f"several products ({int(metrics['similar_objects'])} objects)"
    if metrics["largest_object"] < _MIN_AREA:
        return _too_small(metrics)
    return None


def _too_small(metrics: dict[str, float]) -> str:
    share = metrics["largest_object"]
    shown = f"{share:.0%}" if share >= 0.01 else "under 1%"
    return f"product too small in frame ({shown} of the image)"


def _low_confidence_reason(mask: ProductMask, metrics: dict[str, float]) -> str:
    """Turn the mask's notes into one reason a marketer can act on (most actionable first)."""
    notes = mask.notes
    for note in notes:
        if note.startswith("product touches"):
            return f"product cut off at the image edges ({note.removeprefix('product ')})"
    if any(note.startswith("product is tiny") for note in notes):
        return _too_small(metrics)
    if any(note.startswith("background is not uniform") for note in notes):
        return f"not a packshot on a plain background ({_BACKGROUND_FIX})"
    # A plain but coloured (grey, beige) background is fine when the product separates cleanly;
    # here it did not, and white or transparency is what makes it separate.
    if "background is not white" in notes:
        return "product could not be cut out of its non-white background (supply a transparent PNG or a photo on white)"
    return f"product could not be separated from the background ({_BACKGROUND_FIX})"


def _component_metrics(solid: np.ndarray) -> dict[str, float]:
    """Separate objects in the mask: how many, how many of similar size, the largest one."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    if areas.size == 0:
        return {"objects": 0.0, "similar_objects": 0.0, "largest_object": 0.0}
    largest = float(areas.max())
    return {
        "objects": float(count - 1),
        "similar_objects": float(np.count_nonzero(areas >= _SIMILAR * largest)),
        "largest_object": round(largest / solid.size, 4),
    }


def _on_white(img: Image.Image) -> np.ndarray:
    """RGB pixels as seen on white: a cut-out PNG's transparent surround reads as background."""
    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return to_array(Image.alpha_composite(white, rgba).convert("RGB"))


def _text_metrics(distance: np.ndarray, tolerance: int) -> dict[str, float]:
    """Is the picture mostly small separate marks (letters, words) on a plain background?

    Measured on the raw marks, clearly darker than the background, not on the product mask
    (whose clean-up merges lines of small print into blocks). On a packshot nearly all marked
    pixels belong to one big object; on a text panel nearly all are in small pieces.
    """
    marks = (distance > max(tolerance, _TEXT_MARK_DISTANCE)).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    areas = areas[areas >= 4]  # JPEG specks
    if areas.size == 0:
        return {"small_marks": 0.0, "small_mark_share": 0.0, "text_like": 0.0}
    small = areas[areas < _TEXT_SMALL_PIECE * marks.size]
    share = float(small.sum() / areas.sum())
    text_like = small.size >= _TEXT_MIN_PIECES and share >= _TEXT_SMALL_SHARE
    return {
        "small_marks": float(small.size),
        "small_mark_share": round(share, 3),
        "text_like": 1.0 if text_like else 0.0,
    }


def choose_packshot(
    candidates: list[tuple[Path, Image.Image, ProductMask]],
) -> tuple[int | None, list[tuple[Path, str]]]:
    """Pick the base image for a SKU: the usable packshot with the largest confident product.

    Returns ``(index into candidates or None, skipped)`` where ``skipped`` lists every other
    candidate with why it was not chosen: its triage reason, or that a better packshot won.
    ``None`` means no candidate is usable; ``skipped`` then explains each one.
    """
    verdicts = [triage_packshot(img, mask) for _, img, mask in candidates]
    best: int | None = None
    best_score = -1.0
    for index, ((_, _, mask), verdict) in enumerate(zip(candidates, verdicts, strict=True)):
        if not verdict.usable:
            continue
        # Bigger product = more real pixels to build on; confidence breaks near-ties.
        score = verdict.metrics["largest_object"] * mask.confidence
        if score > best_score:
            best, best_score = index, score
    skipped: list[tuple[Path, str]] = []
    for index, ((path, _, _), verdict) in enumerate(zip(candidates, verdicts, strict=True)):
        if index == best:
            continue
        reason = verdict.reason if verdict.reason is not None else "usable, but a larger packshot was chosen"
        skipped.append((path, reason))
    return best, skipped

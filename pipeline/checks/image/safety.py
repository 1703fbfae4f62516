"""Safety: `image.nudity` (exposed body parts anywhere, NudeNet thresholds per class, and the
diffusion pipeline's own safety checker) and `image.people` (faces or bodies in a generated
background, by the brand's people policy).

Two detectors feed `image.nudity`: NudeNet on the banner, and the NSFW flag of the pipeline that
painted the scene (SD 1.5 models ship a CLIP-based safety checker). The diffusion backend never uses
a flagged frame (the scene gets the flat brand background instead; `pipeline.scene.diffusion`) and
records the flag in the scene's lineage (``generation.safety``); `model_nsfw_reason` reads it back
from there, and `check_nudity(model_flag=...)` blocks the banner with it.

NudeNet's ONNX model ships in its wheel; it is loaded once per process on one CPU thread
(`detect_body_parts` is NudeNet's own computation, vectorised). Wide and tall banners are seen as
square tiles (`detect_tiled`), and a busy part of the background is looked at again, zoomed.
When NudeNet cannot run, the check asks for review with the reason instead of failing.
"""

from __future__ import annotations

import math
import os.path
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import (
    ImageCheckSettings,
    ImageContext,
    model_nsfw_reason,  # re-exported: it lives with the context that reads it
)
from pipeline.checks.image.frame import (
    Frame,
    as_frame,
    box_area,
    designed_mask,
    fit_context,
    fmt_box,
    grid_stride,
    intersection,
    result,
)
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide

__all__ = [
    "PERSON_CLASSES",
    "model_nsfw_reason",
    "Detection",
    "detect_body_parts",
    "detect_tiled",
    "check_nudity",
    "check_people",
    "people_on",
]

# Anything NudeNet reports is part of a person: faces, covered and exposed body parts.
PERSON_CLASSES: frozenset[str] = frozenset(
    {
        "FACE_FEMALE",
        "FACE_MALE",
        "FEET_EXPOSED",
        "FEET_COVERED",
        "ARMPITS_EXPOSED",
        "ARMPITS_COVERED",
        "BELLY_EXPOSED",
        "BELLY_COVERED",
        "MALE_BREAST_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_BREAST_COVERED",
        "BUTTOCKS_EXPOSED",
        "BUTTOCKS_COVERED",
        "FEMALE_GENITALIA_EXPOSED",
        "FEMALE_GENITALIA_COVERED",
        "MALE_GENITALIA_EXPOSED",
        "ANUS_EXPOSED",
        "ANUS_COVERED",
    }
)


_SESSION: Any = None
_LABELS: tuple[str, ...] = ()
_DETECTOR_LOCK = threading.Lock()
_NUDENET_INPUT = 320


def _session() -> Any:
    """NudeNet's ONNX model (shipped in its wheel), loaded once per process, one CPU thread."""
    global _SESSION, _LABELS
    with _DETECTOR_LOCK:
        if _SESSION is None:
            import nudenet
            import onnxruntime as ort
            from nudenet import nudenet as nn

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            _SESSION = ort.InferenceSession(
                os.path.join(os.path.dirname(nudenet.__file__), "320n.onnx"), opts, providers=["CPUExecutionProvider"]
            )
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
    blob = cv2.dnn.blobFromImage(
        padded, 1 / 255.0, (_NUDENET_INPUT, _NUDENET_INPUT), (0, 0, 0), swapRB=True, crop=False
    )
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
    boxes = [[float(a), float(b), float(c), float(d)] for a, b, c, d in zip(x, y, bw, bh, strict=True)]
    out = []
    for i in np.asarray(cv2.dnn.NMSBoxes(boxes, [float(c) for c in conf], 0.25, 0.45)).reshape(-1):
        bx, by, bww, bhh = (int(v) for v in boxes[i])
        out.append(
            Detection(
                _LABELS[int(cls[i])],
                float(conf[i]),
                (offset[0] + bx, offset[1] + by, offset[0] + bx + bww, offset[1] + by + bhh),
            )
        )
    return out


def check_nudity(
    image: Image.Image,
    brand: BrandGuide | None,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    detections: Sequence[Detection] | None = None,
    model_flag: str | None = None,
) -> list[CheckResult]:
    """Exposed body parts anywhere in the banner (NudeNet), each class with its own threshold, and
    `model_flag` (`model_nsfw_reason`): the generator's own safety checker flagged the scene."""
    cid = "image.nudity"
    flagged = (
        [
            result(
                cid,
                Verdict.BLOCKED,
                "nudity.model_flag",
                f"{model_flag}: the flagged frame was discarded and a flat brand background used; "
                "regenerate the scene with another seed",
            )
        ]
        if model_flag
        else []
    )
    if detections is None:
        try:
            detections = detect_tiled(np.asarray(image.convert("RGB")))
        except Exception as exc:  # NudeNet or onnxruntime missing or broken
            return flagged + [
                result(
                    cid,
                    Verdict.NEEDS_REVIEW,
                    "nudity.unavailable",
                    f"nudity not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})",
                )
            ]
    out = []
    for d in detections:
        limit = settings.nudity_thresholds.get(d.label)
        if limit is not None and d.score >= limit:
            out.append(
                result(
                    cid,
                    Verdict.BLOCKED,
                    "nudity.exposed",
                    f"{d.label.lower().replace('_', ' ')} detected at {fmt_box(d.box)} (score {d.score:.2f}, "
                    f"blocks from {limit:g}); this image cannot run",
                    score=d.score,
                    box=d.box,
                )
            )
    out = flagged + out
    if not out:
        top = max((d.score for d in detections if d.label in settings.nudity_thresholds), default=0.0)
        out.append(
            result(
                cid,
                Verdict.PASSED,
                "nudity.none",
                f"no exposed body parts (highest score {top:.2f}, lowest blocking threshold "
                f"{min(settings.nudity_thresholds.values(), default=1.0):g})",
                score=top,
            )
        )
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


def _busy_window(frame: Frame, ctx: ImageContext) -> tuple[Box, float] | None:
    """The half-tile square of the background with the most local-contrast marks (|grey - its
    Gaussian blur, sigma ~ 25 px| > 12) outside the product, text and logo, and its mark density.
    Studio backdrops are smooth (their densest window holds the podium's rim or the table edge);
    a figure, a prop or a busy generated scene is not."""
    W, H = frame.size
    s = grid_stride(frame.size, 40_000)
    small = frame.gray[::s, ::s].astype(np.float32)
    marks = (np.abs(small - cv2.GaussianBlur(small, (0, 0), 5)) > 12).astype(np.float32)
    marks[designed_mask(ctx, frame.size, s)[: marks.shape[0], : marks.shape[1]]] = 0
    side = max(8, min(W, H) // 2 // s)
    if side >= min(marks.shape):
        return None
    density = cv2.boxFilter(marks, -1, (side, side), normalize=True, borderType=cv2.BORDER_CONSTANT)
    half = side // 2
    inner = density[half : marks.shape[0] - (side - half) + 1, half : marks.shape[1] - (side - half) + 1]
    if inner.size == 0:
        return None
    y, x = (int(v) for v in np.unravel_index(int(np.argmax(inner)), inner.shape))
    d = float(inner[y, x])
    # slide the window up to the top of the marks in its columns: a standing figure's head
    marked = marks[:, x : x + side].sum(axis=1) >= 2
    top = y
    while top > 0 and marked[max(0, top - 4) : top].any():
        top -= 1
    y = max(0, top - 2)
    box = (x * s, y * s, min(W, (x + side) * s), min(H, (y + side) * s))
    return box, d


def check_people(
    image: Image.Image,
    brand: BrandGuide | None,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    detections: Sequence[Detection] | None = None,
) -> list[CheckResult]:
    """Faces or body parts in a generated background (outside the product box), by policy.

    NudeNet runs on the whole banner (square tiles for wide or tall formats, `_tiles`); where the
    background has a busy half-size window (`_busy_window`, mark density >= 30 %), that window,
    moved up to the top of the marks below it, is looked at again, zoomed 2x, since NudeNet's
    320 px input barely resolves a face a tenth of the banner high. A detection counts from
    `people_min_score`, unless mostly inside the product box.
    """
    frame = as_frame(image)
    return people_on(frame, fit_context(ctx, frame.size), settings, detections)


def people_on(
    frame: Frame, ctx: ImageContext, settings: ImageCheckSettings, detections: Sequence[Detection] | None
) -> list[CheckResult]:
    """`check_people` on an image already converted, the context in its grid; `detections`: NudeNet's
    findings on the whole image when the runner already has them (else it runs here)."""
    cid = "image.people"
    if not ctx.generated_background:
        return [
            not_applicable(
                cid,
                "people.not_generated",
                "the background is not generated; the people policy applies to generated scenes",
            )
        ]
    try:
        found = list(detections) if detections is not None else detect_tiled(frame.rgb)
        busy = _busy_window(frame, ctx)
        if busy is not None and busy[1] >= _ZOOM_MIN_DENSITY:
            box = busy[0]
            found += detect_body_parts(frame.rgb[box[1] : box[3], box[0] : box[2]], offset=(box[0], box[1]))
    except Exception as exc:
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "people.unavailable",
                f"people not checked: the NudeNet detector could not run ({type(exc).__name__}: {exc})",
            )
        ]
    hits = []
    for d in found:
        if d.label not in PERSON_CLASSES or d.score < settings.people_min_score:
            continue
        if ctx.product_box is not None and box_area(intersection(d.box, ctx.product_box)) > 0.5 * box_area(d.box):
            continue  # on the product itself (a model wearing it is the product photo's business)
        hits.append(d)
    if not hits:
        return [
            result(
                cid,
                Verdict.PASSED,
                "people.none",
                f"no faces or people in the generated background (NudeNet, score >= {settings.people_min_score:g})",
            )
        ]
    hits.sort(key=lambda d: -d.score)
    what = ", ".join(f"{d.label.lower().replace('_', ' ')} {d.score:.2f} at {fmt_box(d.box)}" for d in hits[:3])
    x0 = min(d.box[0] for d in hits)
    y0 = min(d.box[1] for d in hits)
    x1 = max(d.box[2] for d in hits)
    y1 = max(d.box[3] for d in hits)
    verdict = {"review": Verdict.NEEDS_REVIEW, "block": Verdict.BLOCKED, "allow": Verdict.PASSED}[
        settings.people_policy
    ]
    code = "people.allowed" if settings.people_policy == "allow" else "people.in_background"
    tail = {
        "review": "a generated person needs a human check (likeness, hands, faces)",
        "block": "the brand does not allow people in generated scenes; regenerate without them",
        "allow": "allowed by the brand's people policy",
    }[settings.people_policy]
    return [
        result(
            cid,
            verdict,
            code,
            f"the generated background shows a person: {what}; {tail}",
            score=hits[0].score,
            box=(x0, y0, x1, y1),
        )
    ]

"""People and hands in a photo, for packshot triage.

MediaPipe's detectors, run by LiteRT on the CPU: BlazeFace full range (faces, near and far),
the BlazePose person detector (a body), and the palm detector whose candidates are confirmed
by the hand-landmark model's presence score (a palm detector alone fires on bulbs and
horses; the confirmation step is how MediaPipe itself tracks hands). The models ship in
``pipeline/imaging/models`` (see its NOTICE.md); nothing is downloaded.

The three detectors are single-shot detectors with fixed-size anchors on a square input, so
one decoder serves them all; the anchor layouts and input ranges are MediaPipe's own graph
settings for each model. About 50 ms per photo on two CPU cores (bench/bench_triage.py).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipeline.errors import DetectorUnavailable

__all__ = [
    "MODEL_DIR",
    "PeopleDetector",
    "PeopleFound",
    "shared_people_detector",
]

MODEL_DIR = Path(__file__).resolve().parent / "models"
#: MediaPipe's default thresholds: a face, a body, a hand (landmark presence) at >= 0.5.
MIN_SCORE = 0.5
_MAX_PALMS = 2  # MediaPipe's default number of hands; more palms add time, not verdicts
_PALM_CROP_SCALE = 2.6  # a palm box grown to cover the whole hand (MediaPipe's palm-to-ROI)
_PALM_CROP_SHIFT = 0.5  # ... moved half a palm towards the fingers
_HAND_INPUT = 224
# The runtime's default thread count ran 1.6x slower here on 2 busy cores; 2 threads per model
# keep a photo near 50 ms without crowding the other tasks of a run.
_THREADS = 2


@dataclass(frozen=True)
class _Ssd:
    """One single-shot detector: its file, square input size, anchors and input value range."""

    file: str
    size: int
    anchors_per_stride: tuple[tuple[int, int], ...]  # (stride, anchors per cell)
    value_range: tuple[float, float]

    def anchors(self) -> np.ndarray:
        """Anchor centres in input pixels, in the model's output order (``Nx2``)."""
        centres = []
        for stride, per_cell in self.anchors_per_stride:
            cells = math.ceil(self.size / stride)
            ys, xs = np.mgrid[0:cells, 0:cells]
            grid = np.stack([xs + 0.5, ys + 0.5], axis=-1).reshape(-1, 2) * (self.size / cells)
            centres.append(np.repeat(grid, per_cell, axis=0))
        return np.concatenate(centres).astype(np.float32)


_FACE = _Ssd("face_detection_full_range_sparse.tflite", 192, ((4, 1),), (-1.0, 1.0))
_BODY = _Ssd("pose_detection.tflite", 224, ((8, 2), (16, 2), (32, 6)), (-1.0, 1.0))
_PALM = _Ssd("palm_detection_lite.tflite", 192, ((8, 2), (16, 6)), (0.0, 1.0))
_HAND = "hand_landmark_lite.tflite"


@dataclass(frozen=True)
class PeopleFound:
    """Best score (0..1) of each detector on one photo; 0.0 where it found nothing."""

    face: float
    body: float
    hand: float

    @property
    def reason(self) -> str | None:
        """Why the photo cannot be a packshot, or None when it shows no person and no hand."""
        if self.face >= MIN_SCORE:
            return "shows a person (face detected)"
        if self.body >= MIN_SCORE:
            return "shows a person (body detected)"
        if self.hand >= MIN_SCORE:
            return "shows a hand"
        return None


@dataclass(frozen=True)
class _Palm:
    score: float
    centre: np.ndarray  # (x, y) in source pixels
    size: float  # the palm box's longer side, source pixels
    wrist: np.ndarray  # keypoint 0
    middle_finger: np.ndarray  # keypoint 2, the middle finger's base


class PeopleDetector:
    """Loads the four models once; ``find`` is safe to call from several threads."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as error:
            raise DetectorUnavailable(f"ai-edge-litert is not installed ({error})") from error
        self._lock = threading.Lock()
        self._interpreters: dict[str, Any] = {}
        for name in (_FACE.file, _BODY.file, _PALM.file, _HAND):
            path = model_dir / name
            if not path.is_file():
                raise DetectorUnavailable(f"model file missing: {path}")
            try:
                with _quiet_native_stderr():
                    interpreter = Interpreter(model_path=str(path), num_threads=_THREADS)
                    interpreter.allocate_tensors()
            except (ValueError, RuntimeError) as error:
                raise DetectorUnavailable(f"cannot load {path}: {error}") from error
            self._interpreters[name] = interpreter
        self._anchors = {ssd.file: ssd.anchors() for ssd in (_FACE, _BODY, _PALM)}

    def find(self, rgb: np.ndarray) -> PeopleFound:
        """Score faces, bodies and hands in an ``HxWx3`` uint8 RGB image."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"people detector needs HxWx3 uint8 RGB, got {rgb.shape} {rgb.dtype}")
        with self._lock:
            face, _ = self._detect(_FACE, rgb)
            body, _ = self._detect(_BODY, rgb)
            hand = max((self._hand_presence(rgb, palm) for palm in self._palms(rgb)), default=0.0)
        return PeopleFound(face=round(face, 3), body=round(body, 3), hand=round(hand, 3))

    def _detect(self, ssd: _Ssd, rgb: np.ndarray) -> tuple[float, list[_Palm]]:
        """Best score of one detector, and (for the palm model) the boxes scoring >= MIN_SCORE."""
        square, scale, offset = _letterbox(rgb, ssd.size)
        low, high = ssd.value_range
        boxes, logits = self._run(ssd.file, square.astype(np.float32) * ((high - low) / 255.0) + low)
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits.reshape(-1), -80.0, 80.0)))
        best = float(scores.max())
        if ssd is not _PALM:
            return best, []
        palms: list[_Palm] = []
        anchors = self._anchors[ssd.file]
        for index in np.argsort(-scores):
            if scores[index] < MIN_SCORE or len(palms) == _MAX_PALMS:
                break
            raw = boxes[index]
            centre = (anchors[index] + raw[:2] - offset) / scale
            size = float(max(raw[2], raw[3])) / scale
            if any(np.abs(centre - kept.centre).max() < 0.5 * max(size, kept.size) for kept in palms):
                continue  # the same palm again (anchors overlap)
            points = (raw[4:18].reshape(7, 2) + anchors[index] - offset) / scale
            palms.append(_Palm(float(scores[index]), centre, size, points[0], points[2]))
        return best, palms

    def _palms(self, rgb: np.ndarray) -> list[_Palm]:
        return self._detect(_PALM, rgb)[1]

    def _hand_presence(self, rgb: np.ndarray, palm: _Palm) -> float:
        """The hand-landmark model's presence score on the palm's upright hand crop."""
        # Rotate so the fingers point up, as the landmark model was trained (MediaPipe's
        # palm-to-ROI: the wrist-to-middle-finger direction, box x2.6, shifted to the fingers).
        dx, dy = palm.middle_finger - palm.wrist
        angle = math.pi / 2 - math.atan2(-dy, dx)
        across = np.array([math.cos(angle), math.sin(angle)])
        down = np.array([-math.sin(angle), math.cos(angle)])
        side = palm.size * _PALM_CROP_SCALE
        centre = palm.centre - down * (_PALM_CROP_SHIFT * palm.size)
        top_left = centre - (across + down) * side / 2
        corners = np.array([top_left, top_left + across * side, top_left + down * side], np.float32)
        target = np.array([[0, 0], [_HAND_INPUT, 0], [0, _HAND_INPUT]], np.float32)
        crop = cv2.warpAffine(rgb, cv2.getAffineTransform(corners, target), (_HAND_INPUT, _HAND_INPUT))
        interpreter = self._interpreters[_HAND]
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], (crop.astype(np.float32) / 255.0)[None])
        interpreter.invoke()
        presence = next(d for d in interpreter.get_output_details() if d["name"] == "Identity_1")
        return float(interpreter.get_tensor(presence["index"]).reshape(-1)[0])  # already 0..1

    def _run(self, name: str, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run a detector; returns ``(boxes NxK, score logits Nx1)``."""
        interpreter = self._interpreters[name]
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor[None])
        interpreter.invoke()
        outputs = [interpreter.get_tensor(d["index"])[0] for d in interpreter.get_output_details()]
        logits = next(o for o in outputs if o.shape[-1] == 1)
        boxes = next(o for o in outputs if o.shape[-1] != 1)
        return boxes, logits


def _letterbox(rgb: np.ndarray, size: int) -> tuple[np.ndarray, float, np.ndarray]:
    """The image scaled into a black ``size`` square, centred; returns (square, scale, offset)."""
    height, width = rgb.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    square = np.zeros((size, size, 3), np.uint8)
    left, top = (size - new_w) // 2, (size - new_h) // 2
    square[top : top + new_h, left : left + new_w] = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
    return square, scale, np.array([left, top], np.float32)


@contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence the C++ runtime's one-off "INFO: Created TensorFlow Lite XNNPACK delegate" line,
    written straight to file descriptor 2 (no logging setting reaches it), while models load."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def shared_people_detector() -> PeopleDetector | DetectorUnavailable:
    """One detector per process, loaded on first use; the error instead when it cannot load
    (kept, so every photo gets the same clear reason without retrying the load)."""
    try:
        return PeopleDetector()
    except DetectorUnavailable as error:
        return error

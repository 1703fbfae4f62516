"""People and hands in real photos: MediaPipe's detectors as shipped in pipeline/imaging/models."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image

from pipeline.errors import DetectorUnavailable, ModelError
from pipeline.imaging.people import MODEL_DIR, PeopleDetector, PeopleFound, shared_people_detector

DEMO = Path(__file__).resolve().parents[3] / "demo" / "products"
needs_demo = pytest.mark.skipif(not DEMO.is_dir(), reason="demo product photos not present")


@pytest.fixture(scope="module")
def detector() -> PeopleDetector:
    loaded = shared_people_detector()
    assert isinstance(loaded, PeopleDetector), loaded
    return loaded


def rgb(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def test_a_face_is_a_person(detector: PeopleDetector) -> None:
    found = detector.find(skimage.data.astronaut())
    assert found.face >= 0.5 and found.body >= 0.5
    assert found.reason == "shows a person (face detected)"


def test_a_cat_is_not_a_person(detector: PeopleDetector) -> None:
    found = detector.find(skimage.data.chelsea())
    assert max(found.face, found.body, found.hand) < 0.5
    assert found.reason is None


@needs_demo
def test_a_hand_without_a_face(detector: PeopleDetector) -> None:
    """The bag-carrying photo below the chin: the palm detector proposes, the landmark model confirms."""
    crop = Image.open(DEMO / "B0799CK52K" / "25ffa37c.jpg").crop((40, 280, 375, 650))
    found = detector.find(rgb(crop))
    assert found.hand >= 0.9 and found.face < 0.5
    assert found.reason == "shows a hand"


@needs_demo
def test_a_packshot_on_white_shows_nobody(detector: PeopleDetector) -> None:
    found = detector.find(rgb(Image.open(DEMO / "B0799CK52K" / "d80a51d3.jpg")))
    assert found == PeopleFound(face=found.face, body=found.body, hand=0.0)
    assert found.reason is None


def test_reasons_in_order_of_evidence() -> None:
    assert PeopleFound(face=0.9, body=0.9, hand=0.9).reason == "shows a person (face detected)"
    assert PeopleFound(face=0.1, body=0.6, hand=0.9).reason == "shows a person (body detected)"
    assert PeopleFound(face=0.1, body=0.1, hand=0.5).reason == "shows a hand"
    assert PeopleFound(face=0.49, body=0.49, hand=0.49).reason is None


def test_tiny_and_odd_shaped_images(detector: PeopleDetector) -> None:
    for shape in [(1, 1, 3), (3, 700, 3), (700, 3, 3)]:
        assert detector.find(np.full(shape, 255, np.uint8)).reason is None


def test_rejects_what_is_not_rgb(detector: PeopleDetector) -> None:
    with pytest.raises(ValueError, match=r"HxWx3 uint8 RGB, got \(4, 4\) uint8"):
        detector.find(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="float32"):
        detector.find(np.zeros((4, 4, 3), np.float32))


def test_missing_model_file(tmp_path: Path) -> None:
    for model in MODEL_DIR.glob("*.tflite"):
        shutil.copy(model, tmp_path)
    (tmp_path / "palm_detection_lite.tflite").unlink()
    with pytest.raises(DetectorUnavailable, match=r"model file missing: .*palm_detection_lite\.tflite") as error:
        PeopleDetector(model_dir=tmp_path)
    # Callers that handle "a model cannot run" (ModelError) handle this one too.
    assert isinstance(error.value, ModelError)


def test_corrupt_model_file(tmp_path: Path) -> None:
    for model in MODEL_DIR.glob("*.tflite"):
        shutil.copy(model, tmp_path)
    (tmp_path / "pose_detection.tflite").write_bytes(b"not a model")
    with pytest.raises(DetectorUnavailable, match=r"cannot load .*pose_detection\.tflite"):
        PeopleDetector(model_dir=tmp_path)

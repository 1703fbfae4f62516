"""Cut-out accuracy against known ground truth (issue 3), a fast subset of bench/bench_masks.py.

Synthetic objects with exact alpha on clean studio backgrounds (pure white, off-white #F7F7F5).
The issue's goal is mean IoU >= 0.95; known per-case failures are pinned as strict xfails so
that a fix shows up (XPASS fails the run until the marker is removed).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_masks.py"


@cache
def bench():
    spec = importlib.util.spec_from_file_location("bench_masks", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_masks", module)
    spec.loader.exec_module(module)
    return module


@cache
def clean_results():
    b = bench()
    return tuple(b.run_cases(b.objects(real=False), backgrounds=list(b.CLEAN_BACKGROUNDS)))


def test_mean_iou_on_clean_synthetic_packshots():
    results = clean_results()
    assert len(results) == 10
    mean_iou = float(np.mean([r.iou for r in results]))
    assert mean_iou >= 0.95, [(r.obj, r.background, round(r.iou, 4)) for r in results]


KNOWN_BAD = {
    # White label (250,250,248) spanning the bottle's width on a #F7F7F5 background: 3 levels
    # apart, below the noise tolerance, so the flood from the border eats the label. The mask
    # stays wrong; its confidence says so (test_known_bad_cases_are_not_confident).
    ("bottle", "off-white"): "white label indistinguishable from off-white background",
}


@pytest.mark.parametrize(
    "obj,background",
    [
        pytest.param(
            o, b, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BAD[(o, b)]) if (o, b) in KNOWN_BAD else ()
        )
        for o in ("white-bulb", "dark-bag", "bottle", "thin-lamp", "soft-plush")
        for b in ("white", "off-white")
    ],
)
def test_each_clean_case(obj, background):
    (r,) = [r for r in clean_results() if r.obj == obj and r.background == background]
    assert r.iou >= 0.95 and r.edge <= 1.0, (r.iou, r.edge)


@cache
def all_results():
    b = bench()
    return tuple(b.run_cases(b.objects(real=True)))


def test_known_bad_cases_are_not_confident():
    """A known failure is sent to review (confidence < 0.8) with a note that says why."""
    from pipeline.imaging.products import MIN_MASK_CONFIDENCE

    assert bench().CONFIDENT_AT == MIN_MASK_CONFIDENCE
    for obj, background in KNOWN_BAD:
        (r,) = [r for r in clean_results() if r.obj == obj and r.background == background]
        assert r.iou < 0.9 and r.confidence < MIN_MASK_CONFIDENCE, (r.iou, r.confidence, r.notes)
        assert any(note.startswith("edges blend into the background along") for note in r.notes), r.notes


def test_confidence_is_calibrated_on_the_whole_evaluation_set():
    """Every case with IoU < 0.9 is not confident; at most 2 cases with IoU >= 0.95 are not."""
    results = all_results()
    assert len(results) >= 50  # 5 synthetic objects x 6 backgrounds + the demo packshots
    bad = [(r.obj, r.background, round(r.iou, 3), r.confidence) for r in results if r.iou < 0.9 and r.confident]
    assert bad == [], bad
    doubted_good = [(r.obj, r.background, r.notes) for r in results if r.iou >= 0.95 and not r.confident]
    assert len(doubted_good) <= 2, doubted_good
    assert {label for label, _, _ in bench().confusion(list(results))} == {label for label, _, _ in bench().BUCKETS}
    assert float(np.mean([r.iou for r in results])) >= 0.95


def test_soft_edges_are_cut_at_half_cover_and_say_so():
    """The ~8 px fuzzy plush edge: the outline sits at half cover, alpha ramps, the note says why."""
    for r in [r for r in all_results() if r.obj == "soft-plush"]:
        assert r.iou >= 0.97 and r.edge <= 1.0, (r.background, r.iou, r.edge)
        assert any(note.startswith("soft edges along") for note in r.notes), r.notes


def test_contact_shadows_are_left_out():
    for r in [r for r in all_results() if r.background == "shadow"]:
        assert r.iou >= 0.97, (r.obj, r.iou, r.notes)
        assert r.confident, (r.obj, r.confidence, r.notes)


def test_metrics_are_exact_on_perfect_and_shifted_masks():
    b = bench()
    gt = np.zeros((64, 64), np.float32)
    gt[16:48, 16:48] = 1.0
    perfect = b.mask_metrics((gt * 255).astype(np.uint8), gt)
    assert perfect == {"iou": 1.0, "bf": 1.0, "edge": 0.0}
    shifted = np.roll((gt * 255).astype(np.uint8), 4, axis=1)
    m = b.mask_metrics(shifted, gt)
    assert m["iou"] == pytest.approx(28 * 32 / (36 * 32))
    assert 0.0 < m["bf"] < 1.0 and m["edge"] > 1.0

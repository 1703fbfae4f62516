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

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_masks.py"


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
    # apart, below the noise tolerance, so the flood from the border eats the label.
    ("bottle", "off-white"): "white label indistinguishable from off-white background",
    # ~8 px fuzzy edge: pixels down to ~5% coverage become solid product (mask ~3.7 px too big).
    ("soft-plush", "white"): "soft edge over-segmented",
    ("soft-plush", "off-white"): "soft edge over-segmented",
}


@pytest.mark.parametrize(
    "obj,background",
    [
        pytest.param(o, b, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BAD[(o, b)]) if (o, b) in KNOWN_BAD else ())
        for o in ("white-bulb", "dark-bag", "bottle", "thin-lamp", "soft-plush")
        for b in ("white", "off-white")
    ],
)
def test_each_clean_case(obj, background):
    (r,) = [r for r in clean_results() if r.obj == obj and r.background == background]
    assert r.iou >= 0.95 and r.edge <= 1.0, (r.iou, r.edge)


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

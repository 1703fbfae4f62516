"""The labelled photo set of bench/bench_triage.py: every row usable and licensed."""

from __future__ import annotations

import csv
from pathlib import Path

import skimage.data
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]
LABELS = ROOT / "bench" / "data" / "triage_labels.csv"


def test_every_labelled_photo_exists_with_a_licence_and_a_crop_inside_it() -> None:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["label"] for row in rows} == {"person", "hand", "animal", "object", "packshot"}
    for row in rows:
        spec = row["photo"]
        path = (
            Path(skimage.data.__file__).parent / spec.removeprefix("skimage:")
            if spec.startswith("skimage:")
            else ROOT / spec
        )
        assert path.is_file(), spec
        assert row["licence"] in {"CC BY 4.0", "CC BY 2.0", "CC0", "public domain"}, row
        if row["crop"]:
            left, top, right, bottom = (int(v) for v in row["crop"].split())
            width, height = Image.open(path).size
            assert 0 <= left < right <= width and 0 <= top < bottom <= height, row

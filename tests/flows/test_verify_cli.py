"""`vitrina verify`: a stored banner verifies from the store alone (sidecar and cut-out found by
hash); a copy with one product pixel changed fails with the count and the box; missing files and
a wrong cut-out are one-line errors with exit 2.

The store is filled the way a run fills it (banner blob, lineage sidecar, cut-out, a browsable
link under runs/), from one real variant rendered without Prefect.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image
from typer.testing import CliRunner

from flows.cli import app
from pipeline.store import Store
from tests.helpers import render_demo_variant

runner = CliRunner()


class Stored(NamedTuple):
    out: Path
    blob: Path  # out/blobs/sha256/ab/<sha>.png
    linked: Path  # out/runs/<run>/<sku>/<scene>/<format>/<locale>.png
    cutout: Path  # out/cutouts/sha256/ab/<sha>.png
    lineage: dict


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    product, variant = render_demo_variant()
    out = tmp_path_factory.mktemp("verify") / "out"
    store = Store(out)
    sha = store.put_blob(variant.png)
    store.put_json_sidecar(sha, {"variant_id": "v-test", "verdict": variant.verdict.value, "checks": [],
                                 "lineage": variant.lineage})
    cut_sha = store.put_cutout(product.cutout)
    linked = store.link_into_run(sha, "r-test", "B07GTFSCHB/studio/square/en-US.png")
    stored = Stored(out, store.blob_path(sha), linked, store.cutout_path(cut_sha), variant.lineage)
    store.close()
    return stored


def _verify(*args: str):
    return runner.invoke(app, ["verify", *map(str, args)])


def test_a_stored_banner_verifies_from_the_store_alone(stored: Stored):
    result = _verify(stored.blob)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {stored.blob}: identical: all ")
    assert str(stored.cutout) in result.stdout


def test_the_browsable_run_copy_finds_its_store(stored: Stored):
    result = _verify(stored.linked, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "identical" and report["ok"] is True and report["differing_pixels"] == 0
    assert report["sidecar"] == str(stored.blob.with_suffix(".json"))
    assert report["cutout"] == str(stored.cutout)
    assert report["placement_box"] == stored.lineage["product"]["placement_box"]


def test_one_changed_product_pixel_fails_with_count_and_box(stored: Stored, tmp_path: Path):
    x0, y0, x1, y1 = stored.lineage["product"]["placement_box"]
    x, y = (x0 + x1) // 2, (y0 + y1) // 2
    banner = Image.open(stored.blob).convert("RGB")
    r, g, b = banner.getpixel((x, y))
    banner.putpixel((x, y), (r, g, b ^ 4))
    edited = tmp_path / "edited.png"
    banner.save(edited)
    sidecar = stored.blob.with_suffix(".json")
    result = _verify(edited, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 1, result.output
    assert f"FAIL {edited}: NOT identical: 1 of " in result.stdout
    assert f"within ({x}, {y})-({x + 1}, {y + 1})" in result.stdout

    as_json = _verify(edited, "--sidecar", sidecar, "--cutout", stored.cutout, "--json")
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and report["status"] == "differs"
    assert report["differing_pixels"] == 1 and report["differing_box"] == [x, y, x + 1, y + 1]


def test_files_next_to_the_banner_are_found(stored: Stored, tmp_path: Path):
    """A banner handed over with BANNER.json and BANNER.cutout.png beside it, no store."""
    banner = tmp_path / "hero.png"
    shutil.copy(stored.blob, banner)
    shutil.copy(stored.blob.with_suffix(".json"), tmp_path / "hero.json")
    shutil.copy(stored.cutout, tmp_path / "hero.cutout.png")
    result = _verify(banner)
    assert result.exit_code == 0, result.output


def test_missing_files_are_one_line_errors(stored: Stored, tmp_path: Path):
    banner = tmp_path / "lonely.png"
    shutil.copy(stored.blob, banner)
    result = _verify(banner)
    assert result.exit_code == 2
    assert "no sidecar for" in result.stderr and str(banner.with_suffix(".json")) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    shutil.copy(stored.blob.with_suffix(".json"), banner.with_suffix(".json"))
    result = _verify(banner)
    assert result.exit_code == 2 and "no cut-out" in result.stderr and "pass --cutout" in result.stderr

    result = _verify(tmp_path / "nope.png")
    assert result.exit_code == 2 and f"banner not found: {tmp_path / 'nope.png'}" in result.stderr
    result = _verify(stored.blob, "--cutout", tmp_path / "gone.png")
    assert result.exit_code == 2 and f"cut-out not found: {tmp_path / 'gone.png'}" in result.stderr


def test_a_wrong_cutout_is_refused(stored: Stored, tmp_path: Path):
    cut = Image.open(stored.cutout)
    cut.putpixel((cut.width // 2, cut.height // 2), (1, 2, 3, 255))
    wrong = tmp_path / "wrong.png"
    cut.save(wrong)
    result = _verify(stored.blob, "--cutout", wrong)
    assert result.exit_code == 2
    assert "the cut-out is not the one this banner was made from" in result.stderr
    assert stored.lineage["product"]["cutout_sha256"] in result.stderr

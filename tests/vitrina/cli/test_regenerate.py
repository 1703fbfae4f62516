"""`vitrina regenerate`: every variant of a real demo run is rebuilt byte for byte from its lineage,
and what cannot be rebuilt is one line with exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline.storage.store import Store

if TYPE_CHECKING:
    from tests.conftest import DemoRun
    from tests.vitrina.cli.conftest import Vitrina


def _variant_ids(out: Path) -> list[str]:
    store = Store(out)
    try:
        return [v.variant_id for v in store.variants()]
    finally:
        store.close()


def test_every_demo_variant_regenerates_byte_identical(demo_run: DemoRun, vitrina: Vitrina):
    ids = _variant_ids(demo_run.out)
    assert len(ids) == demo_run.summary["variants"] >= 6
    for vid in ids:
        result = vitrina("regenerate", vid, "--out", demo_run.out, "--json")
        report = json.loads(result.stdout)
        assert result.exit_code == 0, report
        assert report["status"] == "identical" and report["backend"] == "studio"
        assert report["field_differences"] == [] and report["versions_differ"] == {}


def test_regenerate_prints_ok_and_saves_the_rebuilt_png(demo_run: DemoRun, vitrina: Vitrina, tmp_path: Path):
    vid = _variant_ids(demo_run.out)[0]
    saved = tmp_path / "rebuilt.png"
    result = vitrina("regenerate", vid, "--out", demo_run.out, "--save", saved)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"OK identical: studio variant {vid} rebuilt byte for byte"
    store = Store(demo_run.out)
    try:
        assert saved.read_bytes() == store.blob_path(store.variant(vid).blob_sha).read_bytes()
    finally:
        store.close()


@pytest.mark.parametrize(("where", "message"), [(".", "is a folder"), ("a-file/x.png", "File exists")])
def test_a_save_path_that_cannot_be_written_is_one_line_and_exit_2(
    demo_run: DemoRun, vitrina: Vitrina, tmp_path: Path, where: str, message: str
):
    (tmp_path / "a-file").write_text("not a folder")
    vid = _variant_ids(demo_run.out)[0]
    result = vitrina("regenerate", vid, "--out", demo_run.out, "--save", tmp_path / where)
    assert result.exit_code == 2 and message in result.stderr  # before: an OSError traceback
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # no temp file left behind


def test_a_moved_brand_guide_is_an_error_naming_it_and_brand_finds_it(demo_out: Path, vitrina: Vitrina):
    vid = _variant_ids(demo_out)[0]
    brand = demo_out.parent.parent / "moved-brand"
    store = Store(demo_out)
    try:
        run = store.runs()[0]
    finally:
        store.close()
    original = Path(run.brief).parent / "../brand_guides/halden"
    shutil.copytree(original, brand)
    result = vitrina("regenerate", vid, "--out", demo_out, "--brand", brand)
    assert result.exit_code == 0, result.output
    result = vitrina("regenerate", vid, "--out", demo_out, "--brand", demo_out / "nowhere")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "brand folder not found" in result.stderr


def test_an_unknown_variant_is_exit_2_with_one_line(demo_run: DemoRun, vitrina: Vitrina):
    result = vitrina("regenerate", "vnope", "--out", demo_run.out)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: no variant 'vnope' in {demo_run.out / 'catalog.sqlite'}"]

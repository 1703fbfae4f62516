"""`vitrina verify`: a stored banner verifies from the store alone (sidecar and cut-out found by
hash); a copy with one product pixel changed fails with the count and the box; missing files, a
sidecar that is not of the current schema and a wrong cut-out are one-line errors with exit 2.

The store is filled the way a run fills it (`Store.keep_variant`: banner blob, sidecar, a browsable
link under runs/; the cut-out), from one real variant rendered without Prefect.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.helpers import StoredVariant as Stored
from tests.helpers import store_demo_variant
from vitrina.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    return store_demo_variant(tmp_path_factory.mktemp("verify") / "out")


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
    assert report["placement_box"] == list(stored.lineage.product.placement_box)


def test_one_changed_product_pixel_fails_with_count_and_box(stored: Stored, tmp_path: Path):
    x0, y0, x1, y1 = stored.lineage.product.placement_box
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
    assert stored.lineage.product.cutout_sha256 in result.stderr


def test_a_sidecar_of_the_old_shape_is_one_line_with_exit_2(stored: Stored, tmp_path: Path):
    """A DAM sidecar as Vitrina wrote it before the one schema: flat product keys, no schema_version."""
    product = stored.lineage.product
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(
            {
                "variant_id": stored.variant_id,
                "verdict": "passed",
                "lineage": {
                    "product_cutout_sha256": product.cutout_sha256,
                    "product_layer_sha256": product.layer_sha256,
                    "product_placement_box": list(product.placement_box),
                },
            }
        ),
        encoding="utf-8",
    )
    result = _verify(stored.blob, "--sidecar", old, "--cutout", stored.cutout)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert f"error: sidecar {old}: no schema_version" in result.stderr

    as_json = _verify(stored.blob, "--sidecar", old, "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["status"] == "bad_input"


def test_an_edited_sidecar_names_the_field(stored: Stored, tmp_path: Path):
    data = json.loads(stored.sidecar.read_text(encoding="utf-8"))
    data["lineage"]["product"]["resample"] = "bicubic"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = _verify(stored.blob, "--sidecar", edited)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "lineage.product.resample" in result.stderr and "'bicubic'" in result.stderr


def test_schema_sidecar_prints_the_json_schema_the_stored_sidecar_meets(stored: Stored):
    result = runner.invoke(app, ["schema", "sidecar"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("Vitrina sidecar")
    jsonschema.validate(json.loads(stored.sidecar.read_text(encoding="utf-8")), schema)
    assert runner.invoke(app, ["schema", "nope"]).exit_code == 2


def test_bombs_and_broken_images_are_one_line_errors_without_decoding(stored: Stored, tmp_path: Path):
    """The banner and the cut-out pass the one pixel limit (pipeline.imaging.imageio.open_image):
    a 400 MP bomb was a traceback (Pillow's DecompressionBombError)."""
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)
    huge = tmp_path / "huge.png"
    Image.new("1", (9_000, 9_000)).save(huge)
    sidecar = stored.blob.with_suffix(".json")

    result = _verify(bomb, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bomb}: banner: image too large (400 megapixels, limit 40 megapixels)"
    ]
    result = _verify(stored.blob, "--cutout", huge)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {huge}: cut-out: image too large (9000x9000 pixels, limit 40 megapixels)"
    ]
    as_json = _verify(stored.blob, "--cutout", bomb, "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["status"] == "bad_input"
    assert "cut-out: image too large (400 megapixels" in json.loads(as_json.stdout)["error"]

    text = tmp_path / "text.png"
    text.write_text("not an image")
    result = _verify(text, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [f"error: {text}: banner: not an image file"]

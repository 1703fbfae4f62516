"""The one sidecar schema: what the store writes validates against `sidecar_json_schema` and reads
back to the same record; anything else (an older shape, a hand edit) is one line naming the field."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from pipeline.errors import InputError
from pipeline.storage.sidecar import (
    MAX_SIDECAR_BYTES,
    SCHEMA_VERSION,
    Sidecar,
    load_sidecar,
    read_sidecar,
    sidecar_json,
    sidecar_json_schema,
)
from tests.helpers import render_demo_variant, store_demo_variant


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A sidecar as a run writes it, decoded from the file."""
    stored = store_demo_variant(tmp_path_factory.mktemp("sidecar") / "out")
    return json.loads(stored.sidecar.read_text(encoding="utf-8"))


def test_the_written_sidecar_validates_against_the_json_schema(written: dict):
    schema = sidecar_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(written, schema)
    assert written["schema_version"] == SCHEMA_VERSION
    # the keys readers use by name (context_from_lineage, DAM tools) are all there
    assert {"variant_id", "verdict", "brand_score", "check_report", "lineage"} < set(written)
    assert {"format", "layout", "text_blocks", "product", "generation"} < set(written["lineage"])


def test_an_edited_sidecar_fails_the_json_schema_too(written: dict):
    edited = json.loads(json.dumps(written))
    edited["lineage"]["product"]["cutout_sha256"] = "not a hash"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(edited, sidecar_json_schema())


def test_the_sidecar_reads_back_to_the_same_record_and_bytes(written: dict):
    _, variant = render_demo_variant()
    sidecar = read_sidecar(written)
    assert type(sidecar) is Sidecar and sidecar.lineage == variant.lineage
    assert sidecar.brand_score == variant.report.brand_score == written["check_report"]["brand_score"]
    assert json.loads(sidecar_json(sidecar)) == written


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("schema_version"), "no schema_version: not a Vitrina sidecar of schema 2"),
        (lambda d: d.update(schema_version=3), r"schema_version 3 is not one this Vitrina reads \(2\)"),
        (lambda d: d["lineage"].pop("environment"), "lineage lacks environment"),
        (lambda d: d["lineage"]["product"].pop("crop_box"), r"lineage lacks product\.crop_box"),
        (lambda d: d["cutout"].update(sha256="0" * 64), "cutout.sha256 0+ is not lineage.product.cutout_sha256"),
        (lambda d: d["lineage"].pop("product"), "lineage.product: Field required"),
        (lambda d: d["lineage"]["product"].update(scale=-1), r"lineage\.product\.scale: .* greater than 0 \(got -1\)"),
        (lambda d: d.update(checks=[]), "checks: Extra inputs are not permitted"),
    ],
)
def test_what_is_not_this_schema_is_one_line_naming_the_field(written: dict, change, message: str):
    data = json.loads(json.dumps(written))
    change(data)
    with pytest.raises(InputError, match=message) as err:
        read_sidecar(data, "sidecar x.json")
    assert str(err.value).startswith("sidecar x.json: ") and "\n" not in str(err.value)


def test_the_old_flat_dam_shape_is_refused(written: dict):
    """Before the one schema, a DAM sidecar flattened the product lineage (lineage.product_cutout_sha256)."""
    product = written["lineage"]["product"]
    old = {
        "variant_id": "v1",
        "verdict": "passed",
        "lineage": {
            "product_cutout_sha256": product["cutout_sha256"],
            "product_layer_sha256": product["layer_sha256"],
            "product_placement_box": product["placement_box"],
        },
    }
    with pytest.raises(InputError, match="no schema_version"):
        read_sidecar(old)


def test_unreadable_files_are_input_errors(tmp_path: Path):
    with pytest.raises(InputError, match="sidecar not found: "):
        load_sidecar(tmp_path / "gone.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ truncated", encoding="utf-8")
    with pytest.raises(InputError, match="is not readable JSON"):
        load_sidecar(bad)
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="a sidecar is a JSON object, got list"):
        load_sidecar(bad)


def test_special_and_oversized_files_are_refused_without_reading_them(tmp_path: Path):
    """A FIFO given as --sidecar would block a read forever; a huge file is not a sidecar."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_sidecar(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_sidecar(tmp_path)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (MAX_SIDECAR_BYTES + 1))
    with pytest.raises(InputError, match="larger than 4 MiB"):
        load_sidecar(huge)


def test_a_schema_1_sidecar_is_refused_naming_what_it_lacks_and_what_to_run(written: dict):
    old = json.loads(json.dumps(written))
    old["schema_version"] = 1
    with pytest.raises(InputError) as err:
        read_sidecar(old, "sidecar old.json")
    message = str(err.value)
    assert message.startswith("sidecar old.json: schema_version 1 was written by an older Vitrina")
    assert "vitrina run BRIEF --out DIR" in message and "vitrina regenerate" in message and "\n" not in message


def test_the_sidecar_is_auditor_complete(written: dict):
    """What an auditor needs with numpy and Pillow only (docs/audit.md): no machine's paths."""
    product = written["lineage"]["product"]
    assert product["source"] == "../products/B07GTFSCHB/844a1cce.jpg"  # relative to demo/catalog/
    assert product["source_size"] == [1024, 1024]
    x0, y0, x1, y1 = product["crop_box"]
    assert 0 <= x0 < x1 <= 1024 and 0 <= y0 < y1 <= 1024
    assert product["resampler"]["library"] == "Pillow" and product["resampler"]["filter"] == "LANCZOS"
    assert product["resampler"]["premultiplied_alpha"] is True
    assert "sRGB" in product["normalisation"] and "EXIF" in product["normalisation"]
    env = written["lineage"]["environment"]
    assert {"pillow", "torch", "diffusers", "numpy"} <= set(env) and env["pillow"]
    assert written["lineage"]["inputs"]["brand"] == "../brand_guides/halden"
    sha = product["cutout_sha256"]
    assert written["cutout"] == {"key": f"cutouts/sha256/{sha[:2]}/{sha}.png", "sha256": sha}
    assert str(Path.home()) not in json.dumps(written) and "/tmp" not in json.dumps(written)


def test_the_stored_cut_out_is_where_the_sidecar_key_says(tmp_path: Path):
    stored = store_demo_variant(tmp_path / "out")
    sidecar = load_sidecar(stored.sidecar)
    assert (stored.out / sidecar.cutout.key).resolve() == stored.cutout.resolve()

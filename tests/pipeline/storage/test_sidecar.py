"""The one sidecar schema: what the store writes validates against `sidecar_json_schema` and reads
back to the same record; anything else (an older shape, a hand edit) is one line naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.errors import InputError
from pipeline.storage.sidecar import (
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
        (lambda d: d.pop("schema_version"), "no schema_version: not a Vitrina sidecar of schema 1"),
        (lambda d: d.update(schema_version=2), r"schema_version 2 is not one this Vitrina reads \(1\)"),
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

"""`pipeline.regenerate`: a stored variant rebuilt from its lineage, the cut-out and the brand guide
is byte-identical, and a changed input shows as the first difference, named."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from pipeline.errors import InputError
from pipeline.regenerate import regenerate_stored
from pipeline.storage.store import Store
from tests.helpers import DEMO_BRAND, StoredVariant, store_demo_variant


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> StoredVariant:
    return store_demo_variant(tmp_path_factory.mktemp("regen") / "out", locale="ar-AE", fmt="story")


def _regenerate(stored: StoredVariant, brand: Path = DEMO_BRAND):
    store = Store(stored.out)
    try:
        return regenerate_stored(store, stored.variant_id, brand_dir=brand)
    finally:
        store.close()


def test_a_studio_variant_is_rebuilt_byte_for_byte(stored: StoredVariant):
    report = _regenerate(stored)
    assert report.identical, report.summary()
    assert report.png == stored.blob.read_bytes()
    assert report.summary() == f"identical: studio variant {stored.variant_id} rebuilt byte for byte"
    assert report.field_differences == [] and report.versions_differ == {} and report.differing_pixels == 0


def test_a_changed_brand_guide_is_named_as_the_lineage_field_that_differs(stored: StoredVariant, tmp_path: Path):
    brand = tmp_path / "halden"
    shutil.copytree(DEMO_BRAND, brand)
    text = (brand / "brand.yaml").read_text(encoding="utf-8")
    (brand / "brand.yaml").write_text(text + "\n# edited\n", encoding="utf-8")
    report = _regenerate(stored, brand)
    # a comment changes no pixel: the bytes are the same, and the brand guide is named as not the recorded one
    assert report.identical and report.differing_pixels == 0
    assert report.field_differences[0].startswith(f"inputs.brand_sha256: the brand guide {brand} hashes to ")
    assert report.summary().endswith("rebuilt byte for byte (though inputs.brand_sha256 differs)")
    # a real change of the brand guide (its palette) changes pixels: the field is the first difference
    (brand / "brand.yaml").write_text(text.replace("#F4F1EA", "#F0E8DA"), encoding="utf-8")
    changed = _regenerate(stored, brand)
    assert not changed.identical and changed.differing_pixels > 0
    assert changed.first_difference is not None and changed.first_difference.startswith("inputs.brand_sha256: ")


def test_changed_stored_pixels_are_reported_with_the_first_pixel_and_box(stored: StoredVariant, tmp_path: Path):
    out = tmp_path / "out"
    shutil.copytree(stored.out, out)
    blob = out / stored.blob.relative_to(stored.out)
    image = Image.open(io.BytesIO(blob.read_bytes())).convert("RGB")
    x0, y0, _, _ = stored.lineage.product.placement_box
    for dx in range(3):
        image.putpixel((x0 + 40 + dx, y0 + 50), (255, 0, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    blob.write_bytes(buf.getvalue())
    report = _regenerate(stored._replace(out=out))
    assert not report.identical and report.field_differences == []
    assert report.differing_pixels == 3
    assert report.first_pixel == (x0 + 40, y0 + 50)
    assert report.differing_box == (x0 + 40, y0 + 50, x0 + 43, y0 + 51)
    x, y = x0 + 40, y0 + 50
    expected = f"3 pixels differ, the first at ({x}, {y}), all within ({x}, {y})-({x + 3}, {y + 1})"
    assert report.first_difference == expected


def test_a_lineage_of_an_older_vitrina_is_refused_naming_what_it_lacks(stored: StoredVariant, tmp_path: Path):
    """A catalog row written before schema 2: no inputs, no environment, an absolute source path."""
    out = tmp_path / "out"
    shutil.copytree(stored.out, out)
    old = json.loads(stored.lineage.model_dump_json(by_alias=True))
    for key in ("inputs", "environment"):
        old.pop(key)
    for key in ("source_size", "crop_box", "normalisation", "resampler"):
        old["product"].pop(key)
    old["product"]["source"] = "/home/someone/demo/products/B07GTFSCHB/844a1cce.jpg"
    store = Store(out)
    try:
        with store._tx() as db:
            sql = "UPDATE variants SET lineage=:lineage WHERE variant_id=:vid"
            db.run(sql, lineage=json.dumps(old), vid=stored.variant_id)
        with pytest.raises(InputError) as err:
            regenerate_stored(store, stored.variant_id, brand_dir=DEMO_BRAND)
    finally:
        store.close()
    message = str(err.value)
    assert "written by an older Vitrina and lacks product.source_size" in message
    assert "inputs, environment, product.source (an absolute path, not relative to the catalog)" in message
    assert "vitrina run BRIEF --out DIR" in message


def test_a_missing_cut_out_is_an_input_error_naming_where_it_was_looked_for(stored: StoredVariant, tmp_path: Path):
    out = tmp_path / "out"
    shutil.copytree(stored.out, out)
    (out / stored.cutout.relative_to(stored.out)).unlink()
    store = Store(out)
    try:
        with pytest.raises(InputError, match=r"its cut-out is not in the store \(looked for .*cutouts/sha256/"):
            regenerate_stored(store, stored.variant_id, brand_dir=DEMO_BRAND)
    finally:
        store.close()


@pytest.mark.slow
def test_a_variant_of_fp16_weights_is_rebuilt_from_those_weights(tmp_path: Path):
    """A folder with plain and fp16 files loads the plain ones unless asked: the rebuild asks for
    the recorded variant. (The two sets differ here, so the plain ones would paint another scene.)"""
    from pipeline.regenerate import backend_for
    from pipeline.scene.tiny_model import write_tiny_sd_inpaint
    from tests.helpers import DEMO_BRAND
    from tests.pipeline.checks.image.test_model_flag import render_with, store_variant

    model = write_tiny_sd_inpaint(tmp_path / "tiny", seed=0)
    write_tiny_sd_inpaint(model, seed=1, variant="fp16")
    assert list(model.glob("unet/*.fp16.safetensors")) and list(model.glob("unet/*[!6].safetensors"))
    product, variant = render_with(model, variant="fp16")
    assert variant.lineage.generation.model_extra["model"]["variant"] == "fp16"
    vid = store_variant(tmp_path / "out", product, variant)
    store = Store(tmp_path / "out")
    try:
        backend = backend_for(store.variant(vid).lineage, DEMO_BRAND)
        assert backend.settings.variant == "fp16"
        report = regenerate_stored(store, vid, brand_dir=DEMO_BRAND, backend=backend)
    finally:
        store.close()
    assert report.identical, report.summary()
    assert report.field_differences == []

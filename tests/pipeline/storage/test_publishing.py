"""Publishing: the DAM gets the signed PNG master, the signed channel rendition (JPEG q90 of the
master), the product cut-out and the store's sidecar plus identity and approvals (one schema, its
``cutout.key`` naming the published cut-out); the published master verifies with what the DAM
holds; publishing again uploads nothing, even when `finalize` (provenance) makes new bytes each call."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from dam_connectors import FileSystemConnector, connector_for
from flows.publish import publish_approved
from pipeline.provenance import COMPOSITE_SYNTHETIC, read_provenance
from pipeline.provenance.signer import SignerConfig
from pipeline.storage import publishing
from pipeline.storage.publishing import (
    asset_key,
    cutout_key,
    master_key,
    retraction_keys,
    sidecar_key,
    tombstone_record,
)
from pipeline.storage.renditions import JPEG_Q90, PNG
from pipeline.storage.sidecar import PublishedSidecar, load_sidecar, sidecar_json_schema
from pipeline.storage.store import Store, sha256_bytes
from pipeline.verify import verify_product_pixels
from tests.helpers import render_demo_variant, store_demo_variant


def test_a_published_sidecar_is_the_stored_one_plus_approvals_and_its_master_verifies(
    tmp_path: Path, signer: SignerConfig, catalog: str | None
):
    product, variant = render_demo_variant()
    stored = store_demo_variant(tmp_path / "out", db_url=catalog)
    store = Store(tmp_path / "out", catalog)
    store.decide(stored.variant_id, "approved", "dana", "fine")
    connector = connector_for(f"file://{tmp_path / 'dam'}")
    report = publish_approved(store, connector, signer)
    assert report.uploaded == [stored.variant_id] and report.objects_uploaded == 4 and not report.failed
    assert publish_approved(store, connector, signer).already == [stored.variant_id]  # idempotent

    record = store.variant(stored.variant_id)
    path = tmp_path / "dam" / sidecar_key(record)
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, sidecar_json_schema())
    published = load_sidecar(path)
    assert isinstance(published, PublishedSidecar)
    assert published.lineage == variant.lineage and published.variant_id == stored.variant_id
    assert published.check_report == store.sidecar(record.blob_sha).check_report
    assert [(a.by, a.action, a.note) for a in published.approvals] == [("dana", "approved", "fine")]
    assert (data["sku"], data["locale"], data["format"]) == (
        "B07GTFSCHB",
        "en-US",
        {"id": "square", "size": [1080, 1080]},
    )
    assert data["asset_sha256"] == record.blob_sha and len(data["checks"]) == len(variant.checks)
    assert data["cutout"] == {"key": cutout_key(record), "sha256": variant.lineage.product.cutout_sha256}
    # the master the sidecar describes is the one in the store, and the published master's product
    # pixels verify against the published cut-out
    assert Image.open(store.blob_path(data["asset_sha256"])).tobytes() == product_pixels(tmp_path / "dam", record)
    master = Image.open(tmp_path / "dam" / master_key(record))
    cutout = Image.open(tmp_path / "dam" / data["cutout"]["key"])
    assert verify_product_pixels(master, published.lineage, cutout).ok
    assert verify_product_pixels(master, published.lineage, product.cutout).ok
    connector.close()
    store.close()


def product_pixels(dam: Path, record) -> bytes:
    return Image.open(dam / master_key(record)).tobytes()


def test_the_dam_gets_the_signed_master_a_signed_jpeg_rendition_and_the_cut_out(
    tmp_path: Path, signer: SignerConfig, catalog: str | None
):
    stored = store_demo_variant(tmp_path / "out", db_url=catalog)
    store = Store(tmp_path / "out", catalog)
    store.decide(stored.variant_id, "approved", "dana")
    dam = FileSystemConnector(tmp_path / "dam")
    publish_approved(store, dam, signer)

    record = store.variant(stored.variant_id)
    key = asset_key(record, JPEG_Q90)
    objects = [key, master_key(record), cutout_key(record), sidecar_key(record)]
    files = sorted(p.relative_to(dam.root).as_posix() for p in dam.root.rglob("*") if p.is_file())
    assert files == sorted([*objects, *(f"{k}.meta.json" for k in objects)])
    assert key.endswith(f"/en-US/square/{record.scene}-{record.variant_id}.jpg")
    stem = key.removesuffix(".jpg")
    assert (master_key(record), cutout_key(record)) == (f"{stem}.png", f"{stem}.cutout.png")
    # both images are signed (Trusted under the test root), the master with the cut-out as its
    # packshot ingredient, the rendition with the signed master as its parent
    assert signer.trust_anchor is not None
    root = signer.trust_anchor.read_bytes()
    png = read_provenance((dam.root / master_key(record)).read_bytes(), root)
    jpg = read_provenance((dam.root / key).read_bytes(), root)
    assert (png.state, jpg.state) == ("Trusted", "Trusted"), (png.failures, jpg.failures)
    assert png.digital_source_type == jpg.digital_source_type == COMPOSITE_SYNTHETIC  # a studio scene
    assert (png.variant_id, jpg.variant_id) == (record.variant_id, record.variant_id)
    assert [i["relationship"] for i in png.ingredients] == ["componentOf"]
    assert [i["relationship"] for i in jpg.ingredients] == ["parentOf"]
    # the cut-out is the store's, byte for byte, and not signed (docs/provenance.md)
    cutout = (dam.root / cutout_key(record)).read_bytes()
    assert cutout == store.cutout_path(record.lineage.product.cutout_sha256).read_bytes()
    assert read_provenance(cutout).state == "none"
    assert dam.metadata(master_key(record))["rendition"] == "master"
    jpeg = (dam.root / key).read_bytes()
    assert Image.open(io.BytesIO(jpeg)).format == "JPEG"
    meta = dam.metadata(key)
    assert meta is not None
    assert meta["sha256"] == sha256_bytes(jpeg) != record.blob_sha
    assert (meta["master-sha256"], meta["rendition"], meta["variant-id"]) == (
        record.blob_sha,
        "jpeg-q90",
        record.variant_id,
    )
    assert store.publication(record.variant_id, dam.uri)["key"] == key
    store.close()


def test_every_file_passes_through_finalize_once_and_publishing_again_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signer: SignerConfig, catalog: str | None
):
    """A signer stamps a time into each file: the stamped file is kept, so the DAM's hash check
    still recognises it on the next publish. The rendition is given the stamped master."""
    calls: list[tuple[str, str, str, str | None]] = []

    def stamping(asset_bytes: bytes, mime: str, context: dict[str, str], by, ingredient=None) -> bytes:
        assert by is signer
        calls.append((mime, context["rendition"], context["key"], ingredient and sha256_bytes(ingredient)))
        return asset_bytes + os.urandom(8)

    monkeypatch.setattr(publishing, "finalize", stamping)
    stored = store_demo_variant(tmp_path / "out", db_url=catalog)
    store = Store(tmp_path / "out", catalog)
    store.decide(stored.variant_id, "approved", "dana")
    dam = FileSystemConnector(tmp_path / "dam")
    assert publish_approved(store, dam, signer).objects_uploaded == 4
    record = store.variant(stored.variant_id)
    key, master = asset_key(record, JPEG_Q90), master_key(record)
    signed_master = sha256_bytes((dam.root / master).read_bytes())
    cutout = sha256_bytes(store.cutout_path(record.lineage.product.cutout_sha256).read_bytes())
    assert calls == [
        ("image/png", "master", master, cutout),
        ("image/jpeg", "jpeg-q90", key, signed_master),
        ("application/json", "sidecar", sidecar_key(record), None),
    ]
    sent = (dam.root / key).read_bytes()

    second = publish_approved(store, dam, signer)

    assert second.already == [stored.variant_id] and second.objects_uploaded == 0
    assert len(calls) == 3 and (dam.root / key).read_bytes() == sent
    store.close()


def test_another_signer_signs_again_and_the_sidecar_passes_through(
    tmp_path: Path, signer: SignerConfig, catalog: str | None
):
    from pipeline.provenance import load_or_create_signer

    stored = store_demo_variant(tmp_path / "out", db_url=catalog)
    store = Store(tmp_path / "out", catalog)
    store.decide(stored.variant_id, "approved", "dana")
    dam = FileSystemConnector(tmp_path / "dam")
    publish_approved(store, dam, signer)
    record = store.variant(stored.variant_id)
    first = (dam.root / master_key(record)).read_bytes()
    sidecar = (dam.root / sidecar_key(record)).read_bytes()

    other, created = load_or_create_signer(tmp_path / "other", None, None)
    assert created and other.fingerprint != signer.fingerprint
    report = publish_approved(store, dam, other)

    assert report.uploaded == [stored.variant_id] and report.objects_uploaded == 2  # master + rendition
    assert (dam.root / master_key(record)).read_bytes() != first
    assert (dam.root / sidecar_key(record)).read_bytes() == sidecar
    assert other.trust_anchor is not None
    assert read_provenance((dam.root / master_key(record)).read_bytes(), other.trust_anchor.read_bytes()).state == (
        "Trusted"
    )
    store.close()


def test_retraction_takes_back_the_rendition_the_master_the_cut_out_and_the_sidecar():
    assert retraction_keys("c/sku/en-US/square/studio-v1.jpg") == (
        "c/sku/en-US/square/studio-v1.jpg",
        "c/sku/en-US/square/studio-v1.png",
        "c/sku/en-US/square/studio-v1.cutout.png",
        "c/sku/en-US/square/studio-v1.json",
    )
    # a master that is its own rendition (transparency), or an older Vitrina's publication of the
    # master PNG itself, is taken back the same way, each key once
    assert retraction_keys("c/sku.v2/en-US/square/studio.1-v1.png") == (
        "c/sku.v2/en-US/square/studio.1-v1.png",
        "c/sku.v2/en-US/square/studio.1-v1.cutout.png",
        "c/sku.v2/en-US/square/studio.1-v1.json",
    )
    assert PNG.extension == ".png"


def test_a_tombstone_says_which_variant_and_master_why_when_and_by_whom():
    class Pending:
        variant_id, sha256, reason = "v0123456789a", "ab" * 32, "rolled back"

    assert tombstone_record(Pending(), "vitrina publish", "2026-03-01T10:00:00+00:00") == {
        "variant_id": "v0123456789a",
        "sha256": "ab" * 32,
        "reason": "rolled back",
        "retracted_at": "2026-03-01T10:00:00+00:00",
        "by": "vitrina publish",
    }

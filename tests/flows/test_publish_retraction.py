"""Retraction through `publish_approved`: a published variant that is rejected, or superseded by a
newer version of its slot, is taken out of the DAM on the next publish and leaves tombstones.
Real store, real folder DAM and the real SeaweedFS server; needs the store's lifecycle
(`Store.pending_retractions`, `record_retraction`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import FileSystemConnector, S3Connector
from flows.publish import RETRACTED_BY, publish_approved
from pipeline.provenance.signer import SignerConfig
from pipeline.storage.publishing import asset_key, cutout_key, master_key, sidecar_key
from pipeline.storage.renditions import JPEG_Q90
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant

if TYPE_CHECKING:
    from tests.conftest import S3Server


def _keep(store: Store, extra: bytes = b"") -> str:
    """A real rendered variant, stored as a run stores it (its cut-out first); `extra` bytes after
    the PNG's end make a new version of its slot."""
    product, variant = render_demo_variant()
    store.put_cutout(product.cutout)
    return store.keep_variant("r1", variant.png + extra, variant.report, variant.lineage)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _objects(store: Store, vid: str) -> list[str]:
    """Every key a published variant has in the DAM: rendition, master, cut-out, sidecar."""
    record = store.variant(vid)
    return [asset_key(record, JPEG_Q90), master_key(record), cutout_key(record), sidecar_key(record)]


def _published(store: Store, dam: FileSystemConnector | S3Connector, signer: SignerConfig) -> tuple[str, str, str]:
    vid = _keep(store)
    store.decide(vid, "approved", "dana")
    assert publish_approved(store, dam, signer).uploaded == [vid]
    record = store.variant(vid)
    return vid, asset_key(record, JPEG_Q90), sidecar_key(record)


def test_a_rejected_published_variant_is_gone_on_the_next_publish_with_tombstones(tmp_path: Path, signer: SignerConfig):
    store, dam = Store(tmp_path / "out"), FileSystemConnector(tmp_path / "dam")
    vid, key, _ = _published(store, dam, signer)
    store.decide(vid, "rejected", "sam", "wrong season")

    report = publish_approved(store, dam, signer)

    assert report.retracted == [(vid, "rejected", (dam.root / f"{key}.tombstone.json").as_uri())]
    assert report.objects_retracted == 4 and report.uploaded == [] and report.failed == []
    assert _files(dam.root) == sorted(f"{k}.tombstone.json" for k in _objects(store, vid))
    tombstone = json.loads((dam.root / f"{key}.tombstone.json").read_text(encoding="utf-8"))
    assert tombstone["variant_id"] == vid and tombstone["reason"] == "rejected"
    assert tombstone["sha256"] == store.variant(vid).blob_sha and tombstone["by"] == RETRACTED_BY
    assert tombstone["key"] == key and tombstone["retracted_at"].startswith("20")

    left = _files(dam.root)
    again = publish_approved(store, dam, signer)  # recorded: nothing to retract twice
    assert again.retracted == [] and again.failed == [] and _files(dam.root) == left
    store.close()


def test_a_new_version_replaces_the_published_one_in_a_single_publish(tmp_path: Path, signer: SignerConfig):
    store, dam = Store(tmp_path / "out"), FileSystemConnector(tmp_path / "dam")
    old, _, _ = _published(store, dam, signer)
    new = _keep(store, b"v2")
    assert new != old
    store.decide(new, "approved", "dana")

    report = publish_approved(store, dam, signer)

    assert report.uploaded == [new] and [(v, why) for v, why, _ in report.retracted] == [(old, "superseded")]
    live = _objects(store, new)
    assert _files(dam.root) == sorted(
        [*live, *(f"{k}.meta.json" for k in live), *(f"{k}.tombstone.json" for k in _objects(store, old))]
    )
    store.close()


@pytest.mark.slow
def test_a_rejected_variant_is_deleted_from_s3_and_a_tombstone_object_written(
    tmp_path: Path, s3_server: S3Server, signer: SignerConfig
):
    store = Store(tmp_path / "out")
    bucket = s3_server.new_bucket()
    with S3Connector(bucket, "banners", **s3_server.options) as dam:
        vid, key, _ = _published(store, dam, signer)
        store.decide(vid, "rejected", "sam", "wrong season")
        report = publish_approved(store, dam, signer)
        assert [(v, why) for v, why, _ in report.retracted] == [(vid, "rejected")]
        assert report.retracted[0][2] == f"s3://{bucket}/banners/{key}.tombstone.json"
    client = s3_server.client()
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"])
    body = json.loads(client.get_object(Bucket=bucket, Key=f"banners/{key}.tombstone.json")["Body"].read())
    client.close()
    assert keys == sorted(f"banners/{k}.tombstone.json" for k in _objects(store, vid))
    assert (body["variant_id"], body["reason"]) == (vid, "rejected")
    store.close()

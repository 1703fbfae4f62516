"""Publishing: the DAM gets the store's sidecar plus identity and approvals, one schema, so a banner
fetched from the DAM verifies on its own; publishing again uploads nothing."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from PIL import Image

from dam_connectors import connector_for
from flows.publish import publish_approved
from pipeline.storage.publishing import asset_key, sidecar_key
from pipeline.storage.sidecar import PublishedSidecar, load_sidecar, sidecar_json_schema
from pipeline.storage.store import Store
from pipeline.verify import verify_product_pixels
from tests.helpers import render_demo_variant, store_demo_variant


def test_a_published_sidecar_is_the_stored_one_plus_approvals_and_verifies(tmp_path: Path):
    product, variant = render_demo_variant()
    stored = store_demo_variant(tmp_path / "out")
    store = Store(tmp_path / "out")
    store.decide(stored.variant_id, "approved", "dana", "fine")
    connector = connector_for(f"file://{tmp_path / 'dam'}")
    report = publish_approved(store, connector)
    assert report.uploaded == [stored.variant_id] and report.objects_uploaded == 2 and not report.failed
    assert publish_approved(store, connector).already == [stored.variant_id]  # idempotent

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

    banner = Image.open(tmp_path / "dam" / asset_key(record))
    assert verify_product_pixels(banner, published.lineage, product.cutout).ok
    connector.close()
    store.close()

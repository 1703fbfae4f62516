"""The store: content-addressed blobs, variants that keep their review state, an append-only audit
log, and a run stored in one call per variant (blob, row, sidecar, link) plus its report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.storage.store import ReviewError, Store
from tests.helpers import render_demo_variant, store_demo_variant


def _add(store: Store, blob: bytes, verdict: str = "passed") -> str:
    _, variant = render_demo_variant()  # a real lineage; the blob bytes make the variant id
    sha = store.put_blob(blob)
    return store.add_variant(
        run_id="r1",
        campaign_id="c",
        sku="S1",
        scene="sc",
        fmt="square",
        locale="en-US",
        blob_sha=sha,
        verdict=verdict,
        reasons=[] if verdict == "passed" else ["why"],
        checks=[],
        lineage=variant.lineage,
    )


def test_blobs_are_content_addressed_and_stored_once(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    a = store.put_blob(b"same bytes")
    b = store.put_blob(b"same bytes")
    assert a == b
    assert len(list((tmp_path / "blobs").rglob("*.png"))) == 1


def test_same_variant_again_keeps_its_review_state(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img")
    store.decide(vid, "approved", "dana")
    assert _add(store, b"img") == vid
    assert store.variant(vid).review == "approved"
    assert _add(store, b"other img") != vid


def test_review_decisions_go_to_the_audit_log(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review")
    store.decide(vid, "rejected", "sam", "product too small")
    store.decide(vid, "approved", "dana")
    log = store.audit(vid)
    assert [(e["action"], e["actor"], e["reason"]) for e in log] == [
        ("rendered", "vitrina", "run r1: version 1 of c/S1/sc/square/en-US"),
        ("checked", "vitrina", None),
        ("rejected", "sam", "product too small"),
        ("approved", "dana", None),
    ]


def test_blocked_variants_cannot_be_approved_and_rejections_need_a_reason(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    blocked = _add(store, b"bad", verdict="blocked")
    with pytest.raises(ReviewError, match="blocked"):
        store.decide(blocked, "approved", "dana")
    with pytest.raises(ReviewError, match="reason"):
        store.decide(blocked, "rejected", "dana", "  ")
    with pytest.raises(ReviewError, match="no variant"):
        store.decide("vnope", "approved", "dana")
    assert [e["action"] for e in store.audit()] == ["rendered", "checked"]  # no decision recorded


def test_a_variant_is_kept_in_one_call_and_reads_back_typed(tmp_path: Path, catalog: str | None):
    _, variant = render_demo_variant()
    stored = store_demo_variant(tmp_path, run_id="r1", db_url=catalog)
    store = Store.open_existing(tmp_path, catalog)
    record = store.variant(stored.variant_id)
    assert record.lineage == variant.lineage and record.verdict == variant.verdict.value
    assert record.reasons == variant.reasons and record.checks == json.loads(
        json.dumps([c.to_dict() for c in variant.checks])
    )
    assert stored.blob.read_bytes() == variant.png and stored.linked.read_bytes() == variant.png
    sidecar = store.sidecar(record.blob_sha)
    assert sidecar.variant_id == stored.variant_id and sidecar.lineage == variant.lineage
    assert sidecar.check_report.model_dump(mode="json") == json.loads(json.dumps(variant.report.to_dict()))


def test_finishing_a_run_writes_its_report(tmp_path: Path, catalog: str | None):
    stored = store_demo_variant(tmp_path, run_id="r1", db_url=catalog)
    store = Store(tmp_path, catalog)
    store.start_run("r1", "c", "brief.yaml", "studio")
    summary = {"run_id": "r1", "variants": 1}
    path = store.finish_run("r1", summary)
    assert path == tmp_path / "runs" / "r1" / "report.json"
    lin = stored.lineage
    assert json.loads(path.read_text(encoding="utf-8")) == {
        **summary,
        "variants_detail": [
            {
                "id": stored.variant_id,
                "sku": lin.sku,
                "scene": lin.scene,
                "format": lin.format.id,
                "locale": lin.locale,
                "verdict": store.variant(stored.variant_id).verdict,
                "reasons": store.variant(stored.variant_id).reasons,
            }
        ],
    }


def test_a_stored_lineage_this_vitrina_cannot_read_is_one_line(tmp_path: Path, catalog: str | None):
    stored = store_demo_variant(tmp_path, db_url=catalog)
    store = Store(tmp_path, catalog)
    with store._tx() as db:
        db.run(
            "UPDATE variants SET lineage=:lineage WHERE variant_id=:vid",
            lineage='{"product": {}}',
            vid=stored.variant_id,
        )
    with pytest.raises(InputError, match=f"variant {stored.variant_id}: stored lineage: ") as err:
        store.variant(stored.variant_id)
    assert "\n" not in str(err.value)

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.store import ReviewError, Store


def _add(store: Store, blob: bytes, verdict: str = "passed") -> str:
    sha = store.put_blob(blob)
    return store.add_variant(run_id="r1", campaign_id="c", sku="S1", scene="sc", fmt="square", locale="en-US",
                             blob_sha=sha, verdict=verdict, reasons=[] if verdict == "passed" else ["why"],
                             checks=[], lineage={"product": {}})


def test_blobs_are_content_addressed_and_stored_once(tmp_path: Path):
    store = Store(tmp_path)
    a = store.put_blob(b"same bytes")
    b = store.put_blob(b"same bytes")
    assert a == b
    assert len(list((tmp_path / "blobs").rglob("*.png"))) == 1


def test_same_variant_again_keeps_its_review_state(tmp_path: Path):
    store = Store(tmp_path)
    vid = _add(store, b"img")
    store.decide(vid, "approved", "dana")
    assert _add(store, b"img") == vid
    assert store.variant(vid).review == "approved"
    assert _add(store, b"other img") != vid


def test_review_decisions_go_to_the_audit_log(tmp_path: Path):
    store = Store(tmp_path)
    vid = _add(store, b"img", verdict="needs_review")
    store.decide(vid, "rejected", "sam", "product too small")
    store.decide(vid, "approved", "dana")
    log = store.audit(vid)
    assert [(e["action"], e["actor"], e["reason"]) for e in log] == [
        ("rejected", "sam", "product too small"), ("approved", "dana", None)]


def test_blocked_variants_cannot_be_approved_and_rejections_need_a_reason(tmp_path: Path):
    store = Store(tmp_path)
    blocked = _add(store, b"bad", verdict="blocked")
    with pytest.raises(ReviewError, match="blocked"):
        store.decide(blocked, "approved", "dana")
    with pytest.raises(ReviewError, match="reason"):
        store.decide(blocked, "rejected", "dana", "  ")
    with pytest.raises(ReviewError, match="no variant"):
        store.decide("vnope", "approved", "dana")
    assert store.audit() == []

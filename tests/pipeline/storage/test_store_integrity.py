"""Review integrity in the store: an approval is bound to the variant's bytes and check report (a
re-run that changes the checks revokes it, and says so in the audit log); the audit log is
append-only and hash-chained; reviewer names and reasons are one plain line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ReviewError
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant
from tests.pipeline.storage.conftest import drop_trigger, refused, tamper

RENDERED = ("rendered", "checked")  # the first two entries of every variant (test_lifecycle.py)


def _add(store: Store, blob: bytes, verdict: str = "passed", run_id: str = "r1", message: str = "ok") -> str:
    _, variant = render_demo_variant()  # a real lineage; the blob bytes make the variant id
    sha = store.put_blob(blob)
    check = {"check": "brand.palette", "verdict": verdict, "code": "palette", "message": message}
    return store.add_variant(
        run_id=run_id,
        campaign_id="c",
        sku="S1",
        scene="sc",
        fmt="square",
        locale="en-US",
        blob_sha=sha,
        verdict=verdict,
        reasons=[] if verdict == "passed" else [message],
        checks=[check],
        lineage=variant.lineage,
    )


def _actions(store: Store, vid: str | None = None) -> list[tuple[str, str, str | None]]:
    """The audit trail after the entries every stored variant starts with (rendered, checked)."""
    return [(e["action"], e["actor"], e["reason"]) for e in store.audit(vid) if e["action"] not in RENDERED]


# --- item 1: an approval is bound to the checks it was given on -----------------------------------


def test_a_rerun_that_blocks_an_approved_variant_revokes_the_approval_and_says_why(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img")
    store.decide(vid, "approved", "dana")
    # the brand guide got stricter: the same bytes are now blocked
    assert _add(store, b"img", verdict="blocked", run_id="r2", message="logo too small") == vid
    record = store.variant(vid)
    assert record.verdict == "blocked" and record.review == "pending"
    assert _actions(store, vid)[1:] == [
        ("checks-changed", "vitrina", "run r2: checks changed, passed -> blocked"),
        ("revoked", "vitrina", "revoked: checks changed, passed -> blocked"),
    ]
    with pytest.raises(ReviewError, match="blocked"):
        store.decide(vid, "approved", "dana")
    assert store.verify_audit() is None


def test_a_changed_report_with_the_same_verdict_still_revokes(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review", message="contrast 4.4")
    store.decide(vid, "approved", "dana")
    _add(store, b"img", verdict="needs_review", run_id="r2", message="contrast 3.1")
    assert store.variant(vid).review == "pending"
    assert _actions(store, vid)[-1] == ("revoked", "vitrina", "revoked: checks changed, needs_review -> needs_review")


def test_an_unchanged_rerun_keeps_the_approval_and_logs_nothing(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img")
    store.decide(vid, "approved", "dana")
    _add(store, b"img", run_id="r2")
    assert store.variant(vid).review == "approved"
    assert _actions(store, vid) == [("approved", "dana", None)]


def test_every_verdict_change_made_by_a_rerun_is_logged(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review", message="contrast")
    _add(store, b"img", verdict="passed", run_id="r2")
    _add(store, b"img", verdict="blocked", run_id="r3", message="claim")
    assert _actions(store, vid) == [
        ("checks-changed", "vitrina", "run r2: checks changed, needs_review -> passed"),
        ("checks-changed", "vitrina", "run r3: checks changed, passed -> blocked"),
    ]
    assert store.variant(vid).review == "pending"  # never approved: nothing to revoke


def test_a_rejection_survives_a_rerun(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review")
    store.decide(vid, "rejected", "sam", "off brand")
    _add(store, b"img", verdict="passed", run_id="r2")
    assert store.variant(vid).review == "rejected"


# --- item 6: the audit log is append-only and hash-chained ----------------------------------------


def _three_decisions(tmp_path: Path, catalog: str | None) -> tuple[Store, str]:
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review")
    store.decide(vid, "rejected", "sam", "too dark")
    store.decide(vid, "approved", "dana", "fixed upstream")
    store.decide(vid, "rejected", "lee", "legal said no")
    return store, vid


@pytest.mark.parametrize(
    "sql", ["UPDATE audit SET actor='eve' WHERE seq=1", "DELETE FROM audit WHERE seq=2", "DELETE FROM audit"]
)
def test_the_database_refuses_to_change_or_delete_audit_entries(tmp_path: Path, sql: str, catalog: str | None):
    store, vid = _three_decisions(tmp_path, catalog)
    with pytest.raises(refused(catalog), match="append-only"):
        tamper(tmp_path, catalog, sql)
    assert len(_actions(store, vid)) == 3 and store.verify_audit() is None


def test_postgresql_refuses_to_truncate_the_audit_log(tmp_path: Path, postgres_url: str):
    store, vid = _three_decisions(tmp_path, postgres_url)
    with pytest.raises(refused(postgres_url), match="append-only"):
        tamper(tmp_path, postgres_url, "TRUNCATE audit")
    assert len(_actions(store, vid)) == 3 and store.verify_audit() is None


def test_verify_audit_names_the_first_entry_changed_behind_the_triggers_back(tmp_path: Path, catalog: str | None):
    store, _ = _three_decisions(tmp_path, catalog)
    assert store.verify_audit() is None
    tamper(
        tmp_path,
        catalog,
        drop_trigger(catalog, "audit_no_update"),
        "UPDATE audit SET actor='boss', reason=NULL WHERE seq=2",
    )
    problem = Store.open_existing(tmp_path, catalog).verify_audit()
    assert problem is not None and "\n" not in problem
    assert problem.startswith("audit entry seq 2:") and "changed" in problem


def test_verify_audit_notices_a_deleted_entry(tmp_path: Path, catalog: str | None):
    store, _ = _three_decisions(tmp_path, catalog)
    tamper(tmp_path, catalog, drop_trigger(catalog, "audit_no_delete"), "DELETE FROM audit WHERE seq=2")
    problem = Store.open_existing(tmp_path, catalog).verify_audit()
    assert problem is not None and problem.startswith("audit entry seq 3:")
    assert "missing" in problem or "removed" in problem


def test_verify_audit_notices_a_forged_chain_link(tmp_path: Path, catalog: str | None):
    store, _ = _three_decisions(tmp_path, catalog)
    tamper(
        tmp_path,
        catalog,
        drop_trigger(catalog, "audit_no_update"),
        "UPDATE audit SET prev_hash=:forged WHERE seq=3",
        forged="0" * 64,
    )
    problem = Store.open_existing(tmp_path, catalog).verify_audit()
    assert problem is not None and problem.startswith("audit entry seq 3:")


# --- item 6: names and reasons are one plain line -------------------------------------------------

BAD_TEXT = [
    "eve\napproved by boss",
    "eve\rboss",
    "eve\x1b[31m",
    "e\x00ve",
    "\u202eeve",  # right-to-left override
    "eve\u2066x\u2069",  # isolate controls
    "\u200b",
    "\u200b\u200d\ufeff",
    "   ",
    "",
    "x" * 201,
]


@pytest.mark.parametrize("actor", BAD_TEXT)
def test_a_reviewer_name_must_be_one_plain_line(tmp_path: Path, actor: str, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img")
    with pytest.raises(ReviewError, match="reviewer name") as err:
        store.decide(vid, "approved", actor)
    assert "\n" not in str(err.value) and len(str(err.value)) < 300
    assert _actions(store) == [] and store.variant(vid).review == "pending"


@pytest.mark.parametrize("reason", [r for r in BAD_TEXT if r.strip("\u200b\u200d\ufeff ")])
def test_a_reason_must_be_one_plain_line(tmp_path: Path, reason: str, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img", verdict="needs_review")
    with pytest.raises(ReviewError, match="reason") as err:
        store.decide(vid, "rejected", "sam", reason)
    assert "\n" not in str(err.value)
    with pytest.raises(ReviewError, match="reason"):
        store.decide(vid, "approved", "sam", reason)
    assert _actions(store) == []


@pytest.mark.parametrize("actor", ["Zoë", "李明", "José María", "دانة", "x" * 200, "a\u200db"])
def test_real_names_are_accepted(tmp_path: Path, actor: str, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"img")
    store.decide(vid, "approved", actor, "looks right")
    assert store.audit(vid)[-1]["actor"] == actor

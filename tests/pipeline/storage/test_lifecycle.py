"""Versions, the lifecycle state machine, rollback and what must be retracted (issue 12, items 1-2).

A slot (campaign, SKU, scene, format, locale) keeps every version rendered for it; the store says
which is current, which state each is in (every change one audit entry), and which publications a
DAM must drop. Real store, on SQLite and PostgreSQL (``catalog``); lineages are real demo lineages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import ReviewError
from pipeline.storage.lifecycle import STATES, TRANSITIONS, transition
from pipeline.storage.store import Retraction, Slot, Store
from tests.helpers import render_demo_variant

A, B = "file:///dam-a", "s3://bucket/b"
SLOT = Slot("c", "S1", "sc", "square", "en-US")


def _add(store: Store, blob: bytes, verdict: str = "passed", run_id: str = "r1", fmt: str = "square") -> str:
    _, variant = render_demo_variant()  # a real lineage; the blob bytes make the variant id
    check = {"check": "brand.palette", "verdict": verdict, "code": "palette", "message": f"{verdict} {run_id}"}
    return store.add_variant(
        run_id=run_id,
        campaign_id="c",
        sku="S1",
        scene="sc",
        fmt=fmt,
        locale="en-US",
        blob_sha=store.put_blob(blob),
        verdict=verdict,
        reasons=[] if verdict == "passed" else ["why"],
        checks=[check],
        lineage=variant.lineage,
    )


def _publish(store: Store, vid: str, dam: str = A) -> None:
    v = store.publishable(vid)
    store.record_publication(vid, dam, f"k/{vid}.png", f"/{dam}/k/{vid}.png", v.blob_sha)


def _approved(store: Store, blob: bytes, run_id: str = "r1") -> str:
    vid = _add(store, blob, run_id=run_id)
    store.decide(vid, "approved", "dana")
    return vid


def _due(store: Store, dam: str = A) -> list[tuple[str, str]]:
    return [(r.variant_id, r.reason) for r in store.pending_retractions(dam)]


def _states(store: Store) -> list[tuple[int, str, bool]]:
    return [(v.version, v.state, v.current) for v in store.versions(SLOT)]


# --- versions -------------------------------------------------------------------------------------


def test_each_render_with_new_bytes_is_the_next_version_and_current_older_ones_stay(
    tmp_path: Path, catalog: str | None
):
    store = Store(tmp_path, catalog)
    v1 = _add(store, b"one", verdict="needs_review")
    store.decide(v1, "rejected", "sam", "too dark")
    v2 = _add(store, b"two", run_id="r2")
    assert [(v.version, v.variant_id, v.current) for v in store.versions(SLOT)] == [(1, v1, False), (2, v2, True)]
    old = store.variant(v1)
    assert old.state == "rejected" and old.verdict == "needs_review" and old.lineage is not None
    assert [e["action"] for e in store.audit(v1)] == ["rendered", "checked", "rejected"]
    assert store.variant(v2).slot == SLOT and str(SLOT) == "c/S1/sc/square/en-US"


def test_the_same_bytes_again_are_the_same_version_not_a_new_one(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _add(store, b"one")
    assert _add(store, b"one", run_id="r2") == v1
    assert _states(store) == [(1, "passed", True)]


def test_every_variant_starts_rendered_then_checked_each_an_audit_entry(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"one", verdict="blocked")
    rendered, checked = store.audit(vid)
    assert (rendered["action"], rendered["reason"]) == ("rendered", "run r1: version 1 of c/S1/sc/square/en-US")
    assert json.loads(rendered["details"])["state"] == [None, "rendered"]
    assert json.loads(checked["details"])["state"] == ["rendered", "blocked"]
    assert store.variant(vid).state == "blocked" and store.verify_audit() is None


def test_slots_are_separate_and_each_numbers_its_own_versions(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    _add(store, b"one")
    other = _add(store, b"two", fmt="portrait")
    assert store.variant(other).version == 1 and _states(store) == [(1, "passed", True)]
    with pytest.raises(ReviewError, match="no slot"):
        store.versions(Slot("c", "S1", "sc", "story", "en-US"))


def test_rendering_an_older_versions_bytes_again_makes_it_current(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _add(store, b"one")
    _add(store, b"two", run_id="r2")
    assert _add(store, b"one", run_id="r3") == v1
    assert _states(store) == [(1, "passed", True), (2, "passed", False)]
    assert store.audit(v1)[-1]["action"] == "made current"


# --- the state machine --------------------------------------------------------------------------


def test_every_state_is_in_the_one_transition_table():
    assert set(STATES) <= set(TRANSITIONS) and None in TRANSITIONS
    assert all(to in STATES for tos in TRANSITIONS.values() for to in tos)
    assert "approved" not in TRANSITIONS["blocked"] and "published" not in TRANSITIONS["passed"]


def test_review_and_publication_move_the_state(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"one")
    assert store.decide(vid, "approved", "dana").state == "approved"
    _publish(store, vid)
    _publish(store, vid, B)  # a second DAM: still published
    assert store.variant(vid).state == "published" and store.is_published(vid)
    actions = [(e["action"], json.loads(e["details"])["state"]) for e in store.audit(vid)[2:]]
    assert actions == [
        ("approved", ["passed", "approved"]),
        ("published", ["approved", "published"]),
        ("published", ["published", "published"]),
    ]


def test_an_illegal_transition_is_a_review_error_naming_from_and_to_and_changes_nothing(
    tmp_path: Path, catalog: str | None
):
    store = Store(tmp_path, catalog)
    vid = _add(store, b"one")
    store.decide(vid, "approved", "dana")
    _publish(store, vid)
    before = store.audit()
    with pytest.raises(ReviewError, match="cannot go from published to approved"):
        store.decide(vid, "approved", "lee")
    other = _add(store, b"two", fmt="portrait")
    with store._tx() as db, pytest.raises(ReviewError, match="cannot go from passed to published"):
        transition(db, other, "published", "published", "vitrina")
    assert store.variant(vid).state == "published" and store.audit()[: len(before)] == before
    assert store.variant(other).state == "passed"


def test_approvals_stay_bound_and_a_revoked_published_variant_is_due_as_rejected(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _approved(store, b"one")
    _publish(store, vid)
    _add(store, b"one", verdict="needs_review", run_id="r2")  # same bytes, other checks: revoked
    record = store.variant(vid)
    assert (record.review, record.state) == ("pending", "needs_review")
    assert _due(store) == [(vid, "rejected")]
    with pytest.raises(ReviewError, match="no longer approved"):
        store.publishable(vid)


# --- what must be retracted ---------------------------------------------------------------------


def test_a_newer_version_awaiting_review_leaves_the_published_one_live(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _approved(store, b"one")
    _publish(store, v1)
    _add(store, b"two", run_id="r2")
    assert _due(store) == [] and store.is_published(v1)
    assert store.publishable_current() == []  # version 2 is current and not approved yet
    with pytest.raises(ReviewError, match="not the current version"):
        store.publishable(v1)


def test_the_older_version_is_superseded_once_the_new_one_is_published_on_that_dam(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _approved(store, b"one")
    _publish(store, v1)
    _publish(store, v1, B)
    v2 = _approved(store, b"two", run_id="r2")
    _publish(store, v2)
    assert _states(store) == [(1, "superseded", False), (2, "published", True)]
    assert store.pending_retractions(A) == [
        Retraction(v1, A, f"k/{v1}.png", f"/{A}/k/{v1}.png", store.variant(v1).blob_sha, "superseded")
    ]
    assert _due(store, B) == []  # B does not hold version 2 yet: version 1 stays there
    store.record_retraction(v1, A, "/dam-a/k/tombstone.json")
    assert store.variant(v1).state == "superseded" and _due(store) == []  # still on B
    _publish(store, v2, B)
    assert _due(store, B) == [(v1, "superseded")]
    store.record_retraction(v1, B, "b/k/tombstone.json")
    assert store.variant(v1).state == "retracted" and not store.is_published(v1)
    assert store.verify_audit() is None


def test_rejecting_a_published_variant_makes_it_due_and_the_retraction_is_recorded(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _approved(store, b"one")
    _publish(store, vid)
    store.decide(vid, "rejected", "sam", "wrong season")
    assert store.variant(vid).state == "rejected" and _due(store) == [(vid, "rejected")]
    assert store.retraction_due(vid, A) == store.pending_retractions(A)[0] and store.retraction_due(vid, B) is None
    store.record_retraction(vid, A, "/dam-a/k/v.tombstone.json")
    last = store.audit(vid)[-1]
    assert (last["action"], last["reason"]) == ("retracted", f"removed from {A} (rejected)")
    details = json.loads(last["details"])
    assert details["tombstone"] == "/dam-a/k/v.tombstone.json" and details["state"] == ["rejected", "retracted"]
    assert store.variant(vid).state == "retracted" and store.publication(vid, A) is None and _due(store) == []
    with pytest.raises(ReviewError, match="not published on"):
        store.record_retraction(vid, A, "again")


def test_approving_again_before_the_retraction_keeps_it_published(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _approved(store, b"one")
    _publish(store, vid)
    store.decide(vid, "rejected", "sam", "hold on")
    assert store.decide(vid, "approved", "dana", "it was fine").state == "published"
    assert _due(store) == [] and store.retraction_due(vid, A) is None


def test_publishable_current_is_the_approved_current_version_of_each_slot(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _approved(store, b"one")
    _approved(store, b"two", run_id="r2")
    v2 = store.versions(SLOT)[1].variant_id
    portrait = _add(store, b"p", fmt="portrait")  # pending
    blocked = _add(store, b"x", verdict="blocked", fmt="story")
    assert [v.variant_id for v in store.publishable_current()] == [v2]
    assert v1 not in {portrait, blocked}
    store.decide(portrait, "approved", "dana")
    assert {v.variant_id for v in store.publishable_current()} == {v2, portrait}


# --- rollback ------------------------------------------------------------------------------------


def _two_published(store: Store) -> tuple[str, str]:
    v1 = _approved(store, b"one")
    _publish(store, v1)
    v2 = _approved(store, b"two", run_id="r2")
    _publish(store, v2)
    store.record_retraction(v1, A, "tomb-1")
    return v1, v2


def test_rollback_makes_an_earlier_approved_version_current_and_the_newer_one_due(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1, v2 = _two_published(store)
    assert store.variant(v1).state == "retracted"
    now = store.rollback(SLOT, 1, "dana", "version 2 shows last year's price")
    assert (now.variant_id, now.current, now.state) == (v1, True, "approved")  # restored, ready to publish
    assert [v.variant_id for v in store.publishable_current()] == [v1]
    assert _due(store) == [(v2, "rolled back")]
    assert [(e["action"], e["actor"], e["reason"]) for e in store.audit(v2)][-1] == (
        "rolled back",
        "dana",
        "version 2 shows last year's price",
    )
    assert [e["action"] for e in store.audit(v1)][-3:] == ["rollback", "restored", "rollback-pending"]
    _publish(store, v1)  # the next publish pushes it ...
    store.record_retraction(v2, A, "tomb-2")  # ... and retracts the newer one
    assert _states(store) == [(1, "published", True), (2, "retracted", False)]
    assert _due(store) == [] and store.verify_audit() is None


def test_a_rollback_pins_the_slot_until_a_new_version_is_rendered(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1, v2 = _two_published(store)
    store.rollback(SLOT, 1, "dana", "price")
    assert _add(store, b"two", run_id="r3") == v2  # the same run again: version 1 stays current
    assert store.variant(v1).current
    _add(store, b"three", run_id="r4")
    assert [v.current for v in store.versions(SLOT)] == [False, False, True]


@pytest.mark.parametrize(
    ("version", "by", "reason", "problem"),
    [
        (7, "dana", "why", "has no version 7 \\(versions: 1, 2, 3\\)"),
        (-1, "dana", "why", "has no version -1 \\(versions: 1, 2, 3\\)"),
        (10**23, "dana", "why", f"has no version {10**23} \\(versions: 1, 2, 3\\)"),
        (2**63, "dana", "why", "has no version"),
        (3, "dana", "why", "version 3 .* is already the current version"),
        (2, "dana", "why", "version 2 .* is rejected \\(review: rejected\\); only an approved version"),
        (1, "dana\nboss", "why", "name"),
        (1, "", "why", "a name is required"),
        (1, "dana", " ", "needs a reason"),
        (1, "dana", "\u202eevil", "reason"),
    ],
)
def test_rollback_refuses_and_changes_nothing(
    tmp_path: Path, version: int, by: str, reason: str, problem: str, catalog: str | None
):
    store = Store(tmp_path, catalog)
    _approved(store, b"one")
    v2 = _add(store, b"two", verdict="needs_review", run_id="r2")
    store.decide(v2, "rejected", "sam", "no")
    _add(store, b"three", run_id="r3")
    before = store.audit()
    with pytest.raises(ReviewError, match=problem) as err:
        store.rollback(SLOT, version, by, reason)
    assert "\n" not in str(err.value)
    assert store.audit() == before and [v.current for v in store.versions(SLOT)] == [False, False, True]


def test_rollback_of_an_unknown_slot_names_it(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    with pytest.raises(ReviewError, match="no slot 'c/S9/sc/square/en-US'"):
        store.rollback(Slot("c", "S9", "sc", "square", "en-US"), 1, "dana", "why")


def test_two_store_connections_see_one_current_version(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    _two_published(store)
    Store(tmp_path, catalog).rollback(SLOT, 1, "dana", "price")
    assert [v.current for v in store.versions(SLOT)] == [True, False]
    with store._read() as db:
        assert [r["pinned"] for r in db.rows("SELECT pinned FROM slots")] == [1]


def test_retracting_the_current_approved_version_anyway_leaves_it_ready_to_publish_again(
    tmp_path: Path, catalog: str | None
):
    store = Store(tmp_path, catalog)
    vid = _approved(store, b"one")
    _publish(store, vid)
    assert store.retraction_due(vid, A) is None
    store.record_retraction(vid, A, "tomb")  # e.g. removed by hand, or a rejection taken back meanwhile
    assert [e["action"] for e in store.audit(vid)][-2:] == ["retracted", "restored"]
    assert store.variant(vid).state == "approved" and [v.variant_id for v in store.publishable_current()] == [vid]


def test_a_run_reusing_an_older_version_makes_it_current_unless_a_rollback_pinned_another(
    tmp_path: Path, catalog: str | None
):
    store = Store(tmp_path, catalog)
    v1 = _approved(store, b"one")
    v2 = _approved(store, b"two", run_id="r2")
    store.reuse_variant("r3", v1)  # resume found version 1's inputs again
    assert store.variant(v1).current and store.reused("r3") == 1
    store.rollback(SLOT, 2, "dana", "keep the new one")
    store.reuse_variant("r4", v1)
    assert store.variant(v2).current and not store.variant(v1).current


def test_variants_can_be_listed_current_only_or_by_state(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    v1 = _approved(store, b"one")
    v2 = _add(store, b"two", run_id="r2")
    assert [(v.variant_id, v.current) for v in store.variants()] == [(v1, False), (v2, True)]
    assert [v.variant_id for v in store.variants(current_only=True)] == [v2]
    assert [v.variant_id for v in store.variants(state="approved")] == [v1]

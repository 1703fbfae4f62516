"""The webhooks' durable outbox (issue 13 item 5): a change and its deliveries commit together;
what a webhook subscribed to is queued once per change; tries are recorded; a removed webhook
gets nothing more. Real store on SQLite and PostgreSQL (``catalog``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import InputError, ReviewError
from pipeline.storage.outbox import check_webhook_url, new_secret
from pipeline.storage.store import Store
from tests.pipeline.storage.test_lifecycle import _add, _publish


def _events(store: Store) -> list[tuple[str, str]]:
    return [(d.event, d.payload["data"].get("variant_id", "")) for d in reversed(store.deliveries())]


def test_approve_publish_reject_retract_and_run_completed_are_queued_per_subscription(
    tmp_path: Path, catalog: str | None
):
    store = Store(tmp_path, catalog)
    every = store.add_webhook(
        "https://dam.example/hook",
        ["asset.approved", "asset.published", "asset.retracted", "run.completed"],
        new_secret(),
        by="admin",
    )
    only_runs = store.add_webhook("https://ops.example/hook", ["run.completed"], new_secret(), by="admin")
    store.start_run("r1", "c", "brief.yaml", "studio")
    vid = _add(store, b"one")
    assert store.deliveries() == []  # rendered and checked: nothing subscribed to that
    store.decide(vid, "approved", "dana")
    _publish(store, vid)
    store.decide(vid, "rejected", "dana", "wrong season")
    store.record_retraction(vid, "file:///dam-a", "/dam-a/k.tombstone.json")
    store.finish_run("r1", {"variants": 1, "passed": 1})
    assert _events(store) == [
        ("asset.approved", vid),
        ("asset.published", vid),
        ("asset.retracted", vid),
        ("run.completed", ""),
        ("run.completed", ""),
    ]
    first = store.deliveries()[-1]
    assert first.payload["type"] == "asset.approved" and first.payload["data"]["slot"]["sku"] == "S1"
    assert json.loads(first.body) == first.payload and first.delivery_id.startswith("msg_")
    assert {d.webhook_id for d in store.deliveries() if d.event == "run.completed"} == {
        every.webhook_id,
        only_runs.webhook_id,
    }
    assert len(store.due_deliveries()) == 5


def test_tries_are_recorded_until_delivered_or_given_up(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    store.add_webhook("https://dam.example/hook", ["run.completed"], new_secret(), by="admin")
    store.start_run("r1", "c", "brief.yaml", "studio")
    store.finish_run("r1", {"variants": 0})
    (due,) = store.due_deliveries()
    later = "2999-01-01T00:00:00.000000+00:00"
    again = store.record_attempt(due.delivery_id, ok=False, status=500, error="boom", next_attempt_at=later)
    assert (again.status, again.attempts, again.last_status, again.next_attempt_at) == ("pending", 1, 500, later)
    assert store.due_deliveries() == []  # not due before `later`
    assert [d.delivery_id for d in store.due_deliveries(later)] == [due.delivery_id]
    done = store.record_attempt(due.delivery_id, ok=True, status=204, error=None, next_attempt_at=None)
    assert (done.status, done.attempts, done.delivered_at is not None) == ("delivered", 2, True)
    # a late report of an older try changes nothing
    assert (
        store.record_attempt(due.delivery_id, ok=False, status=500, error="x", next_attempt_at=None).status
        == "delivered"
    )


def test_a_failed_delivery_can_be_retried_and_a_removed_webhook_gets_nothing_more(tmp_path: Path):
    store = Store(tmp_path)
    hook = store.add_webhook("https://dam.example/hook", ["run.completed"], new_secret(), by="admin")
    store.start_run("r1", "c", "brief.yaml", "studio")
    store.finish_run("r1", {})
    (due,) = store.due_deliveries()
    store.record_attempt(due.delivery_id, ok=False, status=None, error="timeout", next_attempt_at=None)
    assert store.deliveries()[0].status == "failed"
    store.retry_delivery(due.delivery_id)
    assert [d.delivery_id for d in store.due_deliveries()] == [due.delivery_id]
    store.remove_webhook(hook.webhook_id, by="admin")
    assert store.due_deliveries() == [] and store.deliveries()[0].last_error == "webhook removed by admin"
    store.start_run("r2", "c", "brief.yaml", "studio")
    store.finish_run("r2", {})
    assert len(store.deliveries()) == 1 and store.webhooks() == []


def test_a_change_that_rolls_back_queues_nothing(tmp_path: Path):
    store = Store(tmp_path)
    store.add_webhook("https://dam.example/hook", ["asset.approved"], new_secret(), by="admin")
    store.start_run("r1", "c", "brief.yaml", "studio")
    vid = _add(store, b"one", verdict="blocked")
    with pytest.raises(ReviewError):
        store.decide(vid, "approved", "dana")
    assert store.deliveries() == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://dam.example/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("http://127.0.0.1:8000/hook", "loopback or private"),
        ("http://169.254.169.254/latest/meta-data", "loopback or private"),
        ("http://[::1]/x", "loopback or private"),
        ("http://10.0.0.5/x", "loopback or private"),
        ("http://localhost/x", "loopback or private"),
        ("https://user:pw@dam.example/x", "credentials"),
        ("https://dam.example/x\nHost: evil", "one line"),
    ],
)
def test_webhook_urls_that_could_reach_inside_are_refused(url: str, why: str):
    with pytest.raises(InputError, match=why):
        check_webhook_url(url)


def test_loopback_is_allowed_when_asked_and_the_choice_goes_with_each_delivery(tmp_path: Path):
    assert check_webhook_url("http://127.0.0.1:9/x", allow_private=True)
    store = Store(tmp_path)
    inside = store.add_webhook("http://127.0.0.1:9/x", ["run.completed"], new_secret(), by="a", allow_private=True)
    outside = store.add_webhook("https://dam.example/x", ["run.completed"], new_secret(), by="a")
    assert (inside.allow_private, outside.allow_private) == (True, False)
    store.start_run("r1", "c", "brief.yaml", "studio")
    store.finish_run("r1", {})
    assert {d.url: d.allow_private for d in store.due_deliveries()} == {inside.url: True, outside.url: False}
    with pytest.raises(InputError, match="unknown webhook event"):
        store.add_webhook("https://dam.example/x", ["asset.deleted"], new_secret(), by="admin")

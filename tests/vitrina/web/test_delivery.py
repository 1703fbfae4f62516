"""Webhook deliveries against a real HTTP receiver on loopback: every delivery verified with the
`standardwebhooks` package, retries with backoff under the same webhook-id, giving up, 410 Gone,
redirects not followed, timeouts, addresses inside the network refused, the background worker,
and a worker killed in the middle of a delivery losing nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from pipeline.storage.outbox import new_secret
from pipeline.storage.store import Store
from vitrina.web import delivery
from vitrina.web.delivery import (
    BACKOFF_S,
    MAX_ATTEMPTS,
    Clients,
    DeliveryWorker,
    deliver_pass,
    is_public,
    new_client,
    next_attempt_at,
)

REPO = Path(__file__).resolve().parents[3]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1. `answers` is consumed one status per request (then 200);
    `hang` makes it hold each request until `release` is set."""

    url: str
    got: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def verified(self, secret: str) -> list[Any]:
        """Every delivery's payload, each verified as a receiver verifies it."""
        return [Webhook(secret).verify(r.body, r.headers) for r in self.got]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.got.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            state.arrived.set()
            if state.hang:
                state.release.wait(30)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            for k, v in state.headers.items():
                self.send_header(k, v)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "out")
    try:
        yield s
    finally:
        s.close()


def subscribe(store: Store, url: str, events: tuple[str, ...] = ("run.completed",)) -> str:
    secret = new_secret()
    store.add_webhook(url, list(events), secret, by="test", allow_private=True)
    return secret


def complete_run(store: Store, run_id: str = "r1") -> None:
    """A state change that queues a delivery: a run finishes (event run.completed)."""
    store.start_run(run_id, "spring", "brief.yaml", "studio")
    store.finish_run(run_id, {"variants": 3, "passed": 2, "blocked": 1})


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_a_delivery_is_signed_per_standard_webhooks_and_verifies(store: Store, receiver: Receiver):
    secret = subscribe(store, receiver.url)
    complete_run(store)
    result = deliver_pass(store)
    assert (result.attempted, result.delivered) == (1, 1)
    [payload] = receiver.verified(secret)
    assert payload["type"] == "run.completed"
    assert payload["data"]["run_id"] == "r1" and payload["data"]["counts"]["passed"] == 2
    got = receiver.got[0]
    assert got.headers["webhook-id"].startswith("msg_")
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"
    [logged] = store.deliveries()
    assert (logged.status, logged.attempts, logged.last_status) == ("delivered", 1, 200)
    assert logged.delivery_id == got.headers["webhook-id"]
    assert got.body == logged.body.encode()  # the stored body, byte for byte
    with pytest.raises(Exception, match="signature"):  # another secret does not verify
        Webhook(new_secret()).verify(got.body, got.headers)
    assert deliver_pass(store).attempted == 0  # delivered once


def test_an_asset_approval_is_delivered_with_a_thin_payload(store: Store, receiver: Receiver):
    from tests.helpers import render_demo_variant

    secret = subscribe(store, receiver.url, ("asset.approved", "asset.published"))
    _, rendered = render_demo_variant()
    store.start_run("r1", "spring", "brief.yaml", "studio")
    vid = store.add_variant(
        run_id="r1",
        campaign_id="spring",
        sku="S1",
        scene="studio",
        fmt="square",
        locale="en-US",
        blob_sha=store.put_blob(b"banner"),
        verdict="passed",
        reasons=[],
        checks=[],
        lineage=rendered.lineage,
    )
    store.decide(vid, "approved", "dana")
    assert deliver_pass(store).delivered == 1
    [payload] = receiver.verified(secret)
    assert payload["type"] == "asset.approved"
    data = payload["data"]
    assert (data["variant_id"], data["state"], data["version"]) == (vid, "approved", 1)
    assert data["slot"]["sku"] == "S1"
    assert len(receiver.got[0].body) < 1000  # thin: ids and states, no image data


def test_failures_are_retried_with_backoff_under_the_same_webhook_id(store: Store, receiver: Receiver):
    secret = subscribe(store, receiver.url)
    complete_run(store)
    receiver.answers = [500, 503]
    t0 = datetime.now(UTC)
    first = deliver_pass(store, t0)
    assert (first.attempted, first.retrying) == (1, 1)
    [pending] = store.deliveries()
    assert (pending.status, pending.attempts, pending.last_status, pending.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    due = datetime.fromisoformat(pending.next_attempt_at or "")
    assert 27 <= (due - t0).total_seconds() <= 33  # 30 s +-10 % jitter
    assert deliver_pass(store, t0 + timedelta(seconds=20)).attempted == 0  # not due yet
    assert deliver_pass(store, due).retrying == 1
    [pending] = store.deliveries()
    second = datetime.fromisoformat(pending.next_attempt_at or "")
    assert 108 <= (second - due).total_seconds() <= 132  # 2 min +-10 %
    assert deliver_pass(store, second).delivered == 1
    assert len(receiver.got) == 3
    assert len({r.headers["webhook-id"] for r in receiver.got}) == 1  # the receiver's idempotency key
    assert len(receiver.verified(secret)) == 3  # each attempt signed afresh, each verifies
    [done] = store.deliveries()
    assert (done.status, done.attempts) == ("delivered", 3)


def test_after_the_last_attempt_the_delivery_fails_for_good(store: Store, receiver: Receiver):
    subscribe(store, receiver.url)
    complete_run(store)
    receiver.answers = [500] * 10
    at = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        assert deliver_pass(store, at).attempted == 1
        at += timedelta(hours=7)
    [failed] = store.deliveries()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert deliver_pass(store, at + timedelta(days=30)).attempted == 0
    assert len(receiver.got) == MAX_ATTEMPTS == 6


def test_the_backoff_schedule_and_its_jitter():
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    for attempts, wait in enumerate(BACKOFF_S, start=1):
        for rng, factor in ((lambda: 0.0, 0.9), (lambda: 1.0, 1.1), (lambda: 0.5, 1.0)):
            got = datetime.fromisoformat(next_attempt_at(attempts, at, rng=rng) or "")
            assert (got - at).total_seconds() == pytest.approx(wait * factor)
    assert BACKOFF_S == (30, 120, 600, 3600, 21600)
    assert next_attempt_at(len(BACKOFF_S) + 1, at) is None


def test_410_gone_is_not_retried(store: Store, receiver: Receiver):
    subscribe(store, receiver.url)
    complete_run(store)
    receiver.answers = [410]
    result = deliver_pass(store)
    assert (result.failed, result.retrying) == (1, 0)
    [gone] = store.deliveries()
    assert gone.status == "failed" and gone.last_status == 410 and "Gone" in (gone.last_error or "")
    assert store.webhooks()  # the webhook itself stays configured


def test_redirects_are_never_followed(store: Store, receiver: Receiver):
    subscribe(store, receiver.url)
    complete_run(store)
    receiver.answers = [307]
    receiver.headers = {"location": receiver.url.replace("/hook", "/elsewhere")}
    result = deliver_pass(store)
    assert result.retrying == 1
    assert [r.path for r in receiver.got] == ["/hook"]  # /elsewhere never called
    [pending] = store.deliveries()
    assert pending.last_status == 307 and "not followed" in (pending.last_error or "")


def test_a_receiver_that_does_not_answer_times_out_and_is_retried(
    store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(delivery, "READ_TIMEOUT_S", 0.3)
    subscribe(store, receiver.url)
    complete_run(store)
    receiver.hang = True
    started = time.monotonic()
    result = deliver_pass(store)
    assert time.monotonic() - started < 5
    assert result.retrying == 1
    [pending] = store.deliveries()
    assert pending.last_status is None and "timed out" in (pending.last_error or "")


def test_a_refused_connection_is_retried(store: Store):
    subscribe(store, "http://127.0.0.1:9/hook")  # discard port: nothing listens
    complete_run(store)
    assert deliver_pass(store).retrying == 1
    [pending] = store.deliveries()
    assert "ConnectError" in (pending.last_error or "")


def test_the_client_never_uses_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch, receiver: Receiver):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with new_client() as client:
        assert client.post(receiver.url, content=b"{}").status_code == 200


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4 loopback mapped into IPv6
        ("fd00::1", False),
        ("224.0.0.1", False),
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
    ],
)
def test_which_addresses_are_public(address: str, public: bool):
    assert is_public(address) is public


def test_the_public_only_client_refuses_a_name_that_resolves_inside(receiver: Receiver):
    url = receiver.url.replace("127.0.0.1", "localhost")
    with new_client(public_only=True) as client, pytest.raises(httpx.ConnectError, match="loopback or private"):
        client.post(url, content=b"{}")
    assert receiver.got == []
    with new_client() as client:  # the client for webhooks added with --allow-private
        assert client.post(url, content=b"{}").status_code == 200


def test_a_delivery_not_allowed_inside_goes_through_the_public_only_client():
    @dataclass
    class D:
        allow_private: bool

    clients = Clients.open()
    try:
        assert clients.for_delivery(D(False)) is clients.public
        assert clients.for_delivery(D(True)) is clients.any
    finally:
        clients.close()


def _wait(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_the_worker_delivers_in_the_background_and_stops(store: Store, receiver: Receiver):
    secret = subscribe(store, receiver.url)
    worker = DeliveryWorker(store, interval=0.05)
    worker.start()
    try:
        assert worker.running
        complete_run(store, "r1")
        complete_run(store, "r2")
        _wait(lambda: len(receiver.got) == 2)
        _wait(lambda: all(d.status == "delivered" for d in store.deliveries()))
    finally:
        worker.stop()
    assert not worker.running
    assert sorted(p["data"]["run_id"] for p in receiver.verified(secret)) == ["r1", "r2"]


_KILLED_WORKER = """
import sys, time
from pathlib import Path
from pipeline.storage.store import Store
from vitrina.web.delivery import DeliveryWorker
worker = DeliveryWorker(Store.open_existing(Path(sys.argv[1])), interval=0.05)
worker.start()
print("started", flush=True)
time.sleep(60)
"""


def test_a_worker_killed_mid_delivery_loses_nothing(store: Store, receiver: Receiver):
    secret = subscribe(store, receiver.url)
    complete_run(store)
    receiver.hang = True  # the receiver holds the request: the worker is killed while it waits
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WORKER, str(store.root)], env=env, cwd=REPO)
    try:
        assert receiver.arrived.wait(60), "the worker process never delivered"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    [pending] = store.deliveries()
    assert (pending.status, pending.attempts) == ("pending", 0)  # durable: still due
    receiver.hang, receiver.release = False, threading.Event()
    worker = DeliveryWorker(Store.open_existing(store.root), interval=0.05)  # a restart
    worker.start()
    try:
        _wait(lambda: store.deliveries()[0].status == "delivered")
    finally:
        worker.stop()
        worker.store.close()
    first, again = receiver.got
    assert first.headers["webhook-id"] == again.headers["webhook-id"]  # the receiver drops the duplicate
    assert [p["data"]["run_id"] for p in receiver.verified(secret)] == ["r1", "r1"]
    assert json.loads(again.body)["type"] == "run.completed"


def test_the_app_runs_the_worker_while_it_serves(store: Store, receiver: Receiver):
    from fastapi.testclient import TestClient

    from vitrina.web.app import create_app

    secret = subscribe(store, receiver.url)
    app = create_app(store.root, None, secret_key="delivery-test-" + "z" * 40)
    with TestClient(app):
        complete_run(store)
        _wait(lambda: len(receiver.got) == 1)
    [payload] = receiver.verified(secret)
    assert payload["data"]["run_id"] == "r1"
    _wait(lambda: store.deliveries()[0].status == "delivered")
    assert not any(t.name == "vitrina-webhooks" for t in threading.enumerate())  # stopped with the app

"""`vitrina webhooks`: add prints the whsec_ secret once and refuses URLs that are not http(s) or
point inside the network (unless --allow-private); deliver sends what is due to a real receiver
that verifies each delivery with `standardwebhooks`; the log, retry and remove."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from pipeline.storage.store import Store
from tests.vitrina.cli.conftest import Vitrina


class Receiver:
    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        got, receiver = self.got, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vitrina"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def verified(self, secret: str) -> list[Any]:
        return [Webhook(secret).verify(body, headers) for headers, body in self.got]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    Store(tmp_path / "out").close()
    return tmp_path / "out"


def finish_run(out: Path, run_id: str = "r1") -> None:
    store = Store.open_existing(out)
    try:
        store.start_run(run_id, "spring", "brief.yaml", "studio")
        store.finish_run(run_id, {"variants": 2, "passed": 2})
    finally:
        store.close()


def add(vitrina: Vitrina, out: Path, url: str, *extra: str) -> tuple[str, str]:
    """(webhook id, secret) of a webhook added with --json."""
    result = vitrina("webhooks", "add", url, "--events", "run.completed", "--out", out, "--json", *extra)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data["id"], data["secret"]


def test_add_prints_the_secret_once_and_deliver_sends_signed_deliveries(
    vitrina: Vitrina, out: Path, receiver: Receiver
):
    added = vitrina(
        "webhooks", "add", receiver.url, "--events", "run.completed,asset.approved", "--allow-private", "--out", out
    )
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip()
    assert secret.startswith("whsec_") and "\n" not in secret  # stdout: the secret alone
    assert "shown only now" in added.stderr and "wh_" in added.stderr
    listed = vitrina("webhooks", "list", "--out", out)
    assert receiver.url in listed.stdout and "asset.approved,run.completed" in listed.stdout
    assert secret not in listed.stdout and secret not in vitrina("webhooks", "list", "--out", out, "--json").stdout

    finish_run(out)
    sent = vitrina("webhooks", "deliver", "--out", out)
    assert sent.exit_code == 0 and "1 due: 1 delivered" in sent.stdout, sent.output
    [payload] = receiver.verified(secret)
    assert payload["type"] == "run.completed" and payload["data"]["run_id"] == "r1"
    again = vitrina("webhooks", "deliver", "--out", out)
    assert "0 due" in again.stdout and len(receiver.got) == 1

    log = vitrina("webhooks", "deliveries", "--out", out)
    assert "run.completed" in log.stdout and "delivered" in log.stdout and "HTTP 200" in log.stdout
    [entry] = json.loads(vitrina("webhooks", "deliveries", "--out", out, "--json").stdout)
    assert entry["delivery_id"] == receiver.got[0][0]["webhook-id"]
    assert (entry["status"], entry["attempts"], entry["last_status"]) == ("delivered", 1, 200)
    assert "secret" not in entry


def test_a_delivery_given_up_exits_1_and_retry_queues_it_again(vitrina: Vitrina, out: Path, receiver: Receiver):
    _, secret = add(vitrina, out, receiver.url, "--allow-private")
    finish_run(out)
    receiver.status = 410
    gone = vitrina("webhooks", "deliver", "--out", out)
    assert gone.exit_code == 1 and "1 failed for good" in gone.stdout
    [entry] = json.loads(vitrina("webhooks", "deliveries", "--out", out, "--json").stdout)
    assert entry["status"] == "failed" and "410" in entry["last_error"]
    assert "gave up" in vitrina("webhooks", "deliveries", "--out", out).stdout
    receiver.status = 204
    assert vitrina("webhooks", "retry", entry["delivery_id"], "--out", out).exit_code == 0
    assert "1 delivered" in vitrina("webhooks", "deliver", "--out", out).stdout
    first, second = receiver.got
    assert first[0]["webhook-id"] == second[0]["webhook-id"] == entry["delivery_id"]
    assert len(receiver.verified(secret)) == 2
    bad = vitrina("webhooks", "retry", entry["delivery_id"], "--out", out)  # delivered: nothing to retry
    assert bad.exit_code == 2 and "no failed webhook delivery" in bad.stderr


def test_remove_stops_deliveries_and_keeps_the_log(vitrina: Vitrina, out: Path, receiver: Receiver):
    hook, _ = add(vitrina, out, receiver.url, "--allow-private")
    finish_run(out, "r1")
    removed = vitrina("webhooks", "remove", hook, "--out", out, "--by", "ops")
    assert removed.exit_code == 0 and hook in removed.stdout
    finish_run(out, "r2")  # nothing queued for a removed webhook
    assert "0 due" in vitrina("webhooks", "deliver", "--out", out).stdout
    assert receiver.got == []
    [entry] = json.loads(vitrina("webhooks", "deliveries", "--out", out, "--json").stdout)
    assert entry["status"] == "failed" and "removed" in entry["last_error"]
    assert hook not in vitrina("webhooks", "list", "--out", out).stdout
    assert "(removed)" in vitrina("webhooks", "list", "--out", out, "--all").stdout
    again = vitrina("webhooks", "remove", hook, "--out", out)
    assert again.exit_code == 2 and "no active webhook" in again.stderr


@pytest.mark.parametrize(
    ("url", "extra", "needle"),
    [
        ("ftp://dam.example.com/in", (), "http:// or https://"),
        ("file:///etc/passwd", (), "http:// or https://"),
        ("javascript:alert(1)", (), "http:// or https://"),
        ("https://user:pw@dam.example.com/hook", (), "credentials"),
        ("http://127.0.0.1:8080/hook", (), "--allow-private"),
        ("http://localhost/hook", (), "--allow-private"),
        ("http://169.254.169.254/latest/meta-data", (), "--allow-private"),
        ("http://[::1]/hook", (), "--allow-private"),
        ("http://10.0.0.7/hook", (), "--allow-private"),
        ("https://dam.example.com/hook", ("--events", "asset.deleted"), "unknown webhook event"),
        ("https://dam.example.com/hook", ("--events", ","), "--events"),
    ],
)
def test_bad_urls_and_events_are_refused_with_one_line(
    vitrina: Vitrina, out: Path, url: str, extra: tuple[str, ...], needle: str
):
    result = vitrina("webhooks", "add", url, "--out", out, *extra)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == "" and "whsec_" not in result.output
    assert vitrina("webhooks", "list", "--out", out, "--json").stdout.strip() == "[]"


def test_a_name_that_resolves_inside_the_network_needs_allow_private(
    vitrina: Vitrina, out: Path, monkeypatch: pytest.MonkeyPatch
):
    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        address = {"dam.example.com": "10.0.0.5", "public.example.com": "93.184.215.14"}.get(host)
        if address is None:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    inside = vitrina("webhooks", "add", "https://dam.example.com/hook", "--out", out)
    assert inside.exit_code == 2 and "resolves to 10.0.0.5" in inside.stderr
    unknown = vitrina("webhooks", "add", "https://nowhere.example.com/hook", "--out", out)
    assert unknown.exit_code == 2 and "cannot resolve" in unknown.stderr
    assert vitrina("webhooks", "add", "https://public.example.com/hook", "--out", out).exit_code == 0
    assert vitrina("webhooks", "add", "https://dam.example.com/hook", "--allow-private", "--out", out).exit_code == 0
    assert len(json.loads(vitrina("webhooks", "list", "--out", out, "--json").stdout)) == 2

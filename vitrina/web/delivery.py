"""Webhook deliveries: Standard Webhooks signatures, retries with backoff, from the store's outbox.

The store writes one delivery row (`pipeline.storage.outbox`) per subscribed webhook in the same
transaction as the state change it announces (approved, published, retracted, run completed), so
a crash between the change and its delivery loses nothing: whatever is still pending is sent by
the next pass, whichever process makes it (`DeliveryWorker` in `vitrina serve`, or
`vitrina webhooks deliver` from cron).

Each attempt is one POST of the row's thin JSON payload (the exact bytes the store keeps) with
the three Standard Webhooks headers:

- ``webhook-id``: the delivery's id (``msg_...``), the same on every retry: the receiver's
  idempotency key (a delivery may arrive twice: a process killed after the receiver answered
  but before the answer was recorded sends it again on restart);
- ``webhook-timestamp``: Unix seconds of this attempt (receivers refuse ones older than 5 min);
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>``, made
  with the `standardwebhooks` package and the webhook's ``whsec_`` secret.

Outcome of an attempt:

- a 2xx answer: delivered;
- 410 Gone: the receiver says the endpoint is gone for good: this delivery fails at once, no
  retries (the webhook itself stays configured: a proxy answering 410 by mistake must not remove
  it silently; the delivery log says to remove it with `vitrina webhooks remove ID`);
- anything else (other status codes, 3xx included: redirects are never followed; a timeout after
  3 s to connect or 10 s to answer; a refused connection): retried after `BACKOFF_S` (30 s, 2 min,
  10 min, 1 h, 6 h, each +-10 % jitter so many receivers coming back at once are not hit
  together), and after the sixth attempt failed for good (status "failed", kept in the log;
  `vitrina webhooks retry MSG_ID` queues it again).

No proxy settings or credentials are taken from the environment. A webhook whose store record
says it may not reach private addresses (``allow_private`` false) is sent through a client that
resolves the host itself and connects only to global addresses (`_PublicOnly`), so a name
re-pointed at 127.0.0.1 or 169.254.169.254 after `webhooks add` checked it reaches nothing.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpcore
import httpx
from standardwebhooks import Webhook

__all__ = [
    "BACKOFF_S",
    "MAX_ATTEMPTS",
    "CONNECT_TIMEOUT_S",
    "READ_TIMEOUT_S",
    "DeliveryWorker",
    "Outcome",
    "PassResult",
    "Clients",
    "deliver_due",
    "deliver_pass",
    "is_public",
    "new_client",
    "next_attempt_at",
    "signed_headers",
    "timestamp",
]

#: Seconds to wait after the 1st, 2nd, ... failed attempt; after the last one, no retry.
BACKOFF_S: tuple[float, ...] = (30, 120, 600, 3600, 6 * 3600)
#: Attempts in all: the first and one per entry of `BACKOFF_S`.
MAX_ATTEMPTS = len(BACKOFF_S) + 1
#: Each wait is stretched or shrunk by up to this fraction, at random.
JITTER = 0.1
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
#: Deliveries sent at once in one pass (a receiver that times out does not hold up the others).
PARALLEL = 4
#: Longest error text kept in the delivery log.
MAX_ERROR_CHARS = 300
USER_AGENT = "Vitrina-Webhooks/1"

log = logging.getLogger("vitrina.webhooks")


class DeliveryLike(Protocol):
    """What a pass reads of a pending delivery (`pipeline.storage.outbox.Delivery`)."""

    @property
    def delivery_id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def secret(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def allow_private(self) -> bool: ...


class OutboxStore(Protocol):
    """The store's outbox methods a pass uses (`pipeline.storage.store.Store`)."""

    def due_deliveries(self, now_at: str | None = None, limit: int = 50) -> Sequence[Any]: ...

    def record_attempt(
        self,
        delivery_id: str,
        *,
        ok: bool,
        status: int | None,
        error: str | None,
        next_attempt_at: str | None,
    ) -> Any: ...


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: `ok` (a 2xx), the HTTP status when there was an answer, an error
    line when not ok, and when to try again (None: delivered, or given up)."""

    ok: bool
    status: int | None
    error: str | None
    next_attempt_at: str | None


@dataclass(frozen=True)
class PassResult:
    """One pass over the due deliveries: how many were attempted and what became of them."""

    attempted: int
    delivered: int
    retrying: int
    failed: int


def timestamp(at: datetime) -> str:
    """A time as the outbox keeps it: ISO 8601, UTC, microseconds (`pipeline.storage.audit.stamp`)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def signed_headers(secret: str, msg_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for `body` sent at `at`, signed with the ``whsec_`` secret."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def next_attempt_at(
    attempts: int, at: datetime, backoff: Sequence[float] = BACKOFF_S, rng: Callable[[], float] = random.random
) -> str | None:
    """When to try again after `attempts` failed attempts (the last one at `at`): `backoff`'s
    entry for it with +-`JITTER`, or None when that was the last attempt allowed."""
    if attempts < 1 or attempts > len(backoff):
        return None
    wait = backoff[attempts - 1] * (1 - JITTER + 2 * JITTER * rng())
    return timestamp(at + timedelta(seconds=wait))


def is_public(address: str) -> bool:
    """Whether an IP address is a global one (not loopback, private, link-local, reserved, ...);
    an IPv4 address mapped into IPv6 is judged as the IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _PublicOnly(httpcore.SyncBackend):
    """Connects only to global addresses: the host is resolved here and every address it
    resolves to is checked before connecting to the first one, so a name that points (or is
    re-pointed, DNS rebinding) at a loopback or private address reaches nothing inside."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if not is_public(address):
                raise httpcore.ConnectError(
                    f"{host} resolves to {address}, a loopback or private address; refused "
                    "(add the webhook with --allow-private to deliver inside the network)"
                )
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def new_client(*, public_only: bool = False) -> httpx.Client:
    """The HTTP client deliveries are sent with: 3 s to connect, 10 s to answer, no redirects
    followed, no proxy or credentials from the environment (a webhook goes where it says).
    `public_only`: connect to global addresses only (`_PublicOnly`)."""
    timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S, pool=CONNECT_TIMEOUT_S)
    transport = httpx.HTTPTransport(retries=0)
    if public_only:
        pool = getattr(transport, "_pool", None)
        if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
            raise RuntimeError("httpx/httpcore changed: cannot restrict webhook deliveries to public addresses")
        pool._network_backend = _PublicOnly()
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)


def _line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def _attempt(client: httpx.Client, delivery: DeliveryLike) -> tuple[bool, int | None, str | None, bool]:
    """(ok, status, error, retry) of one POST, signed now; never raises for what the network or
    the receiver does. `retry`: whether trying again later may help."""
    body = delivery.body.encode("utf-8")
    try:
        headers = signed_headers(delivery.secret, delivery.delivery_id, body, datetime.now(UTC))
    except Exception as exc:  # a damaged secret in the catalog: trying again will not help
        return False, None, _line(f"cannot sign: bad webhook secret ({type(exc).__name__})"), False
    try:
        # streamed and closed unread: a receiver's (perhaps huge) answer body is never downloaded
        with client.stream("POST", delivery.url, content=body, headers=headers) as response:
            status = response.status_code
            location = response.headers.get("location", "")
    except httpx.TimeoutException as exc:
        return False, None, _line(f"timed out ({type(exc).__name__})"), True
    except httpx.HTTPError as exc:
        return False, None, _line(f"{type(exc).__name__}: {exc}"), True
    if 200 <= status < 300:
        return True, status, None, False
    if 300 <= status < 400:
        return False, status, _line(f"HTTP {status}: redirect to {location!r} not followed; give the final URL"), True
    if status == 410:
        gone = "HTTP 410 Gone: the receiver says this endpoint is gone; not retried (vitrina webhooks remove ID)"
        return False, status, gone, False
    return False, status, f"HTTP {status}", True


@dataclass
class Clients:
    """The two HTTP clients of a pass: to public addresses only, and to any (for webhooks added
    with --allow-private)."""

    public: httpx.Client
    any: httpx.Client

    @classmethod
    def open(cls) -> Clients:
        return cls(new_client(public_only=True), new_client())

    def for_delivery(self, delivery: DeliveryLike) -> httpx.Client:
        # A store that does not say whether the webhook may reach private addresses: the URL
        # was checked when the webhook was added (`vitrina webhooks add`).
        return self.any if delivery.allow_private else self.public

    def close(self) -> None:
        self.public.close()
        self.any.close()


def deliver_one(
    store: OutboxStore,
    client: httpx.Client,
    delivery: DeliveryLike,
    now: datetime,
    backoff: Sequence[float] = BACKOFF_S,
) -> Outcome:
    """Attempt one delivery and record the attempt in the store: delivered, or pending again
    after the backoff counted from `now`, or failed for good."""
    ok, status, error, retry = _attempt(client, delivery)
    again = next_attempt_at(delivery.attempts + 1, now, backoff) if retry else None
    store.record_attempt(delivery.delivery_id, ok=ok, status=status, error=error, next_attempt_at=again)
    if ok:
        log.info("webhook %s delivered to %s (HTTP %s)", delivery.delivery_id, delivery.url, status)
    else:
        then = f"next try at {again}" if again else "gave up"
        log.warning("webhook %s to %s: %s; %s", delivery.delivery_id, delivery.url, error, then)
    return Outcome(ok, status, error, again)


def deliver_pass(
    store: OutboxStore,
    now: datetime | None = None,
    *,
    clients: Clients | None = None,
    limit: int = 50,
    backoff: Sequence[float] = BACKOFF_S,
) -> PassResult:
    """One pass: every delivery due at `now` (default: the current time; a later one makes
    retries due early, for tests), up to `limit`, sent `PARALLEL` at a time, each attempt
    recorded as it ends. Signatures always carry the current time."""
    at = now or datetime.now(UTC)
    due = list(store.due_deliveries(timestamp(at), limit))
    if not due:
        return PassResult(0, 0, 0, 0)
    http = clients or Clients.open()
    try:
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(due)), thread_name_prefix="vitrina-webhook") as pool:
            outcomes = list(pool.map(lambda d: deliver_one(store, http.for_delivery(d), d, at, backoff), due))
    finally:
        if clients is None:
            http.close()
    delivered = sum(o.ok for o in outcomes)
    retrying = sum(o.next_attempt_at is not None for o in outcomes)
    return PassResult(len(outcomes), delivered, retrying, len(outcomes) - delivered - retrying)


def deliver_due(store: OutboxStore, now: datetime | None = None) -> int:
    """One pass (`deliver_pass`); returns how many deliveries were attempted."""
    return deliver_pass(store, now).attempted


class DeliveryWorker:
    """Delivers webhooks in the background: a daemon thread that makes a pass every `interval`
    seconds until `stop`. Nothing is kept in memory between passes: the outbox in the store is
    the queue, so a worker started after a crash sends whatever the last one left pending."""

    def __init__(
        self,
        store: OutboxStore,
        *,
        interval: float = 1.0,
        backoff: Sequence[float] = BACKOFF_S,
    ) -> None:
        self.store = store
        self.interval = interval
        self.backoff = tuple(backoff)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; a second call while it runs does nothing)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="vitrina-webhooks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = READ_TIMEOUT_S + CONNECT_TIMEOUT_S + 2) -> None:
        """Ask the thread to end and wait for it (up to `timeout` s: an attempt in flight is
        finished first; one that is still running then is sent again by the next worker)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        clients = Clients.open()
        try:
            while not self._stop.is_set():
                try:
                    deliver_pass(self.store, clients=clients, backoff=self.backoff)
                except Exception:  # a database hiccup must not end deliveries for good
                    log.exception("webhook delivery pass failed; trying again")
                self._stop.wait(self.interval)
        finally:
            clients.close()

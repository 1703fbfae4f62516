"""Webhooks and their durable outbox.

A change that a webhook subscribes to (`EVENTS`) writes one delivery row per subscribed webhook in
the same transaction as the change itself (`enqueue`, called by `pipeline.storage.lifecycle`
and `Store.finish_run`): a crash after the commit loses no delivery, a rollback sends none. The
sending (HTTP, signatures, back-off) is not here: `vitrina.web.delivery` reads `due_deliveries`
and reports each try with `record_attempt`.

A delivery's id (``msg_...``) is the Standard Webhooks ``webhook-id``: the same on every retry, so
a receiver can drop duplicates. Its payload is thin (ids and states, no image data): the receiver
fetches what it needs from the feed.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import InputError, ReviewError, shown
from pipeline.storage.audit import now, review_text, stamp
from pipeline.storage.base import CatalogBase
from pipeline.storage.database import Tx

__all__ = [
    "EVENTS",
    "Delivery",
    "WebhookRecord",
    "OutboxMixin",
    "enqueue",
    "new_secret",
    "check_webhook_url",
]

EVENTS = ("asset.approved", "asset.published", "asset.retracted", "run.completed")
STATUSES = ("pending", "delivered", "failed")
_MAX_URL = 2000


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def check_webhook_url(url: str, *, allow_private: bool = False) -> str:
    """`url` when it is an http(s) URL a webhook may call; InputError naming the problem otherwise.
    A literal loopback, private, link-local or reserved address (e.g. 169.254.169.254, the cloud
    metadata service) is refused unless `allow_private`: a webhook must not become a way to reach
    inside the network Vitrina runs in. Host names are resolved by the sender, not here."""
    if not isinstance(url, str) or len(url) > _MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise InputError(f"webhook URL {shown(str(url))}: not one line of at most {_MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"webhook URL {shown(url)}: must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise InputError(
            f"webhook URL {shown(url)}: credentials in the URL are not allowed (the signature authenticates)"
        )
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        private = host == "localhost" or host.endswith(".localhost")
    else:
        private = not address.is_global
    if private and not allow_private:
        raise InputError(
            f"webhook URL {shown(url)}: {host} is a loopback or private address; pass --allow-private if you mean it"
        )
    return url


@dataclass(frozen=True)
class WebhookRecord:
    webhook_id: str
    url: str
    events: list[str]
    created_at: str
    created_by: str
    active: bool
    allow_private: bool  # the sender may connect to a loopback or private address


@dataclass(frozen=True)
class Delivery:
    delivery_id: str  # the webhook-id header
    webhook_id: str
    url: str
    secret: str
    event: str
    payload: dict[str, Any]
    body: str  # the exact bytes to send (and sign), as text
    created_at: str
    attempts: int
    next_attempt_at: str | None
    status: str
    last_status: int | None
    last_error: str | None
    delivered_at: str | None
    allow_private: bool  # its webhook's: whether the sender may connect to a private address


def enqueue(db: Tx, event: str, data: dict[str, Any]) -> int:
    """Queue `event` for every active webhook subscribed to it, inside the caller's transaction.
    Returns how many deliveries were queued."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = db.rows("SELECT webhook_id, events FROM webhooks WHERE removed_at IS NULL")
    at = stamp()
    queued = 0
    for hook in hooks:
        if event not in json.loads(hook["events"]):
            continue
        delivery_id = "msg_" + secrets.token_hex(12)
        payload = {"type": event, "timestamp": at, "data": data}
        db.run(
            "INSERT INTO webhook_deliveries(delivery_id, webhook_id, event, payload, created_at, attempts,"
            " next_attempt_at, status) VALUES (:id, :hook, :event, :payload, :at, 0, :at, 'pending')",
            id=delivery_id,
            hook=hook["webhook_id"],
            event=event,
            payload=json.dumps(payload, sort_keys=True, separators=(",", ":")),
            at=at,
        )
        queued += 1
    return queued


_DELIVERY_SQL = (
    "SELECT d.*, w.url, w.secret, w.allow_private FROM webhook_deliveries d"
    " JOIN webhooks w ON w.webhook_id = d.webhook_id"
)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        delivery_id=row["delivery_id"],
        webhook_id=row["webhook_id"],
        url=row["url"],
        secret=row["secret"],
        event=row["event"],
        payload=json.loads(row["payload"]),
        body=row["payload"],
        created_at=row["created_at"],
        attempts=int(row["attempts"]),
        next_attempt_at=row["next_attempt_at"],
        status=row["status"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        delivered_at=row["delivered_at"],
        allow_private=bool(row["allow_private"]),
    )


def _webhook(row: Any) -> WebhookRecord:
    return WebhookRecord(
        row["webhook_id"],
        row["url"],
        json.loads(row["events"]),
        row["created_at"],
        row["created_by"],
        row["removed_at"] is None,
        bool(row["allow_private"]),
    )


def check_events(events: list[str]) -> list[str]:
    if not events:
        raise InputError(f"no webhook events given; choose from {', '.join(EVENTS)}")
    for event in events:
        if event not in EVENTS:
            raise InputError(f"unknown webhook event {shown(event)}; known: {', '.join(EVENTS)}")
    return sorted(set(events), key=EVENTS.index)


class OutboxMixin(CatalogBase):
    def add_webhook(
        self, url: str, events: list[str], secret: str, *, by: str, allow_private: bool = False
    ) -> WebhookRecord:
        """Subscribe `url` to `events`; deliveries are signed with `secret` (`new_secret`)."""
        check_webhook_url(url, allow_private=allow_private)
        chosen = check_events(events)
        review_text(by, "name")
        if not secret.startswith("whsec_"):
            raise InputError("a webhook secret starts with whsec_")
        webhook_id = "wh_" + secrets.token_hex(8)
        with self._tx() as db:
            db.run(
                "INSERT INTO webhooks(webhook_id, url, events, secret, allow_private, created_at, created_by)"
                " VALUES (:id, :url, :events, :secret, :private, :at, :by)",
                id=webhook_id,
                url=url,
                events=json.dumps(chosen),
                secret=secret,
                private=int(allow_private),
                at=now(),
                by=by,
            )
        return self.webhook(webhook_id)

    def webhook(self, webhook_id: str) -> WebhookRecord:
        with self._read() as db:
            row = db.row("SELECT * FROM webhooks WHERE webhook_id=:id", id=webhook_id)
        if row is None:
            raise ReviewError(f"no webhook {shown(webhook_id)} in {self.catalog}")
        return _webhook(row)

    def webhooks(self, *, include_removed: bool = False) -> list[WebhookRecord]:
        sql = "SELECT * FROM webhooks" + ("" if include_removed else " WHERE removed_at IS NULL")
        with self._read() as db:
            return [_webhook(r) for r in db.rows(sql + " ORDER BY created_at, webhook_id")]

    def remove_webhook(self, webhook_id: str, *, by: str) -> WebhookRecord:
        """Stop sending to a webhook: nothing new is queued for it and its pending deliveries are
        marked failed (reason: removed). Its delivery log stays."""
        review_text(by, "name")
        with self._tx() as db:
            row = db.row("SELECT * FROM webhooks WHERE webhook_id=:id AND removed_at IS NULL", id=webhook_id)
            if row is None:
                raise ReviewError(f"no active webhook {shown(webhook_id)} in {self.catalog}")
            db.run("UPDATE webhooks SET removed_at=:at WHERE webhook_id=:id", at=now(), id=webhook_id)
            db.run(
                "UPDATE webhook_deliveries SET status='failed', last_error=:why, next_attempt_at=NULL"
                " WHERE webhook_id=:id AND status='pending'",
                why=f"webhook removed by {by}",
                id=webhook_id,
            )
        return self.webhook(webhook_id)

    def due_deliveries(self, now_at: str | None = None, limit: int = 50) -> list[Delivery]:
        """Pending deliveries whose next try is due at `now_at` (default: now), oldest first."""
        with self._read() as db:
            rows = db.rows(
                _DELIVERY_SQL + " WHERE d.status='pending' AND d.next_attempt_at <= :now"
                " ORDER BY d.next_attempt_at, d.created_at, d.delivery_id LIMIT :limit",
                now=now_at or stamp(),
                limit=limit,
            )
        return [_delivery(r) for r in rows]

    def record_attempt(
        self,
        delivery_id: str,
        *,
        ok: bool,
        status: int | None,
        error: str | None,
        next_attempt_at: str | None,
    ) -> Delivery:
        """Record one try: delivered when `ok`; else pending again at `next_attempt_at`, or failed
        (given up) when that is None. A delivery no longer pending is left as it is."""
        with self._tx() as db:
            db.run(
                "UPDATE webhook_deliveries SET attempts=attempts + 1, last_status=:status, last_error=:error,"
                " status=:new, next_attempt_at=:next, delivered_at=:delivered"
                " WHERE delivery_id=:id AND status='pending'",
                status=status,
                error=(error or "")[:500] or None,
                new="delivered" if ok else ("pending" if next_attempt_at else "failed"),
                next=None if ok else next_attempt_at,
                delivered=stamp() if ok else None,
                id=delivery_id,
            )
            row = db.row(_DELIVERY_SQL + " WHERE d.delivery_id=:id", id=delivery_id)
        if row is None:
            raise ReviewError(f"no webhook delivery {shown(delivery_id)} in {self.catalog}")
        return _delivery(row)

    def deliveries(self, limit: int = 100, webhook_id: str | None = None) -> list[Delivery]:
        """The delivery log, newest first."""
        sql = _DELIVERY_SQL + (" WHERE d.webhook_id=:hook" if webhook_id else "")
        with self._read() as db:
            rows = db.rows(
                sql + " ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT :limit", hook=webhook_id, limit=limit
            )
        return [_delivery(r) for r in rows]

    def retry_delivery(self, delivery_id: str) -> None:
        """Queue a failed delivery again, due now (same id: a receiver that got it drops it)."""
        with self._tx() as db:
            done = db.run(
                "UPDATE webhook_deliveries SET status='pending', next_attempt_at=:at WHERE delivery_id=:id"
                " AND status='failed'",
                at=stamp(),
                id=delivery_id,
            )
        if not done:
            raise ReviewError(f"no failed webhook delivery {shown(delivery_id)} in {self.catalog}")

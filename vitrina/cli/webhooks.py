"""`vitrina webhooks`: tell receivers when an asset is approved, published or retracted and when
a run completes, with signed deliveries (Standard Webhooks; docs/feed-and-webhooks.md).

`add` prints the webhook's ``whsec_`` signing secret once. `deliver` makes one pass over the
deliveries that are due (for cron, when no `vitrina serve` delivers them); `deliveries` is the
log. Exit codes: 0 done; 1 `deliver` gave up on a delivery in this pass; 2 bad input (a URL
that is not http(s) or points inside the network without --allow-private, an unknown event, an
unknown webhook), one line, nothing changed.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape

from pipeline.errors import InputError, ReviewError
from pipeline.storage.outbox import EVENTS, check_events, check_webhook_url, new_secret
from vitrina.cli.console import err, fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store, store_session
from vitrina.cli.tokens import ByOpt, local_user

__all__ = ["webhooks_app", "check_url"]

webhooks_app = typer.Typer(
    no_args_is_help=True,
    help="Webhooks: signed notices of approvals, publications, retractions and finished runs.",
)


def check_url(url: str, *, allow_private: bool) -> str:
    """`url` when a webhook may call it; InputError (one line) otherwise: not http(s), or its host
    is (or resolves to) a loopback, private, link-local or reserved address without
    `allow_private` (a webhook must not be a way into the network Vitrina runs in)."""
    from vitrina.web.delivery import is_public

    check_webhook_url(url, allow_private=allow_private)
    if allow_private:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise InputError(f"webhook URL {url}: cannot resolve {host} ({exc}); check the URL") from None
    for info in infos:
        address = str(info[4][0])
        if not is_public(address):
            raise InputError(
                f"webhook URL {url}: {host} resolves to {address}, a loopback or private address; "
                "pass --allow-private if you mean it"
            )
    return url


def _events(text: str) -> list[str]:
    events = [e.strip() for e in text.split(",") if e.strip()]
    if not events:
        raise InputError(f"--events: name at least one of {', '.join(EVENTS)}")
    return events


@webhooks_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="where to POST: an http:// or https:// URL")],
    events: Annotated[str, typer.Option("--events", help=f"comma-separated, from: {', '.join(EVENTS)}")] = ",".join(
        EVENTS
    ),
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="allow a loopback or private address (a receiver inside your network)"),
    ] = False,
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    by: ByOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print id, url, events, secret as JSON")] = False,
) -> None:
    """Subscribe a URL; prints its whsec_ signing secret once (stdout, alone)."""
    try:
        chosen = check_events(_events(events))
        check_url(url, allow_private=allow_private)
    except InputError as exc:
        fail(str(exc), 2)
    store = open_store(out, db)
    secret = new_secret()
    try:
        hook = store.add_webhook(url, chosen, secret, by=by or local_user(), allow_private=allow_private)
    except (InputError, ReviewError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    if as_json:
        print(json.dumps({"id": hook.webhook_id, "url": hook.url, "events": hook.events, "secret": secret}))
        return
    err.print(
        escape(
            f"Webhook {hook.webhook_id} -> {hook.url} for {', '.join(hook.events)}. Its signing secret is "
            "shown only now: the receiver verifies each delivery with it (Standard Webhooks)."
        ),
        highlight=False,
    )
    print(secret)


@webhooks_app.command("list")
def list_webhooks(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    include_removed: Annotated[bool, typer.Option("--all", help="also the removed ones")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON list on stdout")] = False,
) -> None:
    """Every webhook: id, URL, events, when made and by whom (never the secret)."""
    store = open_store(out, db)
    try:
        hooks = store.webhooks(include_removed=include_removed)
    finally:
        store.close()
    if as_json:
        print(json.dumps([asdict(h) for h in hooks], ensure_ascii=False))
        return
    if not hooks:
        out_console.print("no webhooks (vitrina webhooks add URL --events ... --out DIR)", highlight=False)
        return
    for h in hooks:
        state = "" if h.active else "  (removed)"
        line = f"{h.webhook_id}  {h.url}  {','.join(h.events)}  created {h.created_at} by {h.created_by}{state}"
        out_console.print(escape(line), highlight=False)


@webhooks_app.command("remove")
def remove(
    webhook_id: Annotated[str, typer.Argument(metavar="ID", help="the webhook's id (wh_...)")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    by: ByOpt = None,
) -> None:
    """Stop sending to a webhook; its pending deliveries are marked failed, its log stays."""
    with store_session(out, db) as store:
        store.remove_webhook(webhook_id, by=by or local_user())
    out_console.print(escape(f"webhook {webhook_id} removed"), highlight=False)


def _entry(d: Any) -> dict[str, Any]:
    keep = ("delivery_id", "webhook_id", "url", "event", "status", "attempts", "created_at", "next_attempt_at")
    more = ("last_status", "last_error", "delivered_at")
    data = asdict(d)
    return {k: data[k] for k in (*keep, *more)} | {"payload": data["payload"]}


@webhooks_app.command("deliveries")
def deliveries(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    webhook_id: Annotated[str | None, typer.Option("--webhook", help="only this webhook's (wh_...)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="how many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON list on stdout")] = False,
) -> None:
    """The delivery log, newest first: event, status, attempts, the receiver's last answer."""
    store = open_store(out, db)
    try:
        rows = [_entry(d) for d in store.deliveries(limit=limit, webhook_id=webhook_id)]
    finally:
        store.close()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        out_console.print("no deliveries", highlight=False)
        return
    for r in rows:
        if r["status"] == "delivered":
            detail = f"delivered {r['delivered_at']} (HTTP {r['last_status']})"
        elif r["status"] == "pending":
            detail = f"next try {r['next_attempt_at']}" + (f"; last: {r['last_error']}" if r["last_error"] else "")
        else:
            detail = f"gave up: {r['last_error']}"
        line = (
            f"{r['delivery_id']}  {r['created_at']}  {r['event']:<16} {r['status']:<9} "
            f"{r['attempts']} attempt(s)  {r['webhook_id']}  {detail}"
        )
        out_console.print(escape(line), highlight=False)


@webhooks_app.command("deliver")
def deliver(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="at most this many deliveries")] = 200,
) -> None:
    """Send the deliveries that are due, once (for cron when no `vitrina serve` delivers)."""
    from vitrina.web.delivery import deliver_pass

    store = open_store(out, db)
    try:
        result = deliver_pass(store, limit=limit)
    finally:
        store.close()
    out_console.print(
        f"{result.attempted} due: {result.delivered} delivered, {result.retrying} to retry later, "
        f"{result.failed} failed for good",
        highlight=False,
    )
    raise typer.Exit(1 if result.failed else 0)


@webhooks_app.command("retry")
def retry(
    delivery_id: Annotated[str, typer.Argument(metavar="MSG_ID", help="a failed delivery's id (msg_...)")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
) -> None:
    """Queue a failed delivery again, due now (same webhook-id: a receiver that had it drops it)."""
    with store_session(out, db) as store:
        store.retry_delivery(delivery_id)
    out_console.print(escape(f"delivery {delivery_id} queued again"), highlight=False)

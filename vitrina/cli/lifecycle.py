"""`vitrina history` and `vitrina rollback`: the versions of a slot, and making an earlier one current.

A slot is written campaign/sku/scene/format/locale (as in `vitrina history`'s header). Exit codes:
0 done; 2 bad input (an unknown variant, slot or version, a version that is not approved, a bad
name or reason), one line, nothing changed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from pipeline.errors import InputError, ReviewError
from pipeline.storage.records import Slot, VariantRecord
from pipeline.storage.store import Store
from vitrina.cli.console import fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store

__all__ = ["history", "rollback"]


def _slot(text: str) -> Slot:
    try:
        return Slot.parse(text)
    except InputError as exc:
        fail(str(exc), 2)


def _entry(a: dict[str, Any]) -> dict[str, Any]:
    details = json.loads(a["details"]) if a["details"] else None
    return {k: a[k] for k in ("seq", "at", "action", "actor", "reason")} | {"details": details}


def _version(store: Store, v: VariantRecord) -> dict[str, Any]:
    return {
        "version": v.version,
        "id": v.variant_id,
        "state": v.state,
        "verdict": v.verdict,
        "review": v.review,
        "created": v.created_at,
        "current": v.current,
        "audit": [_entry(a) for a in store.audit(v.variant_id)],
    }


def history(
    which: Annotated[str, typer.Argument(metavar="ID|SLOT", help="a variant id, or campaign/sku/scene/format/locale")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
) -> None:
    """Every version of a slot: number, variant id, state, verdict, when, which is current, audit trail."""
    store = open_store(out, db)
    try:
        slot = _slot(which) if "/" in which else store.variant(which).slot
        rows = [_version(store, v) for v in store.versions(slot)]
    except (ReviewError, InputError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    current = next((r["version"] for r in rows if r["current"]), None)
    if as_json:
        print(json.dumps({"slot": str(slot), "current": current, "versions": rows}, ensure_ascii=False))
        return
    c = out_console
    now = f"version {current}" if current is not None else "none"
    c.print(escape(f"{slot}: {len(rows)} version(s), current: {now}"), highlight=False)
    for r in rows:
        mark = "*" if r["current"] else " "
        line = f"{mark} {r['version']:>3}  {r['id']}  {r['state']:<12} {r['verdict']:<12} {r['created']}"
        c.print(escape(line + ("  (current)" if r["current"] else "")), highlight=False)
        for a in r["audit"]:
            text = f"        {a['at']}  {a['action']} by {a['actor']}" + (f": {a['reason']}" if a["reason"] else "")
            c.print(escape(text), highlight=False)


def rollback(
    slot_text: Annotated[str, typer.Argument(metavar="SLOT", help="campaign/sku/scene/format/locale")],
    to: Annotated[int, typer.Option("--to", help="the version to make current (see `vitrina history`)")],
    by: Annotated[str, typer.Option("--by", help="your name, one line (recorded in the audit log)")] = "",
    reason: Annotated[str, typer.Option("--reason", help="why, one line (recorded in the audit log)")] = "",
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
) -> None:
    """Make an earlier approved version of a slot current; the next publish pushes it and retracts the newer one."""
    slot = _slot(slot_text)
    store = open_store(out, db)
    try:
        before = next((v for v in store.versions(slot) if v.current), None)
        now = store.rollback(slot, to, by, reason)
        live = before is not None and store.is_published(before.variant_id)
    except (ReviewError, InputError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    was = f" instead of version {before.version} ({before.variant_id})" if before is not None else ""
    out_console.print(escape(f"{slot}: version {now.version} ({now.variant_id}) is current{was}"), highlight=False)
    if live and before is not None:
        note = f"the next publish retracts version {before.version} and publishes version {now.version}"
        out_console.print(escape(note), highlight=False)

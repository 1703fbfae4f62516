"""A variant's lifecycle: the versions of a slot, the one state machine, and what must leave a DAM.

Versions. A slot is (campaign, SKU, scene, format, locale). A render whose bytes the slot has not
had before is a new version (1, 2, ... per slot) and becomes the slot's current version. A render
of bytes the slot already has is that version again (a variant's id is made from its bytes); it
becomes current again unless a rollback pinned the slot. `Store.rollback` makes an earlier
approved version current and pins the slot there until a render makes a new version.

States. Every change of state goes through `transition`, which refuses what `TRANSITIONS` does
not list (ReviewError naming from and to) and writes one hash-chained audit entry (its details
hold ``state: [from, to]``). "checked" below is any of passed, needs_review, blocked.

    from          to (audit action)
    (new)         rendered (rendered)
    rendered      checked (checked)
    passed        approved (approved), rejected (rejected), checked (checks-changed)
    needs_review  the same
    blocked       rejected, checked (checks-changed); never approved
    approved      published (published), rejected, approved (approved again), checked (revoked)
    rejected      approved, rejected, published (approved again while a DAM holds it), retracted
    published     published (on another DAM), superseded (a newer version was published),
                  rejected, retracted (its last DAM copy removed), checked (revoked)
    superseded    retracted, rejected, approved / published (restored: current again)
    retracted     approved (approved again, or restored), rejected

Retraction. A publication not yet retracted is due when its variant is no longer the publishable
current version of its slot (`retraction_reason`):
    "rejected"     its approval is gone: rejected, revoked by changed checks, or blocked
    "rolled back"  the slot's current version is an older one (a rollback)
    "superseded"   the current version is newer and is itself published on that DAM. Until it is,
                   the older asset stays live: a new render awaiting review never empties a slot.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import RowMapping

from pipeline.errors import ReviewError, shown
from pipeline.storage.audit import append_entry, now, review_text, stamp
from pipeline.storage.database import Tx
from pipeline.storage.outbox import enqueue
from pipeline.storage.records import Retraction, RetractionReason, Slot

__all__ = [
    "STATES",
    "TRANSITIONS",
    "VARIANTS_SQL",
    "VARIANTS_FROM",
    "slot_versions",
    "transition",
    "slot_of",
    "slot_row",
    "version_row",
    "record_new_version",
    "checks_changed",
    "rendered_again",
    "make_current",
    "rollback_to",
    "record_published",
    "retract",
    "is_live",
    "approval_holds",
    "why_not_publishable",
    "retraction_reason",
    "due_retractions",
    "link_run",
]

CHECKED = ("passed", "needs_review", "blocked")
STATES = ("rendered", *CHECKED, "approved", "rejected", "published", "superseded", "retracted")
#: The state machine: from a state (None: not yet stored) to the states it may go to.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"rendered"}),
    "rendered": frozenset(CHECKED),
    "passed": frozenset({*CHECKED, "approved", "rejected"}),
    "needs_review": frozenset({*CHECKED, "approved", "rejected"}),
    "blocked": frozenset({*CHECKED, "rejected"}),
    "approved": frozenset({*CHECKED, "approved", "rejected", "published"}),
    # approved again while a DAM still holds it: published
    "rejected": frozenset({"rejected", "approved", "published", "retracted"}),
    "published": frozenset({*CHECKED, "published", "rejected", "superseded", "retracted"}),
    "superseded": frozenset({"rejected", "retracted", "approved", "published"}),
    "retracted": frozenset({"rejected", "approved"}),
}
_SLOT_WHERE = "campaign_id=:campaign_id AND sku=:sku AND scene=:scene AND format=:format AND locale=:locale"
#: Variants, each with whether it is its slot's current version (column `is_current`).
VARIANTS_FROM = (
    " FROM variants v LEFT JOIN slots s"
    " ON s.campaign_id = v.campaign_id AND s.sku = v.sku AND s.scene = v.scene AND s.format = v.format"
    " AND s.locale = v.locale"
)
VARIANTS_SQL = "SELECT v.*, (s.current_variant = v.variant_id) AS is_current" + VARIANTS_FROM


def transition(
    db: Tx,
    vid: str,
    to: str,
    action: str,
    actor: str,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> str | None:
    """Move variant `vid` to state `to` and append the audit entry (`action` by `actor`, with
    the move in its details as ``state: [from, to]``). Returns the state it left; ReviewError,
    nothing changed, when the move is not in `TRANSITIONS`. Inside the caller's transaction."""
    row = db.row("SELECT state FROM variants WHERE variant_id=:vid", vid=vid)
    if row is None:
        raise ReviewError(f"no variant {shown(vid)}")
    before = cast(str | None, row["state"])
    if to not in TRANSITIONS.get(before, frozenset()):
        raise ReviewError(f"{vid}: cannot go from {before or 'new'} to {to} ({action})")
    db.run(
        "UPDATE variants SET state=:to, released_at=CASE WHEN released_at IS NULL AND :to IN ('approved', 'published')"
        " THEN :at ELSE released_at END WHERE variant_id=:vid",
        to=to,
        at=stamp(),
        vid=vid,
    )
    log(db, vid, action, actor, reason, {**(details or {}), "state": [before, to]})
    event = _EVENTS.get((to, action == "published"))
    if event is not None and (before != to or action == "published"):  # published on one more DAM
        enqueue(db, event, {"variant_id": vid, "state": to, **_slot_data(db, vid)})
    return before


#: Webhook events, by (state entered, whether the action is a publication).
_EVENTS = {
    ("approved", False): "asset.approved",
    ("published", False): "asset.approved",  # approved again while a DAM still holds it
    ("published", True): "asset.published",
    ("retracted", False): "asset.retracted",
}


def _slot_data(db: Tx, vid: str) -> dict[str, Any]:
    row = _variant(db, vid)
    return {"version": row["version"], "slot": asdict(slot_of(row))}


def log(db: Tx, vid: str, action: str, actor: str, reason: str | None, details: dict[str, Any]) -> None:
    """Append the audit entry of a change to `vid` and move its `updated_at` (the DAM feed's order)."""
    append_entry(db, vid, action, actor, reason, details)
    db.run("UPDATE variants SET updated_at=:at WHERE variant_id=:vid", at=_next_update(db), vid=vid)


def _next_update(db: Tx) -> str:
    """Now, or just after the newest `updated_at` when the clock stepped back: a feed client that
    resumes after the last time it saw never misses a later change (we hold the write lock)."""
    at, newest = stamp(), db.value("SELECT MAX(updated_at) FROM variants")
    if newest is not None and newest >= at:
        at = (datetime.fromisoformat(newest) + timedelta(microseconds=1)).isoformat(timespec="microseconds")
    return at


def slot_of(row: RowMapping) -> Slot:
    return Slot(row["campaign_id"], row["sku"], row["scene"], row["format"], row["locale"])


def _key(slot: Slot) -> dict[str, str]:
    return {
        "campaign_id": slot.campaign_id,
        "sku": slot.sku,
        "scene": slot.scene,
        "format": slot.format,
        "locale": slot.locale,
    }


def slot_row(db: Tx, slot: Slot) -> RowMapping | None:
    """The slot's row (current_variant, pinned), None for a slot never rendered."""
    return db.row(f"SELECT * FROM slots WHERE {_SLOT_WHERE}", **_key(slot))


def slot_versions(db: Tx, slot: Slot) -> list[RowMapping]:
    """The slot's versions, oldest first (with `is_current`); empty for a slot never rendered."""
    where = " AND ".join(f"v.{c}" for c in _SLOT_WHERE.split(" AND "))
    return db.rows(f"{VARIANTS_SQL} WHERE {where} ORDER BY v.version", **_key(slot))


def version_row(db: Tx, slot: Slot, version: int) -> RowMapping | None:
    return db.row(f"SELECT * FROM variants WHERE {_SLOT_WHERE} AND version=:version", **_key(slot), version=version)


def _variant(db: Tx, vid: str) -> RowMapping:
    return cast(RowMapping, db.row("SELECT * FROM variants WHERE variant_id=:vid", vid=vid))


def _set_current(db: Tx, slot: Slot, vid: str, pinned: bool) -> None:
    db.run(
        "INSERT INTO slots(campaign_id, sku, scene, format, locale, current_variant, pinned)"
        " VALUES (:campaign_id, :sku, :scene, :format, :locale, :vid, :pinned)"
        " ON CONFLICT (campaign_id, sku, scene, format, locale)"
        " DO UPDATE SET current_variant=excluded.current_variant, pinned=excluded.pinned",
        **_key(slot),
        vid=vid,
        pinned=int(pinned),
    )


def is_live(db: Tx, vid: str) -> bool:
    sql = "SELECT 1 FROM publications WHERE variant_id=:vid AND retracted_at IS NULL LIMIT 1"
    return db.row(sql, vid=vid) is not None


def approval_holds(row: RowMapping) -> bool:
    """Approved, not blocked, and the approval given for exactly these bytes and this report."""
    return bool(
        row["review"] == "approved"
        and row["verdict"] != "blocked"
        and row["approved_sha"] == row["blob_sha"]
        and row["approved_report"] == row["report_hash"]
    )


def record_new_version(db: Tx, vid: str, run_id: str, verdict: str, report_hash: str) -> int:
    """Give the just-inserted variant `vid` the next version number of its slot, make it current
    (a new version ends any rollback pin) and record rendered -> its verdict. Returns the number."""
    row = _variant(db, vid)
    slot = slot_of(row)
    top = db.value(f"SELECT MAX(version) FROM variants WHERE {_SLOT_WHERE}", **_key(slot))
    version = int(top or 0) + 1
    previous = slot_row(db, slot)
    db.run("UPDATE variants SET version=:version WHERE variant_id=:vid", version=version, vid=vid)
    details = {"run": run_id, "version": version, "blob_sha": row["blob_sha"]}
    if previous is not None:
        details["replaces"] = previous["current_variant"]
    transition(db, vid, "rendered", "rendered", "vitrina", f"run {run_id}: version {version} of {slot}", details)
    transition(db, vid, verdict, "checked", "vitrina", None, {"verdict": verdict, "report_hash": report_hash})
    _set_current(db, slot, vid, pinned=False)
    return version


def checks_changed(db: Tx, old: RowMapping, run_id: str, verdict: str, report_hash: str) -> None:
    """A re-run gave variant `old` (its row before) another check report: log the change, and
    revoke an approval given for the old report."""
    vid, change = old["variant_id"], f"{old['verdict']} -> {verdict}"
    details = {"run": run_id, "from": old["verdict"], "to": verdict, "report_hash": report_hash}
    note = f"run {run_id}: checks changed, {change}"
    if old["state"] in CHECKED:
        transition(db, vid, verdict, "checks-changed", "vitrina", note, details)
    else:
        log(db, vid, "checks-changed", "vitrina", note, details)
    if old["review"] == "approved":
        sql = "UPDATE variants SET review='pending', approved_sha=NULL, approved_report=NULL WHERE variant_id=:vid"
        db.run(sql, vid=vid)
        note = f"revoked: checks changed, {change}"
        if old["state"] in ("approved", "published"):
            transition(db, vid, verdict, "revoked", "vitrina", note, details)
        else:  # superseded or retracted: it stays that, without an approval
            log(db, vid, "revoked", "vitrina", note, details)


def rendered_again(db: Tx, vid: str, run_id: str) -> None:
    """A run made (or reused) version `vid` again: it is the slot's newest render, so it becomes
    current unless a rollback pinned the slot to another version."""
    row = _variant(db, vid)
    current = slot_row(db, slot_of(row))
    if current is None or (current["current_variant"] != vid and not current["pinned"]):
        make_current(db, vid, "vitrina", f"run {run_id} made version {row['version']} again", pinned=False)


def make_current(
    db: Tx, vid: str, actor: str, reason: str, *, pinned: bool, action: str = "made current"
) -> str | None:
    """Make `vid` its slot's current version (audit entry `action`); a superseded or retracted
    version whose approval still holds is restored to approved (or published, when a DAM still
    holds it). Returns the variant that was current before."""
    row = _variant(db, vid)
    slot = slot_of(row)
    before = slot_row(db, slot)
    previous = before["current_variant"] if before is not None else None
    _set_current(db, slot, vid, pinned)
    details = {"slot": str(slot), "version": row["version"], "previous": previous, "pinned": pinned}
    log(db, vid, action, actor, reason, details)
    if row["state"] in ("superseded", "retracted") and approval_holds(row):
        to = "published" if is_live(db, vid) else "approved"
        transition(db, vid, to, "restored", actor, f"version {row['version']} is current again", details)
    return previous


def rollback_to(db: Tx, slot: Slot, version: int, by: str, reason: str) -> str:
    """Make version `version` of `slot` current and pin the slot to it; the version it replaces
    gets a "rolled back" entry. Only a version whose approval holds now, by a named person, for
    a reason (one plain line each). Returns its id."""
    if by is None or not str(by).strip():
        raise ReviewError("a name is required (--by NAME)")
    review_text(by, "name")
    if reason is None or not reason.strip():
        raise ReviewError("a rollback needs a reason (--reason TEXT)")
    review_text(reason, "reason")
    # versions are 32-bit integers on PostgreSQL: a larger number is no version, not a database error
    target = version_row(db, slot, version) if 1 <= version < 2**31 else None
    if target is None:
        sql = f"SELECT version FROM variants WHERE {_SLOT_WHERE} ORDER BY version"
        known = [str(r["version"]) for r in db.rows(sql, **_key(slot))]
        if not known:
            raise ReviewError(f"no slot {shown(str(slot))}")
        raise ReviewError(f"{shown(str(slot))} has no version {version} (versions: {', '.join(known)})")
    vid, current = target["variant_id"], slot_row(db, slot)
    if current is not None and current["current_variant"] == vid:
        raise ReviewError(f"{shown(str(slot))}: version {version} ({vid}) is already the current version")
    if not approval_holds(target):
        why = "blocked" if target["verdict"] == "blocked" else f"{target['state']} (review: {target['review']})"
        raise ReviewError(
            f"{shown(str(slot))}: version {version} ({vid}) is {why}; only an approved version can be made current"
        )
    previous = make_current(db, vid, by, reason, pinned=True, action="rollback")
    if previous is not None:
        old = _variant(db, previous)
        log(db, previous, "rolled back", by, reason, {"slot": str(slot), "to_version": version})
        if is_live(db, previous):
            note = f"version {old['version']} is retracted from each DAM at the next publish"
            log(db, vid, "rollback-pending", "vitrina", note, {"retract": previous})
    return str(vid)


def record_published(db: Tx, row: RowMapping, dam: str, key: str, location: str, sha: str) -> None:
    """Record variant `row` (checked publishable in this transaction) as on `dam`: published,
    and each older published version of its slot superseded."""
    vid = row["variant_id"]
    db.run(
        "INSERT INTO publications(variant_id, dam, key, location, sha256, at, retracted_at, tombstone)"
        " VALUES (:vid, :dam, :key, :location, :sha, :at, NULL, NULL)"
        " ON CONFLICT (variant_id, dam) DO UPDATE SET key=excluded.key, location=excluded.location,"
        " sha256=excluded.sha256, at=excluded.at, retracted_at=NULL, tombstone=NULL",
        vid=vid,
        dam=dam,
        key=key,
        location=location,
        sha=sha,
        at=now(),
    )
    transition(db, vid, "published", "published", "vitrina", None, {"dam": dam, "key": key})
    older = db.rows(
        f"SELECT variant_id FROM variants WHERE {_SLOT_WHERE} AND version < :version AND state='published'"
        " ORDER BY version",
        **_key(slot_of(row)),
        version=row["version"],
    )
    for old in older:
        note = f"version {row['version']} ({vid}) was published on {dam}"
        transition(db, old["variant_id"], "superseded", "superseded", "vitrina", note, {"by": vid, "dam": dam})


def retract(db: Tx, vid: str, dam: str, tombstone: str) -> None:
    """Record that `vid`'s asset left `dam` (tombstone at `tombstone`): an audit entry, and the
    state retracted once no DAM holds it (then restored to approved when it is still its slot's
    publishable current version: the next publish sends it again). ReviewError when it is not
    published on `dam`."""
    live = "SELECT * FROM publications WHERE variant_id=:vid AND dam=:dam AND retracted_at IS NULL"
    pub = db.row(live, vid=vid, dam=dam)
    if pub is None:
        raise ReviewError(f"{vid} is not published on {dam}: nothing to retract")
    row = _variant(db, vid)
    reason = retraction_reason(db, row, dam)
    sql = "UPDATE publications SET retracted_at=:at, tombstone=:tombstone WHERE variant_id=:vid AND dam=:dam"
    db.run(sql, at=now(), tombstone=tombstone, vid=vid, dam=dam)
    details = {"dam": dam, "key": pub["key"], "tombstone": tombstone, "reason": reason}
    note = f"removed from {dam}" + (f" ({reason})" if reason else "")
    if not is_live(db, vid) and row["state"] in ("published", "superseded", "rejected"):
        transition(db, vid, "retracted", "retracted", "vitrina", note, details)
        if reason is None and row["state"] == "published":
            transition(db, vid, "approved", "restored", "vitrina", "still the current approved version", details)
    else:
        log(db, vid, "retracted", "vitrina", note, details)


def why_not_publishable(db: Tx, row: RowMapping) -> str | None:
    """Why this variant may not be published now; None when it is its slot's current version,
    approved, not blocked, its approval bound to its current bytes and report."""
    vid = row["variant_id"]
    if row["verdict"] == "blocked":
        return "is blocked by its checks"
    retired = slot_row(db, slot_of(row))
    if retired is not None and retired["retired_at"] is not None:
        return f"belongs to a retired slot ({retired['retired_reason']})"
    if row["review"] != "approved":
        last = db.row(
            "SELECT action, actor, reason FROM audit WHERE variant_id=:vid AND action IN ('rejected', 'revoked')"
            " ORDER BY seq DESC LIMIT 1",
            vid=vid,
        )
        if row["review"] == "rejected" and last is not None:
            return f"is no longer approved: rejected by {last['actor']}: {last['reason']}"
        if last is not None and last["action"] == "revoked":
            return f"is no longer approved: {last['reason']}"
        return f"is not approved (review: {row['review']})"
    if not approval_holds(row):
        return "was approved for other content or another check report"
    current = slot_row(db, slot_of(row))
    if current is None or current["current_variant"] != vid:
        now = _variant(db, current["current_variant"])["version"] if current is not None else "none"
        return f"is version {row['version']} of its slot, not the current version ({now})"
    if row["state"] not in ("approved", "published"):
        return f"is {row['state']}, not approved for publishing"
    return None


def retraction_reason(db: Tx, row: RowMapping, dam: str) -> RetractionReason | None:
    """Why variant `row`'s publication on `dam` must be retracted now; None while it may stay."""
    if not approval_holds(row):
        return "rejected"
    current = slot_row(db, slot_of(row))
    if current is not None and current["retired_at"] is not None:
        return "retired"
    if current is None or current["current_variant"] == row["variant_id"]:
        return None if row["state"] in ("approved", "published") else "rejected"
    newest = _variant(db, current["current_variant"])
    if newest["version"] < row["version"]:
        return "rolled back"
    live = "SELECT 1 FROM publications WHERE variant_id=:vid AND dam=:dam AND retracted_at IS NULL"
    if db.row(live, vid=newest["variant_id"], dam=dam) is not None:
        return "superseded"
    return None


def due_retractions(db: Tx, dam: str, vid: str | None = None) -> list[Retraction]:
    """Every live publication on `dam` (of variant `vid` only, when given) that must be retracted."""
    sql = "SELECT * FROM publications WHERE dam=:dam AND retracted_at IS NULL"
    if vid is not None:
        sql += " AND variant_id=:vid"
    due = []
    for p in db.rows(sql + " ORDER BY at, variant_id", dam=dam, vid=vid):
        reason = retraction_reason(db, _variant(db, p["variant_id"]), dam)
        if reason is not None:
            due.append(Retraction(p["variant_id"], dam, p["key"], p["location"], p["sha256"], reason))
    return due


def link_run(db: Tx, run_id: str, vid: str, *, reused: bool) -> None:
    """List variant `vid` in run `run_id` (made, or reused from an earlier run)."""
    db.run(
        "INSERT INTO run_variants(run_id, variant_id, reused, at) VALUES (:run_id, :vid, :reused, :at)"
        " ON CONFLICT (run_id, variant_id) DO UPDATE SET reused=excluded.reused, at=excluded.at",
        run_id=run_id,
        vid=vid,
        reused=int(reused),
        at=now(),
    )

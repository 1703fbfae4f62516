"""The catalog's SQLite schema, and the migration of a catalog.sqlite written by an older
Vitrina (tables created if missing, columns added, derived values back-filled), run in the
transaction that opens a store.

Versions (`pipeline.storage.lifecycle`) came after commit 200d2bd: a catalog written before them
gets, per slot, version numbers in the order its variants were first made (the newest is
current), a lifecycle state taken from what the catalog says (approved and in a DAM: published;
an older published version of a slot that has a newer published one: superseded; approved,
rejected, else the check verdict), and one "versioned" audit entry per variant saying so."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, one_line
from pipeline.storage.audit import GENESIS_HASH, append_entry, entry_hash

__all__ = ["migrate", "open_catalog", "report_digest"]

_TABLES = [
    """CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, brief TEXT NOT NULL, backend TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, summary TEXT, pid INTEGER, host TEXT, proc_start TEXT
)""",
    """CREATE TABLE IF NOT EXISTS variants (
    variant_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, run_id TEXT NOT NULL, sku TEXT NOT NULL,
    scene TEXT NOT NULL, format TEXT NOT NULL, locale TEXT NOT NULL, blob_sha TEXT NOT NULL,
    verdict TEXT NOT NULL, reasons TEXT NOT NULL, checks TEXT NOT NULL, lineage TEXT NOT NULL,
    review TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL, report_hash TEXT, input_key TEXT,
    approved_sha TEXT, approved_report TEXT, version INTEGER, state TEXT
)""",
    """CREATE TABLE IF NOT EXISTS run_variants (
    run_id TEXT NOT NULL, variant_id TEXT NOT NULL, reused INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL,
    PRIMARY KEY (run_id, variant_id)
)""",
    """CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, variant_id TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT, details TEXT, prev_hash TEXT, hash TEXT
)""",
    """CREATE TABLE IF NOT EXISTS publications (
    variant_id TEXT NOT NULL, dam TEXT NOT NULL, key TEXT NOT NULL, location TEXT NOT NULL,
    sha256 TEXT NOT NULL, at TEXT NOT NULL, retracted_at TEXT, tombstone TEXT, PRIMARY KEY (variant_id, dam)
)""",
    """CREATE TABLE IF NOT EXISTS skipped (
    run_id TEXT NOT NULL, sku TEXT NOT NULL, subject TEXT NOT NULL, reason TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS slots (
    campaign_id TEXT NOT NULL, sku TEXT NOT NULL, scene TEXT NOT NULL, format TEXT NOT NULL, locale TEXT NOT NULL,
    current_variant TEXT NOT NULL, pinned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, sku, scene, format, locale)
)""",
    """CREATE TABLE IF NOT EXISTS prepared (
    source_key TEXT PRIMARY KEY, cutout_sha TEXT NOT NULL, rejected TEXT NOT NULL, at TEXT NOT NULL
)""",
]
# Columns added since the first schema: a catalog.sqlite written by an older Vitrina gets them.
_ADDED_COLUMNS = {
    "runs": ("pid INTEGER", "host TEXT", "proc_start TEXT"),
    "variants": (
        "report_hash TEXT",
        "input_key TEXT",
        "approved_sha TEXT",
        "approved_report TEXT",
        "version INTEGER",
        "state TEXT",
    ),
    "audit": ("prev_hash TEXT", "hash TEXT"),
    "publications": ("retracted_at TEXT", "tombstone TEXT"),
}
_INDEXES = [
    "CREATE INDEX IF NOT EXISTS variants_run ON variants(run_id)",
    "CREATE INDEX IF NOT EXISTS variants_input ON variants(input_key)",
    "CREATE INDEX IF NOT EXISTS run_variants_variant ON run_variants(variant_id)",
    "CREATE INDEX IF NOT EXISTS publications_dam ON publications(dam)",
]
# After the back-fill: a slot's version numbers are unique.
_LATE_INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS variants_slot_version"
    " ON variants(campaign_id, sku, scene, format, locale, version)",
]
_SLOT = ("campaign_id", "sku", "scene", "format", "locale")
_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be deleted'); END",
]


def report_digest(verdict: str, checks: list[dict[str, Any]]) -> str:
    """SHA-256 of a variant's check report as stored (verdict and every result): what an
    approval is bound to."""
    canonical = json.dumps(
        {"verdict": verdict, "checks": checks}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def open_catalog(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """Open (or create) catalog.sqlite in WAL mode, migrated (`migrate`, in one transaction).
    Transactions are the caller's (autocommit, BEGIN IMMEDIATE). InputError (one line) for a
    file that is not a SQLite database, a damaged one, or one that cannot be opened."""
    db = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        db.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            migrate(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed", "unable to open"
        db.close()
        raise InputError(f"{path}: cannot use this catalog: {one_line(str(exc))}") from None
    return db


def migrate(db: sqlite3.Connection) -> None:
    """Create the schema, or bring one written by an older Vitrina up to date."""
    had = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for sql in _TABLES:
        db.execute(sql)
    added: set[str] = set()
    for table, columns in _ADDED_COLUMNS.items():
        present = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            name = column.split()[0]
            if name not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
                added.add(f"{table}.{name}")
    for sql in _INDEXES:
        db.execute(sql)
    if "run_variants" not in had and "variants" in had:
        db.execute(
            "INSERT OR IGNORE INTO run_variants(run_id, variant_id, reused, at)"
            " SELECT run_id, variant_id, 0, created_at FROM variants"
        )
    if "variants.report_hash" in added:
        # Approvals given before approvals were bound stand for what the variant is now.
        rows = db.execute("SELECT variant_id, verdict, checks, review, blob_sha FROM variants").fetchall()
        for r in rows:
            digest = report_digest(r["verdict"], json.loads(r["checks"]))
            approved = r["review"] == "approved"
            db.execute(
                "UPDATE variants SET report_hash=?, approved_sha=?, approved_report=? WHERE variant_id=?",
                (digest, r["blob_sha"] if approved else None, digest if approved else None, r["variant_id"]),
            )
    if "audit.hash" in added:
        db.execute("DROP TRIGGER IF EXISTS audit_no_update")  # only an older Vitrina's table
        prev = GENESIS_HASH
        for r in db.execute("SELECT * FROM audit ORDER BY seq").fetchall():
            digest = entry_hash(prev, dict(r))
            db.execute("UPDATE audit SET prev_hash=?, hash=? WHERE seq=?", (prev, digest, r["seq"]))
            prev = digest
    for sql in _TRIGGERS:
        db.execute(sql)
    if "variants.version" in added:
        _version_variants(db)
    for sql in _LATE_INDEXES:
        db.execute(sql)


def _version_variants(db: sqlite3.Connection) -> None:
    """Number the versions of each slot of a catalog written before versions (oldest first, the
    newest current) and give each variant its lifecycle state, one audit entry each."""
    rows = db.execute(
        "SELECT variant_id, campaign_id, sku, scene, format, locale, verdict, review FROM variants"
        " ORDER BY campaign_id, sku, scene, format, locale, created_at, rowid"
    ).fetchall()
    live = {r[0] for r in db.execute("SELECT variant_id FROM publications WHERE retracted_at IS NULL")}
    slots: dict[tuple[str, ...], list[sqlite3.Row]] = {}
    for r in rows:
        slots.setdefault(tuple(r[c] for c in _SLOT), []).append(r)
    for slot, versions in slots.items():
        published = [i for i, r in enumerate(versions) if r["review"] == "approved" and r["variant_id"] in live]
        for i, r in enumerate(versions):
            if r["review"] == "approved":
                state = "approved" if i not in published else "superseded" if i < published[-1] else "published"
            else:
                state = "rejected" if r["review"] == "rejected" else r["verdict"]
            vid, version, current = r["variant_id"], i + 1, i == len(versions) - 1
            db.execute("UPDATE variants SET version=?, state=? WHERE variant_id=?", (version, state, vid))
            note = f"catalog migrated: version {version} of {'/'.join(slot)}, {state}" + (
                ", current" if current else ""
            )
            append_entry(db, vid, "versioned", "vitrina", note, {"version": version, "state": [None, state]})
        db.execute(
            "INSERT OR REPLACE INTO slots(campaign_id, sku, scene, format, locale, current_variant, pinned)"
            " VALUES (?,?,?,?,?,?,0)",
            (*slot, versions[-1]["variant_id"]),
        )

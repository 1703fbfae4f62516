"""The pre-Alembic steps: bring a catalog.sqlite written by a Vitrina before revisions (up to commit
a00c857) to the schema of Alembic's first revision (tables created if missing, columns added,
derived values back-filled), in the transaction of `vitrina db upgrade`, which then stamps it
(`pipeline.storage.database`). Also `report_digest`, what an approval is bound to.

Versions (`pipeline.storage.lifecycle`) came after commit 200d2bd: a catalog written before them
gets, per slot, version numbers in the order its variants were first made (the newest is
current), a lifecycle state taken from what the catalog says (approved and in a DAM: published;
an older published version of a slot that has a newer published one: superseded; approved,
rejected, else the check verdict), and one "versioned" audit entry per variant saying so."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import RowMapping

from pipeline.storage.audit import GENESIS_HASH, append_entry, entry_hash

if TYPE_CHECKING:  # database.py imports this module to upgrade a legacy catalog
    from pipeline.storage.database import Tx

__all__ = ["migrate_legacy", "report_digest"]

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


def migrate_legacy(db: Tx) -> None:
    """Bring a SQLite catalog written before revisions to revision 0001 (SQLite only: PRAGMA)."""
    had = {r["name"] for r in db.rows("SELECT name FROM sqlite_master WHERE type='table'")}
    for sql in _TABLES:
        db.run(sql)
    added: set[str] = set()
    for table, columns in _ADDED_COLUMNS.items():
        present = {r["name"] for r in db.rows(f"PRAGMA table_info({table})")}
        for column in columns:
            name = column.split()[0]
            if name not in present:
                db.run(f"ALTER TABLE {table} ADD COLUMN {column}")
                added.add(f"{table}.{name}")
    for sql in _INDEXES:
        db.run(sql)
    if "run_variants" not in had and "variants" in had:
        db.run(
            "INSERT OR IGNORE INTO run_variants(run_id, variant_id, reused, at)"
            " SELECT run_id, variant_id, 0, created_at FROM variants"
        )
    if "variants.report_hash" in added:
        # Approvals given before approvals were bound stand for what the variant is now.
        rows = db.rows("SELECT variant_id, verdict, checks, review, blob_sha FROM variants")
        for r in rows:
            digest = report_digest(r["verdict"], json.loads(r["checks"]))
            approved = r["review"] == "approved"
            db.run(
                "UPDATE variants SET report_hash=:digest, approved_sha=:sha, approved_report=:approved"
                " WHERE variant_id=:vid",
                digest=digest,
                sha=r["blob_sha"] if approved else None,
                approved=digest if approved else None,
                vid=r["variant_id"],
            )
    if "audit.hash" in added:
        db.run("DROP TRIGGER IF EXISTS audit_no_update")  # only an older Vitrina's table
        prev = GENESIS_HASH
        for r in db.rows("SELECT * FROM audit ORDER BY seq"):
            digest = entry_hash(prev, dict(r))
            sql = "UPDATE audit SET prev_hash=:prev, hash=:digest WHERE seq=:seq"
            db.run(sql, prev=prev, digest=digest, seq=r["seq"])
            prev = digest
    for sql in _TRIGGERS:
        db.run(sql)
    if "variants.version" in added:
        _version_variants(db)
    for sql in _LATE_INDEXES:
        db.run(sql)


def _version_variants(db: Tx) -> None:
    """Number the versions of each slot of a catalog written before versions (oldest first, the
    newest current) and give each variant its lifecycle state, one audit entry each."""
    rows = db.rows(
        "SELECT variant_id, campaign_id, sku, scene, format, locale, verdict, review FROM variants"
        " ORDER BY campaign_id, sku, scene, format, locale, created_at, rowid"
    )
    live = {r["variant_id"] for r in db.rows("SELECT variant_id FROM publications WHERE retracted_at IS NULL")}
    slots: dict[tuple[str, ...], list[RowMapping]] = {}
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
            sql = "UPDATE variants SET version=:version, state=:state WHERE variant_id=:vid"
            db.run(sql, version=version, state=state, vid=vid)
            note = f"catalog migrated: version {version} of {'/'.join(slot)}, {state}" + (
                ", current" if current else ""
            )
            append_entry(db, vid, "versioned", "vitrina", note, {"version": version, "state": [None, state]})
        db.run(
            "INSERT OR REPLACE INTO slots(campaign_id, sku, scene, format, locale, current_variant, pinned)"
            " VALUES (:campaign_id, :sku, :scene, :format, :locale, :vid, 0)",
            **dict(zip(_SLOT, slot, strict=True)),
            vid=versions[-1]["variant_id"],
        )

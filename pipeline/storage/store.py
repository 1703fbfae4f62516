"""Versioned storage: content-addressed blobs plus a catalog (SQLite in the output folder, or
PostgreSQL: `pipeline.storage.database`) of runs, variants, review decisions (an append-only audit
log) and publications.

Layout of an output folder:
    catalog.sqlite                 runs, variants, slots, run_variants, audit, publications, skipped,
                                   prepared (absent when the catalog is on PostgreSQL)
    blobs/sha256/ab/<sha>.png      every asset once, named by the hash of its bytes
    blobs/sha256/ab/<sha>.json     its lineage sidecar
    cutouts/sha256/ab/<sha>.png    each product cut-out (RGBA PNG) once, named by the SHA-256 of its
                                   decoded pixels (`image_sha256`, = lineage product.cutout_sha256)
    runs/<run_id>/...              browsable copies (hard links) and the run report (report.json)

`keep_variant` stores a rendered variant in one call (blob, catalog row, sidecar, browsable link)
and `finish_run` closes a run with its summary and report, so the campaign flow only orchestrates.

Versions and states: `pipeline.storage.lifecycle` (a slot keeps every version rendered for it;
one is current; every change of state is one transition of one state machine, with its audit entry).

Invariants the store enforces, whoever calls it:
- An approval is bound to the variant's bytes (blob SHA-256) and to a hash of its check report.
  A re-run that records the same variant with a different report logs the change in the audit
  log and revokes the approval ("revoked: checks changed, passed -> blocked").
- Publication is recorded only for the current version of its slot, approved and not blocked at
  that moment (`record_publication` re-reads its state in the transaction that records the upload).
  A publication whose variant is no longer that is due for retraction (`pending_retractions`).
- The audit log is append-only (triggers refuse UPDATE and DELETE; on PostgreSQL also TRUNCATE) and
  hash-chained: each entry holds the SHA-256 of the previous entry's hash and its own content (`verify_audit`).
- Every path written is resolved under the store's root; names that would leave it are an
  `InputError`. Files are written to a unique temp name in the same folder, then renamed.
- Each run lists its own variants (`run_variants`): a variant made again by a later run counts
  in both. A run whose process is gone before it finished is reported as "interrupted".
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping, text

from pipeline.checks.results import CheckReport
from pipeline.errors import InputError, ReviewError, shown
from pipeline.model.lineage import Lineage
from pipeline.storage import tables
from pipeline.storage.access import AccessMixin
from pipeline.storage.audit import MAX_REVIEW_TEXT, now, review_text, verify_chain
from pipeline.storage.blobs import BlobBackend, OutputFolder
from pipeline.storage.caches import CacheMixin
from pipeline.storage.database import BUSY_TIMEOUT_MS, Tx, catalog_url, display_url, open_catalog
from pipeline.storage.files import (
    atomic_write,
    blob_location,
    check_run_id,
    cutout_location,
    process_start,
    sha256_bytes,
    variant_id,
)
from pipeline.storage.incremental import IncrementalMixin
from pipeline.storage.lifecycle import (
    VARIANTS_SQL,
    checks_changed,
    due_retractions,
    is_live,
    link_run,
    record_new_version,
    record_published,
    rendered_again,
    retract,
    rollback_to,
    slot_versions,
    transition,
    why_not_publishable,
)
from pipeline.storage.outbox import OutboxMixin, enqueue
from pipeline.storage.queries import QueryMixin
from pipeline.storage.records import Retraction, RunRecord, Slot, VariantRecord
from pipeline.storage.schema import report_digest
from pipeline.storage.sidecar import build_sidecar
from pipeline.storage.waivers import WaiverMixin, apply_waivers

__all__ = [
    "Store",
    "VariantRecord",
    "RunRecord",
    "Slot",
    "Retraction",
    "ReviewError",
    "sha256_bytes",
    "variant_id",
    "report_digest",
    "blob_location",
    "cutout_location",
    "MAX_REVIEW_TEXT",
]

_ORDER = " ORDER BY v.sku, v.scene, v.format, v.locale, v.version, v.variant_id"


class Store(OutputFolder, AccessMixin, CacheMixin, OutboxMixin, WaiverMixin, QueryMixin, IncrementalMixin):
    """One output folder (blobs, cut-outs, run folders) and its catalog: ``catalog.sqlite`` in the
    folder, or the database at `db_url` (PostgreSQL). Safe to reopen and to share between
    processes; every write is a transaction that holds the catalog's write lock."""

    def __init__(self, root: Path, db_url: str | None = None, blobs: BlobBackend | None = None) -> None:
        """`blobs`: a shared blob backend (S3, a shared folder) for work spread over machines
        (`pipeline.storage.blobs`); the folder still holds a local copy of what is used here."""
        url = catalog_url(Path(root), db_url)  # InputError: not a usable URL
        super().__init__(root, blobs)
        #: What messages name: the catalog's file, or its URL without the password.
        self.catalog = display_url(url)
        # A writer takes the lock before it reads what it is about to change, so two runs never
        # decide on a stale read (`pipeline.storage.database.writing`).
        self._engine = open_catalog(url, BUSY_TIMEOUT_MS)  # InputError: not a usable catalog
        self._lock = threading.RLock()

    @classmethod
    def open_existing(cls, root: Path, db_url: str | None = None, blobs: BlobBackend | None = None) -> Store:
        """The store of an output folder made before; FileNotFoundError when there is none (with
        a PostgreSQL catalog: when the folder does not exist)."""
        if db_url is None and not (Path(root) / "catalog.sqlite").is_file():
            raise FileNotFoundError(
                f"{root}: no Vitrina output here (no catalog.sqlite); run `vitrina run BRIEF --out {root}` first"
            )
        if not Path(root).is_dir():
            raise FileNotFoundError(f"{root}: no such output folder; run `vitrina run BRIEF --out {root}` first")
        return cls(root, db_url, blobs)

    def close(self) -> None:
        self._engine.dispose()

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, run_id: str, campaign_id: str, brief: str, backend: str, waivable: Sequence[str] = ()) -> None:
        """Record a run as started by this process (pid and host: a run whose process is gone
        before `finish_run` is reported as interrupted). `waivable`: the check ids the brand guide
        lets a reviewer waive on this run's variants (`Store.waive`)."""
        check_run_id(run_id)
        pid = os.getpid()
        with self._tx() as db:
            db.run(
                "INSERT INTO runs(run_id, campaign_id, brief, backend, started_at, pid, host, proc_start, waivable)"
                " VALUES (:run_id, :campaign_id, :brief, :backend, :at, :pid, :host, :proc_start, :waivable)",
                run_id=run_id,
                campaign_id=campaign_id,
                brief=brief,
                backend=backend,
                at=now(),
                pid=pid,
                host=socket.gethostname(),
                proc_start=process_start(pid),
                waivable=json.dumps(list(waivable)),
            )

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> Path:
        """Record the run's summary and write runs/<run_id>/report.json: the summary plus one line
        per variant of the run (id, where it belongs, verdict, reasons). Returns the report's path."""
        report = self.run_path(run_id, "report.json")
        with self._tx() as db:
            sql = "UPDATE runs SET finished_at=:at, summary=:summary WHERE run_id=:run_id"
            db.run(sql, at=now(), summary=json.dumps(summary), run_id=run_id)
            campaign = db.value("SELECT campaign_id FROM runs WHERE run_id=:run_id", run_id=run_id)
            counts = {k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)}
            enqueue(db, "run.completed", {"run_id": run_id, "campaign_id": campaign, "counts": counts})
        detail = [{k: v for k, v in row.items() if k != "published"} for row in self.run_tally(run_id)]
        report.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**summary, "variants_detail": detail}, indent=2, ensure_ascii=False)
        atomic_write(self._inside(report), text.encode("utf-8"))
        return report

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first, with its status (finished, running, interrupted or unknown)."""
        host = socket.gethostname()
        with self._read() as db:
            rows = db.rows("SELECT * FROM runs ORDER BY started_at, run_id")
        return [RunRecord.from_row(r, host) for r in rows]

    def run_status(self, run_id: str) -> str:
        """finished | running | interrupted | unknown; InputError for a run this store never saw."""
        for run in self.runs():
            if run.run_id == run_id:
                return run.status
        raise InputError(f"no run {shown(run_id)} in {self.catalog}")

    def latest_run(self) -> str | None:
        with self._read() as db:
            row = db.row("SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1")
        return row["run_id"] if row else None

    def record_skip(self, run_id: str, sku: str, subject: str, reason: str) -> None:
        self.record_skips(run_id, [(sku, subject, reason)])

    def record_skips(self, run_id: str, skips: Sequence[tuple[str, str, str]]) -> None:
        """Record what a run left out, (sku, subject, reason) each, in one transaction."""
        if not skips:
            return
        with self._tx() as db:
            db.conn.execute(
                tables.skipped.insert(),
                [{"run_id": run_id, "sku": sku, "subject": subj, "reason": why} for sku, subj, why in skips],
            )

    def skipped(self, run_id: str) -> list[dict[str, str]]:
        with self._read() as db:
            rows = db.rows("SELECT sku, subject, reason FROM skipped WHERE run_id=:run_id", run_id=run_id)
        return [dict(r) for r in rows]

    # --- variants -----------------------------------------------------------------------------

    def keep_variant(
        self, run_id: str, png: bytes, report: CheckReport, lineage: Lineage, input_key: str | None = None
    ) -> str:
        """Store a rendered variant: its PNG as a blob, its catalog row, its sidecar and a browsable
        link runs/<run_id>/<sku>/<scene>/<format>/<locale>.png. Returns the variant id.

        `input_key` (`pipeline.resume.variant_input_key`) lets a later run reuse it (`reusable`)."""
        relative = f"{lineage.sku}/{lineage.scene}/{lineage.format.id}/{lineage.locale}.png"
        self.run_path(run_id, relative)  # refused before anything is written
        sha = self.put_blob(png)
        checks = [r.to_dict() for r in report.results]
        vid = variant_id(lineage.campaign_id, lineage.sku, lineage.scene, lineage.format.id, lineage.locale, sha)
        self.put_json_sidecar(sha, build_sidecar(vid, report, lineage))
        self.add_variant(
            run_id=run_id,
            campaign_id=lineage.campaign_id,
            sku=lineage.sku,
            scene=lineage.scene,
            fmt=lineage.format.id,
            locale=lineage.locale,
            blob_sha=sha,
            verdict=report.verdict.value,
            reasons=[r.message for r in report.results if r.verdict.failed],
            checks=checks,
            lineage=lineage,
            input_key=input_key,
        )
        self.link_into_run(sha, run_id, relative)
        return vid

    def add_variant(
        self,
        *,
        run_id: str,
        campaign_id: str,
        sku: str,
        scene: str,
        fmt: str,
        locale: str,
        blob_sha: str,
        verdict: str,
        reasons: list[str],
        checks: list[dict[str, Any]],
        lineage: Lineage,
        input_key: str | None = None,
    ) -> str:
        """Record a variant and link it into `run_id`.

        New bytes for its slot are a new version, current from now on (rendered -> its verdict).
        A variant already known (same inputs, same bytes) keeps its review state while its check
        report is unchanged, and is current again unless a rollback pinned the slot. When the
        report changed (a stricter brand guide, a new check), the change goes into the audit log,
        and an approval given for the old report is revoked.
        """
        vid = variant_id(campaign_id, sku, scene, fmt, locale, blob_sha)
        digest = report_digest(verdict, json.loads(json.dumps(checks)))
        values = {
            "run_id": run_id,
            "verdict": verdict,
            "reasons": json.dumps(reasons),
            "checks": json.dumps(checks),
            "lineage": json.dumps(lineage.model_dump(mode="json"), sort_keys=True),
            "report_hash": digest,
            "input_key": input_key,
            "vid": vid,
        }
        with self._tx() as db:
            old = db.row("SELECT * FROM variants WHERE variant_id=:vid", vid=vid)
            if old is None:
                db.run(
                    "INSERT INTO variants(variant_id, campaign_id, run_id, sku, scene, format, locale, blob_sha,"
                    " verdict, reasons, checks, lineage, created_at, report_hash, input_key)"
                    " VALUES (:vid, :campaign_id, :run_id, :sku, :scene, :format, :locale, :blob_sha,"
                    " :verdict, :reasons, :checks, :lineage, :at, :report_hash, :input_key)",
                    **values,
                    campaign_id=campaign_id,
                    sku=sku,
                    scene=scene,
                    format=fmt,
                    locale=locale,
                    blob_sha=blob_sha,
                    at=now(),
                )
                record_new_version(db, vid, run_id, verdict, digest)
            else:
                db.run(
                    "UPDATE variants SET run_id=:run_id, verdict=:verdict, reasons=:reasons, checks=:checks,"
                    " lineage=:lineage, report_hash=:report_hash, input_key=COALESCE(:input_key, input_key)"
                    " WHERE variant_id=:vid",
                    **values,
                )
                if old["report_hash"] != digest:
                    checks_changed(db, old, run_id, verdict, digest)
                else:  # the same report: the waivers given on it still hold
                    apply_waivers(db, vid)
                rendered_again(db, vid, run_id)
            link_run(db, run_id, vid, reused=False)
        return vid

    def reusable(self, input_key: str) -> str | None:
        """The id of a stored variant made from exactly these inputs (`pipeline.resume`) whose files
        (PNG, sidecar, product cut-out) are all still there; else None (`reusable_many`)."""
        return self.reusable_many([input_key]).get(input_key)

    def reuse_variant(self, run_id: str, vid: str) -> VariantRecord:
        """Link a stored variant into `run_id` as reused (counted in the run, not made again)."""
        self.reuse_many(run_id, [vid])
        return self.variant(vid)

    def reused(self, run_id: str) -> int:
        """How many of the run's variants it reused from an earlier run."""
        with self._read() as db:
            return int(db.value("SELECT COUNT(*) FROM run_variants WHERE run_id=:run_id AND reused=1", run_id=run_id))

    def variant(self, vid: str) -> VariantRecord:
        with self._read() as db:
            row = db.row(VARIANTS_SQL + " WHERE v.variant_id=:vid", vid=vid)
        if row is None:
            raise ReviewError(f"no variant {shown(vid)} in {self.catalog}")
        return VariantRecord.from_row(row, self.catalog)

    def variants(
        self,
        *,
        run_id: str | None = None,
        review: str | None = None,
        verdict: str | None = None,
        state: str | None = None,
        current_only: bool = False,
    ) -> list[VariantRecord]:
        """Variants, filtered: `run_id` lists every variant that run made or reused;
        `current_only` only the current version of each slot."""
        sql, args = VARIANTS_SQL, {"run_id": run_id, "review": review, "verdict": verdict, "state": state}
        if run_id is not None:
            sql += " JOIN run_variants rv ON rv.variant_id = v.variant_id AND rv.run_id = :run_id"
        sql += " WHERE 1=1" + (" AND s.current_variant = v.variant_id" if current_only else "")
        for col in ("review", "verdict", "state"):
            if args[col] is not None:
                sql += f" AND v.{col}=:{col}"
        with self._read() as db:
            rows = db.rows(sql + _ORDER, **args)
        return [VariantRecord.from_row(r, self.catalog) for r in rows]

    # --- review -------------------------------------------------------------------------------

    def decide(
        self, vid: str, decision: str, actor: str, reason: str | None = None, action: str | None = None
    ) -> VariantRecord:
        """Approve or reject a variant; every decision goes into the audit log.

        `actor` and `reason` must be one plain line (no control, line-break or bidi characters,
        not blank or only invisible characters, at most MAX_REVIEW_TEXT characters): ReviewError.
        An approval is bound to the variant's bytes and its current check report."""
        if decision not in ("approved", "rejected"):
            raise ReviewError(f"unknown decision {shown(decision)}")
        if actor is None or not str(actor).strip():
            raise ReviewError("a reviewer name is required (--by NAME)")
        review_text(actor, "reviewer name")
        if reason is not None and not reason.strip() and not any(c in reason for c in "\r\n"):
            reason = None  # an empty note is no note
        review_text(reason, "reason")
        if decision == "rejected" and reason is None:
            raise ReviewError("a rejection needs a reason (--reason TEXT)")
        with self._tx() as db:
            row = db.row("SELECT * FROM variants WHERE variant_id=:vid", vid=vid)
            if row is None:
                raise ReviewError(f"no variant {shown(vid)} in {self.catalog}")
            if decision == "approved" and row["verdict"] == "blocked":
                reasons = "; ".join(json.loads(row["reasons"]))
                raise ReviewError(f"{vid} is blocked and cannot be approved: {reasons}")
            approved = decision == "approved"
            db.run(
                "UPDATE variants SET review=:decision, approved_sha=:sha, approved_report=:report"
                " WHERE variant_id=:vid",
                decision=decision,
                sha=row["blob_sha"] if approved else None,
                report=row["report_hash"] if approved else None,
                vid=vid,
            )
            details = {
                "verdict": row["verdict"],
                "previous": row["review"],
                "blob_sha": row["blob_sha"],
                "report_hash": row["report_hash"],
            }
            # approved again while a DAM still holds it: published
            to = "published" if approved and row["state"] == "rejected" and is_live(db, vid) else decision
            transition(db, vid, to, action or decision, actor, reason, details)
        return self.variant(vid)

    def audit(self, vid: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM audit" + (" WHERE variant_id=:vid" if vid else "")
        with self._read() as db:
            return [dict(r) for r in db.rows(sql + " ORDER BY seq", vid=vid)]

    def verify_audit(self) -> str | None:
        """None when the audit log's hash chain is intact, else one line naming the first broken
        entry (its seq) and what is wrong with it (`pipeline.storage.audit.verify_chain`)."""
        with self._read() as db:
            # streamed: a long log is not held in memory at once
            entries = db.conn.execute(text("SELECT * FROM audit ORDER BY seq")).mappings()
            return verify_chain(dict(r) for r in entries)

    # --- publications -------------------------------------------------------------------------

    def _why_not(self, db: Tx, vid: str) -> tuple[RowMapping, str | None]:
        row = db.row(VARIANTS_SQL + " WHERE v.variant_id=:vid", vid=vid)
        if row is None:
            raise ReviewError(f"no variant {shown(vid)} in {self.catalog}")
        return row, why_not_publishable(db, row)

    def publishable(self, vid: str) -> VariantRecord:
        """The variant as it is now, when it may be published (the current version of its slot,
        approved, not blocked, its approval bound to its bytes and report); ReviewError saying why
        not otherwise."""
        with self._read() as db:
            row, why = self._why_not(db, vid)
        if why is not None:
            raise ReviewError(f"{vid} {why}")
        return VariantRecord.from_row(row, self.catalog)

    def publishable_current(self) -> list[VariantRecord]:
        """What a publish sends: the current version of each slot, when it is publishable now."""
        with self._read() as db:
            rows = db.rows(VARIANTS_SQL + " WHERE s.current_variant = v.variant_id" + _ORDER)
            rows = [r for r in rows if why_not_publishable(db, r) is None]
        return [VariantRecord.from_row(r, self.catalog) for r in rows]

    def publication(self, vid: str, dam: str) -> dict[str, Any] | None:
        """The variant's live (not retracted) publication on `dam`, None when there is none."""
        sql = "SELECT * FROM publications WHERE variant_id=:vid AND dam=:dam AND retracted_at IS NULL"
        with self._read() as db:
            row = db.row(sql, vid=vid, dam=dam)
        return dict(row) if row else None

    def is_published(self, vid: str) -> bool:
        """Whether some DAM holds the variant now (published and not retracted there)."""
        with self._read() as db:
            return is_live(db, vid)

    def record_publication(self, vid: str, dam: str, key: str, location: str, sha: str) -> None:
        """Record that the variant is in the DAM, re-reading its state in the same transaction:
        a variant rejected, revoked, blocked or no longer current since it was read is not
        recorded (ReviewError). Older published versions of its slot become superseded."""
        with self._tx() as db:
            row, why = self._why_not(db, vid)
            if why is not None:
                raise ReviewError(f"{vid} {why}")
            record_published(db, row, dam, key, location, sha)

    # --- versions, rollback, retraction --------------------------------------------------------

    def versions(self, slot: Slot) -> list[VariantRecord]:
        """Every version of `slot`, oldest first; ReviewError for a slot never rendered."""
        with self._read() as db:
            rows = slot_versions(db, slot)
        if not rows:
            raise ReviewError(f"no slot {shown(str(slot))} in {self.catalog}")
        return [VariantRecord.from_row(r, self.catalog) for r in rows]

    def rollback(self, slot: Slot, to_version: int, by: str, reason: str) -> VariantRecord:
        """Make an earlier approved version of `slot` current (the slot stays pinned to it until a
        render makes a new version). The version it replaces is retracted from each DAM at the
        next publish (`pending_retractions`: "rolled back"). ReviewError, nothing changed, for a
        bad name or reason, an unknown version, or one that is not approved now."""
        with self._tx() as db:
            vid = rollback_to(db, slot, to_version, by, reason)
        return self.variant(vid)

    def pending_retractions(self, dam: str) -> list[Retraction]:
        """Every publication on `dam` whose variant is no longer the publishable current version
        of its slot, oldest publication first, with why (`pipeline.storage.lifecycle`)."""
        with self._read() as db:
            return due_retractions(db, dam)

    def retraction_due(self, vid: str, dam: str) -> Retraction | None:
        """The variant's publication on `dam` when it is due for retraction now (re-check it right
        before removing the asset); None when it is not published there or may stay."""
        with self._read() as db:
            due = due_retractions(db, dam, vid)
        return due[0] if due else None

    def record_retraction(self, vid: str, dam: str, tombstone_location: str) -> None:
        """Record that the variant's asset was removed from `dam` (its tombstone at
        `tombstone_location`): an audit entry, and state retracted once no DAM holds it.
        ReviewError when the variant is not published on `dam`."""
        with self._tx() as db:
            retract(db, vid, dam, tombstone_location)

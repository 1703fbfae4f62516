"""Waivers and comments on a variant.

A waiver sets one failed check aside, by a named reviewer, with a justification: the variant's
verdict becomes the worst of its other results (blocked -> needs review or passed, ...), and its
state moves with it, in one audit entry ("waived"). Which checks may be waived is data: the
brand guide's `checks.waivable` (recorded with each run), never a check in
`pipeline.checks.registry.NEVER_WAIVED` (product pixels, fidelity, price rules).

A waiver holds for the check report it was given on (its hash): when a re-run changes the report,
the verdict comes from the new report alone, and a reviewer decides again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping

from pipeline.checks.registry import can_be_waived
from pipeline.checks.results import CheckResult, worst
from pipeline.errors import ReviewError, shown
from pipeline.storage.audit import now, review_text
from pipeline.storage.base import CatalogBase
from pipeline.storage.database import Tx
from pipeline.storage.lifecycle import CHECKED, VARIANTS_SQL, log, transition
from pipeline.storage.records import VariantRecord

__all__ = ["Waiver", "Comment", "WaiverMixin", "effective_verdict", "MAX_COMMENT"]

MAX_COMMENT = 2000


@dataclass(frozen=True)
class Waiver:
    check: str
    by: str
    justification: str
    at: str


@dataclass(frozen=True)
class Comment:
    by: str
    text: str
    at: str


def _covers(allowed: list[str], check_id: str) -> bool:
    return can_be_waived(check_id) and any(check_id == a or check_id.startswith(a + ".") for a in allowed)


def _allowed(db: Tx, row: RowMapping) -> list[str]:
    raw = db.value("SELECT waivable FROM runs WHERE run_id=:run_id", run_id=row["run_id"])
    return list(json.loads(raw)) if raw else []


def _waived_ids(db: Tx, vid: str, report_hash: str | None) -> set[str]:
    rows = db.rows(
        "SELECT check_id FROM waivers WHERE variant_id=:vid AND report_hash=:report", vid=vid, report=report_hash
    )
    return {r["check_id"] for r in rows}


def effective_verdict(checks: list[dict[str, Any]], waived: set[str]) -> tuple[str, list[str]]:
    """(verdict, reasons) of a check report with the `waived` check ids set aside."""
    kept = [CheckResult.from_dict(c) for c in checks if c["check"] not in waived]
    return worst(kept).value, [r.message for r in kept if r.verdict.failed]


def apply_waivers(db: Tx, vid: str) -> tuple[str, str]:
    """Recompute the stored verdict and reasons of `vid` from its report and the waivers that hold
    for it. Returns (verdict before, verdict now); the caller moves the state."""
    row = db.row("SELECT verdict, checks, report_hash FROM variants WHERE variant_id=:vid", vid=vid)
    assert row is not None
    verdict, reasons = effective_verdict(json.loads(row["checks"]), _waived_ids(db, vid, row["report_hash"]))
    db.run(
        "UPDATE variants SET verdict=:verdict, reasons=:reasons WHERE variant_id=:vid",
        verdict=verdict,
        reasons=json.dumps(reasons),
        vid=vid,
    )
    return str(row["verdict"]), verdict


class WaiverMixin(CatalogBase):
    def waivable(self, vid: str) -> list[str]:
        """The failed check ids of `vid` a reviewer may waive now (not waived yet)."""
        with self._read() as db:
            row = self._variant_row(db, vid)
            allowed, waived = _allowed(db, row), _waived_ids(db, vid, row["report_hash"])
        failed = [c["check"] for c in json.loads(row["checks"]) if c["verdict"] in ("needs_review", "blocked")]
        return sorted({c for c in failed if c not in waived and _covers(allowed, c)})

    def waive(self, vid: str, check_id: str, by: str, justification: str) -> VariantRecord:
        """Set failed check `check_id` of `vid` aside (see the module's doc). ReviewError, nothing
        changed, when the brand does not let it be waived, it did not fail, or a name or the
        justification is missing or not one plain line."""
        if by is None or not str(by).strip():
            raise ReviewError("a reviewer name is required")
        review_text(by, "reviewer name")
        if justification is None or not justification.strip():
            raise ReviewError("a waiver needs a justification")
        review_text(justification, "justification")
        with self._tx() as db:
            row = self._variant_row(db, vid)
            checks = json.loads(row["checks"])
            failed = {c["check"] for c in checks if c["verdict"] in ("needs_review", "blocked")}
            if check_id not in failed:
                raise ReviewError(f"{vid}: check {shown(check_id)} did not fail; nothing to waive")
            if not can_be_waived(check_id):
                raise ReviewError(
                    f"{vid}: check {shown(check_id)} can never be waived (it protects the product or the prices)"
                )
            if not _covers(_allowed(db, row), check_id):
                raise ReviewError(f"{vid}: the brand guide does not let {shown(check_id)} be waived (checks.waivable)")
            if check_id in _waived_ids(db, vid, row["report_hash"]):
                raise ReviewError(f"{vid}: check {shown(check_id)} is waived already")
            db.run(
                "INSERT INTO waivers(variant_id, check_id, by, justification, at, report_hash)"
                " VALUES (:vid, :check, :by, :why, :at, :report) ON CONFLICT (variant_id, check_id)"
                " DO UPDATE SET by=excluded.by, justification=excluded.justification, at=excluded.at,"
                " report_hash=excluded.report_hash",
                vid=vid,
                check=check_id,
                by=by,
                why=justification,
                at=now(),
                report=row["report_hash"],
            )
            before, after = apply_waivers(db, vid)
            details = {"check": check_id, "justification": justification, "verdict": [before, after]}
            if row["state"] in CHECKED and after != row["state"]:
                transition(db, vid, after, "waived", by, justification, details)
            else:
                log(db, vid, "waived", by, justification, details)
        return self._record(vid)

    def waivers(self, vid: str) -> list[Waiver]:
        """Every waiver given on `vid`, oldest first (also those a changed report made lapse)."""
        with self._read() as db:
            rows = db.rows("SELECT * FROM waivers WHERE variant_id=:vid ORDER BY at, check_id", vid=vid)
        return [Waiver(r["check_id"], r["by"], r["justification"], r["at"]) for r in rows]

    def comment(self, vid: str, by: str, text: str) -> Comment:
        """Add a reviewer's comment (one or more lines, at most MAX_COMMENT characters)."""
        if by is None or not str(by).strip():
            raise ReviewError("a name is required")
        review_text(by, "name")
        if text is None or not text.strip():
            raise ReviewError("a comment needs text")
        if len(text) > MAX_COMMENT:
            raise ReviewError(f"a comment is at most {MAX_COMMENT} characters (got {len(text)})")
        for line in text.splitlines():
            if line.strip():
                review_text(line, "comment")
        at = now()
        with self._tx() as db:
            self._variant_row(db, vid)
            db.run(
                "INSERT INTO comments(variant_id, by, text, at) VALUES (:vid, :by, :text, :at)",
                vid=vid,
                by=by,
                text=text,
                at=at,
            )
        return Comment(by, text, at)

    def comments(self, vid: str) -> list[Comment]:
        with self._read() as db:
            rows = db.rows("SELECT * FROM comments WHERE variant_id=:vid ORDER BY comment_id", vid=vid)
        return [Comment(r["by"], r["text"], r["at"]) for r in rows]

    def _record(self, vid: str) -> VariantRecord:
        with self._read() as db:
            row = db.row(VARIANTS_SQL + " WHERE v.variant_id=:vid", vid=vid)
        assert row is not None
        return VariantRecord.from_row(row, self.catalog)

    def _variant_row(self, db: Tx, vid: str) -> RowMapping:
        row = db.row("SELECT * FROM variants WHERE variant_id=:vid", vid=vid)
        if row is None:
            raise ReviewError(f"no variant {shown(vid)} in {self.catalog}")
        return row

"""Versioned storage: content-addressed blobs plus a SQLite catalog of runs, variants, review
decisions (an append-only audit log) and publications.

Layout of an output folder:
    catalog.sqlite                 runs, variants, audit, publications, skipped
    blobs/sha256/ab/<sha>.png      every asset once, named by the hash of its bytes
    blobs/sha256/ab/<sha>.json     its lineage sidecar
    cutouts/sha256/ab/<sha>.png    each product cut-out (RGBA PNG) once, named by the SHA-256 of its
                                   decoded pixels (`image_sha256`, = lineage product.cutout_sha256)
    runs/<run_id>/...              browsable copies (hard links) and the run report (report.json)

`keep_variant` stores a rendered variant in one call (blob, catalog row, sidecar, browsable link)
and `finish_run` closes a run with its summary and report, so the campaign flow only orchestrates.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.checks.results import CheckReport
from pipeline.errors import InputError, ReviewError
from pipeline.model.lineage import Lineage
from pipeline.storage.sidecar import Sidecar, build_sidecar, load_sidecar, problem_line, sidecar_json

__all__ = ["Store", "VariantRecord", "ReviewError", "sha256_bytes", "variant_id", "blob_location", "cutout_location"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, brief TEXT NOT NULL, backend TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, summary TEXT
);
CREATE TABLE IF NOT EXISTS variants (
    variant_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, run_id TEXT NOT NULL, sku TEXT NOT NULL,
    scene TEXT NOT NULL, format TEXT NOT NULL, locale TEXT NOT NULL, blob_sha TEXT NOT NULL,
    verdict TEXT NOT NULL, reasons TEXT NOT NULL, checks TEXT NOT NULL, lineage TEXT NOT NULL,
    review TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS variants_run ON variants(run_id);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, variant_id TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT, details TEXT
);
CREATE TABLE IF NOT EXISTS publications (
    variant_id TEXT NOT NULL, dam TEXT NOT NULL, key TEXT NOT NULL, location TEXT NOT NULL,
    sha256 TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (variant_id, dam)
);
CREATE TABLE IF NOT EXISTS skipped (
    run_id TEXT NOT NULL, sku TEXT NOT NULL, subject TEXT NOT NULL, reason TEXT NOT NULL
);
"""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def variant_id(campaign_id: str, sku: str, scene: str, fmt: str, locale: str, blob_sha: str) -> str:
    """Stable id: the same inputs producing the same bytes are the same variant across runs."""
    key = "|".join((campaign_id, sku, scene, fmt, locale, blob_sha))
    return "v" + hashlib.sha256(key.encode()).hexdigest()[:11]


def blob_location(root: Path, sha: str, suffix: str = ".png") -> Path:
    """Where a store rooted at `root` keeps the blob with this SHA-256 (of its bytes)."""
    return Path(root) / "blobs" / "sha256" / sha[:2] / f"{sha}{suffix}"


def cutout_location(root: Path, pixel_sha: str) -> Path:
    """Where a store rooted at `root` keeps the cut-out whose decoded pixels hash to `pixel_sha`."""
    return Path(root) / "cutouts" / "sha256" / pixel_sha[:2] / f"{pixel_sha}.png"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class VariantRecord:
    variant_id: str
    campaign_id: str
    run_id: str
    sku: str
    scene: str
    format: str
    locale: str
    blob_sha: str
    verdict: str
    reasons: list[str]
    checks: list[dict[str, Any]]
    lineage: Lineage
    review: str
    created_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row, db_path: Path) -> VariantRecord:
        d = dict(row)
        for k in ("reasons", "checks"):
            d[k] = json.loads(d[k])
        try:
            d["lineage"] = Lineage.model_validate_json(d["lineage"])
        except ValidationError as exc:
            raise InputError(f"{db_path}: variant {d['variant_id']}: stored lineage: {problem_line(exc)}") from None
        return cls(**d)


class Store:
    """One output folder. Safe to reopen; every write is a transaction."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "catalog.sqlite"
        self._db = sqlite3.connect(self.db_path, timeout=30, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    @classmethod
    def open_existing(cls, root: Path) -> Store:
        if not (Path(root) / "catalog.sqlite").is_file():
            raise FileNotFoundError(
                f"{root}: no Vitrina output here (no catalog.sqlite); run `vitrina run BRIEF --out {root}` first"
            )
        return cls(root)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # --- blobs --------------------------------------------------------------------------------

    def blob_path(self, sha: str, suffix: str = ".png") -> Path:
        return blob_location(self.root, sha, suffix)

    def put_blob(self, data: bytes, suffix: str = ".png") -> str:
        sha = sha256_bytes(data)
        path = self.blob_path(sha, suffix)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return sha

    def put_json_sidecar(self, sha: str, sidecar: Sidecar) -> Path:
        """Write the blob's sidecar (`pipeline.storage.sidecar`) as blobs/sha256/ab/<sha>.json."""
        path = self.blob_path(sha, ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sidecar_json(sidecar), encoding="utf-8")
        return path

    def sidecar(self, sha: str) -> Sidecar:
        """The blob's sidecar, read back and validated (`InputError` when missing or not schema 1)."""
        return load_sidecar(self.blob_path(sha, ".json"))

    def put_cutout(self, cutout: Any) -> str:
        """Keep a product cut-out (an RGBA PIL image) as a PNG named by the SHA-256 of its pixels.

        Returns that hash, which is what lineage records as ``product.cutout_sha256``: with the
        banner and its sidecar, the cut-out is all `vitrina verify` (or anyone) needs to check the
        banner's product pixels. Written once; a cut-out already stored is left as it is.
        """
        from pipeline.imaging.imageio import (
            image_sha256,  # Pillow only where images are handled
        )

        if getattr(cutout, "mode", None) != "RGBA":
            raise InputError(f"a cut-out must be an RGBA image, got {getattr(cutout, 'mode', type(cutout).__name__)}")
        sha = image_sha256(cutout)
        path = self.cutout_path(sha)
        if not path.exists():
            buf = io.BytesIO()
            cutout.save(buf, "PNG", compress_level=6)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".png.tmp")
            tmp.write_bytes(buf.getvalue())
            os.replace(tmp, path)
        return sha

    def cutout_path(self, pixel_sha: str) -> Path:
        return cutout_location(self.root, pixel_sha)

    def link_into_run(self, sha: str, run_id: str, relative: str, suffix: str = ".png") -> Path:
        """A browsable name for a blob under runs/<run_id>/ (hard link, copy when links fail)."""
        target = self.root / "runs" / run_id / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        try:
            os.link(self.blob_path(sha, suffix), target)
        except OSError:
            target.write_bytes(self.blob_path(sha, suffix).read_bytes())
        return target

    # --- runs and variants --------------------------------------------------------------------

    def start_run(self, run_id: str, campaign_id: str, brief: str, backend: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs(run_id, campaign_id, brief, backend, started_at) VALUES (?,?,?,?,?)",
                (run_id, campaign_id, brief, backend, _now()),
            )

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> Path:
        """Record the run's summary and write runs/<run_id>/report.json: the summary plus one line
        per variant of the run (id, where it belongs, verdict, reasons). Returns the report's path."""
        with self._tx() as db:
            db.execute("UPDATE runs SET finished_at=?, summary=? WHERE run_id=?", (_now(), json.dumps(summary), run_id))
        detail = [
            {
                "id": v.variant_id,
                "sku": v.sku,
                "scene": v.scene,
                "format": v.format,
                "locale": v.locale,
                "verdict": v.verdict,
                "reasons": v.reasons,
            }
            for v in self.variants(run_id=run_id)
        ]
        report = self.root / "runs" / run_id / "report.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            json.dumps({**summary, "variants_detail": detail}, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return report

    def record_skip(self, run_id: str, sku: str, subject: str, reason: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO skipped VALUES (?,?,?,?)", (run_id, sku, subject, reason))

    def skipped(self, run_id: str) -> list[dict[str, str]]:
        rows = self._db.execute("SELECT sku, subject, reason FROM skipped WHERE run_id=?", (run_id,))
        return [dict(r) for r in rows]

    def keep_variant(self, run_id: str, png: bytes, report: CheckReport, lineage: Lineage) -> str:
        """Store a rendered variant: its PNG as a blob, its catalog row, its sidecar and a browsable
        link runs/<run_id>/<sku>/<scene>/<format>/<locale>.png. Returns the variant id."""
        sha = self.put_blob(png)
        vid = self.add_variant(
            run_id=run_id,
            campaign_id=lineage.campaign_id,
            sku=lineage.sku,
            scene=lineage.scene,
            fmt=lineage.format.id,
            locale=lineage.locale,
            blob_sha=sha,
            verdict=report.verdict.value,
            reasons=[r.message for r in report.results if r.verdict.failed],
            checks=[r.to_dict() for r in report.results],
            lineage=lineage,
        )
        self.put_json_sidecar(sha, build_sidecar(vid, report, lineage))
        self.link_into_run(sha, run_id, f"{lineage.sku}/{lineage.scene}/{lineage.format.id}/{lineage.locale}.png")
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
    ) -> str:
        """Record a variant; a variant already known (same inputs, same bytes) keeps its review state."""
        vid = variant_id(campaign_id, sku, scene, fmt, locale, blob_sha)
        with self._tx() as db:
            db.execute(
                "INSERT INTO variants(variant_id, campaign_id, run_id, sku, scene, format, locale, blob_sha, verdict,"
                " reasons, checks, lineage, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(variant_id) DO UPDATE SET run_id=excluded.run_id, verdict=excluded.verdict,"
                " reasons=excluded.reasons, checks=excluded.checks, lineage=excluded.lineage",
                (
                    vid,
                    campaign_id,
                    run_id,
                    sku,
                    scene,
                    fmt,
                    locale,
                    blob_sha,
                    verdict,
                    json.dumps(reasons),
                    json.dumps(checks),
                    json.dumps(lineage.model_dump(mode="json"), sort_keys=True),
                    _now(),
                ),
            )
        return vid

    def variant(self, vid: str) -> VariantRecord:
        row = self._db.execute("SELECT * FROM variants WHERE variant_id=?", (vid,)).fetchone()
        if row is None:
            raise ReviewError(f"no variant {vid!r} in {self.db_path}")
        return VariantRecord.from_row(row, self.db_path)

    def variants(
        self, *, run_id: str | None = None, review: str | None = None, verdict: str | None = None
    ) -> list[VariantRecord]:
        sql, args = "SELECT * FROM variants WHERE 1=1", []
        for col, val in (("run_id", run_id), ("review", review), ("verdict", verdict)):
            if val is not None:
                sql += f" AND {col}=?"
                args.append(val)
        sql += " ORDER BY sku, scene, format, locale"
        return [VariantRecord.from_row(r, self.db_path) for r in self._db.execute(sql, args)]

    def latest_run(self) -> str | None:
        row = self._db.execute("SELECT run_id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        return row["run_id"] if row else None

    # --- review -------------------------------------------------------------------------------

    def decide(
        self, vid: str, decision: str, actor: str, reason: str | None = None, action: str | None = None
    ) -> VariantRecord:
        """Approve or reject a variant; every decision goes into the audit log."""
        if decision not in ("approved", "rejected"):
            raise ReviewError(f"unknown decision {decision!r}")
        if not actor.strip():
            raise ReviewError("a reviewer name is required (--by NAME)")
        if decision == "rejected" and not (reason or "").strip():
            raise ReviewError("a rejection needs a reason (--reason TEXT)")
        record = self.variant(vid)
        if decision == "approved" and record.verdict == "blocked":
            raise ReviewError(f"{vid} is blocked and cannot be approved: {'; '.join(record.reasons)}")
        with self._tx() as db:
            db.execute("UPDATE variants SET review=? WHERE variant_id=?", (decision, vid))
            db.execute(
                "INSERT INTO audit(at, variant_id, action, actor, reason, details) VALUES (?,?,?,?,?,?)",
                (
                    _now(),
                    vid,
                    action or decision,
                    actor,
                    reason,
                    json.dumps({"verdict": record.verdict, "previous": record.review}),
                ),
            )
        return self.variant(vid)

    def audit(self, vid: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM audit", []
        if vid:
            sql, args = sql + " WHERE variant_id=?", [vid]
        return [dict(r) for r in self._db.execute(sql + " ORDER BY seq", args)]

    # --- publications -------------------------------------------------------------------------

    def publication(self, vid: str, dam: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM publications WHERE variant_id=? AND dam=?", (vid, dam)).fetchone()
        return dict(row) if row else None

    def is_published(self, vid: str) -> bool:
        return self._db.execute("SELECT 1 FROM publications WHERE variant_id=? LIMIT 1", (vid,)).fetchone() is not None

    def record_publication(self, vid: str, dam: str, key: str, location: str, sha: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO publications VALUES (?,?,?,?,?,?)", (vid, dam, key, location, sha, _now())
            )
            db.execute(
                "INSERT INTO audit(at, variant_id, action, actor, reason, details) VALUES (?,?,?,?,?,?)",
                (_now(), vid, "published", "vitrina", None, json.dumps({"dam": dam, "key": key})),
            )

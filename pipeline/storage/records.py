"""What the store's catalog gives back: a variant (`VariantRecord`) and a run (`RunRecord`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipeline.errors import InputError
from pipeline.model.lineage import Lineage
from pipeline.storage.sidecar import problem_line

__all__ = ["VariantRecord", "RunRecord"]


@dataclass(frozen=True)
class VariantRecord:
    variant_id: str
    campaign_id: str
    run_id: str  # the run that last made it (`Store.variants(run_id=...)` lists every run's own)
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
    report_hash: str | None = None
    input_key: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row, db_path: Path) -> VariantRecord:
        names = {f.name for f in fields(cls)}
        d = {k: row[k] for k in row.keys() if k in names}
        for k in ("reasons", "checks"):
            d[k] = json.loads(d[k])
        try:
            d["lineage"] = Lineage.model_validate_json(d["lineage"])
        except ValidationError as exc:
            raise InputError(f"{db_path}: variant {d['variant_id']}: stored lineage: {problem_line(exc)}") from None
        return cls(**d)


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    campaign_id: str
    brief: str
    backend: str
    started_at: str
    finished_at: str | None
    summary: dict[str, Any] | None
    pid: int | None
    host: str | None
    #: finished | running | interrupted (never finished, its process is gone) | unknown (never
    #: finished, started on another host, so whether it still runs cannot be told from here)
    status: str

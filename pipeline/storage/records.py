"""What the store's catalog gives back: a variant (`VariantRecord`), the slot it fills (`Slot`),
a run (`RunRecord`) and a publication due for retraction (`Retraction`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from pydantic import ValidationError

from pipeline.errors import InputError, shown
from pipeline.model.lineage import Lineage
from pipeline.storage.files import alive
from pipeline.storage.sidecar import problem_line

__all__ = ["VariantRecord", "RunRecord", "Slot", "SlotKey", "Retraction", "RetractionReason"]

#: (sku, scene, format, locale): a slot within one campaign.
SlotKey = tuple[str, str, str, str]

#: Why a published asset must leave its DAM (`Store.pending_retractions`).
RetractionReason = Literal["rejected", "rolled back", "superseded", "retired"]


@dataclass(frozen=True, order=True)
class Slot:
    """Where a banner goes: (campaign, SKU, scene, format, locale). Each render of a slot whose
    bytes differ from every earlier one is a new version of it. Written campaign/sku/scene/format/locale."""

    campaign_id: str
    sku: str
    scene: str
    format: str
    locale: str

    def __str__(self) -> str:
        return "/".join((self.campaign_id, self.sku, self.scene, self.format, self.locale))

    @classmethod
    def parse(cls, text: str) -> Slot:
        """A slot from its written form; InputError (one line) for anything else."""
        parts = text.split("/") if isinstance(text, str) else []
        if len(parts) != 5 or any(not p.strip() for p in parts):
            raise InputError(
                f"slot {shown(str(text))}: expected campaign/sku/scene/format/locale (five names separated by '/')"
            )
        return cls(*parts)


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
    version: int = 0  # 1, 2, ... within its slot
    state: str = ""  # its lifecycle state (`pipeline.storage.lifecycle.TRANSITIONS`)
    current: bool = False  # whether it is its slot's current version
    updated_at: str = ""  # moved by every change (the DAM feed's order)
    released_at: str | None = None  # first approved: the DAM feed lists it from then on

    @property
    def slot(self) -> Slot:
        return Slot(self.campaign_id, self.sku, self.scene, self.format, self.locale)

    @classmethod
    def from_row(cls, row: Mapping[Any, Any], catalog: str) -> VariantRecord:
        """The variant of a catalog row (`catalog` names the catalog in messages)."""
        names = {f.name for f in fields(cls)}
        d = {k: row[k] for k in row.keys() if k in names}
        for k in ("reasons", "checks"):
            d[k] = json.loads(d[k])
        d["current"] = bool(row.get("is_current"))
        d["version"], d["state"] = d.get("version") or 0, d.get("state") or ""
        try:
            d["lineage"] = Lineage.model_validate_json(d["lineage"])
        except ValidationError as exc:
            raise InputError(f"{catalog}: variant {d['variant_id']}: stored lineage: {problem_line(exc)}") from None
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

    @classmethod
    def from_row(cls, r: Mapping[Any, Any], host: str) -> RunRecord:
        """The run of catalog row `r`, its status as seen from `host` (this machine's name)."""
        if r["finished_at"] is not None:
            status = "finished"
        elif r["pid"] is None:
            status = "interrupted"  # started by a Vitrina that did not record its process
        elif r["host"] != host:
            status = "unknown"
        else:
            status = "running" if alive(r["pid"], r["proc_start"]) else "interrupted"
        return cls(
            run_id=r["run_id"],
            campaign_id=r["campaign_id"],
            brief=r["brief"],
            backend=r["backend"],
            started_at=r["started_at"],
            finished_at=r["finished_at"],
            summary=json.loads(r["summary"]) if r["summary"] else None,
            pid=r["pid"],
            host=r["host"],
            status=status,
        )


@dataclass(frozen=True)
class Retraction:
    """A publication that must leave its DAM: the asset `key` (stored at `location`, bytes
    `sha256`) of variant `variant_id` on `dam`, and why."""

    variant_id: str
    dam: str
    key: str
    location: str
    sha256: str
    reason: RetractionReason

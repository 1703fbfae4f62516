"""The sidecar: the JSON kept next to every banner, in the output folder and in the DAM.

One schema (``schema_version`` 2) for every copy: the store writes `Sidecar` (variant id, verdict,
brand score, check report, lineage) as ``blobs/sha256/ab/<sha>.json``; publishing sends
`PublishedSidecar`, the same record plus the asset's identity and its approvals. Both carry the
whole typed `Lineage`, so a banner fetched from the DAM verifies exactly like one from the store.

Schema 2 is auditor-complete (docs/audit.md): its lineage names the packshot relative to the
catalog, the crop box, the normalisation, the resampler, the brand guide's content hash and the
library versions, and ``cutout`` says where the product cut-out is kept (``key``, relative to the
root of the output folder or DAM holding the asset) and what its pixels hash to. Schema 1 sidecars
(Vitrina before the asset-lifecycle work) lack those and are refused with a message saying to run
the campaign again, which writes schema 2 (their banners can no longer be audited without Vitrina,
which is the point of the schema).

`read_sidecar` is the one way in: anything else (an older Vitrina's unversioned file, a hand
edit, a DAM sidecar of the old flat shape) fails with one line naming the field and the value.
`sidecar_json_schema` is what `vitrina schema sidecar` prints, for tools that read sidecars.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from pipeline.checks.results import CheckReport, Verdict
from pipeline.errors import InputError, shown
from pipeline.imaging.geometry import Box
from pipeline.model.lineage import FormatLineage, Lineage, Sha256

__all__ = [
    "SCHEMA_VERSION",
    "ResultRecord",
    "ReportRecord",
    "Sidecar",
    "CutoutRef",
    "cutout_key",
    "Approval",
    "PublishedSidecar",
    "build_sidecar",
    "read_sidecar",
    "load_sidecar",
    "sidecar_is_current",
    "sidecar_json",
    "sidecar_json_schema",
    "problem_line",
]

#: Raised when a sidecar's shape changes; readers refuse versions they do not know.
SCHEMA_VERSION: Literal[2] = 2


def cutout_key(pixel_sha: str) -> str:
    """Where an output folder keeps the cut-out whose pixels hash to `pixel_sha`, relative to its root
    (`pipeline.storage.store.cutout_location`)."""
    return f"cutouts/sha256/{pixel_sha[:2]}/{pixel_sha}.png"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResultRecord(_Record):
    """One check result (`pipeline.checks.results.CheckResult.to_dict`)."""

    check: str
    verdict: Verdict
    code: str
    message: str
    score: float | None = None
    box: Box | None = None


class ReportRecord(_Record):
    """A variant's check report (`pipeline.checks.results.CheckReport.to_dict`).

    ``rules`` and ``categories`` are summaries of ``results`` whose exact counts belong to
    `pipeline.checks.results`; they are kept as that module writes them.
    """

    verdict: Verdict
    brand_score: float = Field(ge=0, le=1)
    rules: dict[str, Any]
    categories: dict[str, dict[str, int]]
    results: tuple[ResultRecord, ...]


class CutoutRef(_Record):
    """The product cut-out (RGBA PNG) a banner's product pixels are checked against.

    ``key`` is relative to the root of the output folder or DAM that holds the asset (the store:
    ``cutouts/sha256/ab/<sha>.png``; a DAM: wherever the publisher put it); ``sha256`` is the
    SHA-256 of its decoded pixels (`image_sha256`, equal to ``lineage.product.cutout_sha256``)."""

    key: str
    sha256: Sha256


class Sidecar(_Record):
    """What the store keeps next to a banner: how it was made and what the checks said."""

    schema_version: Literal[2]
    variant_id: str
    verdict: Verdict
    brand_score: float = Field(ge=0, le=1)
    check_report: ReportRecord
    cutout: CutoutRef
    lineage: Lineage

    @model_validator(mode="after")
    def _auditor_complete(self) -> Sidecar:
        missing = self.lineage.missing_for_audit()
        if missing:
            raise ValueError(f"lineage lacks {', '.join(missing)} (required since schema_version 2)")
        if self.cutout.sha256 != self.lineage.product.cutout_sha256:
            raise ValueError(
                f"cutout.sha256 {self.cutout.sha256} is not lineage.product.cutout_sha256 "
                f"{self.lineage.product.cutout_sha256}"
            )
        return self


class Approval(_Record):
    """One entry of the review audit log that approved the asset."""

    by: str
    at: str
    action: str
    note: str | None


class CheckSummary(_Record):
    check: str
    verdict: Verdict
    code: str
    message: str


class PublishedSidecar(Sidecar):
    """The sidecar a DAM stores next to the asset: the store's sidecar plus identity and approvals
    (flat keys a DAM can index without reading the lineage)."""

    asset_sha256: Sha256  # of the PNG file's bytes (the DAM's object checksum)
    campaign: str
    sku: str
    locale: str
    format: FormatLineage
    scene: str
    review: str
    approvals: tuple[Approval, ...]
    checks: tuple[CheckSummary, ...]


def build_sidecar(variant_id: str, report: CheckReport, lineage: Lineage) -> Sidecar:
    """The store's sidecar for a rendered variant."""
    record = ReportRecord.model_validate(report.to_dict())
    return Sidecar(
        schema_version=SCHEMA_VERSION,
        variant_id=variant_id,
        verdict=report.verdict,
        brand_score=record.brand_score,
        check_report=record,
        cutout=CutoutRef(key=cutout_key(lineage.product.cutout_sha256), sha256=lineage.product.cutout_sha256),
        lineage=lineage,
    )


def problem_line(exc: ValidationError) -> str:
    """A pydantic error as one line: the first problem's field path, message and value."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    got = "" if first["type"] == "missing" else f" (got {shown(first['input'])})"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{got}{more}"


def read_sidecar(data: object, source: str = "sidecar") -> Sidecar:
    """A sidecar from its decoded JSON (a `PublishedSidecar` when it carries approvals).

    Raises `InputError`, one line starting with `source`, when `data` is not a sidecar of this
    schema version.
    """
    if not isinstance(data, dict):
        raise InputError(f"{source}: a sidecar is a JSON object, got {type(data).__name__}")
    if "schema_version" not in data:
        raise InputError(
            f"{source}: no schema_version: not a Vitrina sidecar of schema {SCHEMA_VERSION} "
            "(an older Vitrina's? run the campaign again to rewrite it)"
        )
    if data["schema_version"] == 1:
        raise InputError(
            f"{source}: schema_version 1 was written by an older Vitrina and lacks what an audit and "
            "`vitrina regenerate` need (source path relative to the catalog, crop box, resampler, library "
            "versions, brand hash); run the campaign again (`vitrina run BRIEF --out DIR`) to write schema 2"
        )
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(
            f"{source}: schema_version {shown(data['schema_version'])} is not one this Vitrina reads ({SCHEMA_VERSION})"
        )
    model = PublishedSidecar if "approvals" in data else Sidecar
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {problem_line(exc)}") from None


#: Largest sidecar file read (a demo sidecar is about 18 KiB; a diffusion one adds a line per weight file).
MAX_SIDECAR_BYTES = 4 * 1024 * 1024


def load_sidecar(path: Path) -> Sidecar:
    """`read_sidecar` on a file; a missing, special (a FIFO would block), oversized, unreadable or
    non-JSON file is an `InputError` too."""
    path = Path(path)
    try:
        if not path.is_file():
            raise InputError(f"sidecar {path}: not a regular file" if path.exists() else f"sidecar not found: {path}")
        with path.open("rb") as fh:
            raw = fh.read(MAX_SIDECAR_BYTES + 1)
        if len(raw) > MAX_SIDECAR_BYTES:
            raise InputError(
                f"sidecar {path}: larger than {MAX_SIDECAR_BYTES // (1024 * 1024)} MiB, not a Vitrina sidecar"
            )
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"sidecar not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"sidecar {path} is not readable JSON: {' '.join(str(exc).split())}") from None
    return read_sidecar(data, f"sidecar {path}")


def sidecar_is_current(path: Path) -> bool:
    """Whether the sidecar at `path` loads as a sidecar of this schema version (`load_sidecar`):
    a variant stored with an older one is not reused by a later run (`Store.reusable`), which
    makes it again with a sidecar of this schema."""
    try:
        load_sidecar(path)
    except InputError:
        return False
    return True


def sidecar_json(sidecar: Sidecar) -> str:
    """The sidecar as written to disk and to a DAM: sorted keys, indented, UTF-8 text kept as is."""
    return json.dumps(sidecar.model_dump(mode="json"), indent=2, ensure_ascii=False, sort_keys=True)


def sidecar_json_schema() -> dict[str, Any]:
    """JSON Schema of both sidecars (the store's and the DAM's), for tools that read them."""
    # cast: mypy reads a `X | Y` value as a UnionType object, not a type (its verdict differs run to run).
    either: TypeAdapter[Sidecar | PublishedSidecar] = TypeAdapter(cast(Any, Sidecar | PublishedSidecar))
    schema = either.json_schema(mode="validation")
    schema["title"] = f"Vitrina sidecar (schema_version {SCHEMA_VERSION})"
    return schema

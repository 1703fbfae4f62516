"""What the review app and the DAM feed read: a filtered page of variants with its total, the
values each filter can take, and the feed of released assets in a stable order.

The feed lists every variant ever approved ("released"), ordered by (updated_at, variant_id):
`updated_at` moves on every change (state, waiver, publication), and a client that resumes
strictly after the last (updated_at, variant_id) it saw never skips or repeats a row, even when
many rows share one time. Its state tells the DAM what to do: approved or published = live;
rejected, superseded or retracted = take it down.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from pipeline.errors import InputError, shown
from pipeline.storage.base import CatalogBase
from pipeline.storage.lifecycle import STATES, VARIANTS_FROM, VARIANTS_SQL
from pipeline.storage.records import VariantRecord

__all__ = ["VariantFilter", "Page", "FeedEntry", "QueryMixin", "feed_time", "MAX_PAGE"]

MAX_PAGE = 500
_ORDER = " ORDER BY v.sku, v.scene, v.format, v.locale, v.version, v.variant_id"
_VERDICTS = ("passed", "needs_review", "blocked")
_REVIEWS = ("pending", "approved", "rejected")


@dataclass(frozen=True)
class VariantFilter:
    """Each field, when set, keeps only variants with exactly that value."""

    campaign: str | None = None
    run: str | None = None
    sku: str | None = None
    locale: str | None = None
    format: str | None = None
    verdict: str | None = None
    review: str | None = None
    state: str | None = None
    current_only: bool = False

    def __post_init__(self) -> None:
        for name, allowed in (("verdict", _VERDICTS), ("review", _REVIEWS), ("state", STATES)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InputError(f"filter {name}={shown(str(value))}: choose one of {', '.join(allowed)}")


@dataclass(frozen=True)
class Page:
    items: list[VariantRecord]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class FeedEntry:
    variant: VariantRecord
    updated_at: str
    released_at: str
    publications: list[dict[str, Any]]


_COLUMNS = {"campaign": "campaign_id", "run": "run_id", "sku": "sku", "locale": "locale", "format": "format"}


def feed_time(value: str) -> str:
    """An RFC 3339 time with a zone, in the catalog's form (UTC, microseconds); InputError naming
    the value otherwise."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        raise InputError(
            f"updated_since {shown(str(value))}: not an RFC 3339 time (e.g. 2026-12-05T10:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise InputError(f"updated_since {shown(value)}: give a time zone (Z or +01:00)")
    return parsed.astimezone(UTC).isoformat(timespec="microseconds")


def _where(f: VariantFilter) -> tuple[str, dict[str, Any]]:
    sql, args = " WHERE 1=1", {}
    for field in fields(f):
        value = getattr(f, field.name)
        if field.name == "current_only" or value is None:
            continue
        if field.name == "run":  # every variant the run made or reused
            sql += " AND v.variant_id IN (SELECT variant_id FROM run_variants WHERE run_id=:run)"
        else:
            sql += f" AND v.{_COLUMNS.get(field.name, field.name)}=:{field.name}"
        args[field.name] = value
    if f.current_only:
        sql += " AND s.current_variant = v.variant_id"
    return sql, args


class QueryMixin(CatalogBase):
    def page(self, filters: VariantFilter | None = None, *, offset: int = 0, limit: int = 100) -> Page:
        """One page of the variants `filters` keeps, ordered by SKU, scene, format, locale, version."""
        f = filters or VariantFilter()
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise InputError(f"page: limit must be 1-{MAX_PAGE} and offset >= 0 (got {limit}, {offset})")
        where, args = _where(f)
        # Sort and cut the ids first, then read the page's rows: sorting whole rows (lineage and
        # checks JSON) made page 51 of 10,000 variants ~10x slower on SQLite.
        ids = f"SELECT v.variant_id{VARIANTS_FROM}{where}{_ORDER} LIMIT :limit OFFSET :offset"
        with self._read() as db:
            total = int(db.value(f"SELECT COUNT(*){VARIANTS_FROM}{where}", **args))
            rows = db.rows(f"{VARIANTS_SQL} WHERE v.variant_id IN ({ids}){_ORDER}", **args, limit=limit, offset=offset)
        return Page([VariantRecord.from_row(r, self.catalog) for r in rows], total, offset, limit)

    def facets(self) -> dict[str, list[str]]:
        """The values each filter can take: campaign, run, sku, locale, format (sorted)."""
        out: dict[str, list[str]] = {}
        with self._read() as db:
            for name, column in _COLUMNS.items():
                if name == "run":
                    rows = db.rows("SELECT run_id AS value FROM runs ORDER BY started_at DESC, run_id DESC")
                else:
                    rows = db.rows(f"SELECT DISTINCT {column} AS value FROM variants ORDER BY {column}")
                out[name] = [str(r["value"]) for r in rows]
        return out

    def feed(
        self, *, updated_since: str | None = None, after: tuple[str, str] | None = None, limit: int = 100
    ) -> list[FeedEntry]:
        """Released variants ordered by (updated_at, variant_id): those changed at or after
        `updated_since` (RFC 3339), strictly after `after` (the last (updated_at, variant_id) a
        client saw), at most `limit` (1-MAX_PAGE)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InputError(f"limit {limit}: must be 1-{MAX_PAGE}")
        sql = VARIANTS_SQL + " WHERE v.released_at IS NOT NULL"
        args: dict[str, Any] = {"limit": limit}
        if updated_since is not None:
            sql += " AND v.updated_at >= :since"
            args["since"] = feed_time(updated_since)
        if after is not None:
            sql += " AND (v.updated_at > :at OR (v.updated_at = :at AND v.variant_id > :vid))"
            args["at"], args["vid"] = after
        sql += " ORDER BY v.updated_at, v.variant_id LIMIT :limit"
        with self._read() as db:
            rows = db.rows(sql, **args)
            ids = [r["variant_id"] for r in rows]
            pubs: dict[str, list[dict[str, Any]]] = {}
            for vid in ids:
                pubs[vid] = [
                    dict(p)
                    for p in db.rows("SELECT * FROM publications WHERE variant_id=:vid ORDER BY at, dam", vid=vid)
                ]
        return [
            FeedEntry(VariantRecord.from_row(r, self.catalog), r["updated_at"], r["released_at"], pubs[r["variant_id"]])
            for r in rows
        ]

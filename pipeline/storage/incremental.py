"""What a re-run needs to do no more than what changed (`flows.campaign`, keys in `pipeline.resume`).

- Reuse in bulk: `reusable_many` finds the stored variants of many input keys in one query and
  `reuse_many` links them into a run in one transaction (a nightly refresh of 10,000 unchanged
  SKUs costs a few queries, not 10,000 transactions).
- Prepared products: the cut-out and what segmentation said about it (`prepared.product`), so a
  banner whose text changed is composed again without segmenting the photo again.
- Scenes: each rendered scene (the scene with the product in it, the product layer as placed,
  the placement, the backend's lineage) by the hash of what decides it, its images kept as blobs.
  A banner whose text changed is composed again over the stored scene: no new scene is rendered.
- Retirement: slots whose SKU or market left the catalog are retired by the run that notices
  (`retire_slots`): never published again, a published copy is retracted by the next publish
  (`pipeline.storage.lifecycle.retraction_reason`). A later run that plans the slot again
  reinstates it (`reinstate_slots`). Both are audit entries on the slot's current version.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import RowMapping, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.imaging.imageio import decode_image, encode_png
from pipeline.imaging.placement import Placement
from pipeline.imaging.products import PreparedProduct
from pipeline.scene.base import SceneResult
from pipeline.storage import tables
from pipeline.storage.audit import now
from pipeline.storage.base import CatalogBase
from pipeline.storage.database import Tx
from pipeline.storage.files import check_sha
from pipeline.storage.lifecycle import log, make_current, rendered_again
from pipeline.storage.records import Slot, SlotKey

__all__ = ["IncrementalMixin", "Preparation", "SlotKey"]

_CHUNK = 500


@dataclass(frozen=True)
class Preparation:
    """What preparing a SKU's photos gave: the cut-out kept (None: no usable photo), the photos
    rejected (subject, reason, fatal) and the prepared product's metadata."""

    cutout_sha: str
    rejected: list[dict[str, Any]]
    product: dict[str, Any] | None


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _in(name: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    """An ``IN (:p0, :p1, ...)`` clause with its parameters."""
    params = {f"p{i}": v for i, v in enumerate(values)}
    return f"{name} IN ({', '.join(':' + p for p in params)})", params


def product_metadata(product: PreparedProduct) -> dict[str, Any]:
    """The prepared product without its pixels (those are the stored cut-out)."""
    return {
        "source_sha256": product.source_sha256,
        "cutout_sha256": product.cutout_sha256,
        "mask_sha256": product.mask_sha256,
        "mask_method": product.mask_method,
        "mask_confidence": product.mask_confidence,
        "mask_notes": list(product.mask_notes),
        "crop_box": list(product.crop_box) if product.crop_box is not None else None,
        "source_size": list(product.source_size) if product.source_size is not None else None,
    }


class IncrementalMixin(CatalogBase):
    if TYPE_CHECKING:  # provided by OutputFolder, the store's other base

        def put_blob(self, data: bytes, suffix: str = ".png") -> str: ...
        def blob_path(self, sha: str, suffix: str = ".png") -> Path: ...
        def cutout_path(self, pixel_sha: str) -> Path: ...
        def link_into_run(self, sha: str, run_id: str, relative: str, suffix: str = ".png") -> Path: ...

    # --- variants ---------------------------------------------------------------------------

    def reusable_many(self, keys: Collection[str]) -> dict[str, str]:
        """Input key -> id of the newest stored variant made from exactly those inputs whose files
        (PNG, sidecar, cut-out) are all there. The sidecar's schema is part of the key
        (`pipeline.resume.KEY_VERSION`), so its file is not parsed here."""
        found: dict[str, str] = {}
        ordered = sorted(set(keys))
        with self._read() as db:
            for chunk in _chunks(ordered):
                clause, params = _in("input_key", chunk)
                rows = db.rows(
                    f"SELECT input_key, variant_id, blob_sha, lineage FROM variants WHERE {clause}"
                    " ORDER BY created_at, variant_id",
                    **params,
                )
                for r in rows:  # the newest wins: later rows overwrite earlier ones
                    try:
                        cutout = json.loads(r["lineage"])["product"]["cutout_sha256"]
                        files = (
                            self.blob_path(r["blob_sha"]),
                            self.blob_path(r["blob_sha"], ".json"),
                            self.cutout_path(cutout),
                        )
                    except (KeyError, TypeError, ValueError):
                        continue
                    if all(f.is_file() for f in files):
                        found[r["input_key"]] = str(r["variant_id"])
        return found

    def reuse_many(self, run_id: str, vids: Sequence[str]) -> dict[str, str]:
        """Link stored variants into `run_id` as reused, in one transaction; each becomes its
        slot's current version again unless a rollback pinned the slot. Returns id -> verdict.

        Batched (a nightly refresh reuses tens of thousands): one query for the variants with
        their slots, one multi-row insert; only a variant that is not its slot's current version
        takes the per-variant path (`rendered_again`: audit entry, state restored)."""
        verdicts: dict[str, str] = {}
        slots = tables.slots
        v = tables.variants
        query = (
            select(
                v.c.variant_id,
                v.c.blob_sha,
                v.c.verdict,
                v.c.sku,
                v.c.scene,
                v.c.format,
                v.c.locale,
                slots.c.current_variant,
                slots.c.pinned,
            )
            .select_from(
                v.outerjoin(
                    slots,
                    (slots.c.campaign_id == v.c.campaign_id)
                    & (slots.c.sku == v.c.sku)
                    & (slots.c.scene == v.c.scene)
                    & (slots.c.format == v.c.format)
                    & (slots.c.locale == v.c.locale),
                )
            )
            .where(v.c.variant_id.in_(bindparam("ids", expanding=True)))
        )
        at = now()
        with self._tx() as db:
            rows: list[RowMapping] = []
            for chunk in _chunks(list(dict.fromkeys(vids))):
                rows += db.conn.execute(query, {"ids": chunk}).mappings().all()
            if rows:
                insert = sqlite_insert if self._engine.dialect.name == "sqlite" else pg_insert
                stmt = insert(tables.run_variants)
                db.conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["run_id", "variant_id"], set_={"reused": stmt.excluded.reused, "at": at}
                    ),
                    [{"run_id": run_id, "variant_id": r["variant_id"], "reused": 1, "at": at} for r in rows],
                )
            for r in rows:
                if r["current_variant"] != r["variant_id"] and not r["pinned"]:
                    rendered_again(db, r["variant_id"], run_id)
                verdicts[r["variant_id"]] = r["verdict"]
                self.link_into_run(r["blob_sha"], run_id, f"{r['sku']}/{r['scene']}/{r['format']}/{r['locale']}.png")
        return verdicts

    def run_tally(self, run_id: str) -> list[dict[str, Any]]:
        """The run's variants as its report lists them (id, slot, verdict, reasons, published),
        read in one query without building full records: cheap for a run of 10,000 variants."""
        with self._read() as db:
            rows = db.rows(
                "SELECT v.variant_id, v.sku, v.scene, v.format, v.locale, v.verdict, v.reasons,"
                " EXISTS (SELECT 1 FROM publications p WHERE p.variant_id = v.variant_id"
                " AND p.retracted_at IS NULL) AS published"
                " FROM run_variants rv JOIN variants v ON v.variant_id = rv.variant_id WHERE rv.run_id = :run_id"
                " ORDER BY v.sku, v.scene, v.format, v.locale, v.version, v.variant_id",
                run_id=run_id,
            )
        return [
            {
                "id": r["variant_id"],
                "sku": r["sku"],
                "scene": r["scene"],
                "format": r["format"],
                "locale": r["locale"],
                "verdict": r["verdict"],
                "reasons": json.loads(r["reasons"]) if r["reasons"] else [],
                "published": bool(r["published"]),
            }
            for r in rows
        ]

    # --- prepared products --------------------------------------------------------------------

    def record_preparation(
        self,
        source_key: str,
        cutout_sha: str,
        rejected: list[dict[str, Any]],
        product: PreparedProduct | None = None,
    ) -> None:
        """Remember what preparing a SKU's photos (digest `source_key`) gave: the cut-out kept, the
        photos rejected (subject, reason, fatal) and the product's metadata, so a later run need
        not prepare them again."""
        with self._tx() as db:
            db.run(
                "INSERT INTO prepared(source_key, cutout_sha, rejected, at, product)"
                " VALUES (:key, :sha, :rejected, :at, :product)"
                " ON CONFLICT (source_key) DO UPDATE SET cutout_sha=excluded.cutout_sha,"
                " rejected=excluded.rejected, at=excluded.at, product=excluded.product",
                key=source_key,
                sha=check_sha(cutout_sha),
                rejected=json.dumps(rejected),
                at=now(),
                product=json.dumps(product_metadata(product)) if product is not None else None,
            )

    def preparations(self, keys: Collection[str]) -> dict[str, Preparation]:
        """Source key -> its recorded preparation, for those whose cut-out is stored."""
        found: dict[str, Preparation] = {}
        with self._read() as db:
            for chunk in _chunks(sorted(set(keys))):
                clause, params = _in("source_key", chunk)
                for r in db.rows(f"SELECT * FROM prepared WHERE {clause}", **params):
                    if self.cutout_path(r["cutout_sha"]).is_file():
                        product = json.loads(r["product"]) if r["product"] else None
                        found[r["source_key"]] = Preparation(r["cutout_sha"], list(json.loads(r["rejected"])), product)
        return found

    def prepared_product(self, preparation: Preparation, sku: str, source: Path) -> PreparedProduct | None:
        """The prepared product rebuilt from the store (cut-out pixels and recorded metadata), or
        None when its metadata was not recorded (a catalog from before revision 0004) or the
        stored cut-out no longer hashes to what was recorded."""
        from pipeline.imaging.imageio import image_sha256, open_image

        meta = preparation.product
        if meta is None or meta.get("cutout_sha256") != preparation.cutout_sha:
            return None
        cutout = open_image(self.cutout_path(preparation.cutout_sha), "stored cut-out").convert("RGBA")
        if image_sha256(cutout) != preparation.cutout_sha:
            return None
        crop, size = meta.get("crop_box"), meta.get("source_size")
        return PreparedProduct(
            sku=sku,
            source=source,
            source_sha256=meta["source_sha256"],
            cutout=cutout,
            cutout_sha256=meta["cutout_sha256"],
            mask_sha256=meta["mask_sha256"],
            mask_method=meta["mask_method"],
            mask_confidence=float(meta["mask_confidence"]),
            mask_notes=tuple(meta.get("mask_notes") or ()),
            crop_box=(crop[0], crop[1], crop[2], crop[3]) if crop else None,
            source_size=(size[0], size[1]) if size else None,
        )

    # --- scenes -------------------------------------------------------------------------------

    def put_scene(self, key: str, scene: SceneResult) -> None:
        """Keep a rendered scene under `key` (`pipeline.resume.scene_key`); its images as blobs."""
        image_sha = self.put_blob(encode_png(scene.image))
        layer_sha = self.put_blob(encode_png(scene.product_layer))
        placement = {
            "box": list(scene.placement.box),
            "scale": scene.placement.scale,
            "ground_y": scene.placement.ground_y,
        }
        with self._tx() as db:
            db.run(
                "INSERT INTO scenes(scene_key, image_sha, layer_sha, placement, lineage, at)"
                " VALUES (:key, :image, :layer, :placement, :lineage, :at) ON CONFLICT (scene_key) DO NOTHING",
                key=key,
                image=image_sha,
                layer=layer_sha,
                placement=json.dumps(placement),
                lineage=json.dumps(scene.lineage, sort_keys=True, default=str),
                at=now(),
            )

    def scene(self, key: str) -> SceneResult | None:
        """The scene stored under `key`, when it and its images are there."""
        with self._read() as db:
            row = db.row("SELECT * FROM scenes WHERE scene_key=:key", key=key)
        if row is None:
            return None
        paths = self.blob_path(row["image_sha"]), self.blob_path(row["layer_sha"])
        if not all(p.is_file() for p in paths):
            return None
        image = decode_image(paths[0].read_bytes(), str(paths[0]), "stored scene").convert("RGB")
        layer = decode_image(paths[1].read_bytes(), str(paths[1]), "stored product layer").convert("RGBA")
        placement = json.loads(row["placement"])
        box = placement["box"]
        return SceneResult(
            image,
            layer,
            Placement((box[0], box[1], box[2], box[3]), float(placement["scale"]), int(placement["ground_y"])),
            json.loads(row["lineage"]),
        )

    # --- retirement ---------------------------------------------------------------------------

    def campaign_slots(self, campaign_id: str) -> list[tuple[SlotKey, str | None]]:
        """Every slot of a campaign: (sku, scene, format, locale) and when it was retired (None: live)."""
        with self._read() as db:
            rows = db.rows(
                "SELECT sku, scene, format, locale, retired_at FROM slots WHERE campaign_id=:c"
                " ORDER BY sku, scene, format, locale",
                c=campaign_id,
            )
        return [((r["sku"], r["scene"], r["format"], r["locale"]), r["retired_at"]) for r in rows]

    def retire_slots(self, run_id: str, campaign_id: str, reasons: dict[SlotKey, str]) -> int:
        """Retire the given live slots (slot -> why), each with an audit entry on its current
        version; slots already retired are left as they are. Returns how many were retired."""
        done = 0
        with self._tx() as db:
            for (sku, scene, fmt, locale), reason in sorted(reasons.items()):
                slot = Slot(campaign_id, sku, scene, fmt, locale)
                changed = db.run(
                    "UPDATE slots SET retired_at=:at, retired_reason=:reason WHERE campaign_id=:c AND sku=:sku"
                    " AND scene=:scene AND format=:format AND locale=:locale AND retired_at IS NULL",
                    at=now(),
                    reason=reason,
                    **_slot_args(slot),
                )
                if changed:
                    _log_slot(db, slot, "retired", f"run {run_id}: {reason}")
                    done += 1
        return done

    def reinstate_slots(self, run_id: str, campaign_id: str, slots: Iterable[SlotKey]) -> int:
        """Bring back retired slots that run `run_id` planned again: each slot's current version
        is made current again (restored to approved when its approval holds). Returns how many."""
        retired = {key for key, at in self.campaign_slots(campaign_id) if at is not None}
        back = sorted(retired.intersection(slots))
        with self._tx() as db:
            for sku, scene, fmt, locale in back:
                slot = Slot(campaign_id, sku, scene, fmt, locale)
                row = db.row(
                    "UPDATE slots SET retired_at=NULL, retired_reason=NULL WHERE campaign_id=:c AND sku=:sku"
                    " AND scene=:scene AND format=:format AND locale=:locale RETURNING current_variant, pinned",
                    **_slot_args(slot),
                )
                if row is not None:
                    reason = f"run {run_id} planned the slot again"
                    make_current(
                        db, row["current_variant"], "vitrina", reason, pinned=bool(row["pinned"]), action="reinstated"
                    )
        return len(back)


def _slot_args(slot: Slot) -> dict[str, str]:
    return {"c": slot.campaign_id, "sku": slot.sku, "scene": slot.scene, "format": slot.format, "locale": slot.locale}


def _log_slot(db: Tx, slot: Slot, action: str, reason: str) -> None:
    current = db.value(
        "SELECT current_variant FROM slots WHERE campaign_id=:c AND sku=:sku AND scene=:scene AND format=:format"
        " AND locale=:locale",
        **_slot_args(slot),
    )
    if current is not None:
        log(db, str(current), action, "vitrina", reason, {"slot": str(slot)})

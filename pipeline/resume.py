"""Incremental runs: which variants of a run are already made and stored (reused), which only need
their text composed again over a stored scene (recomposed), and which need a new scene (rendered).

A variant's *input key* is a SHA-256 over everything that decides its bytes and its check
report: the plan (SKU, scene, format, locale, seed), the catalog row (title, price, currency,
stock, price history, image paths), the bytes of the SKU's source photos, the brand guide folder
(every file: brand.yaml, fonts, logo, claims), the prompts folder, the brief's settings and the
copy of that one locale, the scene backend's name and options and the Vitrina version. The
store keeps the key with the variant (`Store.keep_variant(..., input_key=)`); a later run with an
equal key links the stored variant in (`Store.reusable_many`, `Store.reuse_many`) instead of
rendering it again, when its stored files are all there and its sidecar is of the current schema.
Changing one locale's copy changes only that locale's keys.

A scene's key (`scene_key`) holds only what decides the scene: the request (size, the product's
cut-out pixels and the area it goes in, palette, style, seed, prompt and negative prompt), the
backend's name, options, model weights and imagery settings and the Vitrina version. A price,
copy, disclaimer or stock change leaves it equal: the banner is composed again over the stored
scene. A new photo, a new title (it is in the prompt) or a new model changes it.

Computing a key reads files (`folder_digest` once per run; the photos' hashes come from the
store's persistent file digests); `variant_input_key` and `scene_key` are pure. What the keys
cannot see: code changes that keep the version number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.model.campaign import Campaign
from pipeline.model.locales import locale_info
from pipeline.render import VITRINA_VERSION, VariantPlan
from pipeline.scene.base import SceneRequest
from pipeline.storage.records import SlotKey

__all__ = [
    "KEY_VERSION",
    "folder_digest",
    "source_digest",
    "run_digest",
    "backend_digest",
    "scene_key",
    "preparation_key",
    "variant_input_key",
    "retirements",
]

#: Bumped when what goes into a key changes, or what a stored variant holds (its sidecar's schema),
#: so keys of an older scheme never match. 2: sidecar schema 2 (auditor-complete lineage, cut-out
#: reference). 3: photos by their hashes, model weights in the key, PNG level 1.
KEY_VERSION = 3
_CHUNK = 1 << 20


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _hash_file(h: Any, path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:  # an unreadable file is an input like any other (its run will say why)
        h.update(f"\0unreadable:{exc.errno}".encode())


def source_digest(images: Iterable[Path], hashes: Mapping[Path, str] | None = None, *, paths: bool = True) -> str:
    """SHA-256 over a SKU's photos: each one's path and the SHA-256 of its bytes, in catalog order.
    `hashes`: the photos' hashes known already (`Store.file_digests`); others are read here, and
    an unreadable one enters as its error (its run says why). `paths=False`: the bytes only, so
    SKUs whose photos are the same files under other names (size or colour variants, a feed
    exported per SKU) share one product preparation."""
    h = hashlib.sha256(b"vitrina-sources-v3\0" if paths else b"vitrina-photo-bytes-v1\0")
    for path in images:
        known = (hashes or {}).get(Path(path))
        if known is None:
            one = hashlib.sha256()
            _hash_file(one, Path(path))
            known = one.hexdigest()
        h.update((f"\0{path}\0{known}" if paths else f"\0{known}").encode())
    return h.hexdigest()


def folder_digest(folder: Path) -> str:
    """SHA-256 over every regular file under `folder` (relative name and bytes, sorted by name)."""
    folder = Path(folder)
    h = hashlib.sha256(b"vitrina-folder\0")
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
            _hash_file(h, path)
    return h.hexdigest()


def run_digest(
    campaign: Campaign,
    backend: str,
    backend_options: Mapping[str, Any] | None = None,
    version: str = VITRINA_VERSION,
    weights: str | None = None,
) -> str:
    """What every variant of a run shares: the brand guide (parsed and every file of its folder),
    the prompts folder, the backend's name, options and model weights (`weights`: their hash)
    and the Vitrina version."""
    return hashlib.sha256(
        _canonical(
            {
                "key_version": KEY_VERSION,
                "vitrina": version,
                "brand": campaign.brand.model_dump(mode="json"),
                "brand_files": folder_digest(campaign.brand.root),
                "prompts": folder_digest(campaign.prompts_dir),
                "backend": backend,
                "backend_options": dict(backend_options or {}),
                "weights": weights,
            }
        )
    ).hexdigest()


def backend_digest(
    campaign: Campaign,
    backend: str,
    backend_options: Mapping[str, Any] | None = None,
    version: str = VITRINA_VERSION,
    weights: str | None = None,
) -> str:
    """What decides a scene besides its request: the backend's name, options and model weights,
    the brand's imagery settings (model, steps, guidance, LoRA) and the Vitrina version."""
    return hashlib.sha256(
        _canonical(
            {
                "key_version": KEY_VERSION,
                "vitrina": version,
                "backend": backend,
                "backend_options": dict(backend_options or {}),
                "weights": weights,
                "imagery": campaign.brand.imagery.model_dump(mode="json"),
            }
        )
    ).hexdigest()


def scene_key(request: SceneRequest, cutout_sha256: str, *, backend: str) -> str:
    """The key of one scene: its request (the cut-out by the hash of its pixels) and `backend`
    (`backend_digest`). Pure."""
    return hashlib.sha256(
        _canonical(
            {
                "key_version": KEY_VERSION,
                "backend": backend,
                "size": list(request.size),
                "cutout": cutout_sha256,
                "area": list(request.area),
                "palette": dict(request.palette),
                "style": request.style,
                "seed": request.seed,
                "prompt": request.prompt,
                "negative_prompt": request.negative_prompt,
            }
        )
    ).hexdigest()


def preparation_key(source: str, version: str = VITRINA_VERSION) -> str:
    """Key of a SKU's product preparation (cut-out, rejected photos): its photos' bytes in catalog
    order (`source_digest(..., paths=False)`) and the code."""
    return hashlib.sha256(_canonical({"key_version": KEY_VERSION, "vitrina": version, "sources": source})).hexdigest()


def variant_input_key(campaign: Campaign, plan: VariantPlan, *, run: str, source: str) -> str:
    """The input key of one planned variant (see the module docstring); `run` is `run_digest` of
    this run and `source` the `source_digest` of the SKU's photos. Pure."""
    brief = campaign.brief
    return hashlib.sha256(
        _canonical(
            {
                "key_version": KEY_VERSION,
                "run": run,
                "sources": source,
                "brief": _dumped(brief, _brief_settings),
                "sku": plan.sku,
                "scene": _dumped(plan.scene, _as_json),
                "format": plan.format_id,
                "locale": plan.locale,
                "copy": _dumped(brief.copy_[plan.locale], _as_json),
                "item": dataclasses.asdict(plan.item),
            }
        )
    ).hexdigest()


def _brief_settings(brief: Any) -> Any:
    # Every brief setting except the lists that span the matrix: only this variant's part of those.
    return brief.model_dump(mode="json", exclude={"copy_", "scenes", "formats", "locales", "skus", "name"})


def _as_json(model: Any) -> Any:
    return model.model_dump(mode="json")


#: id(model) -> (the model, its dump): a run keys every variant of a campaign (tens of thousands)
#: from the same brief, scenes and copy; dumping them again for each one was a tenth of an
#: unchanged 10,000-SKU refresh. The model is kept, so its id cannot be reused while cached.
_DUMPS: dict[tuple[int, Any], tuple[Any, Any]] = {}


def _dumped(model: Any, dump: Callable[[Any], Any]) -> Any:
    key = (id(model), dump)
    hit = _DUMPS.get(key)
    if hit is None or hit[0] is not model:
        if len(_DUMPS) > 256:
            _DUMPS.clear()
        hit = _DUMPS[key] = (model, dump(model))
    return hit[1]  # read only: it is only serialised


def retirements(
    campaign: Campaign, slots: list[tuple[SlotKey, str | None]], planned: set[SlotKey]
) -> dict[SlotKey, str]:
    """Live slots of the campaign to retire, with why: their SKU left the catalog, or is no longer
    listed in the locale's market, or is out of stock there where the brand retires those. Slots
    that are merely outside this brief (a SKU, scene, format or locale it no longer names) stay."""
    catalog, brief = campaign.catalog, campaign.brief
    skus = set(catalog.skus)
    out: dict[SlotKey, str] = {}
    for key, retired_at in slots:
        sku, scene, fmt, locale = key
        if retired_at is not None or key in planned:
            continue
        if scene not in {s.id for s in brief.scenes} or fmt not in brief.formats or locale not in brief.locales:
            continue
        if sku not in skus:
            out[key] = f"{sku} left the catalog"
            continue
        market = locale_info(locale).market
        item = catalog.item(sku, market)
        if item is None:
            out[key] = f"{sku} is no longer listed for market {market}"
        elif item.stock == 0 and campaign.brand.retire_out_of_stock:
            out[key] = f"{sku} is out of stock in market {market}"
    return out

"""Resume: which variants of a run are already made and stored, so a re-run reuses them.

A variant's *input key* is a SHA-256 over everything that decides its bytes and its check
report: the plan (SKU, scene, format, locale, seed), the catalog row (title, price, currency,
stock, price history, image paths), the bytes of the SKU's source photos, the brand guide folder
(every file: brand.yaml, fonts, logo, claims), the prompts folder, the brief's settings and the
copy of that one locale, the scene backend's name and options and the Vitrina version. The
store keeps the key with the variant (`Store.keep_variant(..., input_key=)`); a later run with an
equal key links the stored variant in (`Store.reusable`, `Store.reuse_variant`) instead of
rendering it again, when its stored files are all there and its sidecar is of the current schema.
Changing one locale's copy changes only that locale's keys.

Computing a key reads files (`folder_digest`, `source_digest`, once per run and per SKU);
`variant_input_key` itself is pure. What the key cannot see: the bytes of a diffusion model
folder (its path and options are in the key, not its weights) and code changes that keep the
version number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.model.campaign import Campaign
from pipeline.render import VITRINA_VERSION, VariantPlan

__all__ = [
    "KEY_VERSION",
    "folder_digest",
    "source_digest",
    "run_digest",
    "preparation_key",
    "variant_input_key",
]

#: Bumped when what goes into a key changes, or what a stored variant holds (its sidecar's schema),
#: so keys of an older scheme never match. 2: sidecar schema 2 (auditor-complete lineage, cut-out
#: reference); `Store.reusable` also refuses a variant whose stored sidecar is not of this schema.
KEY_VERSION = 2
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


def source_digest(images: Iterable[Path]) -> str:
    """SHA-256 over a SKU's photos: each one's path and bytes, in catalog order."""
    h = hashlib.sha256(b"vitrina-sources\0")
    for path in images:
        h.update(f"\0{path}\0".encode())
        _hash_file(h, Path(path))
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
) -> str:
    """What every variant of a run shares: the brand guide (parsed and every file of its folder),
    the prompts folder, the backend's name and options and the Vitrina version."""
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
            }
        )
    ).hexdigest()


def preparation_key(source: str, version: str = VITRINA_VERSION) -> str:
    """Key of a SKU's product preparation (cut-out, rejected photos): its photos and the code."""
    return hashlib.sha256(_canonical({"key_version": KEY_VERSION, "vitrina": version, "sources": source})).hexdigest()


def variant_input_key(campaign: Campaign, plan: VariantPlan, *, run: str, source: str) -> str:
    """The input key of one planned variant (see the module docstring); `run` is `run_digest` of
    this run and `source` the `source_digest` of the SKU's photos. Pure."""
    brief = campaign.brief
    # Every brief setting except the lists that span the matrix: only this variant's part of those.
    settings = brief.model_dump(mode="json", exclude={"copy_", "scenes", "formats", "locales", "skus", "name"})
    return hashlib.sha256(
        _canonical(
            {
                "key_version": KEY_VERSION,
                "run": run,
                "sources": source,
                "brief": settings,
                "sku": plan.sku,
                "scene": plan.scene.model_dump(mode="json"),
                "format": plan.format_id,
                "locale": plan.locale,
                "copy": brief.copy_[plan.locale].model_dump(mode="json"),
                "item": dataclasses.asdict(plan.item),
            }
        )
    ).hexdigest()

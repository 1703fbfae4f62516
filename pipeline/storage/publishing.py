"""What goes to a DAM with each approved asset: its key and a metadata sidecar."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from pipeline.errors import InputError, shown
from pipeline.storage.sidecar import Approval, CheckSummary, PublishedSidecar, Sidecar
from pipeline.storage.store import VariantRecord

__all__ = [
    "asset_key",
    "sidecar_key",
    "publication_sidecar",
    "object_metadata",
    "APPROVING_ACTIONS",
    "ENDING_ACTIONS",
]

#: Audit actions that approve an asset (`Store.decide`): the DAM sidecar lists who took them.
APPROVING_ACTIONS = ("approved", "auto-approved")
#: Audit actions that end an approval: approvals before the last of these are not listed.
ENDING_ACTIONS = ("rejected", "revoked")
#: Longest segment of an object key built from campaign data.
MAX_KEY_SEGMENT = 200


def _segment(v: VariantRecord, field: str, value: str) -> str:
    """One segment of an object key, made from campaign data: refused (InputError) when it is not
    a plain name, so a bad SKU can never address another place in the DAM."""
    problem = None
    if value in ("", ".", ".."):
        problem = "empty, '.' and '..' are not allowed"
    elif "/" in value or "\\" in value:
        problem = "path separators are not allowed"
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        problem = "control and invisible characters are not allowed"
    elif len(value) > MAX_KEY_SEGMENT:
        problem = f"longer than {MAX_KEY_SEGMENT} characters"
    if problem:
        raise InputError(f"{v.variant_id}: no object key for {field} {shown(value)}: {problem}")
    return value


def asset_key(v: VariantRecord) -> str:
    """campaign/sku/locale/format/scene-variant.png; InputError when a part is not a plain name."""
    parts = {"campaign": v.campaign_id, "sku": v.sku, "locale": v.locale, "format": v.format, "scene": v.scene}
    c, sku, loc, fmt, scene = (_segment(v, k, val) for k, val in parts.items())
    return f"{c}/{sku}/{loc}/{fmt}/{scene}-{_segment(v, 'variant id', v.variant_id)}.png"


def sidecar_key(v: VariantRecord) -> str:
    return asset_key(v).removesuffix(".png") + ".json"


def publication_sidecar(v: VariantRecord, stored: Sidecar, audit: Iterable[dict[str, Any]]) -> PublishedSidecar:
    """The sidecar a DAM stores next to the asset: the store's sidecar (`stored`, same schema, same
    lineage, so the published banner verifies on its own) plus identity, review state, the checks
    in brief and the approvals found in the variant's `audit` log since it was last rejected or
    its approval revoked (an approval that was taken back is not vouching for the asset)."""
    current: list[dict[str, Any]] = []
    for a in audit:
        if a["action"] in ENDING_ACTIONS:
            current = []
        elif a["action"] in APPROVING_ACTIONS:
            current.append(a)
    approvals = [Approval(by=a["actor"], at=a["at"], action=a["action"], note=a["reason"]) for a in current]
    checks = [
        CheckSummary(check=c["check"], verdict=c["verdict"], code=c["code"], message=c["message"]) for c in v.checks
    ]
    return PublishedSidecar(
        **dict(stored),
        asset_sha256=v.blob_sha,
        campaign=v.campaign_id,
        sku=v.sku,
        locale=v.locale,
        format=v.lineage.format,
        scene=v.scene,
        review=v.review,
        approvals=tuple(approvals),
        checks=tuple(checks),
    )


def object_metadata(v: VariantRecord) -> dict[str, str]:
    """Small key/value metadata for object stores (S3 user metadata)."""
    return {
        "sha256": v.blob_sha,
        "variant-id": v.variant_id,
        "campaign": v.campaign_id,
        "sku": v.sku,
        "locale": v.locale,
        "format": v.format,
        "verdict": v.verdict,
    }

"""What goes to a DAM with each approved asset: its key and a metadata sidecar."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.storage.sidecar import Approval, CheckSummary, PublishedSidecar, Sidecar
from pipeline.storage.store import VariantRecord

__all__ = ["asset_key", "sidecar_key", "publication_sidecar", "object_metadata", "APPROVING_ACTIONS"]

#: Audit actions that approve an asset (`Store.decide`): the DAM sidecar lists who took them.
APPROVING_ACTIONS = ("approved", "auto-approved")


def asset_key(v: VariantRecord) -> str:
    return f"{v.campaign_id}/{v.sku}/{v.locale}/{v.format}/{v.scene}-{v.variant_id}.png"


def sidecar_key(v: VariantRecord) -> str:
    return asset_key(v).removesuffix(".png") + ".json"


def publication_sidecar(v: VariantRecord, stored: Sidecar, audit: Iterable[dict[str, Any]]) -> PublishedSidecar:
    """The sidecar a DAM stores next to the asset: the store's sidecar (`stored`, same schema, same
    lineage, so the published banner verifies on its own) plus identity, review state, the checks
    in brief and the approvals found in the variant's `audit` log."""
    approvals = [
        Approval(by=a["actor"], at=a["at"], action=a["action"], note=a["reason"])
        for a in audit
        if a["action"] in APPROVING_ACTIONS
    ]
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

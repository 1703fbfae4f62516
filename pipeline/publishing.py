"""What goes to a DAM with each approved asset: its key and a metadata sidecar."""

from __future__ import annotations

from typing import Any

from pipeline.checks import CheckResult, build_report
from pipeline.store import VariantRecord

__all__ = ["asset_key", "sidecar_key", "publication_sidecar", "object_metadata"]


def asset_key(v: VariantRecord) -> str:
    return f"{v.campaign_id}/{v.sku}/{v.locale}/{v.format}/{v.scene}-{v.variant_id}.png"


def sidecar_key(v: VariantRecord) -> str:
    return asset_key(v).removesuffix(".png") + ".json"


def publication_sidecar(v: VariantRecord, approved_by: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON a DAM stores next to the asset: identity, lineage summary, checks, approvals."""
    lin = v.lineage
    return {
        "variant_id": v.variant_id,
        "asset_sha256": v.blob_sha,
        "campaign": v.campaign_id,
        "sku": v.sku,
        "locale": v.locale,
        "format": lin.get("format", {"id": v.format}),
        "scene": v.scene,
        "verdict": v.verdict,
        "review": v.review,
        "approvals": approved_by,
        "lineage": {
            "vitrina_version": lin.get("vitrina_version"),
            "product_source_sha256": lin.get("product", {}).get("source_sha256"),
            "product_cutout_sha256": lin.get("product", {}).get("cutout_sha256"),
            "product_layer_sha256": lin.get("product", {}).get("layer_sha256"),
            "product_placement_box": lin.get("product", {}).get("placement_box"),
            "generation": lin.get("generation"),
            "copy": lin.get("copy"),
            "price": lin.get("price"),
        },
        "brand_score": build_report(CheckResult.from_dict(c) for c in v.checks).brand_score,
        "checks": [{"check": c["check"], "verdict": c["verdict"], "code": c["code"], "message": c["message"]}
                   for c in v.checks],
    }


def object_metadata(v: VariantRecord) -> dict[str, str]:
    """Small key/value metadata for object stores (S3 user metadata)."""
    return {"sha256": v.blob_sha, "variant-id": v.variant_id, "campaign": v.campaign_id, "sku": v.sku,
            "locale": v.locale, "format": v.format, "verdict": v.verdict}

"""Publish approved assets to a DAM, idempotently: an asset already there (same key, same
sha256) is not uploaded again, whatever the local records say."""

from __future__ import annotations

from dataclasses import dataclass, field

from dam_connectors import DamConnector, DamError
from pipeline.errors import InputError
from pipeline.storage.publishing import (
    asset_key,
    object_metadata,
    publication_sidecar,
    sidecar_key,
)
from pipeline.storage.sidecar import sidecar_json
from pipeline.storage.store import Store, sha256_bytes

__all__ = ["PublishReport", "publish_approved"]


@dataclass
class PublishReport:
    dam: str
    uploaded: list[str] = field(default_factory=list)  # variant ids sent now
    already: list[str] = field(default_factory=list)  # variant ids the DAM already had
    failed: list[tuple[str, str]] = field(default_factory=list)  # (variant id, reason)
    objects_uploaded: int = 0
    not_attempted: int = 0  # approved variants left for the next publish after a DAM failure


def publish_approved(store: Store, connector: DamConnector) -> PublishReport:
    """Upload every approved variant (asset + JSON sidecar) that the DAM does not hold yet."""
    report = PublishReport(connector.uri)
    approved = store.variants(review="approved")
    for v in approved:
        try:
            published = publication_sidecar(v, store.sidecar(v.blob_sha), store.audit(v.variant_id))
            sidecar = sidecar_json(published).encode()
            objects = [
                (asset_key(v), store.blob_path(v.blob_sha).read_bytes(), "image/png", v.blob_sha),
                (sidecar_key(v), sidecar, "application/json", sha256_bytes(sidecar)),
            ]
            sent = 0
            location = ""
            for key, data, content_type, sha in objects:
                if connector.exists(key, sha):
                    continue
                meta = {**object_metadata(v), "sha256": sha}
                where = connector.put(key, data, content_type, meta)
                location = location or where
                sent += 1
            if sent:
                report.uploaded.append(v.variant_id)
                report.objects_uploaded += sent
            else:
                report.already.append(v.variant_id)
            if not store.publication(v.variant_id, connector.uri) or sent:
                store.record_publication(
                    v.variant_id, connector.uri, asset_key(v), location or asset_key(v), v.blob_sha
                )
        except DamError as exc:
            # Our keys are generated and valid, so a DAM error means the DAM itself is failing
            # (down, credentials, bucket): stop rather than fail the same way for every asset.
            report.failed.append((v.variant_id, str(exc)))
            report.not_attempted = len(approved) - len(report.uploaded) - len(report.already) - len(report.failed)
            break
        except OSError as exc:
            report.failed.append((v.variant_id, f"cannot read the asset: {exc}"))
        except InputError as exc:  # its stored sidecar is missing or not of this schema
            report.failed.append((v.variant_id, str(exc)))
    return report

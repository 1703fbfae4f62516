"""Publish approved assets to a DAM, idempotently: an asset already there (same key, same
sha256) is not uploaded again, whatever the local records say.

Only what is approved and not blocked *now* goes out: each variant's state is re-read right
before each of its uploads, and again by the store in the transaction that records the
publication (`Store.record_publication`). A rejection made while a publish runs is honoured; a
variant whose key cannot be built or is refused is skipped with a reason and the rest go on."""

from __future__ import annotations

from dataclasses import dataclass, field

from dam_connectors import DamConnector, DamError
from dam_connectors.base import validate_key
from pipeline.errors import InputError, ReviewError
from pipeline.storage.publishing import (
    asset_key,
    object_metadata,
    publication_sidecar,
    sidecar_key,
)
from pipeline.storage.sidecar import sidecar_json
from pipeline.storage.store import Store, sha256_bytes

__all__ = ["PublishReport", "publish_approved", "MAX_KEY_BYTES"]

#: Longest object key (UTF-8 bytes) sent to a DAM: S3's limit.
MAX_KEY_BYTES = 1024


@dataclass
class PublishReport:
    dam: str
    uploaded: list[str] = field(default_factory=list)  # variant ids sent now
    already: list[str] = field(default_factory=list)  # variant ids the DAM already had
    failed: list[tuple[str, str]] = field(default_factory=list)  # (variant id, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (variant id, why): no longer approved
    objects_uploaded: int = 0
    not_attempted: int = 0  # approved variants left for the next publish after a DAM failure


def _keys(connector: DamConnector, *keys: str) -> None:
    """Refuse (DamError) keys the DAM would refuse or misread, before anything is sent."""
    for key in keys:
        validate_key(key, uri=connector.uri)
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise DamError(f"{connector.uri}: key longer than {MAX_KEY_BYTES} bytes: {key[:80]}...", key=key)


def publish_approved(store: Store, connector: DamConnector) -> PublishReport:
    """Upload every approved variant (asset + JSON sidecar) that the DAM does not hold yet."""
    report = PublishReport(connector.uri)
    candidates = [v.variant_id for v in store.variants(review="approved")]
    for vid in candidates:
        try:
            v = store.publishable(vid)  # re-read now: a rejection made since the listing counts
        except ReviewError as exc:
            report.skipped.append((vid, str(exc)))
            continue
        try:
            key = asset_key(v)
            _keys(connector, key, sidecar_key(v))
        except (InputError, DamError) as exc:  # a name no DAM key can be made of: this asset only
            report.failed.append((vid, f"skipped, bad object key: {exc}"))
            continue
        sent = 0
        try:
            published = publication_sidecar(v, store.sidecar(v.blob_sha), store.audit(vid))
            sidecar = sidecar_json(published).encode()
            objects = [
                (key, store.blob_path(v.blob_sha).read_bytes(), "image/png", v.blob_sha),
                (sidecar_key(v), sidecar, "application/json", sha256_bytes(sidecar)),
            ]
            location = ""
            for object_key, data, content_type, sha in objects:
                if connector.exists(object_key, sha):
                    continue
                store.publishable(vid)  # again, immediately before each upload
                meta = {**object_metadata(v), "sha256": sha}
                where = connector.put(object_key, data, content_type, meta)
                location = location or where
                sent += 1
            if not store.publication(vid, connector.uri) or sent:
                store.record_publication(vid, connector.uri, key, location or key, v.blob_sha)
            if sent:
                report.uploaded.append(vid)
                report.objects_uploaded += sent
            else:
                report.already.append(vid)
        except ReviewError as exc:
            if sent:  # its state changed while it was being sent: the DAM holds what it must not
                report.objects_uploaded += sent
                report.failed.append(
                    (vid, f"{exc} while it was being published; remove {key} and its sidecar from {connector.uri}")
                )
            else:
                report.skipped.append((vid, str(exc)))
        except DamError as exc:
            # Keys were checked above, so a DAM error means the DAM itself is failing
            # (down, credentials, bucket): stop rather than fail the same way for every asset.
            report.failed.append((vid, str(exc)))
            done = len(report.uploaded) + len(report.already) + len(report.failed) + len(report.skipped)
            report.not_attempted = len(candidates) - done
            break
        except OSError as exc:
            report.failed.append((vid, f"cannot read the asset: {exc}"))
        except InputError as exc:  # its stored sidecar is missing or not of this schema
            report.failed.append((vid, str(exc)))
    return report

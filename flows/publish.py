"""Publish to a DAM, idempotently: first take back what must go, then send what is approved.

1. **Retractions.** Every publication of this DAM that the store says must go (its variant was
   rejected, rolled back or superseded: `Store.pending_retractions`, each re-checked with
   `Store.retraction_due` right before) is retracted: the rendition, the master, the cut-out and
   the JSON sidecar are removed and a tombstone (variant, master sha256, reason, when, by) is
   left in their place (`DamConnector.retract`); the store records where (`record_retraction`).
2. **Uploads.** The current version of each slot that is publishable now
   (`Store.publishable_current`): its PNG master, its channel rendition when that differs
   (`pipeline.storage.renditions`: JPEG q90), the product cut-out and the JSON sidecar
   (`pipeline.storage.publishing` says which keys). An object already there (same key, same
   sha256) is not uploaded again, whatever the local records say. Every file passes through
   `pipeline.storage.publishing.finalized`: the master and the rendition are signed by `signer`
   (XMP + C2PA, `pipeline.provenance`), the rendition with the signed master as its ingredient.
3. **Retractions again**, for the older versions that the versions just uploaded superseded (the
   store calls a version superseded once its successor is published): a slot is never empty in
   the DAM between two publishes.

Only what is approved and not blocked *now* goes out: each variant's state is re-read right
before each of its uploads, and again by the store in the transaction that records the
publication (`Store.record_publication`). A rejection made while a publish runs is honoured; a
variant whose key cannot be built or is refused is skipped with a reason and the rest go on. A
DAM that fails (down, credentials, bucket) stops the publish at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dam_connectors import DamConnector, DamError
from dam_connectors.base import validate_key
from pipeline.errors import InputError, ReviewError
from pipeline.provenance.signer import SignerConfig
from pipeline.storage.publishing import (
    CUTOUT,
    MASTER,
    SIDECAR,
    asset_key,
    cutout_key,
    finalize_context,
    finalized,
    master_key,
    object_metadata,
    publication_sidecar,
    retraction_keys,
    sidecar_key,
    tombstone_record,
)
from pipeline.storage.renditions import rendition_for
from pipeline.storage.sidecar import sidecar_json
from pipeline.storage.store import Store, sha256_bytes

__all__ = ["PublishReport", "publish_approved", "MAX_KEY_BYTES", "RETRACTED_BY"]

#: Longest object key (UTF-8 bytes) sent to a DAM: S3's limit.
MAX_KEY_BYTES = 1024
#: Who a tombstone says retracted the asset (the review decision that caused it is in the audit log).
RETRACTED_BY = "vitrina publish"


@dataclass
class PublishReport:
    dam: str
    uploaded: list[str] = field(default_factory=list)  # variant ids sent now
    already: list[str] = field(default_factory=list)  # variant ids the DAM already had
    retracted: list[tuple[str, str, str]] = field(default_factory=list)  # (variant id, reason, tombstone)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (variant id, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (variant id, why): no longer approved
    objects_uploaded: int = 0
    objects_retracted: int = 0
    not_attempted: int = 0  # retractions and approved variants left for the next publish after a DAM failure


def _keys(connector: DamConnector, *keys: str) -> None:
    """Refuse (DamError) keys the DAM would refuse or misread, before anything is sent."""
    for key in keys:
        validate_key(key, uri=connector.uri)
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise DamError(f"{connector.uri}: key longer than {MAX_KEY_BYTES} bytes: {key[:80]}...", key=key)


def _retract(store: Store, connector: DamConnector, report: PublishReport) -> bool:
    """Step 1; False when the DAM failed (the rest is left for the next publish)."""
    pending = store.pending_retractions(connector.uri)
    for done, listed in enumerate(pending):
        r = store.retraction_due(listed.variant_id, connector.uri)  # re-read: approved again since?
        if r is None:
            continue
        try:
            keys = retraction_keys(r.key)
            _keys(connector, *keys)
        except DamError as exc:  # a key no DAM accepts was never published under it
            report.failed.append((r.variant_id, f"cannot retract, bad object key: {exc}"))
            continue
        record = tombstone_record(r, RETRACTED_BY, datetime.now(UTC).isoformat(timespec="seconds"))
        try:
            locations = [connector.retract(key, record) for key in keys]
        except DamError as exc:
            report.failed.append((r.variant_id, f"cannot retract: {exc}"))
            report.not_attempted += len(pending) - done - 1
            return False
        store.record_retraction(r.variant_id, connector.uri, locations[0])
        report.retracted.append((r.variant_id, r.reason, locations[0]))
        report.objects_retracted += len(keys)
    return True


def publish_approved(store: Store, connector: DamConnector, signer: SignerConfig) -> PublishReport:
    """Retract what must go, then upload every publishable current version (master, rendition,
    cut-out, JSON sidecar; the images signed by `signer`) that the DAM does not hold yet; see the
    module docstring."""
    report = PublishReport(connector.uri)
    candidates = [v.variant_id for v in store.publishable_current()]
    if not _retract(store, connector, report):
        report.not_attempted += len(candidates)
        return report
    for done, vid in enumerate(candidates):
        try:
            v = store.publishable(vid)  # re-read now: a rejection made since the listing counts
        except ReviewError as exc:
            report.skipped.append((vid, str(exc)))
            continue
        try:
            rendition = rendition_for(store, v.blob_sha)  # made once, then from the store's cache
            master = store.blob_path(v.blob_sha).read_bytes()
            cutout = store.cutout_path(v.lineage.product.cutout_sha256).read_bytes()
        except OSError as exc:
            report.failed.append((vid, f"skipped, cannot read its master or cut-out: {exc.strerror or exc}"))
            continue
        except InputError as exc:  # its master is missing, damaged or changed on disk
            report.failed.append((vid, f"skipped, no rendition: {exc}"))
            continue
        try:
            key = asset_key(v, rendition.spec)
            keys = [master_key(v), cutout_key(v), sidecar_key(v)]
            _keys(connector, key, *keys)
        except (InputError, DamError) as exc:  # a name no DAM key can be made of: this asset only
            report.failed.append((vid, f"skipped, bad object key: {exc}"))
            continue
        sent = 0
        objects_sent: list[str] = []
        try:
            published = publication_sidecar(v, store.sidecar(v.blob_sha), store.audit(vid), cutout_key(v))
            signed_master = finalized(store, master, "image/png", finalize_context(v, keys[0], MASTER), signer, cutout)
            objects = [(keys[0], signed_master, "image/png", MASTER)]
            if key != keys[0]:  # a rendition of its own (JPEG), signed with the signed master as ingredient
                context = finalize_context(v, key, rendition.spec.name)
                data = finalized(store, rendition.data, rendition.spec.media_type, context, signer, signed_master)
                objects.append((key, data, rendition.spec.media_type, rendition.spec.name))
            objects.append((keys[1], cutout, "image/png", CUTOUT))
            sidecar = sidecar_json(published).encode()
            sidecar = finalized(store, sidecar, "application/json", finalize_context(v, keys[2], SIDECAR), signer)
            objects.append((keys[2], sidecar, "application/json", SIDECAR))
            location = ""
            for object_key, data, content_type, role in objects:
                sha = sha256_bytes(data)
                if connector.exists(object_key, sha):
                    continue
                store.publishable(vid)  # again, immediately before each upload
                meta = {**object_metadata(v, role), "sha256": sha}
                where = connector.put(object_key, data, content_type, meta)
                location = where if object_key == key else location
                objects_sent.append(object_key)
                sent += 1
            if not store.publication(vid, connector.uri) or sent:
                # the rendition was already there (an interrupted publish sent it): both
                # connectors locate a key at URI/key, as `put` would have returned it
                location = location or f"{connector.uri.rstrip('/')}/{key}"
                store.record_publication(vid, connector.uri, key, location, v.blob_sha)
            if sent:
                report.uploaded.append(vid)
                report.objects_uploaded += sent
            else:
                report.already.append(vid)
        except ReviewError as exc:
            if sent:  # its state changed while it was being sent: the DAM holds what it must not
                report.objects_uploaded += sent
                report.failed.append(
                    (vid, f"{exc} while it was being published; remove {', '.join(objects_sent)} from {connector.uri}")
                )
            else:
                report.skipped.append((vid, str(exc)))
        except DamError as exc:
            # Keys were checked above, so a DAM error means the DAM itself is failing
            # (down, credentials, bucket): stop rather than fail the same way for every asset.
            report.failed.append((vid, str(exc)))
            report.not_attempted += len(candidates) - done - 1
            break
        except OSError as exc:
            report.failed.append((vid, f"cannot read the asset: {exc}"))
        except InputError as exc:  # its stored sidecar is missing or not of this schema, or signing failed
            report.failed.append((vid, str(exc)))
    if not report.not_attempted:
        _retract(store, connector, report)  # what the versions just uploaded superseded
    return report

"""What goes to a DAM with each approved asset, and what is left when it is taken back.

Per variant the DAM holds, under the stem ``<campaign>/<sku>/<locale>/<format>/<scene>-<variant id>``:

- ``.png``: the PNG master, signed (what an auditor checks the product pixels of, docs/audit.md);
- ``.jpg``: the channel rendition (`pipeline.storage.renditions`: JPEG q90), signed with the signed
  master as its ingredient; only when it differs from the master (a master with transparency is
  its own rendition);
- ``.cutout.png``: the product cut-out, where `vitrina verify BANNER.png` looks for it; not signed
  (docs/provenance.md says why);
- ``.json``: the JSON sidecar (`PublishedSidecar`: the master's lineage, checks and approvals, and
  ``cutout.key`` naming the cut-out's key).

Every file passes through `finalize` right before it is sent (the images are signed there);
`finalized` makes that happen once per file, context and signer, so publishing again sends the
same bytes and the DAM's hash check holds. A retraction takes every object back and leaves
`tombstone_record` in their place.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any, Protocol

from pipeline.errors import InputError, shown
from pipeline.provenance import SIGNABLE, AssetClaim, AssetInfo, Ingredient, sign_asset, source_type_for_backend
from pipeline.provenance.signer import SignerConfig
from pipeline.storage.renditions import RenditionSpec
from pipeline.storage.sidecar import Approval, CheckSummary, CutoutRef, PublishedSidecar, Sidecar
from pipeline.storage.store import Store, VariantRecord, sha256_bytes

__all__ = [
    "asset_stem",
    "asset_key",
    "master_key",
    "cutout_key",
    "sidecar_key",
    "retraction_keys",
    "publication_sidecar",
    "object_metadata",
    "finalize",
    "finalize_context",
    "finalized",
    "tombstone_record",
    "APPROVING_ACTIONS",
    "ENDING_ACTIONS",
    "MASTER",
    "CUTOUT",
    "SIDECAR",
]

#: Audit actions that approve an asset (`Store.decide`): the DAM sidecar lists who took them.
APPROVING_ACTIONS = ("approved", "auto-approved")
#: Audit actions that end an approval: approvals before the last of these are not listed.
ENDING_ACTIONS = ("rejected", "revoked")
#: Longest segment of an object key built from campaign data.
MAX_KEY_SEGMENT = 200
#: Roles of the files published per variant besides the rendition (whose role is its spec's name):
#: `object_metadata` ``rendition`` and `finalize_context` ``rendition`` carry them.
MASTER, CUTOUT, SIDECAR = "master", "cutout", "sidecar"
#: Roles `finalize` passes through unchanged: the cut-out (docs/provenance.md) and the sidecar.
_UNSIGNED = frozenset({CUTOUT, SIDECAR})


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


def asset_stem(v: VariantRecord) -> str:
    """campaign/sku/locale/format/scene-variant; InputError when a part is not a plain name."""
    parts = {"campaign": v.campaign_id, "sku": v.sku, "locale": v.locale, "format": v.format, "scene": v.scene}
    c, sku, loc, fmt, scene = (_segment(v, k, val) for k, val in parts.items())
    return f"{c}/{sku}/{loc}/{fmt}/{scene}-{_segment(v, 'variant id', v.variant_id)}"


def asset_key(v: VariantRecord, spec: RenditionSpec) -> str:
    """The DAM key of the variant's rendition: the stem plus the spec's extension (``.jpg``); for
    a PNG rendition (a master with transparency) that is `master_key`. A publication is recorded
    under this key."""
    return asset_stem(v) + spec.extension


def master_key(v: VariantRecord) -> str:
    """The DAM key of the variant's PNG master: the stem plus ``.png``."""
    return asset_stem(v) + ".png"


def cutout_key(v: VariantRecord) -> str:
    """The DAM key of the product cut-out: the stem plus ``.cutout.png`` (`vitrina verify` looks
    there for ``BANNER.png``'s cut-out); the published sidecar's ``cutout.key``."""
    return asset_stem(v) + ".cutout.png"


def sidecar_key(v: VariantRecord) -> str:
    """The DAM key of the variant's JSON sidecar: the stem plus ``.json``."""
    return asset_stem(v) + ".json"


def retraction_keys(key: str) -> tuple[str, ...]:
    """What to take back for a publication recorded under `key` (its rendition, `asset_key`, or
    the master PNG an older Vitrina published): that object first, then the PNG master, the
    cut-out and the JSON sidecar at the same stem (each once)."""
    stem = str(PurePosixPath(key).with_suffix(""))
    keys = (key, stem + ".png", stem + ".cutout.png", stem + ".json")
    return tuple(dict.fromkeys(keys))


def publication_sidecar(
    v: VariantRecord, stored: Sidecar, audit: Iterable[dict[str, Any]], cutout: str | None = None
) -> PublishedSidecar:
    """The sidecar a DAM stores next to the asset: the store's sidecar (`stored`, same schema, same
    lineage, so the published banner verifies on its own) plus identity, review state, the checks
    in brief and the approvals found in the variant's `audit` log since it was last rejected or
    its approval revoked (an approval that was taken back is not vouching for the asset).
    `cutout`: the cut-out's key in the DAM (`cutout_key`), for ``cutout.key``; ``asset_sha256``
    names the master as the store keeps it (the published PNG is that plus its provenance, with
    the same pixels)."""
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
    fields = dict(stored)
    if cutout is not None:
        fields["cutout"] = CutoutRef(key=cutout, sha256=stored.cutout.sha256)
    return PublishedSidecar(
        **fields,
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


def object_metadata(v: VariantRecord, rendition: str | None = None) -> dict[str, str]:
    """Small key/value metadata for object stores (S3 user metadata). ``master-sha256`` names the
    PNG master in the store that the file was made from; ``rendition`` the spec that made it.
    ``sha256`` is the master's here: the caller sets it to the hash of the bytes it sends."""
    meta = {
        "sha256": v.blob_sha,
        "master-sha256": v.blob_sha,
        "variant-id": v.variant_id,
        "campaign": v.campaign_id,
        "sku": v.sku,
        "locale": v.locale,
        "format": v.format,
        "verdict": v.verdict,
    }
    if rendition is not None:
        meta["rendition"] = rendition
    return meta


def finalize(
    asset_bytes: bytes, mime: str, context: Mapping[str, str], signer: SignerConfig, ingredient: bytes | None = None
) -> bytes:
    """The last step of every file on its way to a DAM, and the one place where provenance is
    applied to it (`pipeline.provenance.sign_asset`): the XMP packet (IPTC digital source type)
    and the C2PA manifest signed by `signer` that name the campaign, the variant and what the
    file was made from (`context`, from `finalize_context`). `ingredient`: for the master
    (role `MASTER`), the product cut-out's PNG bytes (its packshot ingredient); for a rendition,
    the signed master's bytes. Returns the bytes to send; the cut-out, the JSON sidecar and any
    format C2PA does not cover come back as they were given.

    Raises `InputError` when an image to sign has no ingredient or cannot be signed,
    `ConfigError` when the signing library refuses the signer."""
    role = context["rendition"]
    if role in _UNSIGNED or mime not in SIGNABLE:
        return asset_bytes
    if ingredient is None:
        raise InputError(f"{context['key']}: no ingredient to sign it with ({role})")
    info = AssetInfo(
        title=context["title"],
        campaign_id=context["campaign"],
        variant_id=context["variant_id"],
        source_type=context["source_type"],
        credit=context["credit"],
    )
    if role == MASTER:
        packshot = Ingredient(f"{context['sku']} product cut-out", data=ingredient, mime="image/png")
        claim = AssetClaim(info, packshot=packshot)
    else:
        master = Ingredient(PurePosixPath(context["key"]).stem + ".png", data=ingredient, mime="image/png")
        claim = AssetClaim(info, master=master, rendition=f"channel rendition of the master ({role})")
    return sign_asset(asset_bytes, mime, claim, signer)


def _credit(v: VariantRecord) -> str:
    """The credit line: the brand guide's folder name (the brand), else the campaign."""
    inputs = v.lineage.inputs
    return PurePosixPath(inputs.brand.replace("\\", "/")).name if inputs and inputs.brand else v.campaign_id


def finalize_context(v: VariantRecord, key: str, rendition: str) -> dict[str, str]:
    """What `finalize` is told about a file: which variant, master and rendition it is, where it
    goes (`rendition` is the spec's name, or `MASTER`, `CUTOUT`, `SIDECAR`) and what its
    provenance says (title, credit, the IPTC digital source type of the scene backend)."""
    return {
        "variant_id": v.variant_id,
        "campaign": v.campaign_id,
        "sku": v.sku,
        "locale": v.locale,
        "format": v.format,
        "scene": v.scene,
        "master_sha256": v.blob_sha,
        "rendition": rendition,
        "key": key,
        "title": f"{v.campaign_id} - {v.sku} - {v.locale} - {v.format}",
        "credit": _credit(v) or v.campaign_id,
        "source_type": source_type_for_backend(v.lineage.generation.backend),
    }


_FINAL_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/json": ".json"}


def finalized(
    store: Store,
    data: bytes,
    mime: str,
    context: Mapping[str, str],
    signer: SignerConfig,
    ingredient: bytes | None = None,
) -> bytes:
    """`finalize(data, mime, context, signer, ingredient)`, made once: when it changes the bytes (a
    signature carries a time), the result is kept in the store's blobs (``<sha>.final.<ext>``,
    found through ``<input sha>.final-<context digest>.json``), so every later publish sends the
    very same bytes and the DAM's ``exists(key, sha256)`` still recognises them. The digest covers
    the context, the signer's certificate fingerprint and the ingredient's SHA-256: another signer
    (or a master signed again) signs again."""
    keyed = dict(context)
    keyed["signer_sha256"] = signer.fingerprint
    keyed["ingredient_sha256"] = sha256_bytes(ingredient) if ingredient is not None else ""
    digest = hashlib.sha256(json.dumps([mime, dict(sorted(keyed.items()))]).encode()).hexdigest()[:16]
    source = sha256_bytes(data)
    record_path = store.blob_path(source, f".final-{digest}.json")
    suffix = ".final" + _FINAL_EXTENSIONS.get(mime, ".bin")
    try:
        cached_sha = json.loads(record_path.read_text(encoding="utf-8"))["sha256"]
        cached = store.blob_path(cached_sha, suffix).read_bytes()
        if sha256_bytes(cached) == cached_sha:
            return cached
    except (OSError, ValueError, KeyError, TypeError, InputError):
        pass
    out = finalize(data, mime, context, signer, ingredient)
    if out == data:
        return data
    sha = store.put_blob(out, suffix)
    store.put_record(
        source, f".final-{digest}.json", json.dumps({"source_sha256": source, "sha256": sha, "mime": mime}).encode()
    )
    return out


class RetractionLike(Protocol):
    """What `tombstone_record` reads of a pending retraction (`Store.pending_retractions`)."""

    @property
    def variant_id(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def reason(self) -> str: ...


def tombstone_record(retraction: RetractionLike, by: str, at: str) -> dict[str, str]:
    """The record a DAM keeps where a retracted asset was: which variant and master (`sha256`),
    why (rejected, rolled back, superseded), when and by whom."""
    return {
        "variant_id": retraction.variant_id,
        "sha256": retraction.sha256,
        "reason": retraction.reason,
        "retracted_at": at,
        "by": by,
    }

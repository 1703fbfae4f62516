"""C2PA manifests: sign a published file (`sign_asset`) and read one back (`read_provenance`).

`sign_asset` writes the XMP packet first (`pipeline.provenance.xmp`), then embeds a C2PA manifest
signed last (c2pa-python, offline: no time-stamp authority), so the signature covers the XMP too.
A master banner's manifest says how it was made:

- ``c2pa.created`` with the IPTC digital source type (the same as the XMP's);
- ``c2pa.placed``: the product packshot, an ingredient (``componentOf``), put into the scene;
- ``c2pa.edited``: the localized text, price, CTA and logo drawn over it;
- ``com.vitrina.asset``: campaign id, variant id, title and the sha256 of every ingredient's bytes.

A channel rendition (e.g. the JPEG q90 for social) is another asset: its manifest has the master as
its ``parentOf`` ingredient, ``c2pa.opened`` (carrying the master's digital source type, so the
rendition's own manifest still tells AI from not AI) and ``c2pa.transcoded``. A signed master
embeds its manifest in the rendition's, so a validator sees the whole chain.

No thumbnails are embedded (they cost 18-48 KB per file and show nothing the file does not).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pipeline.errors import ConfigError, InputError, VerifyError, one_line
from pipeline.provenance.signer import TEST_MARKER, SignerConfig
from pipeline.provenance.xmp import AssetInfo, embed_xmp, sniff_mime, xmp_packet

__all__ = [
    "ASSERTION_LABEL",
    "SIGNABLE",
    "Ingredient",
    "AssetClaim",
    "ProvenanceReport",
    "sign_asset",
    "read_provenance",
    "trust_anchor_pem",
    "MAX_TRUST_BYTES",
]

#: The largest trust-anchor file read (a root bundle such as Mozilla's is about 250 KB).
MAX_TRUST_BYTES = 4 * 1024 * 1024
#: Label of Vitrina's own assertion (campaign and variant ids, ingredient hashes).
ASSERTION_LABEL = "com.vitrina.asset"
#: Formats `sign_asset` signs (XMP first, then C2PA).
SIGNABLE = frozenset({"image/png", "image/jpeg"})
_GENERATOR = "Vitrina"
_ALGS = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}
# Reading never goes online: no remote manifest fetch, no OCSP.
_READ_SETTINGS: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_SIGN_SETTINGS: dict[str, Any] = {"builder": {"thumbnail": {"enabled": False}}}

State = Literal["Trusted", "Valid", "Invalid", "none"]


@dataclass(frozen=True)
class Ingredient:
    """A file an asset was made from: the packshot of a master, the master of a rendition.

    Give its bytes (`data`) or its `path`; `mime` is sniffed from the bytes when not given.
    """

    title: str
    data: bytes | None = None
    path: Path | None = None
    mime: str | None = None

    def read(self) -> tuple[bytes, str]:
        """(bytes, mime type); `InputError` when neither is available or the format is unknown."""
        if self.data is not None:
            data = self.data
        elif self.path is not None:
            try:
                data = self.path.read_bytes()
            except OSError as exc:
                raise InputError(f"ingredient {self.title!r}: {self.path}: {exc.strerror or exc}") from None
        else:
            raise InputError(f"ingredient {self.title!r} has neither bytes nor a path")
        mime = self.mime or sniff_mime(data)
        if mime is None:
            raise InputError(f"ingredient {self.title!r}: not a PNG, JPEG or WebP file")
        return data, mime


@dataclass(frozen=True)
class AssetClaim:
    """What a published file's provenance says (see module doc).

    info: the XMP labels (source type, title, credit, campaign and variant ids), also used in the
        C2PA manifest. packshot: the product photo, for a master. master: the master PNG, for a
        channel rendition (then `packshot` is not needed: the master's own manifest names it).
    edit: what ``c2pa.edited`` says was drawn over the scene; rendition: what ``c2pa.transcoded``
        says (e.g. "JPEG quality 90 for social").
    """

    info: AssetInfo
    packshot: Ingredient | None = None
    master: Ingredient | None = None
    edit: str = "localized headline, price, call to action and logo drawn over the scene"
    rendition: str = "channel rendition of the master"
    generator_version: str = "0"

    def __post_init__(self) -> None:
        if self.packshot is None and self.master is None:
            raise InputError("a master asset needs its packshot ingredient; a rendition its master")


def _manifest(claim: AssetClaim, mime: str, ingredients: dict[str, str]) -> dict[str, Any]:
    info = claim.info
    if claim.master is not None:
        actions: list[dict[str, Any]] = [
            {
                "action": "c2pa.opened",
                "digitalSourceType": info.source_type,
                "parameters": {"ingredientIds": ["master"]},
            },
            {"action": "c2pa.transcoded", "description": claim.rendition},
        ]
    else:
        actions = [
            {"action": "c2pa.created", "digitalSourceType": info.source_type},
            {"action": "c2pa.placed", "parameters": {"ingredientIds": ["packshot"]}},
            {"action": "c2pa.edited", "description": claim.edit},
        ]
    return {
        "claim_generator_info": [{"name": _GENERATOR, "version": claim.generator_version}],
        "title": info.title,
        "format": mime,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions}},
            {
                "label": ASSERTION_LABEL,
                "data": {
                    "campaign_id": info.campaign_id,
                    "variant_id": info.variant_id,
                    "title": info.title,
                    "credit": info.credit,
                    "digital_source_type": info.source_type,
                    "ingredients_sha256": ingredients,
                },
            },
        ],
    }


def sign_asset(data: bytes, mime: str, claim: AssetClaim, signer: SignerConfig) -> bytes:
    """The file `data` (``image/png`` or ``image/jpeg``) with the claim's XMP packet, then a C2PA
    manifest signed by `signer` (module doc). Pixels and every other chunk/segment are kept.

    Raises `InputError` for another format or an unreadable ingredient, `ConfigError` when the
    signing library refuses the signer.
    """
    if mime not in SIGNABLE:
        raise InputError(f"C2PA signing covers PNG and JPEG files, not {mime!r}")
    if sniff_mime(data) != mime:
        raise InputError(f"the file to sign is not {mime} (its first bytes say {sniff_mime(data) or 'unknown'})")
    labelled = embed_xmp(data, mime, xmp_packet(claim.info))
    parts = [(label, ing) for label, ing in (("packshot", claim.packshot), ("master", claim.master)) if ing]
    read = {label: ing.read() for label, ing in parts}
    hashes = {label: hashlib.sha256(body).hexdigest() for label, (body, _) in read.items()}
    try:
        with (
            c2pa.Context.from_dict(_SIGN_SETTINGS) as context,
            c2pa.Builder(_manifest(claim, mime, hashes), context=context) as builder,
        ):
            for label, ing in parts:
                body, ing_mime = read[label]
                relationship = "parentOf" if label == "master" else "componentOf"
                builder.add_ingredient(
                    {"title": ing.title, "relationship": relationship, "label": label}, ing_mime, io.BytesIO(body)
                )
            info = c2pa.C2paSignerInfo(_ALGS[signer.alg], signer.chain_pem, signer.key_pem, None)
            with c2pa.Signer.from_info(info) as c2pa_signer:
                out = io.BytesIO()
                builder.sign(c2pa_signer, mime, io.BytesIO(labelled), out)
    except c2pa.C2paError as exc:
        text = one_line(str(exc))
        if "certificate" in text.lower() or "signature" in text.lower() or "key" in text.lower():
            raise ConfigError(signer.chain_path, "C2PA signer", signer.subject, text) from None
        raise InputError(f"C2PA signing failed: {text}") from None
    return out.getvalue()


@dataclass(frozen=True)
class ProvenanceReport:
    """A file's C2PA state as a validator sees it (`read_provenance`).

    state: ``Trusted`` (valid, signed by a certificate that chains to a trust anchor given),
        ``Valid`` (intact and well signed, signer not trusted here), ``Invalid`` (the file or its
        manifest was changed after signing, or the signature is bad), ``none`` (no manifest).
    failures: the validator's failure codes (e.g. ``assertion.dataHash.mismatch``);
        ``signingCredential.untrusted`` shows here for a Valid file.
    """

    state: State
    failures: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    signer: str | None = None
    test_signer: bool = False
    digital_source_type: str | None = None
    campaign_id: str | None = None
    variant_id: str | None = None
    title: str | None = None
    ingredients: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None  # why there is no manifest to read (state "none")

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "failures": self.failures,
            "signer": self.signer,
            "test_signer": self.test_signer,
            "digital_source_type": self.digital_source_type,
            "campaign_id": self.campaign_id,
            "variant_id": self.variant_id,
            "title": self.title,
            "ingredients": self.ingredients,
            "reason": self.reason,
        }

    def summary(self) -> str:
        """One line a person can read."""
        if self.state == "none":
            return f"none: {self.reason or 'no C2PA manifest'}"
        who = f"signed by {self.signer}" + (" (the local Vitrina TEST CA)" if self.test_signer else "")
        codes = f" [{', '.join(self.failures)}]" if self.failures else ""
        source = self.digital_source_type.rsplit("/", 1)[-1] if self.digital_source_type else "no digital source type"
        return f"{self.state}: {who}; {source}{codes}"


def _codes(results: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    failures: list[str] = []
    explanations: list[str] = []
    for entry in ((results or {}).get("activeManifest") or {}).get("failure", []):
        if entry.get("code") not in failures:
            failures.append(str(entry.get("code")))
            explanations.append(one_line(str(entry.get("explanation", ""))))
    return failures, explanations


def trust_anchor_pem(data: bytes) -> str:
    """The X.509 certificates in PEM `data`, written again as PEM (text around them dropped).
    VerifyError (one line) for more than `MAX_TRUST_BYTES`, no certificate, or a certificate
    block that does not parse: a trust file that cannot be used is bad input, never a manifest
    reported Valid or Invalid because the anchors were silently not there."""
    if len(data) > MAX_TRUST_BYTES:
        raise VerifyError(f"the trust anchors are over {MAX_TRUST_BYTES // 1024} KiB: not a file of root certificates")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise VerifyError("the trust anchors are not PEM certificates (no BEGIN CERTIFICATE)")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:  # the library's message is an ASN.1 parser dump
        raise VerifyError("the trust anchors hold a BEGIN CERTIFICATE block that is not an X.509 certificate") from None
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


def read_provenance(data: bytes, trust_anchors: bytes | None = None) -> ProvenanceReport:
    """Validate the C2PA manifest in a file's bytes, offline. `trust_anchors`: PEM root
    certificates to trust (a file signed under one of them is ``Trusted``, else at best ``Valid``).

    A file with no manifest, or of a format C2PA does not cover, is state ``none`` with a reason.
    `VerifyError` when the trust anchors are not PEM certificates.
    """
    mime = sniff_mime(data)
    if mime is None:
        return ProvenanceReport("none", reason="not a PNG, JPEG or WebP file")
    settings = dict(_READ_SETTINGS)
    if trust_anchors is not None:
        settings["trust"] = {"user_anchors": trust_anchor_pem(trust_anchors)}
    try:
        with c2pa.Context.from_dict(settings) as context:
            reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, context)
            if reader is None:
                return ProvenanceReport("none", reason="no C2PA manifest")
            with reader:
                state = str(reader.get_validation_state() or "Invalid")
                failures, explanations = _codes(reader.get_validation_results())
                active = cast("dict[str, Any] | None", reader.get_active_manifest()) or {}
    except c2pa.C2paError as exc:
        return ProvenanceReport("Invalid", ["manifest.unreadable"], [one_line(str(exc))])
    if state not in ("Trusted", "Valid", "Invalid"):
        state = "Invalid"
    signature = active.get("signature_info") or {}
    issuer = str(signature.get("issuer") or "")
    signer = ", ".join(p for p in (str(signature.get("common_name") or ""), issuer) if p) or None
    actions: list[dict[str, Any]] = []
    ours: dict[str, Any] = {}
    for assertion in active.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.startswith("c2pa.actions"):
            actions.extend((assertion.get("data") or {}).get("actions") or [])
        elif label == ASSERTION_LABEL:
            ours = assertion.get("data") or {}
    source = next((str(a["digitalSourceType"]) for a in actions if a.get("digitalSourceType")), None)
    ingredients = [
        {"title": str(i.get("title", "")), "relationship": str(i.get("relationship", ""))}
        for i in active.get("ingredients") or []
    ]
    return ProvenanceReport(
        cast(State, state),
        failures,
        explanations,
        signer=signer,
        test_signer=TEST_MARKER in issuer or TEST_MARKER in (signer or ""),
        digital_source_type=source,
        campaign_id=ours.get("campaign_id"),
        variant_id=ours.get("variant_id"),
        title=active.get("title"),
        ingredients=ingredients,
    )


def manifest_json(data: bytes) -> dict[str, Any] | None:
    """The whole manifest store of a file as c2pa-python reports it (for tests and debugging)."""
    mime = sniff_mime(data)
    if mime is None:
        return None
    with c2pa.Context.from_dict(_READ_SETTINGS) as context:
        reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, context)
        if reader is None:
            return None
        with reader:
            return cast("dict[str, Any]", json.loads(reader.json()))

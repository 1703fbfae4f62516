"""Provenance on every published file: IPTC/XMP labels first, a C2PA manifest signed last.

The whole API (docs/provenance.md says why each choice was made)::

    signer, created = load_or_create_signer(out_dir, key, certs)   # key/certs: Path | None
    # created: True when the local TEST CA was just made under out_dir/provenance/test-ca/: say so.

    info = AssetInfo(title=..., campaign_id=..., variant_id=...,
                     source_type=source_type_for_backend(lineage.generation.backend), credit=brand)

    # a master banner (PNG): created + placed (the packshot, an ingredient) + edited (the text)
    signed_png = sign_asset(png_bytes, "image/png",
                            AssetClaim(info, packshot=Ingredient("packshot.jpg", path=photo)), signer)
    # a channel rendition (JPEG): the master is its parentOf ingredient (opened + transcoded)
    signed_jpg = sign_asset(jpg_bytes, "image/jpeg",
                            AssetClaim(info, master=Ingredient("master.png", data=signed_png),
                                       rendition="JPEG quality 90 for social"), signer)

    report = read_provenance(file_bytes, trust_anchors=root_pem_bytes_or_None)
    report.state  # "Trusted" | "Valid" | "Invalid" | "none"; report.failures: the reason codes

    xmp_packet(info) -> bytes; embed_xmp(data, mime, packet) -> bytes   # XMP only, no signature

Sign last: any later change to the bytes (a metadata edit, a Pillow re-save) makes the file
``Invalid`` or drops the manifest. Signing is offline (no time-stamp authority).
"""

from pipeline.provenance.manifest import (
    ASSERTION_LABEL,
    SIGNABLE,
    AssetClaim,
    Ingredient,
    ProvenanceReport,
    read_provenance,
    sign_asset,
)
from pipeline.provenance.signer import SignerConfig, load_or_create_signer, load_signer
from pipeline.provenance.xmp import (
    COMPOSITE_SYNTHETIC,
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    AssetInfo,
    embed_xmp,
    source_type_for_backend,
    xmp_packet,
)

__all__ = [
    "ASSERTION_LABEL",
    "SIGNABLE",
    "COMPOSITE_SYNTHETIC",
    "COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA",
    "AssetClaim",
    "AssetInfo",
    "Ingredient",
    "ProvenanceReport",
    "SignerConfig",
    "embed_xmp",
    "load_or_create_signer",
    "load_signer",
    "read_provenance",
    "sign_asset",
    "source_type_for_backend",
    "xmp_packet",
]

"""C2PA on a real demo banner, signed with the local test CA and read back with c2pa-python:
``Trusted`` with the test root as trust anchor, ``Valid`` (+ signingCredential.untrusted) without;
a changed pixel or a metadata edit after signing is ``Invalid``; exiftool still reads the XMP's
DigitalSourceType from the signed PNG master and the signed JPEG rendition."""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError, VerifyError
from pipeline.provenance import (
    ASSERTION_LABEL,
    COMPOSITE_SYNTHETIC,
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    AssetClaim,
    AssetInfo,
    Ingredient,
    SignerConfig,
    read_provenance,
    sign_asset,
    source_type_for_backend,
)
from pipeline.provenance.manifest import MAX_TRUST_BYTES, manifest_json
from tests.pipeline.provenance.conftest import EXIFTOOL, exiftool, jpeg_of, needs_exiftool


def _info(backend: str = "studio", title: str = "Winter sale - B07GTFSCHB - en-US") -> AssetInfo:
    return AssetInfo(title, "winter-2026", "v-0001", source_type_for_backend(backend), "Halden")


@pytest.fixture(scope="module")
def signed_master(banner_png: bytes, packshot: Path, test_signer: SignerConfig) -> bytes:
    claim = AssetClaim(_info(), packshot=Ingredient(packshot.name, path=packshot))
    return sign_asset(banner_png, "image/png", claim, test_signer)


@pytest.fixture(scope="module")
def signed_rendition(banner_png: bytes, signed_master: bytes, test_signer: SignerConfig) -> bytes:
    claim = AssetClaim(
        _info(title="Winter sale - social"),
        master=Ingredient("master.png", data=signed_master),
        rendition="JPEG quality 90 for social",
    )
    return sign_asset(jpeg_of(banner_png), "image/jpeg", claim, test_signer)


def _root(signer: SignerConfig) -> bytes:
    assert signer.trust_anchor is not None
    return signer.trust_anchor.read_bytes()


@pytest.mark.parametrize(
    ("anchors", "message"),
    [
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "not an X.509 certificate"),
        (b"ROOT" + b"A" * MAX_TRUST_BYTES, "over 4096 KiB"),
        (b"hello", "no BEGIN CERTIFICATE"),
    ],
)
def test_trust_anchors_that_are_not_certificates_are_refused_not_ignored(
    signed_master: bytes, test_signer: SignerConfig, anchors: bytes, message: str
):
    with pytest.raises(VerifyError, match=message) as err:
        read_provenance(signed_master, anchors.replace(b"ROOT", _root(test_signer)))
    assert "\n" not in str(err.value)


def _actions(data: bytes) -> list[dict]:
    store = manifest_json(data)
    assert store is not None
    active = store["manifests"][store["active_manifest"]]
    return next(a["data"]["actions"] for a in active["assertions"] if a["label"].startswith("c2pa.actions"))


def test_a_signed_master_is_trusted_under_its_root_and_valid_without(signed_master: bytes, test_signer: SignerConfig):
    trusted = read_provenance(signed_master, _root(test_signer))
    assert trusted.state == "Trusted" and trusted.failures == []
    valid = read_provenance(signed_master)
    assert valid.state == "Valid" and valid.failures == ["signingCredential.untrusted"]
    assert valid.test_signer and "LOCAL TEST" in (valid.signer or "")
    assert (valid.campaign_id, valid.variant_id) == ("winter-2026", "v-0001")
    assert valid.digital_source_type == COMPOSITE_SYNTHETIC
    assert valid.summary().startswith("Valid: signed by Vitrina LOCAL TEST signer")


def test_the_master_says_created_placed_edited_with_the_packshot_as_ingredient(
    signed_master: bytes, banner_png: bytes, packshot: Path
):
    actions = _actions(signed_master)
    assert [a["action"] for a in actions] == ["c2pa.created", "c2pa.placed", "c2pa.edited"]
    assert actions[0]["digitalSourceType"] == COMPOSITE_SYNTHETIC
    assert actions[1]["parameters"]["ingredients"]  # linked to the packshot ingredient
    report = read_provenance(signed_master)
    assert report.ingredients == [{"title": packshot.name, "relationship": "componentOf"}]
    store = manifest_json(signed_master)
    assert store is not None
    ours = next(
        a["data"] for a in store["manifests"][store["active_manifest"]]["assertions"] if a["label"] == ASSERTION_LABEL
    )
    assert ours["ingredients_sha256"] == {"packshot": hashlib.sha256(packshot.read_bytes()).hexdigest()}
    assert "thumbnail" not in store["manifests"][store["active_manifest"]]
    # pixels untouched: the signed master decodes to the banner's pixels
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(signed_master))), np.asarray(Image.open(io.BytesIO(banner_png)))
    )


def test_a_rendition_has_the_master_as_parent(signed_rendition: bytes, test_signer: SignerConfig):
    report = read_provenance(signed_rendition, _root(test_signer))
    assert report.state == "Trusted", report.failures
    assert report.ingredients == [{"title": "master.png", "relationship": "parentOf"}]
    actions = _actions(signed_rendition)
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.transcoded"]
    assert actions[0]["digitalSourceType"] == COMPOSITE_SYNTHETIC
    assert actions[1]["description"] == "JPEG quality 90 for social"


@needs_exiftool
def test_exiftool_reads_the_digital_source_type_of_signed_files(
    signed_master: bytes, signed_rendition: bytes, tmp_path: Path
):
    for name, data in (("master.png", signed_master), ("social.jpg", signed_rendition)):
        path = tmp_path / name
        path.write_bytes(data)
        tags = exiftool(path, "-XMP-iptcExt:DigitalSourceType", "-XMP-vitrina:all")
        assert tags == {
            "DigitalSourceType": COMPOSITE_SYNTHETIC,
            "CampaignId": "winter-2026",
            "VariantId": "v-0001",
        }, name


def test_a_diffusion_scene_is_labelled_generative_ai(banner_png: bytes, packshot: Path, test_signer: SignerConfig):
    claim = AssetClaim(_info("diffusion"), packshot=Ingredient(packshot.name, path=packshot))
    signed = sign_asset(jpeg_of(banner_png), "image/jpeg", claim, test_signer)
    assert read_provenance(signed).digital_source_type == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    xmp = Image.open(io.BytesIO(signed)).getxmp()["xmpmeta"]["RDF"]["Description"]
    assert xmp["DigitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos : pos + 12 + length]))
        pos += 12 + length
    return chunks


def with_one_pixel_changed(signed_png: bytes) -> bytes:
    """The signed PNG with one pixel changed and every other chunk (manifest, XMP) kept: what a
    tool that edits pixels in place would leave."""
    image = Image.open(io.BytesIO(signed_png))
    image.load()
    r, g, b = image.getpixel((10, 10))[:3]
    image.putpixel((10, 10), (r ^ 1, g, b))
    out = io.BytesIO()
    image.save(out, "PNG")
    new_idat = b"".join(c for t, c in _png_chunks(out.getvalue()) if t == b"IDAT")
    kept = [c for t, c in _png_chunks(signed_png) if t not in (b"IDAT", b"IEND")]
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return signed_png[:8] + b"".join(kept) + new_idat + iend


def test_a_changed_pixel_is_invalid(signed_master: bytes, test_signer: SignerConfig):
    report = read_provenance(with_one_pixel_changed(signed_master), _root(test_signer))
    assert report.state == "Invalid"
    assert "assertion.dataHash.mismatch" in report.failures


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool is not installed")
def test_a_metadata_edit_after_signing_is_invalid(signed_rendition: bytes, tmp_path: Path):
    path = tmp_path / "social.jpg"
    path.write_bytes(signed_rendition)
    subprocess.run([EXIFTOOL, "-overwrite_original", "-XMP-dc:Title=edited", str(path)], check=True, timeout=60)
    assert read_provenance(path.read_bytes()).state == "Invalid"


def test_a_resave_drops_the_manifest_and_unsigned_files_say_none(signed_master: bytes):
    out = io.BytesIO()
    Image.open(io.BytesIO(signed_master)).save(out, "PNG")
    report = read_provenance(out.getvalue())
    assert report.state == "none" and report.summary() == "none: no C2PA manifest"
    assert read_provenance(b"GIF89a...").reason == "not a PNG, JPEG or WebP file"


def test_what_cannot_be_signed_is_a_one_line_input_error(banner_png: bytes, test_signer: SignerConfig):
    claim = AssetClaim(_info(), packshot=Ingredient("packshot.jpg", data=b"not an image"))
    with pytest.raises(InputError, match="ingredient 'packshot.jpg': not a PNG, JPEG or WebP file"):
        sign_asset(banner_png, "image/png", claim, test_signer)
    good = AssetClaim(_info(), packshot=Ingredient("p.png", data=banner_png))
    with pytest.raises(InputError, match="the file to sign is not image/jpeg"):
        sign_asset(banner_png, "image/jpeg", good, test_signer)
    with pytest.raises(InputError, match="not 'image/gif'"):
        sign_asset(banner_png, "image/gif", good, test_signer)
    with pytest.raises(InputError, match="needs its packshot ingredient"):
        AssetClaim(_info())

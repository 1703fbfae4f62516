"""XMP labels: the packet says what the image is (IPTC digital source type, title, credit, campaign and
variant ids); it goes into PNG and JPEG files without touching a pixel or any other chunk/segment;
exiftool (an independent reader) and Pillow read it back."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError
from pipeline.provenance import (
    COMPOSITE_SYNTHETIC,
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    AssetInfo,
    embed_xmp,
    source_type_for_backend,
    xmp_packet,
)
from tests.pipeline.provenance.conftest import exiftool, jpeg_of, needs_exiftool

INFO = AssetInfo(
    title='Winter sale <50%> & "more" - B07GTFSCHB - de-DE',
    campaign_id="winter-2026",
    variant_id="v-0001",
    source_type=COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    credit="Halden",
)


def test_the_source_type_tells_studio_sets_from_generated_scenes():
    assert source_type_for_backend("studio") == COMPOSITE_SYNTHETIC
    assert source_type_for_backend("diffusion") == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert source_type_for_backend("tiny_model") == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    # a backend nobody told us about is labelled as AI, never the other way round
    assert source_type_for_backend("someone-elses-backend") == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def test_a_source_type_outside_the_iptc_vocabulary_is_refused():
    with pytest.raises(InputError, match="not an IPTC digitalsourcetype URI"):
        AssetInfo("t", "c", "v", "http://example.com/ai", "Halden")


@needs_exiftool
@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_exiftool_and_pillow_read_the_labels_and_the_pixels_stay(banner_png: bytes, kind: str, tmp_path: Path):
    data = banner_png if kind == "png" else jpeg_of(banner_png)
    labelled = embed_xmp(data, f"image/{kind}", xmp_packet(INFO))
    path = tmp_path / f"banner.{kind}"
    path.write_bytes(labelled)

    tags = exiftool(path, "-XMP:all")
    assert tags["DigitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert tags["Title"] == INFO.title and tags["Credit"] == "Halden"
    assert tags["CampaignId"] == "winter-2026" and tags["VariantId"] == "v-0001"

    xmp = Image.open(io.BytesIO(labelled)).getxmp()["xmpmeta"]["RDF"]["Description"]
    assert xmp["DigitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert xmp["title"]["Alt"]["li"]["text"] == INFO.title
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(labelled))
    assert np.array_equal(np.asarray(before), np.asarray(after))


def test_only_the_xmp_is_added_every_other_byte_is_kept(banner_png: bytes):
    labelled = embed_xmp(banner_png, "image/png", xmp_packet(INFO))
    packet = xmp_packet(INFO)
    start = labelled.index(packet)
    # the iTXt chunk: 4 length bytes, type, keyword + 5 bytes of flags, the packet, 4 CRC bytes
    chunk_start = start - len(b"XML:com.adobe.xmp") - 5 - 8
    assert labelled[chunk_start + 4 : chunk_start + 8] == b"iTXt"
    assert labelled[:chunk_start] + labelled[start + len(packet) + 4 :] == banner_png

    jpeg = jpeg_of(banner_png)
    labelled_jpeg = embed_xmp(jpeg, "image/jpeg", packet)
    seg_start = labelled_jpeg.index(b"\xff\xe1" + (len(packet) + 31).to_bytes(2, "big"))
    assert labelled_jpeg[:seg_start] + labelled_jpeg[seg_start + 4 + 29 + len(packet) :] == jpeg


def test_a_second_packet_replaces_the_first(banner_png: bytes, tmp_path: Path):
    other = AssetInfo("old", "c-old", "v-old", COMPOSITE_SYNTHETIC, "Old brand")
    for mime, data in (("image/png", banner_png), ("image/jpeg", jpeg_of(banner_png))):
        twice = embed_xmp(embed_xmp(data, mime, xmp_packet(other)), mime, xmp_packet(INFO))
        assert twice == embed_xmp(data, mime, xmp_packet(INFO))
        assert b"c-old" not in twice


def test_other_formats_and_broken_files_are_one_line_errors(banner_png: bytes):
    packet = xmp_packet(INFO)
    with pytest.raises(InputError, match="PNG and JPEG files only, not 'image/webp'"):
        embed_xmp(b"RIFF....WEBP", "image/webp", packet)
    with pytest.raises(InputError, match="truncated PNG file"):
        embed_xmp(banner_png[:1000], "image/png", packet)
    with pytest.raises(InputError, match="not a JPEG file"):
        embed_xmp(banner_png, "image/jpeg", packet)
    with pytest.raises(InputError, match="truncated JPEG file"):
        embed_xmp(b"\xff\xd8\xff\xe0\x10\x00JFIF", "image/jpeg", packet)


def test_control_characters_in_a_title_do_not_break_the_xml():
    packet = xmp_packet(AssetInfo("a\x00b\x1bc", "c", "v", COMPOSITE_SYNTHETIC, "x"))
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    labelled = embed_xmp(png.getvalue(), "image/png", packet)
    assert (
        Image.open(io.BytesIO(labelled)).getxmp()["xmpmeta"]["RDF"]["Description"]["title"]["Alt"]["li"]["text"]
        == "abc"
    )

"""XMP/IPTC labels for a published file, and putting them into PNG and JPEG bytes untouched otherwise.

`xmp_packet(info)` writes one XMP packet: IPTC ``Iptc4xmpExt:DigitalSourceType`` (how the image was
made, from the IPTC vocabulary http://cv.iptc.org/newscodes/digitalsourcetype/), ``dc:title``,
``photoshop:Credit`` (IPTC Core "Credit Line") and Vitrina's campaign and variant ids in Vitrina's
own namespace (`VITRINA_NS`).

`embed_xmp(data, mime, packet)` splices that packet into the file's bytes: an ``iTXt`` chunk with
keyword ``XML:com.adobe.xmp`` right after a PNG's ``IHDR``, or an ``APP1`` segment with the Adobe
XMP header after a JPEG's ``APP0``/Exif segments. Nothing is decoded or re-encoded: every other
chunk or segment (pixel data, ICC profile, EXIF) keeps its bytes; an XMP packet already there is
replaced. (A JPEG being encoded anyway can take the packet from Pillow's ``save(xmp=packet)``.)

Which source type is true (`source_type_for_backend`, docs/provenance.md): a scene painted by a
trained model (`diffusion`, `tiny_model`, any backend not known to be model-free) is
``compositeWithTrainedAlgorithmicMedia``; a `studio` scene (a backdrop drawn by code, the real
product photo, text) is ``compositeSynthetic``: a composite with at least one synthetic element,
none of it generative AI.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pipeline.errors import InputError, shown

__all__ = [
    "IPTC_DIGITAL_SOURCE_TYPE",
    "COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA",
    "COMPOSITE_SYNTHETIC",
    "MODEL_FREE_BACKENDS",
    "VITRINA_NS",
    "AssetInfo",
    "source_type_for_backend",
    "xmp_packet",
    "embed_xmp",
    "sniff_mime",
]

IPTC_DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: "The compositing of trained algorithmic media with some other media, such as with inpainting or
#: outpainting operations" (IPTC): the diffusion backends inpaint the scene around the real product.
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = IPTC_DIGITAL_SOURCE_TYPE + "compositeWithTrainedAlgorithmicMedia"
#: "Mix or composite of several elements, at least one of which is synthetic" (IPTC): the studio
#: backend's backdrop is drawn by code (synthetic, not trained), the product is a real photo.
COMPOSITE_SYNTHETIC = IPTC_DIGITAL_SOURCE_TYPE + "compositeSynthetic"

#: Scene backends that use no trained model. Every other backend name counts as generative AI:
#: an unknown backend is labelled as AI rather than risk labelling AI output as not AI.
MODEL_FREE_BACKENDS = frozenset({"studio"})

#: Vitrina's XMP namespace (prefix ``vitrina``): CampaignId, VariantId.
VITRINA_NS = "https://ns.vitrina.dev/asset/1.0/"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_XMP_KEYWORD = b"XML:com.adobe.xmp"
_JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_MAX_JPEG_SEGMENT = 65533  # payload of one marker segment (its 2 length bytes count in 65535)


@dataclass(frozen=True)
class AssetInfo:
    """What the XMP packet says about one published file.

    source_type: an IPTC digital source type URI (`source_type_for_backend` picks the true one).
    credit: the credit line (the brand, e.g. "Halden"); title: e.g. "Winter sale - B07GTFSCHB - en-US".
    """

    title: str
    campaign_id: str
    variant_id: str
    source_type: str
    credit: str

    def __post_init__(self) -> None:
        if not self.source_type.startswith(IPTC_DIGITAL_SOURCE_TYPE):
            raise InputError(f"digital source type {shown(self.source_type)} is not an IPTC digitalsourcetype URI")
        for name in ("campaign_id", "variant_id"):
            if not getattr(self, name).strip():
                raise InputError(f"an asset needs a {name}")


def source_type_for_backend(backend: str) -> str:
    """The IPTC digital source type that tells the truth about a scene made by `backend`
    (`GenerationLineage.backend`): model-free studio sets are `COMPOSITE_SYNTHETIC`, every other
    backend `COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA`."""
    return COMPOSITE_SYNTHETIC if backend in MODEL_FREE_BACKENDS else COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def _text(value: str) -> str:
    """XML text: escaped, and without characters XML 1.0 cannot hold (controls other than tab/newline)."""
    kept = "".join(c for c in value if c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff"))
    return escape(kept, {'"': "&quot;"})


def xmp_packet(info: AssetInfo) -> bytes:
    """One UTF-8 XMP packet (with its ``<?xpacket?>`` wrapper) describing `info` (see module doc)."""
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:vitrina="{VITRINA_NS}"
    Iptc4xmpExt:DigitalSourceType="{_text(info.source_type)}"
    photoshop:Credit="{_text(info.credit)}"
    vitrina:CampaignId="{_text(info.campaign_id)}"
    vitrina:VariantId="{_text(info.variant_id)}">
   <dc:title>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">{_text(info.title)}</rdf:li>
    </rdf:Alt>
   </dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def sniff_mime(data: bytes) -> str | None:
    """``image/png``, ``image/jpeg`` or ``image/webp`` from the file's first bytes; None otherwise."""
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def embed_xmp(data: bytes, mime: str, packet: bytes) -> bytes:
    """`data` (a PNG or JPEG file) with `packet` as its only XMP packet; every other byte kept.

    Raises `InputError` for another format or a file whose chunk/segment structure is broken.
    """
    if mime == "image/png":
        return _png_with_xmp(data, packet)
    if mime == "image/jpeg":
        return _jpeg_with_xmp(data, packet)
    raise InputError(f"XMP can be embedded in PNG and JPEG files only, not {shown(mime)}")


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(type, payload, whole chunk bytes) of each chunk, up to and including IEND."""
    if not data.startswith(_PNG_SIGNATURE):
        raise InputError("not a PNG file (no PNG signature)")
    chunks = []
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if end > len(data):
            break
        kind = data[pos + 4 : pos + 8]
        chunks.append((kind, data[pos + 8 : pos + 8 + length], data[pos:end]))
        pos = end
        if kind == b"IEND":
            return chunks
    raise InputError("truncated PNG file (no IEND chunk)")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_with_xmp(data: bytes, packet: bytes) -> bytes:
    chunks = _png_chunks(data)
    if chunks[0][0] != b"IHDR":
        raise InputError("broken PNG file (the first chunk is not IHDR)")
    # iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
    itxt = _png_chunk(b"iTXt", _PNG_XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet)
    old_xmp = _PNG_XMP_KEYWORD + b"\0"
    kept = [whole for kind, payload, whole in chunks[1:] if not (kind == b"iTXt" and payload.startswith(old_xmp))]
    trailing = data[len(_PNG_SIGNATURE) + sum(len(whole) for _, _, whole in chunks) :]
    return _PNG_SIGNATURE + chunks[0][2] + itxt + b"".join(kept) + trailing


def _jpeg_with_xmp(data: bytes, packet: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise InputError("not a JPEG file (no SOI marker)")
    payload = _JPEG_XMP_HEADER + packet
    if len(payload) > _MAX_JPEG_SEGMENT:
        raise InputError(f"the XMP packet is {len(packet)} bytes; one JPEG segment holds at most 65504")
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    out = bytearray(b"\xff\xd8")
    pos, insert_at = 2, None
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise InputError("broken JPEG file (bad marker segment before the image data)")
        marker = data[pos + 1]
        if marker == 0xDA or not (0xC0 <= marker <= 0xCF or 0xDB <= marker <= 0xEF or marker == 0xFE):
            break  # start of scan (or a marker with no length): the rest is copied as it is
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        seg = data[pos : pos + 2 + length]
        if length < 2 or len(seg) != 2 + length:
            raise InputError("truncated JPEG file (a marker segment runs past the end)")
        leading = marker == 0xE0 or (marker == 0xE1 and seg[4:10] == b"Exif\x00\x00")
        if insert_at is None and not leading:
            insert_at = len(out)
        if not (marker == 0xE1 and seg[4:].startswith(_JPEG_XMP_HEADER)):
            out += seg
        pos += 2 + length
    if insert_at is None:
        insert_at = len(out)
    out[insert_at:insert_at] = segment
    return bytes(out) + data[pos:]

"""Channel renditions: the files a DAM receives, made from the PNG master the store keeps.

The master (a lossless PNG, the bytes the checks and the approval are bound to) never leaves the
store. Publishing sends one rendition per variant, chosen by this rule:

- **JPEG, quality 90, 4:4:4** (no chroma subsampling, so small coloured text stays sharp;
  baseline, optimised Huffman tables, no EXIF) for every master whose pixels are all opaque. Every
  channel format in `pipeline/model/formats.yaml` is an opaque placement (Meta feed and Stories,
  web hero and link images, IAB display units), where JPEG is what the platforms ask for and a
  fraction of the PNG's size; a per-format table would repeat this one value, so formats carry no
  rendition field.
- **PNG** (the master's bytes, unchanged) for a master with any pixel that is not fully opaque:
  transparency is a property of the content, not of the channel, and JPEG cannot keep it.

Each rendition is its own asset with its own SHA-256, made once: the bytes are a store blob
(``blobs/sha256/cd/<rendition sha>.jpg``) and the cache record, keyed by the master's SHA-256 and
the rendition spec, is the rendition's sidecar: ``blobs/sha256/ab/<master sha>.<spec>.json``
(`RenditionRecord`: which master it came from, the spec, the rendition's hash, size and encoder).
A record whose blob is missing or no longer hashes to it is made again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import PIL
from PIL import Image, features
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError, shown
from pipeline.imaging.imageio import decode_image
from pipeline.model.lineage import Sha256
from pipeline.storage.store import Store, sha256_bytes

__all__ = [
    "JPEG_Q90",
    "PNG",
    "SPECS",
    "Rendition",
    "RenditionRecord",
    "RenditionSpec",
    "encode_rendition",
    "rendition_for",
    "rendition_spec",
]


@dataclass(frozen=True)
class RenditionSpec:
    """How a rendition is encoded; `name` is part of its cache key and its DAM metadata."""

    name: str
    media_type: str
    extension: str
    quality: int | None = None


JPEG_Q90 = RenditionSpec("jpeg-q90", "image/jpeg", ".jpg", 90)
PNG = RenditionSpec("png", "image/png", ".png")
#: Every spec by name.
SPECS = {spec.name: spec for spec in (JPEG_Q90, PNG)}


class RenditionRecord(BaseModel):
    """The rendition's sidecar in the store (and its cache entry): which master it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    master_sha256: Sha256
    rendition: str
    media_type: str
    sha256: Sha256
    bytes: int
    size: tuple[int, int]
    encoder: dict[str, str]


@dataclass(frozen=True)
class Rendition:
    """A rendition ready to send: its spec, bytes and record."""

    spec: RenditionSpec
    data: bytes
    record: RenditionRecord

    @property
    def sha256(self) -> str:
        return self.record.sha256


def _open(master: bytes, sha: str) -> Image.Image:
    """The master decoded under the one pixel limit (`ImageRejected`, an `InputError`, naming it)."""
    return decode_image(master, f"master {shown(sha)}")


def _opaque(image: Image.Image) -> bool:
    """Whether every pixel is fully opaque; decodes the image only when it has an alpha channel
    or a transparent colour (an RGB master, Vitrina's own, is answered from its header)."""
    if "transparency" in image.info:
        image = image.convert("RGBA")
    if "A" not in image.getbands():
        return True
    low, _ = image.getchannel("A").getextrema()
    return bool(low == 255)


def rendition_spec(image: Image.Image) -> RenditionSpec:
    """The rule (module docstring): JPEG q90 for an opaque master, PNG when any pixel is not."""
    return JPEG_Q90 if _opaque(image) else PNG


def encode_rendition(master: bytes, spec: RenditionSpec, sha: str = "") -> bytes:
    """The rendition's bytes: deterministic for the same master, spec and Pillow/libjpeg-turbo."""
    if spec.media_type == "image/png":
        return master
    image = _open(master, sha or sha256_bytes(master))
    rgb = image.convert("RGB")
    buf = io.BytesIO()
    icc = image.info.get("icc_profile")
    options = {"icc_profile": icc} if icc else {}
    rgb.save(buf, "JPEG", quality=spec.quality, subsampling=0, optimize=True, progressive=False, **options)
    return buf.getvalue()


def _encoder() -> dict[str, str]:
    return {"pillow": PIL.__version__, "libjpeg_turbo": str(features.version("libjpeg_turbo") or "")}


def _cached(store: Store, master_sha: str, spec: RenditionSpec) -> Rendition | None:
    path = store.blob_path(master_sha, f".{spec.name}.json")
    try:
        record = RenditionRecord.model_validate_json(path.read_bytes())
        data = store.blob_path(record.sha256, spec.extension).read_bytes()
    except (OSError, ValidationError):
        return None
    if record.master_sha256 != master_sha or record.rendition != spec.name or sha256_bytes(data) != record.sha256:
        return None
    return Rendition(spec, data, record)


def rendition_for(store: Store, master_sha: str) -> Rendition:
    """The rendition of the stored master `master_sha`, made and cached on first use.

    Raises `InputError` when the master is missing, does not hash to its name, or is not an
    image: a blob changed behind the store's back is not published.
    """
    try:
        master = store.blob_path(master_sha).read_bytes()
    except OSError as exc:
        raise InputError(f"master {shown(master_sha)}: cannot read it from the store: {exc.strerror or exc}") from None
    if sha256_bytes(master) != master_sha:
        raise InputError(f"master {shown(master_sha)}: its bytes no longer hash to its name; it was changed on disk")
    try:
        image = _open(master, master_sha)
        spec = rendition_spec(image)
    except (OSError, ValueError) as exc:
        raise InputError(f"master {shown(master_sha)}: not a readable image: {' '.join(str(exc).split())}") from None
    hit = _cached(store, master_sha, spec)
    if hit is not None:
        return hit
    data = encode_rendition(master, spec, master_sha)
    sha = store.put_blob(data, spec.extension)
    record = RenditionRecord(
        master_sha256=master_sha,
        rendition=spec.name,
        media_type=spec.media_type,
        sha256=sha,
        bytes=len(data),
        size=image.size,
        encoder=_encoder() if spec.media_type == "image/jpeg" else {},
    )
    text = record.model_dump_json(indent=2) + "\n"
    store.put_record(master_sha, f".{spec.name}.json", text.encode("utf-8"))  # shared blobs get it too
    return Rendition(spec, data, record)

"""Thumbnails for the review UI: a WebP of a stored image (a variant's PNG blob or a product
cut-out), made once per (image, width) and kept under ``OUT/thumbs/<sha>-<width>.webp``.

Names are never taken from a request as they are: a thumbnail name must match
``<64 hex>-<width>.webp`` with a width from `WIDTHS`, and the image is looked up by its SHA-256
in the store (`Store.blob_path`, `Store.cutout_path`). A stored image changes never (it is named
by its hash), so a thumbnail made once stays right: the app serves it as immutable with an ETag.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import zlib
from pathlib import Path

from PIL import Image

from pipeline.errors import InputError
from pipeline.imaging.imageio import open_image
from pipeline.storage.store import Store

__all__ = ["WIDTHS", "QUEUE_WIDTH", "thumbnail", "parse_name", "thumb_name", "source_image"]

#: The widths the UI asks for (queue cards, variant page side panels). Anything else is refused.
WIDTHS = (160, 240, 320, 480)
QUEUE_WIDTH = 240
_NAME = re.compile(r"^(?P<sha>[0-9a-f]{64})-(?P<width>[1-9][0-9]{1,3})\.webp$")
_QUALITY = 80
#: Two requests for one missing thumbnail make it once: a lock per name, from a fixed set.
_LOCKS = tuple(threading.Lock() for _ in range(64))


def thumb_name(sha: str, width: int) -> str:
    return f"{sha}-{width}.webp"


def parse_name(name: str) -> tuple[str, int] | None:
    """(sha, width) of a thumbnail name, None for anything that is not one."""
    m = _NAME.match(name)
    if m is None or int(m["width"]) not in WIDTHS:
        return None
    return m["sha"], int(m["width"])


def source_image(store: Store, sha: str) -> Path | None:
    """The stored image with this SHA-256: a blob (PNG) or a product cut-out; None when neither."""
    for path in (store.blob_path(sha), store.cutout_path(sha)):
        if path.is_file():
            return path
    return None


def _lock(key: str) -> threading.Lock:
    return _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]


def thumbnail(store: Store, sha: str, width: int) -> Path | None:
    """The thumbnail's file, made now when it is not there yet; None when the store has no image
    with this SHA-256 (or it cannot be decoded). `width` must be one of `WIDTHS`."""
    if width not in WIDTHS:
        raise InputError(f"thumbnail width {width}: not one of {', '.join(map(str, WIDTHS))}")
    folder = Path(store.root) / "thumbs"
    target = folder / thumb_name(sha, width)
    if target.is_file():
        return target
    source = source_image(store, sha)
    if source is None:
        return None
    with _lock(target.name):
        if target.is_file():  # another request made it while this one waited
            return target
        try:
            image = open_image(source, "stored image")
        except InputError:
            return None
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.resolve().is_relative_to(Path(store.root).resolve()):
            raise InputError(f"{folder}: resolves outside the output folder; refused")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".thumb-", suffix=".webp")
        try:
            with os.fdopen(fd, "wb") as fh:
                image.save(fh, "WEBP", quality=_QUALITY, method=4)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target

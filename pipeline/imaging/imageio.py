"""Product image loading and the one place where PIL, numpy and OpenCV images meet.

Why one module: colour order (RGB vs BGR), channel count and dtype mistakes are the classic
silent bugs of an image pipeline. Every other module converts through these functions, so a
conversion is written (and tested) once.

`open_image` is the gate every image file passes, whichever command opens it (product photos,
the brand logo, banners given to `vitrina check image` and `vitrina verify`, cut-outs): one pixel
limit (`MAX_PIXELS`), checked from the header before decoding, and one-line `ImageRejected`
errors naming the file for bombs, truncated files and files that are not images.

`load_product_image` is the gate every product photo passes, on top of `open_image`. It refuses
what Vitrina cannot use *before* anything else touches it, with a reason a marketer can act on,
and returns one canonical form: a fresh RGBA image in sRGB, upright (EXIF orientation applied), with no
metadata left in ``.info`` (the pixels are already converted, so an ICC profile or EXIF
orientation kept there would be stale and would be applied a second time by a viewer).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, PngImagePlugin, UnidentifiedImageError

from pipeline.errors import ImageRejected

__all__ = [
    "MAX_PIXELS",
    "PNG_COMPRESS_LEVEL",
    "encode_png",
    "SUPPORTED_FORMATS",
    "open_image",
    "image_size",
    "load_product_image",
    "to_array",
    "from_array",
    "to_bgr",
    "from_bgr",
    "image_sha256",
]

#: Largest image (width x height) Vitrina decodes, in every command that opens one (`open_image`).
#: 40 MP (e.g. 7300 x 5480) is 20 times the largest channel format (1080 x 1920), more than any
#: e-commerce packshot delivery (2000-4000 px squares) and a 24-36 MP camera original; a 45-61 MP
#: original must be exported smaller. Measured: product prep peaks near 54 bytes per pixel (2.6 GB
#: RSS for a 48 MP packshot), so 40 MP keeps one SKU near 2.2 GB; `check image` stays under 0.8 GB.
#: Above the limit a file is refused from its header, before one pixel is decoded.
MAX_PIXELS = 40_000_000

#: Pillow format names Vitrina accepts, with the name shown to a marketer.
SUPPORTED_FORMATS: dict[str, str] = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "TIFF": "tiff"}

_CORRUPT = "truncated or corrupt image data"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# Colour space of an ICC profile (header field, 4 bytes, padded) -> image modes it can describe.
_PROFILE_MODES: dict[str, frozenset[str]] = {
    "RGB": frozenset({"RGB", "RGBA", "RGBX"}),
    "CMYK": frozenset({"CMYK"}),
    "GRAY": frozenset({"L", "LA"}),
}
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})


def open_image(path: Path | str, what: str | None = None, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open and decode an image file under the one pixel limit, or raise `ImageRejected`.

    Every command that reads an image a user handed in (product photos, the brand logo, a banner
    given to `vitrina check image` or `vitrina verify`, a cut-out) opens it here, so one limit and
    one set of messages apply everywhere. Refused, each with a one-line reason naming the file
    (prefixed by ``what``, e.g. ``"logo"``, when given): a missing file, a file that is not an
    image, a format other than JPEG/PNG/WebP/TIFF, an image above ``max_pixels`` (checked from the
    header, before any pixel is decoded, so a decompression bomb costs nothing), and truncated or
    corrupt pixel data (never padded with grey).

    Returns the decoded image with its file closed; ``format``, ``info`` and format specifics
    (a JPEG's ``quantization``) are kept. Pillow's decompression-bomb warning is turned into an
    error for the duration of the call through `warnings.catch_warnings`, which is process-wide
    in Python < 3.14.
    """
    path = Path(path)
    if not path.exists():
        raise ImageRejected(path, f"{what}: file not found" if what else "file not found")
    if not path.is_file():
        raise ImageRejected(path, f"{what}: not a file" if what else "not a file")
    return _decode(path, path, what, max_pixels)


def image_size(path: Path | str) -> tuple[int, int]:
    """(width, height) from the file's header, no pixel decoded; ImageRejected when it is not a
    readable image file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return int(im.width), int(im.height)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageRejected(path, "not a readable image file") from exc


def decode_image(data: bytes, name: str, what: str | None = None, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """`open_image` for bytes already in memory (a stored blob, a downloaded asset): the same
    limit and the same one-line `ImageRejected`, naming `name`."""
    return _decode(io.BytesIO(data), name, what, max_pixels)


def _decode(source: Path | io.BytesIO, name: Path | str, what: str | None, max_pixels: int) -> Image.Image:
    def refuse(reason: str) -> ImageRejected:
        return ImageRejected(name, f"{what}: {reason}" if what else reason)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as im:
                problem = _header_problem(im, max_pixels)
                if problem:
                    raise refuse(problem)
                try:
                    im.load()
                except (OSError, SyntaxError, ValueError, EOFError, zlib.error) as exc:
                    raise refuse(_CORRUPT) from exc
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard fired while reading the header (far above our limit); its message
        # carries the declared pixel count.
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) / 1e6:.0f} megapixels, " if found else ""
        raise refuse(f"image too large ({size}limit {max_pixels / 1e6:g} megapixels)") from exc
    except UnidentifiedImageError as exc:
        raise refuse("not an image file") from exc
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error) as exc:
        raise refuse(_CORRUPT) from exc
    return im


def load_product_image(path: Path, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Load a product photo as a new upright RGBA sRGB image, or raise `ImageRejected`.

    Refused, each with one short reason: everything `open_image` refuses (missing, not an
    image, unsupported format, above ``max_pixels`` from the header, truncated or corrupt), then
    unreadable orientation data and a broken colour profile. Nothing is silently repaired.
    """
    path = Path(path)
    im = open_image(path, max_pixels=max_pixels)
    icc = im.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(im)
    except Exception as exc:  # malformed EXIF blocks raise anything from Pillow
        raise ImageRejected(path, "unreadable photo orientation data") from exc
    if icc:
        upright = _to_srgb(path, upright, icc)
    rgba = _to_rgba(path, upright)
    # Rebuild from raw pixels: the result shares nothing (info, exif, palette, format) with the file.
    return Image.frombytes("RGBA", rgba.size, rgba.tobytes())


def _header_problem(im: Image.Image, max_pixels: int) -> str | None:
    """Why an opened (not yet decoded) image is refused from its header alone, or None."""
    fmt = im.format or "unknown"
    if fmt not in SUPPORTED_FORMATS:
        return f"unsupported image format {fmt.lower()} (use jpeg, png, webp or tiff)"
    width, height = im.size
    if width <= 0 or height <= 0:
        return _CORRUPT
    if width * height > max_pixels:
        return f"image too large ({width}x{height} pixels, limit {max_pixels / 1e6:g} megapixels)"
    return None


def _to_srgb(path: Path, im: Image.Image, icc: bytes) -> Image.Image:
    """Convert pixels described by an embedded ICC profile to sRGB (RGB or RGBA out)."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = source.profile.xcolor_space.strip()
        intent = _rendering_intent(ImageCms.getDefaultIntent(source))
    except (OSError, ImageCms.PyCMSError, ValueError, TypeError) as exc:
        raise ImageRejected(path, "broken colour profile") from exc
    if space not in _PROFILE_MODES:
        raise ImageRejected(path, f"unsupported colour profile ({space.lower()})")
    if im.mode not in _PROFILE_MODES[space]:
        raise ImageRejected(path, "colour profile does not match the image")
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
    colour = im.convert("L" if im.mode == "LA" else "RGB") if im.mode in ("RGBA", "RGBX", "LA") else im
    try:
        converted = ImageCms.profileToProfile(colour, source, _SRGB, renderingIntent=intent, outputMode="RGB")
    except (OSError, ImageCms.PyCMSError, ValueError) as exc:
        raise ImageRejected(path, "broken colour profile") from exc
    assert converted is not None  # inPlace=False always returns an image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _rendering_intent(value: int) -> ImageCms.Intent:
    """The profile header's rendering intent, or perceptual when the field holds none of the four.

    The field is only the profile maker's suggestion of how to map colours; the curves and
    colorants that convert the pixels live in the tags, which LittleCMS has already parsed by
    now. Real profiles get it wrong: scikit-learn's ``china.jpg`` carries a standard
    "sRGB IEC61966-2.1" profile whose field reads 16777216 (0x01000000, byte-swapped 1). Perceptual
    is the ICC's default intent (0), so such a photo converts as any untagged-intent one would.
    """
    try:
        return ImageCms.Intent(value)
    except ValueError:
        return ImageCms.Intent.PERCEPTUAL


def _to_rgba(path: Path, im: Image.Image) -> Image.Image:
    """Any Pillow mode -> RGBA, keeping real alpha (LA, PA, P with transparency, RGBA)."""
    if im.mode == "RGBA":
        return im
    if im.mode in _SIXTEEN_BIT_MODES:
        # Pillow's own I;16 -> L conversion clips at 255 instead of scaling; scale explicitly.
        wide = np.asarray(im).astype(np.uint32)
        grey = ((wide.clip(0, 65535) + 128) // 257).astype(np.uint8)
        return Image.fromarray(grey).convert("RGBA")
    if im.mode == "F":
        raise ImageRejected(path, "unsupported colour depth (32-bit float)")
    try:
        return im.convert("RGBA")
    except ValueError as exc:
        raise ImageRejected(path, f"unsupported colour mode {im.mode.lower()}") from exc


def to_array(img: Image.Image) -> np.ndarray:
    """Image -> new writable ``HxWxC`` uint8 array (C = 1 for L, 3 for RGB, 4 for RGBA).

    Other modes raise `ValueError` rather than being converted behind the caller's back.
    """
    if img.mode not in ("L", "RGB", "RGBA"):
        raise ValueError(f"to_array needs an L, RGB or RGBA image, got mode {img.mode!r}")
    arr = np.array(img, dtype=np.uint8)
    return arr[:, :, None] if arr.ndim == 2 else arr


def from_array(arr: np.ndarray) -> Image.Image:
    """``HxW`` / ``HxWx1`` (L), ``HxWx3`` (RGB) or ``HxWx4`` (RGBA) uint8 array -> new image.

    The image owns a copy of the pixels: changing ``arr`` afterwards does not change it.
    """
    if arr.dtype != np.uint8:
        raise ValueError(f"from_array needs a uint8 array, got {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        raise ValueError(f"from_array needs HxW, HxWx1, HxWx3 or HxWx4, got shape {arr.shape}")
    mode = "L" if arr.ndim == 2 else ("RGB" if arr.shape[2] == 3 else "RGBA")
    data = np.ascontiguousarray(arr)
    return Image.frombytes(mode, (data.shape[1], data.shape[0]), data.tobytes())


def to_bgr(img: Image.Image) -> np.ndarray:
    """Image -> OpenCV array: RGB -> ``HxWx3`` BGR, RGBA -> ``HxWx4`` BGRA, L -> ``HxW``."""
    arr = to_array(img)
    if arr.shape[2] == 1:
        return np.ascontiguousarray(arr[:, :, 0])
    order = [2, 1, 0] if arr.shape[2] == 3 else [2, 1, 0, 3]
    return np.ascontiguousarray(arr[:, :, order])


def from_bgr(arr: np.ndarray) -> Image.Image:
    """OpenCV array -> image: ``HxWx3`` BGR -> RGB, ``HxWx4`` BGRA -> RGBA, ``HxW`` -> L."""
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        order = [2, 1, 0] if arr.shape[2] == 3 else [2, 1, 0, 3]
        arr = arr[:, :, order]
    return from_array(arr)


def image_sha256(img: Image.Image) -> str:
    """Hex SHA-256 of the decoded pixels (mode, size and raw bytes), not of any file encoding.

    Two images hash the same exactly when every pixel is the same, so this proves product
    pixels survived a step untouched, whatever format they were saved in between.
    """
    digest = hashlib.sha256()
    digest.update(f"{img.mode}:{img.size[0]}x{img.size[1]}:".encode("ascii"))
    digest.update(img.tobytes())
    return digest.hexdigest()


#: zlib level for the PNGs Vitrina writes: level 1 encodes a banner about 3.3x faster than level 6
#: for files about 20 % bigger (measured on the demo banners; BENCHMARKS.md), and a DAM rendition
#: is a separate JPEG anyway.
PNG_COMPRESS_LEVEL = 1


def encode_png(image: Image.Image, text: dict[str, str] | None = None) -> bytes:
    """The image as PNG bytes (`PNG_COMPRESS_LEVEL`), with iTXt chunks for `text` (key -> value)."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()

"""Loading product photos: what a marketer's files can be, and what Vitrina does with each."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from pipeline.errors import ImageRejected
from pipeline.imaging.imageio import (
    MAX_PIXELS,
    decode_image,
    from_array,
    from_bgr,
    image_sha256,
    load_product_image,
    to_array,
    to_bgr,
)

DEMO = Path(__file__).resolve().parents[3] / "demo" / "products"


def rejected(path: Path, **kwargs: int) -> str:
    with pytest.raises(ImageRejected) as info:
        load_product_image(path, **kwargs)
    assert info.value.path == str(path)
    reason = info.value.reason
    assert reason == reason.lower() and "\n" not in reason and len(reason) < 80
    return reason


# --- files that are refused -------------------------------------------------------------------


def png_with_declared_size(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width x height`` but whose data is a few bytes: a bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height", "shown"),
    [
        (8_000, 8_000, "8000x8000 pixels"),  # above our limit, below Pillow's own
        (10_000, 10_000, "100 megapixels"),  # Pillow warns here: must become a rejection
        (20_000, 20_000, "400 megapixels"),  # Pillow raises here
    ],
)
def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path, width: int, height: int, shown: str) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_with_declared_size(width, height))
    assert path.stat().st_size < 200
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning leaking out fails the test
        reason = rejected(path)
    assert reason.startswith("image too large (") and shown in reason
    assert "limit 40 megapixels" in reason


def test_real_compressed_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (9_000, 9_000)).save(path)  # 81 MP of zeros compress to a few KB
    assert path.stat().st_size < 100_000
    assert "9000x9000 pixels" in rejected(path)


def test_max_pixels_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    Image.new("RGB", (100, 100), "white").save(path)
    assert MAX_PIXELS == 40_000_000
    assert load_product_image(path).size == (100, 100)
    assert rejected(path, max_pixels=5_000) == "image too large (100x100 pixels, limit 0.005 megapixels)"


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_file_is_refused(tmp_path: Path, suffix: str) -> None:
    whole = tmp_path / f"whole{suffix}"
    Image.effect_noise((128, 128), 60).convert("RGB").save(whole)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    assert rejected(cut) == "truncated or corrupt image data"
    assert load_product_image(whole).size == (128, 128)


def test_missing_file_directory_and_non_image(tmp_path: Path) -> None:
    assert rejected(tmp_path / "nope.jpg") == "file not found"
    assert rejected(tmp_path) == "not a file"
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    assert rejected(text) == "not an image file"


@pytest.mark.parametrize(("fmt", "suffix"), [("GIF", ".gif"), ("BMP", ".bmp")])
def test_unsupported_format_is_named(tmp_path: Path, fmt: str, suffix: str) -> None:
    path = tmp_path / f"photo{suffix}"
    Image.new("RGB", (8, 8), "red").save(path, format=fmt)
    assert rejected(path) == f"unsupported image format {fmt.lower()} (use jpeg, png, webp or tiff)"


# --- what is accepted, and how it is normalised -----------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"), [("JPEG", {"quality": 95}), ("PNG", {}), ("WEBP", {"lossless": True}), ("TIFF", {})]
)
def test_supported_formats_load_as_fresh_rgba(tmp_path: Path, fmt: str, options: dict[str, object]) -> None:
    path = tmp_path / f"photo.{fmt.lower()}"
    Image.new("RGB", (16, 12), (200, 30, 40)).save(path, format=fmt, **options)
    img = load_product_image(path)
    assert img.mode == "RGBA" and img.size == (16, 12)
    assert img.info == {} and img.format is None
    r, g, b, a = img.getpixel((8, 6))
    assert a == 255 and abs(r - 200) <= 3 and abs(g - 30) <= 3 and abs(b - 40) <= 3


def test_exif_orientation_is_applied_and_dropped(tmp_path: Path) -> None:
    stored = Image.new("RGB", (40, 20), (220, 0, 0))  # left half red, right half blue
    stored.paste((0, 0, 220), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "rotated.jpg"
    stored.save(path, exif=exif, quality=95)
    img = load_product_image(path)
    assert img.size == (20, 40)
    top, bottom = img.getpixel((10, 5)), img.getpixel((10, 35))
    assert top[0] > 180 and top[2] < 40  # stored left (red) is displayed on top
    assert bottom[2] > 180 and bottom[0] < 40
    assert 0x0112 not in img.getexif() and "exif" not in img.info


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(path, quality=95)
    r, g, b, a = load_product_image(path).getpixel((8, 8))
    assert (a, r) == (255, 255) and g < 10 and b < 10


def test_modes_keep_real_alpha(tmp_path: Path) -> None:
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    palette.putpixel((0, 0), 1)
    palette.save(tmp_path / "p.png", transparency=1)
    img = load_product_image(tmp_path / "p.png")
    assert img.getpixel((0, 0))[3] == 0 and img.getpixel((4, 4)) == (255, 0, 0, 255)

    Image.new("LA", (8, 8), (100, 50)).save(tmp_path / "la.png")
    assert load_product_image(tmp_path / "la.png").getpixel((1, 1)) == (100, 100, 100, 50)

    Image.new("L", (8, 8), 77).save(tmp_path / "l.png")
    assert load_product_image(tmp_path / "l.png").getpixel((1, 1)) == (77, 77, 77, 255)

    rgba = Image.new("RGBA", (8, 8), (10, 20, 30, 128))
    rgba.save(tmp_path / "rgba.png")
    assert load_product_image(tmp_path / "rgba.png").getpixel((1, 1)) == (10, 20, 30, 128)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    Image.fromarray(np.full((8, 8), 40_000, dtype=np.uint16)).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    assert load_product_image(tmp_path / "deep.png").getpixel((1, 1)) == (156, 156, 156, 255)


# --- colour profiles --------------------------------------------------------------------------


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _assemble_icc(tags: list[tuple[bytes, bytes]], colour_space: bytes) -> bytes:
    """ICC v2 display profile bytes: header, tag table, 4-byte aligned tag data."""
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (
        struct.pack(">I", offset + len(data))
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntr"
        + colour_space
        + b"XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + data


def matrix_icc_profile(
    name: str,
    red: tuple[float, float, float],
    green: tuple[float, float, float],
    blue: tuple[float, float, float],
    gamma: float,
) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile (what Adobe RGB and Display P3 are)."""

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in values)

    text = name.encode() + b"\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0" * 3 + b"\0" * 67
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz((0.9642, 1.0, 0.8249))),
        (b"rXYZ", xyz(red)),
        (b"gXYZ", xyz(green)),
        (b"bXYZ", xyz(blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0none\0"),
    ]
    return _assemble_icc(tags, b"RGB ")


def grey_icc_profile(gamma: float) -> bytes:
    """A minimal ICC v2 greyscale display profile (one tone curve)."""
    text = b"grey test\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 78
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    white = b"XYZ \0\0\0\0" + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    tags = [(b"desc", desc), (b"wtpt", white), (b"kTRC", curve), (b"cprt", b"text\0\0\0\0none\0")]
    return _assemble_icc(tags, b"GRAY")


# Adobe RGB (1998), D50-adapted colorants as in Adobe's own profile.
ADOBE_RGB = ((0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087), (0.14919, 0.06322, 0.74457))
ADOBE_GAMMA = 563 / 256
# sRGB D50-adapted colorants (as LittleCMS builds sRGB).
SRGB = (
    (0.4360747, 0.2225045, 0.0139322),
    (0.3850649, 0.7168786, 0.0971045),
    (0.1430804, 0.0606169, 0.7141733),
)


def adobe_to_srgb_reference(rgb: np.ndarray) -> np.ndarray:
    """Independent numpy conversion: Adobe RGB -> XYZ (D50) -> sRGB, clipped and encoded."""
    linear = (rgb / 255.0) ** ADOBE_GAMMA
    xyz = linear @ np.array(ADOBE_RGB)
    srgb_linear = np.clip(xyz @ np.linalg.inv(np.array(SRGB)), 0.0, 1.0)
    encoded = np.where(srgb_linear <= 0.0031308, 12.92 * srgb_linear, 1.055 * srgb_linear ** (1 / 2.4) - 0.055)
    return encoded * 255.0


@pytest.mark.parametrize(("suffix", "mode"), [(".png", "RGB"), (".png", "RGBA"), (".tiff", "RGB")])
def test_wide_gamut_profile_is_converted_to_srgb(tmp_path: Path, suffix: str, mode: str) -> None:
    profile = matrix_icc_profile("Adobe RGB test", *ADOBE_RGB, ADOBE_GAMMA)
    assert ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile))).strip() == "Adobe RGB test"
    colours = np.array([[100, 150, 100], [128, 128, 128], [200, 30, 40], [20, 90, 220]], dtype=np.uint8)
    img = Image.fromarray(colours[None, :, :])
    if mode == "RGBA":
        img.putalpha(Image.new("L", img.size, 99))
    path = tmp_path / f"adobe{suffix}"
    img.save(path, icc_profile=profile)

    loaded = load_product_image(path)
    got = to_array(loaded)[0]
    expected = adobe_to_srgb_reference(colours.astype(np.float64))
    assert np.abs(got[:, :3].astype(np.float64) - expected).max() <= 2.0
    assert abs(int(got[0, 0]) - 100) > 20  # really converted: Adobe's (100,150,100) is sRGB ~(66,151,97)
    assert (got[:, 3] == (99 if mode == "RGBA" else 255)).all()
    assert "icc_profile" not in loaded.info  # pixels are sRGB now; a kept profile would be stale


def test_srgb_profile_leaves_pixels_alone(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "srgb.png"
    Image.new("RGB", (4, 4), (12, 200, 99)).save(path, icc_profile=srgb)
    r, g, b, _ = load_product_image(path).getpixel((1, 1))
    assert max(abs(r - 12), abs(g - 200), abs(b - 99)) <= 1


def test_greyscale_profile_is_converted(tmp_path: Path) -> None:
    linear = grey_icc_profile(1.0)  # grey 128 in linear light is sRGB 188
    Image.new("L", (4, 4), 128).save(tmp_path / "l.png", icc_profile=linear)
    Image.new("LA", (4, 4), (128, 77)).save(tmp_path / "la.png", icc_profile=linear)
    assert load_product_image(tmp_path / "l.png").getpixel((1, 1)) == (188, 188, 188, 255)
    assert load_product_image(tmp_path / "la.png").getpixel((1, 1)) == (188, 188, 188, 77)


def with_intent_field(profile: bytes, intent: int) -> bytes:
    """The profile with its header's 4-byte rendering-intent field (offset 64) set to ``intent``."""
    return profile[:64] + intent.to_bytes(4, "big") + profile[68:]


@pytest.mark.parametrize("intent", [16777216, 4, 0xFFFFFFFF])
def test_profile_with_an_out_of_range_intent_still_converts(tmp_path: Path, intent: int) -> None:
    """The intent field is only a hint (scikit-learn's china.jpg has a standard sRGB profile whose
    field reads 16777216): the photo loads, converted by the profile's own colour data."""
    srgb = with_intent_field(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), intent)
    assert ImageCms.getDefaultIntent(ImageCms.ImageCmsProfile(io.BytesIO(srgb))) == intent
    Image.new("RGB", (4, 4), (12, 200, 99)).save(tmp_path / "srgb.jpg", icc_profile=srgb, quality=100)
    r, g, b, _ = load_product_image(tmp_path / "srgb.jpg").getpixel((1, 1))
    assert max(abs(r - 12), abs(g - 200), abs(b - 99)) <= 2

    adobe = with_intent_field(matrix_icc_profile("Adobe RGB test", *ADOBE_RGB, ADOBE_GAMMA), intent)
    Image.new("RGB", (4, 4), (100, 150, 100)).save(tmp_path / "adobe.png", icc_profile=adobe)
    got = np.array(load_product_image(tmp_path / "adobe.png").getpixel((1, 1))[:3], dtype=np.float64)
    expected = adobe_to_srgb_reference(np.array([100.0, 150.0, 100.0]))
    assert np.abs(got - expected).max() <= 2.0  # converted, not passed through as sRGB


def test_broken_or_mismatched_profile_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    Image.new("RGB", (4, 4)).save(broken, icc_profile=b"not a profile" * 20)
    assert rejected(broken) == "broken colour profile"

    # A real profile cut short keeps its valid header (and intent) but loses its tag data.
    cut = tmp_path / "cut-profile.png"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (4, 4)).save(cut, icc_profile=srgb[:200])
    assert rejected(cut) == "broken colour profile"

    mismatched = tmp_path / "grey-with-rgb-profile.png"
    Image.new("L", (4, 4)).save(mismatched, icc_profile=matrix_icc_profile("rgb", *ADOBE_RGB, 2.2))
    assert rejected(mismatched) == "colour profile does not match the image"


# --- conversions and hashing ------------------------------------------------------------------


def test_array_round_trips() -> None:
    rng = np.random.default_rng(7)
    for shape, mode in [((5, 7, 4), "RGBA"), ((5, 7, 3), "RGB"), ((5, 7), "L")]:
        arr = rng.integers(0, 256, shape, dtype=np.uint8)
        img = from_array(arr)
        assert img.mode == mode and img.size == (7, 5)
        back = to_array(img)
        assert back.dtype == np.uint8 and back.ndim == 3
        assert np.array_equal(back.reshape(arr.shape), arr)


def test_array_copy_semantics() -> None:
    arr = np.full((2, 2, 3), 50, np.uint8)
    img = from_array(arr)
    arr[:] = 0
    assert img.getpixel((0, 0)) == (50, 50, 50)
    out = to_array(img)
    out[:] = 9
    assert img.getpixel((0, 0)) == (50, 50, 50)


def test_array_conversion_refuses_ambiguity() -> None:
    with pytest.raises(ValueError, match="uint8"):
        from_array(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        from_array(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match="mode 'P'"):
        to_array(Image.new("P", (2, 2)))


def test_bgr_is_opencv_channel_order() -> None:
    img = Image.new("RGB", (3, 2), (10, 20, 30))
    bgr = to_bgr(img)
    assert bgr.shape == (2, 3, 3) and bgr[0, 0].tolist() == [30, 20, 10]
    assert from_bgr(bgr).getpixel((0, 0)) == (10, 20, 30)
    bgra = to_bgr(Image.new("RGBA", (3, 2), (10, 20, 30, 40)))
    assert bgra[0, 0].tolist() == [30, 20, 10, 40]
    assert from_bgr(bgra).getpixel((2, 1)) == (10, 20, 30, 40)
    assert to_bgr(Image.new("L", (3, 2), 5)).shape == (2, 3)


def test_image_hash_is_about_pixels_not_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    img = from_array(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8))
    img.save(tmp_path / "a.png")
    img.save(tmp_path / "b.webp", lossless=True)
    png, webp = load_product_image(tmp_path / "a.png"), load_product_image(tmp_path / "b.webp")
    assert image_sha256(png) == image_sha256(webp)
    assert len(image_sha256(png)) == 64

    changed = png.copy()
    r, g, b, a = changed.getpixel((0, 0))
    changed.putpixel((0, 0), ((r + 1) % 256, g, b, a))
    assert image_sha256(changed) != image_sha256(png)
    # Same bytes, different meaning: mode and size are part of the hash.
    assert image_sha256(Image.new("L", (4, 1))) != image_sha256(Image.new("L", (2, 2)))
    assert image_sha256(Image.new("L", (4, 1))) != image_sha256(Image.new("P", (4, 1)))


@pytest.mark.skipif(not DEMO.is_dir(), reason="demo product photos not present")
def test_real_catalog_photos_load() -> None:
    for path in sorted(DEMO.glob("*/*.jpg")):
        img = load_product_image(path)
        assert img.mode == "RGBA" and img.info == {}
        assert max(img.size) == 1024


# --- open_image: the one gate for every image a command opens ----------------------------------


def test_open_image_keeps_format_and_jpeg_tables_and_closes_the_file(tmp_path: Path) -> None:
    from pipeline.imaging.imageio import open_image

    path = tmp_path / "banner.jpg"
    Image.new("RGB", (64, 32), "teal").save(path, quality=40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ResourceWarning for an unclosed file fails the test
        image = open_image(path)
    assert (image.format, image.size, image.mode) == ("JPEG", (64, 32), "RGB")
    assert getattr(image, "quantization", None)  # what the JPEG quality estimate reads
    assert getattr(image, "fp", None) is None
    assert image.convert("RGBA").getpixel((0, 0))[3] == 255  # decoded: usable after the file is closed


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(png_with_declared_size(20_000, 20_000)), "image too large (400 megapixels, limit"),
        (lambda p: p.write_bytes(png_with_declared_size(9_000, 9_000)), "image too large (9000x9000 pixels, limit"),
        (lambda p: p.write_text("<html>"), "not an image file"),
        (lambda p: None, "file not found"),
    ],
)
def test_open_image_names_the_file_and_what_it_is(tmp_path: Path, make, reason: str) -> None:
    from pipeline.imaging.imageio import open_image

    path = tmp_path / "logo.png"
    make(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageRejected) as info:
            open_image(path, "logo")
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: logo: {reason}")
    assert "\n" not in str(info.value)


def test_open_image_refuses_truncated_pixel_data(tmp_path: Path) -> None:
    from pipeline.imaging.imageio import open_image

    path = tmp_path / "cut.png"
    Image.effect_noise((256, 256), 60).convert("RGB").save(path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ImageRejected, match="cut-out: truncated or corrupt image data"):
        open_image(path, "cut-out")


def test_images_are_opened_only_through_open_image() -> None:
    """One pixel limit for every command: no module but imageio.py calls Image.open."""
    repo = Path(__file__).resolve().parents[3]
    offenders = [
        f"{path.relative_to(repo)}:{number}"
        for package in ("pipeline", "vitrina", "flows", "dam_connectors")
        for path in sorted((repo / package).rglob("*.py"))
        if path != repo / "pipeline" / "imaging" / "imageio.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "Image.open(" in line and not line.lstrip().startswith("#")
    ]
    assert offenders == [], "open images with pipeline.imaging.imageio.open_image: " + ", ".join(offenders)


def test_decode_image_applies_the_same_limit_to_bytes_in_memory() -> None:
    """Stored blobs (a master, a banner to regenerate) are decoded under the same pixel limit."""
    buf = io.BytesIO()
    Image.new("L", (9_000, 9_000)).save(buf, "PNG")
    with pytest.raises(ImageRejected, match=r"^stored banner: image too large \(9000x9000 pixels"):
        decode_image(buf.getvalue(), "stored banner")
    with pytest.raises(ImageRejected, match=r"^master abc: not an image file$"):
        decode_image(b"<html>", "master abc")
    small = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(small, "PNG")
    assert decode_image(small.getvalue(), "x").size == (4, 3)

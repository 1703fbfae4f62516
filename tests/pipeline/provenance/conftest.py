"""Shared parts of the provenance tests: one real demo banner, one local test signer, exiftool."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from pipeline.provenance import SignerConfig, load_or_create_signer
from tests.helpers import render_demo_variant

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(
    EXIFTOOL is None, reason="exiftool is not installed (scripts/system-deps.sh: libimage-exiftool-perl)"
)


def exiftool(path: Path, *tags: str) -> dict[str, str]:
    """Tag -> value as exiftool (an independent reader) prints them with ``-s -s``."""
    assert EXIFTOOL is not None
    proc = subprocess.run([EXIFTOOL, "-s", "-s", *tags, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return dict(line.split(": ", 1) for line in proc.stdout.splitlines() if ": " in line)


@pytest.fixture(scope="session")
def banner_png() -> bytes:
    """A real demo banner (studio backend), PNG bytes as the store keeps them."""
    _, variant = render_demo_variant()
    return variant.png


@pytest.fixture(scope="session")
def packshot() -> Path:
    """The catalog photo that banner's product came from."""
    product, _ = render_demo_variant()
    return Path(product.source)


@pytest.fixture(scope="session")
def test_signer(tmp_path_factory: pytest.TempPathFactory) -> SignerConfig:
    signer, created = load_or_create_signer(tmp_path_factory.mktemp("signer-out"), None, None)
    assert created
    return signer


def jpeg_of(png: bytes, quality: int = 90) -> bytes:
    """A channel rendition: the master's pixels as a JPEG."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()

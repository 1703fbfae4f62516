"""Channel renditions (pipeline/storage/renditions.py): the DAM gets a JPEG q90 made from the PNG
master, or the PNG itself when the master has transparency; each is made once and kept in the
store's blobs with a record naming its master. Real rendered banners, real store folders."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError
from pipeline.storage.renditions import JPEG_Q90, PNG, rendition_for
from pipeline.storage.store import Store, sha256_bytes
from tests.helpers import store_demo_variant


def _blobs(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "blobs").rglob("*") if p.is_file())


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def test_an_opaque_banner_becomes_a_jpeg_q90_of_its_own_hash_that_names_its_master(tmp_path: Path):
    stored = store_demo_variant(tmp_path / "out")
    master_sha = stored.blob.stem
    store = Store(stored.out)

    rendition = rendition_for(store, master_sha)

    assert rendition.spec == JPEG_Q90 and rendition.spec.extension == ".jpg"
    assert rendition.sha256 == sha256_bytes(rendition.data) != master_sha
    jpeg, master = Image.open(io.BytesIO(rendition.data)), Image.open(stored.blob)
    assert (jpeg.format, jpeg.mode, jpeg.size) == ("JPEG", "RGB", master.size)
    assert len(rendition.data) < stored.blob.stat().st_size  # smaller than the master
    error = np.abs(np.asarray(jpeg, dtype=np.int16) - np.asarray(master.convert("RGB"), dtype=np.int16))
    assert error.mean() < 2.0  # q90, no chroma subsampling: close to the master everywhere
    # the record next to the master says which master, which spec and which encoder
    record = json.loads((stored.blob.parent / f"{master_sha}.jpeg-q90.json").read_text(encoding="utf-8"))
    assert record["master_sha256"] == master_sha and record["rendition"] == "jpeg-q90"
    assert record["sha256"] == rendition.sha256 and record["bytes"] == len(rendition.data)
    assert record["size"] == list(master.size) and record["encoder"]["pillow"]
    assert store.blob_path(rendition.sha256, ".jpg").read_bytes() == rendition.data
    store.close()


def test_a_rendition_is_made_once_and_made_again_only_when_its_blob_is_gone(tmp_path: Path):
    stored = store_demo_variant(tmp_path / "out")
    store = Store(stored.out)
    first = rendition_for(store, stored.blob.stem)
    blob = store.blob_path(first.sha256, ".jpg")
    made_at, files = blob.stat().st_mtime_ns, _blobs(stored.out)

    assert rendition_for(store, stored.blob.stem).data == first.data
    assert blob.stat().st_mtime_ns == made_at and _blobs(stored.out) == files  # from the cache

    blob.unlink()
    again = rendition_for(store, stored.blob.stem)
    assert again.data == first.data and _blobs(stored.out) == files  # same encoder: same bytes
    store.close()


def test_a_master_with_transparency_is_sent_as_the_png_itself(tmp_path: Path):
    store = Store(tmp_path / "out")
    image = Image.new("RGBA", (200, 120), (200, 30, 30, 255))
    image.paste((0, 0, 0, 0), (0, 0, 50, 50))  # a transparent corner
    master = _png(image)
    sha = store.put_blob(master)

    rendition = rendition_for(store, sha)

    assert rendition.spec == PNG and rendition.data == master and rendition.sha256 == sha
    assert rendition.record.master_sha256 == sha and rendition.record.rendition == "png"
    store.close()


def test_an_rgba_master_that_is_fully_opaque_still_becomes_a_jpeg(tmp_path: Path):
    store = Store(tmp_path / "out")
    sha = store.put_blob(_png(Image.new("RGBA", (64, 64), (10, 120, 200, 255))))
    assert rendition_for(store, sha).spec == JPEG_Q90
    store.close()


def test_a_master_changed_on_disk_is_refused_with_one_line(tmp_path: Path):
    stored = store_demo_variant(tmp_path / "out")
    stored.blob.write_bytes(stored.blob.read_bytes() + b"tampered")
    store = Store(stored.out)
    with pytest.raises(InputError) as err:
        rendition_for(store, stored.blob.stem)
    assert "changed on disk" in str(err.value) and stored.blob.stem[:12] in str(err.value)
    assert "\n" not in str(err.value)
    store.close()

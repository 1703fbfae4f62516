"""Shared blobs (`OutputFolder(root, remote)`): two machines' output folders sharing one backend,
here a real shared folder (`dam_connectors.s3_blobs.FolderBlobs`), and at the end a real S3 bucket
(SeaweedFS) with a PostgreSQL catalog, as on a Dask cluster (the backends themselves are tested in
tests/dam_connectors/test_s3_blobs.py). What one writes, the other reads through the same `Path`
API, fetched on first use; run folders stay local."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from dam_connectors.s3_blobs import FolderBlobs
from pipeline.errors import InputError
from pipeline.storage.blobs import BlobBackend, OutputFolder
from pipeline.storage.files import sha256_bytes
from pipeline.storage.store import Store

if TYPE_CHECKING:
    from tests.conftest import S3Server

PNG = b"\x89PNG\r\n\x1a\n not really a png, but bytes are bytes"


@pytest.fixture
def shared(tmp_path: Path) -> FolderBlobs:
    return FolderBlobs(tmp_path / "shared")


def _cutout() -> Image.Image:
    image = Image.new("RGBA", (8, 6), (0, 0, 0, 0))
    image.putpixel((3, 2), (200, 30, 40, 255))
    return image


def test_backends_are_blob_backends(shared: FolderBlobs):
    assert isinstance(shared, BlobBackend)


def test_what_one_machine_writes_the_other_reads_through_its_own_folder(tmp_path: Path, shared: FolderBlobs):
    a, b = OutputFolder(tmp_path / "a", shared), OutputFolder(tmp_path / "b", shared)
    sha = a.put_blob(PNG)
    cut = a.put_cutout(_cutout())
    assert shared.get(f"blobs/sha256/{sha[:2]}/{sha}.png") == PNG
    assert shared.exists(f"cutouts/sha256/{cut[:2]}/{cut}.png")

    assert not (tmp_path / "b" / "blobs").exists()
    path = b.blob_path(sha)  # fetched on first use, then a local file like any other
    assert path == tmp_path / "b" / "blobs" / "sha256" / sha[:2] / f"{sha}.png"
    assert path.read_bytes() == PNG
    with Image.open(b.cutout_path(cut)) as image:
        assert image.mode == "RGBA" and image.getpixel((3, 2)) == (200, 30, 40, 255)

    link = b.link_into_run(sha, "r-1", "SKU-1/studio/square/en-US.png")
    assert link.read_bytes() == PNG
    assert not shared.exists("runs/r-1/SKU-1/studio/square/en-US.png")  # run folders stay local


def test_records_next_to_a_blob_are_shared_and_replaced(tmp_path: Path, shared: FolderBlobs):
    a, b = OutputFolder(tmp_path / "a", shared), OutputFolder(tmp_path / "b", shared)
    sha = a.put_blob(PNG)
    a.put_record(sha, ".web.json", b'{"v": 1}')
    a.put_record(sha, ".web.json", b'{"v": 2}')
    assert json.loads(b.blob_path(sha, ".web.json").read_text()) == {"v": 2}
    with pytest.raises(InputError, match="record suffix '/x.json'"):
        a.put_record(sha, "/x.json", b"{}")


def test_a_blob_missing_everywhere_is_a_missing_file_as_before(tmp_path: Path, shared: FolderBlobs):
    folder = OutputFolder(tmp_path / "a", shared)
    path = folder.blob_path("ab" * 32)
    assert not path.exists()
    with pytest.raises(InputError, match="sidecar"):
        folder.sidecar("ab" * 32)


def test_a_shared_blob_whose_bytes_do_not_match_its_name_is_refused_not_cached(tmp_path: Path, shared: FolderBlobs):
    sha = sha256_bytes(PNG)
    shared.put(f"blobs/sha256/{sha[:2]}/{sha}.png", PNG + b"tampered")
    folder = OutputFolder(tmp_path / "a", shared)
    with pytest.raises(InputError) as caught:
        folder.blob_path(sha)
    assert str(caught.value) == (
        f"{shared.uri}: 'blobs/sha256/{sha[:2]}/{sha}.png': its bytes do not hash to its name; "
        "refused (changed or damaged)"
    )
    assert not (tmp_path / "a" / "blobs" / "sha256" / sha[:2] / f"{sha}.png").exists()


def test_files_made_before_the_backend_was_configured_are_shared_when_put_again(tmp_path: Path, shared: FolderBlobs):
    alone = OutputFolder(tmp_path / "a")
    sha = alone.put_blob(PNG)
    cut = alone.put_cutout(_cutout())
    assert not shared.exists(f"blobs/sha256/{sha[:2]}/{sha}.png")

    folder = OutputFolder(tmp_path / "a", shared)
    assert folder.put_blob(PNG) == sha and folder.put_cutout(_cutout()) == cut
    assert shared.get(f"blobs/sha256/{sha[:2]}/{sha}.png") == PNG
    assert shared.exists(f"cutouts/sha256/{cut[:2]}/{cut}.png")


def test_a_store_passes_its_backend_on(tmp_path: Path, shared: FolderBlobs):
    store = Store(tmp_path / "a", blobs=shared)
    try:
        sha = store.put_blob(PNG)
    finally:
        store.close()
    again = Store.open_existing(tmp_path / "a", blobs=shared)
    try:
        assert again.remote is shared
    finally:
        again.close()
    assert shared.get(f"blobs/sha256/{sha[:2]}/{sha}.png") == PNG


# --- S3 (the real SeaweedFS server of tests/conftest.py) with a PostgreSQL catalog ----------------


@pytest.mark.slow  # the SeaweedFS and PostgreSQL servers (a few seconds, once per session)
def test_a_variant_kept_with_s3_blobs_is_read_back_by_a_store_on_an_empty_folder(
    tmp_path: Path, s3_server: S3Server, postgres_url: str
):
    """Two machines: one keeps a real variant, the other has only the database and the bucket."""
    from dam_connectors.s3_blobs import blob_backend_for
    from tests.helpers import render_demo_variant

    product, variant = render_demo_variant()
    bucket = s3_server.new_bucket()
    uri = f"s3://{bucket}/shared"
    here = Store(tmp_path / "here", postgres_url, blobs=blob_backend_for(uri, **s3_server.options))
    try:
        cut = here.put_cutout(product.cutout)
        vid = here.keep_variant("r-1", variant.png, variant.report, variant.lineage)
        sha = here.variant(vid).blob_sha
    finally:
        here.close()

    client = s3_server.client()
    try:
        listed = client.list_objects_v2(Bucket=bucket, Prefix="shared/")
        keys = {o["Key"] for o in listed.get("Contents", [])}
        banner = client.get_object(Bucket=bucket, Key=f"shared/blobs/sha256/{sha[:2]}/{sha}.png")["Body"].read()
    finally:
        client.close()
    assert keys == {
        f"shared/blobs/sha256/{sha[:2]}/{sha}.png",
        f"shared/blobs/sha256/{sha[:2]}/{sha}.json",
        f"shared/cutouts/sha256/{cut[:2]}/{cut}.png",
    }  # run folders (runs/r-1/...) stay on the machine that made them
    assert sha256_bytes(banner) == sha

    elsewhere = tmp_path / "elsewhere"
    there = Store(elsewhere, postgres_url, blobs=blob_backend_for(uri, **s3_server.options))
    try:
        assert not (elsewhere / "blobs").exists()
        record = there.variant(vid)
        path = there.blob_path(record.blob_sha)  # fetched from the bucket on first use
        assert path.is_relative_to(elsewhere) and path.read_bytes() == banner
        assert there.sidecar(record.blob_sha).variant_id == vid
        with Image.open(there.cutout_path(record.lineage.product.cutout_sha256)) as image:
            assert image.mode == "RGBA" and image.size == product.cutout.size
        link = there.link_into_run(record.blob_sha, "r-2", "copy.png")
        assert link.read_bytes() == banner
    finally:
        there.close()

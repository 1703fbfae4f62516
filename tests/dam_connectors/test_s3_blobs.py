"""Shared blob backends (dam_connectors/s3_blobs.py): S3Blobs against the real SeaweedFS server of
tests/conftest.py, FolderBlobs in a temp folder, and blob_backend_for's one-line refusals.

How an output folder uses a backend (write-through, read-through) is in
tests/pipeline/storage/test_blob_backend.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors.s3_blobs import FolderBlobs, S3Blobs, blob_backend_for
from pipeline.errors import DamError
from pipeline.storage.blobs import BlobBackend

if TYPE_CHECKING:
    from tests.conftest import S3Server

SHA = "ab" + "0" * 62
BANNER = f"blobs/sha256/ab/{SHA}.png"
SIDECAR = f"blobs/sha256/ab/{SHA}.json"


@pytest.fixture
def s3_blobs(s3_server: S3Server) -> Iterator[S3Blobs]:
    blobs = blob_backend_for(f"s3://{s3_server.new_bucket()}/shared/vitrina", **s3_server.options)
    assert isinstance(blobs, S3Blobs)
    yield blobs
    blobs.close()


def _keys(s3_server: S3Server, bucket: str) -> dict[str, tuple[bytes, str]]:
    """Every object in `bucket`: key -> (bytes, content type)."""
    client = s3_server.client()
    try:
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                got = client.get_object(Bucket=bucket, Key=item["Key"])
                found[item["Key"]] = (got["Body"].read(), got["ContentType"])
        return found
    finally:
        client.close()


@pytest.mark.slow  # the SeaweedFS server (about 3 s to start, once per session)
def test_s3_blobs_put_get_exists_under_the_prefix(s3_blobs: S3Blobs, s3_server: S3Server):
    assert isinstance(s3_blobs, BlobBackend)
    assert not s3_blobs.exists(BANNER) and s3_blobs.get(BANNER) is None  # not there yet: no error

    s3_blobs.put(BANNER, b"\x89PNG banner bytes")
    s3_blobs.put(SIDECAR, b'{"schema": 1}')
    assert s3_blobs.exists(BANNER) and s3_blobs.get(BANNER) == b"\x89PNG banner bytes"
    s3_blobs.put(SIDECAR, b'{"schema": 2}')  # a record kept next to a blob is replaced
    assert s3_blobs.get(SIDECAR) == b'{"schema": 2}'

    bucket = s3_blobs.uri.removeprefix("s3://").split("/")[0]
    assert _keys(s3_server, bucket) == {
        f"shared/vitrina/{BANNER}": (b"\x89PNG banner bytes", "image/png"),
        f"shared/vitrina/{SIDECAR}": (b'{"schema": 2}', "application/json"),
    }


@pytest.mark.slow
def test_s3_blobs_take_the_endpoint_and_keys_from_boto3s_environment(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """What a Dask worker does: only AWS_* variables, no options (the flow passes just the URI)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", s3_server.region)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    blobs = blob_backend_for(f"s3://{s3_server.new_bucket()}")
    assert isinstance(blobs, S3Blobs)
    try:
        assert blobs.endpoint_url == s3_server.endpoint_url
        blobs.put(BANNER, b"bytes")
        assert blobs.get(BANNER) == b"bytes"
        assert blobs.object_key(BANNER) == BANNER  # no prefix: keys are the names
    finally:
        blobs.close()


@pytest.mark.slow
def test_a_missing_bucket_is_one_line_naming_it(s3_server: S3Server):
    blobs = blob_backend_for("s3://no-such-bucket-here/p", **s3_server.options)
    assert blobs is not None
    try:
        for attempt in (lambda: blobs.put(BANNER, b"x"), lambda: blobs.exists(BANNER)):
            with pytest.raises(DamError) as caught:
                attempt()
            message = str(caught.value)
            assert "bucket 'no-such-bucket-here' does not exist" in message and "\n" not in message
    finally:
        blobs.close()


def test_folder_blobs_put_get_exists(tmp_path: Path):
    blobs = blob_backend_for(f"file://{tmp_path / 'shared'}")
    assert isinstance(blobs, FolderBlobs) and isinstance(blobs, BlobBackend)
    assert not blobs.exists(BANNER) and blobs.get(BANNER) is None
    blobs.put(BANNER, b"banner")
    assert blobs.exists(BANNER) and blobs.get(BANNER) == b"banner"
    assert (tmp_path / "shared" / BANNER).read_bytes() == b"banner"
    assert sorted(p.name for p in (tmp_path / "shared").rglob("*") if p.is_file()) == [f"{SHA}.png"]  # no temp left


@pytest.mark.parametrize("name", ["../escape.png", "/etc/passwd", "blobs\\x.png", "blobs/../../x.png", ""])
def test_folder_blobs_refuse_names_that_leave_the_folder(tmp_path: Path, name: str):
    blobs = FolderBlobs(tmp_path / "shared")
    with pytest.raises(DamError) as caught:
        blobs.put(name, b"x")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "escape.png").exists() and not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("uri", [None, "", "   "])
def test_no_uri_means_no_shared_backend(uri: str | None):
    assert blob_backend_for(uri) is None


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("http://bucket/prefix", "unsupported blob store 'http://bucket/prefix': use s3://bucket/prefix"),
        ("bucket/prefix", "unsupported blob store 'bucket/prefix'"),
        ("s3://", "blob store 's3://' names no bucket"),
        ("s3:///prefix", "blob store 's3:///prefix' names no bucket"),
        ("file://", "blob store 'file://' names no folder"),
        ("s3://bucket/p?colour=red", "'s3://bucket/p?colour=red': unknown query parameter 'colour'"),
        ("s3://bucket/p?read_timeout=soon", "'s3://bucket/p?read_timeout=soon': read_timeout='soon'"),
    ],
)
def test_a_bad_uri_is_one_line_naming_it(uri: str, says: str):
    with pytest.raises(DamError) as caught:
        blob_backend_for(uri)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_shared_folder_takes_no_s3_options(tmp_path: Path):
    with pytest.raises(DamError, match=r"takes no options \(got endpoint_url\)"):
        blob_backend_for(f"file://{tmp_path}", endpoint_url="http://127.0.0.1:9")


@pytest.mark.slow
def test_wrong_credentials_are_one_line(s3_server: S3Server):
    blobs = blob_backend_for(f"s3://{s3_server.new_bucket()}", **{**s3_server.options, "secret_key": "wrong"})
    assert blobs is not None
    with pytest.raises(DamError) as caught:
        blobs.get(BANNER)
    message = str(caught.value)
    assert "access denied" in message and "cannot read blob" in message and "\n" not in message


def test_an_unreachable_endpoint_fails_within_the_uris_timeouts():
    from tests.conftest import _free_ports

    (port,) = _free_ports(1)  # nothing listens there
    blobs = blob_backend_for(
        "s3://bucket/p?connect_timeout=1&read_timeout=1&retries=0",
        endpoint_url=f"http://127.0.0.1:{port}",
        access_key="k",
        secret_key="s",
        region="us-east-1",
    )
    assert blobs is not None
    with pytest.raises(DamError) as caught:
        blobs.get(BANNER)
    assert f"cannot reach S3 endpoint http://127.0.0.1:{port}" in str(caught.value)


@pytest.mark.slow
def test_two_output_folders_share_blobs_through_the_bucket(tmp_path: Path, s3_blobs: S3Blobs):
    from pipeline.storage.blobs import OutputFolder

    a, b = OutputFolder(tmp_path / "a", s3_blobs), OutputFolder(tmp_path / "b", s3_blobs)
    sha = a.put_blob(b"\x89PNG banner bytes")
    assert b.blob_path(sha).read_bytes() == b"\x89PNG banner bytes"  # fetched from the bucket

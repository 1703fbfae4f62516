"""connector_for: one string (CLI flag, setting) picks and configures the DAM."""

from __future__ import annotations

from pathlib import Path

import pytest

from dam_connectors import DamError, FileSystemConnector, S3Connector, connector_for

# Nothing listens here; building an S3 connector must not touch the network anyway.
_ENDPOINT = "http://127.0.0.1:9"


def test_file_uri_with_absolute_path(tmp_path: Path) -> None:
    connector = connector_for(f"file://{tmp_path}/dam")
    assert isinstance(connector, FileSystemConnector)
    assert connector.root == tmp_path / "dam"
    assert connector.uri == (tmp_path / "dam").as_uri()


def test_file_uri_and_plain_path_may_be_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    from_uri = connector_for("file://out/dam")
    from_path = connector_for("out/dam")
    assert isinstance(from_uri, FileSystemConnector)
    assert isinstance(from_path, FileSystemConnector)
    assert from_uri.root == from_path.root == tmp_path.resolve() / "out" / "dam"


def test_filesystem_uri_round_trips_even_with_spaces(tmp_path: Path) -> None:
    original = FileSystemConnector(tmp_path / "shared assets" / "dam")
    again = connector_for(original.uri)
    assert isinstance(again, FileSystemConnector)
    assert again.root == original.root


@pytest.mark.parametrize(
    ("uri", "bucket", "prefix"),
    [
        ("s3://assets/vitrina/published", "assets", "vitrina/published"),
        ("s3://assets/vitrina/", "assets", "vitrina"),
        ("s3://assets", "assets", ""),
        ("S3://assets/x", "assets", "x"),
    ],
)
def test_s3_uri_picks_bucket_and_prefix(uri: str, bucket: str, prefix: str) -> None:
    connector = connector_for(uri, endpoint_url=_ENDPOINT, region="eu-central-1", access_key="a", secret_key="b")
    assert isinstance(connector, S3Connector)
    assert (connector.bucket, connector.prefix) == (bucket, prefix)
    assert connector.endpoint_url == _ENDPOINT
    connector.close()


def test_options_that_are_none_count_as_not_given(tmp_path: Path) -> None:
    """What `vitrina publish` passes when no S3 flag is given: a folder DAM must accept it."""
    unset = {"endpoint_url": None, "region": None, "access_key": None, "secret_key": None}
    folder = connector_for(f"file://{tmp_path}/dam", **unset)
    assert isinstance(folder, FileSystemConnector) and folder.root == tmp_path / "dam"
    with pytest.raises(DamError, match="does not take option\\(s\\) region"):
        connector_for(f"file://{tmp_path}/dam", **{**unset, "region": "eu-central-1"})
    bucket = connector_for(
        "s3://assets/p", **{**unset, "endpoint_url": _ENDPOINT, "access_key": "a", "secret_key": "b"}
    )
    assert isinstance(bucket, S3Connector) and bucket.endpoint_url == _ENDPOINT
    bucket.close()


@pytest.mark.parametrize("uri", ["ftp://x", "http://dam.example.com/assets", "s3:/assets", "gs://bucket"])
def test_unknown_schemes_are_refused(uri: str) -> None:
    with pytest.raises(DamError) as err:
        connector_for(uri)
    assert str(err.value) == f"unsupported DAM URI {uri!r}: use file://DIR or s3://bucket/prefix"


@pytest.mark.parametrize("uri", ["", "s3://", "s3:///prefix", "file://"])
def test_incomplete_uris_are_refused(uri: str) -> None:
    with pytest.raises(DamError):
        connector_for(uri)


def test_options_a_filesystem_cannot_use_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DamError, match="does not take option\\(s\\) endpoint_url"):
        connector_for(str(tmp_path), endpoint_url=_ENDPOINT)


def test_unknown_s3_options_are_refused() -> None:
    with pytest.raises(DamError, match="bucket_policy"):
        connector_for("s3://assets", bucket_policy="public")

"""S3Connector against a real SeaweedFS server (started once per session by ``s3_server``).

What every connector does (exists, idempotent puts, bad keys, metadata, one-line errors) is in
test_contract.py; here only S3's own: object keys and headers, buckets, credentials, endpoints.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import DamError, S3Connector
from dam_connectors.s3 import decode_metadata_value, encode_metadata_value

if TYPE_CHECKING:
    from tests.conftest import S3Server
    from tests.dam_connectors.conftest import Asset

pytestmark = pytest.mark.slow

_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture
def clean_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment where boto3 finds no credentials, region or endpoint of the developer's."""
    for name in _AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


def _closed_port_endpoint() -> str:
    # Port 9 (discard) on loopback: nothing listens there on a normal machine, and connecting
    # is refused at once rather than timing out.
    return "http://127.0.0.1:9"


def test_put_stores_bytes_and_content_type_under_the_prefix(
    s3_connector: S3Connector, s3_server: S3Server, asset: Asset
) -> None:
    location = s3_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    object_key = f"published/vitrina/{asset.key}"
    assert location == f"s3://{s3_connector.bucket}/{object_key}"
    assert s3_connector.uri == f"s3://{s3_connector.bucket}/published/vitrina"
    client = s3_server.client()
    stored = client.get_object(Bucket=s3_connector.bucket, Key=object_key)
    assert stored["Body"].read() == asset.data
    assert stored["ContentType"] == "image/jpeg"
    client.close()


def test_metadata_headers_are_ascii_and_plain_values_stay_readable(
    s3_connector: S3Connector, s3_server: S3Server, asset: Asset
) -> None:
    metadata = {**asset.metadata, "Title": "Größe/ار", "headline": "Summer Sale 2026"}
    s3_connector.put(asset.key, asset.data, asset.content_type, metadata)

    # What another S3 reader (the DAM) sees.
    client = s3_server.client()
    raw = client.head_object(Bucket=s3_connector.bucket, Key=s3_connector.object_key(asset.key))["Metadata"]
    client.close()
    assert raw["headline"] == "Summer Sale 2026"
    assert raw["title"].isascii() and decode_metadata_value(raw["title"]) == "Größe/ار"
    assert raw["sha256"] == asset.sha256


@pytest.mark.parametrize("value", ["", "plain", "Größe/ار", "100%", "%41", " x ", "   ", "a\tb\n", "日本語"])
def test_metadata_value_encoding_is_ascii_and_reversible(value: str) -> None:
    encoded = encode_metadata_value(value)
    assert encoded.isascii()
    assert encoded == encoded.strip()
    assert decode_metadata_value(encoded) == value


def _errors_of_exists_and_put(connector: S3Connector, asset: Asset) -> list[str]:
    """The DamError message of each connector call that must fail; each is one line."""
    messages = []
    for operation in (
        lambda: connector.exists(asset.key, asset.sha256),
        lambda: connector.put(asset.key, asset.data, asset.content_type, asset.metadata),
    ):
        with pytest.raises(DamError) as err:
            operation()
        assert "\n" not in str(err.value)
        messages.append(str(err.value))
    return messages


def test_missing_bucket_is_named(s3_server: S3Server, asset: Asset) -> None:
    connector = S3Connector("no-such-bucket-here", **s3_server.options)

    with pytest.raises(DamError) as err:
        connector.exists(asset.key, asset.sha256)
    assert str(err.value) == (
        f"s3://no-such-bucket-here: bucket 'no-such-bucket-here' does not exist at {s3_server.endpoint_url}"
    )
    with pytest.raises(DamError, match="bucket 'no-such-bucket-here' does not exist"):
        connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    connector.close()


def test_wrong_credentials_are_access_denied(s3_server: S3Server, asset: Asset) -> None:
    bucket = s3_server.new_bucket()
    connector = S3Connector(bucket, endpoint_url=s3_server.endpoint_url, access_key="intruder", secret_key="nope")

    for message in _errors_of_exists_and_put(connector, asset):
        assert message.startswith(f"s3://{bucket}: ")
        assert f"access denied by {s3_server.endpoint_url}" in message
    connector.close()


def test_credentials_endpoint_and_region_come_from_the_environment(
    s3_server: S3Server, clean_aws_env: pytest.MonkeyPatch, asset: Asset
) -> None:
    bucket = s3_server.new_bucket()
    # A host name, not an IP: addressed virtual-host style it would become bucket.localhost,
    # which does not resolve, so this also checks path-style addressing for env endpoints.
    endpoint = s3_server.endpoint_url.replace("127.0.0.1", "localhost")
    clean_aws_env.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    clean_aws_env.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    clean_aws_env.setenv("AWS_ENDPOINT_URL", endpoint)
    clean_aws_env.setenv("AWS_DEFAULT_REGION", "eu-central-1")

    connector = S3Connector(bucket)

    assert connector.endpoint_url == endpoint
    connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    assert connector.exists(asset.key, asset.sha256)
    connector.close()


def test_explicit_arguments_win_over_the_environment(
    s3_server: S3Server, clean_aws_env: pytest.MonkeyPatch, asset: Asset
) -> None:
    bucket = s3_server.new_bucket()
    clean_aws_env.setenv("AWS_ACCESS_KEY_ID", "wrong-key")
    clean_aws_env.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    clean_aws_env.setenv("AWS_ENDPOINT_URL", _closed_port_endpoint())

    connector = S3Connector(bucket, **s3_server.options)

    assert connector.endpoint_url == s3_server.endpoint_url
    connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    assert connector.exists(asset.key, asset.sha256)
    connector.close()


def test_no_credentials_anywhere_is_a_clear_error(
    s3_server: S3Server, clean_aws_env: pytest.MonkeyPatch, asset: Asset
) -> None:
    connector = S3Connector("assets", endpoint_url=s3_server.endpoint_url)

    with pytest.raises(DamError, match="no usable S3 credentials") as err:
        connector.exists(asset.key, asset.sha256)
    assert "AWS_ACCESS_KEY_ID" in str(err.value)
    connector.close()


def test_half_given_credentials_are_refused() -> None:
    with pytest.raises(DamError, match="give both access_key and secret_key"):
        S3Connector("assets", endpoint_url=_closed_port_endpoint(), access_key="only-the-key")


def test_prefix_with_dot_dot_is_refused() -> None:
    with pytest.raises(DamError, match=re.escape("invalid asset key '../up'")):
        S3Connector("assets", "../up", endpoint_url=_closed_port_endpoint(), access_key="a", secret_key="b")


def test_oversized_metadata_is_refused_before_upload(s3_connector: S3Connector, asset: Asset) -> None:
    with pytest.raises(DamError, match="S3 allows 2048"):
        s3_connector.put(asset.key, asset.data, asset.content_type, {"legal": "ä" * 1000})
    assert s3_connector.exists(asset.key, asset.sha256) is False


def test_a_borrowed_client_is_used_and_left_open(s3_server: S3Server, asset: Asset) -> None:
    bucket = s3_server.new_bucket()
    client = s3_server.client()
    connector = S3Connector(bucket, client=client)

    connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    connector.close()

    assert client.head_object(Bucket=bucket, Key=asset.key)["ContentLength"] == len(asset.data)
    client.close()

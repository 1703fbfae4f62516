"""The contract every DAM connector keeps (dam_connectors/base.py), run against each of them.

Each test runs once per connector: the filesystem one in a temp folder and the S3 one against the
real SeaweedFS server of tests/conftest.py. What only one connector does (sidecar files, S3
headers, credentials) is tested in test_filesystem.py and test_s3.py.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import DamConnector, FileSystemConnector, S3Connector
from pipeline.errors import DamError, VitrinaError

if TYPE_CHECKING:
    from tests.conftest import S3Server
    from tests.dam_connectors.conftest import Asset

Connector = FileSystemConnector | S3Connector


@dataclass(frozen=True)
class Dam:
    connector: Connector
    stored: Callable[[], list[str]]  # every object or file the DAM holds, sorted

    def put(self, asset: Asset, data: bytes | None = None, metadata: dict[str, str] | None = None) -> str:
        return self.connector.put(
            asset.key,
            asset.data if data is None else data,
            asset.content_type,
            asset.metadata if metadata is None else metadata,
        )


@pytest.fixture(params=["filesystem", pytest.param("s3", marks=pytest.mark.slow)])
def dam(request: pytest.FixtureRequest, tmp_path: Path) -> Dam:
    if request.param == "filesystem":
        root = tmp_path / "dam"
        return Dam(
            FileSystemConnector(root),
            lambda: sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()),
        )
    connector: S3Connector = request.getfixturevalue("s3_connector")
    server: S3Server = request.getfixturevalue("s3_server")

    def stored() -> list[str]:
        client = server.client()
        try:
            listing = client.list_objects_v2(Bucket=connector.bucket).get("Contents", [])
        finally:
            client.close()
        return sorted(o["Key"] for o in listing)

    return Dam(connector, stored)


@dataclass(frozen=True)
class Broken:
    connector: Connector
    reason: str  # what the one-line error must say about the cause


@pytest.fixture(params=["filesystem", "s3"])
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> Broken:
    """A connector whose DAM cannot work: a root that is a file; an endpoint refusing connections."""
    if request.param == "filesystem":
        blocker = tmp_path / "dam"
        blocker.write_text("not a directory", encoding="utf-8")
        return Broken(FileSystemConnector(blocker), "Not a directory")
    # Port 9 (discard) on loopback: nothing listens, connecting is refused at once.
    endpoint = "http://127.0.0.1:9"
    connector = S3Connector("assets", "vitrina", endpoint_url=endpoint, access_key="a", secret_key="b")
    request.addfinalizer(connector.close)
    return Broken(connector, f"cannot reach S3 endpoint {endpoint}: connection refused")


def _other_sha(data: bytes = b"other") -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_stores_the_asset_and_returns_its_location_below_the_dam_uri(dam: Dam, asset: Asset) -> None:
    assert isinstance(dam.connector, DamConnector)
    assert dam.stored() == []

    location = dam.put(asset)

    assert location == f"{dam.connector.uri}/{asset.key}"
    assert any(name.endswith(asset.key) for name in dam.stored())


def test_exists_is_true_only_for_the_same_key_and_content(dam: Dam, asset: Asset) -> None:
    assert dam.connector.exists(asset.key, asset.sha256) is False

    dam.put(asset)

    assert dam.connector.exists(asset.key, asset.sha256) is True
    assert dam.connector.exists(asset.key, _other_sha()) is False
    assert dam.connector.exists("spring-26/other.jpg", asset.sha256) is False


def test_publishing_the_same_asset_again_changes_nothing(dam: Dam, asset: Asset) -> None:
    first = dam.put(asset)
    stored, metadata = dam.stored(), dam.connector.metadata(asset.key)

    assert dam.put(asset) == first
    assert dam.stored() == stored
    assert dam.connector.metadata(asset.key) == metadata
    assert dam.connector.exists(asset.key, asset.sha256) is True


def test_new_content_under_the_same_key_replaces_the_old(dam: Dam, asset: Asset) -> None:
    dam.put(asset)
    stored = dam.stored()
    new_data = asset.data + b"v2"

    dam.put(asset, data=new_data)

    assert dam.connector.exists(asset.key, hashlib.sha256(new_data).hexdigest()) is True
    assert dam.connector.exists(asset.key, asset.sha256) is False
    assert dam.stored() == stored  # replaced in place: no second copy, no temp file left


def test_metadata_round_trips_with_lower_case_names_and_the_data_sha256(dam: Dam, asset: Asset) -> None:
    metadata = {
        **asset.metadata,
        "Title": "Größe/ار",
        "claim": "50% off",
        "padded": "  spaced  ",
        "headline": "Summer Sale 2026",
    }
    assert dam.connector.metadata(asset.key) is None

    dam.put(asset, metadata=metadata)

    assert dam.connector.metadata(asset.key) == {
        **asset.metadata,
        "title": "Größe/ار",
        "claim": "50% off",
        "padded": "  spaced  ",
        "headline": "Summer Sale 2026",
        "sha256": asset.sha256,  # computed from the data when not given
    }
    assert dam.connector.metadata("never/published.jpg") is None


def _refused(operation: Callable[[], object]) -> str:
    """The message of the DamError ``operation`` raises; it must be one line."""
    with pytest.raises(DamError) as err:
        operation()
    assert isinstance(err.value, VitrinaError)
    message = str(err.value)
    assert message and "\n" not in message
    return message


def test_bad_keys_are_refused_and_nothing_is_stored(dam: Dam, asset: Asset, bad_key: str) -> None:
    for operation in (
        lambda: dam.connector.put(bad_key, asset.data, asset.content_type, asset.metadata),
        lambda: dam.connector.exists(bad_key, asset.sha256),
        lambda: dam.connector.metadata(bad_key),
    ):
        message = _refused(operation)
        assert "invalid asset key" in message and repr(bad_key) in message
    assert dam.stored() == []


def test_bad_keys_are_refused_before_the_dam_is_touched(broken: Broken, asset: Asset, bad_key: str) -> None:
    """A failing DAM would answer with its own error: the key is checked first."""
    for operation in (
        lambda: broken.connector.exists(bad_key, asset.sha256),
        lambda: broken.connector.put(bad_key, asset.data, asset.content_type, asset.metadata),
    ):
        message = _refused(operation)
        assert "invalid asset key" in message and repr(bad_key) in message
        assert broken.reason not in message


def test_a_malformed_sha256_is_refused(dam: Dam, asset: Asset) -> None:
    message = _refused(lambda: dam.connector.exists(asset.key, "abc"))
    assert "invalid sha256 'abc'" in message and repr(asset.key) in message


def test_a_sha256_that_does_not_match_the_data_is_refused_and_nothing_stored(dam: Dam, asset: Asset) -> None:
    wrong = _other_sha(b"something else")
    message = _refused(lambda: dam.put(asset, metadata={"sha256": wrong}))
    assert "does not match the data" in message and wrong in message
    assert dam.stored() == []


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"bad name": "x"}, "invalid metadata name 'bad name'"),
        ({"seed": 42}, "'seed' for 'spring-26/SKU-1042/de-DE/ig-square/v0001.jpg' must be a string, not int"),
        ({"SKU": "a", "sku": "b"}, "collide when lower-cased: 'sku'"),
    ],
    ids=["name", "not-a-string", "collision"],
)
def test_bad_metadata_is_refused_and_nothing_stored(dam: Dam, asset: Asset, metadata: dict, expected: str) -> None:
    assert expected in _refused(lambda: dam.put(asset, metadata=metadata))
    assert dam.stored() == []


def test_a_failing_dam_is_a_one_line_dam_error_naming_the_dam_the_key_and_the_cause(
    broken: Broken, asset: Asset
) -> None:
    started = time.monotonic()
    for operation in (
        lambda: broken.connector.exists(asset.key, asset.sha256),
        lambda: broken.connector.put(asset.key, asset.data, asset.content_type, asset.metadata),
        lambda: broken.connector.metadata(asset.key),
    ):
        message = _refused(operation)
        assert message.startswith(f"{broken.connector.uri}: ")
        assert repr(asset.key) in message and broken.reason in message
    assert time.monotonic() - started < 15  # fails in seconds, not after minutes of retries


def test_a_connector_is_a_context_manager_that_closes_it(dam: Dam, asset: Asset) -> None:
    with dam.connector as entered:
        assert entered is dam.connector
        entered.put(asset.key, asset.data, asset.content_type, asset.metadata)
    dam.connector.close()  # closing twice is harmless
    assert any(name.endswith(asset.key) for name in dam.stored())


TOMBSTONE = {
    "variant_id": "v0123456789a",
    "sha256": "ab" * 32,
    "reason": "rejected",
    "retracted_at": "2026-03-01T10:00:00+00:00",
    "by": "dana",
}


def test_retract_removes_the_asset_and_leaves_a_tombstone_saying_why(dam: Dam, asset: Asset) -> None:
    dam.put(asset)

    location = dam.connector.retract(asset.key, TOMBSTONE)

    assert location == f"{dam.connector.uri}/{asset.key}.tombstone.json"
    (only,) = dam.stored()  # the asset and its metadata are gone, the tombstone is all that is left
    assert only.endswith(f"{asset.key}.tombstone.json")
    assert dam.connector.exists(asset.key, asset.sha256) is False
    assert dam.connector.metadata(asset.key) is None
    assert dam.connector.tombstone(asset.key) == {"key": asset.key, **TOMBSTONE}


def test_retracting_twice_or_what_was_never_published_is_harmless(dam: Dam, asset: Asset) -> None:
    dam.put(asset)
    first = dam.connector.retract(asset.key, TOMBSTONE)
    stored = dam.stored()

    assert dam.connector.retract(asset.key, TOMBSTONE) == first
    assert dam.stored() == stored
    assert dam.connector.tombstone(asset.key) == {"key": asset.key, **TOMBSTONE}
    never = "spring-26/never/published.jpg"
    dam.connector.retract(never, {"reason": "superseded"})
    assert dam.connector.tombstone(never) == {"key": never, "reason": "superseded"}
    assert dam.connector.tombstone("spring-26/other.jpg") is None


def test_publishing_a_retracted_key_again_removes_its_tombstone(dam: Dam, asset: Asset) -> None:
    dam.put(asset)
    stored = dam.stored()
    dam.connector.retract(asset.key, TOMBSTONE)

    dam.put(asset)

    assert dam.connector.exists(asset.key, asset.sha256) is True
    assert dam.connector.tombstone(asset.key) is None
    assert dam.stored() == stored


def test_tombstone_names_are_reserved(dam: Dam, asset: Asset) -> None:
    key = f"{asset.key}.tombstone.json"
    for operation in (
        lambda: dam.connector.put(key, asset.data, asset.content_type, asset.metadata),
        lambda: dam.connector.retract(key, TOMBSTONE),
    ):
        assert "reserved for tombstones" in _refused(operation)
    assert dam.stored() == []


@pytest.mark.parametrize(
    ("tombstone", "expected"),
    [
        ({"Reason": "x"}, "invalid tombstone field 'Reason'"),
        ({"key": "x"}, "invalid tombstone field 'key'"),
        ({"reason": 3}, "tombstone field 'reason' for 'spring-26/SKU-1042/de-DE/ig-square/v0001.jpg' must be a string"),
    ],
    ids=["upper-case", "key", "not-a-string"],
)
def test_a_bad_tombstone_is_refused_and_the_asset_stays(dam: Dam, asset: Asset, tombstone: dict, expected: str) -> None:
    dam.put(asset)
    stored = dam.stored()
    assert expected in _refused(lambda: dam.connector.retract(asset.key, tombstone))
    assert dam.stored() == stored and dam.connector.exists(asset.key, asset.sha256) is True


def test_retract_refuses_bad_keys_before_the_dam_is_touched(broken: Broken, bad_key: str) -> None:
    message = _refused(lambda: broken.connector.retract(bad_key, TOMBSTONE))
    assert "invalid asset key" in message and repr(bad_key) in message and broken.reason not in message


def test_retract_on_a_failing_dam_is_a_one_line_dam_error(broken: Broken, asset: Asset) -> None:
    message = _refused(lambda: broken.connector.retract(asset.key, TOMBSTONE))
    assert message.startswith(f"{broken.connector.uri}: ")
    assert repr(asset.key) in message and broken.reason in message

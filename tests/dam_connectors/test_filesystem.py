"""FileSystemConnector: what a DAM watching a folder sees, and what exists() promises."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import DamConnector, DamError, FileSystemConnector

if TYPE_CHECKING:
    from tests.dam_connectors.conftest import Asset


def _files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_put_writes_the_bytes_and_returns_a_file_uri(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    location = fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    path = fs_connector.root / asset.key
    assert location == path.as_uri()
    assert location.startswith("file:///")
    assert path.read_bytes() == asset.data
    assert fs_connector.uri == fs_connector.root.as_uri()
    assert isinstance(fs_connector, DamConnector)


def test_exists_is_true_only_for_the_same_content(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    assert fs_connector.exists(asset.key, asset.sha256) is False

    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    assert fs_connector.exists(asset.key, asset.sha256) is True
    assert fs_connector.exists(asset.key, hashlib.sha256(b"other").hexdigest()) is False
    assert fs_connector.exists("spring-26/other.jpg", asset.sha256) is False


def test_sidecar_holds_content_type_and_metadata_including_non_ascii(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    metadata = {**asset.metadata, "Title": "Größe/ار", "note": "50% off"}
    fs_connector.put(asset.key, asset.data, asset.content_type, metadata)

    sidecar = fs_connector.root / (asset.key + ".meta.json")
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    assert record["content_type"] == "image/jpeg"
    assert record["size"] == len(asset.data)
    assert record["metadata"]["title"] == "Größe/ار"  # names are lower-cased like on S3
    assert record["metadata"]["sha256"] == asset.sha256  # computed when not given
    assert fs_connector.metadata(asset.key) == {
        **asset.metadata,
        "title": "Größe/ار",
        "note": "50% off",
        "sha256": asset.sha256,
    }
    assert fs_connector.metadata("never/published.jpg") is None


def test_overwrite_replaces_content_and_leaves_no_temp_files(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    new_data = asset.data + b"v2"
    fs_connector.put(asset.key, new_data, asset.content_type, asset.metadata)

    assert (fs_connector.root / asset.key).read_bytes() == new_data
    assert fs_connector.exists(asset.key, hashlib.sha256(new_data).hexdigest()) is True
    assert fs_connector.exists(asset.key, asset.sha256) is False
    assert _files_under(fs_connector.root) == [asset.key, asset.key + ".meta.json"]


def test_failed_write_keeps_the_previous_version_intact(
    fs_connector: FileSystemConnector, asset: Asset, monkeypatch: pytest.MonkeyPatch
) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(DamError) as err:
        fs_connector.put(asset.key, b"half-written", asset.content_type, asset.metadata)
    monkeypatch.undo()

    message = str(err.value)
    assert "\n" not in message
    assert fs_connector.uri in message and "No space left on device" in message
    assert (fs_connector.root / asset.key).read_bytes() == asset.data
    # No temp file lingers; the sidecar was withdrawn first, so the old asset now reads as
    # "not published" and the next run republishes rather than trusting a stale record.
    assert _files_under(fs_connector.root) == [asset.key]
    assert fs_connector.exists(asset.key, asset.sha256) is False


def test_exists_is_false_when_the_file_was_removed_or_changed_size(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    path = fs_connector.root / asset.key

    path.write_bytes(asset.data[:5])
    assert fs_connector.exists(asset.key, asset.sha256) is False

    path.unlink()
    assert fs_connector.exists(asset.key, asset.sha256) is False


def test_published_files_are_readable_by_others(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    old_umask = os.umask(0o022)
    try:
        fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    finally:
        os.umask(old_umask)
    assert (fs_connector.root / asset.key).stat().st_mode & 0o777 == 0o644


def test_mismatching_sha256_metadata_is_refused(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(DamError, match="does not match the data"):
        fs_connector.put(asset.key, asset.data, asset.content_type, {"sha256": wrong})
    assert not (fs_connector.root / asset.key).exists()


def test_bad_keys_are_refused_and_nothing_is_written(
    fs_connector: FileSystemConnector, asset: Asset, bad_key: str, tmp_path: Path
) -> None:
    with pytest.raises(DamError) as err:
        fs_connector.put(bad_key, asset.data, asset.content_type, asset.metadata)
    assert repr(bad_key) in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(DamError):
        fs_connector.exists(bad_key, asset.sha256)
    assert _files_under(tmp_path) == []


def test_sidecar_names_are_reserved(fs_connector: FileSystemConnector, asset: Asset) -> None:
    with pytest.raises(DamError, match="reserved"):
        fs_connector.put(asset.key + ".meta.json", b"{}", "application/json", {})


def test_malformed_sha256_is_refused(fs_connector: FileSystemConnector, asset: Asset) -> None:
    with pytest.raises(DamError, match="invalid sha256 'abc'"):
        fs_connector.exists(asset.key, "abc")


def test_root_is_created_on_first_put(tmp_path: Path, asset: Asset) -> None:
    connector = FileSystemConnector(tmp_path / "not" / "yet" / "there")
    connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    assert connector.exists(asset.key, asset.sha256)


def test_root_that_is_a_file_gives_one_line_error(tmp_path: Path, asset: Asset) -> None:
    blocker = tmp_path / "dam"
    blocker.write_text("not a directory")
    connector = FileSystemConnector(blocker)

    with pytest.raises(DamError) as err:
        connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    message = str(err.value)
    assert message.startswith(f"{connector.uri}: cannot write {asset.key!r}:")
    assert "\n" not in message


def test_corrupt_sidecar_is_reported_not_ignored(
    fs_connector: FileSystemConnector, asset: Asset
) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    sidecar = fs_connector.root / (asset.key + ".meta.json")
    sidecar.write_text("{ truncated", encoding="utf-8")

    with pytest.raises(DamError, match="is not a JSON object") as err:
        fs_connector.exists(asset.key, asset.sha256)
    assert str(sidecar) in str(err.value)


def test_bad_metadata_is_refused(fs_connector: FileSystemConnector, asset: Asset) -> None:
    with pytest.raises(DamError, match="invalid metadata name 'bad name'"):
        fs_connector.put(asset.key, asset.data, asset.content_type, {"bad name": "x"})
    with pytest.raises(DamError, match="must be a string"):
        fs_connector.put(asset.key, asset.data, asset.content_type, {"seed": 42})  # type: ignore[dict-item]
    with pytest.raises(DamError, match="collide"):
        fs_connector.put(asset.key, asset.data, asset.content_type, {"SKU": "a", "sku": "b"})
    assert not (fs_connector.root / asset.key).exists()

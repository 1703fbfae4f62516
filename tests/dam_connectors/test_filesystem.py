"""FileSystemConnector: what a DAM watching a folder sees, and what exists() promises.

What every connector does (exists, idempotent puts, bad keys, metadata, one-line errors) is in
test_contract.py; here only the folder layout, the sidecar files and atomic writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dam_connectors import DamError, FileSystemConnector

if TYPE_CHECKING:
    from tests.dam_connectors.conftest import Asset


def _files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_put_writes_the_bytes_below_the_root_and_returns_their_file_uri(
    tmp_path: Path, fs_connector: FileSystemConnector, asset: Asset
) -> None:
    location = fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    path = tmp_path / "dam" / "spring-26" / "SKU-1042" / "de-DE" / "ig-square" / "v0001.jpg"
    assert location == path.as_uri() and location.startswith("file:///")
    assert path.read_bytes() == asset.data


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
    assert record["metadata"]["note"] == "50% off"


def test_overwrite_replaces_content_and_leaves_no_temp_files(fs_connector: FileSystemConnector, asset: Asset) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    new_data = asset.data + b"v2"
    fs_connector.put(asset.key, new_data, asset.content_type, asset.metadata)

    assert (fs_connector.root / asset.key).read_bytes() == new_data
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


def test_published_files_are_readable_by_others(fs_connector: FileSystemConnector, asset: Asset) -> None:
    old_umask = os.umask(0o022)
    try:
        fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    finally:
        os.umask(old_umask)
    assert (fs_connector.root / asset.key).stat().st_mode & 0o777 == 0o644


def test_sidecar_names_are_reserved(fs_connector: FileSystemConnector, asset: Asset) -> None:
    with pytest.raises(DamError, match="reserved"):
        fs_connector.put(asset.key + ".meta.json", b"{}", "application/json", {})


def test_root_is_created_on_first_put(tmp_path: Path, asset: Asset) -> None:
    connector = FileSystemConnector(tmp_path / "not" / "yet" / "there")
    connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    assert connector.exists(asset.key, asset.sha256)


def test_corrupt_sidecar_is_reported_not_ignored(fs_connector: FileSystemConnector, asset: Asset) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)
    sidecar = fs_connector.root / (asset.key + ".meta.json")
    sidecar.write_text("{ truncated", encoding="utf-8")

    with pytest.raises(DamError, match="is not a JSON object") as err:
        fs_connector.exists(asset.key, asset.sha256)
    assert str(sidecar) in str(err.value)


def test_retract_leaves_only_a_readable_json_tombstone_in_the_folder(
    tmp_path: Path, fs_connector: FileSystemConnector, asset: Asset
) -> None:
    fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata)

    location = fs_connector.retract(asset.key, {"reason": "rejected", "by": "dana"})

    grave = tmp_path / "dam" / f"{asset.key}.tombstone.json"
    assert location == grave.as_uri()
    assert _files_under(tmp_path / "dam") == [f"{asset.key}.tombstone.json"]
    assert json.loads(grave.read_text(encoding="utf-8")) == {"key": asset.key, "reason": "rejected", "by": "dana"}


@pytest.mark.parametrize("link", ["spring-26", "spring-26/SKU-1042/de-DE/ig-square/v0001.jpg"])
def test_a_symbolic_link_leading_out_of_the_dam_is_refused(
    tmp_path: Path, fs_connector: FileSystemConnector, asset: Asset, link: str
) -> None:
    """A folder or file inside the DAM that links elsewhere: nothing is written, read or removed
    there (before: the put wrote the asset and its sidecar into the link's target)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted = fs_connector.root / link
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.symlink_to(elsewhere / "v0001.jpg" if link.endswith(".jpg") else elsewhere, target_is_directory=True)
    (elsewhere / "v0001.jpg").write_bytes(b"someone else's file")
    for call in (
        lambda: fs_connector.put(asset.key, asset.data, asset.content_type, asset.metadata),
        lambda: fs_connector.exists(asset.key, asset.sha256),
        lambda: fs_connector.retract(asset.key, {"variant": "v1", "reason": "rejected"}),
    ):
        with pytest.raises(DamError, match="leads out of the DAM folder through a symbolic link"):
            call()
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["v0001.jpg"]
    assert (elsewhere / "v0001.jpg").read_bytes() == b"someone else's file"

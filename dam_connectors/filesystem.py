"""Publish to a local (or mounted network) directory: ``file://DIR``.

Useful on its own (a shared folder a DAM watches) and as the zero-setup DAM for demos and tests.
Each asset ``<root>/<key>`` gets a sidecar ``<root>/<key>.meta.json`` holding its content type
and metadata (including the sha256 ``exists`` compares), because plain files have no portable
place for user metadata.

Retracting ``<key>`` removes the file and its sidecar and writes ``<root>/<key>.tombstone.json``
(the caller's record of why, plus the key) in their place; putting the key again removes the
tombstone.

Writes are atomic (temp file in the same directory, then ``os.replace``) so a watcher never
picks up a half-written image. On overwrite the old sidecar is removed first and the new one is
written last: a crash in between leaves "not published" (``exists`` is False, the next run
republishes), never a sidecar vouching for bytes that are not there.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from dam_connectors.base import (
    SHA256_METADATA_KEY,
    TOMBSTONE_SUFFIX,
    DamError,
    prepare_metadata,
    prepare_tombstone,
    refuse_reserved,
    tombstone_json,
    validate_key,
    validate_sha256,
)

__all__ = ["SIDECAR_SUFFIX", "FileSystemConnector"]

#: Appended to an asset's file name to name its metadata sidecar.
SIDECAR_SUFFIX = ".meta.json"


class FileSystemConnector:
    """A DAM that is a directory tree; see the module docstring for the on-disk layout."""

    def __init__(self, root: Path | str) -> None:
        # Resolve once so the URI and every returned location are absolute and stable even if
        # the process later changes its working directory.
        self._root = Path(root).expanduser().resolve()

    def __repr__(self) -> str:
        return f"FileSystemConnector({str(self._root)!r})"

    def __enter__(self) -> FileSystemConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The absolute directory assets are written below."""
        return self._root

    @property
    def uri(self) -> str:
        """``file:///abs/dir``; ``connector_for(uri)`` gives back an equivalent connector."""
        return self._root.as_uri()

    def path_for(self, key: str) -> Path:
        """Where ``key`` lives on disk (validated: it cannot point outside the root)."""
        validate_key(key, uri=self.uri)
        if key.endswith(SIDECAR_SUFFIX):
            raise DamError(
                f"{self.uri}: invalid asset key {key!r}: names ending in {SIDECAR_SUFFIX!r} "
                "are reserved for metadata sidecars",
                uri=self.uri,
                key=key,
            )
        refuse_reserved(key, uri=self.uri)
        path = self._root.joinpath(*key.split("/"))
        # A folder (or file) inside the DAM that is a symbolic link leading out of it would make
        # every write, removal and read under it happen elsewhere: refuse the key instead.
        if not path.resolve().is_relative_to(self._root):
            raise DamError(
                f"{self.uri}: {key!r} leads out of the DAM folder through a symbolic link ({path.resolve()})",
                uri=self.uri,
                key=key,
            )
        return path

    def exists(self, key: str, sha256: str) -> bool:
        """True when the file and its sidecar exist, and the sidecar's sha256 and size match.

        The size check catches a file truncated or replaced behind our back without hashing it.
        """
        path = self.path_for(key)
        validate_sha256(sha256, uri=self.uri, key=key)
        record = self._read_sidecar(key, path)
        if record is None:
            return False
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._os_error(exc, f"cannot check {key!r}", key) from None
        metadata = record.get("metadata")
        return isinstance(metadata, dict) and metadata.get(SHA256_METADATA_KEY) == sha256 and record.get("size") == size

    def metadata(self, key: str) -> dict[str, str] | None:
        """The metadata stored with ``key`` (sha256 included), or None if it was never published."""
        record = self._read_sidecar(key, self.path_for(key))
        if record is None:
            return None
        metadata = record.get("metadata")
        return dict(metadata) if isinstance(metadata, dict) else None

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        """Write ``data`` to ``<root>/<key>`` atomically with its sidecar; return a file URI."""
        path = self.path_for(key)
        prepared = prepare_metadata(data, metadata, uri=self.uri, key=key)
        sidecar = _sidecar_path(path)
        record: dict[str, Any] = {
            "key": key,
            "content_type": content_type,
            "size": len(data),
            "metadata": prepared,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sidecar.unlink(missing_ok=True)
            _atomic_write(path, bytes(data))
            sidecar_bytes = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
            _atomic_write(sidecar, (sidecar_bytes + "\n").encode("utf-8"))
            _tombstone_path(path).unlink(missing_ok=True)
        except OSError as exc:
            raise self._os_error(exc, f"cannot write {key!r}", key) from None
        return path.as_uri()

    def retract(self, key: str, tombstone: dict[str, str]) -> str:
        """Remove ``<root>/<key>`` and its sidecar, then write ``<key>.tombstone.json``; return its
        file URI. The sidecar goes first, so a crash in between leaves "not published"."""
        path = self.path_for(key)
        record = prepare_tombstone(tombstone, uri=self.uri, key=key)
        grave = _tombstone_path(path)
        try:
            _sidecar_path(path).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(grave, tombstone_json(record))
        except OSError as exc:
            raise self._os_error(exc, f"cannot retract {key!r}", key) from None
        return grave.as_uri()

    def tombstone(self, key: str) -> dict[str, str] | None:
        """The tombstone ``retract`` left at ``key``, or None when the key was never retracted."""
        grave = _tombstone_path(self.path_for(key))
        try:
            record = json.loads(grave.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._os_error(exc, f"cannot read the tombstone of {key!r}", key) from None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise DamError(f"{self.uri}: tombstone {grave} is not a JSON object", uri=self.uri, key=key)
        return {str(k): str(v) for k, v in record.items()}

    def close(self) -> None:
        """Nothing to release; present to satisfy :class:`~dam_connectors.base.DamConnector`."""

    def _read_sidecar(self, key: str, path: Path) -> dict[str, Any] | None:
        sidecar = _sidecar_path(path)
        try:
            text = sidecar.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._os_error(exc, f"cannot read metadata of {key!r}", key) from None
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            # Fail loudly instead of treating it as "not published": a corrupt sidecar means
            # someone else writes into this directory, which a user needs to know about.
            raise DamError(
                f"{self.uri}: metadata sidecar {sidecar} is not a JSON object; delete it to republish",
                uri=self.uri,
                key=key,
            )
        return record

    def _os_error(self, exc: OSError, doing: str, key: str) -> DamError:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename else ""
        return DamError(f"{self.uri}: {doing}: {reason}{where}", uri=self.uri, key=key)


def _sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _tombstone_path(path: Path) -> Path:
    return path.with_name(path.name + TOMBSTONE_SUFFIX)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a uniquely named temp file in the same directory, then rename over ``path``.

    ``os.open`` with mode 0o666 lets the umask decide permissions, so published files are as
    readable as any other file the user creates (mkstemp would make them owner-only, which a
    DAM watcher running as another user could not read).
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

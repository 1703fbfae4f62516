"""Content hashes of input files, each file read once per process while it is unchanged.

`file_sha256` is the SHA-256 of a file's bytes, cached by (resolved path, size, mtime in ns): a
multi-gigabyte checkpoint is read once per process, and read again as soon as it is replaced or
touched. `folder_digest` combines the file hashes of a whole folder (a brand guide, a diffusers
model folder) into one value that changes when any file's name or bytes change.

Both are what lineage records (`pipeline.model.lineage`): model weights (`weights_sha256`) and the
brand guide a banner was drawn with (``inputs.brand_sha256``), so an auditor and `vitrina
regenerate` can tell whether they hold the same files.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["file_sha256", "folder_digest", "folder_files"]

_CHUNK = 1 << 20
_CACHE: dict[tuple[str, int, int], str] = {}
_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes; cached while its path, size and mtime stay the same.

    Raises `OSError` when the file cannot be read (the caller turns it into its own error)."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    key = (str(resolved), stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    with open(resolved, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    value = digest.hexdigest()
    with _LOCK:
        _CACHE[key] = value
    return value


def folder_files(folder: Path, keep: Callable[[Path], bool] | None = None) -> dict[str, str]:
    """Relative POSIX name -> `file_sha256` for every regular file under `folder` (sorted by name),
    only those `keep` accepts when given. Hidden files and folders (a name starting with ".") are
    left out: caches and editor files are not inputs."""
    folder = Path(folder)
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if keep is None or keep(path):
            out[relative.as_posix()] = file_sha256(path)
    return out


def folder_digest(folder: Path, keep: Callable[[Path], bool] | None = None) -> str:
    """SHA-256 over ``"<relative name>\\0<file sha256>\\n"`` for each file of `folder_files`."""
    digest = hashlib.sha256(b"vitrina-folder-v2\0")
    for name, sha in folder_files(folder, keep).items():
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()

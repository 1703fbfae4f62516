"""Files and names of an output folder: atomic writes, checked names, and whether the process
that started a run still runs."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

from pipeline.errors import InputError, shown

__all__ = [
    "sha256_bytes",
    "variant_id",
    "blob_location",
    "cutout_location",
    "atomic_write",
    "link_or_copy",
    "check_sha",
    "check_run_id",
    "check_name",
    "process_start",
    "alive",
]

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MAX_NAME = 200


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def variant_id(campaign_id: str, sku: str, scene: str, fmt: str, locale: str, blob_sha: str) -> str:
    """Stable id: the same inputs producing the same bytes are the same variant across runs."""
    key = "|".join((campaign_id, sku, scene, fmt, locale, blob_sha))
    return "v" + hashlib.sha256(key.encode()).hexdigest()[:11]


def blob_location(root: Path, sha: str, suffix: str = ".png") -> Path:
    """Where a store rooted at `root` keeps the blob with this SHA-256 (of its bytes)."""
    return Path(root) / "blobs" / "sha256" / sha[:2] / f"{sha}{suffix}"


def cutout_location(root: Path, pixel_sha: str) -> Path:
    """Where a store rooted at `root` keeps the cut-out whose decoded pixels hash to `pixel_sha`."""
    return Path(root) / "cutouts" / "sha256" / pixel_sha[:2] / f"{pixel_sha}.png"


def check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA256_RE.match(sha):
        raise InputError(f"{shown(sha)}: not a SHA-256 (64 lower-case hex digits)")
    return sha


def check_run_id(run_id: str) -> str:
    if not isinstance(run_id, str) or not _RUN_ID_RE.match(run_id):
        raise InputError(
            f"run id {shown(run_id)}: not allowed (letters, digits, '.', '_' and '-', 1 to 100, no path separators)"
        )
    return run_id


def check_name(part: str, whole: str) -> str:
    """One path segment made from campaign data (a SKU, scene, format or locale)."""
    problem = None
    if part in ("", ".", ".."):
        problem = "empty, '.' and '..' segments are not allowed"
    elif "\\" in part:
        problem = "backslashes are not allowed"
    elif any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in part):
        problem = "control and invisible characters are not allowed"
    elif len(part) > _MAX_NAME:
        problem = f"segments longer than {_MAX_NAME} characters are not allowed"
    if problem:
        raise InputError(f"output path {shown(whole)}: {shown(part)}: {problem}")
    return part


def process_start(pid: int) -> str | None:
    """When process `pid` started (Linux: clock ticks since boot), to tell it from a later process
    given the same pid; None where /proc is not available, or the process is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    after = stat[stat.rfind(")") + 2 :].split()
    if len(after) < 20 or after[0] in ("Z", "X"):
        return None
    return after[19]


def alive(pid: int, started: str | None) -> bool:
    """Whether process `pid` (started at `started`, when known) still runs on this host."""
    if Path("/proc/self/stat").exists():
        now = process_start(pid)
        return now is not None and (started is None or now == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a uniquely named temp file next to `path`, then rename it over `path`:
    concurrent writers of the same file never share a temp file, and readers never see half."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def link_or_copy(source: Path, target: Path) -> None:
    """Put `source` at `target` as a hard link (a copy where links fail), by an atomic rename
    where `target` exists (a new name is linked directly: creating a link is atomic)."""
    try:
        os.link(source, target)
        return
    except OSError:
        pass  # there already, or no links here: by a rename, below
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            os.link(source, tmp)
        except OSError:
            tmp.write_bytes(source.read_bytes())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

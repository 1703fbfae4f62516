"""Files and names of an output folder: atomic writes, checked names, and whether the process
that started a run still runs."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import Path

from pipeline.errors import InputError, shown

__all__ = ["atomic_write", "check_sha", "check_run_id", "check_name", "process_start", "alive"]

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MAX_NAME = 200


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

"""What a re-run need not compute again, kept in the catalog: Tesseract readings and input-file hashes.

- `reading_cache()`: Tesseract's raw output by `pipeline.checks.ocr.reading_key` (the hash of the
  image it read and how it read it), table ``ocr_readings``. A run hands it to its `TextReader`,
  so an unchanged text block is never read again, by this run, a later one, or another worker that
  shares the catalog. Writes are idempotent (``ON CONFLICT DO NOTHING``): the same key is the same
  image read the same way, so whichever worker stored it first holds the reading.
- `file_digests(paths)`: the SHA-256 of input files (catalog photos), table ``file_digests``, reused
  while a file's size, mtime (ns) and inode are unchanged, so learning that 30,000 photos did not
  change costs one stat each and a few queries instead of reading every byte.

Both are caches: deleting their rows costs time on the next run, never a wrong result.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import ARRAY, Text, any_, bindparam, select, text

from pipeline.storage import tables
from pipeline.storage.audit import now
from pipeline.storage.base import CatalogBase

__all__ = ["CacheMixin", "StoredReadings", "IN_CHUNK", "RACY_NS"]

#: Paths per ``IN (...)`` list: far below SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 500
#: A file modified this recently (ns) is hashed but its row is not kept: a rewrite with the same
#: size within the file system's timestamp granularity would otherwise keep the old hash (git's
#: "racily clean" entries). The next run hashes it again and keeps it then.
RACY_NS = 2_000_000_000


class StoredReadings:
    """A `pipeline.checks.ocr.ReadingCache` over the catalog's ``ocr_readings`` table, with the
    readings already seen by this process in memory (a repeated `get` costs no query). Thread-safe.

    A miss is not remembered: another worker may store that reading a moment later."""

    def __init__(self, store: CatalogBase) -> None:
        self._store = store
        self._seen: dict[str, str] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._guard:
            if key in self._seen:
                return self._seen[key]
        with self._store._read() as db:
            raw = db.value("SELECT reading FROM ocr_readings WHERE key=:key", key=key)
        if raw is None:
            return None
        text = str(json.loads(raw))
        with self._guard:
            self._seen[key] = text
        return text

    def put(self, key: str, text: str) -> None:
        with self._guard:
            if key in self._seen:
                return
        with self._store._tx() as db:
            db.run(
                "INSERT INTO ocr_readings(key, reading, at) VALUES (:key, :reading, :at) ON CONFLICT (key) DO NOTHING",
                key=key,
                reading=json.dumps(text),  # a JSON string: the column holds JSON
                at=now(),
            )
        with self._guard:
            self._seen.setdefault(key, text)

    def __len__(self) -> int:
        """Readings held in memory (those this process got or put)."""
        with self._guard:
            return len(self._seen)


class CacheMixin(CatalogBase):
    def reading_cache(self) -> StoredReadings:
        """This store's persistent cache of Tesseract outputs (one per store object, shared by
        every reader of the process): ``TextReader(cache=store.reading_cache())``."""
        with self._lock:
            cache = self.__dict__.get("_stored_readings")
            if cache is None:
                cache = self.__dict__["_stored_readings"] = StoredReadings(self)
        return cache

    def file_digests(self, paths: Sequence[Path]) -> dict[Path, str]:
        """SHA-256 of each file in `paths` (keys: the paths as given), from the catalog while its
        size, mtime (ns) and inode are those recorded, else read now; the new and changed rows are
        written in one transaction. Files are identified by absolute path, symlinks not resolved
        (resolving costs a system call per path component; a retargeted link shows another
        inode, so it is read again). Rows of files modified within `RACY_NS` are not kept.

        OSError, nothing written, for a file that cannot be stat'ed or read (as
        `pipeline.digests.file_sha256`): the caller decides what a missing photo means."""
        names = {p: os.path.abspath(p) for p in paths}
        distinct = list(dict.fromkeys(names.values()))
        stored: dict[str, tuple[int, int, int, str]] = {}
        table = tables.file_digests
        query = select(table.c.path, table.c.size, table.c.mtime_ns, table.c.inode, table.c.sha256)
        with self._read() as db:
            if self._engine.dialect.name == "postgresql":
                # One array parameter for every path: psycopg parses a 500-parameter IN list again
                # for each chunk (half of 0.75 s for 30,000 paths); ``= ANY(array)`` is one query.
                chunks = [query.where(table.c.path == any_(bindparam("paths", distinct, type_=ARRAY(Text))))]
            else:
                # SQLite has no arrays: an expanding IN, compiled once, where SQL text with 500
                # named parameters is parsed again for every chunk (a third of the time).
                chunks = [
                    query.where(table.c.path.in_(distinct[start : start + IN_CHUNK]))
                    for start in range(0, len(distinct), IN_CHUNK)
                ]
            for chunk in chunks:
                for path, size, mtime_ns, inode, sha in db.conn.execute(chunk).all():
                    stored[path] = (int(size), int(mtime_ns), int(inode), str(sha))
        digests: dict[str, str] = {}
        changed: list[dict[str, object]] = []
        racy_since = time.time_ns() - RACY_NS
        for name in distinct:
            st = os.stat(name)
            known = stored.get(name)
            if known is not None and known[:3] == (st.st_size, st.st_mtime_ns, _signed64(st.st_ino)):
                digests[name] = known[3]
                continue
            digests[name] = _read_sha256(name)
            if st.st_mtime_ns < racy_since:
                changed.append(
                    {
                        "path": name,
                        "size": st.st_size,
                        "mtime_ns": st.st_mtime_ns,
                        "inode": _signed64(st.st_ino),
                        "sha256": digests[name],
                    }
                )
        if changed:
            with self._tx() as db:
                for start in range(0, len(changed), IN_CHUNK):
                    db.conn.execute(
                        text(
                            "INSERT INTO file_digests(path, size, mtime_ns, inode, sha256)"
                            " VALUES (:path, :size, :mtime_ns, :inode, :sha256) ON CONFLICT (path) DO UPDATE SET"
                            " size=excluded.size, mtime_ns=excluded.mtime_ns, inode=excluded.inode,"
                            " sha256=excluded.sha256"
                        ),
                        changed[start : start + IN_CHUNK],
                    )
        return {path: digests[name] for path, name in names.items()}


def _read_sha256(name: str) -> str:
    """Hex SHA-256 of the file's bytes, read now. Not `pipeline.digests.file_sha256`: its
    per-process cache is keyed by path, size and mtime only, so a file replaced by another of the
    same size and mtime (another inode, which is why we are reading) would get the old hash."""
    with open(name, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _signed64(value: int) -> int:
    """`value` as the signed 64-bit integer a BIGINT holds: some file systems hand out inode
    numbers of 2**63 and above."""
    return value - (1 << 64) if value >= 1 << 63 else value

"""The catalog's caches (issue 14): Tesseract readings by the hash of what was read, and input-file
hashes kept while a file's size, mtime and inode are unchanged. Real store on SQLite and
PostgreSQL (``catalog``)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

import pipeline.storage.caches as caches
from pipeline.storage.store import Store

HOUR_AGO_NS = time.time_ns() - 3600 * 10**9


def _photo(path: Path, data: bytes, mtime_ns: int = HOUR_AGO_NS) -> Path:
    """A file with `data`, last modified an hour ago (older than RACY_NS: its row is kept)."""
    path.write_bytes(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file `file_digests` reads from now on."""
    read: list[Path] = []
    real = caches._read_sha256

    def counting(name: str) -> str:
        read.append(Path(name))
        return real(name)

    monkeypatch.setattr(caches, "_read_sha256", counting)
    return read


def test_readings_survive_the_store_and_a_second_put_keeps_the_first(tmp_path: Path, catalog: str | None) -> None:
    store = Store(tmp_path, catalog)
    cache = store.reading_cache()
    assert store.reading_cache() is cache  # one per store: its memory is shared by every reader
    assert cache.get("k1") is None
    cache.put("k1", "Winter essentials\n")
    cache.put("k2", "")  # an empty reading is a reading, not a miss
    cache.put("k1", "something else")  # the same key is the same image read the same way: kept once
    store.close()

    again = Store(tmp_path, catalog).reading_cache()
    assert again.get("k1") == "Winter essentials\n"
    assert again.get("k2") == ""
    assert again.get("k3") is None


def test_a_reading_seen_once_costs_no_query(tmp_path: Path, catalog: str | None) -> None:
    store = Store(tmp_path, catalog)
    store.reading_cache().put("k", "26,39€")
    other = Store(tmp_path, catalog)  # another process: reads the table once
    cache = other.reading_cache()
    assert cache.get("k") == "26,39€"
    other.close()  # no connection any more: only memory can answer
    other._engine = None  # type: ignore[assignment]
    assert cache.get("k") == "26,39€"
    store.close()


def test_two_stores_putting_the_same_reading_do_not_conflict(tmp_path: Path, catalog: str | None) -> None:
    a, b = Store(tmp_path, catalog), Store(tmp_path, catalog)
    a.reading_cache().put("same", "one")
    b.reading_cache().put("same", "one")  # ON CONFLICT DO NOTHING: no error, one row
    with a._read() as db:
        assert db.value("SELECT COUNT(*) FROM ocr_readings") == 1
    a.close()
    b.close()


def test_file_digests_are_reused_until_a_file_changes(
    tmp_path: Path, catalog: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    a = _photo(photos / "a.png", b"alpha")
    b = _photo(photos / "b.png", b"beta")
    store = Store(tmp_path / "out", catalog)
    assert store.file_digests([a, b]) == {a: _sha(b"alpha"), b: _sha(b"beta")}

    read = _reads(monkeypatch)
    relative = Path(os.path.relpath(a))
    again = Store(tmp_path / "out", catalog)  # a later run
    assert again.file_digests([a, b, relative]) == {a: _sha(b"alpha"), b: _sha(b"beta"), relative: _sha(b"alpha")}
    assert read == []  # nothing read: size, mtime and inode are those recorded

    _photo(b, b"BETA", HOUR_AGO_NS + 10**9)  # same size, new mtime
    assert again.file_digests([a, b]) == {a: _sha(b"alpha"), b: _sha(b"BETA")}
    assert read == [b]
    replaced = _photo(photos / "new.png", b"gamma")  # same size and mtime as a.png ...
    os.replace(replaced, a)  # ... moved over it: only the inode tells
    assert again.file_digests([a])[a] == _sha(b"gamma")
    read.clear()
    assert Store(tmp_path / "out", catalog).file_digests([a, b]) == {a: _sha(b"gamma"), b: _sha(b"BETA")}
    assert read == []  # the changes were recorded


def test_a_file_modified_just_now_is_hashed_again_next_time(
    tmp_path: Path, catalog: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A same-size rewrite within the file system's timestamp granularity would keep its mtime:
    a file modified within RACY_NS is hashed every time until it has been still for longer."""
    fresh = tmp_path / "fresh.png"
    fresh.write_bytes(b"one")
    store = Store(tmp_path / "out", catalog)
    read = _reads(monkeypatch)
    assert store.file_digests([fresh]) == {fresh: _sha(b"one")}
    assert store.file_digests([fresh]) == {fresh: _sha(b"one")}
    assert read == [fresh, fresh]


def test_a_missing_file_is_an_os_error_and_nothing_is_written(tmp_path: Path, catalog: str | None) -> None:
    ok = _photo(tmp_path / "ok.png", b"ok")
    store = Store(tmp_path / "out", catalog)
    with pytest.raises(FileNotFoundError):
        store.file_digests([ok, tmp_path / "gone.png"])
    with store._read() as db:
        assert db.value("SELECT COUNT(*) FROM file_digests") == 0


def test_thirty_thousand_unchanged_files_are_checked_in_well_under_a_second(tmp_path: Path) -> None:
    """Issue 14: a nightly refresh of a large catalog must not read its photos to learn that they
    did not change. 30,000 files, all recorded: a stat each and 60 queries (0.3-0.6 s measured on
    a busy 2-core machine)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    paths = [_photo(folder / f"{i}.png", str(i).encode()) for i in range(30_000)]
    store = Store(tmp_path / "out")
    first = store.file_digests(paths)
    assert first[paths[123]] == _sha(b"123")
    timings = []
    for _ in range(3):  # the best of three: a machine busy with other work must not fail it
        later = Store(tmp_path / "out")  # a later run: nothing in memory
        started = time.perf_counter()
        again = later.file_digests(paths)
        timings.append(time.perf_counter() - started)
        later.close()
        assert again == first
    assert min(timings) < 1.0, f"{min(timings):.2f} s for 30,000 unchanged files"

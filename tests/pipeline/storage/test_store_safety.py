"""The store under concurrent runs, hostile names and killed processes: unique temp files and
atomic renames, per-run variant lists, every path confined to the output folder, runs whose
process died reported as interrupted, and catalogs written by the previous schema migrated."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.storage.database import catalog_url, upgrade_catalog
from pipeline.storage.store import Store
from tests.helpers import REPO, render_demo_variant, store_demo_variant

# --- item 2: concurrent runs into one folder ------------------------------------------------------


def _together(n: int, work) -> list[BaseException]:
    """Run work(i) in n threads released at once; return what they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_writers_of_the_same_blob_never_trip_over_each_other(tmp_path: Path):
    data = os.urandom(4 << 20)  # big enough that writes overlap
    stores = [Store(tmp_path) for _ in range(8)]
    for _ in range(3):
        for path in (tmp_path / "blobs").rglob("*.png"):
            path.unlink()
        assert _together(8, lambda i: stores[i].put_blob(data)) == []
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert [p.read_bytes() == data for p in files] == [True]  # no temp file left


def test_two_runs_storing_the_same_variant_each_count_it(tmp_path: Path):
    _, variant = render_demo_variant()
    stores = [Store(tmp_path) for _ in range(4)]
    for i, store in enumerate(stores):
        store.start_run(f"r{i}", "c", "brief.yaml", "studio")
    errors = _together(4, lambda i: stores[i].keep_variant(f"r{i}", variant.png, variant.report, variant.lineage))
    assert errors == []
    store = Store(tmp_path)
    counts = {f"r{i}": len(store.variants(run_id=f"r{i}")) for i in range(4)}
    assert counts == {"r0": 1, "r1": 1, "r2": 1, "r3": 1}
    report = json.loads(store.finish_run("r0", {"run_id": "r0", "variants": 1}).read_text(encoding="utf-8"))
    assert len(report["variants_detail"]) == 1
    assert len(store.variants()) == 1  # one variant, linked into four runs
    with closing(sqlite3.connect(tmp_path / "catalog.sqlite")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with store._read() as db:
        assert db.value("PRAGMA busy_timeout") >= 5000


# --- item 3: every output path stays inside the output folder -------------------------------------


@pytest.mark.parametrize("sku", ["../../escaped", "/tmp/vitrina-abs-escape", "a/../../../escaped", "..", "a\x00b"])
def test_a_sku_that_would_write_outside_the_folder_is_refused(tmp_path: Path, sku: str):
    _, variant = render_demo_variant()
    lineage = variant.lineage.model_copy(update={"sku": sku})
    out = tmp_path / "deep" / "out"
    store = Store(out)
    victim = tmp_path / "escaped.png"
    victim.write_bytes(b"keep me")
    with pytest.raises(InputError, match="outside|not allowed|invalid"):
        store.keep_variant("r1", variant.png, variant.report, lineage)
    assert victim.read_bytes() == b"keep me"
    outside = [p for p in tmp_path.rglob("*.png") if out not in p.parents and p != victim]
    assert outside == []
    assert not Path("/tmp/vitrina-abs-escape").exists()


def test_a_run_folder_that_is_a_link_to_elsewhere_is_refused(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / "runs" / "r1").symlink_to(elsewhere)
    _, variant = render_demo_variant()
    with pytest.raises(InputError, match="outside"):
        Store(out).keep_variant("r1", variant.png, variant.report, variant.lineage)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("run_id", ["../r1", "/tmp/x", "", "r1/../../x", "r\n1"])
def test_a_run_id_that_is_not_a_plain_name_is_refused(tmp_path: Path, run_id: str):
    store = Store(tmp_path)
    with pytest.raises(InputError, match="run id"):
        store.start_run(run_id, "c", "brief.yaml", "studio")
    with pytest.raises(InputError, match="run id"):
        store.finish_run(run_id, {})


# --- item 4: a run whose process is gone is interrupted, not unfinished forever -------------------


def test_a_run_whose_process_died_is_reported_interrupted(tmp_path: Path):
    killed = (
        "import os, sys; from pathlib import Path; from pipeline.storage.store import Store;"
        "Store(Path(sys.argv[1])).start_run('r-killed', 'c', 'brief.yaml', 'studio'); os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", killed, str(tmp_path)], cwd=REPO, check=False, timeout=120)
    store = Store(tmp_path)
    store.start_run("r-live", "c", "brief.yaml", "studio")
    store.start_run("r-done", "c", "brief.yaml", "studio")
    store.finish_run("r-done", {"variants": 0})
    runs = {r.run_id: r for r in store.runs()}
    assert {k: r.status for k, r in runs.items()} == {
        "r-killed": "interrupted",
        "r-live": "running",
        "r-done": "finished",
    }
    assert runs["r-live"].pid == os.getpid() and runs["r-live"].host
    assert store.run_status("r-killed") == "interrupted"


# --- items 2 and 6: a catalog written by the previous schema is migrated ----------------------------

OLD_SCHEMA = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, brief TEXT NOT NULL, backend TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, summary TEXT
);
CREATE TABLE variants (
    variant_id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, run_id TEXT NOT NULL, sku TEXT NOT NULL,
    scene TEXT NOT NULL, format TEXT NOT NULL, locale TEXT NOT NULL, blob_sha TEXT NOT NULL,
    verdict TEXT NOT NULL, reasons TEXT NOT NULL, checks TEXT NOT NULL, lineage TEXT NOT NULL,
    review TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL
);
CREATE INDEX variants_run ON variants(run_id);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, variant_id TEXT NOT NULL,
    action TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT, details TEXT
);
CREATE TABLE publications (
    variant_id TEXT NOT NULL, dam TEXT NOT NULL, key TEXT NOT NULL, location TEXT NOT NULL,
    sha256 TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (variant_id, dam)
);
CREATE TABLE skipped (run_id TEXT NOT NULL, sku TEXT NOT NULL, subject TEXT NOT NULL, reason TEXT NOT NULL);
"""


def test_a_catalog_of_the_previous_schema_is_refused_on_open_then_migrated_by_upgrade(tmp_path: Path):
    _, variant = render_demo_variant()
    with closing(sqlite3.connect(tmp_path / "catalog.sqlite")) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO runs VALUES ('r0','c','b.yaml','studio','2025-01-01T00:00:00+00:00',NULL,NULL)")
        db.execute(
            "INSERT INTO variants VALUES ('vold','c','r0','S','sc','square','en-US',?,'passed','[]','[]',?,"
            "'approved','2025-01-01T00:00:00+00:00')",
            ("a" * 64, variant.lineage.model_dump_json()),
        )
        db.execute("INSERT INTO audit(at, variant_id, action, actor) VALUES ('2025-01-01','vold','approved','dana')")
        db.commit()
    with pytest.raises(InputError, match=r"made by an older Vitrina \(before revisions; .* run `vitrina db upgrade`"):
        Store.open_existing(tmp_path)
    done = upgrade_catalog(catalog_url(tmp_path, None))
    assert (done.legacy, done.before, done.changed) == (True, None, True)
    assert done.backup is not None and done.backup.parent == tmp_path  # the catalog as it was, kept
    with closing(sqlite3.connect(done.backup)) as db:
        assert "version" not in {r[1] for r in db.execute("PRAGMA table_info(variants)")}
    store = Store.open_existing(tmp_path)
    assert [v.variant_id for v in store.variants(run_id="r0")] == ["vold"]
    assert store.verify_audit() is None
    assert store.variant("vold").review == "approved"  # an approval given before the upgrade stands
    assert store.run_status("r0") == "interrupted"  # no pid recorded, never finished
    store.decide("vold", "rejected", "sam", "changed my mind")
    assert store.verify_audit() is None
    assert [e["action"] for e in store.audit("vold")] == ["approved", "versioned", "rejected"]
    with closing(sqlite3.connect(tmp_path / "catalog.sqlite")) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM audit")
    stored = store_demo_variant(tmp_path, run_id="r1")  # and new variants go in as usual
    assert [v.variant_id for v in Store(tmp_path).variants(run_id="r1")] == [stored.variant_id]

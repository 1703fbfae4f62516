"""The catalog's database: Alembic's schema is the tables' schema on both backends; a catalog the
landed main wrote (commit a00c857, before Alembic; data/make_catalog_a00c857.py) is refused on
open and migrated in place by `upgrade_catalog` with nothing lost; URLs and servers that cannot be
used are one line without the password; writers on PostgreSQL are serialised like SQLite's."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from pipeline.errors import InputError
from pipeline.storage.database import catalog_url, head_revision, upgrade_catalog
from pipeline.storage.store import Slot, Store
from pipeline.storage.tables import metadata
from tests.helpers import render_demo_variant

LANDED = Path(__file__).parent / "data" / "catalog-a00c857.sqlite"
A1, A2, B1, C1, D1 = "v1ca1e8b4f5a", "v1f1506a117d", "v36035910ccc", "vf3ebbc62aa4", "v8773bbd2dfb"
SQUARE = Slot("halden-winter-2026", "B07GTFSCHB", "calm-sweep", "square", "en-US")
DAM = "file:///dam"


def _schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


@pytest.fixture
def landed(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(LANDED, out / "catalog.sqlite")
    return out


def _lifecycle(store: Store) -> dict[str, tuple[int, str, str, bool]]:
    return {v.variant_id: (v.version, v.state, v.review, v.current) for v in store.variants()}


def test_a_new_catalog_is_made_at_the_newest_revision_matching_the_tables(catalog: str | None, tmp_path: Path):
    Store(tmp_path, catalog).close()
    url = catalog_url(tmp_path, catalog)
    assert _schema_differences(url) == []
    done = upgrade_catalog(url)
    assert (done.before, done.to, done.changed, done.backup) == (head_revision(), head_revision(), False, None)


def test_the_landed_mains_catalog_is_refused_until_upgraded_then_nothing_is_lost(landed: Path):
    before = sqlite3.connect(LANDED)
    with closing(before):
        states = {
            r[0]: (r[1], r[2], r[3]) for r in before.execute("SELECT variant_id, version, state, review FROM variants")
        }
        entries = before.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    with pytest.raises(
        InputError, match=r"older Vitrina \(before revisions; this one needs \d{4}\).*db upgrade"
    ) as err:
        Store.open_existing(landed)
    assert "\n" not in str(err.value)

    done = upgrade_catalog(catalog_url(landed, None))
    assert (done.legacy, done.before, done.to) == (True, None, head_revision())
    assert done.backup is not None and done.backup.read_bytes()[:16] == b"SQLite format 3\x00"
    assert _schema_differences(catalog_url(landed, None)) == []

    store = Store.open_existing(landed)
    after = _lifecycle(store)
    assert {vid: (v, s, r) for vid, (v, s, r, _) in after.items()} == states
    assert after[A1][3] and not after[A2][3]  # the rollback to version 1 still holds
    assert store.verify_audit() is None and len(store.audit()) == entries
    assert {r.variant_id: r.reason for r in store.pending_retractions(DAM)} == {A2: "rolled back"}
    assert [v.variant_id for v in store.publishable_current()] == [A1]
    # and it goes on: a new render of the square slot is version 3, the audit chain continues
    record = store.variant(A2)
    vid = store.add_variant(
        run_id="r3",
        campaign_id=record.campaign_id,
        sku=record.sku,
        scene=record.scene,
        fmt=record.format,
        locale=record.locale,
        blob_sha=store.put_blob(b"a third rendering"),
        verdict="passed",
        reasons=[],
        checks=[],
        lineage=record.lineage,
    )
    assert [(v.version, v.current) for v in store.versions(SQUARE)][-1] == (3, True) and store.variant(vid).current
    assert store.verify_audit() is None


def test_a_catalog_from_a_newer_vitrina_is_refused_and_left_alone(landed: Path):
    upgrade_catalog(catalog_url(landed, None))
    with closing(sqlite3.connect(landed / "catalog.sqlite")) as db:
        db.execute("UPDATE alembic_version SET version_num='9999'")
        db.commit()
    for attempt in (lambda: Store.open_existing(landed), lambda: upgrade_catalog(catalog_url(landed, None))):
        with pytest.raises(InputError, match="at revision 9999, newer than this Vitrina knows"):
            attempt()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root:hunter2@db/vitrina", "mysql is not supported"),
        ("sqlite://", "an in-memory SQLite database keeps nothing"),
        ("not a url", "not a database URL"),
        ("postgresql+psycopg://vitrina:hunter2@/vitrina?host=/nonexistent-socket-dir", "cannot use this catalog: "),
    ],
)
def test_a_database_url_that_cannot_be_used_is_one_line_without_its_password(tmp_path: Path, url: str, says: str):
    with pytest.raises(InputError) as err:
        Store(tmp_path, url)
    message = str(err.value)
    assert says in message and "\n" not in message and "hunter2" not in message


def test_concurrent_writers_on_postgresql_keep_one_unbroken_audit_chain(postgres_url: str, tmp_path: Path):
    _, variant = render_demo_variant()
    stores = [Store(tmp_path, postgres_url) for _ in range(4)]
    for i, store in enumerate(stores):
        store.start_run(f"r{i}", "c", "brief.yaml", "studio")
    errors: list[BaseException] = []

    def keep(i: int) -> None:
        try:
            vid = stores[i].keep_variant(f"r{i}", variant.png + bytes([i]), variant.report, variant.lineage)
            stores[i].decide(vid, "approved", f"reviewer {i}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=keep, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(tmp_path, postgres_url)
    assert sorted(v.version for v in store.variants()) == [1, 2, 3, 4]  # one slot, four versions
    seqs = [e["seq"] for e in store.audit()]
    assert seqs == list(range(1, len(seqs) + 1)) and store.verify_audit() is None
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM variants")).scalar() == 4
    engine.dispose()
    for s in (*stores, store):
        s.close()

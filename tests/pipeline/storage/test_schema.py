"""The catalog migration to versions, on a catalog.sqlite written by the landed main (commit 200d2bd,
before versions; how it was made: data/make_catalog_200d2bd.py). `upgrade_catalog` (what
`vitrina db upgrade` runs) numbers each slot's versions, gives each variant its lifecycle state,
keeps the audit chain intact and says what the DAM must drop."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.storage.database import catalog_url, upgrade_catalog
from pipeline.storage.store import Slot, Store

LEGACY = Path(__file__).parent / "data" / "catalog-200d2bd.sqlite"
A1, A2, B1, C1, D1 = "v1ca1e8b4f5a", "v1f1506a117d", "v36035910ccc", "vf3ebbc62aa4", "v8773bbd2dfb"
DAM = "file:///dam"


def _slot(fmt: str) -> Slot:
    return Slot("halden-winter-2026", "B07GTFSCHB", "calm-sweep", fmt, "en-US")


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """An output folder of 200d2bd's, upgraded as `vitrina db upgrade` does."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(LEGACY, out / "catalog.sqlite")
    upgrade_catalog(catalog_url(out, None))
    return out


def test_the_legacy_catalog_has_no_versions_yet():
    with closing(sqlite3.connect(LEGACY)) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(variants)")}
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "version" not in columns and "state" not in columns and "slots" not in tables


def test_opening_a_legacy_catalog_numbers_versions_and_gives_states(legacy: Path):
    store = Store.open_existing(legacy)
    assert [(v.variant_id, v.version, v.state, v.current) for v in store.versions(_slot("square"))] == [
        (A1, 1, "superseded", False),  # both were published; the newer one replaced it
        (A2, 2, "published", True),
    ]
    states = {v.variant_id: (v.version, v.state, v.current) for v in store.variants()}
    assert states[B1] == (1, "rejected", True)
    assert states[C1] == (1, "passed", True)
    assert states[D1] == (1, "blocked", True)
    assert store.verify_audit() is None
    versioned = [e for e in store.audit(A2) if e["action"] == "versioned"]
    assert [e["reason"] for e in versioned] == [
        "catalog migrated: version 2 of halden-winter-2026/B07GTFSCHB/calm-sweep/square/en-US, published, current"
    ]


def test_a_migrated_catalog_says_what_the_dam_must_drop(legacy: Path):
    store = Store.open_existing(legacy)
    due = {r.variant_id: (r.reason, r.key) for r in store.pending_retractions(DAM)}
    assert due == {A1: ("superseded", "k/a1.png"), B1: ("rejected", "k/b1.png")}
    assert [v.variant_id for v in store.publishable_current()] == [A2]
    assert store.variant(A2).review == "approved"  # approvals given before the upgrade stand


def test_the_migration_runs_once_and_new_renders_continue_the_numbering(legacy: Path):
    assert not upgrade_catalog(catalog_url(legacy, None)).changed
    store = Store.open_existing(legacy)
    assert sum(e["action"] == "versioned" for e in store.audit()) == 5
    record = store.variant(A2)
    sha = store.put_blob(b"a third rendering")
    vid = store.add_variant(
        run_id="r3",
        campaign_id=record.campaign_id,
        sku=record.sku,
        scene=record.scene,
        fmt=record.format,
        locale=record.locale,
        blob_sha=sha,
        verdict="passed",
        reasons=[],
        checks=[],
        lineage=record.lineage,
    )
    assert [(v.variant_id, v.version, v.current) for v in store.versions(_slot("square"))][-1] == (vid, 3, True)
    assert store.verify_audit() is None


def test_a_migrated_slot_can_be_rolled_back(legacy: Path):
    store = Store.open_existing(legacy)
    store.rollback(_slot("square"), 1, "dana", "back to the first cut")
    assert store.variant(A1).state == "published" and store.variant(A1).current  # DAM still holds it
    assert {r.variant_id: r.reason for r in store.pending_retractions(DAM)} == {A2: "rolled back", B1: "rejected"}


@pytest.mark.parametrize("damage", ["not a database", "truncated"])
def test_a_catalog_that_is_not_a_usable_database_is_one_input_error(legacy: Path, damage: str):
    db = legacy / "catalog.sqlite"
    db.write_bytes(b"garbage\n" if damage == "not a database" else LEGACY.read_bytes()[:100])
    for attempt in (lambda: Store.open_existing(legacy), lambda: upgrade_catalog(catalog_url(legacy, None))):
        with pytest.raises(InputError, match="catalog.sqlite: cannot use this catalog: ") as err:
            attempt()
        assert "\n" not in str(err.value)

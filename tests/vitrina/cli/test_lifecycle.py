"""`vitrina history` and `vitrina rollback` (issue 12, item 1): what a reviewer sees of a slot's
versions and how they make an earlier one current. A real store with real demo lineages; the
publications are recorded through the store as the publisher records them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipeline.storage.store import Slot, Store
from tests.helpers import render_demo_variant

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina

DAM = "file:///dam"
SLOT = "c/S1/sc/square/en-US"
LEGACY = Path(__file__).parents[2] / "pipeline" / "storage" / "data" / "catalog-200d2bd.sqlite"


def _add(store: Store, blob: bytes, run_id: str) -> str:
    _, variant = render_demo_variant()
    return store.add_variant(
        run_id=run_id,
        campaign_id="c",
        sku="S1",
        scene="sc",
        fmt="square",
        locale="en-US",
        blob_sha=store.put_blob(blob),
        verdict="passed",
        reasons=[],
        checks=[],
        lineage=variant.lineage,
    )


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, str, str]:
    """(out, v1, v2): version 1 published and replaced by version 2, published too."""
    out = tmp_path / "out"
    store = Store(out)
    try:
        ids = []
        for blob, run in ((b"one", "r1"), (b"two", "r2")):
            vid = _add(store, blob, run)
            store.decide(vid, "approved", "dana", "[/b] fine :smile:")
            store.record_publication(vid, DAM, f"k/{vid}.png", f"/dam/k/{vid}.png", store.variant(vid).blob_sha)
            ids.append(vid)
        store.record_retraction(ids[0], DAM, "/dam/k/tombstone.json")
    finally:
        store.close()
    return out, ids[0], ids[1]


def test_history_of_a_slot_lists_each_version_with_its_state_and_trail(vitrina: Vitrina, two_versions):
    out, v1, v2 = two_versions
    result = vitrina("history", SLOT, "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{SLOT}: 2 version(s), current: version 2"
    rows = [line.split() for line in lines if line.lstrip("* ").split(" ")[0].isdigit()]
    assert [r[:4] for r in rows] == [["1", v1, "retracted", "passed"], ["*", "2", v2, "published"]]
    assert rows[1][-1] == "(current)"
    assert "approved by dana: [/b] fine :smile:" in result.stdout  # user text as written
    assert f"retracted by vitrina: removed from {DAM} (superseded)" in result.stdout


def test_history_of_a_variant_id_is_the_history_of_its_slot(vitrina: Vitrina, two_versions):
    out, v1, _ = two_versions
    by_id, by_slot = vitrina("history", v1, "--out", out), vitrina("history", SLOT, "--out", out)
    assert by_id.exit_code == 0 and by_id.stdout == by_slot.stdout


def test_history_json(vitrina: Vitrina, two_versions):
    out, v1, v2 = two_versions
    result = vitrina("history", SLOT, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["slot"] == SLOT and data["current"] == 2
    assert [(v["version"], v["id"], v["state"], v["verdict"], v["current"]) for v in data["versions"]] == [
        (1, v1, "retracted", "passed", False),
        (2, v2, "published", "passed", True),
    ]
    trail = data["versions"][0]["audit"]
    assert [a["action"] for a in trail] == ["rendered", "checked", "approved", "published", "superseded", "retracted"]
    assert trail[-1]["details"]["tombstone"] == "/dam/k/tombstone.json" and data["versions"][0]["created"]


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("vnope", "no variant 'vnope'"),
        ("c/S1/sc/square", "expected campaign/sku/scene/format/locale"),
        ("c/S9/sc/square/en-US", "no slot 'c/S9/sc/square/en-US'"),
    ],
)
def test_history_of_something_unknown_is_one_line_and_exit_2(vitrina: Vitrina, two_versions, which, message):
    out, _, _ = two_versions
    result = vitrina("history", which, "--out", out)
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_history_of_a_missing_output_folder_exits_2(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("history", SLOT, "--out", tmp_path / "nothing")
    assert result.exit_code == 2 and "no catalog.sqlite" in result.stderr


@pytest.mark.parametrize("command", [("history", SLOT), ("rollback", SLOT, "--to", "1", "--by", "d", "--reason", "r")])
def test_a_damaged_catalog_is_one_line_and_exit_2(vitrina: Vitrina, two_versions, command):
    out, _, _ = two_versions
    (out / "catalog.sqlite").write_bytes(b"garbage\n")
    result = vitrina(*command, "--out", out)
    assert result.exit_code == 2 and "cannot use this catalog: file is not a database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_rollback_to_a_version_number_beyond_sqlite_is_one_line_and_exit_2(vitrina: Vitrina, two_versions):
    out, _, _ = two_versions
    result = vitrina("rollback", SLOT, "--to", str(10**23), "--by", "d", "--reason", "r", "--out", out)
    assert result.exit_code == 2 and f"has no version {10**23}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def test_rollback_makes_version_1_current_and_says_what_the_next_publish_does(vitrina: Vitrina, two_versions):
    out, v1, v2 = two_versions
    result = vitrina("rollback", SLOT, "--to", "1", "--by", "dana", "--reason", "v2 [red]price[/] wrong", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{SLOT}: version 1 ({v1}) is current instead of version 2 ({v2})",
        "the next publish retracts version 2 and publishes version 1",
    ]
    store = Store.open_existing(out)
    assert [v.variant_id for v in store.publishable_current()] == [v1]
    assert [(r.variant_id, r.reason) for r in store.pending_retractions(DAM)] == [(v2, "rolled back")]
    shown = vitrina("history", SLOT, "--out", out)
    assert "(current)" in next(line for line in shown.stdout.splitlines() if v1 in line)
    assert "rollback by dana: v2 [red]price[/] wrong" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--to", "5", "--by", "dana", "--reason", "x"), "has no version 5 (versions: 1, 2)"),
        (("--to", "2", "--by", "dana", "--reason", "x"), "already the current version"),
        (("--to", "1", "--by", "dana\nboss", "--reason", "x"), "name"),
        (("--to", "1", "--by", "dana"), "needs a reason"),
        (("--to", "1", "--reason", "x"), "a name is required"),
    ],
)
def test_a_refused_rollback_is_one_line_exit_2_and_changes_nothing(vitrina: Vitrina, two_versions, args, message):
    out, _, v2 = two_versions
    before = Store.open_existing(out).audit()
    result = vitrina("rollback", SLOT, *args, "--out", out)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    store = Store.open_existing(out)
    assert store.audit() == before and store.variant(v2).current


def test_rollback_to_a_version_that_is_not_approved_is_refused(vitrina: Vitrina, tmp_path: Path):
    out = tmp_path / "out"
    store = Store(out)
    _add(store, b"one", "r1")  # pending
    _add(store, b"two", "r2")
    store.close()
    result = vitrina("rollback", SLOT, "--to", "1", "--by", "dana", "--reason", "x", "--out", out)
    assert result.exit_code == 2 and "only an approved version can be made current" in result.stderr


def test_rollback_of_a_malformed_slot_exits_2(vitrina: Vitrina, two_versions):
    out, _, _ = two_versions
    result = vitrina("rollback", "c/S1", "--to", "1", "--by", "dana", "--reason", "x", "--out", out)
    assert result.exit_code == 2 and "expected campaign/sku/scene/format/locale" in result.stderr


def test_history_and_rollback_on_a_catalog_written_before_versions(vitrina: Vitrina, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(LEGACY, out / "catalog.sqlite")
    slot = str(Slot("halden-winter-2026", "B07GTFSCHB", "calm-sweep", "square", "en-US"))
    refused = vitrina("history", slot, "--out", out)
    assert refused.exit_code == 2 and "run `vitrina db upgrade`" in refused.stderr
    upgraded = vitrina("db", "upgrade", "--out", out)
    assert upgraded.exit_code == 0 and "migrated from before revisions to revision 0004" in upgraded.stdout
    shown = vitrina("history", slot, "--out", out, "--json")
    assert shown.exit_code == 0, shown.output
    assert [(v["version"], v["state"]) for v in json.loads(shown.stdout)["versions"]] == [
        (1, "superseded"),
        (2, "published"),
    ]
    rolled = vitrina("rollback", slot, "--to", "1", "--by", "dana", "--reason", "first cut", "--out", out)
    assert rolled.exit_code == 0 and "the next publish retracts version 2" in rolled.stdout

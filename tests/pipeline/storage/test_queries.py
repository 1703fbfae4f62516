"""The review queue's pages and the DAM feed (issue 13 items 2 and 4). The feed, paged two at a
time, lists every released asset exactly once even when many share one time, and an asset that
changes comes again, later in the order. Real store on SQLite and PostgreSQL (``catalog``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.storage.queries import VariantFilter, feed_time
from pipeline.storage.store import Store
from tests.pipeline.storage.conftest import tamper
from tests.pipeline.storage.test_lifecycle import _add, _publish


def _page_all(store: Store, limit: int = 2, since: str | None = None) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        entries = store.feed(updated_since=since, after=after, limit=limit)
        if not entries:
            return seen
        seen += [e.variant.variant_id for e in entries]
        after = (entries[-1].updated_at, entries[-1].variant.variant_id)


def _released(store: Store, n: int) -> list[str]:
    ids = []
    for i in range(n):
        vid = _add(store, f"banner {i}".encode(), fmt=f"f{i}")
        store.decide(vid, "approved", "dana")
        ids.append(vid)
    return ids


def test_paging_two_at_a_time_sees_each_released_asset_once_even_with_equal_times(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    ids = _released(store, 7)
    _add(store, b"never approved", fmt="other")  # not released: not in the feed
    tamper(tmp_path, catalog, "UPDATE variants SET updated_at='2026-12-05T10:00:00.000000+00:00'")
    seen = _page_all(store)
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 7

    # a change after the client's last page comes again, at the end
    _publish(store, ids[3])
    last = store.feed(limit=500)[-1]
    assert (last.variant.variant_id, last.variant.state) == (ids[3], "published")
    assert last.publications[0]["dam"] == "file:///dam-a"
    assert _page_all(store, since="2026-12-05T10:00:00.000001Z") == [ids[3]]


def test_a_rejected_asset_stays_in_the_feed_with_its_state(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    (vid,) = _released(store, 1)
    store.decide(vid, "rejected", "dana", "wrong season")
    (entry,) = store.feed()
    assert entry.variant.state == "rejected" and entry.released_at <= entry.updated_at


@pytest.mark.parametrize("value", ["yesterday", "2026-12-05T10:00:00", "", "2026-13-01T00:00:00Z"])
def test_a_bad_updated_since_names_the_value(value: str):
    with pytest.raises(InputError, match="updated_since"):
        feed_time(value)


def test_feed_times_are_normalised_to_utc_microseconds():
    assert feed_time("2026-12-05T11:00:00+01:00") == "2026-12-05T10:00:00.000000+00:00"
    assert feed_time("2026-12-05T10:00:00Z") == "2026-12-05T10:00:00.000000+00:00"


def test_pages_filter_count_and_order(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    ids = _released(store, 5)
    _add(store, b"blocked one", verdict="blocked", fmt="f9", run_id="r2")
    page = store.page(VariantFilter(review="approved"), offset=2, limit=2)
    assert page.total == 5 and [v.variant_id for v in page.items] == ids[2:4]
    assert store.page(VariantFilter(verdict="blocked")).total == 1
    assert store.page(VariantFilter(run="r2")).total == 1
    assert store.page(VariantFilter(format="f1", current_only=True)).items[0].variant_id == ids[1]
    facets = store.facets()
    assert facets["format"] == sorted([f"f{i}" for i in range(5)] + ["f9"]) and facets["sku"] == ["S1"]
    with pytest.raises(InputError, match="filter verdict"):
        VariantFilter(verdict="ok")
    with pytest.raises(InputError, match="limit"):
        store.page(limit=0)


def test_a_clock_that_stepped_back_still_moves_a_change_to_the_end_of_the_feed(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    first, second = _released(store, 2)
    future = "2999-01-01T00:00:00.000000+00:00"
    tamper(tmp_path, catalog, "UPDATE variants SET updated_at=:at WHERE variant_id=:vid", at=future, vid=first)
    store.decide(second, "rejected", "dana", "late change")
    assert [e.variant.variant_id for e in store.feed()] == [first, second]
    assert store.feed()[-1].updated_at == "2999-01-01T00:00:00.000001+00:00"

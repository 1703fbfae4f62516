"""Incremental runs through the real flow on a small brief (2 SKUs x 1 scene x 1 format x 2
locales): an unchanged re-run renders nothing; a price change re-composes exactly that
SKU-market's variant over its stored scene; a SKU that leaves the catalog is retired and the
next publish retracts it; `force` renders everything again."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from dam_connectors import FileSystemConnector
from flows.campaign import campaign_run
from flows.publish import publish_approved
from pipeline.provenance.signer import SignerConfig
from pipeline.storage.store import ReviewError, Store
from tests.helpers import copy_demo, edit_yaml

BULB, BAG = "B074M5HPBD", "B07GTFSCHB"


def _brief(tmp_path: Path) -> Path:
    brief = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = (
            [BULB, BAG],
            d["scenes"][:1],
            ["square"],
            ["en-US", "de-DE"],
        )

    edit_yaml(brief, small)
    return brief


def _edit_catalog(brief: Path, change, name: str = "catalog.csv") -> None:
    path = brief.parent / "catalog" / name
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows = [r for r in (change(dict(r)) for r in rows) if r is not None]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _made(summary: dict[str, Any]) -> tuple[int, int, int, int]:
    return summary["reused"], summary["recomposed"], summary["rendered"], summary["retired"]


def _ids(out: Path, summary: dict[str, Any]) -> dict[tuple[str, str], str]:
    report = json.loads((out / "runs" / summary["run_id"] / "report.json").read_text(encoding="utf-8"))
    return {(v["sku"], v["locale"]): v["id"] for v in report["variants_detail"]}


def test_unchanged_price_change_and_retired_sku(tmp_path: Path, signer: SignerConfig):
    brief, out = _brief(tmp_path), tmp_path / "out"

    first = campaign_run(brief=str(brief), out=str(out))
    assert _made(first) == (0, 0, 4, 0) and first["failed_skus"] == []

    again = campaign_run(brief=str(brief), out=str(out))
    assert _made(again) == (4, 0, 0, 0)
    assert _ids(out, again) == _ids(out, first)

    def new_price(row: dict[str, str]) -> dict[str, str]:
        if (row["sku"], row["market"]) == (BULB, "DE"):
            row["price"] = "6.49"
        return row

    _edit_catalog(brief, new_price)
    priced = campaign_run(brief=str(brief), out=str(out))
    assert _made(priced) == (3, 1, 0, 0)
    before, after = _ids(out, first), _ids(out, priced)
    assert {k for k in after if after[k] != before[k]} == {(BULB, "de-DE")}
    store = Store.open_existing(out)
    old, new = store.variant(before[(BULB, "de-DE")]), store.variant(after[(BULB, "de-DE")])
    # the same scene under new text: same generation, same product pixels, a new price drawn
    assert new.lineage.generation == old.lineage.generation
    assert new.lineage.product.layer_sha256 == old.lineage.product.layer_sha256
    assert (old.lineage.price.amount, new.lineage.price.amount) == ("7.99", "6.49")

    for vid in after.values():
        if store.variant(vid).verdict == "passed":
            store.decide(vid, "approved", "dana")
    dam = FileSystemConnector(tmp_path / "dam")
    published = publish_approved(store, dam, signer).uploaded
    bag_live = sorted(v for (sku, _), v in after.items() if sku == BAG and v in published)
    assert bag_live  # the bag's passed variants are in the DAM

    catalog, history = brief.parent / "catalog" / "catalog.csv", brief.parent / "catalog" / "price_history.csv"
    kept = catalog.read_bytes(), history.read_bytes()
    for name in ("catalog.csv", "price_history.csv"):
        _edit_catalog(brief, lambda row: None if row["sku"] == BAG else row, name)
    edit_yaml(brief, lambda d: d.update(skus=[BULB]))
    gone = campaign_run(brief=str(brief), out=str(out))
    assert _made(gone) == (2, 0, 0, 2)
    for vid in bag_live:
        with pytest.raises(ReviewError, match="retired slot"):
            store.publishable(vid)
    retracted = publish_approved(store, dam, signer).retracted
    assert sorted(v for v, reason, _ in retracted if reason == "retired") == bag_live
    assert all(store.variant(v).state == "retracted" for v in bag_live)
    assert "retired" in [e["action"] for e in store.audit(bag_live[0])]

    # the SKU comes back: its slots are reinstated, its stored variants reused and published again
    catalog.write_bytes(kept[0])
    history.write_bytes(kept[1])
    edit_yaml(brief, lambda d: d.update(skus=[BULB, BAG]))
    back = campaign_run(brief=str(brief), out=str(out))
    assert _made(back) == (4, 0, 0, 0) and back["reinstated"] == 2
    assert all(store.variant(v).state == "approved" for v in bag_live)
    assert sorted(publish_approved(store, dam, signer).uploaded) == bag_live

    forced = campaign_run(brief=str(brief), out=str(out), force=True)
    assert _made(forced) == (0, 0, 4, 0)
    store.close()

"""Catalog loading and lookup grow linearly (issue 14): on the landed main, resolving every image
path per row and scanning the whole catalog for each SKU's row made a 4,000-SKU catalog take
10.75 s before any image was touched. Here a 10,000-SKU x 2-market feed, every row naming the
same two real photos, loads and answers every lookup in well under the generous limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from pipeline.errors import ConfigError
from pipeline.model.catalog import Catalog, load_catalog

MARKETS = (("DE", "EUR"), ("US", "USD"))


def write_catalog(folder: Path, skus: int) -> tuple[Path, Path]:
    """A feed of `skus` SKUs in two markets with a price history, every row naming the same two
    tiny PNGs (real files: the loader resolves and confines each path)."""
    photos = folder / "photos"
    photos.mkdir(parents=True)
    for name in ("front.png", "side.png"):
        Image.new("RGB", (4, 4), (200, 120, 40)).save(photos / name)
    rows = ["sku,market,title,price,currency,stock,images"]
    history = ["sku,market,date,price"]
    for i in range(skus):
        for market, currency in MARKETS:
            price = f"{10 + i % 90}.{i % 100:02d}"
            rows.append(
                f"SKU-{i:05d},{market},Wool throw {i},{price},{currency},{i % 7},photos/front.png|photos/side.png"
            )
            history.append(f"SKU-{i:05d},{market},2026-01-01,{price}")
    feed, prices = folder / "catalog.csv", folder / "price_history.csv"
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    prices.write_text("\n".join(history) + "\n", encoding="utf-8")
    return feed, prices


def load_and_look_up(feed: Path, prices: Path) -> tuple[Catalog, float]:
    """The catalog, and the seconds to load it and look up every (SKU, market) and SKU's photos
    the way a run plans its variants."""
    started = time.perf_counter()
    catalog = load_catalog(feed, prices)
    for sku in catalog.skus:
        assert catalog.images(sku)
        for market, _ in MARKETS:
            assert catalog.item(sku, market) is not None
    return catalog, time.perf_counter() - started


def test_ten_thousand_skus_in_two_markets_load_and_resolve_in_seconds(tmp_path: Path) -> None:
    feed, prices = write_catalog(tmp_path, 10_000)
    catalog, elapsed = load_and_look_up(feed, prices)
    assert elapsed < 3.0, f"{elapsed:.2f} s to load 20,000 rows and look each up"
    assert len(catalog.items) == 20_000 and len(catalog.skus) == 10_000
    item = catalog.item("SKU-01234", "US")
    assert item is not None and (item.currency, str(item.price)) == ("USD", "74.34")
    assert item.images == ((tmp_path / "photos" / "front.png").resolve(), (tmp_path / "photos" / "side.png").resolve())
    assert item.history[0].price == item.price
    assert catalog.item("SKU-01234", "FR") is None and catalog.item("NOPE", "DE") is None
    assert catalog.images("NOPE") == ()


def test_lookups_answer_as_a_scan_of_the_rows_would(tmp_path: Path) -> None:
    """The first row that lists photos gives a SKU's images, whichever market it is for."""
    feed, _ = write_catalog(tmp_path, 2)
    rows = feed.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].rsplit(",", 1)[0] + ","  # SKU-00000 in DE lists no photos
    rows[3] = rows[3].rsplit(",", 1)[0] + ",photos/side.png"
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    catalog = load_catalog(feed)
    front, side = (tmp_path / "photos" / "front.png").resolve(), (tmp_path / "photos" / "side.png").resolve()
    assert catalog.images("SKU-00000") == (front, side)  # from its US row
    assert catalog.images("SKU-00001") == (side,)
    item = catalog.item("SKU-00000", "DE")
    assert item is not None and item.images == ()
    assert catalog.has_sku("SKU-00001") and not catalog.has_sku("SKU-00002")
    skus = catalog.skus
    skus.clear()  # a caller's copy
    assert catalog.skus == ["SKU-00000", "SKU-00001"]


def test_a_photo_outside_the_images_root_is_refused_at_its_first_row(tmp_path: Path) -> None:
    """Each distinct photo name is resolved once; the error still names the first row using it."""
    feed, _ = write_catalog(tmp_path / "feed", 3)
    text = feed.read_text(encoding="utf-8").replace("photos/side.png", "../secret.png")
    feed.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalog(feed)
    assert info.value.field == "row 2.images" and "../secret.png" in str(info.value)
    assert "resolves outside the images folder" in str(info.value)

"""The product catalog feed (CSV) and its price history.

catalog.csv: one row per SKU and market
    sku, market, title, price, currency, stock, images   (images: paths separated by "|",
    relative to the CSV file)
price_history.csv: sku, market, date, price   (the price in force from that date on)

Prices are Decimal and must not carry more precision than their currency allows: a feed price of
19.999 EUR is an error, never silently rounded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.numbers import get_currency_precision, is_currency

from pipeline.errors import ConfigError

__all__ = ["PricePoint", "CatalogItem", "Catalog", "load_catalog", "parse_price", "prior_price"]

CATALOG_COLUMNS = ("sku", "market", "title", "price", "currency", "stock", "images")
HISTORY_COLUMNS = ("sku", "market", "date", "price")


@dataclass(frozen=True)
class PricePoint:
    since: date
    price: Decimal


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    market: str
    title: str
    price: Decimal
    currency: str
    stock: int
    images: tuple[Path, ...]
    history: tuple[PricePoint, ...] = field(default=())


@dataclass(frozen=True)
class Catalog:
    path: Path
    items: tuple[CatalogItem, ...]

    @property
    def skus(self) -> list[str]:
        return sorted({i.sku for i in self.items})

    def item(self, sku: str, market: str) -> CatalogItem | None:
        for it in self.items:
            if it.sku == sku and it.market == market:
                return it
        return None

    def images(self, sku: str) -> tuple[Path, ...]:
        """A SKU's images (the same photos serve every market; first row that lists them wins)."""
        for it in self.items:
            if it.sku == sku and it.images:
                return it.images
        return ()


def parse_price(raw: str, currency: str, file: Path, field_name: str) -> Decimal:
    """A Decimal price, refusing more decimals than the currency has (never rounds)."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ConfigError(file, field_name, raw, "not a number") from None
    if not value.is_finite() or value < 0:
        raise ConfigError(file, field_name, raw, "price must be a finite number >= 0")
    precision = get_currency_precision(currency)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > precision:
        raise ConfigError(
            file,
            field_name,
            raw,
            f"{currency} has {precision} decimal places; refusing to round {raw}",
        )
    return value


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(path, "(file)", str(path), "file not found")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise ConfigError(path, "(header)", ",".join(header), f"missing columns: {', '.join(missing)}")
        return list(reader)


def load_catalog(path: Path, history_path: Path | None = None) -> Catalog:
    """Load the feed; image files are not opened here (a bad image skips its SKU later)."""
    path = Path(path)
    rows = _read_rows(path, CATALOG_COLUMNS)
    currencies = {(r["sku"].strip(), r["market"].strip()): r["currency"].strip() for r in rows}
    history: dict[tuple[str, str], list[PricePoint]] = {}
    if history_path is not None:
        for n, row in enumerate(_read_rows(history_path, HISTORY_COLUMNS), start=2):
            where = f"row {n}"
            key = (row["sku"].strip(), row["market"].strip())
            if key not in currencies:
                raise ConfigError(history_path, f"{where}.sku", row["sku"], f"not in the catalog for market {key[1]}")
            currency = currencies[key]
            try:
                since = date.fromisoformat(row["date"].strip())
            except ValueError:
                raise ConfigError(history_path, f"{where}.date", row["date"], "not an ISO date (YYYY-MM-DD)") from None
            price = parse_price(row["price"], currency, history_path, f"{where}.price")
            history.setdefault(key, []).append(PricePoint(since, price))

    items = []
    seen: set[tuple[str, str]] = set()
    for n, row in enumerate(rows, start=2):
        where = f"row {n}"
        sku, market = row["sku"].strip(), row["market"].strip()
        if not sku:
            raise ConfigError(path, f"{where}.sku", row["sku"], "empty SKU")
        if len(market) != 2 or not market.isupper():
            raise ConfigError(path, f"{where}.market", market, "expected a country code such as DE")
        if (sku, market) in seen:
            raise ConfigError(path, f"{where}.sku", sku, f"listed twice for market {market}")
        seen.add((sku, market))
        currency = row["currency"].strip()
        if not is_currency(currency):
            raise ConfigError(path, f"{where}.currency", currency, "not an ISO 4217 currency code")
        price = parse_price(row["price"], currency, path, f"{where}.price")
        try:
            stock = int(row["stock"])
        except ValueError:
            raise ConfigError(path, f"{where}.stock", row["stock"], "not a whole number") from None
        images = tuple((path.parent / p.strip()).resolve() for p in row["images"].split("|") if p.strip())
        points = tuple(sorted(history.get((sku, market), []), key=lambda p: p.since))
        items.append(CatalogItem(sku, market, row["title"].strip(), price, currency, stock, images, points))
    if not items:
        raise ConfigError(path, "(rows)", 0, "the catalog lists no products")
    return Catalog(path, tuple(items))


def prior_price(item: CatalogItem, reduction_starts: date, window_days: int = 30) -> Decimal | None:
    """Lowest price in force during the `window_days` before a reduction (EU 98/6/EC Art. 6a).

    None when the history does not cover the window: a reduction cannot then be announced.
    """
    window_start = reduction_starts - timedelta(days=window_days)
    points = [p for p in item.history if p.since < reduction_starts]
    if not points or points[0].since > window_start:
        return None
    in_force = [p for p in points if p.since <= window_start][-1:]
    during = [p for p in points if window_start < p.since < reduction_starts]
    return min(p.price for p in in_force + during)

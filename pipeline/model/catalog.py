"""The product catalog feed (CSV) and its price history.

catalog.csv: one row per SKU and market
    sku, market, title, price, currency, stock, images   (images: paths separated by "|",
    relative to the CSV file, and inside the images root: the CSV's folder unless the brief
    names another with `images_root`)
price_history.csv: sku, market, date, price   (the price in force from that date on; one price
    per SKU, market and date)

Prices are Decimal and must not carry more precision than their currency allows: a feed price of
19.999 EUR is an error, never silently rounded. A price's currency must be one of its market's
(CLDR territory currencies: EUR in DE, JPY in JP) or one the brand allows there explicitly.
SKUs become file names and object keys, so they must be safe names (`check_name`); titles are
printed on banners, so they carry no control or bidi override characters (`check_text`).
Both files are UTF-8; a file that is not, or a row with too few or too many fields, is a
ConfigError naming the row (and the byte offset for bad UTF-8), never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

from babel.numbers import get_currency_precision, get_territory_currencies, is_currency

from pipeline.errors import ConfigError
from pipeline.model.config import check_name, check_text, inside

__all__ = ["PricePoint", "CatalogItem", "Catalog", "load_catalog", "market_currencies", "parse_price", "prior_price"]

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
    """The feed's rows in file order, with lookups by (SKU, market) and by SKU that cost the same
    for 10 rows or 100,000: they are indexed once, when the catalog is made (a run looks up every
    SKU of the catalog several times while planning)."""

    path: Path
    items: tuple[CatalogItem, ...]
    _by_key: dict[tuple[str, str], CatalogItem] = field(init=False, repr=False, compare=False)
    _images: dict[str, tuple[Path, ...]] = field(init=False, repr=False, compare=False)
    _skus: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _sku_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[tuple[str, str], CatalogItem] = {}
        images: dict[str, tuple[Path, ...]] = {}
        for it in self.items:
            by_key.setdefault((it.sku, it.market), it)  # the first row wins, as a scan would find
            if it.images and it.sku not in images:
                images[it.sku] = it.images
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_images", images)
        object.__setattr__(self, "_sku_set", frozenset(it.sku for it in self.items))
        object.__setattr__(self, "_skus", tuple(sorted(self._sku_set)))

    @property
    def skus(self) -> list[str]:
        """Every SKU, sorted (a new list each time: callers may change it)."""
        return list(self._skus)

    def has_sku(self, sku: str) -> bool:
        """Whether `sku` has a row in any market (constant time, unlike `sku in skus`)."""
        return sku in self._sku_set

    def item(self, sku: str, market: str) -> CatalogItem | None:
        return self._by_key.get((sku, market))

    def images(self, sku: str) -> tuple[Path, ...]:
        """A SKU's images (the same photos serve every market; first row that lists them wins)."""
        return self._images.get(sku, ())


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


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(row number, row) for each data row; the row number is the file's line where it ends."""
    if not path.is_file():
        raise ConfigError(path, "(file)", str(path), "file not found")
    data = path.read_bytes()
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        line = data[:offset].count(b"\n") + 1
        bad = data[offset : offset + 4]
        raise ConfigError(
            path, f"row {line}", bad, f"not UTF-8 at byte offset {offset}: save the file as UTF-8"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise ConfigError(path, "(header)", ",".join(header), f"missing columns: {', '.join(missing)}")
        rows = []
        for row in reader:
            n = reader.line_num
            if None in row:  # more fields than the header: e.g. an unquoted comma in a title
                raise ConfigError(
                    path, f"row {n}", row[None], f"{len(header) + len(row[None])} fields, the header has {len(header)}"
                )
            short = [c for c in columns if row.get(c) is None]
            if short:
                given = sum(v is not None for v in row.values())
                raise ConfigError(
                    path, f"row {n}", given, f"{given} fields, the header has {len(header)}: missing {', '.join(short)}"
                )
            rows.append((n, row))
    except csv.Error as exc:
        raise ConfigError(path, f"row {reader.line_num}", None, f"not valid CSV: {exc}") from None
    return rows


def market_currencies(market: str, starts: date | None = None, ends: date | None = None) -> frozenset[str]:
    """The legal tender of `market` (CLDR territory currencies) between `starts` and `ends`
    (default: today)."""
    return frozenset(get_territory_currencies(market, start_date=starts, end_date=ends))


def load_catalog(
    path: Path,
    history_path: Path | None = None,
    *,
    images_root: Path | None = None,
    extra_currencies: Mapping[str, Collection[str]] | None = None,
    dates: tuple[date, date] | None = None,
) -> Catalog:
    """Load the feed; image files are not opened here (a bad image skips its SKU later).

    `images_root`: the folder every image path must resolve inside (default: the CSV's folder).
    `extra_currencies`: currencies allowed per market besides its own ("*": every market).
    `dates`: the campaign's (starts, ends), for the market currencies in force (default: today).
    """
    path = Path(path)
    rules = _Rules(
        images_root=Path(images_root) if images_root is not None else path.parent,
        extra_currencies=extra_currencies or {},
        dates=dates,
    )
    items: list[CatalogItem] = []
    seen: set[tuple[str, str]] = set()
    for n, row in _read_rows(path, CATALOG_COLUMNS):
        item = _item(path, f"row {n}", row, rules)
        if (item.sku, item.market) in seen:
            raise ConfigError(path, f"row {n}.sku", item.sku, f"listed twice for market {item.market}")
        seen.add((item.sku, item.market))
        items.append(item)
    if not items:
        raise ConfigError(path, "(rows)", 0, "the catalog lists no products")
    if history_path is not None:
        history = _read_history(history_path, {(it.sku, it.market): it.currency for it in items})
        items = [replace(it, history=history.get((it.sku, it.market), ())) for it in items]
    return Catalog(path, tuple(items))


@dataclass
class _Rules:
    """What every row is checked against, and what one load learns once and reuses for every row:
    a catalog of thousands of SKUs names a few currencies and markets, and often the same photos."""

    images_root: Path
    extra_currencies: Mapping[str, Collection[str]]
    dates: tuple[date, date] | None
    _allowed: dict[str, frozenset[str]] = field(default_factory=dict)  # market -> own currencies
    _paths: dict[str, Path | None] = field(default_factory=dict)  # image name -> resolved, None: outside
    _folders: dict[str, Path | None] = field(default_factory=dict)  # photo folder -> resolved, None: outside
    _currencies: dict[str, bool] = field(default_factory=dict)  # code -> is an ISO 4217 currency

    def own_currencies(self, market: str) -> frozenset[str]:
        if market not in self._allowed:
            self._allowed[market] = market_currencies(market, *(self.dates or (None, None)))
        return self._allowed[market]

    def is_currency(self, code: str) -> bool:
        if code not in self._currencies:
            self._currencies[code] = is_currency(code)
        return self._currencies[code]

    def image(self, folder: Path, name: str) -> Path | None:
        """`folder / name` (the CSV's folder, the same for every row) resolved and confined to the
        images root, once per name. Resolving costs a system call per path component, so each
        photo folder is resolved once; a photo in it that is not a symbolic link is then inside
        when its folder is (one `lstat`), and a link is resolved in full (`inside`)."""
        if name not in self._paths:
            self._paths[name] = self._confined(folder / name)
        return self._paths[name]

    def _confined(self, path: Path) -> Path | None:
        if path.name in ("", ".", ".."):
            return inside(path, self.images_root)
        parent = str(path.parent)
        if parent not in self._folders:
            resolved = path.parent.resolve()
            self._folders[parent] = resolved if resolved.is_relative_to(self._root) else None
        folder = self._folders[parent]
        if folder is None:
            return None
        candidate = folder / path.name
        try:
            if stat.S_ISLNK(candidate.lstat().st_mode):
                return inside(candidate, self.images_root)
        except OSError:
            pass  # missing: reported as such by whoever opens it, as `inside` would leave it
        return candidate

    @cached_property
    def _root(self) -> Path:
        return self.images_root.resolve()


def _item(path: Path, where: str, row: dict[str, str], rules: _Rules) -> CatalogItem:
    """One validated catalog row (its price history is attached later)."""
    sku, market = row["sku"].strip(), row["market"].strip()
    if not sku:
        raise ConfigError(path, f"{where}.sku", row["sku"], "empty SKU")
    try:
        check_name(sku)
    except ValueError as exc:
        raise ConfigError(path, f"{where}.sku", sku, str(exc)) from None
    if len(market) != 2 or not (market.isascii() and market.isalpha() and market.isupper()):
        raise ConfigError(path, f"{where}.market", market, "expected a country code such as DE")
    title = row["title"].strip()
    try:
        check_text(title)
    except ValueError as exc:
        raise ConfigError(path, f"{where}.title", title, str(exc)) from None
    currency = row["currency"].strip()
    if not rules.is_currency(currency):
        raise ConfigError(path, f"{where}.currency", currency, "not an ISO 4217 currency code")
    own = rules.own_currencies(market)
    extra = rules.extra_currencies
    if currency not in own | frozenset(extra.get(market, ())) | frozenset(extra.get("*", ())):
        raise ConfigError(
            path,
            f"{where}.currency",
            currency,
            f"not a currency of market {market} ({', '.join(sorted(own)) or 'none known'}); a brand allows "
            f"others in brand.yaml: extra_currencies: {{{market}: [{currency}]}}",
        )
    price = parse_price(row["price"], currency, path, f"{where}.price")
    try:
        stock = int(row["stock"])
    except ValueError:
        raise ConfigError(path, f"{where}.stock", row["stock"], "not a whole number") from None
    if stock < 0:
        raise ConfigError(path, f"{where}.stock", row["stock"], "stock must be 0 or more")
    images = []
    for name in (p.strip() for p in row["images"].split("|")):
        if not name:
            continue
        resolved = rules.image(path.parent, name)
        if resolved is None:
            raise ConfigError(
                path,
                f"{where}.images",
                name,
                f"resolves outside the images folder {rules.images_root}; a brief may name another with images_root",
            )
        images.append(resolved)
    return CatalogItem(sku, market, title, price, currency, stock, tuple(images))


def _read_history(path: Path, currencies: dict[tuple[str, str], str]) -> dict[tuple[str, str], tuple[PricePoint, ...]]:
    """Price points per (SKU, market), sorted by date; one price per SKU, market and date."""
    history: dict[tuple[str, str], list[PricePoint]] = {}
    first_row: dict[tuple[str, str, date], int] = {}
    for n, row in _read_rows(path, HISTORY_COLUMNS):
        where = f"row {n}"
        key = (row["sku"].strip(), row["market"].strip())
        if key not in currencies:
            raise ConfigError(path, f"{where}.sku", row["sku"], f"not in the catalog for market {key[1]}")
        try:
            since = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise ConfigError(path, f"{where}.date", row["date"], "not an ISO date (YYYY-MM-DD)") from None
        day = (*key, since)
        if day in first_row:
            raise ConfigError(
                path,
                f"{where}.date",
                row["date"],
                f"a second price for {key[0]} in {key[1]} on that date (the first is in row {first_row[day]})",
            )
        first_row[day] = n
        price = parse_price(row["price"], currencies[key], path, f"{where}.price")
        history.setdefault(key, []).append(PricePoint(since, price))
    return {key: tuple(sorted(points, key=lambda p: p.since)) for key, points in history.items()}


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

"""Bad catalog and price-history files end with one line naming the file, the row and the value:
encodings, short rows, images outside their folder, currencies foreign to the market, negative
stock, two prices on one date, control and bidi characters in titles. Never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.campaign import load_campaign
from pipeline.model.catalog import load_catalog
from tests.helpers import PROMPTS, copy_demo, edit_yaml


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)


def _feed(brief: Path) -> Path:
    return brief.parent / "catalog" / "catalog.csv"


def _history(brief: Path) -> Path:
    return brief.parent / "catalog" / "price_history.csv"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().rstrip(b"\r\n").split(b"\r\n")  # the demo CSVs end lines with CRLF


def _replace_line(path: Path, index: int, change) -> None:
    lines = _lines(path)
    lines[index] = change(lines[index])
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")


def _load_error(brief: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert "\n" not in str(info.value)
    return info.value


# --- encodings and row shapes -------------------------------------------------------------------


def test_non_utf8_catalog_names_row_and_byte_offset(demo: Path):
    feed = _feed(demo)
    _replace_line(feed, 2, lambda line: line.replace(b"soft white", b"blanc caf\xe9"))
    offset = feed.read_bytes().index(b"\xe9")
    err = _load_error(demo)
    assert err.file == str(feed) and err.field == "row 3"
    assert f"not UTF-8 at byte offset {offset}" in str(err)


def test_non_utf8_price_history_names_row_and_byte_offset(demo: Path):
    history = _history(demo)
    _replace_line(history, 4, lambda line: line + b"\xff")
    offset = history.read_bytes().index(b"\xff")
    err = _load_error(demo)
    assert err.file == str(history) and err.field == "row 5"
    assert f"byte offset {offset}" in str(err)


def test_utf8_bom_is_accepted(demo: Path):
    feed = _feed(demo)
    feed.write_bytes(b"\xef\xbb\xbf" + feed.read_bytes())
    assert load_campaign(demo, PROMPTS).catalog.items


def test_short_catalog_row_names_the_row_and_missing_columns(demo: Path):
    feed = _feed(demo)
    _replace_line(feed, 3, lambda line: line.rsplit(b",", 2)[0])  # drop stock and images
    err = _load_error(demo)
    assert err.file == str(feed) and err.field == "row 4"
    assert "missing stock, images" in str(err)


def test_row_with_more_fields_than_the_header_is_refused(demo: Path):
    feed = _feed(demo)
    _replace_line(feed, 1, lambda line: line + b",extra")
    err = _load_error(demo)
    assert err.field == "row 2" and "8 fields, the header has 7" in str(err)


def test_short_price_history_row_names_the_row(demo: Path):
    history = _history(demo)
    _replace_line(history, 2, lambda line: line.rsplit(b",", 1)[0])  # no price
    err = _load_error(demo)
    assert err.file == str(history) and err.field == "row 3" and "missing price" in str(err)


def test_catalog_alone_reports_the_same_errors(tmp_path: Path):
    """`vitrina check copy --catalog` loads a feed without a brief."""
    feed = tmp_path / "catalog.csv"
    feed.write_bytes(b"sku,market,title,price,currency,stock,images\nA1,DE,Tasse,9.99,EUR\n")
    with pytest.raises(ConfigError) as info:
        load_catalog(feed)
    assert info.value.field == "row 2"


# --- image paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["../../../../../../etc/passwd", "/etc/hostname"])
def test_image_outside_the_images_root_is_refused(demo: Path, image: str):
    feed = _feed(demo)
    _replace_line(feed, 1, lambda line: line.rsplit(b",", 1)[0] + b"," + image.encode())
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(feed), "row 2.images", image)
    assert "outside the images folder" in err.problem


def test_images_default_to_the_catalog_folder(demo: Path):
    """The demo keeps its photos beside, not under, its CSV: without images_root it is refused."""
    edit_yaml(demo, lambda d: d.pop("images_root"))
    err = _load_error(demo)
    assert err.field == "row 2.images" and str(demo.parent / "catalog") in err.problem


def test_symlink_out_of_the_images_root_is_refused(demo: Path, tmp_path: Path):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(b"not a photo")
    link = demo.parent / "products" / "B074M5HPBD" / "link.jpg"
    os.symlink(outside, link)
    _replace_line(_feed(demo), 1, lambda line: line.rsplit(b",", 1)[0] + b",../products/B074M5HPBD/link.jpg")
    assert _load_error(demo).field == "row 2.images"


def test_a_brief_may_name_a_wider_images_root(demo: Path):
    edit_yaml(demo, lambda d: d.update(images_root=".."))
    assert load_campaign(demo, PROMPTS).catalog.images("B074M5HPBD")


def test_missing_images_root_is_refused(demo: Path):
    edit_yaml(demo, lambda d: d.update(images_root="no-such-folder"))
    err = _load_error(demo)
    assert (err.field, err.value) == ("images_root", "no-such-folder")


# --- data sanity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "old", "new", "currency"),
    [
        (1, b",8.79,USD,", b",1180,JPY,", "JPY"),  # a US row priced in yen
        (2, b",7.99,EUR,", b",7.99,GBP,", "GBP"),  # a DE row in pounds: "7,99 GBP" under "inkl. MwSt."
    ],
)
def test_currency_foreign_to_the_market_is_refused(demo: Path, line: int, old: bytes, new: bytes, currency: str):
    feed = _feed(demo)
    _replace_line(feed, line, lambda text: text.replace(old, new))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(feed), f"row {line + 1}.currency", currency)
    assert "not a currency of market" in err.problem and "extra_currencies" in err.problem


def test_brand_may_allow_another_currency_in_a_market(demo: Path):
    _replace_line(_feed(demo), 2, lambda text: text.replace(b",7.99,EUR,", b",7.99,GBP,"))
    brand_yaml = demo.parent.parent / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(brand_yaml, lambda d: d.update(extra_currencies={"DE": ["GBP"]}))
    # the history's prices are checked against the row's currency (GBP has 2 decimals, like EUR)
    assert load_campaign(demo, PROMPTS).catalog.item("B074M5HPBD", "DE").currency == "GBP"


def test_brand_extra_currency_must_be_a_currency(demo: Path):
    brand_yaml = demo.parent.parent / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(brand_yaml, lambda d: d.update(extra_currencies={"DE": ["XYZ"]}))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(brand_yaml), "extra_currencies.DE[0]", "XYZ")


def test_negative_stock_is_refused(demo: Path):
    feed = _feed(demo)
    _replace_line(feed, 1, lambda text: text.replace(b",USD,420,", b",USD,-5,"))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(feed), "row 2.stock", "-5")


def test_two_prices_for_one_sku_market_and_date_are_refused(demo: Path):
    history = _history(demo)
    history.write_bytes(history.read_bytes() + b"B074M5HPBD,US,2026-12-01,9.49\r\n")
    rows = _lines(history)
    first = rows.index(b"B074M5HPBD,US,2026-12-01,8.79") + 1
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(history), f"row {len(rows)}.date", "2026-12-01")
    assert f"the first is in row {first}" in err.problem


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u202a", "\x07", "\x1b"])
def test_bidi_override_or_control_character_in_a_title_is_refused(demo: Path, char: str):
    feed = _feed(demo)
    _replace_line(feed, 1, lambda text: text.replace(b"soft white", f"soft{char} white".encode()))
    err = _load_error(demo)
    assert err.file == str(feed) and err.field == "row 2.title"
    assert f"U+{ord(char):04X}" in err.problem


def test_newline_inside_a_quoted_title_is_refused(demo: Path):
    feed = _feed(demo)
    _replace_line(feed, 1, lambda text: text.replace(b"soft white", b"soft\r\rwhite"))
    assert _load_error(demo).field.endswith(".title")

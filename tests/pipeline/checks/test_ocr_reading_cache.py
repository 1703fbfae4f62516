"""`TextReader` against any `ReadingCache` (here a dict): what it reads once no reader sharing the
cache reads again, and a block that changed in any way Tesseract would see is read again. Real
Tesseract. (tests/pipeline/checks/test_ocr_cache.py covers the store's cache across runs.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.banner.compose import TextBlock
from pipeline.banner.text import FontStack, fit_text
from pipeline.checks.ocr import TextReader
from pipeline.checks.results import Verdict, worst
from pipeline.checks.text import check_text_ocr
from pipeline.model.brand import load_brand
from pipeline.model.locales import locale_info
from pipeline.storage.store import Store

BRAND = load_brand(Path(__file__).resolve().parents[3] / "brand_guides" / "halden")
HEAD = FontStack.for_brand(BRAND, "headline")
EN = locale_info("en-US")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


class DictCache:
    """A `ReadingCache` in a dict: the whole contract is `get` and a first-wins `put`."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def put(self, key: str, text: str) -> None:
        self.data.setdefault(key, text)


def block(role: str, text: str, *, colour: str = "#1F2A30", size: int = 40) -> TextBlock:
    fit = fit_text(text, HEAD, 1000, 200, max_px=size, min_px=size, locale=EN, max_lines=2)
    assert fit is not None
    return TextBlock(role, text, (0, 0, fit.width, fit.height), size, colour, None, True, np.zeros((4, 4), bool), fit)


HEADLINE = block("headline", "Winter essentials")
PRICE = block("price", "$24.99")


def _read(reader: TextReader, b: TextBlock) -> object:
    assert b.fit is not None
    numeric = b.text if b.role == "price" else None
    return reader.read(b.fit, b.color, b.background, numeric=numeric, full_text=numeric is None)


@needs_tesseract
def test_a_second_reader_sharing_the_cache_runs_tesseract_zero_times() -> None:
    cache = DictCache()
    first = TextReader(cache=cache)
    verdict = check_text_ocr([HEADLINE, PRICE], EN, first)
    assert worst(verdict) is Verdict.PASSED
    assert first.calls == 2 and first.disk_hits == 0  # the headline's full text, the price's figures
    assert len(cache.data) == 2  # each Tesseract output kept under its own key

    second = TextReader(cache=cache)  # another process or the next run, nothing in its memory
    assert check_text_ocr([HEADLINE, PRICE], EN, second) == verdict
    assert (second.calls, second.disk_hits) == (0, 2)
    assert [_read(second, b) for b in (HEADLINE, PRICE)] == [_read(first, b) for b in (HEADLINE, PRICE)]
    assert second.calls == 0


@needs_tesseract
def test_a_changed_block_is_read_again() -> None:
    cache = DictCache()
    _read(TextReader(cache=cache), HEADLINE)
    kept = dict(cache.data)
    for changed in (
        block("headline", "Winter essentials!"),  # other text
        block("headline", "Winter essentials", colour="#E07A5F"),  # other colour
        block("headline", "Winter essentials", colour="#FFFFFF"),  # light: read inverted, other pixels
    ):
        reader = TextReader(cache=cache)
        reading = _read(reader, changed)
        assert (reader.calls, reader.disk_hits) == (1, 0), changed.text
        assert getattr(reading, "text", "").casefold().startswith("winter essentials")
    assert len(cache.data) == len(kept) + 3 and cache.data.items() >= kept.items()  # nothing overwritten


@needs_tesseract
def test_store_readings_survive_closing_and_reopening_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = TextReader(cache=store.reading_cache())
    verdict = check_text_ocr([HEADLINE, PRICE], EN, first)
    store.close()

    again = Store(tmp_path)
    second = TextReader(cache=again.reading_cache())
    assert check_text_ocr([HEADLINE, PRICE], EN, second) == verdict
    assert (second.calls, second.disk_hits) == (0, first.calls)
    with again._read() as db:
        assert db.value("SELECT COUNT(*) FROM ocr_readings") == first.calls
    again.close()

"""Tesseract readings kept in the catalog (issue 14): a later run, or another worker sharing the
catalog, never runs Tesseract again on an image it has read, and gets the same verdicts. Real
Tesseract, real store (SQLite in the output folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from pipeline.banner.compose import TextBlock
from pipeline.checks.ocr import TextReader, reading_key
from pipeline.checks.results import CheckResult, Verdict
from pipeline.checks.text import check_text_ocr
from pipeline.model.locales import locale_info
from pipeline.storage.store import Store
from tests.pipeline.checks.test_ocr import NBSP, block

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

EN = locale_info("en-US")
DE = locale_info("de-DE")


def _blocks() -> list[TextBlock]:
    return [
        block("headline", "Winter essentials, warmly priced"),
        block("cta", "Shop now", colour="#FFFFFF", plate="#2F5D50"),
        block("price", "$24.99", size=14),
    ]


def _verdicts(results: list[CheckResult]) -> list[tuple[str, Verdict, str]]:
    return [(r.check, r.verdict, r.code) for r in results]


@needs_tesseract
def test_a_second_run_reads_nothing_again_and_gets_the_same_verdicts(tmp_path: Path) -> None:
    first = TextReader(cache=Store(tmp_path).reading_cache())
    before = check_text_ocr(_blocks(), EN, first)
    assert [r.code for r in before] == ["ocr.ok"]
    assert first.calls >= 3 and first.disk_hits == 0

    later = TextReader(cache=Store(tmp_path).reading_cache())  # another process, same catalog
    after = check_text_ocr(_blocks(), EN, later)
    assert _verdicts(after) == _verdicts(before)
    assert later.calls == 0 and later.disk_hits == first.calls
    for b in _blocks():
        assert b.fit is not None
        numeric = b.text if b.role == "price" else None
        full = numeric is None
        kept = later.read(b.fit, b.color, b.background, numeric=numeric, full_text=full)
        assert kept == first.read(b.fit, b.color, b.background, numeric=numeric, full_text=full)


@needs_tesseract
def test_a_kept_reading_never_turns_a_wrong_price_into_a_pass(tmp_path: Path) -> None:
    """The key is the drawn image: a wrongly drawn price is another image, read on its own, and
    flagged whether or not the right one was read before."""
    right = block("price", f"26,39{NBSP}€", code="de-DE", colour="#E07A5F", size=22)
    wrong = block("price", f"26,39{NBSP}€", drawn=f"26,59{NBSP}€", code="de-DE", colour="#E07A5F", size=22)
    warm = TextReader(cache=Store(tmp_path).reading_cache())
    assert [r.code for r in check_text_ocr([right], DE, warm)] == ["ocr.ok"]
    calls = warm.calls
    assert [r.code for r in check_text_ocr([wrong], DE, warm)] == ["ocr.numbers_mismatch"]
    assert warm.calls > calls  # not answered from the right price's reading

    again = TextReader(cache=Store(tmp_path).reading_cache())
    assert [r.code for r in check_text_ocr([wrong], DE, again)] == ["ocr.numbers_mismatch"]
    assert [r.code for r in check_text_ocr([right], DE, again)] == ["ocr.ok"]
    assert again.calls == 0


@needs_tesseract
def test_a_reader_without_a_store_keeps_nothing_across_readers(tmp_path: Path) -> None:
    b = block("headline", "Winter essentials")
    one, two = TextReader(), TextReader()
    check_text_ocr([b], EN, one)
    check_text_ocr([b], EN, two)
    assert one.calls == two.calls >= 1 and one.disk_hits == two.disk_hits == 0


def test_the_key_is_what_tesseract_is_given_and_which_tesseract() -> None:
    image = Image.new("L", (40, 20), 255)
    key = reading_key(image, "eng", "--psm 7", "tesseract 5.3.0")
    assert key == reading_key(image.copy(), "eng", "--psm 7", "tesseract 5.3.0")
    dot = image.copy()
    dot.putpixel((3, 3), 0)
    others = {
        reading_key(dot, "eng", "--psm 7", "tesseract 5.3.0"),  # one pixel
        reading_key(image.convert("RGB"), "eng", "--psm 7", "tesseract 5.3.0"),  # the mode
        reading_key(Image.new("L", (20, 40), 255), "eng", "--psm 7", "tesseract 5.3.0"),  # same bytes, other shape
        reading_key(image, "deu", "--psm 7", "tesseract 5.3.0"),
        reading_key(image, "eng", "--psm 6", "tesseract 5.3.0"),
        reading_key(image, "eng", "--psm 7", "tesseract 5.4.0"),
    }
    assert key not in others and len(others) == 6


@needs_tesseract
def test_the_same_lines_at_every_format_size_are_read_once() -> None:
    """The full text is drawn again at one size, so a headline in seven formats (11-56 px) is one
    image for Tesseract; each size still gets its verdict (a misrendered one is still flagged)."""
    reader = TextReader()
    for size in (11, 14, 22, 32, 44, 56):
        b = block("headline", "Winter essentials", size=size)
        assert [r.code for r in check_text_ocr([b], EN, reader)] == ["ocr.ok"], size
    assert reader.calls == 1
    wrong = block("headline", "Winter essentials", drawn="Winter esentals", size=14)
    assert [r.code for r in check_text_ocr([wrong], EN, reader)] == ["ocr.mismatch"]
    assert reader.calls == 2

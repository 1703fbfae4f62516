"""Hyphenation is the last resort for a word wider than its box, and only where a dictionary says."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.banner.text import FontStack, fit_text, wrap_text
from pipeline.banner.text.hyphens import SOFT_HYPHEN, can_hyphenate, hyphen_glyph, hyphen_pieces
from pipeline.model.locales import LocaleInfo, locale_info

DE, EN, AR = locale_info("de-DE"), locale_info("en-US"), locale_info("ar-AE")
NL = LocaleInfo("nl-NL", "nl", "Latn", "ltr", "NL")
FI = LocaleInfo("fi-FI", "fi", "Latn", "ltr", "FI")  # pyphen ships no Finnish dictionary
COMPOUND = "Wanderausrüstungsschnäppchenwochen"
# the medium rectangle's headline box at its smallest and largest headline size
BOX_W, BOX_H, MIN_PX, MAX_PX = 144, 66, 10, 22


def unhyphenated(lines):
    return "".join(line[:-1] if line.endswith("\u2010") else line for line in lines)


def test_a_compound_wider_than_the_box_breaks_at_its_hyphenation_points_with_a_hyphen(head):
    fit = fit_text(COMPOUND, head, BOX_W, BOX_H, max_px=MAX_PX, min_px=MIN_PX, locale=DE, max_lines=3, balance=True)
    assert fit is not None and fit.text == COMPOUND
    assert len(fit.lines) > 1 and all(line.endswith("\u2010") for line in fit.lines[:-1])
    assert unhyphenated(fit.lines) == COMPOUND
    points, at = set(), 0
    for piece in hyphen_pieces(COMPOUND, DE)[:-1]:
        at += len(piece.rstrip(SOFT_HYPHEN))
        points.add(at)
    breaks = {len(unhyphenated(fit.lines[: i + 1])) for i in range(len(fit.lines) - 1)}
    assert breaks <= points  # only where the German dictionary allows
    assert fit.width <= BOX_W and fit.height <= BOX_H


def test_a_word_that_fits_at_the_smallest_size_is_never_hyphenated(head):
    # "Winterjackenschlussverkauf" fits the box at 10 px: the fit is small, but whole
    text = "Winterjackenschlussverkauf mit Rabatt"
    fit = fit_text(text, head, BOX_W, BOX_H, max_px=MAX_PX, min_px=MIN_PX, locale=DE, max_lines=3)
    assert fit is not None
    assert not any(line.endswith(("\u2010", "-")) for line in fit.lines)
    assert " ".join(fit.lines) == text


def test_only_the_words_too_wide_are_hyphenated(head):
    text = f"Die {COMPOUND} starten"
    fit = fit_text(text, head, BOX_W, BOX_H, max_px=MAX_PX, min_px=MIN_PX, locale=DE, max_lines=3, balance=True)
    assert fit is not None
    assert unhyphenated(fit.lines).replace(" ", "") == text.replace(" ", "")
    assert "Die" in fit.lines[0].split() and fit.lines[-1].endswith("starten")


def test_dutch_compound_is_hyphenated_with_the_dutch_dictionary(head):
    word = "Wintersportuitrustingsaanbiedingen"
    fit = fit_text(word, head, BOX_W, BOX_H, max_px=MAX_PX, min_px=MIN_PX, locale=NL, max_lines=3)
    assert fit is not None and len(fit.lines) > 1 and unhyphenated(fit.lines) == word


@pytest.mark.parametrize(
    ("locale", "word"),
    [(AR, "بالاستراتيجيات"), (FI, "Retkeilyvarusteidenkevätalennusmyynti")],
    ids=["arabic-has-its-own-rules", "finnish-has-no-dictionary"],
)
def test_no_hyphenation_without_a_dictionary_for_the_script_and_language(head, locale, word):
    assert not can_hyphenate(locale)
    assert hyphen_pieces(word, locale) == [word]
    assert fit_text(word, head, 60, BOX_H, max_px=MAX_PX, min_px=MIN_PX, locale=locale, max_lines=3) is None


def test_a_word_with_its_own_hyphens_breaks_after_them_without_a_second_hyphen(head):
    lines = wrap_text("E-Bike-Sonderangebote", head, 20, 90, DE, hyphenate={"E-Bike-Sonderangebote"})
    assert lines is not None and len(lines) > 1
    assert not any(line.endswith(("-\u2010", "\u2010\u2010", "--")) for line in lines)
    assert unhyphenated(lines) == "E-Bike-Sonderangebote"


def test_soft_hyphens_in_the_copy_are_the_only_break_points_and_are_never_drawn(head):
    word = f"Winter{SOFT_HYPHEN}jackenschlussverkauf"
    assert hyphen_pieces(word, DE) == [f"Winter{SOFT_HYPHEN}", "jackenschlussverkauf"]
    lines = wrap_text(word, head, 20, 250, DE, hyphenate={word})
    assert lines == ["Winter\u2010", "jackenschlussverkauf"]
    assert wrap_text(f"Kurz{SOFT_HYPHEN}text", head, 20, 400, DE) == ["Kurztext"]


def test_the_hyphen_is_u2010_from_the_word_s_font_else_the_hyphen_minus(head):
    assert hyphen_glyph(head, "Wander") == "\u2010"
    # Noto Kufi Arabic has no U+2010: a word drawn in it would get the hyphen-minus
    kufi = Path("/usr/share/fonts/truetype/noto/NotoKufiArabic-Bold.ttf")
    if not kufi.is_file():
        pytest.skip("fonts-noto-core is not installed")
    stack = FontStack([(kufi, 0), *head.fonts])
    assert hyphen_glyph(stack, "بالا") == "-"

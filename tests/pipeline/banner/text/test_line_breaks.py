"""No single word alone on the last line when another arrangement with as many lines fits."""

from __future__ import annotations

from pipeline.banner.text import fit_text, wrap_text
from pipeline.model.locales import locale_info

AR_LEGAL = "الأسعار شاملة ضريبة القيمة المضافة. العرض حتى ٢٤ ديسمبر ٢٠٢٦."


def test_the_demo_headline_does_not_leave_preis_alone_in_the_medium_rectangle(head):
    de = locale_info("de-DE")
    text = "Winterlieblinge zum kleinen Preis"
    fit = fit_text(text, head, 144, 66, max_px=22, min_px=10, locale=de, max_lines=3, balance=True)
    assert fit is not None and " ".join(fit.lines) == text
    assert len(fit.lines[-1].split()) >= 2


def test_an_arabic_legal_line_does_not_end_on_the_year_alone(body):
    # the landscape format's legal box; legal lines are not balanced, only kept from ending on one word
    ar = locale_info("ar-AE")
    fit = fit_text(AR_LEGAL, body, 560, 62, max_px=23, min_px=20, locale=ar, max_lines=3)
    assert fit is not None and len(fit.lines) == 2
    assert " ".join(fit.lines) == AR_LEGAL
    assert fit.lines[-1] != "٢٠٢٦." and len(fit.lines[-1].split()) >= 2


def test_a_line_set_without_an_orphan_is_left_as_the_greedy_breaker_set_it(body):
    de = locale_info("de-DE")
    text = "Preise inkl. MwSt., zzgl. Versand. Angebot bis 24.12.2026."
    greedy = wrap_text(text, body, 24, 500, de, shape="greedy")
    assert greedy == ["Preise inkl. MwSt., zzgl. Versand. Angebot", "bis 24.12.2026."]
    assert wrap_text(text, body, 24, 500, de) == greedy
    # a little wider, greedy would leave the date alone: one word moves down
    assert wrap_text(text, body, 24, 600, de, shape="greedy")[-1] == "24.12.2026."
    assert wrap_text(text, body, 24, 600, de) == greedy


def test_balanced_lines_are_even_and_keep_the_fewest_lines(head):
    en = locale_info("en-US")
    text = "Winter essentials, warmly priced for everyone"
    assert wrap_text(text, head, 40, 760, en, shape="greedy") == ["Winter essentials, warmly priced for", "everyone"]
    assert wrap_text(text, head, 40, 760, en, shape="balanced") == ["Winter essentials, warmly", "priced for everyone"]
    # three lines stay three lines, evened out
    three = wrap_text(text, head, 40, 500, en, shape="balanced")
    assert three == ["Winter essentials,", "warmly priced", "for everyone"]


def test_two_words_on_two_lines_stay_so_when_nothing_else_fits(head):
    de = locale_info("de-DE")
    fit = fit_text("Warme Wintertage", head, 100, 66, max_px=22, min_px=10, locale=de, max_lines=3, balance=True)
    assert fit is not None and fit.lines == ("Warme", "Wintertage")

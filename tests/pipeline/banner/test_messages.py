"""Counts in copy: ICU plural syntax, categories from CLDR (Babel), numbers as the locale writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.banner.messages import (
    plural_categories,
    render_message,
    validate_message,
    variables_of,
)
from pipeline.errors import InputError
from pipeline.model.locales import LocaleInfo, locale_info

NNBSP = "\u202f"
ALL = "{stock, plural, zero {Z#} one {O#} two {T#} few {F#} many {M#} other {X#}}"
LEFT = "{stock, plural, =0 {Sold out} one {Only # left} other {Only # left!}}"
PL = LocaleInfo("pl-PL", "pl", "Latn", "ltr", "PL")  # not a banner locale: only to exercise CLDR rules


def render(template: str, code: str | LocaleInfo, **values) -> str:
    loc = code if isinstance(code, LocaleInfo) else locale_info(code)
    validate_message(template, loc)
    return render_message(template, values, loc)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "Sold out"), (1, "Only 1 left"), (2, "Only 2 left!"), (21, "Only 21 left!"), (1234, "Only 1,234 left!")],
)
def test_english_one_other_and_exact_zero(n, expected):
    assert render(LEFT, "en-US", stock=n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "Z0"),
        (1, "O1"),
        (2, "T2"),
        (3, "F3"),
        (10, "F10"),
        (11, "M11"),
        (99, "M99"),
        (100, "X100"),
        (102, "X102"),
        (1000, "X1,000"),
    ],
)
def test_arabic_has_all_six_cldr_forms(n, expected):
    assert render(ALL, "ar-AE", stock=n) == expected


def test_japanese_has_only_other_and_refuses_one():
    assert plural_categories(locale_info("ja-JP")) == {"other"}
    assert render("残り{stock, plural, other {#点}}", "ja-JP", stock=1) == "残り1点"
    assert render("{stock, plural, =1 {最後の1点} other {残り#点}}", "ja-JP", stock=1) == "最後の1点"
    with pytest.raises(InputError, match=r"'one' never occurs in ja-JP \(CLDR categories: other\)"):
        validate_message("{stock, plural, one {#点} other {#点}}", locale_info("ja-JP"))


def test_french_zero_and_one_are_one_and_numbers_use_its_spaces():
    t = "{stock, plural, one {Plus que # article} other {Plus que # articles}}"
    assert render(t, "fr-FR", stock=0) == "Plus que 0 article"
    assert render(t, "fr-FR", stock=1) == "Plus que 1 article"
    assert render(t, "fr-FR", stock=2) == "Plus que 2 articles"
    assert render(t, "fr-FR", stock=1234) == f"Plus que 1{NNBSP}234 articles"


def test_polish_like_rules_pick_one_few_many():
    t = "{stock, plural, one {# sztuka} few {# sztuki} many {# sztuk} other {# sztuki}}"
    got = [render(t, PL, stock=n) for n in (1, 2, 4, 5, 12, 22, 25)]
    assert got == ["1 sztuka", "2 sztuki", "4 sztuki", "5 sztuk", "12 sztuk", "22 sztuki", "25 sztuk"]


def test_german_number_formatting_and_plain_placeholders():
    de = locale_info("de-DE")
    assert (
        render("Noch {stock} Stück, {percent} % günstiger", de, stock=1234, percent=20)
        == "Noch 1.234 Stück, 20 % günstiger"
    )
    assert (
        render("{stock, plural, one {Nur noch # Stück} other {Nur noch # Stück}}", de, stock=Decimal("1234"))
        == "Nur noch 1.234 Stück"
    )


def test_plain_text_and_icu_apostrophe_quoting():
    fr = locale_info("fr-FR")
    assert render("Les essentiels de l'hiver", fr) == "Les essentiels de l'hiver"
    assert render("'{'stock'}' ''ok'' 100 %", fr) == "{stock} 'ok' 100 %"
    assert render("{stock, plural, other {'#'# #1}}", fr, stock=3) == "#3 31"
    assert render("# hashtag", fr) == "# hashtag"  # '#' is only special inside a plural


def test_nested_plural_uses_innermost_value():
    t = "{percent, plural, other {-#% {stock, plural, one {# left} other {# left}}}}"
    assert render(t, "en-US", percent=20, stock=1) == "-20% 1 left"
    assert variables_of(t) == {"percent", "stock"}


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Only {stok} left", r"unknown variable \{stok\}; known: percent, stock"),
        ("{stock, plural, one {# left}}", "no 'other' branch"),
        ("{stock, plural, few {#} other {#}}", r"'few' never occurs in en-US \(CLDR categories: one, other\)"),
        ("{stock, plural, sone {#} other {#}}", "unknown plural category 'sone'"),
        ("{stock, plural, one {#} one {#} other {#}}", "'one' appears twice"),
        ("{stock, select, a {x} other {y}}", "unsupported argument type 'select'"),
        ("{stock, selectordinal, one {#st} other {#th}}", "unsupported argument type 'selectordinal'"),
        ("{stock, number}", "unsupported argument type 'number'"),
        ("{stock, plural, offset:1 other {#}}", "offset"),
        ("Only {stock left", "expected '}' or ', plural,'"),
        ("Only {stock", "unclosed"),
        ("{stock, plural, one {x} other {y}", "unclosed plural"),
        ("{stock, plural, one {x} other {y}}}", "unmatched '}'"),
        ("{stock, plural, other {y}", "unclosed"),
        ("{stock, plural, other y}", "expected '{' after plural selector 'other'"),
        ("{stock, plural,}", "no branches"),
        ("{}", "expected a variable name"),
        ("'{oops", "unterminated quote"),
    ],
)
def test_bad_templates_are_refused_with_a_clear_problem(template, problem):
    with pytest.raises(InputError, match=problem) as info:
        validate_message(template, locale_info("en-US"))
    assert "\n" not in str(info.value)


def test_missing_and_wrongly_typed_values_are_refused_at_render():
    en = locale_info("en-US")
    with pytest.raises(ValueError, match=r"no value for \{stock\}"):
        render_message(LEFT, {}, en)
    with pytest.raises(TypeError, match="int or Decimal"):
        render_message(LEFT, {"stock": 2.0}, en)  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="int or Decimal"):
        render_message(LEFT, {"stock": True}, en)

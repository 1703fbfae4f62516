"""Error messages are one line and print at most ~100 characters of any value, whatever its size."""

from __future__ import annotations

from pipeline.errors import MAX_SHOWN, ConfigError, shown


class _Counted:
    calls = 0

    def __repr__(self) -> str:
        _Counted.calls += 1
        return "item"


def test_shown_reprs_only_the_first_items_of_a_huge_container():
    """A hostile value (e.g. expanded YAML aliases) must not be repr-ed whole just to be cut."""
    _Counted.calls = 0
    text = shown([_Counted() for _ in range(100_000)])
    assert len(text) <= MAX_SHOWN and text.startswith("[item, item")
    assert _Counted.calls <= 10


def test_shown_cuts_long_strings_and_keeps_short_values():
    assert shown("x" * 1_000_000) == repr("x" * 96)[:97] + "..."
    assert len(shown("x" * 1_000_000)) == MAX_SHOWN
    assert shown("B07GTFSCHB") == "'B07GTFSCHB'"
    assert shown(["brand.logos"]) == "['brand.logos']"
    assert shown(None) == "None" and shown(7) == "7"


def test_shown_survives_an_int_too_long_to_print():
    assert shown(10**5000) == "<int>"


def test_config_error_is_one_line_even_when_its_problem_quotes_a_multiline_value():
    err = ConfigError("feed.csv", "row 2.sku", "x\ny", "not in the catalog for market " + "Q\n" * 5000)
    text = str(err)
    assert "\n" not in text
    assert len(text) < 500
    assert text.startswith("feed.csv: row 2.sku: 'x\\ny': not in the catalog for market Q Q")

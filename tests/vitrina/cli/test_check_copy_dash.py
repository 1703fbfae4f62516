"""`vitrina check copy` with copy that starts with '-' (issue 15): "-25 % sur tout" was read as an
option ("No such option: -2"). Such text is now checked as written, text after ``--`` always is
the text, and a word still read as an option is one error line with the command to type."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from tests.helpers import DEMO_BRAND

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina

TEXT = "-25 % sur tout"
OPTIONS = ("--locale", "fr-FR", "--brand", str(DEMO_BRAND))


def test_copy_starting_with_a_dash_is_checked_wherever_it_stands(vitrina: Vitrina):
    """Before the options, after them, after ``--`` at the end, and ``--`` first with the options
    after the text: the same findings, on the text as typed."""
    spellings = [
        (TEXT, *OPTIONS, "--json"),
        (*OPTIONS, "--json", TEXT),
        (*OPTIONS, "--json", "--", TEXT),
        ("--", TEXT, *OPTIONS, "--json"),
    ]
    payloads = []
    for args in spellings:
        result = vitrina("check", "copy", *args)
        assert result.exit_code == 1, (args, result.output)
        payloads.append(json.loads(result.stdout))
    assert all(p == payloads[0] for p in payloads)
    finding = payloads[0]["findings"][0]
    assert finding["text"] == "-25 %" and finding["span"] == [0, 5]  # the minus is part of the text


def test_text_after_double_dash_is_never_an_option(vitrina: Vitrina):
    result = vitrina("check", "copy", *OPTIONS, "--", "--json")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pass  --json")  # checked as copy, not read as the flag


def test_a_word_shaped_like_an_option_is_one_line_with_the_command_to_type(vitrina: Vitrina):
    result = vitrina("check", "copy", "--Sale", *OPTIONS)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no such option: --Sale" in result.stderr
    suggested = result.stderr.split("put -- before it: ", 1)[1].strip()
    assert suggested == shlex.join(["vitrina", "check", "copy", *OPTIONS, "--", "--Sale"])
    # Typing what it says works.
    again = vitrina(*shlex.split(suggested)[1:])
    assert again.exit_code in (0, 1) and again.stdout.startswith(("pass  --Sale", "block  --Sale")), again.output


def test_a_misspelt_option_next_to_the_text_is_named_with_its_fix(vitrina: Vitrina):
    result = vitrina("check", "copy", "Hello", "--lokale", "fr-FR", "--brand", DEMO_BRAND)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "no such option: --lokale (did you mean --locale?)" in result.stderr
    assert "put -- before it" not in result.stderr  # the text was given: it is not the text


def test_the_help_says_how_to_check_copy_starting_with_a_dash(vitrina: Vitrina):
    result = vitrina("check", "copy", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Copy that starts with '-' is read as the copy text." in result.stdout
    assert 'vitrina check copy --locale fr-FR --brand DIR -- "-25 % sur tout"' in result.stdout

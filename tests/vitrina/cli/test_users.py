"""`vitrina users`: add (password on stdin, only its argon2 hash kept), list, disable; bad input is
one line and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.storage.store import Store
from vitrina.cli.main import app
from vitrina.web.passwords import verify_password


def _users(out: Path, *args: str, password: str | None = None):
    return CliRunner().invoke(app, ["users", *args, "--out", str(out)], input=password, catch_exceptions=False)


def test_add_keeps_only_an_argon2_hash_and_list_never_shows_it(tmp_path: Path):
    Store(tmp_path).close()
    added = _users(
        tmp_path, "add", "dana", "--role", "reviewer", "--password-stdin", password="correct horse battery\n"
    )
    assert added.exit_code == 0 and "user dana: reviewer" in added.stdout, added.output
    user = Store.open_existing(tmp_path).user("dana")
    assert user is not None and user.password_hash.startswith("$argon2id$")
    assert verify_password("correct horse battery", user.password_hash)
    assert b"correct horse battery" not in (tmp_path / "catalog.sqlite").read_bytes()
    listed = json.loads(_users(tmp_path, "list", "--json").stdout)
    assert [(u["name"], u["role"]) for u in listed] == [("dana", "reviewer")] and "password_hash" not in listed[0]


def test_bad_input_is_one_line_and_changes_nothing(tmp_path: Path):
    Store(tmp_path).close()
    cases = [
        (["add", "dana", "--role", "reviewer"], "correct horse battery\n", "--password-stdin"),
        (["add", "dana", "--role", "root", "--password-stdin"], "correct horse battery\n", "choose one of"),
        (["add", "dana", "--role", "viewer", "--password-stdin"], "short\n", "at least 8"),
        (["add", "dana", "--role", "viewer", "--password-stdin"], "two\nlines here\n", "one line"),
        (["add", "../x", "--role", "viewer", "--password-stdin"], "correct horse battery\n", "user name"),
        (["disable", "nobody"], None, "no user"),
    ]
    for args, password, message in cases:
        result = _users(tmp_path, *args, password=password)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert Store.open_existing(tmp_path).users() == []


def test_an_existing_user_is_replaced_only_with_replace_and_can_be_disabled(tmp_path: Path):
    Store(tmp_path).close()
    pw = "correct horse battery\n"
    assert _users(tmp_path, "add", "dana", "--role", "viewer", "--password-stdin", password=pw).exit_code == 0
    again = _users(tmp_path, "add", "dana", "--role", "admin", "--password-stdin", password=pw)
    assert again.exit_code == 2 and "exists already" in again.output
    assert (
        _users(tmp_path, "add", "dana", "--role", "admin", "--password-stdin", "--replace", password=pw).exit_code == 0
    )
    assert _users(tmp_path, "disable", "dana").exit_code == 0
    user = Store.open_existing(tmp_path).user("dana")
    assert user is not None and user.role == "admin" and user.disabled

"""`vitrina tokens`: a feed token is printed once and kept only as its hash, works against the
feed until revoked, and bad input is one line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipeline.storage.access import token_hash
from pipeline.storage.store import Store
from tests.vitrina.cli.conftest import Vitrina
from vitrina.web.feed import router


@pytest.fixture
def out(tmp_path: Path) -> Path:
    Store(tmp_path / "out").close()
    return tmp_path / "out"


def feed_status(out: Path, token: str) -> int:
    """What the feed answers this token (the router on a bare app over the store)."""
    app = FastAPI()
    app.include_router(router)
    app.state.store = Store.open_existing(out)
    try:
        with TestClient(app) as client:
            return client.get("/api/v1/assets", headers={"authorization": f"Bearer {token}"}).status_code
    finally:
        app.state.store.close()


def test_create_prints_the_token_once_and_keeps_only_its_hash(vitrina: Vitrina, out: Path):
    made = vitrina("tokens", "create", "bynder", "--scope", "feed:read", "--out", out, "--by", "ops")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("vtr_") and len(token) > 40 and "\n" not in token  # stdout: the token alone
    assert "shown only now" in made.stderr
    catalog = (out / "catalog.sqlite").read_bytes()
    assert token.encode() not in catalog and token_hash(token).encode() in catalog
    listed = vitrina("tokens", "list", "--out", out)
    assert listed.exit_code == 0 and "bynder" in listed.stdout and "feed:read" in listed.stdout
    assert token not in listed.stdout and "never" in listed.stdout
    assert feed_status(out, token) == 200
    [record] = json.loads(vitrina("tokens", "list", "--out", out, "--json").stdout)
    assert (record["name"], record["created_by"], record["revoked_at"]) == ("bynder", "ops", None)
    assert record["last_used_at"] is not None


def test_a_revoked_token_no_longer_reads_the_feed(vitrina: Vitrina, out: Path):
    token = vitrina("tokens", "create", "aprimo", "--out", out).stdout.strip()
    revoked = vitrina("tokens", "revoke", "aprimo", "--out", out)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert feed_status(out, token) == 401
    assert "revoked" in vitrina("tokens", "list", "--out", out).stdout
    again = vitrina("tokens", "revoke", "aprimo", "--out", out)
    assert again.exit_code == 2 and "no live token" in again.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("create", "x", "--scope", "admin"), "scope 'admin'"),
        (("create", "../etc"), "token name"),
        (("create", "bad name"), "token name"),
        (("revoke", "nobody"), "no live token"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(vitrina: Vitrina, out: Path, args: tuple[str, ...], needle: str):
    result = vitrina("tokens", *args, "--out", out)
    assert result.exit_code == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_a_taken_name_is_refused(vitrina: Vitrina, out: Path):
    assert vitrina("tokens", "create", "dam", "--out", out).exit_code == 0
    second = vitrina("tokens", "create", "dam", "--out", out)
    assert second.exit_code == 2 and "exists already" in second.stderr and second.stdout == ""


def test_no_output_folder_is_one_line(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("tokens", "list", "--out", tmp_path / "nothing")
    assert result.exit_code == 2 and "no Vitrina output here" in result.stderr

"""Users with roles and feed tokens (issue 13 item 1, 4): the store keeps hashes only, names are
confined, roles are ordered. Real store on SQLite and PostgreSQL (``catalog``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError, ReviewError
from pipeline.storage.access import ROLES, allows, new_token, token_hash
from pipeline.storage.store import Store

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def test_roles_include_the_ones_before_them():
    assert [r for r in ROLES if allows(r, "review")] == ["reviewer", "publisher", "admin"]
    assert [r for r in ROLES if allows(r, "publish")] == ["publisher", "admin"]
    assert [r for r in ROLES if allows(r, "view")] == list(ROLES)
    assert not allows("root", "view")


def test_users_are_added_once_and_replaced_only_when_asked(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    dana = store.add_user("dana", "reviewer", HASH, by="admin")
    assert (dana.role, dana.may("review"), dana.may("publish")) == ("reviewer", True, False)
    with pytest.raises(ReviewError, match="exists already"):
        store.add_user("dana", "admin", HASH, by="admin")
    assert store.add_user("dana", "publisher", HASH, by="admin", replace=True).role == "publisher"
    store.disable_user("dana", by="admin")
    assert not store.user("dana").may("view")  # type: ignore[union-attr]
    assert store.user("nobody") is None


@pytest.mark.parametrize("name", ["", "../etc", "a b", "x" * 65, "<b>", "dana\n", "-dash"])
def test_a_user_name_that_could_forge_or_escape_is_refused(tmp_path: Path, name: str):
    with pytest.raises(InputError, match="user name"):
        Store(tmp_path).add_user(name, "viewer", HASH, by="admin")


def test_a_password_in_place_of_a_hash_and_an_unknown_role_are_refused(tmp_path: Path):
    store = Store(tmp_path)
    with pytest.raises(InputError, match="hash is expected"):
        store.add_user("dana", "viewer", "hunter2", by="admin")
    with pytest.raises(InputError, match="choose one of viewer, reviewer, publisher, admin"):
        store.add_user("dana", "root", HASH, by="admin")
    assert store.users() == []


def test_tokens_are_found_by_hash_until_revoked_and_never_stored_in_clear(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    token = new_token()
    assert token.startswith("vtr_") and len(token) > 40
    store.create_token("bynder", "feed:read", token_hash(token), by="admin")
    found = store.token_by_hash(token_hash(token))
    assert found is not None and (found.name, found.scope) == ("bynder", "feed:read") and found.last_used_at
    assert store.token_by_hash(token_hash(token + "x")) is None
    with pytest.raises(InputError, match="SHA-256"):
        store.create_token("other", "feed:read", token, by="admin")
    with pytest.raises(InputError, match="scope"):
        store.create_token("other", "admin", token_hash(new_token()), by="admin")
    store.revoke_token("bynder", by="admin")
    assert store.token_by_hash(token_hash(token)) is None
    with pytest.raises(ReviewError, match="no live token"):
        store.revoke_token("bynder", by="admin")
    if catalog is None:
        assert token.encode() not in (tmp_path / "catalog.sqlite").read_bytes()

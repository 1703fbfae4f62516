"""Who may do what: users with roles (the review app's logins) and feed tokens (DAMs that pull).

Roles are ordered, each including the ones before it: a viewer reads; a reviewer also approves,
rejects, waives and comments; a publisher also publishes, retracts and rolls back; an admin also
manages users, tokens and webhooks (`PERMISSIONS`, `allows`).

The store keeps only hashes. A password is hashed by the caller (argon2, `vitrina.web.passwords`);
a feed token is a random string shown once and kept as its SHA-256 (it has 256 bits of entropy: a
fast hash is enough, and a lookup by hash costs one index read per request).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from pipeline.errors import InputError, ReviewError, shown
from pipeline.storage.audit import now, review_text
from pipeline.storage.base import CatalogBase

__all__ = [
    "ROLES",
    "PERMISSIONS",
    "SCOPES",
    "allows",
    "UserRecord",
    "TokenRecord",
    "AccessMixin",
    "new_token",
    "token_hash",
    "check_name",
]

ROLES = ("viewer", "reviewer", "publisher", "admin")
#: The least role each permission needs.
PERMISSIONS = {"view": "viewer", "review": "reviewer", "publish": "publisher", "admin": "admin"}
SCOPES = ("feed:read",)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
TOKEN_PREFIX = "vtr_"


def allows(role: str, permission: str) -> bool:
    """Whether `role` may do what `permission` (a key of `PERMISSIONS`) covers."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(PERMISSIONS[permission])


def check_name(name: str, what: str = "user name") -> str:
    """A user or token name: 1-64 characters, letters, digits and . _ @ -, starting with a letter or digit."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(f"{what} {shown(str(name))}: use 1-64 letters, digits, '.', '_', '@' or '-'")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role {shown(str(role))}: choose one of {', '.join(ROLES)}")
    return role


def new_token() -> str:
    """A feed token: ``vtr_`` + 43 URL-safe characters (256 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: str
    password_hash: str
    created_at: str
    created_by: str
    disabled: bool

    def may(self, permission: str) -> bool:
        return not self.disabled and allows(self.role, permission)


@dataclass(frozen=True)
class TokenRecord:
    name: str
    scope: str
    created_at: str
    created_by: str
    last_used_at: str | None
    revoked_at: str | None


def _user(row: Any) -> UserRecord:
    return UserRecord(
        row["name"], row["role"], row["password_hash"], row["created_at"], row["created_by"], bool(row["disabled"])
    )


def _token(row: Any) -> TokenRecord:
    return TokenRecord(
        row["name"], row["scope"], row["created_at"], row["created_by"], row["last_used_at"], row["revoked_at"]
    )


class AccessMixin(CatalogBase):
    # --- users --------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str, *, by: str, replace: bool = False) -> UserRecord:
        """Add a user (or, with `replace`, set an existing user's role and password and enable it)."""
        check_name(name)
        _check_role(role)
        review_text(by, "name")
        if not password_hash.startswith("$"):
            raise InputError("a password hash is expected (argon2 PHC string), not a password")
        with self._tx() as db:
            exists = db.row("SELECT name FROM users WHERE name=:name", name=name) is not None
            if exists and not replace:
                raise ReviewError(f"user {name} exists already (--replace to set a new role or password)")
            db.run(
                "INSERT INTO users(name, role, password_hash, created_at, created_by, disabled)"
                " VALUES (:name, :role, :hash, :at, :by, 0) ON CONFLICT (name) DO UPDATE SET"
                " role=excluded.role, password_hash=excluded.password_hash, disabled=0",
                name=name,
                role=role,
                hash=password_hash,
                at=now(),
                by=by,
            )
        user = self.user(name)
        assert user is not None
        return user

    def user(self, name: str) -> UserRecord | None:
        with self._read() as db:
            row = db.row("SELECT * FROM users WHERE name=:name", name=name)
        return _user(row) if row else None

    def users(self) -> list[UserRecord]:
        with self._read() as db:
            return [_user(r) for r in db.rows("SELECT * FROM users ORDER BY name")]

    def disable_user(self, name: str, *, by: str) -> None:
        review_text(by, "name")
        with self._tx() as db:
            if not db.run("UPDATE users SET disabled=1 WHERE name=:name", name=name):
                raise ReviewError(f"no user {shown(name)} in {self.catalog}")

    # --- feed tokens --------------------------------------------------------------------------

    def create_token(self, name: str, scope: str, hashed: str, *, by: str) -> TokenRecord:
        """Record a token by its hash (`token_hash(new_token())`); the caller shows the token once."""
        check_name(name, "token name")
        if scope not in SCOPES:
            raise InputError(f"scope {shown(str(scope))}: choose one of {', '.join(SCOPES)}")
        if not re.fullmatch(r"[0-9a-f]{64}", hashed):
            raise InputError("a token's SHA-256 (64 hex digits) is expected, not the token")
        review_text(by, "name")
        with self._tx() as db:
            if db.row("SELECT name FROM api_tokens WHERE name=:name", name=name) is not None:
                raise ReviewError(f"token {name} exists already (revoke it first, or choose another name)")
            db.run(
                "INSERT INTO api_tokens(name, scope, token_hash, created_at, created_by)"
                " VALUES (:name, :scope, :hash, :at, :by)",
                name=name,
                scope=scope,
                hash=hashed,
                at=now(),
                by=by,
            )
        return next(t for t in self.tokens() if t.name == name)

    def token_by_hash(self, hashed: str) -> TokenRecord | None:
        """The live (not revoked) token with this hash, its last use set to now; else None."""
        with self._tx() as db:
            row = db.row("SELECT * FROM api_tokens WHERE token_hash=:hash AND revoked_at IS NULL", hash=hashed)
            if row is None:
                return None
            at = now()
            if row["last_used_at"] != at:  # at most one write per token per second
                db.run("UPDATE api_tokens SET last_used_at=:at WHERE name=:name", at=at, name=row["name"])
        return _token({**row, "last_used_at": at})

    def tokens(self) -> list[TokenRecord]:
        with self._read() as db:
            return [_token(r) for r in db.rows("SELECT * FROM api_tokens ORDER BY created_at, name")]

    def revoke_token(self, name: str, *, by: str) -> None:
        review_text(by, "name")
        with self._tx() as db:
            if not db.run(
                "UPDATE api_tokens SET revoked_at=:at WHERE name=:name AND revoked_at IS NULL", at=now(), name=name
            ):
                raise ReviewError(f"no live token {shown(name)} in {self.catalog}")

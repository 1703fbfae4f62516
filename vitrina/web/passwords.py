"""Password hashing for web users: argon2id via pwdlib. The store keeps only the hash
(`Store.add_user(..., password_hash)`); the web app and `vitrina users add` hash here.

`verify_password` never raises on a damaged or foreign hash (it answers False), and
`dummy_verify` spends the same time for a user that does not exist, so a login's timing does
not tell which names exist.
"""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher

__all__ = ["hash_password", "verify_password", "dummy_verify", "MIN_PASSWORD", "MAX_PASSWORD"]

#: Shortest and longest password accepted when one is set (argon2 takes any length; the cap keeps
#: a login form from making the server hash megabytes).
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_HASHER = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (a PHC string, salt included); ValueError when the password
    is shorter than MIN_PASSWORD or longer than MAX_PASSWORD characters."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password may have at most {MAX_PASSWORD} characters")
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether `password` matches `password_hash`; False for a hash that is damaged or not argon2."""
    if not password or len(password) > MAX_PASSWORD or not password_hash:
        return False
    try:
        return bool(_HASHER.verify(password, password_hash))
    except (PwdlibError, ValueError, TypeError):
        return False


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("not a password anyone has")


def dummy_verify(password: str) -> None:
    """Spend the time of one verification (for a login name that does not exist)."""
    verify_password(password or "x", _dummy_hash())

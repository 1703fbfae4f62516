"""Who is asking, and may they: the session user, role checks, CSRF tokens and the login limit.

Sessions are Starlette's signed cookie (`SessionMiddleware`: HttpOnly, SameSite=Lax). The cookie
holds the user's name, a fingerprint of their password hash (changing a password ends every
other session) and the session's CSRF token; the user is read from the store on every request,
so a disabled user or a changed role takes effect at once.

Every POST outside the bearer-token API carries the session's CSRF token, in the form field
``csrf_token`` or the header ``X-CSRF-Token`` (htmx requests); `check_csrf` compares it in
constant time. Logins are limited per (name, client address): `LoginLimiter`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

from pipeline.storage.access import allows

__all__ = [
    "User",
    "login_required",
    "forbidden",
    "LoginLimiter",
    "csrf_token",
    "check_csrf",
    "session_user",
    "log_in",
    "log_out",
    "require",
    "CSRF_FIELD",
    "CSRF_HEADER",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class User:
    """The signed-in user of a request."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        """view | review | publish | admin (`pipeline.storage.access.PERMISSIONS`)."""
        return allows(self.role, permission)


def login_required() -> HTTPException:
    """No signed-in user: the app turns this 401 into a redirect to /login for pages."""
    return HTTPException(401, "Sign in first.")


def forbidden(permission: str) -> HTTPException:
    """Signed in, but the role does not allow `permission`."""
    return HTTPException(403, f"Your role does not allow this ({permission}).")


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use, kept for the session)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """A dependency for every route: a request that may change state must carry the session's CSRF
    token (form field or header); 403 otherwise."""
    if request.method in _SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached on the request: the route's Form() fields read it again
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise HTTPException(403, "The form was stale or not sent by this site: reload the page and try again.")


def session_user(request: Request) -> User | None:
    """The signed-in user, read from the store now; None (and the session cleared) when the
    session names nobody, a user since removed or disabled, or an old password."""
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    cached = getattr(request.state, "user", None)
    if isinstance(cached, User):
        return cached
    record = request.app.state.store.user(name)
    if record is None or record.disabled or request.session.get("pw") != _fingerprint(record.password_hash):
        request.session.clear()
        return None
    user = User(record.name, record.role)
    request.state.user = user
    return user


def log_in(request: Request, name: str, password_hash: str) -> None:
    """Start a fresh session for `name` (a new CSRF token: no fixation of an old session)."""
    request.session.clear()
    request.session.update({"user": name, "pw": _fingerprint(password_hash), "at": int(time.time())})
    csrf_token(request)


def log_out(request: Request) -> None:
    request.session.clear()


def require(permission: str) -> Callable[[Request], User]:
    """A dependency: the signed-in user when their role allows `permission`; 401 (no user) or
    403 (another role) otherwise."""

    def dependency(request: Request) -> User:
        user = session_user(request)
        if user is None:
            raise login_required()
        if not user.can(permission):
            raise forbidden(permission)
        return user

    return dependency


class LoginLimiter:
    """At most `attempts` failed logins per (name, client address) within `window_s` seconds, and
    `per_client` failures per client address whatever the names (guessing many names from one
    address). In memory: one process; a restart forgets."""

    def __init__(self, attempts: int = 5, window_s: float = 300.0, per_client: int = 30) -> None:
        self.attempts, self.window_s, self.per_client = attempts, window_s, per_client
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, name: str, client: str, now: float | None = None) -> int:
        """Seconds until the next attempt is allowed; 0 when it is allowed now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = []
            for key, limit in (((name.lower(), client), self.attempts), (("", client), self.per_client)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.window_s - now)
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, name: str, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in ((name.lower(), client), ("", client)):
                self._failures.setdefault(key, deque()).append(now)
                if len(self._failures[key]) > self.per_client:
                    self._failures[key].popleft()

    def succeeded(self, name: str, client: str) -> None:
        with self._lock:
            self._failures.pop((name.lower(), client), None)

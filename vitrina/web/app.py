"""The Vitrina web app: the review UI (`vitrina.web.pages`), the feed for DAMs that pull
(`vitrina.web.feed`, under /api/v1) and the webhook deliveries (`vitrina.web.delivery`), in one
FastAPI application over one output folder's store.

`create_app` wires the security every response shares: a signed session cookie (HttpOnly,
SameSite=Lax; Secure with ``https_only``), a CSRF token on every state-changing request of the UI,
and the headers below (a CSP without inline scripts or styles, no framing, no sniffing, no
referrer). Pages redirect to /login without a session; the API answers 401.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.storage.store import Store
from vitrina.web.auth import LoginLimiter, check_csrf, csrf_token, require, session_user

__all__ = ["create_app", "get_store", "SECRET_FILE", "SECURITY_HEADERS", "CSP", "SESSION_COOKIE"]

HERE = Path(__file__).resolve().parent
#: Where the session-signing secret is kept when none is given: created on first use, mode 0600.
SECRET_FILE = "web-secret"
SESSION_COOKIE = "vitrina_session"
SESSION_MAX_AGE_S = 8 * 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def get_store(request: Request) -> Store:
    """The app's store (a dependency for routes: ``store: Store = Depends(get_store)``)."""
    store: Store = request.app.state.store
    return store


def load_secret(out: Path) -> str:
    """The secret in OUT/web-secret, made (random, mode 0600) when the file is not there yet."""
    path = Path(out) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < 32:
            raise ValueError(f"{path}: the session secret is too short (delete the file to make a new one)") from None
        return secret
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    return secret


class SecurityHeadersMiddleware:
    """Adds `SECURITY_HEADERS` to every HTTP response, and ``Cache-Control: no-store`` to HTML
    and JSON that did not set one (pages show what a signed-in user may see)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                kind = headers.get("content-type", "")
                if "cache-control" not in headers and kind.startswith(("text/html", "application/json")):
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped; nothing in the templates is marked safe
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _page(request: Request, status: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    context: dict[str, Any] = {
        "title": title,
        "message": message,
        "user": session_user(request),
        "csrf": csrf_token(request),
        "flashes": [],
    }
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 401 and not _wants_json(request):  # a page: sign in, then come back
            if request.headers.get("hx-request"):
                return Response(status_code=401, headers={"hx-redirect": "/login"})
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if exc.status_code == 401:
            headers.setdefault("www-authenticate", 'Bearer realm="vitrina"')
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed", 429: "Too many attempts"}
        title = titles.get(exc.status_code, "Error")
        response = _page(request, exc.status_code, title, str(exc.detail))
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        fields = ", ".join(str(e.get("loc", ("?",))[-1]) for e in exc.errors())
        return _page(request, 422, "Bad request", f"Missing or invalid: {fields}.")


def _docs_router() -> APIRouter:
    """/docs (the API's routes, as a page) and /openapi.json, behind the login. FastAPI's own docs
    page loads scripts from a CDN and runs inline script: the CSP refuses both."""
    from vitrina.web.pages import render

    router = APIRouter(include_in_schema=False)
    viewer = Depends(require("view"))

    @router.get("/openapi.json", dependencies=[viewer])
    def openapi(request: Request) -> Response:
        return JSONResponse(request.app.openapi())

    @router.get("/docs", dependencies=[viewer])
    def api_docs(request: Request) -> Response:
        spec = request.app.openapi()
        operations = []
        for path, methods in spec.get("paths", {}).items():
            for method, op in methods.items():
                params = [
                    (p.get("name", ""), p.get("in", ""), bool(p.get("required")), p.get("description", ""))
                    for p in op.get("parameters", [])
                ]
                responses = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": op.get("summary", ""),
                        "description": op.get("description", ""),
                        "params": params,
                        "responses": responses,
                    }
                )
        return render(request, "docs.html", {"title": "API", "spec": spec, "operations": operations})

    return router


def _delivery_worker(store: Store) -> Any:
    from vitrina.web.delivery import DeliveryWorker

    return DeliveryWorker(store)


def create_app(
    out: Path,
    db_url: str | None = None,
    *,
    secret_key: str | None = None,
    deliver_webhooks: bool = True,
    https_only: bool = False,
) -> FastAPI:
    """The app over the output folder `out` (its catalog, or the database at `db_url`).

    `secret_key` signs the session cookies; without one, OUT/web-secret is used (made on first
    use). `deliver_webhooks` runs the webhook delivery worker while the app runs. `https_only`
    marks the session cookie Secure (serve behind TLS). FileNotFoundError or InputError (one line)
    when `out` holds no usable catalog.
    """
    from vitrina.web import pages
    from vitrina.web.feed import router as feed_router

    store = Store.open_existing(Path(out), db_url)
    secret = secret_key or load_secret(Path(out))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = _delivery_worker(store) if deliver_webhooks else None
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            store.close()

    app = FastAPI(
        title="Vitrina",
        summary="Review UI, asset feed for DAMs and webhooks of one Vitrina output folder",
        lifespan=lifespan,
        docs_url=None,  # /docs and /openapi.json are served by `pages`, behind the login
        redoc_url=None,
        openapi_url=None,
    )
    app.state.store = store
    app.state.out = Path(out)
    app.state.templates = _templates()
    app.state.limiter = LoginLimiter()
    app.add_middleware(SessionMiddleware, **_session_options(secret, https_only))
    app.add_middleware(SecurityHeadersMiddleware)
    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router, dependencies=[Depends(check_csrf)])
    app.include_router(_docs_router())
    app.include_router(feed_router)
    return app


def _session_options(secret: str, https_only: bool) -> dict[str, Any]:
    return {
        "secret_key": secret,
        "session_cookie": SESSION_COOKIE,
        "max_age": SESSION_MAX_AGE_S,
        "same_site": "lax",
        "https_only": https_only,
    }

"""The review app attacked (issue 13, item 6): no page without a login, roles enforced on the
server, CSRF on every POST, what users typed shown escaped, names that cannot leave their folder,
the login limit, the security headers and a page source without inline script or style."""

from __future__ import annotations

import os
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from pipeline.storage.access import new_token, token_hash
from tests.vitrina.web.conftest import (
    PASSWORD,
    SECRET,
    Web,
    add_variant,
    cheap_hash,
    check,
    csrf_of,
    login,
    make_client,
    post,
)
from vitrina.web.app import CSP, SECRET_FILE, SESSION_COOKIE, create_app


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also those of included routers (FastAPI 0.150 keeps an included router as
    one entry that holds the original router)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif getattr(route, "original_router", None) is not None:
            found += _api_routes(route.original_router.routes)
    return found


def _routes(client: TestClient, method: str) -> list[str]:
    routes = _api_routes(client.app.routes)  # type: ignore[attr-defined]
    return sorted({r.path for r in routes if method in r.methods})


def _concrete(path: str, web: Web) -> str:
    """A route's path with its parameters filled in with real values."""
    sha = web.store.variant(web.ids["needs"]).blob_sha
    values = {
        "vid": web.ids["needs"],
        "name": f"{sha}-240.webp",
        "asset_id": web.ids["needs"],
    }
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    assert "{" not in path, f"fill in the parameter of {path} in _concrete"
    return path


# --- authentication ----------------------------------------------------------------------------


def test_no_page_and_no_api_without_signing_in(client: TestClient, web: Web):
    paths = _routes(client, "GET")
    assert {"/", "/variants/{vid}", "/thumbs/{name}", "/admin/users", "/docs", "/openapi.json"} <= set(paths)
    for path in paths:
        if path == "/login":
            continue
        r = client.get(_concrete(path, web))
        if path.startswith("/api/") or path == "/openapi.json":
            assert r.status_code == 401, path
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    for path in _routes(client, "POST"):
        r = client.post(_concrete(path, web), data={})
        assert r.status_code in (401, 403) or r.headers.get("location", "").startswith("/login"), path
    # static files (the script, the style sheet) are public and hold nothing of the catalog
    assert client.get("/static/vitrina.js").status_code == 200


def test_a_feed_token_cannot_approve(client: TestClient, web: Web):
    token = new_token()
    web.store.create_token("dam", "feed:read", token_hash(token), by="test")
    r = client.post(f"/variants/{web.ids['needs']}/approve", headers={"authorization": f"Bearer {token}"})
    assert r.status_code in (303, 401, 403) and web.store.variant(web.ids["needs"]).review == "pending"
    assert client.get("/", headers={"authorization": f"Bearer {token}"}).status_code == 303


def test_a_viewer_cannot_approve_reject_waive_or_comment(client: TestClient, web: Web):
    token = login(client, "vera")
    vid = web.ids["needs"]
    page = client.get(f"/variants/{vid}").text
    assert 'class="approve-form"' not in page and 'class="waive-form"' not in page
    for action, data in (
        ("approve", {}),
        ("reject", {"reason": "no"}),
        ("waive", {"check": "image.stray_text", "justification": "fine"}),
        ("comment", {"text": "hello"}),
    ):
        assert post(client, f"/variants/{vid}/{action}", token, **data).status_code == 403, action
    r = client.post("/bulk/approve", data={"csrf_token": token, "ids": [vid], "confirm": "yes"})
    assert r.status_code == 403
    assert web.store.variant(vid).review == "pending" and web.store.comments(vid) == []
    assert [a["action"] for a in web.store.audit(vid)] == ["rendered", "checked"]


def test_a_reviewer_cannot_roll_back_or_see_the_admin_pages(client: TestClient, web: Web):
    token = login(client, "rene")
    v1 = web.ids["other"]
    post(client, f"/variants/{v1}/approve", token)
    add_variant(web.store, 80, sku="S2", scene="kitchen", locale="fr-FR", run_id="r2")
    r = post(client, f"/variants/{v1}/rollback", token, reason="try")
    assert r.status_code == 403 and "Your role does not allow this (publish)" in r.text
    assert not web.store.variant(v1).current
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/webhooks").status_code == 403


def test_a_disabled_user_or_a_changed_password_ends_the_session(client: TestClient, web: Web):
    login(client, "rene")
    web.store.add_user("rene", "reviewer", cheap_hash("another password"), by="test", replace=True)
    assert client.get("/").status_code == 303
    login(client, "rene", "another password")
    web.store.disable_user("rene", by="test")
    assert client.get("/").status_code == 303
    r = client.post("/login", data={"name": "rene", "password": "another password", "csrf_token": csrf_of(client)})
    assert r.status_code == 401


def test_a_new_session_on_login_and_no_redirect_off_the_site(client: TestClient, web: Web):
    before = csrf_of(client)
    data = {"name": "vera", "password": PASSWORD, "csrf_token": before, "next": "//evil.example/x"}
    r = client.post("/login", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/"
    after = csrf_of_page(client)
    assert after != before  # the session (and its token) was made new at login
    for target in ("https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert client.get("/login", params={"next": target}).headers["location"] == "/"


def csrf_of_page(client: TestClient) -> str:
    import re

    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


# --- CSRF ----------------------------------------------------------------------------------------


def test_every_post_needs_the_sessions_csrf_token(client: TestClient, web: Web):
    token = login(client, "ada")
    posts = _routes(client, "POST")
    assert {"/login", "/logout", "/bulk/approve", "/variants/{vid}/approve", "/variants/{vid}/waive"} <= set(posts)
    for path in posts:
        if path.startswith("/api/"):
            continue  # the API takes bearer tokens, never cookies
        url = _concrete(path, web)
        assert client.post(url, data={"reason": "x"}).status_code == 403, path
        assert client.post(url, data={"csrf_token": "forged" * 8, "reason": "x"}).status_code == 403, path
        assert client.post(url, headers={"x-csrf-token": token + "x"}).status_code == 403, path
    assert web.store.variant(web.ids["needs"]).review == "pending"
    assert client.get("/").status_code == 200  # still signed in: /logout refused too


def test_a_token_from_another_session_is_refused(client: TestClient, web: Web):
    with make_client(web.out) as other:
        foreign = login(other, "rene")
    login(client, "rene")
    r = client.post(f"/variants/{web.ids['needs']}/approve", data={"csrf_token": foreign})
    assert r.status_code == 403 and web.store.variant(web.ids["needs"]).review == "pending"


# --- what users typed is shown, not run ------------------------------------------------------------

ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_in_copy_reasons_comments_and_findings_is_shown_escaped(client: TestClient, web: Web):
    from tests.helpers import render_demo_variant

    _, rendered = render_demo_variant()
    lineage = rendered.lineage
    hostile = lineage.model_copy(update={"copy_": lineage.copy_.model_copy(update={"headline": ATTACK})})
    vid = web.store.add_variant(
        run_id="r1",
        campaign_id="spring",
        sku="S3",
        scene="studio",
        fmt="square",
        locale="en-US",
        blob_sha=web.store.put_blob(b"\x89PNG not really"),
        verdict="needs_review",
        reasons=[ATTACK],
        checks=[check("copy.claims", "needs_review", f"claim found: {ATTACK}", [1, 2, 3, 4])],
        lineage=hostile,
    )
    token = login(client, "rene")
    post(client, f"/variants/{vid}/comment", token, text=ATTACK)
    post(client, f"/variants/{vid}/reject", token, reason=ATTACK)
    for url in (f"/variants/{vid}", "/?sku=S3"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, url
    assert client.get(f"/variants/{vid}").text.count("&lt;script&gt;") >= 4  # copy, finding, comment, reason


# --- names that must not leave their folder --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fcatalog.sqlite",
        "..%2Fweb-secret",
        "%2E%2E%2Fcatalog.sqlite",
        "{sha}-240.webp%00.png",
        "{SHA}-240.webp",
        "{sha}-240.png",
        "{sha}-0240.webp",
        "{sha}/../../catalog.sqlite",
    ],
)
def test_thumbnail_names_cannot_traverse(client: TestClient, web: Web, name: str):
    login(client, "vera")
    sha = web.store.variant(web.ids["needs"]).blob_sha
    r = client.get("/thumbs/" + name.replace("{sha}", sha).replace("{SHA}", sha.upper()))
    assert r.status_code == 404 and b"SQLite" not in r.content
    assert not (web.out / "thumbs").exists() or all(p.suffix == ".webp" for p in (web.out / "thumbs").iterdir())


@pytest.mark.parametrize("vid", ["..%2F..%2Fcatalog.sqlite", "v0000000000g", "V{hex}", "{vid}%2F..", "{vid}x"])
def test_variant_names_cannot_traverse(client: TestClient, web: Web, vid: str):
    login(client, "vera")
    real = web.ids["needs"]
    name = vid.replace("{vid}", real).replace("{hex}", real[1:])
    for suffix in ("", "/image.png", "/cutout.png"):
        assert client.get(f"/variants/{name}{suffix}").status_code == 404, suffix


# --- the login limit -------------------------------------------------------------------------------


def test_five_failed_logins_lock_that_name_from_that_address(client: TestClient, web: Web):
    token = csrf_of(client)
    for _ in range(5):
        r = client.post("/login", data={"name": "rene", "password": "guess", "csrf_token": token})
        assert r.status_code == 401
    r = client.post("/login", data={"name": "rene", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "Too many failed logins" in r.text
    assert client.get("/").status_code == 303  # not signed in
    # another name from the same address is not locked out by it
    ok = client.post("/login", data={"name": "vera", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 303


def test_the_limiter_forgets_after_its_window():
    from vitrina.web.auth import LoginLimiter

    limiter = LoginLimiter(attempts=2, window_s=10, per_client=5)
    limiter.failed("a", "ip", now=0)
    limiter.failed("A", "ip", now=1)  # names are compared without case
    assert limiter.retry_after("a", "ip", now=2) == 9
    assert limiter.retry_after("a", "other ip", now=2) == 0
    assert limiter.retry_after("a", "ip", now=10.5) == 0
    for i in range(5):
        limiter.failed(f"name{i}", "ip2", now=20)
    assert limiter.retry_after("fresh", "ip2", now=21) > 0  # many names from one address


# --- headers and page source -----------------------------------------------------------------------


def test_security_headers_and_the_session_cookie(client: TestClient, web: Web):
    r = client.get("/login")
    assert r.headers["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-inline" not in CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    login(client, "vera")
    for url in ("/", f"/variants/{web.ids['needs']}", "/static/vitrina.css", "/nothing-here"):
        assert client.get(url).headers["content-security-policy"] == CSP, url


class _Inline(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, event handler attributes, style
    attributes and elements, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for key, value in attrs:
            if key.startswith("on"):
                self.problems.append(f"{tag} {key}=")
            if key == "style":
                self.problems.append(f"{tag} style=")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {key}=javascript:")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("script with content")


def test_no_page_has_inline_script_or_style(client: TestClient, web: Web):
    pages = ["/login"]
    token = login(client, "ada")
    pages += ["/", "/?current=0", "/admin/users", "/admin/webhooks", "/docs", "/nothing-here"]
    pages += [f"/variants/{vid}" for vid in web.ids.values()]
    bodies = {url: client.get(url).text for url in pages}
    bodies["bulk confirm"] = client.post("/bulk/approve", data={"csrf_token": token, "ids": [web.ids["needs"]]}).text
    bodies["bulk done"] = client.post(
        "/bulk/approve", data={"csrf_token": token, "ids": [web.ids["passed"]], "confirm": "yes"}
    ).text
    bodies["forbidden"] = client.post("/logout").text
    bodies["card"] = client.post(
        f"/variants/{web.ids['needs']}/approve", headers={"hx-request": "true", "x-csrf-token": token}
    ).text
    for url, body in bodies.items():
        parser = _Inline()
        parser.feed(body)
        assert parser.problems == [], url
    assert 'src="/static/htmx.min.js"' in bodies["/"]  # vendored, not from a CDN
    assert "http://" not in bodies["/"] and "https://" not in bodies["/"]


def test_htmx_is_vendored_with_its_licence():
    static = Path(__file__).resolve().parents[3] / "vitrina" / "web" / "static"
    assert b'version:"2.' in (static / "htmx.min.js").read_bytes()
    assert "Zero-Clause BSD" in (static / "htmx.LICENSE").read_text()


def test_without_a_secret_one_is_made_once_and_kept_private(web: Web):
    app = create_app(web.out, None, deliver_webhooks=False)
    secret = web.out / SECRET_FILE
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    first = secret.read_text()
    create_app(web.out, None, deliver_webhooks=False)
    assert secret.read_text() == first and len(first.strip()) >= 32
    with TestClient(app, follow_redirects=False) as c:  # sessions signed with it work
        login(c, "vera")
    # a cookie signed with another secret is no session
    with make_client(web.out) as other:
        login(other, "vera")
        cookie = other.cookies.get(SESSION_COOKIE)
    other_app = create_app(web.out, None, secret_key=SECRET + "-other", deliver_webhooks=False)
    with TestClient(other_app, follow_redirects=False) as c:
        c.cookies.set(SESSION_COOKIE, cookie or "")
        assert c.get("/").status_code == 303


def test_routes_listed_here_are_all_the_app_has(client: TestClient):
    """A new route must be added to the checks above (auth, CSRF) by whoever adds it."""
    mounts = [r.path for r in client.app.routes if isinstance(r, Mount)]  # type: ignore[attr-defined]
    assert mounts == ["/static"]

"""The review app on a real small store: one real demo banner (with its cut-out) and a few
variants stored the way a run stores them (`Store.add_variant`, a real lineage, small real PNGs),
users of each role, and a TestClient per test.

Passwords are hashed with cheap argon2 parameters: verification reads the parameters from the
hash, so each login costs milliseconds instead of the production hash's ~0.2 s.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from pipeline.storage.store import Store
from tests.helpers import render_demo_variant
from vitrina.web.app import create_app

PASSWORD = "correct horse battery"
#: One user per role: name -> role.
USERS = {"vera": "viewer", "rene": "reviewer", "pia": "publisher", "ada": "admin"}
SECRET = "test-secret-" + "x" * 40
#: Check ids the test brand lets a reviewer waive (recorded with the run, as a real run does).
WAIVABLE = ["image.stray_text", "text.contrast"]
CAMPAIGN = "spring"


@cache
def cheap_hash(password: str = PASSWORD) -> str:
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),)).hash(password)


def png(seed: int, size: tuple[int, int] = (120, 120)) -> bytes:
    """A small real PNG, different for each seed."""
    from PIL import Image

    color = ((seed * 67) % 256, (seed * 131) % 256, (seed * 29 + 90) % 256)
    image = Image.new("RGB", size, color)
    image.putpixel((seed % size[0], 0), (seed % 256, 0, 255 - seed % 256))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def check(check_id: str, verdict: str, message: str, box: list[int] | None = None) -> dict[str, Any]:
    return {"check": check_id, "verdict": verdict, "code": check_id.split(".")[-1], "message": message, "box": box}


def add_variant(
    store: Store,
    seed: int,
    *,
    sku: str = "S1",
    scene: str = "studio",
    fmt: str = "square",
    locale: str = "en-US",
    verdict: str = "passed",
    checks: list[dict[str, Any]] | None = None,
    run_id: str = "r1",
    campaign: str = CAMPAIGN,
) -> str:
    """Store one variant as a run does (real lineage, a small real PNG); returns its id."""
    _, rendered = render_demo_variant()
    found = checks if checks is not None else [check("image.palette.background", "passed", "palette ok")]
    return store.add_variant(
        run_id=run_id,
        campaign_id=campaign,
        sku=sku,
        scene=scene,
        fmt=fmt,
        locale=locale,
        blob_sha=store.put_blob(png(seed)),
        verdict=verdict,
        reasons=[c["message"] for c in found if c["verdict"] in ("needs_review", "blocked")],
        checks=found,
        lineage=rendered.lineage,
    )


@dataclass
class Web:
    """The store behind the app and the ids of its variants by role in the tests."""

    out: Path
    store: Store
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    out = tmp_path / "out"
    store = Store(out)
    store.start_run("r1", CAMPAIGN, "brief.yaml", "studio", waivable=WAIVABLE)
    for name, role in USERS.items():
        store.add_user(name, role, cheap_hash(), by="test")
    product, rendered = render_demo_variant()
    store.put_cutout(product.cutout)
    w = Web(out, store)
    w.ids["real"] = store.keep_variant("r1", rendered.png, rendered.report, rendered.lineage)
    w.ids["needs"] = add_variant(
        store,
        1,
        sku="S1",
        locale="en-US",
        verdict="needs_review",
        checks=[
            check("image.stray_text", "needs_review", "stray text found in the scene", [10, 20, 60, 50]),
            check("product.fidelity", "passed", "product unchanged"),
        ],
    )
    w.ids["blocked"] = add_variant(
        store,
        2,
        sku="S1",
        locale="de-DE",
        verdict="blocked",
        checks=[
            check("product.pixels", "blocked", "product pixels changed", [5, 5, 40, 40]),
            check("image.stray_text", "needs_review", "stray text found", [50, 50, 100, 90]),
        ],
    )
    w.ids["passed"] = add_variant(store, 3, sku="S1", fmt="story", locale="en-US")
    w.ids["other"] = add_variant(store, 4, sku="S2", scene="kitchen", locale="fr-FR")
    try:
        yield w
    finally:
        store.close()


def make_client(out: Path) -> TestClient:
    return TestClient(create_app(out, None, secret_key=SECRET, deliver_webhooks=False), follow_redirects=False)


@pytest.fixture
def client(web: Web) -> Iterator[TestClient]:
    with make_client(web.out) as c:
        yield c


_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, as every page carries it in a meta tag."""
    found = _CSRF.search(client.get("/login").text)
    assert found, "no CSRF token on the login page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in as `name`; returns the new session's CSRF token."""
    token = csrf_of(client)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    page = client.get("/")
    assert page.status_code == 200
    found = _CSRF.search(page.text)
    assert found
    return found.group(1)


def post(client: TestClient, url: str, token: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": token, **data})

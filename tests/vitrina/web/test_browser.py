"""A designer's review in a real browser (issue 13, item 7): Playwright drives Debian's Chromium
(/usr/bin/chromium; never `playwright install`) against the app served by uvicorn in a thread.

Log in, filter, open a variant, waive a check, approve, reject with a reason (on the page, and
from the queue with the keyboard), bulk-approve, and see the audit trail update; no Content
Security Policy violation on the way (the page's scripts and styles are files).

With ``VITRINA_SCREENSHOTS=1``, ``test_screenshots_for_the_docs`` renders a few real demo banners
and saves the queue and a variant page to docs/screenshots/ (otherwise it is skipped).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.vitrina.web.conftest import PASSWORD, SECRET, USERS, WAIVABLE, Web, cheap_hash
from vitrina.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """The app on a real HTTP server in a daemon thread."""

    def __init__(self, out: Path) -> None:
        import uvicorn

        self.port = _free_port()
        app = create_app(out, None, secret_key=SECRET, deliver_webhooks=False)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def app_tab(chromium: Any, web: Web) -> Iterator[tuple[Any, str, list[str]]]:
    """(page, base URL, CSP problems seen in the console) on a fresh browser context."""
    with Served(web.out) as served:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        problems: list[str] = []
        tab.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        try:
            yield tab, served.url, problems
        finally:
            context.close()


def _log_in(tab: Any, base: str, name: str) -> None:
    tab.goto(base + "/")
    assert "/login" in tab.url
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.login button[type=submit]")
    tab.wait_for_url(base + "/")


def _audit_rows(tab: Any) -> list[str]:
    return [" ".join(t.split()) for t in tab.locator("table.audit-trail tbody tr").all_inner_texts()]


def test_a_reviewer_does_every_step_in_a_real_browser(app_tab: tuple[Any, str, list[str]], web: Web):
    tab, base, problems = app_tab
    _log_in(tab, base, "rene")
    assert tab.locator("article.card").count() == 5

    # filter: one SKU
    tab.select_option("select[name=sku]", "S1")
    tab.click("form.filters button[type=submit]")
    tab.wait_for_url(re.compile(r".*sku=S1.*"))
    assert tab.locator("article.card").count() == 3

    # open a variant: its finding is boxed on the banner
    needs = web.ids["needs"]
    tab.click(f"#card-{needs} .pick a")
    tab.wait_for_url(f"{base}/variants/{needs}")
    assert tab.locator("svg.banner g.finding rect:not(.tag)").count() == 1
    assert tab.locator("img[alt^='product cut-out']").evaluate("img => img.naturalWidth") > 0

    # waive the stray-text finding with a justification
    tab.select_option("form.waive-form select[name=check]", "image.stray_text")
    tab.fill("form.waive-form input[name=justification]", "the text is the product's own label")
    tab.click("form.waive-form button[type=submit]")
    tab.wait_for_selector("p.flash.ok")
    assert "waived" in _audit_rows(tab)[-1] and "the product's own label" in _audit_rows(tab)[-1]
    assert web.store.variant(needs).verdict == "passed"

    # approve it
    tab.click("form.approve-form button.approve")
    tab.wait_for_selector("p.flash.ok")
    assert _audit_rows(tab)[-1].split()[1:4] == ["approved", "rene", "passed"]
    assert web.store.variant(needs).state == "approved"

    # reject another with a reason, on its page
    blocked = web.ids["blocked"]
    tab.goto(f"{base}/variants/{blocked}")
    tab.fill("#reject-reason", "product pixels changed: render again")
    tab.click("form.reject-form button.reject")
    tab.wait_for_selector("p.flash.ok")
    assert "product pixels changed: render again" in _audit_rows(tab)[-1]
    assert web.store.variant(blocked).state == "rejected"

    # from the queue with the keyboard: j to the third card, r (a reason in the prompt), then a
    tab.goto(base + "/?sku=S1")
    tab.once("dialog", lambda dialog: dialog.accept("colours are off"))
    passed = web.ids["passed"]
    tab.locator("body").press("j")
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    assert tab.evaluate("document.activeElement.id") == f"card-{passed}"
    tab.keyboard.press("r")
    tab.wait_for_selector(f"#card-{passed}.state-rejected")
    tab.keyboard.press("a")
    tab.wait_for_selector(f"#card-{passed}.state-approved")
    assert [a["action"] for a in web.store.audit(passed)][-2:] == ["rejected", "approved"]
    assert web.store.audit(passed)[-2]["reason"] == "colours are off"

    # bulk: select two, approve them with one confirmation
    tab.goto(base + "/")
    for key in ("real", "other"):
        tab.check(f"#card-{web.ids[key]} input[name=ids]")
    tab.click("button.bulk-approve")
    tab.wait_for_selector("button.confirm-approve")
    assert tab.locator("form.confirm tbody tr").count() == 2
    tab.click("button.confirm-approve")
    tab.wait_for_selector("text=Approved 2 of 2")
    assert {web.store.variant(web.ids[k]).state for k in ("real", "other")} == {"approved"}

    # the audit trail on the variant page shows every step
    tab.goto(f"{base}/variants/{passed}")
    rows = _audit_rows(tab)
    assert any("rejected rene" in r and "colours are off" in r for r in rows)
    assert "approved rene" in rows[-1]
    assert problems == []


def test_a_viewer_sees_no_buttons_and_keys_do_nothing(app_tab: tuple[Any, str, list[str]], web: Web):
    tab, base, problems = app_tab
    _log_in(tab, base, "vera")
    assert tab.locator("button.approve").count() == 0 and tab.locator("button.bulk-approve").count() == 0
    tab.locator("body").press("j")
    tab.keyboard.press("a")
    tab.goto(f"{base}/variants/{web.ids['needs']}")
    assert tab.locator("form.approve-form").count() == 0
    assert web.store.variant(web.ids["needs"]).review == "pending" and problems == []


# --- screenshots for docs/review-app.md ----------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("VITRINA_SCREENSHOTS"), reason="set VITRINA_SCREENSHOTS=1 to save them")
def test_screenshots_for_the_docs(chromium: Any, tmp_path: Path):
    from pipeline.storage.store import Store
    from tests.helpers import render_demo_variant

    out = tmp_path / "out"
    store = Store(out)
    store.start_run("demo-run", "halden-winter-2026", "demo/campaign.yaml", "studio", waivable=WAIVABLE)
    for name, role in USERS.items():
        store.add_user(name, role, cheap_hash(), by="docs")
    ids = {}
    for sku in ("B07GTFSCHB", "B074M5HPBD"):
        for fmt, locale in (("square", "en-US"), ("square", "de-DE"), ("square", "ja-JP"), ("story", "en-US")):
            product, rendered = render_demo_variant(sku, locale, fmt)
            store.put_cutout(product.cutout)
            if (sku, locale) == ("B07GTFSCHB", "de-DE"):
                # a finding with a region, as a reviewer sees one
                checks = [r.to_dict() for r in rendered.report.results]
                for c in checks:
                    if c["check"] == "image.stray_text":
                        c.update(verdict="needs_review", code="stray_text.found", box=[640, 120, 1000, 230])
                        c["message"] = "text-like marks in the scene outside the copy boxes"
                ids[(sku, fmt, locale)] = store.add_variant(
                    run_id="demo-run",
                    campaign_id="halden-winter-2026",
                    sku=sku,
                    scene=rendered.lineage.scene,
                    fmt=fmt,
                    locale=locale,
                    blob_sha=store.put_blob(rendered.png),
                    verdict="needs_review",
                    reasons=["text-like marks in the scene outside the copy boxes"],
                    checks=checks,
                    lineage=rendered.lineage,
                )
            else:
                ids[(sku, fmt, locale)] = store.keep_variant(
                    "demo-run", rendered.png, rendered.report, rendered.lineage
                )
    store.decide(ids[("B07GTFSCHB", "square", "en-US")], "approved", "rene", "colours and copy checked")
    store.comment(ids[("B07GTFSCHB", "square", "de-DE")], "rene", "The marks top right are part of the backdrop?")
    DOCS.mkdir(parents=True, exist_ok=True)
    with Served(out) as served:
        context = chromium.new_context(viewport={"width": 1440, "height": 1000})
        tab = context.new_page()
        _log_in(tab, served.url, "rene")
        tab.wait_for_load_state("networkidle")
        tab.locator("article.card").first.focus()
        tab.screenshot(path=str(DOCS / "review-queue.png"), full_page=True)
        tab.goto(f"{served.url}/variants/{ids[('B07GTFSCHB', 'square', 'de-DE')]}")
        tab.wait_for_load_state("networkidle")
        tab.screenshot(path=str(DOCS / "variant-page.png"), full_page=False)
        context.close()
    store.close()
    assert (DOCS / "review-queue.png").stat().st_size > 10_000

"""The review UI's pages on a real store (issue 13, items 2-3): the queue with its filters and
paging, the variant page, approve / reject / waive / comment / rollback / bulk approval, and
thumbnails made once and cached."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from pipeline.storage.queries import VariantFilter
from pipeline.storage.store import Store
from tests.vitrina.web.conftest import CAMPAIGN, USERS, Web, add_variant, cheap_hash, login, make_client, post

if TYPE_CHECKING:
    from tests.conftest import DemoRun

_CARD = re.compile(r'<article class="card[^"]*" id="card-(v[0-9a-f]{11})"')


def cards(html: str) -> list[str]:
    """The variant ids of the queue's cards, in page order."""
    return _CARD.findall(html)


def audit_actions(web: Web, vid: str) -> list[str]:
    return [a["action"] for a in web.store.audit(vid)]


# --- the queue ------------------------------------------------------------------------------------


def test_the_queue_shows_every_current_variant_grouped_by_sku_and_scene(client: TestClient, web: Web):
    login(client, "vera")
    page = client.get("/").text
    assert sorted(cards(page)) == sorted(web.ids.values())
    assert 'S1 <span class="scene">× studio</span>' in page and 'S2 <span class="scene">× kitchen</span>' in page
    assert "1–5 of 5 variants" in page
    # grouped: every S1 x studio card comes before the S2 x kitchen group
    order = cards(page)
    assert order.index(web.ids["other"]) > max(order.index(web.ids[k]) for k in ("needs", "blocked", "passed"))
    assert f'src="/thumbs/{web.store.variant(web.ids["needs"]).blob_sha}-240.webp"' in page


def test_each_filter_keeps_only_matching_variants(client: TestClient, web: Web):
    login(client, "vera")
    assert set(cards(client.get("/?sku=S2").text)) == {web.ids["other"]}
    assert set(cards(client.get("/?verdict=blocked").text)) == {web.ids["blocked"]}
    assert set(cards(client.get("/?locale=de-DE").text)) == {web.ids["blocked"]}
    assert set(cards(client.get("/?format=story").text)) == {web.ids["passed"]}
    assert set(cards(client.get("/?state=needs_review").text)) == {web.ids["needs"]}
    assert len(cards(client.get(f"/?campaign={CAMPAIGN}&run=r1&review=pending").text)) == 4
    assert cards(client.get("/?campaign=autumn").text) == []
    assert cards(client.get("/?sku=S1&locale=fr-FR").text) == []
    # the filter menus offer the values the catalog has, and keep the chosen one
    page = client.get("/?sku=S2").text
    assert '<option value="S2" selected>S2</option>' in page and '<option value="r1">r1</option>' in page


def test_a_filter_value_that_is_not_one_shows_why_instead_of_failing(client: TestClient, web: Web):
    login(client, "vera")
    r = client.get("/?verdict=maybe")
    assert r.status_code == 200 and "filter verdict=" in r.text and "choose one of" in r.text


def test_only_the_current_version_by_default_every_version_on_request(client: TestClient, web: Web):
    newer = add_variant(web.store, 50, sku="S2", scene="kitchen", locale="fr-FR", run_id="r2")
    login(client, "vera")
    default = cards(client.get("/?sku=S2").text)
    assert default == [newer]
    everything = cards(client.get("/?sku=S2&current=0").text)
    assert everything == [web.ids["other"], newer]
    assert "v1 (old)" in client.get("/?sku=S2&current=0").text


def test_pages_of_100_with_links_that_keep_the_filters(client: TestClient, web: Web):
    for i in range(101):
        add_variant(web.store, 100 + i, sku="P", locale=f"l{i:03d}")
    login(client, "vera")
    first = client.get("/?sku=P").text
    assert len(cards(first)) == 100 and "1–100 of 101 variants" in first
    assert 'href="/?sku=P&amp;page=2"' in first and "page 1 of 2" in first
    second = client.get("/?sku=P&page=2").text
    assert len(cards(second)) == 1 and "101–101 of 101" in second and 'href="/?sku=P"' in second
    beyond = client.get("/?sku=P&page=9")
    assert beyond.status_code == 303 and beyond.headers["location"] == "/?sku=P&page=2"


# --- the variant page -----------------------------------------------------------------------------


def test_the_variant_page_shows_the_banner_with_its_findings_boxed_beside_the_packshot(client: TestClient, web: Web):
    login(client, "vera")
    vid = web.ids["blocked"]
    page = client.get(f"/variants/{vid}").text
    # the banner at full size (the PNG is 120 x 120) with one numbered box per finding that has a box
    assert 'viewBox="0 0 120 120" width="120" height="120"' in page
    assert f'<image href="/variants/{vid}/image.png"' in page
    assert '<rect x="5" y="5" width="35" height="35"></rect>' in page
    assert '<rect x="50" y="50" width="50" height="40"></rect>' in page
    assert 'data-check="product.pixels"' in page and 'data-check="image.stray_text"' in page
    # the packshot (the product cut-out the lineage names) and the catalog photo it came from
    assert f'src="/variants/{vid}/cutout.png"' in page
    lineage = web.store.variant(vid).lineage
    assert lineage.product.source in page and lineage.product.cutout_sha256 in page
    # the same slot in other locales and formats, with links
    assert f'href="/variants/{web.ids["needs"]}"' in page and f'href="/variants/{web.ids["passed"]}"' in page
    assert f'href="/variants/{web.ids["other"]}"' not in page  # another SKU and scene
    # the check report, the copy, the audit trail
    assert "product pixels changed" in page and "cannot be waived" in page and "may be waived" in page
    assert lineage.copy_.headline in page
    assert "rendered → checked" not in page and "rendered → blocked" in page


def test_the_real_banner_and_cut_out_are_served_with_etags(client: TestClient, web: Web):
    login(client, "vera")
    v = web.store.variant(web.ids["real"])
    banner = client.get(f"/variants/{v.variant_id}/image.png")
    assert banner.status_code == 200 and banner.headers["content-type"] == "image/png"
    assert banner.content == web.store.blob_path(v.blob_sha).read_bytes()
    assert banner.headers["etag"] == f'"{v.blob_sha}"' and "immutable" in banner.headers["cache-control"]
    again = client.get(f"/variants/{v.variant_id}/image.png", headers={"if-none-match": banner.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    cutout = client.get(f"/variants/{v.variant_id}/cutout.png")
    assert cutout.status_code == 200
    assert cutout.content == web.store.cutout_path(v.lineage.product.cutout_sha256).read_bytes()
    page = client.get(f"/variants/{v.variant_id}").text
    assert 'viewBox="0 0 1080 1080"' in page  # the real banner's size


def test_versions_and_a_before_after_of_two_of_them(client: TestClient, web: Web):
    v2 = add_variant(web.store, 60, sku="S2", scene="kitchen", locale="fr-FR", run_id="r2")
    login(client, "vera")
    page = client.get(f"/variants/{v2}").text
    assert "Before: version 1" in page and "After: version 2" in page
    assert f'src="/variants/{web.ids["other"]}/image.png" alt="version 1"' in page
    assert f'src="/variants/{v2}/image.png" alt="version 2"' in page
    chosen = client.get(f"/variants/{v2}?a=2&b=1").text
    assert "Before: version 2" in chosen and "After: version 1" in chosen


def test_an_unknown_variant_is_a_404_page(client: TestClient, web: Web):
    login(client, "vera")
    assert client.get("/variants/v00000000000").status_code == 404
    assert client.get("/variants/nothing").status_code == 404
    assert client.get("/variants/v00000000000/image.png").status_code == 404


# --- decisions ------------------------------------------------------------------------------------


def test_approve_moves_the_variant_and_the_audit_trail_says_who(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["needs"]
    r = post(client, f"/variants/{vid}/approve", token, note="looks right")
    assert r.status_code == 303 and r.headers["location"] == f"/variants/{vid}"
    v = web.store.variant(vid)
    assert (v.state, v.review) == ("approved", "approved")
    page = client.get(f"/variants/{vid}").text
    assert "approved." in page  # the flash message
    assert "<td>approved</td><td>rene</td><td>needs_review → approved</td><td>looks right</td>" in page


def test_reject_needs_a_reason_and_records_it(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["passed"]
    refused = post(client, f"/variants/{vid}/reject", token, reason="   ")
    assert refused.status_code == 303 and web.store.variant(vid).state == "passed"
    assert "a rejection needs a reason" in client.get(f"/variants/{vid}").text
    post(client, f"/variants/{vid}/reject", token, reason="logo too close to the edge")
    assert web.store.variant(vid).state == "rejected"
    assert "logo too close to the edge" in client.get(f"/variants/{vid}").text


def test_a_blocked_variant_cannot_be_approved_and_the_page_says_why(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["blocked"]
    post(client, f"/variants/{vid}/approve", token)
    assert web.store.variant(vid).state == "blocked"
    assert "is blocked and cannot be approved" in client.get(f"/variants/{vid}").text


def test_waive_one_check_with_a_justification_recomputes_the_verdict(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["needs"]
    page = client.get(f"/variants/{vid}").text
    assert '<option value="image.stray_text">image.stray_text</option>' in page
    post(
        client, f"/variants/{vid}/waive", token, check="image.stray_text", justification="it is the product's own label"
    )
    v = web.store.variant(vid)
    assert (v.verdict, v.state) == ("passed", "passed")
    assert audit_actions(web, vid)[-1] == "waived"
    page = client.get(f"/variants/{vid}").text
    assert "waived by rene" in page and "it is the product&#39;s own label" in page
    assert 'class="waive-form"' not in page  # nothing left to waive


def test_checks_that_protect_the_product_cannot_be_waived(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["blocked"]
    page = client.get(f"/variants/{vid}").text
    assert '<option value="product.pixels">' not in page and '<option value="image.stray_text">' in page
    post(client, f"/variants/{vid}/waive", token, check="product.pixels", justification="looks fine to me")
    assert web.store.variant(vid).verdict == "blocked" and "waived" not in audit_actions(web, vid)
    assert "can never be waived" in client.get(f"/variants/{vid}").text


def test_comments_are_kept_and_shown(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["needs"]
    post(client, f"/variants/{vid}/comment", token, text="First line\nsecond line")
    assert [c.text for c in web.store.comments(vid)] == ["First line\nsecond line"]
    assert "First line\nsecond line" in client.get(f"/variants/{vid}").text


def test_approve_from_the_queue_with_htmx_answers_the_updated_card(client: TestClient, web: Web):
    token = login(client, "rene")
    vid = web.ids["passed"]
    r = client.post(f"/variants/{vid}/approve", headers={"hx-request": "true", "x-csrf-token": token})
    assert r.status_code == 200 and r.text.lstrip().startswith(
        f'<article class="card verdict-passed state-approved" id="card-{vid}"'
    )
    assert "<html" not in r.text and "approved." in r.text
    refused = client.post(
        f"/variants/{web.ids['blocked']}/approve", headers={"hx-request": "true", "x-csrf-token": token}
    )
    assert refused.status_code == 200 and "cannot be approved" in refused.text


def test_bulk_approve_asks_once_then_approves_each_and_says_which_were_refused(client: TestClient, web: Web):
    token = login(client, "rene")
    chosen = [web.ids["needs"], web.ids["passed"], web.ids["blocked"]]
    confirm = client.post("/bulk/approve", data={"csrf_token": token, "ids": chosen, "back": "/?sku=S1"})
    assert confirm.status_code == 200 and "Approve 3 variants?" in confirm.text
    assert "(cannot be approved)" in confirm.text
    assert all(web.store.variant(v).review == "pending" for v in chosen)  # nothing yet
    done = client.post("/bulk/approve", data={"csrf_token": token, "ids": chosen, "confirm": "yes", "back": "/?sku=S1"})
    assert done.status_code == 200 and "Approved 2 of 3" in done.text and 'href="/?sku=S1"' in done.text
    assert [web.store.variant(v).state for v in chosen] == ["approved", "approved", "blocked"]
    nothing = client.post("/bulk/approve", data={"csrf_token": token, "back": "https://evil.example/"})
    assert nothing.status_code == 303 and nothing.headers["location"] == "/"


def test_a_publisher_rolls_a_slot_back_to_an_approved_version(client: TestClient, web: Web):
    token = login(client, "pia")
    v1 = web.ids["other"]
    post(client, f"/variants/{v1}/approve", token)
    v2 = add_variant(web.store, 70, sku="S2", scene="kitchen", locale="fr-FR", run_id="r2")
    page = client.get(f"/variants/{v2}").text
    assert f'action="/variants/{v1}/rollback"' in page and "vitrina publish --dam" in page
    post(client, f"/variants/{v1}/rollback", token, reason="version 2 has the old price")
    assert web.store.variant(v1).current and not web.store.variant(v2).current
    assert "rollback" in audit_actions(web, v1)


# --- thumbnails -----------------------------------------------------------------------------------


def test_thumbnails_are_made_once_and_cached_as_immutable(client: TestClient, web: Web):
    login(client, "vera")
    sha = web.store.variant(web.ids["real"]).blob_sha
    r = client.get(f"/thumbs/{sha}-240.webp")
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp" and r.content[8:12] == b"WEBP"
    assert "immutable" in r.headers["cache-control"] and r.headers["etag"] == f'"{sha}-240"'
    cached = web.out / "thumbs" / f"{sha}-240.webp"
    assert cached.read_bytes() == r.content
    made = cached.stat().st_mtime_ns
    assert client.get(f"/thumbs/{sha}-240.webp").content == r.content and cached.stat().st_mtime_ns == made
    assert client.get(f"/thumbs/{sha}-240.webp", headers={"if-none-match": f'"{sha}-240"'}).status_code == 304
    from PIL import Image

    with Image.open(cached) as im:
        assert im.size == (240, 240)
    cut = web.store.variant(web.ids["real"]).lineage.product.cutout_sha256
    assert client.get(f"/thumbs/{cut}-160.webp").status_code == 200  # a cut-out has thumbnails too
    assert client.get(f"/thumbs/{sha}-999.webp").status_code == 404  # not a width the UI uses
    assert client.get(f"/thumbs/{'0' * 64}-240.webp").status_code == 404


# --- login, users, API docs -----------------------------------------------------------------------


def test_login_with_a_wrong_password_fails_and_logout_ends_the_session(client: TestClient, web: Web):
    from tests.vitrina.web.conftest import csrf_of

    token = csrf_of(client)
    r = client.post("/login", data={"name": "rene", "password": "wrong password", "csrf_token": token})
    assert r.status_code == 401 and "Wrong name or password." in r.text
    token = login(client, "rene")
    assert client.get("/login").status_code == 303  # signed in already
    assert post(client, "/logout", token).headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_login_returns_to_the_page_asked_for(client: TestClient, web: Web):
    from tests.vitrina.web.conftest import PASSWORD, csrf_of

    r = client.get(f"/variants/{web.ids['needs']}?a=1")
    assert r.headers["location"] == f"/login?next=%2Fvariants%2F{web.ids['needs']}%3Fa%3D1"
    assert f'name="next" value="/variants/{web.ids["needs"]}?a=1"' in client.get(r.headers["location"]).text
    token = csrf_of(client)
    data = {"name": "vera", "password": PASSWORD, "csrf_token": token, "next": f"/variants/{web.ids['needs']}"}
    assert client.post("/login", data=data).headers["location"] == f"/variants/{web.ids['needs']}"


def test_the_admin_sees_the_users_and_the_webhooks_with_their_delivery_log(client: TestClient, web: Web):
    from pipeline.storage.outbox import new_secret

    token = login(client, "ada")
    page = client.get("/admin/users").text
    assert all(f"<td>{name}</td><td>{role}</td>" in page for name, role in USERS.items())
    assert "No webhooks." in client.get("/admin/webhooks").text
    hook = web.store.add_webhook(
        "http://127.0.0.1:9/hook", ["asset.approved"], new_secret(), by="ada", allow_private=True
    )
    post(client, f"/variants/{web.ids['passed']}/approve", token)
    page = client.get("/admin/webhooks").text
    assert f"<td>{hook.webhook_id}</td><td>http://127.0.0.1:9/hook</td>" in page
    delivery = web.store.deliveries()[0]
    assert delivery.event == "asset.approved"
    assert f"<td>{delivery.delivery_id}</td>" in page and "<td>pending</td>" in page
    assert delivery.secret not in page  # the signing secret is never shown


def test_the_api_is_documented_behind_the_login(client: TestClient, web: Web):
    login(client, "vera")
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/assets" in docs.text
    spec = client.get("/openapi.json").json()
    assert "/api/v1/assets" in spec["paths"] and not any(p.startswith("/variants") for p in spec["paths"])


def test_the_store_page_query_orders_as_the_queue_shows(web: Web):
    items = web.store.page(VariantFilter(current_only=True)).items
    assert [(v.sku, v.scene) for v in items] == sorted((v.sku, v.scene) for v in items)


# --- a real run ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_page_of_a_real_demo_run_renders(demo_run: DemoRun, tmp_path: Path):
    """What `make demo` then `vitrina serve` shows: every variant of a real run in the queue, each
    variant page with its banner, packshot and thumbnails."""
    out = tmp_path / "out"
    shutil.copytree(demo_run.out, out)
    store = Store.open_existing(out)
    try:
        store.add_user("rene", "reviewer", cheap_hash(), by="test")
        everything = store.page(VariantFilter(current_only=True)).items
    finally:
        store.close()
    assert everything
    with make_client(out) as client:
        login(client, "rene")
        assert sorted(cards(client.get("/").text)) == sorted(v.variant_id for v in everything)
        for v in everything:
            page = client.get(f"/variants/{v.variant_id}")
            assert page.status_code == 200 and v.lineage.copy_.headline.split()[0] in page.text
            for url in (f"/variants/{v.variant_id}/image.png", f"/variants/{v.variant_id}/cutout.png"):
                assert client.get(url).status_code == 200, url
            assert client.get(f"/thumbs/{v.blob_sha}-240.webp").headers["content-type"] == "image/webp"

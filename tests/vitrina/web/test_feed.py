"""The feed for DAMs that pull (`GET /api/v1/assets`) and its files, through the real app
(`create_app`) over a real store: bearer tokens (401 / 403), a DAM client paging with limit=2
that sees every released asset exactly once even when they all share one updated_at, polling
from the kept cursor, bad input answered 400 in one line, the files with ETag / If-None-Match /
Range, the signed files once published, 410 for an asset taken down, names that cannot leave
the fixed set, and a feed token that cannot approve."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from pipeline.storage.access import new_token, token_hash
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant
from vitrina.web.app import create_app
from vitrina.web.feed import RENDITIONS, decode_cursor, encode_cursor

SECRET = "feed-test-secret-" + "y" * 40
API = "/api/v1/assets"
SHARED_TIME = "2026-12-05T10:00:00.000000+00:00"


def small_png(seed: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 64), ((seed * 53) % 256, (seed * 97) % 256, 120))
    image.putpixel((seed % 64, 1), (255, 0, seed % 256))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Feed:
    out: Path
    store: Store
    token: str
    real: str  # the real demo banner: sidecar, cut-out, publishable
    released: list[str] = field(default_factory=list)  # every approved variant, the real one too
    unreleased: str = ""

    def add(self, seed: int, *, sku: str, approve: bool = True) -> str:
        _, rendered = render_demo_variant()
        vid = self.store.add_variant(
            run_id="r1",
            campaign_id="spring",
            sku=sku,
            scene="studio",
            fmt="square",
            locale="en-US",
            blob_sha=self.store.put_blob(small_png(seed)),
            verdict="passed",
            reasons=[],
            checks=[],
            lineage=rendered.lineage,
        )
        if approve:
            self.store.decide(vid, "approved", "dana")
            self.released.append(vid)
        return vid


def make_feed(out: Path, db_url: str | None = None) -> Feed:
    """A store with the real demo banner and six small variants approved, one never approved,
    and a feed token."""
    store = Store(out, db_url)
    store.start_run("r1", "spring", "brief.yaml", "studio")
    product, rendered = render_demo_variant()
    store.put_cutout(product.cutout)
    real = store.keep_variant("r1", rendered.png, rendered.report, rendered.lineage)
    store.decide(real, "approved", "dana", "fine")
    token = new_token()
    store.create_token("dam", "feed:read", token_hash(token), by="test")
    f = Feed(out, store, token, real, [real])
    for seed in range(1, 7):
        f.add(seed, sku=f"S{seed}")
    f.unreleased = f.add(99, sku="S99", approve=False)
    return f


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    f = make_feed(tmp_path / "out")
    try:
        yield f
    finally:
        f.store.close()


def feed_client(feed: Feed, db_url: str | None = None) -> TestClient:
    app = create_app(feed.out, db_url, secret_key=SECRET, deliver_webhooks=False)
    client = TestClient(app, follow_redirects=False)
    client.headers["authorization"] = f"Bearer {feed.token}"
    return client


@pytest.fixture
def client(feed: Feed) -> Iterator[TestClient]:
    with feed_client(feed) as c:
        yield c


def page_all(
    client: TestClient, limit: int = 2, cursor: str | None = None, **params: Any
) -> tuple[list[Any], str | None]:
    """Every item from `cursor` on, a page of `limit` at a time, as a DAM connector pages; returns
    (items, the cursor to keep for the next poll: None while the feed gave nothing yet)."""
    items: list[Any] = []
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        r = client.get(API, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"] or cursor
        if not body["has_more"]:
            assert cursor is not None or not items
            return items, cursor


def share_one_time(store: Store, ids: list[str], at: str = SHARED_TIME) -> None:
    """Give these variants the very same updated_at (what a bulk approval in one instant does)."""
    with store._engine.begin() as conn:
        for vid in ids:
            conn.execute(text("UPDATE variants SET updated_at=:at WHERE variant_id=:vid"), {"at": at, "vid": vid})


# --- auth ---------------------------------------------------------------------------------------


def test_no_token_no_feed(client: TestClient, feed: Feed):
    for url in (API, f"{API}/{feed.real}/renditions/master.png"):
        r = client.get(url, headers={"authorization": ""})
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        bad = client.get(url, headers={"authorization": "Bearer vtr_not-a-token"})
        assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
        basic = client.get(url, headers={"authorization": "Basic ZGFuYTpwdw=="})
        assert basic.status_code == 401
    assert "vtr_not-a-token" not in bad.text


def test_a_revoked_token_is_refused(client: TestClient, feed: Feed):
    assert client.get(API).status_code == 200
    feed.store.revoke_token("dam", by="test")
    assert client.get(API).status_code == 401
    [token] = feed.store.tokens()
    assert token.last_used_at is not None and token.revoked_at is not None


def test_a_token_of_another_scope_is_forbidden(client: TestClient, feed: Feed):
    other = new_token()
    with feed.store._engine.begin() as conn:  # a scope a later Vitrina may add
        conn.execute(
            text(
                "INSERT INTO api_tokens(name, scope, token_hash, created_at, created_by)"
                " VALUES ('ops', 'ops:write', :hash, '2026-12-05T10:00:00+00:00', 'test')"
            ),
            {"hash": token_hash(other)},
        )
    r = client.get(API, headers={"authorization": f"Bearer {other}"})
    assert r.status_code == 403 and 'error="insufficient_scope"' in r.headers["www-authenticate"]


def test_a_feed_token_cannot_approve_or_change_anything(client: TestClient, feed: Feed):
    before = feed.store.variant(feed.unreleased).state
    for url in (
        f"/variants/{feed.unreleased}/approve",
        f"/variants/{feed.unreleased}/reject",
        "/bulk/approve",
        f"{API}/{feed.unreleased}/renditions/master.png",
    ):
        r = client.post(url, data={"ids": feed.unreleased, "reason": "x"})
        assert r.status_code in (401, 403, 405), (url, r.status_code)
    assert client.get("/", headers={"accept": "text/html"}).status_code in (303, 401)  # no UI with a token
    assert feed.store.variant(feed.unreleased).state == before == "passed"


def test_openapi_declares_the_bearer_scheme(client: TestClient):
    spec = client.app.openapi()  # type: ignore[attr-defined]
    assert spec["components"]["securitySchemes"]["feedToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "vtr_ token",
        "description": spec["components"]["securitySchemes"]["feedToken"]["description"],
    }
    get = spec["paths"][API]["get"]
    assert get["security"] == [{"feedToken": []}]
    assert {p["name"] for p in get["parameters"]} == {"updated_since", "cursor", "limit"}
    assert "/api/v1/assets/{asset_id}/renditions/{name}" in spec["paths"]


# --- paging -------------------------------------------------------------------------------------


def test_paging_with_limit_2_sees_every_released_asset_exactly_once(client: TestClient, feed: Feed):
    items, _ = page_all(client, limit=2)
    ids = [i["id"] for i in items]
    assert sorted(ids) == sorted(feed.released) and len(ids) == len(set(ids)) == 7
    assert feed.unreleased not in ids  # never approved: not in the feed
    keys = [(i["updated_at"], i["id"]) for i in items]
    assert keys == sorted(keys)


def test_equal_times_never_skip_or_repeat_an_asset(client: TestClient, feed: Feed):
    share_one_time(feed.store, feed.released)
    for limit in (1, 2, 3, 500):
        items, _ = page_all(client, limit=limit)
        assert [i["id"] for i in items] == sorted(feed.released), limit  # ties broken by id
        assert {i["updated_at"] for i in items} == {SHARED_TIME}


def test_published_assets_sharing_one_time_are_each_seen_once(client: TestClient, feed: Feed):
    dam = "file:///dam"
    published = feed.released[1:6]
    for vid in published:  # recorded as `vitrina publish` records an upload
        sha = feed.store.variant(vid).blob_sha
        feed.store.record_publication(vid, dam, f"spring/{vid}.jpg", f"/dam/spring/{vid}.jpg", sha)
    share_one_time(feed.store, feed.released)
    items, _ = page_all(client, limit=2)
    assert [i["id"] for i in items] == sorted(feed.released)
    live = [i for i in items if i["state"] == "published"]
    assert [i["id"] for i in live] == sorted(published)
    for item in live:
        [publication] = item["publications"]
        assert publication["dam"] == dam and publication["retracted_at"] is None and item["live"]


def test_a_client_polls_from_its_kept_cursor_and_sees_each_change_once(client: TestClient, feed: Feed):
    share_one_time(feed.store, feed.released[:4])
    seen, cursor = page_all(client, limit=2)
    assert len(seen) == 7
    empty = client.get(API, params={"cursor": cursor}).json()
    assert empty == {"items": [], "next_cursor": cursor, "has_more": False}  # nothing new: keep the cursor

    new = feed.add(50, sku="S50")
    feed.store.decide(feed.released[1], "rejected", "sam", "off-brand")
    changed, cursor2 = page_all(client, limit=2, cursor=cursor)
    assert [i["id"] for i in changed] == [new, feed.released[1]]
    rejected = changed[1]
    assert (rejected["state"], rejected["live"], rejected["renditions"]) == ("rejected", False, {})
    again, cursor3 = page_all(client, limit=2, cursor=cursor2)
    assert again == [] and cursor3 == cursor2


def test_paging_and_polling_on_a_postgresql_catalog(tmp_path: Path, postgres_url: str):
    feed = make_feed(tmp_path / "out", postgres_url)
    try:
        share_one_time(feed.store, feed.released)
        with feed_client(feed, postgres_url) as client:
            items, cursor = page_all(client, limit=2)
            assert [i["id"] for i in items] == sorted(feed.released)
            feed.store.decide(feed.released[0], "rejected", "sam", "off-brand")
            changed, _ = page_all(client, limit=2, cursor=cursor)
            assert [(i["id"], i["state"]) for i in changed] == [(feed.released[0], "rejected")]
    finally:
        feed.store.close()


def test_updated_since_keeps_what_changed_then_or_later(client: TestClient, feed: Feed):
    share_one_time(feed.store, feed.released[:3], "2026-01-01T00:00:00.000000+00:00")
    share_one_time(feed.store, feed.released[3:], "2026-06-01T12:00:00.000000+00:00")
    items, _ = page_all(client, limit=2, updated_since="2026-06-01T14:00:00+02:00")  # = 12:00 UTC
    assert sorted(i["id"] for i in items) == sorted(feed.released[3:])
    assert page_all(client, updated_since="2030-01-01T00:00:00Z")[0] == []


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"updated_since": "yesterday"}, "'yesterday'"),
        ({"updated_since": "2026-12-05T10:00:00"}, "time zone"),
        ({"cursor": "not-a-cursor"}, "not a cursor this feed gave"),
        ({"cursor": encode_cursor("2026-12-05T10:00:00.000000+00:00", "v1") + "x"}, "not a cursor"),
        ({"cursor": "eyJ1IjoxLCJpIjoyfQ"}, "not a cursor"),  # {"u":1,"i":2}
        ({"cursor": "x" * 5000}, "not a cursor"),
        ({"limit": "0"}, "1 to 500"),
        ({"limit": "501"}, "1 to 500"),
        ({"limit": "ten"}, "'ten'"),
        ({"limit": "-1"}, "1 to 500"),
    ],
)
def test_bad_input_is_400_with_one_line(client: TestClient, params: dict[str, str], needle: str):
    r = client.get(API, params=params)
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and needle in detail
    assert len(detail) < 300


def test_the_cursor_is_opaque_and_checked():
    cursor = encode_cursor("2026-12-05T10:00:00.123456+00:00", "v0123456789a")
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor) == ("2026-12-05T10:00:00.123456+00:00", "v0123456789a")
    with pytest.raises(ValueError, match="not a cursor"):
        decode_cursor(encode_cursor("2026-12-05T10:00:00", "v0123456789a"))  # no zone: not a catalog time
    with pytest.raises(ValueError, match="not a cursor"):
        decode_cursor(encode_cursor("2026-13-45T10:00:00Z", "v0123456789a"))
    with pytest.raises(ValueError, match="not a cursor"):
        decode_cursor(encode_cursor("2026-12-05T10:00:00.000000+00:00", "../etc"))


# --- items and files ----------------------------------------------------------------------------


def item_of(client: TestClient, vid: str) -> dict[str, Any]:
    items, _ = page_all(client, limit=500)
    return next(i for i in items if i["id"] == vid)


def test_an_item_carries_state_sha256_metadata_and_file_urls(client: TestClient, feed: Feed):
    item = item_of(client, feed.real)
    v = feed.store.variant(feed.real)
    assert (item["state"], item["live"], item["current"], item["version"]) == ("approved", True, True, 1)
    assert item["sha256"] == v.blob_sha and item["updated_at"] == v.updated_at
    assert item["slot"] == {
        "campaign": v.campaign_id,
        "sku": v.sku,
        "scene": v.scene,
        "format": v.format,
        "locale": v.locale,
    }
    meta = item["metadata"]
    assert meta["schema_version"] == 2 and meta["variant_id"] == feed.real and meta["asset_sha256"] == v.blob_sha
    assert [a["by"] for a in meta["approvals"]] == ["dana"] and meta["checks"]
    assert "lineage" not in meta and "check_report" not in meta  # in sidecar.json
    assert item["publications"] == []
    files = item["renditions"]
    assert set(files) == {"master.png", "cutout.png", "sidecar.json"}  # no rendition before the first publish
    assert files["master.png"]["url"] == f"{API}/{feed.real}/renditions/master.png"
    assert files["master.png"]["sha256"] == v.blob_sha and files["master.png"]["signed"] is False
    for name, f in files.items():
        got = client.get(f["url"])
        assert got.status_code == 200, name
        assert hashlib.sha256(got.content).hexdigest() == f["sha256"] and len(got.content) == f["bytes"]
        assert got.headers["content-type"].startswith(RENDITIONS[name][0])
        assert got.headers["etag"] == f'"{f["sha256"]}"'
    sidecar = client.get(files["sidecar.json"]["url"]).json()
    assert sidecar["lineage"]["sku"] == v.sku and sidecar["check_report"]["results"]
    small = item_of(client, feed.released[1])  # stored without a sidecar file: the rest still goes
    assert small["metadata"] is None and "sidecar" in small["metadata_error"]


def test_files_answer_etag_if_none_match_and_ranges(client: TestClient, feed: Feed):
    url = f"{API}/{feed.real}/renditions/master.png"
    full = client.get(url)
    etag, data = full.headers["etag"], full.content
    assert full.headers["accept-ranges"] == "bytes" and "no-cache" in full.headers["cache-control"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-none-match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    part = client.get(url, headers={"range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == data[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(data)}"
    tail = client.get(url, headers={"range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert client.get(url, headers={"range": f"bytes={len(data)}-"}).status_code == 416
    stale = client.get(url, headers={"range": "bytes=0-9", "if-range": '"old"'})
    assert stale.status_code == 200 and stale.content == data  # changed since: the whole file
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag

    sidecar = f"{API}/{feed.real}/renditions/sidecar.json"
    whole = client.get(sidecar)
    tag, body = whole.headers["etag"], whole.content
    assert client.get(sidecar, headers={"if-none-match": tag}).status_code == 304
    piece = client.get(sidecar, headers={"range": "bytes=10-19"})
    assert piece.status_code == 206 and piece.content == body[10:20]
    assert piece.headers["content-range"] == f"bytes 10-19/{len(body)}"
    assert client.get(sidecar, headers={"range": f"bytes={len(body) + 5}-"}).status_code == 416


@pytest.mark.parametrize(
    "name",
    [
        "../../catalog.sqlite",
        "..%2F..%2Fcatalog.sqlite",
        "%2e%2e",
        "..",
        "catalog.sqlite",
        "master.PNG",
        "master.png%00.txt",
        "web-secret",
    ],
)
def test_file_names_outside_the_fixed_set_are_404_before_anything_is_read(
    client: TestClient, feed: Feed, name: str, monkeypatch: pytest.MonkeyPatch
):
    touched: list[str] = []
    for method in ("variant", "blob_path", "cutout_path", "sidecar"):
        original = getattr(Store, method)
        monkeypatch.setattr(
            Store, method, lambda self, *a, _m=method, _o=original, **k: touched.append(_m) or _o(self, *a, **k)
        )
    r = client.get(f"{API}/{feed.real}/renditions/{name}")
    assert r.status_code == 404
    assert touched == []
    assert "SQLite" not in r.text and "secret" not in r.text.lower().replace(name.lower(), "")


def test_files_of_assets_not_in_the_feed_are_404(client: TestClient, feed: Feed):
    assert client.get(f"{API}/{feed.unreleased}/renditions/master.png").status_code == 404  # never approved
    assert client.get(f"{API}/v00000000000/renditions/master.png").status_code == 404
    assert client.get(f"{API}/..%2F..%2Fetc/renditions/master.png").status_code == 404


def test_an_asset_taken_down_answers_410_gone(client: TestClient, feed: Feed, signer: Any, tmp_path: Path):
    from dam_connectors import connector_for
    from flows.publish import publish_approved

    vid = feed.real  # the banner with every file a publish sends
    dam = connector_for(f"file://{tmp_path / 'dam'}")
    assert vid in publish_approved(feed.store, dam, signer).uploaded
    url = f"{API}/{vid}/renditions/master.png"
    assert client.get(url).status_code == 200
    feed.store.decide(vid, "rejected", "sam", "wrong price")
    assert client.get(url).status_code == 410  # rejected: take it down
    publish_approved(feed.store, dam, signer)  # retracts it
    item = item_of(client, vid)
    assert (item["state"], item["live"]) == ("retracted", False)
    assert item["publications"][0]["retracted_at"] is not None
    r = client.get(url)
    assert r.status_code == 410 and "retracted" in r.json()["detail"]


def test_once_published_the_feed_serves_the_signed_files_the_dam_got(
    client: TestClient, feed: Feed, signer: Any, tmp_path: Path
):
    from dam_connectors import connector_for
    from flows.publish import publish_approved
    from pipeline.storage.publishing import asset_key, master_key
    from pipeline.storage.renditions import JPEG_Q90

    before = item_of(client, feed.real)
    unsigned = before["renditions"]["master.png"]
    report = publish_approved(feed.store, connector_for(f"file://{tmp_path / 'dam'}"), signer)
    assert feed.real in report.uploaded, report
    v = feed.store.variant(feed.real)
    item = item_of(client, feed.real)
    assert item["state"] == "published" and item["publications"][0]["dam"].startswith("file://")
    assert item["updated_at"] > before["updated_at"]  # a publication moves it: the DAM sees it again
    files = item["renditions"]
    assert set(files) == set(RENDITIONS)
    assert files["master.png"]["signed"] is True and files["rendition.jpg"]["signed"] is True
    assert files["master.png"]["sha256"] != unsigned["sha256"]  # a new ETag: the signed bytes
    dam_master = (tmp_path / "dam" / master_key(v)).read_bytes()
    dam_jpeg = (tmp_path / "dam" / asset_key(v, JPEG_Q90)).read_bytes()
    assert client.get(files["master.png"]["url"]).content == dam_master
    got = client.get(files["rendition.jpg"]["url"])
    assert got.content == dam_jpeg and got.headers["content-type"] == "image/jpeg"
    assert item["sha256"] == v.blob_sha  # the identity stays the store's master

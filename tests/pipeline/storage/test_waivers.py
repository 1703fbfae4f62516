"""Waivers and comments (issue 13 item 3): a reviewer sets a failed check aside with a
justification; the verdict and state follow; product and price checks never; the brand guide
says which others. Real store on SQLite and PostgreSQL (``catalog``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError, ReviewError
from pipeline.model.brand import CheckPolicy
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant

WAIVABLE = ["image.stray_text", "copy.claims", "text.contrast"]


def _check(check: str, verdict: str) -> dict[str, object]:
    return {"check": check, "verdict": verdict, "code": f"{check}.x", "message": f"{check} {verdict}", "box": None}


def _add(store: Store, checks: list[dict[str, object]], run_id: str = "r1", blob: bytes = b"banner") -> str:
    if run_id not in {r.run_id for r in store.runs()}:
        store.start_run(run_id, "c", "brief.yaml", "studio", waivable=WAIVABLE)
    _, variant = render_demo_variant()
    verdicts = [str(c["verdict"]) for c in checks]
    verdict = "blocked" if "blocked" in verdicts else "needs_review" if "needs_review" in verdicts else "passed"
    return store.add_variant(
        run_id=run_id,
        campaign_id="c",
        sku="S1",
        scene="sc",
        fmt="square",
        locale="en-US",
        blob_sha=store.put_blob(blob),
        verdict=verdict,
        reasons=[str(c["message"]) for c in checks if c["verdict"] != "passed"],
        checks=checks,
        lineage=variant.lineage,
    )


def test_waiving_the_blocking_check_unblocks_and_lets_it_be_approved(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, [_check("product.pixels", "passed"), _check("image.stray_text", "blocked")])
    with pytest.raises(ReviewError, match="blocked and cannot be approved"):
        store.decide(vid, "approved", "dana")
    assert store.waivable(vid) == ["image.stray_text"]

    waived = store.waive(vid, "image.stray_text", "dana", "the 'text' is the wood grain of the table")
    assert (waived.verdict, waived.state, waived.reasons) == ("passed", "passed", [])
    assert store.waivable(vid) == []
    assert [(w.check, w.by, w.justification) for w in store.waivers(vid)] == [
        ("image.stray_text", "dana", "the 'text' is the wood grain of the table")
    ]
    entry = store.audit(vid)[-1]
    assert (entry["action"], entry["actor"], entry["reason"]) == (
        "waived",
        "dana",
        "the 'text' is the wood grain of the table",
    )
    assert store.decide(vid, "approved", "dana").state == "approved"
    assert store.verify_audit() is None


def test_one_waiver_of_two_findings_leaves_the_other_verdict(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, [_check("image.stray_text", "blocked"), _check("text.contrast.legal", "needs_review")])
    after = store.waive(vid, "image.stray_text", "dana", "grain, not text")
    assert (after.verdict, after.state, after.reasons) == (
        "needs_review",
        "needs_review",
        ["text.contrast.legal needs_review"],
    )


def test_product_and_price_checks_are_never_waived_even_if_failed(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(
        store,
        [_check("product.pixels", "blocked"), _check("copy.claims.price", "blocked"), _check("image.logo", "blocked")],
    )
    assert store.waivable(vid) == []
    for check, why in (
        ("product.pixels", "can never be waived"),
        ("copy.claims.price", "can never be waived"),
        ("image.logo", "brand guide does not let"),
        ("image.nudity", "did not fail"),
    ):
        with pytest.raises(ReviewError, match=why):
            store.waive(vid, check, "dana", "looks fine to me")
    assert store.waivers(vid) == [] and store.variant(vid).verdict == "blocked"


@pytest.mark.parametrize(
    ("by", "why"), [("", "name is required"), ("dana", "needs a justification"), ("da\nna", "reviewer name")]
)
def test_a_waiver_needs_a_name_and_a_justification(tmp_path: Path, by: str, why: str):
    store = Store(tmp_path)
    vid = _add(store, [_check("image.stray_text", "needs_review")])
    with pytest.raises(ReviewError, match=why):
        store.waive(vid, "image.stray_text", by, "" if by == "dana" else "fine")
    assert store.waivers(vid) == []


def test_a_rerun_with_the_same_report_keeps_the_waiver_a_changed_report_drops_it(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    checks = [_check("image.stray_text", "blocked")]
    vid = _add(store, checks)
    store.waive(vid, "image.stray_text", "dana", "grain")
    assert _add(store, checks, run_id="r2") == vid
    assert store.variant(vid).verdict == "passed"  # the same report: the waiver holds
    _add(store, [_check("image.stray_text", "blocked"), _check("image.safe_zone", "needs_review")], run_id="r3")
    assert store.variant(vid).verdict == "blocked"  # another report: decided again
    assert "image.stray_text" in store.waivable(vid)


def test_the_brand_guide_refuses_to_make_product_or_price_checks_waivable():
    assert CheckPolicy(waivable=["image.stray_text", "copy.claims.superlative"]).waivable
    for bad in ("product.pixels", "price.reduction", "copy.claims.price", "layout.fit", "no.such.check"):
        with pytest.raises((InputError, ValueError), match="never be waived|unknown check"):
            CheckPolicy(waivable=[bad])


def test_comments_keep_their_text_and_refuse_control_characters(tmp_path: Path, catalog: str | None):
    store = Store(tmp_path, catalog)
    vid = _add(store, [_check("image.stray_text", "passed")])
    store.comment(vid, "dana", "<script>alert(1)</script>\nsecond line")
    assert [(c.by, c.text) for c in store.comments(vid)] == [("dana", "<script>alert(1)</script>\nsecond line")]
    with pytest.raises(ReviewError):
        store.comment(vid, "dana", "bidi \u202e trick")
    with pytest.raises(ReviewError, match="at most"):
        store.comment(vid, "dana", "x" * 2001)

"""Verdicts, rules and the brand score: a rule that cannot apply is not a pass."""

from __future__ import annotations

import pytest

from pipeline.checks.results import CheckResult, Verdict, build_report, not_applicable, worst
from tests.helpers import render_demo_variant

PASS = CheckResult("layout.fit", Verdict.PASSED, "layout.ok", "all copy fits")
REVIEW = CheckResult("text.ocr.cta", Verdict.NEEDS_REVIEW, "ocr.mismatch", "cta reads back as 'Shp now'")
BLOCK = CheckResult("price.reduction", Verdict.BLOCKED, "price.reduction_overstated", "-20% announced, 4.8% real")
NA_JPEG = not_applicable("image.quality.jpeg", "jpeg.not_jpeg", "not a JPEG (PNG)")


def test_not_applicable_never_makes_a_variant_worse_nor_passes_it_alone():
    assert worst([NA_JPEG]) is Verdict.PASSED  # nothing held the variant back
    assert worst([NA_JPEG, REVIEW]) is Verdict.NEEDS_REVIEW
    assert worst([PASS, NA_JPEG, BLOCK]) is Verdict.BLOCKED
    assert [v.failed for v in Verdict] == [False, False, True, True]


def test_the_brand_score_counts_applicable_rules_only():
    report = build_report([PASS, NA_JPEG, REVIEW, BLOCK])
    assert report.rules["image.quality.jpeg"] is Verdict.NOT_APPLICABLE
    assert report.brand_score == round(1 / 3, 3)  # layout.fit of layout.fit, text.ocr, price.reduction
    d = report.to_dict()
    assert d["rules"]["applicable"] == 3 and d["rules"]["passed"] == 1
    assert d["rules"]["failed"] == ["price.reduction", "text.ocr"]
    assert d["rules"]["not_applicable"] == 1 and d["rules"]["not_applicable_rules"] == ["image.quality.jpeg"]
    assert d["categories"]["quality"] == {"applicable": 0, "passed": 0, "not_applicable": 1}
    na = next(r for r in d["results"] if r["check"] == "image.quality.jpeg")
    assert na["verdict"] == "not_applicable" and na["message"] == "not a JPEG (PNG)"  # shown as n/a, with its reason
    assert CheckResult.from_dict(na) == NA_JPEG


def test_a_rule_with_one_applicable_result_is_judged_on_it():
    ocr_ok = CheckResult("text.ocr", Verdict.PASSED, "ocr.ok", "the figures (price) read back digit for digit")
    ocr_na = not_applicable("text.ocr", "ocr.not_verifiable", "headline: not verified by OCR")
    assert build_report([ocr_ok, ocr_na]).rules == {"text.ocr": Verdict.PASSED}
    assert build_report([ocr_na]).brand_score == 1.0 and build_report([ocr_na]).applicable == {}


@pytest.fixture(scope="module")
def demo_square():
    return render_demo_variant("B07GTFSCHB", "en-US", "square")[1]


def test_a_demo_banner_is_scored_on_the_rules_that_apply_to_it(demo_square):
    """A studio scene has no generated people to judge and a PNG master no JPEG compression: those
    two rules are n/a with their reasons and leave the denominator (the banner scored 19/19 before)."""
    report = demo_square.report.to_dict()
    assert report["verdict"] == "passed"
    by = {r["check"]: r for r in report["results"]}
    assert (by["image.people"]["verdict"], by["image.people"]["code"]) == ("not_applicable", "people.not_generated")
    assert (by["image.quality.jpeg"]["verdict"], by["image.quality.jpeg"]["code"]) == (
        "not_applicable",
        "jpeg.not_jpeg",
    )
    assert report["rules"]["not_applicable_rules"] == ["image.people", "image.quality.jpeg"]
    assert (report["rules"]["applicable"], report["rules"]["passed"], report["brand_score"]) == (
        18,
        18,
        1.0,
    )  # text.digits joined the rules (issue 15)

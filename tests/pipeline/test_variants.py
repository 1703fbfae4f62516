"""One variant from packshot to verdict, without Prefect: the real demo data, made small."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from pipeline.campaign import load_campaign
from pipeline.imageio import image_sha256
from pipeline.products import prepare_product
from pipeline.studio import StudioBackend
from pipeline.variants import VariantPlan, plan_variants, render_variant
from tests.helpers import DEMO_BRIEF, PROMPTS

CAMPAIGN = load_campaign(DEMO_BRIEF, PROMPTS)
LOGO = Image.open(CAMPAIGN.brand.logo_path).convert("RGBA")


@pytest.fixture(scope="module")
def vitamin():
    product, skipped = prepare_product("B07GTFSCHB", CAMPAIGN.catalog.images("B07GTFSCHB"))
    assert product is not None and product.source.name == "844a1cce.jpg"
    assert {s.reason for s in skipped} == {"text panel"}
    return product


def _plan(locale: str, fmt: str = "square") -> VariantPlan:
    plans, _ = plan_variants(CAMPAIGN, "B07GTFSCHB")
    return next(p for p in plans if p.locale == locale and p.format_id == fmt)


def test_plans_cover_scene_format_locale():
    plans, unlisted = plan_variants(CAMPAIGN, "B07GTFSCHB")
    assert len(plans) == 2 * 7 * 5 and unlisted == []


def test_passing_variant_carries_a_verifiable_lineage(vitamin):
    v = render_variant(CAMPAIGN, vitamin, _plan("en-US"), StudioBackend(), LOGO)
    assert v.verdict.value == "passed", v.reasons
    decoded = Image.open(io.BytesIO(v.png))
    assert decoded.size == (1080, 1080)
    assert image_sha256(decoded.convert("RGB")) == v.lineage["image_sha256"]
    product = v.lineage["product"]
    assert product["cutout_sha256"] == vitamin.cutout_sha256
    assert Path(product["source"]).name == "844a1cce.jpg"
    assert v.lineage["copy"]["price"] == "$11.99" and v.lineage["copy"]["prior_price"] == "$14.99"
    assert v.lineage["generation"]["backend"] == "studio" and "prompt" in v.lineage["generation"]


def test_overstated_reduction_is_blocked_with_the_real_numbers(vitamin):
    v = render_variant(CAMPAIGN, vitamin, _plan("fr-FR"), StudioBackend(), LOGO)
    assert v.verdict.value == "blocked"
    assert any("only 4.8% below the lowest price of the previous 30 days (10.49 EUR)" in r for r in v.reasons)


def test_same_inputs_give_the_same_bytes(vitamin):
    a = render_variant(CAMPAIGN, vitamin, _plan("ja-JP", "story"), StudioBackend(), LOGO)
    b = render_variant(CAMPAIGN, vitamin, _plan("ja-JP", "story"), StudioBackend(), LOGO)
    assert a.png == b.png


def test_check_report_scores_rules_and_the_brand_decides_what_runs(vitamin):
    v = render_variant(CAMPAIGN, vitamin, _plan("fr-FR"), StudioBackend(), LOGO)
    report = v.report.to_dict()
    assert report["verdict"] == "blocked"
    assert "price.reduction" in report["rules"]["failed"]
    assert 0 < report["brand_score"] < 1
    assert report["brand_score"] == round(report["rules"]["passed"] / report["rules"]["applicable"], 3)
    assert {"product.pixels", "product.fidelity", "text.contrast"} <= {
        r["check"].rsplit(".", 1)[0] if r["check"].startswith("text.contrast.") else r["check"] for r in report["results"]}

    relaxed = CAMPAIGN.brand.model_copy(update={"checks": CAMPAIGN.brand.checks.model_copy(
        update={"disabled": ["text.ocr", "product.fidelity"]})})
    campaign = CAMPAIGN.__class__(**{**vars(CAMPAIGN), "brand": relaxed})
    v2 = render_variant(campaign, vitamin, _plan("fr-FR"), StudioBackend(), LOGO)
    ran = {r.check for r in v2.checks}
    assert not any(c.startswith(("text.ocr", "product.fidelity")) for c in ran)
    assert v2.report.to_dict()["rules"]["disabled"] == ["text.ocr", "product.fidelity"]
    assert v2.verdict.value == "blocked"  # the price rule cannot be disabled


def test_copy_counts_come_from_the_catalog_with_cldr_plurals(vitamin):
    """A brief's plural template is filled with the SKU's live stock for that market."""
    brief = CAMPAIGN.brief
    en = brief.copy_["en-US"].model_copy(update={"subline": "{stock, plural, one {Only # left} other {# in stock}}"})
    campaign = CAMPAIGN.__class__(**{**vars(CAMPAIGN), "brief": brief.model_copy(
        update={"copy_": {**brief.copy_, "en-US": en}})})
    plan = _plan("en-US")
    v = render_variant(campaign, vitamin, plan, StudioBackend(), LOGO)
    assert v.lineage["copy"]["subline"] == f"{plan.item.stock} in stock"
    assert not any(c.check.startswith("copy.claims.scarcity") for c in v.checks)

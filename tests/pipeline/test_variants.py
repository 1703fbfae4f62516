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

"""One variant from packshot to verdict, without Prefect: the real demo data, made small."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from pipeline.checks.image import context_from_lineage
from pipeline.errors import InputError
from pipeline.imaging.imageio import image_sha256
from pipeline.imaging.products import prepare_product
from pipeline.model.campaign import Campaign, Scene, load_campaign
from pipeline.model.lineage import Lineage
from pipeline.render import VariantPlan, plan_variants, render_variant, scene_prompt, scene_request
from pipeline.scene.studio import StudioBackend
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
    assert image_sha256(decoded.convert("RGB")) == v.lineage.image_sha256
    product = v.lineage.product
    assert product.cutout_sha256 == vitamin.cutout_sha256 and product.resample == "lanczos"
    assert Path(product.source).name == "844a1cce.jpg"
    assert v.lineage.copy_.price == "$11.99" and v.lineage.copy_.prior_price == "$14.99"
    assert v.lineage.generation.backend == "studio" and v.lineage.generation.prompt
    assert v.lineage.format.size == (1080, 1080) and v.lineage.locale == "en-US"


def test_the_lineage_json_keeps_the_keys_its_readers_use(vitamin):
    """Typed, the lineage still writes the JSON the sidecar readers (image checks, DAM tools) read by key."""
    v = render_variant(CAMPAIGN, vitamin, _plan("ar-AE", "story"), StudioBackend(), LOGO)
    data = v.lineage.model_dump(mode="json")
    assert set(data) == {
        "vitrina_version",
        "campaign_id",
        "sku",
        "scene",
        "format",
        "locale",
        "product",
        "generation",
        "layout",
        "copy",
        "price",
        "text_blocks",
        "image_sha256",
        "inputs",
        "environment",
    }
    assert set(data["product"]) == {
        "source",
        "source_sha256",
        "cutout_sha256",
        "mask_sha256",
        "mask_method",
        "mask_confidence",
        "layer_sha256",
        "placement_box",
        "scale",
        "resample",
        "source_size",
        "crop_box",
        "normalisation",
        "resampler",
    }
    assert data["product"]["source"] == "../products/B07GTFSCHB/844a1cce.jpg"  # relative to the catalog CSV
    assert v.lineage.missing_for_audit() == []
    assert data["format"] == {"id": "story", "size": [1080, 1920]} and data["layout"]["rtl"] is True
    assert isinstance(data["layout"]["product"], list) and isinstance(data["price"]["amount"], str)
    assert {"seed", "style", "prompt", "negative_prompt"} <= set(data["generation"])
    assert Lineage.model_validate(data) == v.lineage  # the JSON reads back to the same record
    ctx = context_from_lineage(data, CAMPAIGN.brand)
    assert ctx.format is not None and ctx.format.id == "story"
    assert ctx.product_box == tuple(data["product"]["placement_box"]) and len(ctx.text_blocks) == len(
        data["text_blocks"]
    )


def test_inputs_are_checked_first_and_named(vitamin):
    plan = _plan("en-US")
    with pytest.raises(InputError, match="format 'poster' is not one of the brand's formats"):
        render_variant(CAMPAIGN, vitamin, replace(plan, format_id="poster"), StudioBackend(), LOGO)
    with pytest.raises(InputError, match="unknown locale 'xx-XX'"):
        render_variant(CAMPAIGN, vitamin, replace(plan, locale="xx-XX"), StudioBackend(), LOGO)
    with pytest.raises(InputError, match="locale 'en-GB' has no copy in the brief"):
        render_variant(CAMPAIGN, vitamin, replace(plan, locale="en-GB"), StudioBackend(), LOGO)
    with pytest.raises(InputError, match="the logo must be a non-empty RGBA image, got a .* RGB image"):
        render_variant(CAMPAIGN, vitamin, plan, StudioBackend(), LOGO.convert("RGB"))
    scene = StudioBackend().render(scene_request(CAMPAIGN, vitamin, _plan("en-US", "story"), LOGO))
    with pytest.raises(InputError, match="the scene given for square is 1080x1920, the format is 1080x1080"):
        render_variant(CAMPAIGN, vitamin, plan, StudioBackend(), LOGO, scene=scene)


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
        r["check"].rsplit(".", 1)[0] if r["check"].startswith("text.contrast.") else r["check"]
        for r in report["results"]
    }

    relaxed = CAMPAIGN.brand.model_copy(
        update={"checks": CAMPAIGN.brand.checks.model_copy(update={"disabled": ["text.ocr", "product.fidelity"]})}
    )
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
    campaign = CAMPAIGN.__class__(
        **{**vars(CAMPAIGN), "brief": brief.model_copy(update={"copy_": {**brief.copy_, "en-US": en}})}
    )
    plan = _plan("en-US")
    v = render_variant(campaign, vitamin, plan, StudioBackend(), LOGO)
    assert v.lineage.copy_.subline == f"{plan.item.stock} in stock"
    assert not any(c.check.startswith("copy.claims.scarcity") for c in v.checks)


# --- scene prompt templates: code a brief brings along, rendered in the sandbox ----------------------


def _campaign_with_template(tmp_path: Path, source: str) -> tuple[Campaign, Scene]:
    (tmp_path / "evil.j2").write_text(source, encoding="utf-8")
    scene = CAMPAIGN.brief.scenes[0].model_copy(update={"template": "evil.j2"})
    return replace(CAMPAIGN, prompts_dir=tmp_path), scene


@pytest.mark.parametrize(
    "source",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
        "{{ brand.__class__.__mro__[-1].__subclasses__() }}{{ ''.__class__ }}",
        "{{ self._TemplateReference__context.environment.__init__.__globals__ }}",
    ],
)
def test_a_prompt_template_cannot_run_code(tmp_path: Path, source: str):
    marker = tmp_path / "pwned"
    campaign, scene = _campaign_with_template(tmp_path, source.replace("{marker}", str(marker)))
    with pytest.raises(InputError, match="evil.j2: template refused: access to attribute .* is unsafe"):
        scene_prompt(campaign, scene, CAMPAIGN.catalog.items[0])
    assert not marker.exists()


def test_a_prompt_template_cannot_change_what_it_is_given(tmp_path: Path):
    campaign, scene = _campaign_with_template(tmp_path, "{{ brand.locales.append('xx-XX') }}{{ product }}")
    with pytest.raises(InputError, match="template refused"):
        scene_prompt(campaign, scene, CAMPAIGN.catalog.items[0])
    assert "xx-XX" not in CAMPAIGN.brand.locales


def test_a_prompt_template_cannot_grow_without_bound(tmp_path: Path):
    campaign, scene = _campaign_with_template(tmp_path, "{% for i in range(100000) %}{{ product }}{% endfor %}")
    with pytest.raises(InputError, match="prompt longer than 4000 characters"):
        scene_prompt(campaign, scene, CAMPAIGN.catalog.items[0])


def test_an_undefined_name_in_a_template_is_an_input_error(tmp_path: Path):
    campaign, scene = _campaign_with_template(tmp_path, "photo of {{ prodcut }}")
    with pytest.raises(InputError, match="'prodcut' is undefined"):
        scene_prompt(campaign, scene, CAMPAIGN.catalog.items[0])


def test_the_shipped_templates_render_in_the_sandbox():
    prompt, negative = scene_prompt(CAMPAIGN, CAMPAIGN.brief.scenes[1], CAMPAIGN.catalog.items[0])
    assert prompt.startswith("professional product photograph of AmazonBasics GU10 LED bulb, 6 W, soft white, podium")
    assert negative


def test_an_ar_ae_variant_writes_and_checks_one_digit_system():
    from tests.helpers import render_demo_variant

    _, variant = render_demo_variant("B074M5HPBD", "ar-AE", "square")
    digits = [c for c in variant.checks if c.check == "text.digits"]
    assert [c.verdict.value for c in digits] == ["passed"], [c.message for c in digits]
    drawn = "".join(b.text for b in variant.lineage.text_blocks)
    assert any(ch.isdigit() for ch in drawn)
    assert not any("\u0660" <= ch <= "\u0669" for ch in drawn)  # ar-AE writes Western digits (CLDR default)

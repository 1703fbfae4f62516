"""Bad brand guides, briefs and catalogs end with one line naming the file, field and value."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.brand import brand_json_schema, load_brand
from pipeline.model.campaign import load_campaign
from tests.helpers import DEMO_BRAND, PROMPTS, copy_demo, edit_yaml


def test_demo_brand_and_brief_load():
    brand = load_brand(DEMO_BRAND)
    assert brand.name == "Halden"
    assert {"en-US", "de-DE", "fr-FR", "ar-AE", "ja-JP"} <= set(brand.locales)
    assert {(f.width, f.height) for f in brand.formats} >= {(1080, 1080), (1080, 1350), (1080, 1920), (1920, 600)}
    story = brand.format_by_id["story"]
    assert story.safe_zone.top > 0 and story.safe_zone.bottom > 0


def test_demo_brand_and_format_overrides_validate_against_the_schema():
    """Editors validate brand.yaml with the exported schema: what loads must validate, and back."""
    import json

    import jsonschema
    import yaml

    schema = brand_json_schema()
    # as an editor sees it: YAML dates are strings there
    data = json.loads(json.dumps(yaml.safe_load(DEMO_BRAND.joinpath("brand.yaml").read_text()), default=str))
    jsonschema.validate(data, schema)
    data["formats"] = ["leaderboard", {"id": "square", "min_text_px": 26, "safe_zone": {"top": 40}}]
    jsonschema.validate(data, schema)
    data["formats"] = [{"id": "square", "min_txt_px": 26}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_exported_schema_is_current():
    import json

    saved = json.loads((DEMO_BRAND.parent / "brand.schema.json").read_text())
    assert saved == brand_json_schema(), "run: vitrina schema brand > brand_guides/brand.schema.json"


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda d: d["palette"].update(primary="#12345G"), "palette.primary", "#12345G"),
        (lambda d: d["logo"].update(file="missing-logo.png"), "logo.file", "missing-logo.png"),
        (lambda d: d["locales"].append("xx-XX"), "locales[11]", "xx-XX"),
        (lambda d: d["formats"][0].update(width="wide"), "formats[0].width", "wide"),
        (lambda d: d.pop("palette"), "palette", None),
        (
            lambda d: d["typography"]["headline"].update(file="fonts/Nope.ttf"),
            "typography.headline.file",
            "fonts/Nope.ttf",
        ),
        (lambda d: d["checks"].update(disabled=["brand.logos"]), "checks.disabled", ["brand.logos"]),
        (lambda d: d["checks"].update(disabled=["product.pixels"]), "checks.disabled", ["product.pixels"]),
    ],
)
def test_bad_brand_guide_names_file_field_value(tmp_path: Path, change, field, value):
    brief = copy_demo(tmp_path)
    brand_yaml = tmp_path / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(brand_yaml, change)
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    err = info.value
    assert err.file == str(brand_yaml)
    assert err.field == field
    assert err.value == value
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda d: d["locales"].append("tlh-KL"), "locales[5]", "tlh-KL"),
        (lambda d: d["formats"].append("billboard"), "formats[7]", "billboard"),
        (lambda d: d.update(ends="2026-11-01"), "(top level)", None),
        (lambda d: d["scenes"][0].update(template="nope.j2"), "scenes[0].template", "nope.j2"),
        (lambda d: d.update(skus=["B000000000"]), "skus[0]", "B000000000"),
    ],
)
def test_bad_brief_names_file_field_value(tmp_path: Path, change, field, value):
    brief = copy_demo(tmp_path)
    edit_yaml(brief, change)
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.file == str(brief)
    assert info.value.field == field
    if value is not None:
        assert info.value.value == value


def test_bad_yaml_reports_line(tmp_path: Path):
    brief = copy_demo(tmp_path)
    brief.write_text("campaign_id: x\nscenes: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.field == "(yaml)"
    assert "line" in str(info.value.value)


def test_price_with_too_many_decimals_is_refused_not_rounded(tmp_path: Path):
    brief = copy_demo(tmp_path)
    csv = tmp_path / "demo" / "catalog" / "catalog.csv"
    csv.write_text(csv.read_text().replace(",7.99,EUR,310,", ",7.999,EUR,310,", 1))
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.field == "row 3.price" and info.value.value == "7.999"
    assert "refusing to round" in str(info.value)


def test_jpy_price_with_decimals_is_refused(tmp_path: Path):
    brief = copy_demo(tmp_path)
    csv = tmp_path / "demo" / "catalog" / "catalog.csv"
    csv.write_text(csv.read_text().replace(",1180,JPY,", ",1180.5,JPY,", 1))
    with pytest.raises(ConfigError, match="JPY has 0 decimal places"):
        load_campaign(brief, PROMPTS)


def test_prior_price_is_lowest_of_30_days_before(tmp_path: Path):
    from datetime import date

    from pipeline.model.catalog import prior_price

    campaign = load_campaign(copy_demo(tmp_path), PROMPTS)
    fr_vitamin = campaign.catalog.item("B07GTFSCHB", "FR")
    assert prior_price(fr_vitamin, date(2026, 12, 1)) == Decimal("10.49")  # the November promotion
    assert prior_price(campaign.catalog.item("B07GTFSCHB", "DE"), date(2026, 12, 1)) == Decimal("12.49")
    assert prior_price(fr_vitamin, date(2026, 9, 15)) is None  # history starts 2026-09-01

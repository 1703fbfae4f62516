"""Names that become file names or DAM object keys (SKU, scene id, format id, campaign id, locale)
are refused at load unless they are safe: one line naming the file, the field and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.campaign import load_campaign
from pipeline.model.config import check_name
from tests.helpers import PROMPTS, REPO, copy_demo, edit_yaml

UNSAFE = ["../../x", "/abs/path", "a/b", "a\\b", "..", "a..b", ".hidden", "-rf", "B07\x00GTF", "B07\nGTF", "x" * 65, ""]


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_names_are_refused(name: str):
    with pytest.raises(ValueError):
        check_name(name)


def test_real_skus_are_safe_names():
    abo = REPO.parent / "shared" / "data" / "abo"
    listings = [p.name for p in abo.iterdir() if p.is_dir()] if abo.is_dir() else []
    for sku in [*listings, "B074M5HPBD", "MUG-1", "sku_42.v2", "A", "x" * 64]:
        assert check_name(sku) == sku


def _set_first_sku(tmp_path: Path, sku: str) -> Path:
    feed = tmp_path / "demo" / "catalog" / "catalog.csv"
    lines = feed.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '"' + sku.replace('"', '""') + '"' + lines[1][len("B074M5HPBD") :]
    feed.write_text("".join(lines), encoding="utf-8")
    return feed


@pytest.mark.parametrize("sku", ["../../x", "/abs/path", "B07\x1bGTF", "a" * 65, "B07 GTF"])
def test_unsafe_sku_in_the_catalog_names_row_and_value(tmp_path: Path, sku: str):
    brief = copy_demo(tmp_path)
    feed = _set_first_sku(tmp_path, sku)
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.file == str(feed)
    assert (info.value.field, info.value.value) == ("row 2.sku", sku)
    assert "\n" not in str(info.value) and "file name" in str(info.value)


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda d: d.update(skus=["../B074M5HPBD"]), "skus[0]", "../B074M5HPBD"),
        (lambda d: d["scenes"][0].update(id="s" * 65), "scenes[0].id", "s" * 65),
        (lambda d: d.update(campaign_id="c" * 65), "campaign_id", "c" * 65),
        (lambda d: d.update(campaign_id="../up"), "campaign_id", "../up"),
        (lambda d: d["locales"].append("../de-DE"), "locales[5]", "../de-DE"),
    ],
)
def test_unsafe_names_in_the_brief_name_field_and_value(tmp_path: Path, change, field, value):
    brief = copy_demo(tmp_path)
    edit_yaml(brief, change)
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert (info.value.file, info.value.field, info.value.value) == (str(brief), field, value)


def test_overlong_format_id_in_the_brand_is_refused(tmp_path: Path):
    brief = copy_demo(tmp_path)
    brand_yaml = tmp_path / "brand_guides" / "halden" / "brand.yaml"
    long_id = "f" * 65
    edit_yaml(brand_yaml, lambda d: d["formats"].append({"id": long_id, "name": "Long", "width": 600, "height": 600}))
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.file == str(brand_yaml)
    assert info.value.field.endswith(".id") and info.value.value == long_id

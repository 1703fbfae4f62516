"""A brief is refused at load, with one line naming file, field and value, when it would make
banners nobody asked for or cannot trust: control or bidi override characters in copy, two
scenes with one id, an empty SKU selection, a prompt template outside its prompts folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.campaign import load_campaign
from tests.helpers import PROMPTS, copy_demo, edit_yaml


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)


def _load_error(brief: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert "\n" not in str(info.value)
    return info.value


# --- copy -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "field", "char"),
    [
        ("en-US", "headline", "\u202e"),  # RIGHT-TO-LEFT OVERRIDE: "Shop now" shown reversed
        ("ar-AE", "subline", "\u2067"),  # RIGHT-TO-LEFT ISOLATE
        ("de-DE", "cta", "\u202b"),  # RIGHT-TO-LEFT EMBEDDING
        ("en-US", "cta", "\x00"),
        ("fr-FR", "headline", "\n"),
        ("en-US", "subline", "\x9b"),  # C1 control (CSI)
    ],
)
def test_bidi_override_or_control_character_in_copy_is_refused(demo: Path, loc: str, field: str, char: str):
    text = f"Winter {char}essentials"
    edit_yaml(demo, lambda d: d["copy"][loc].update({field: text}))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(demo), f"copy.{loc}.{field}", text)
    assert f"U+{ord(char):04X}" in err.problem


def test_direction_marks_are_allowed_in_rtl_copy(demo: Path):
    """RLM/LRM/ALM set the direction of a neutral character (a "!" after Arabic): legitimate."""
    headline = "أساسيات الشتاء!\u200f"
    edit_yaml(demo, lambda d: d["copy"]["ar-AE"].update(headline=headline, subline="\u061c٪ \u200eSALE"))
    assert load_campaign(demo, PROMPTS).brief.copy_["ar-AE"].headline == headline


def test_control_character_in_a_brand_disclaimer_is_refused(demo: Path):
    brand_yaml = demo.parent.parent / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(brand_yaml, lambda d: d["tone"].setdefault("disclaimers", {}).update({"de-DE": "Preise\u202e inkl."}))
    err = _load_error(demo)
    assert (err.file, err.field) == (str(brand_yaml), "tone.disclaimers.de-DE")


# --- scenes and SKUs --------------------------------------------------------------------------------


def test_two_scenes_with_one_id_are_refused(demo: Path):
    edit_yaml(demo, lambda d: d["scenes"][1].update(id=d["scenes"][0]["id"]))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(demo), "scenes[1].id", "calm-sweep")
    assert "first in scenes[0]" in err.problem


def test_empty_sku_selection_is_refused(demo: Path):
    edit_yaml(demo, lambda d: d.update(skus=[]))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(demo), "skus", [])
    assert "leave skus out" in err.problem


def test_sku_listed_twice_is_refused(demo: Path):
    edit_yaml(demo, lambda d: d.update(skus=["B074M5HPBD", "B0799CK52K", "B074M5HPBD"]))
    err = _load_error(demo)
    assert err.field == "skus" and "B074M5HPBD" in err.problem


def test_sku_selection_still_works(demo: Path):
    edit_yaml(demo, lambda d: d.update(skus=["B0799CK52K"]))
    assert load_campaign(demo, PROMPTS).skus == ["B0799CK52K"]


# --- prompt templates -------------------------------------------------------------------------------


@pytest.fixture
def prompts(demo: Path) -> Path:
    """A prompts folder of the brief's own (`prompts: prompts`), and a file just outside it."""
    folder = demo.parent / "prompts"
    folder.mkdir()
    (folder / "studio.j2").write_text((PROMPTS / "studio.j2").read_text(encoding="utf-8"), encoding="utf-8")
    (demo.parent / "outside.j2").write_text("a {{ product }}", encoding="utf-8")
    edit_yaml(demo, lambda d: d.update(prompts="prompts"))
    return folder


@pytest.mark.parametrize("template", ["../outside.j2", "../../../../../../../../etc/passwd", "/etc/passwd"])
def test_template_outside_the_prompts_folder_is_refused_at_load(demo: Path, prompts: Path, template: str):
    edit_yaml(demo, lambda d: d["scenes"][0].update(template=template))
    err = _load_error(demo)
    assert (err.file, err.field, err.value) == (str(demo), "scenes[0].template", template)
    assert "outside the prompts folder" in err.problem


def test_template_symlinked_out_of_the_prompts_folder_is_refused(demo: Path, prompts: Path):
    (prompts / "link.j2").symlink_to(demo.parent / "outside.j2")
    edit_yaml(demo, lambda d: d["scenes"][0].update(template="link.j2"))
    assert _load_error(demo).field == "scenes[0].template"


def test_template_in_a_subfolder_of_the_prompts_folder_loads(demo: Path, prompts: Path):
    (prompts / "winter").mkdir()
    (prompts / "winter" / "snow.j2").write_text("{{ product }} in snow", encoding="utf-8")
    edit_yaml(demo, lambda d: d["scenes"][0].update(template="winter/snow.j2"))
    assert load_campaign(demo, PROMPTS).prompts_dir == prompts


def test_template_syntax_error_is_refused_at_load(demo: Path, prompts: Path):
    (prompts / "broken.j2").write_text("photo of {{ product }\n{% if %}", encoding="utf-8")
    edit_yaml(demo, lambda d: d["scenes"][0].update(template="broken.j2"))
    err = _load_error(demo)
    assert (err.field, err.value) == ("scenes[0].template", "broken.j2")
    assert "line 1" in err.problem

"""Brief copy templates (ICU plurals over stock/percent) are checked when the brief loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.campaign import load_campaign
from tests.helpers import PROMPTS, copy_demo, edit_yaml

OK_DE = "{stock, plural, one {Nur noch # Stück} other {Nur noch # Stück}} – {percent} % günstiger"


def set_copy(loc: str, field: str, value: str):
    return lambda d: d["copy"][loc].update({field: value})


def test_valid_plural_copy_loads(tmp_path: Path):
    brief = copy_demo(tmp_path)
    edit_yaml(brief, set_copy("de-DE", "subline", OK_DE))
    edit_yaml(
        brief,
        set_copy(
            "ar-AE",
            "subline",
            "{stock, plural, zero {نفدت} one {قطعة} two {قطعتان} few {# قطع} many {# قطعة} other {# قطعة}}",
        ),
    )
    campaign = load_campaign(brief, PROMPTS)
    assert campaign.brief.copy_["de-DE"].subline == OK_DE


@pytest.mark.parametrize(
    ("loc", "field", "value", "problem"),
    [
        ("de-DE", "subline", "Nur noch {stok} Stück", "unknown variable {stok}"),
        ("en-US", "headline", "{stock, plural, one {Only # left}}", "no 'other' branch"),
        ("ja-JP", "subline", "{stock, plural, one {残り#点} other {残り#点}}", "'one' never occurs in ja-JP"),
        ("fr-FR", "cta", "{stock, plural, one {x} other {y}", "unclosed plural"),
        ("de-DE", "headline", "{stock, plural, few {#} other {#}}", "'few' never occurs in de-DE"),
    ],
)
def test_bad_copy_template_is_one_line_config_error(tmp_path: Path, loc, field, value, problem):
    brief = copy_demo(tmp_path)
    edit_yaml(brief, set_copy(loc, field, value))
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    err = info.value
    assert (err.file, err.field, err.value) == (str(brief), f"copy.{loc}.{field}", value)
    assert problem in err.problem
    assert "\n" not in str(err)


def test_percent_needs_an_announced_discount(tmp_path: Path):
    brief = copy_demo(tmp_path)
    edit_yaml(brief, set_copy("en-US", "headline", "Save {percent}%"))
    edit_yaml(brief, lambda d: d.pop("discount"))
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.field == "copy.en-US.headline"
    assert "discount" in info.value.problem

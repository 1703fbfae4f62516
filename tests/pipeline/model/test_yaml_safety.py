"""Every user YAML file is read by one loader that refuses anchors, aliases and duplicate keys,
naming the file and the line; error messages never print more than ~100 characters of a value."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.model.brand import load_brand
from pipeline.model.campaign import load_campaign
from pipeline.model.config import read_yaml
from tests.helpers import PROMPTS, copy_demo

# 9 levels of 9 aliases: 387 million strings once expanded (the loader hung at 2.6 GB).
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    + ["campaign_id: *a8"]
)


def _one_line_error(info: pytest.ExceptionInfo[ConfigError]) -> str:
    text = str(info.value)
    assert "\n" not in text
    return text


def test_alias_bomb_in_a_brief_is_refused_at_its_first_anchor(tmp_path: Path):
    brief = copy_demo(tmp_path)
    brief.write_text(ALIAS_BOMB + "\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert time.monotonic() - started < 5
    assert info.value.file == str(brief)
    assert info.value.field == "(yaml)" and info.value.value == "line 1, column 5"
    assert "anchors and aliases are not allowed" in _one_line_error(info)


def test_alias_without_anchor_is_refused_too(tmp_path: Path):
    """A lone alias is already a YAML error; an anchor is refused even when nothing uses it."""
    path = tmp_path / "x.yaml"
    path.write_text("name: &n Halden\nother: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="&n: anchors and aliases are not allowed") as info:
        read_yaml(path)
    assert info.value.value == "line 1, column 7"


def test_duplicate_key_in_a_brief_names_both_lines(tmp_path: Path):
    brief = copy_demo(tmp_path)
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text + "seed: 8\n", encoding="utf-8")  # the demo brief already sets seed: 7
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    last_line = len(text.splitlines()) + 1
    first_line = text.splitlines().index("seed: 7") + 1
    assert info.value.field == "(yaml)" and info.value.value == f"line {last_line}, column 1"
    assert f"duplicate key 'seed' (first at line {first_line})" in _one_line_error(info)


def test_duplicate_key_in_a_nested_brand_mapping_is_refused(tmp_path: Path):
    copy_demo(tmp_path)
    brand = tmp_path / "brand_guides" / "halden"
    path = brand / "brand.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\npalette:\n  primary: " in text
    path.write_text(text.replace("\npalette:\n", "\npalette:\n  text: '#000000'\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"duplicate key 'text' \(first at line \d+\)") as info:
        load_brand(brand)
    assert info.value.file == str(path)


def test_plain_yaml_still_loads(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text("a: [1, 2]\nb: {c: d}\n1: one\n'1': string one\n", encoding="utf-8")
    assert read_yaml(path) == {"a": [1, 2], "b": {"c": "d"}, 1: "one", "1": "string one"}


def test_deeply_nested_yaml_is_one_line_error(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_yaml(path)
    assert info.value.field == "(yaml)"


def test_non_utf8_yaml_names_the_byte(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"name: Caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        read_yaml(path)
    assert info.value.value == "byte 9"


def test_a_huge_value_is_shown_in_at_most_100_characters(tmp_path: Path):
    brief = copy_demo(tmp_path)
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("campaign_id: halden-winter-2026", "campaign_id: " + "x" * 100_000), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert info.value.field == "campaign_id"
    assert len(_one_line_error(info)) < len(str(brief)) + 250

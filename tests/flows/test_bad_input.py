"""Bad input: exit 2, one line naming file, field and value, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.conftest import run_cli
from tests.helpers import copy_demo, edit_yaml


@pytest.mark.parametrize(
    ("target", "change", "expected"),
    [
        ("brand", lambda d: d["palette"].update(accent="#ZZZZZZ"), "palette.accent: '#ZZZZZZ'"),
        ("brand", lambda d: d["logo"].update(file="nope.png"), "logo.file: 'nope.png'"),
        ("brief", lambda d: d["locales"].append("xx-YY"), "locales[5]: 'xx-YY'"),
        ("brief", lambda d: d["formats"].append("billboard"), "formats[7]: 'billboard'"),
    ],
)
def test_bad_config_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, target, change, expected):
    brief = copy_demo(tmp_path)
    path = brief if target == "brief" else tmp_path / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(path, change)
    out = tmp_path / "out"
    proc = run_cli("run", str(brief), "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert path.name in lines[0] and expected in lines[0]
    assert not out.exists()


def test_broken_yaml_exits_2(tmp_path: Path):
    brief = copy_demo(tmp_path)
    brief.write_text("campaign_id: [\n", encoding="utf-8")
    proc = run_cli("run", str(brief), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "invalid YAML" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_review_commands_on_a_missing_output_folder(tmp_path: Path):
    proc = run_cli("review", "list", "--out", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and "no Vitrina output here" in proc.stderr

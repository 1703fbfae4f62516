"""`vitrina models tiny|check`: a tiny model written by the CLI is a loadable diffusers pipeline;
a missing model or a non-empty target folder is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina


def test_models_tiny_writes_a_pipeline_that_models_check_loads(vitrina: Vitrina, tmp_path: Path):
    target = tmp_path / "tiny"
    result = vitrina("models", "tiny", target)
    assert result.exit_code == 0, result.output
    assert f"--model {target}" in result.stdout
    assert (target / "model_index.json").is_file()
    assert (target / "tokenizer" / "tokenizer_config.json").is_file()
    result = vitrina("models", "check", target, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["path"] == str(target) and info["pipeline"] == "StableDiffusionInpaintPipeline"
    assert len(info["weights_sha256"]) == 64


def test_models_tiny_refuses_a_non_empty_folder(vitrina: Vitrina, tiny_model: Path):
    before = sorted(p.relative_to(tiny_model) for p in tiny_model.rglob("*"))
    result = vitrina("models", "tiny", tiny_model)
    assert result.exit_code == 2 and "not empty" in result.stderr and "--force" in result.stderr
    assert sorted(p.relative_to(tiny_model) for p in tiny_model.rglob("*")) == before


def test_models_check_names_what_is_missing(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("models", "check", tmp_path / "nope")
    assert result.exit_code == 2 and "nope" in result.stderr and "vitrina models tiny" in result.stderr
    assert result.stdout == ""

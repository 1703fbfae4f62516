"""`vitrina models` and `vitrina run --backend diffusion`: a tiny model written by the CLI runs the
real diffusion path end to end; a missing model is one line and exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.flows.conftest import run_cli
from tests.helpers import copy_demo, edit_yaml

runner = CliRunner()


@pytest.fixture(scope="module")
def cli_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("cli-model") / "tiny"
    result = runner.invoke(app, ["models", "tiny", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_models_tiny_writes_a_loadable_pipeline(cli_tiny_model: Path):
    assert (cli_tiny_model / "model_index.json").is_file()
    assert (cli_tiny_model / "tokenizer" / "tokenizer_config.json").is_file()
    result = runner.invoke(app, ["models", "check", str(cli_tiny_model), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["pipeline"] == "StableDiffusionInpaintPipeline" and len(info["weights_sha256"]) == 64


def test_models_tiny_refuses_a_non_empty_folder(cli_tiny_model: Path):
    result = runner.invoke(app, ["models", "tiny", str(cli_tiny_model)])
    assert result.exit_code == 2 and "not empty" in result.output


def test_models_check_names_what_is_missing(tmp_path: Path):
    result = runner.invoke(app, ["models", "check", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "nope" in result.output and "vitrina models tiny" in result.output


def test_run_with_a_missing_model_exits_2_with_one_line(tmp_path: Path):
    brief = copy_demo(tmp_path)
    out = tmp_path / "out"
    proc = run_cli("run", str(brief), "--out", str(out), "--backend", "diffusion", "--model", str(tmp_path / "no-model"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no-model" in lines[0] and "vitrina models tiny DIR" in lines[0]
    assert not out.exists()


def test_run_with_a_missing_brand_lora_exits_2(tmp_path: Path, cli_tiny_model: Path):
    brief = copy_demo(tmp_path)
    edit_yaml(tmp_path / "brand_guides" / "halden" / "brand.yaml",
              lambda d: d["imagery"].update(lora="styles/halden.safetensors"))
    proc = run_cli("run", str(brief), "--out", str(tmp_path / "out"), "--backend", "diffusion",
                   "--model", str(cli_tiny_model))
    assert proc.returncode == 2 and "imagery.lora: 'styles/halden.safetensors'" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_run_with_the_tiny_model_end_to_end(tmp_path: Path, cli_tiny_model: Path):
    """The real path through Prefect: batched per SKU, product pixels checked, lineage stored."""
    brief = copy_demo(tmp_path)

    def shrink(d: dict) -> None:
        d["scenes"] = d["scenes"][:1]
        d["formats"] = ["square", "hero"]
        d["locales"] = ["en-US", "ar-AE"]

    edit_yaml(brief, shrink)
    out = tmp_path / "out"
    proc = run_cli("run", str(brief), "--out", str(out), "--json", "--backend", "diffusion",
                   "--model", str(cli_tiny_model), "--steps", "2",
                   env={"PREFECT_HOME": str(tmp_path / "prefect-home")})
    assert proc.stdout.strip(), proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["variants"] > 0
    sidecars = list((out / "blobs").rglob("*.json"))
    assert sidecars
    for sidecar in sidecars:
        data = json.loads(sidecar.read_text())
        gen = data["lineage"]["generation"]
        assert gen["backend"] == "diffusion" and gen["steps"] == 2 and gen["pipeline"] == "StableDiffusionInpaintPipeline"
        report = data["check_report"]
        assert any(c["check"] == "product.pixels" and c["verdict"] == "passed" for c in report["results"])
        assert 0 <= data["brand_score"] == report["brand_score"] <= 1

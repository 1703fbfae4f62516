"""`vitrina run`, `review` and `publish` (vitrina/cli/main.py), in-process.

Bad input: exit 2, one line naming file, field and value, nothing written. Review and publish
work on a private copy of the session's demo run (``demo_out``). One test runs the installed
command in a subprocess: its exit code and stderr are what scripts see.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import run_vitrina
from tests.helpers import copy_demo, edit_yaml

if TYPE_CHECKING:
    from tests.conftest import S3Server
    from tests.vitrina.cli.conftest import Vitrina


@pytest.mark.parametrize(
    ("target", "change", "expected"),
    [
        ("brand", lambda d: d["palette"].update(accent="#ZZZZZZ"), "palette.accent: '#ZZZZZZ'"),
        ("brand", lambda d: d["logo"].update(file="nope.png"), "logo.file: 'nope.png'"),
        ("brief", lambda d: d["locales"].append("xx-YY"), "locales[5]: 'xx-YY'"),
        ("brief", lambda d: d["formats"].append("billboard"), "formats[7]: 'billboard'"),
    ],
    ids=["palette", "logo", "locale", "format"],
)
def test_bad_config_exits_2_with_one_line_and_writes_nothing(
    vitrina: Vitrina, tmp_path: Path, target, change, expected
):
    brief = copy_demo(tmp_path)
    path = brief if target == "brief" else tmp_path / "brand_guides" / "halden" / "brand.yaml"
    edit_yaml(path, change)
    out = tmp_path / "out"
    result = vitrina("run", brief, "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert path.name in lines[0] and expected in lines[0]
    assert result.stdout == ""
    assert not out.exists()


def test_the_installed_command_exits_2_on_broken_yaml_with_one_line(tmp_path: Path):
    brief = copy_demo(tmp_path)
    brief.write_text("campaign_id: [\n", encoding="utf-8")
    proc = run_vitrina("run", brief, "--out", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and "invalid YAML" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_run_with_a_missing_model_exits_2_with_one_line(vitrina: Vitrina, tmp_path: Path):
    brief = copy_demo(tmp_path)
    out = tmp_path / "out"
    result = vitrina("run", brief, "--out", out, "--backend", "diffusion", "--model", tmp_path / "no-model")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no-model" in lines[0] and "vitrina models tiny DIR" in lines[0]
    assert not out.exists()


def test_run_with_a_missing_brand_lora_exits_2(vitrina: Vitrina, tmp_path: Path, tiny_model: Path):
    brief = copy_demo(tmp_path)
    edit_yaml(
        tmp_path / "brand_guides" / "halden" / "brand.yaml",
        lambda d: d["imagery"].update(lora="styles/halden.safetensors"),
    )
    result = vitrina("run", brief, "--out", tmp_path / "out", "--backend", "diffusion", "--model", tiny_model)
    assert result.exit_code == 2 and "imagery.lora: 'styles/halden.safetensors'" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--variant", "fp16"], "--variant: only for --backend diffusion (got --backend studio)"),
        (["--offload", "--compile"], "--offload/--compile: only for --backend diffusion (got --backend studio)"),
    ],
)
def test_diffusion_options_with_another_backend_exit_2(vitrina: Vitrina, tmp_path: Path, args, expected):
    brief = copy_demo(tmp_path)
    result = vitrina("run", brief, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: {expected}"], result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--variant", "fp16"], "no component has weights of variant 'fp16'"),
        (["--offload"], "offload needs a CUDA device, not 'cpu'"),
    ],
)
def test_diffusion_options_reach_the_backend_and_are_checked_before_anything_is_written(
    vitrina: Vitrina, tmp_path: Path, tiny_model: Path, args, expected
):
    """The tiny model has plain weights only, and this machine no CUDA device: refused at load."""
    brief = copy_demo(tmp_path)
    result = vitrina("run", brief, "--out", tmp_path / "out", "--backend", "diffusion", "--model", tiny_model, *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_review_commands_on_a_missing_output_folder(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("review", "list", "--out", tmp_path / "nothing")
    assert result.exit_code == 2 and "no Vitrina output here" in result.stderr
    assert not (tmp_path / "nothing").exists()


def _pending(vitrina: Vitrina, out: Path) -> list[dict]:
    result = vitrina("review", "list", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_review_and_publish_to_a_folder_twice(vitrina: Vitrina, demo_out: Path, tmp_path: Path):
    listed = _pending(vitrina, demo_out)
    assert len(listed) == 12 and all(v["review"] == "pending" for v in listed)
    first, second = listed[0]["id"], listed[1]["id"]
    assert vitrina("review", "approve", first, "--by", "dana", "--out", demo_out).exit_code == 0
    rejected = vitrina("review", "reject", second, "--by", "sam", "--reason", "logo too close", "--out", demo_out)
    assert rejected.exit_code == 0
    shown = vitrina("review", "show", second, "--out", demo_out)
    assert "rejected by sam: logo too close" in shown.stdout
    assert "brand score" in shown.stdout and "product.pixels" in shown.stdout
    assert [v["id"] for v in _pending(vitrina, demo_out)] == [v["id"] for v in listed[2:]]

    dam = tmp_path / "dam"
    publish = ("publish", "--dam", f"file://{dam}", "--out", demo_out, "--json")
    pub1 = json.loads(vitrina(*publish).stdout)
    assert pub1["uploaded"] == 1 and pub1["objects_uploaded"] == 4  # master, rendition, cut-out, sidecar
    pub2 = json.loads(vitrina(*publish).stdout)
    assert pub2["uploaded"] == 0 and pub2["already"] == 1 and pub2["objects_uploaded"] == 0
    sidecars = list(dam.rglob(f"*{first}.json"))
    assert len(sidecars) == 1
    meta = json.loads(sidecars[0].read_text())
    assert meta["variant_id"] == first and meta["approvals"][0]["by"] == "dana"
    assert {"sku", "locale", "format", "campaign", "lineage", "checks", "brand_score"} <= set(meta)


def _approve_all_passed(vitrina: Vitrina, out: Path) -> list[dict]:
    assert vitrina("review", "approve", "--all-passed", "--by", "ci", "--out", out).exit_code == 0
    result = vitrina("review", "list", "--status", "approved", "--out", out, "--json")
    approved = json.loads(result.stdout)
    assert approved, "the demo run has no variant whose checks all passed"
    return approved


@pytest.mark.slow
def test_publish_to_real_s3_uploads_each_asset_exactly_once(vitrina: Vitrina, demo_out: Path, s3_server: S3Server):
    approved = _approve_all_passed(vitrina, demo_out)
    bucket = s3_server.new_bucket()
    env = {
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_DEFAULT_REGION": s3_server.region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    args = (
        "publish",
        "--dam",
        f"s3://{bucket}/banners",
        "--endpoint-url",
        s3_server.endpoint_url,
        "--out",
        demo_out,
        "--json",
    )
    first = vitrina(*args, env=env)
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["uploaded"] == len(approved)
    second = json.loads(vitrina(*args, env=env).stdout)
    assert second["uploaded"] == 0 and second["objects_uploaded"] == 0 and second["already"] == len(approved)
    client = s3_server.client()
    listing = client.list_objects_v2(Bucket=bucket, Prefix="banners/")["Contents"]
    keys = [o["Key"] for o in listing]
    # each: the PNG master, the JPEG rendition, the cut-out and the JSON sidecar, no duplicates
    assert len(keys) == 4 * len(approved)
    assert {k.rsplit(".", 2)[-2] == "cutout" or k.rsplit(".", 1)[-1] for k in keys} == {"png", "jpg", True, "json"}
    png = next(k for k in keys if k.endswith(".png") and not k.endswith(".cutout.png"))
    jpg = next(k for k in keys if k.endswith(".jpg"))
    head = client.head_object(Bucket=bucket, Key=png)
    head_jpg = client.head_object(Bucket=bucket, Key=jpg)
    client.close()
    assert head["ContentType"] == "image/png" and len(head["Metadata"]["sha256"]) == 64
    assert head["Metadata"]["rendition"] == "master" and head_jpg["ContentType"] == "image/jpeg"


def test_publish_to_unreachable_s3_stops_at_the_first_failure_with_one_line(vitrina: Vitrina, demo_out: Path):
    approved = _approve_all_passed(vitrina, demo_out)
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"}
    args = ("publish", "--dam", "s3://nowhere/x", "--endpoint-url", "http://127.0.0.1:9", "--out", demo_out)
    result = vitrina(*args, env=env)
    assert result.exit_code == 1
    assert "0 uploaded, 0 already there, 0 retracted, 0 skipped, 1 failed" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("created a local TEST signing CA at ")  # no signer configured: said once
    failure = lines[1]
    assert "s3://nowhere/x" in failure and "cannot reach S3 endpoint http://127.0.0.1:9" in failure
    report = json.loads(vitrina(*args, "--json", env=env).stdout)
    assert report["uploaded"] == 0 and len(report["failed"]) == 1
    assert report["not_attempted"] == len(approved) - 1


def test_in_process_commands_run_with_the_prefect_settings_the_entry_point_applies():
    """tests/conftest.py applies them before Prefect is first imported, which is when it reads them."""
    import os

    from prefect.settings import get_current_settings

    from flows.runtime import QUIET_PREFECT

    assert {key: os.environ.get(key) for key in QUIET_PREFECT} == QUIET_PREFECT
    settings = get_current_settings()
    assert settings.logging.level == QUIET_PREFECT["PREFECT_LOGGING_LEVEL"]
    assert settings.server.analytics_enabled is False and settings.server.ui.enabled is False

"""`vitrina schedule`: bad input is one line before any server is asked; without a configured
server the user is told how to start one; add/list/remove work against Prefect's real server (the
test harness). Serving is exercised by hand in docs/operations.md (it runs until stopped)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.testing.utilities import prefect_test_harness

from tests.helpers import copy_demo, edit_yaml
from tests.vitrina.cli.conftest import Vitrina


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """The demo brief under a folder whose name is rich markup (user text is hostile)."""
    root = tmp_path / "[red]briefs"
    root.mkdir()
    path = copy_demo(root)

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = ["B074M5HPBD"], d["scenes"][:1], ["square"], ["en-US"]

    edit_yaml(path, small)
    return path


def _one_error_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_add_list_remove_on_the_configured_server(vitrina: Vitrina, prefect_server: None, brief: Path, tmp_path: Path):
    out = tmp_path / "out"
    added = vitrina(
        "schedule", "add", brief, "--cron", "0 2 * * *", "--timezone", "Europe/Berlin", "--out", out, "--json"
    )
    assert added.exit_code == 0, added.output
    shown = json.loads(added.stdout)
    assert shown["deployment"] == "catalog-refresh/halden-winter-2026"
    assert (shown["cron"], shown["timezone"], shown["active"]) == ("0 2 * * *", "Europe/Berlin", True)
    assert shown["parameters"]["brief"] == str(brief.resolve()) and shown["parameters"]["out"] == str(out.resolve())
    assert shown["next_runs"][0].endswith(("T02:00:00+01:00", "T02:00:00+02:00"))  # 02:00 in Berlin

    listed = vitrina("schedule", "list", "--next", "2")
    assert listed.exit_code == 0
    assert "halden-winter-2026  '0 2 * * *' (Europe/Berlin)  active  next " in listed.stdout
    assert "[red]briefs" in listed.stdout  # printed as written, not taken as markup

    removed = vitrina("schedule", "remove", "halden-winter-2026")
    assert removed.exit_code == 0 and "removed catalog-refresh/halden-winter-2026" in removed.stdout
    assert json.loads(vitrina("schedule", "list", "--json").stdout) == []
    gone = vitrina("schedule", "remove", "halden-winter-2026")
    assert gone.exit_code == 2 and "no schedule named 'halden-winter-2026'" in _one_error_line(gone)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--cron", "0 2 * * 9"], "--cron '0 2 * * 9': not a valid cron expression"),
        (["--cron", "nightly"], "--cron 'nightly'"),
        (["--cron", "0 2 * * *", "--timezone", "Europe/Atlantis"], "--timezone 'Europe/Atlantis'"),
        (["--cron", "0 2 * * *", "--backend", "dall-e"], "--backend 'dall-e'"),
        (["--cron", "0 2 * * *", "--dam", "ftp://host/x"], "--dam: unsupported DAM URI 'ftp://host/x'"),
    ],
)
def test_bad_options_are_one_line_before_any_server_is_asked(
    vitrina: Vitrina, brief: Path, tmp_path: Path, args: list[str], needle: str
):
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # never reached
        result = vitrina("schedule", "add", brief, "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert needle in _one_error_line(result)


def test_a_bad_brief_names_its_file_field_and_value(vitrina: Vitrina, brief: Path, tmp_path: Path):
    edit_yaml(brief, lambda d: d.update(campaign_id="Winter Sale!"))
    result = vitrina("schedule", "add", brief, "--cron", "0 2 * * *", "--out", tmp_path / "out")
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "campaign.yaml" in line and "campaign_id" in line and "Winter Sale!" in line


def test_without_a_server_it_says_how_to_start_one(vitrina: Vitrina):
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = vitrina("schedule", "list")
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "prefect server start" in line and "PREFECT_API_URL=" in line


def test_an_unreachable_server_is_one_line_exit_1(vitrina: Vitrina):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    with temporary_settings(updates={PREFECT_API_URL: url}):
        result = vitrina("schedule", "list")
    assert result.exit_code == 1
    assert url in _one_error_line(result) and "prefect server start" in result.stderr

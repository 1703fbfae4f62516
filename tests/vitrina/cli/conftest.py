"""The CLI tested in-process: typer's CliRunner calls the app as `vitrina` would, in this process.

The Prefect settings `vitrina.cli.main:main` applies before the app are applied for the whole
session by tests/conftest.py. A real subprocess (``tests.conftest.run_vitrina``) is kept for what
only a process shows: exit codes of the installed command and a real run through Prefect.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import Result
from typer.testing import CliRunner

from vitrina.cli.main import app

if TYPE_CHECKING:
    from tests.conftest import DemoRun

Vitrina = Callable[..., Result]


@pytest.fixture(scope="session")
def vitrina() -> Vitrina:
    """``vitrina(*args, env=None)``: run one command; the result has exit_code, stdout and stderr.

    Exceptions other than the exits Typer raises propagate: a test expecting exit code 1 must not
    pass because the command crashed.
    """
    runner = CliRunner()

    def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def demo_out(demo_run: DemoRun, tmp_path: Path) -> Path:
    """A private copy of the demo run's output folder, for tests that review or publish (they
    change it; the session's run stays as it was written, whatever order tests run in)."""
    out = tmp_path / "out"
    shutil.copytree(demo_run.out, out)
    return out

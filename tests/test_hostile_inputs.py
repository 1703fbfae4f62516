"""Every case of the hostile-input corpus (scripts/hostile_corpus.py) through the installed `vitrina`.

Each case is a small campaign (or a file for `check image` / `verify`) with one thing broken on
purpose. What must hold for every one of them (issue 11, item 10):

- exit 2 and exactly one line on stderr naming the file, field or value (nothing on stdout, no
  output folder); or, when only some SKUs are bad, exit 1 with each bad SKU's reason and the other
  SKUs' banners written;
- no "Traceback" anywhere;
- nothing written outside ``--out`` (a snapshot of the whole folder around the case);
- bounded peak memory (the largest process's maximum RSS, from ``getrusage`` of a small wrapper
  that runs the command: ``run_vitrina`` runs the same command, environment and folder, but cannot
  report one command's memory, nor kill the processes a hung command started);
- no code from the inputs run (the Jinja case's payload would create a file).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest

from tests.conftest import REPO, USER_ENV

#: Peak RSS allowed to any process of one command. A real one-variant run peaks near 0.45 GB;
#: `check image` on the 81 MP corpus PNG took 2.6 GB before the pixel limit.
MAX_RSS_BYTES = 1024 * 1024 * 1024
#: A hung command (the YAML alias bomb before the fix) is killed after this long.
TIMEOUT_S = 120
#: One error line stays short: values are cut to 100 characters (pipeline.errors.shown).
MAX_LINE = 600


def _load_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_corpus", REPO / "scripts" / "hostile_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()

#: Cases that start Prefect and render banners: tens of seconds each.
SLOW = {"packshots-bad"}

_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:], stdin=subprocess.DEVNULL)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss * 1024))\n"  # Linux reports kB
    "sys.exit(code)\n"
)


class Outcome(NamedTuple):
    code: int
    stdout: str
    stderr: str
    max_rss: int


def run_measured(args: tuple[str, ...], rss_file: Path, env: dict[str, str]) -> Outcome:
    """The installed `vitrina` with ``args``, as ``tests.conftest.run_vitrina`` runs it (the user's
    environment, the repository as the working folder), plus its peak memory; killed with every
    process it started when it runs past ``TIMEOUT_S``."""
    command = Path(sys.executable).parent / "vitrina"
    assert command.is_file(), "the `vitrina` command is not installed next to the interpreter"
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, str(rss_file), str(command), *args],
        cwd=REPO,
        env={**USER_ENV, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"`vitrina {' '.join(args)}` still running after {TIMEOUT_S} s (killed)")
    rss = int(rss_file.read_text()) if rss_file.is_file() else 0
    return Outcome(proc.returncode, stdout, stderr, rss)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root: relative path -> (size, mtime in ns) for a file, (0, 0) for a
    folder (a folder's mtime changes with its entries, which are listed themselves)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[str((Path(folder) / name).relative_to(root))] = (0, 0)
        for name in files:
            path = Path(folder) / name
            info = path.lstat()
            found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Prefect's own files, kept out of the folders a case may not write to."""
    return tmp_path_factory.mktemp("prefect-home")


def _params() -> list[object]:
    return [
        pytest.param(case.name, id=case.name, marks=[pytest.mark.slow] if case.name in SLOW else [])
        for case in corpus.CASES
    ]


@pytest.mark.parametrize("name", _params())
def test_hostile_input_is_refused_in_one_line(name: str, tmp_path: Path, prefect_home: Path) -> None:
    root = tmp_path / "around"  # the case's parent: nothing may appear here but the case's --out
    case = corpus.build(name, root)
    case_dir = root / name
    out = case_dir / "out"
    before = snapshot(root)

    result = run_measured(
        case.args, tmp_path / "rss", {"PREFECT_HOME": str(prefect_home), "COLUMNS": "200", "NO_COLOR": "1"}
    )

    everything = result.stdout + result.stderr
    assert "Traceback" not in everything, everything[-3000:]
    assert result.code == case.exit_code, f"exit {result.code}, expected {case.exit_code}:\n{everything[-3000:]}"
    if case.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, f"not one line on stderr:\n{result.stderr[-3000:]}"
        line = lines[0]
        assert line.startswith("error: ") and len(line) <= MAX_LINE, line[:1000]
        for mention in case.mentions:
            assert mention.lower() in line.lower(), f"{mention!r} not named in: {line}"
        assert result.stdout.strip() == "", result.stdout[-2000:]
        assert not out.exists(), "bad input, yet an output folder was written"
    else:
        for mention in case.mentions:
            assert mention.lower() in everything.lower(), f"{mention!r} not named in:\n{everything[-3000:]}"
        for sku in case.good_skus:
            assert list((out / "runs").glob(f"*/{sku}/**/*.png")), f"no banner for the good SKU {sku}"
    after = snapshot(root)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    outside = sorted(p for p in changed if not (root / p).is_relative_to(out) and root / p != out)
    assert outside == [], f"written outside --out: {outside[:10]}"
    if case.marker:
        assert not Path(case.marker).exists(), f"the input's code ran: {case.marker} exists"
    assert 0 < result.max_rss <= MAX_RSS_BYTES, f"peak RSS {result.max_rss / 2**20:.0f} MiB"


def test_the_corpus_script_writes_its_cases_and_their_commands(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "hostile_corpus.py"), str(tmp_path), "verify-bomb", "csv-short-row"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.json", "csv-short-row", "verify-bomb"]
    assert f"vitrina run {tmp_path / 'csv-short-row'}/demo/campaign.yaml --out" in proc.stdout
    bomb = tmp_path / "verify-bomb" / "bomb.png"
    assert bomb.stat().st_size < 100_000  # 400 megapixels in a small file
    names = [c.name for c in corpus.CASES]
    assert len(names) == len(set(names))

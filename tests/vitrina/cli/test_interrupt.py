"""A killed or interrupted `vitrina run` leaves no process behind (flows/runtime.py).

The installed command runs in a subprocess with a marker in its environment; every process it
starts inherits it (Prefect's local server too), so `/proc/*/environ` finds them all whatever
their parent, process group or session. Each case waits until the flow is running (a SKU task has
begun), signals, then expects no marked process within a few seconds. Linux only (/proc).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO, USER_ENV
from tests.helpers import copy_demo

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux"),
]

_MARKER = "VITRINA_TEST_PROCESS_MARKER"


def marked(marker: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment holds ``marker``."""
    found = {}
    needle = f"{_MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone, or not ours to read
            continue
    return found


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}", pytrace=False)


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect database for the module: its first start (migrations) is the slow one."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.mark.parametrize(
    ("how", "exit_code"),
    [("kill -9", -signal.SIGKILL), ("SIGTERM", 143), ("Ctrl-C", 130)],
    ids=["kill-9", "sigterm", "ctrl-c"],
)
def test_a_killed_or_interrupted_run_leaves_no_prefect_server(
    tmp_path: Path, prefect_home: Path, how: str, exit_code: int
):
    brief = copy_demo(tmp_path)
    out = tmp_path / "out"
    marker = uuid.uuid4().hex
    command = Path(sys.executable).parent / "vitrina"
    env = {**USER_ENV, "PREFECT_HOME": str(prefect_home), _MARKER: marker, "COLUMNS": "200"}
    # Files, not pipes: a leftover server would hold a pipe open and hide the failure in a hang.
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("wb") as stderr_file:
        proc = subprocess.Popen(
            [str(command), "run", str(brief), "--out", str(out)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
            start_new_session=True,  # its own process group, as a shell job: Ctrl-C goes to the group
        )
    try:
        # A SKU task is running (it prepares the packshot cut-outs first).
        wait_for(lambda: (out / "cutouts").exists() or proc.poll() is not None, 180, "the first SKU task")
        assert proc.poll() is None, f"vitrina ended before it could be signalled:\n{stderr_path.read_text()}"
        before = marked(marker)
        servers = [pid for pid, cmd in before.items() if "prefect.server" in cmd]
        assert servers, f"no Prefect server among vitrina's processes: {before}"

        if how == "kill -9":
            proc.kill()
        elif how == "SIGTERM":
            proc.terminate()
        else:  # what a terminal does on Ctrl-C: SIGINT to the foreground process group
            os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=90)
        stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
        assert proc.returncode == exit_code, stderr
        if how != "kill -9":
            assert stderr.rstrip().endswith("interrupted; finished variants are stored"), stderr
            assert "Traceback" not in stderr, stderr

        deadline = time.monotonic() + 5
        while (left := marked(marker)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, f"still running {how} of vitrina: {left} (was {before})"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in marked(marker):
            os.kill(pid, signal.SIGKILL)  # started by this test (marked), never anything else

"""flows/runtime.py: the local Prefect server's tie to `vitrina`'s life, and interrupts.

The whole path (a real `vitrina run` killed with kill -9, SIGTERM, Ctrl-C) is tested in
tests/vitrina/cli/test_interrupt.py; here the pieces, quickly and without Prefect's server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.runtime import _BIND_TO_PARENT, interrupt_exit_code, start_local_server

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")

# A parent that starts `sleep` through the launcher, prints the sleeper's pid, then waits.
_PARENT = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-I", "-S", "-c", sys.argv[1], str(os.getpid()), "/bin/sleep", "60"])
print(child.pid, flush=True)
child.wait()
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


@linux_only
def test_the_server_launcher_makes_its_child_die_with_the_parent_even_on_kill_9():
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, _BIND_TO_PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        time.sleep(0.5)
        assert _alive(child)
        assert Path(f"/proc/{child}/cmdline").read_bytes().startswith(b"/bin/sleep")  # exec'd, same pid
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the child outlived its parent's kill -9"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


@linux_only
def test_the_server_launcher_does_not_start_if_its_parent_is_already_gone():
    # The parent named is not this child's parent: as if it had died between fork and prctl.
    gone = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _BIND_TO_PARENT, "1", "/bin/echo", "started"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert gone.returncode == 1 and gone.stdout == ""


def test_no_local_server_is_started_when_an_api_url_is_configured():
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = dict(SubprocessASGIServer._instances)
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert start_local_server() is None
    assert SubprocessASGIServer._instances == before


def test_interrupts_exit_with_the_shells_codes(monkeypatch: pytest.MonkeyPatch):
    import flows.runtime

    assert interrupt_exit_code() == 130  # a KeyboardInterrupt no handler of ours saw: Ctrl-C
    for signum, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        monkeypatch.setattr(flows.runtime, "_received", None)
        monkeypatch.setattr(flows.runtime.logging, "disable", lambda level: None)  # not this process's logs
        with pytest.raises(KeyboardInterrupt):
            flows.runtime._interrupt(signum, None)
        assert interrupt_exit_code() == code

"""A real Dask cluster for tests: one ``dask scheduler`` and N ``dask worker`` processes on loopback.

Separate processes, as on real machines: a task reaches a worker only pickled by reference, so the
workers must import the project (the editable install; ``PYTHONPATH`` adds the repository for
functions defined in test modules) and need everything shared through the environment: the
Prefect API of the test server, the quiet Prefect settings of `flows.runtime`, one OpenMP thread
for Tesseract, and whatever the caller adds (S3 credentials and endpoint).

Workers run without a nanny (``--no-nanny``): one process each, one thread each. Each process is
the leader of its own process group, and teardown ends each group by its id (SIGTERM, then SIGKILL
after a grace period), even when the test failed. `_die_with_parent` (tests/conftest.py) also
SIGKILLs them if pytest itself dies hard.

Also here: ``prefect_harness()``, Prefect's test server (`prefect_test_harness`) as a context
that yields its API URL, for tests whose other processes must reach the same server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO, _die_with_parent, _free_ports

_READY_TIMEOUT_S = 60.0
_STOP_GRACE_S = 3.0


@contextmanager
def prefect_harness() -> Iterator[str]:
    """Prefect's test server (a temporary SQLite database, no scheduler service) for the block;
    yields its API URL (this process uses it; hand it to other processes as PREFECT_API_URL)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        url = PREFECT_API_URL.value()
        assert url, "the Prefect test harness set no API URL"
        yield str(url)


def _dask_command() -> str:
    command = Path(sys.executable).parent / "dask"
    if not command.is_file():
        pytest.fail(
            f"the `dask` command is not installed next to {sys.executable}; install the project "
            "(pip install -e '.[test]', which brings prefect-dask and distributed)",
            pytrace=False,
        )
    return str(command)


def worker_env(prefect_api: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the cluster's processes: this session's (which has the quiet Prefect
    settings of `flows.runtime.configure_prefect`, applied in tests/conftest.py) plus the test
    server's API URL, one OpenMP thread, the repository on the path and `extra`."""
    from flows.runtime import QUIET_PREFECT

    env = {**os.environ, **QUIET_PREFECT, "PREFECT_API_URL": prefect_api, "OMP_THREAD_LIMIT": "1"}
    env.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the process group this fixture started for `proc` (its own session: pgid == pid)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@contextmanager
def running_dask_cluster(prefect_api: str, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start a scheduler and `workers` single-threaded workers on 127.0.0.1, yield the
    scheduler's address (``tcp://127.0.0.1:PORT``) once every worker has joined, stop them all."""
    dask = _dask_command()
    environment = worker_env(prefect_api, env)
    (port,) = _free_ports(1)
    address = f"tcp://127.0.0.1:{port}"
    with ExitStack() as cleanup:
        work = Path(tempfile.mkdtemp(prefix="vitrina-dask-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        logs: list[Path] = []

        def start(name: str, *args: str) -> subprocess.Popen[bytes]:
            log_path = work / f"{name}.log"
            logs.append(log_path)
            log = cleanup.enter_context(open(log_path, "wb"))
            proc = subprocess.Popen(
                [dask, *args],
                cwd=work,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: teardown ends it by id, Ctrl-C reaches pytest
                preexec_fn=_die_with_parent(),
            )
            cleanup.callback(_stop, proc)
            return proc

        procs = [start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
        for n in range(workers):
            procs.append(
                start(
                    f"worker-{n}",
                    "worker",
                    address,
                    "--name",
                    f"w{n}",
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--local-directory",
                    str(work / f"w{n}"),
                )
            )
        _wait_for_workers(address, workers, procs, logs)
        yield address


def _wait_for_workers(address: str, count: int, procs: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    from distributed import Client

    deadline = time.monotonic() + _READY_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        for proc, log in zip(procs, logs, strict=True):
            if proc.poll() is not None:
                pytest.fail(f"{log.stem} exited with {proc.returncode}; log tail:\n{_tail(log)}", pytrace=False)
        try:
            with Client(address, timeout=5) as client:  # type: ignore[no-untyped-call]
                client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
            return
        except Exception as exc:  # not up yet: the scheduler's port, or the workers' registration
            last = exc
            time.sleep(0.2)
    tails = "\n".join(f"--- {log.stem}:\n{_tail(log)}" for log in logs)
    pytest.fail(f"Dask cluster at {address} not ready after {_READY_TIMEOUT_S:.0f} s ({last}):\n{tails}", pytrace=False)

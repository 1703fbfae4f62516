"""Where a campaign run's SKU tasks execute, and how generation steps share GPUs.

`task_runner_for(name, address)` picks the Prefect task runner:

- ``threads`` (default): Prefect's `ThreadPoolTaskRunner` in this process, one worker per core.
- ``dask``: `prefect_dask.DaskTaskRunner`. With an address (``tcp://HOST:8786``) the tasks go to
  that running Dask cluster (``dask scheduler`` + ``dask worker`` on each machine); without one a
  `distributed.LocalCluster` of one single-threaded worker process per core is started for the run.
  Tasks are pickled by reference, so each worker needs Vitrina installed, the same Prefect API
  (``PREFECT_API_URL``), the shared catalog (``--db postgresql://...``) and the shared blob store
  (``--blobs s3://...``). Per-task overhead is real (docs/facts.md: 200 no-op tasks take 1.6 s on
  threads, 32 s on a fresh LocalCluster), which is why a task is a batch of SKUs, never a variant.

`generation_slot(name)` holds one slot of Prefect's global concurrency limit `name` (``gpu``:
created once with ``prefect gcl create gpu --limit 1``, one slot per GPU) while a scene is
generated, so two tasks on one machine never share a GPU whatever runner they are on.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

from pipeline.errors import InputError, VitrinaError, shown

__all__ = ["TASK_RUNNERS", "DASK_PORT", "check_task_runner", "task_runner_for", "dask_address", "generation_slot"]

TASK_RUNNERS = ("threads", "dask")
#: The Dask scheduler's default port (`dask scheduler --port`).
DASK_PORT = 8786
#: Seconds to wait for the scheduler to accept a connection before the run starts: a wrong address
#: fails at once with its name, not after Dask's own 30 s connect timeout, mid-run.
CONNECT_TIMEOUT_S = 3.0


def dask_address(address: str) -> tuple[str, int]:
    """(host, port) of a scheduler address: ``tcp://HOST:PORT``, ``HOST:PORT`` or ``HOST``
    (port 8786); InputError naming it when it is not one."""
    text = address.strip() if isinstance(address, str) else ""
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    try:
        port = parts.port or DASK_PORT
    except ValueError:  # a port that is not a number, or out of range
        port = 0
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port or parts.path not in ("", "/"):
        raise InputError(f"--dask-address {shown(address)}: not a Dask scheduler address; use tcp://HOST:{DASK_PORT}")
    return parts.hostname, port


def _check_reachable(address: str) -> None:
    host, port = dask_address(address)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__).lower()
        raise VitrinaError(
            f"--dask-address {shown(address)}: no Dask scheduler reachable at {host}:{port} ({reason} within "
            f"{CONNECT_TIMEOUT_S:g} s); start one with `dask scheduler` and workers with `dask worker {address}`"
        ) from None


def check_task_runner(name: str, address: str | None = None) -> None:
    """What `task_runner_for` checks, without importing Prefect: a one-line error for an unknown
    runner, an address without dask, or an address that is malformed or where no scheduler
    accepts a connection."""
    if name not in TASK_RUNNERS:
        raise InputError(f"--task-runner {shown(name)}: unknown task runner; use one of {', '.join(TASK_RUNNERS)}")
    if address and name != "dask":
        raise InputError(f"--dask-address {shown(address)}: only for --task-runner dask")
    if address:
        _check_reachable(address)


def task_runner_for(name: str, address: str | None = None) -> Any:
    """The Prefect task runner `name` (``threads`` or ``dask``; see the module docstring), after
    `check_task_runner`."""
    check_task_runner(name, address)
    if name == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1)
    from prefect_dask.task_runners import DaskTaskRunner  # "dask", the only other one

    if address:
        return DaskTaskRunner(address=address)
    # Processes, one thread each: rendering holds the GIL for much of its time, and Tesseract
    # runs one process per read (OMP_THREAD_LIMIT=1, flows/runtime.py).
    cluster = {"n_workers": os.cpu_count() or 1, "threads_per_worker": 1, "processes": True}
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=cluster)


@contextmanager
def generation_slot(name: str | None, timeout_s: float | None = None) -> Iterator[None]:
    """Hold one slot of Prefect's global concurrency limit `name` for the block (None or "": no
    limit). The limit must exist: strict acquisition turns a missing one into a one-line
    VitrinaError saying how to create it, instead of Prefect's silent "nothing is limited".
    `timeout_s`: give up waiting for a free slot after that long (None: wait as long as it takes)."""
    if not name:
        yield
        return
    from prefect.concurrency._asyncio import AcquireConcurrencySlotTimeoutError, ConcurrencySlotAcquisitionError
    from prefect.concurrency.sync import concurrency

    with ExitStack() as stack:
        try:
            stack.enter_context(concurrency(name, occupy=1, timeout_seconds=timeout_s, strict=True))
        except AcquireConcurrencySlotTimeoutError:
            raise VitrinaError(
                f"GPU slot {shown(name)}: no slot of the Prefect concurrency limit came free within {timeout_s:g} s"
            ) from None
        except ConcurrencySlotAcquisitionError as exc:
            if "must be created" in str(exc):
                raise VitrinaError(
                    f"GPU slot {shown(name)}: the Prefect global concurrency limit does not exist; create it "
                    f"with `prefect gcl create {name} --limit 1` (one slot per GPU)"
                ) from None
            cause = exc.__cause__ or exc
            raise VitrinaError(
                f"GPU slot {shown(name)}: cannot take a slot of the Prefect concurrency limit: "
                f"{' '.join(str(cause).split())[:200]}"
            ) from None
        yield

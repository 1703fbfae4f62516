"""Task runners and the GPU slot (flows/scaleout.py), against Prefect's test server and a real
2-worker Dask cluster in separate processes (tests/dask_cluster.py)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.scaleout import generation_slot, task_runner_for
from pipeline.errors import InputError, VitrinaError
from tests.conftest import _free_ports
from tests.dask_cluster import prefect_harness, running_dask_cluster


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    with prefect_harness() as url:
        yield url


def _create_limit(name: str, limit: int = 1) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=limit))


# --- task_runner_for ------------------------------------------------------------------------


def test_threads_runner_has_one_worker_per_core():
    from prefect.task_runners import ThreadPoolTaskRunner

    runner = task_runner_for("threads")
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == os.cpu_count()


def test_local_dask_runner_starts_single_threaded_processes_per_core():
    from prefect_dask.task_runners import DaskTaskRunner

    runner = task_runner_for("dask")
    assert isinstance(runner, DaskTaskRunner)
    assert runner.cluster_kwargs == {"n_workers": os.cpu_count(), "threads_per_worker": 1, "processes": True}


@pytest.mark.parametrize(
    ("name", "address", "named"),
    [
        ("ray", None, "--task-runner 'ray'"),
        ("dask", "http://sched:8786", "--dask-address 'http://sched:8786'"),
        ("dask", "tcp://sched:notaport", "--dask-address 'tcp://sched:notaport'"),
        ("dask", "tcp://:8786", "--dask-address 'tcp://:8786'"),
        ("threads", "tcp://sched:8786", "--dask-address 'tcp://sched:8786': only for --task-runner dask"),
    ],
)
def test_bad_runner_options_are_one_line_naming_the_value(name: str, address: str | None, named: str):
    with pytest.raises(InputError) as caught:
        task_runner_for(name, address)
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_unreachable_scheduler_fails_at_once_naming_the_address():
    (port,) = _free_ports(1)  # nothing listens there
    started = time.monotonic()
    with pytest.raises(VitrinaError) as caught:
        task_runner_for("dask", f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert f"tcp://127.0.0.1:{port}" in message and "no Dask scheduler reachable" in message
    assert "dask scheduler" in message and "\n" not in message


# --- generation_slot --------------------------------------------------------------------------


def test_no_slot_name_limits_nothing():
    with generation_slot(None), generation_slot(""):
        pass


@pytest.mark.slow  # Prefect's test server (about 18 s to start, once per module)
def test_missing_limit_says_how_to_create_it(prefect_api: str):
    name = f"gpu-missing-{uuid.uuid4().hex[:6]}"
    with pytest.raises(VitrinaError) as caught, generation_slot(name):
        pytest.fail("the block must not run without the limit")
    assert str(caught.value) == (
        f"GPU slot '{name}': the Prefect global concurrency limit does not exist; "
        f"create it with `prefect gcl create {name} --limit 1` (one slot per GPU)"
    )


@pytest.mark.slow  # Prefect's test server (about 18 s to start, once per module)
def test_two_threads_holding_the_slot_never_overlap(prefect_api: str):
    name = f"gpu-{uuid.uuid4().hex[:6]}"
    _create_limit(name)
    spans: list[tuple[float, float]] = []
    errors: list[BaseException] = []

    def generate() -> None:
        try:
            with generation_slot(name):
                start = time.monotonic()
                time.sleep(0.4)
                spans.append((start, time.monotonic()))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    (a0, a1), (b0, b1) = sorted(spans)
    assert a1 <= b0, f"both held the slot at once: {spans}"


@pytest.mark.slow  # Prefect's test server (about 18 s to start, once per module)
def test_an_error_inside_the_slot_is_the_callers_and_frees_the_slot(prefect_api: str):
    name = f"gpu-{uuid.uuid4().hex[:6]}"
    _create_limit(name)
    with pytest.raises(ZeroDivisionError), generation_slot(name):
        1 / 0  # noqa: B018
    with generation_slot(name, timeout_s=10):  # free again
        pass


# --- the Dask cluster fixture -----------------------------------------------------------------


@task(cache_policy=NO_CACHE)
def where_am_i(n: int) -> tuple[int, int, str | None]:
    time.sleep(0.3)  # long enough that both workers get work
    return n, os.getpid(), os.environ.get("OMP_THREAD_LIMIT")


@pytest.mark.slow  # Prefect's test server (about 18 s to start, once per module)
def test_tasks_run_in_the_cluster_worker_processes(prefect_api: str):
    with running_dask_cluster(prefect_api, workers=2) as address:

        @flow(task_runner=task_runner_for("dask", address))
        def spread() -> list[tuple[int, int, str | None]]:
            return [f.result() for f in where_am_i.map(range(6))]

        results = spread()
    assert [n for n, _, _ in results] == list(range(6))
    pids = {pid for _, pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes, not this one
    assert {omp for _, _, omp in results} == {"1"}

"""Deployments and schedules (flows/deployments.py) against Prefect's real server in the test
harness. The harness runs no scheduler service, so the tests ask the API to make the scheduled
runs (`POST /deployments/{id}/schedule`, what the scheduler does) and check their start times and
parameters. The `catalog-refresh` flow itself runs in-process on a one-variant brief: twice, so the
second (scheduled-style) run is incremental, fires `run.completed` and publishes what was approved.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from prefect import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.testing.utilities import prefect_test_harness

from flows.deployments import (
    CAMPAIGN_RUN_HELP,
    _as_served,
    campaign_run_deployment,
    catalog_refresh,
    catalog_refresh_deployment,
    register,
    remove_refresh,
    scheduled_refreshes,
)
from pipeline.errors import InputError
from pipeline.storage.outbox import new_secret
from pipeline.storage.store import Store
from tests.helpers import copy_demo, edit_yaml

SKU = "B074M5HPBD"


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    """One harness server for the module (each start costs seconds)."""
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """The demo brief cut to one variant: one SKU, scene, format and locale."""
    path = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = [SKU], d["scenes"][:1], ["square"], ["en-US"]

    edit_yaml(path, small)
    return path


def _scheduled_runs(deployment_id: UUID, count: int = 3) -> list[Any]:
    with get_client(sync_client=True) as client:
        answer = client._client.post(f"/deployments/{deployment_id}/schedule", json={"min_runs": count})
        answer.raise_for_status()
        runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])))
    return sorted(runs, key=lambda r: r.expected_start_time)


def test_a_catalog_refresh_is_scheduled_on_its_cron_in_its_time_zone_with_the_briefs_parameters(
    prefect_server: None, brief: Path, tmp_path: Path
):
    deployment = catalog_refresh_deployment(
        brief, tmp_path / "out", "30 2 * * 1-5", timezone="Europe/Berlin", dam=f"file://{tmp_path / 'dam'}"
    )
    assert deployment.name == "halden-winter-2026"  # the brief's campaign id
    runs = _scheduled_runs(register(deployment))

    assert len(runs) >= 3
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime.now(UTC)
    for run in runs[:3]:
        local = run.expected_start_time.astimezone(berlin)
        assert (local.hour, local.minute, local.second) == (2, 30, 0)
        assert local.isoweekday() <= 5  # Monday to Friday
        assert now < run.expected_start_time < now + timedelta(days=8)
        assert run.state is not None and run.state.is_scheduled()
        assert run.parameters == {
            "brief": str(brief.resolve()),
            "out": str((tmp_path / "out").resolve()),
            "backend": "studio",
            "db": None,
            "dam": f"file://{(tmp_path / 'dam').resolve()}",
        }
    starts = [r.expected_start_time for r in runs[:3]]
    assert len(set(starts)) == 3

    listed = {s.name: s for s in scheduled_refreshes(next_count=3)}["halden-winter-2026"]
    assert (listed.cron, listed.timezone, listed.active) == ("30 2 * * 1-5", "Europe/Berlin", True)
    assert [datetime.fromisoformat(t) for t in listed.next_runs] == starts


def test_adding_again_updates_and_serving_keeps_the_schedule_and_remove_deletes_it(
    prefect_server: None, brief: Path, tmp_path: Path
):
    register(catalog_refresh_deployment(brief, tmp_path / "out", "0 2 * * *", name="nightly"))
    register(catalog_refresh_deployment(brief, tmp_path / "out", "15 3 * * *", name="nightly"))
    assert [s.cron for s in scheduled_refreshes() if s.name == "nightly"] == ["15 3 * * *"]

    # `vitrina schedule serve` applies each deployment again: its schedule must survive that.
    with get_client(sync_client=True) as client:
        stored = client.read_deployment_by_name("catalog-refresh/nightly")
    register(_as_served(stored))
    (nightly,) = [s for s in scheduled_refreshes() if s.name == "nightly"]
    assert (nightly.cron, nightly.active) == ("15 3 * * *", True)

    assert remove_refresh("catalog-refresh/nightly") is True
    assert "nightly" not in {s.name for s in scheduled_refreshes()}
    assert remove_refresh("nightly") is False


def test_campaign_run_deployment_gives_marketers_a_described_form(prefect_server: None, brief: Path, tmp_path: Path):
    deployment_id = register(campaign_run_deployment())
    # a name can only reach catalog-refresh deployments: campaign-run stays
    assert remove_refresh("campaign-run") is False
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
        schema = stored.parameter_openapi_schema or {}
        props = schema["properties"]
        assert schema["required"] == ["brief", "out"]
        for name in ("brief", "out", "backend"):
            assert props[name]["description"] == CAMPAIGN_RUN_HELP[name]
        assert props["backend"]["enum"] == ["studio", "diffusion"] and props["backend"]["default"] == "studio"
        run = client.create_flow_run_from_deployment(
            deployment_id, parameters={"brief": str(brief), "out": str(tmp_path / "ui-out")}
        )
    assert run.parameters["brief"] == str(brief) and run.parameters["backend"] == "studio"
    assert stored.entrypoint == "flows.campaign.campaign_run"  # runs from any folder where Vitrina is installed


@pytest.mark.parametrize(
    ("cron", "timezone", "name", "needle"),
    [
        ("0 2 * *", None, None, "--cron '0 2 * *'"),
        ("0 25 * * *", None, None, "--cron '0 25 * * *'"),
        ("0 2 * * *", "Mars/Olympus", None, "--timezone 'Mars/Olympus'"),
        ("0 2 * * *", None, "../etc", "schedule name '../etc'"),
        ("0 2 * * *", None, "Nightly Run", "schedule name 'Nightly Run'"),
    ],
)
def test_bad_schedules_are_refused_in_one_line_naming_the_value(
    brief: Path, tmp_path: Path, cron: str, timezone: str | None, name: str | None, needle: str
):
    with pytest.raises(InputError) as caught:
        catalog_refresh_deployment(brief, tmp_path / "out", cron, timezone=timezone, name=name)
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_a_database_password_is_never_stored_with_a_schedule(brief: Path, tmp_path: Path):
    with pytest.raises(InputError) as caught:
        catalog_refresh_deployment(brief, tmp_path / "out", "0 2 * * *", db="postgresql+psycopg://v:s3cret@db/v")
    assert "s3cret" not in str(caught.value) and "PGPASSWORD" in str(caught.value)


def test_catalog_refresh_fires_run_completed_and_publishes_what_is_approved(
    prefect_server: None, brief: Path, tmp_path: Path
):
    out, dam = tmp_path / "out", tmp_path / "dam"
    store = Store(out)
    hook = store.add_webhook("https://hooks.example.com/vitrina", ["run.completed"], new_secret(), by="ops")
    store.close()

    first = catalog_refresh(brief=str(brief), out=str(out), dam=f"file://{dam}")
    assert first["run"]["variants"] == 1 and first["run"]["failed_skus"] == []
    assert first["publish"]["uploaded"] == 0  # nothing approved yet
    store = Store.open_existing(out)
    (variant,) = store.variants(run_id=first["run"]["run_id"])
    store.decide(variant.variant_id, "approved", "ops")
    store.close()

    second = catalog_refresh(brief=str(brief), out=str(out), dam=f"file://{dam}")
    assert (second["run"]["variants"], second["run"]["reused"]) == (1, 1)  # incremental: nothing rendered
    assert second["publish"]["uploaded"] == 1 and second["publish"]["failed"] == []
    published = sorted(p.name for p in dam.rglob("*") if p.is_file())
    assert any(name.endswith(".cutout.png") for name in published)
    assert any(name.endswith(".json") and not name.endswith(".meta.json") for name in published)

    store = Store.open_existing(out)
    completed = [d for d in store.deliveries(webhook_id=hook.webhook_id) if d.event == "run.completed"]
    store.close()
    runs = sorted(r["run"]["run_id"] for r in (first, second))
    assert sorted(d.payload["data"]["run_id"] for d in completed) == runs
    assert all(d.status == "pending" and d.payload["data"]["campaign_id"] == "halden-winter-2026" for d in completed)


def test_a_cluster_refresh_stores_its_scale_out_options_and_refuses_bad_ones(brief: Path, tmp_path: Path):
    deployment = catalog_refresh_deployment(
        brief, tmp_path / "out", "0 2 * * *", task_runner="dask", dask_address="tcp://dask:8786", gpu_slot="gpu"
    )
    assert {k: deployment.parameters[k] for k in ("task_runner", "dask_address", "gpu_slot")} == {
        "task_runner": "dask",
        "dask_address": "tcp://dask:8786",
        "gpu_slot": "gpu",
    }
    for options, needle in (
        ({"task_runner": "ray"}, "--task-runner 'ray'"),
        ({"dask_address": "tcp://dask:8786"}, "only for --task-runner dask"),
        ({"task_runner": "dask", "dask_address": "http://dask"}, "--dask-address"),
        ({"blobs": "ftp://bucket/x"}, "--blobs"),
    ):
        with pytest.raises(InputError) as caught:
            catalog_refresh_deployment(brief, tmp_path / "out", "0 2 * * *", **options)
        assert needle in str(caught.value)

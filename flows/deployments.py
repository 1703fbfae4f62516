"""Prefect deployments: `campaign-run` (a marketer starts a campaign from the Prefect UI) and one
`catalog-refresh` per brief on a cron schedule (catalog turnover), declared here in Python.

Why `serve` and not `prefect.yaml` + a work pool (docs/operations.md): a served deployment needs
no work pool, no worker type and no code storage, and the process that serves it is the one that
has Vitrina, its fonts and its models installed. `vitrina schedule add` registers a deployment on
the Prefect server (it survives restarts there); `vitrina schedule serve` runs whatever is
scheduled or triggered, and picks up schedules added while it runs. Stopping it pauses the
deployments it served (Prefect's default: runs do not pile up as "Late" while nothing serves
them); serving again resumes them.

A refresh is an ordinary campaign run (incremental: an unchanged catalog renders nothing), so it
enqueues the `run.completed` webhook event like any run; when a DAM is given it then publishes
what is approved and retracts what must go, exactly like `vitrina publish`.

Prefect stores a deployment's parameters: they hold paths and URLs, never a password (a database
URL with one is refused; psycopg reads PGPASSWORD and ~/.pgpass on the serving machine).
"""

from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger

from flows.campaign import BACKENDS, campaign_run
from pipeline.errors import InputError

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.client.schemas.responses import DeploymentResponse
    from prefect.deployments.runner import RunnerDeployment
    from prefect.runner import Runner

__all__ = [
    "CAMPAIGN_RUN",
    "CATALOG_REFRESH",
    "ScheduledRefresh",
    "catalog_refresh",
    "campaign_run_deployment",
    "catalog_refresh_deployment",
    "check_cron",
    "check_deployment_name",
    "register",
    "scheduled_refreshes",
    "remove_refresh",
    "serve_deployments",
    "publish_to",
]

CAMPAIGN_RUN = "campaign-run"
CATALOG_REFRESH = "catalog-refresh"
#: A deployment name: what a campaign id may be (pipeline.model.campaign), so it is safe in a
#: Prefect name (no "/", "%", "&", "<", ">"), a URL and a shell.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
TAGS = ["vitrina"]

#: What the Prefect UI shows next to each parameter of `campaign-run` (its flow's docstring is
#: prose, not an "Args:" list Prefect could read them from).
CAMPAIGN_RUN_HELP = {
    "brief": "Campaign brief YAML: a path on the machine that runs `vitrina schedule serve` "
    "(absolute, or relative to the folder it was started in), e.g. /srv/vitrina/briefs/spring.yaml",
    "out": "Output folder (catalog, banners, reports) on that machine. Runs into the same folder "
    "are incremental: what has not changed is not rendered again.",
    "backend": "Scene backend: studio (model-free brand-palette sets) or diffusion (needs a model; "
    "see `vitrina models`).",
    "db": "Catalog database URL, e.g. postgresql+psycopg://vitrina@dbhost/vitrina (default: "
    "catalog.sqlite in the output folder). Never put a password here: Prefect stores parameters.",
    "run_id": "Leave empty: a new run id is made.",
    "backend_options": 'Diffusion only, e.g. {"steps": 20}; leave empty.',
    "force": "Render every variant again, even the unchanged ones.",
    "blobs": "Shared blob store for a cluster, s3://bucket/prefix (default: the output folder).",
    "task_runner": "Where SKU batches run: threads (the serving machine) or dask (a Dask cluster).",
    "dask_address": "Dask scheduler for task_runner dask, tcp://HOST:8786 (empty: a local cluster).",
    "gpu_slot": "Prefect global concurrency limit each generation step takes, e.g. gpu "
    "(`prefect gcl create gpu --limit 1`: one per GPU).",
}


@flow(name=CATALOG_REFRESH, validate_parameters=False)
def catalog_refresh(
    brief: str,
    out: str,
    backend: str = "studio",
    db: str | None = None,
    dam: str | None = None,
    blobs: str | None = None,
    task_runner: str = "threads",
    dask_address: str | None = None,
    gpu_slot: str | None = None,
) -> dict[str, Any]:
    """Refresh a campaign from its catalog: render what changed, then publish and retract.

    Args:
        brief: Campaign brief YAML (a path on the machine that serves the deployment).
        out: Output folder; refreshes into the same folder render only what changed.
        backend: Scene backend: studio or diffusion.
        db: Catalog database URL (default: catalog.sqlite in the output folder); no password in it.
        dam: Where to publish what is approved (file://DIR or s3://bucket/prefix); empty: do not publish.
        blobs: Shared blob store for a cluster (s3://bucket/prefix); empty: the output folder.
        task_runner: Where SKU batches run: threads (this machine) or dask.
        dask_address: Dask scheduler (tcp://HOST:8786) for task_runner dask; empty: a local cluster.
        gpu_slot: Prefect global concurrency limit each generation step takes (e.g. gpu).
    """
    # Only what differs from campaign_run's defaults is passed: a refresh declared without
    # scale-out keeps working whatever scale-out options campaign_run grows or renames.
    extra = {"blobs": blobs, "dask_address": dask_address, "gpu_slot": gpu_slot}
    scale_out: dict[str, Any] = {k: v for k, v in extra.items() if v}
    if task_runner != "threads":
        scale_out["task_runner"] = task_runner
    summary = campaign_run(brief=brief, out=out, backend=backend, db=db, **scale_out)
    published = publish_to(dam, Path(out), db, blobs) if dam else None
    return {"run": summary, "publish": published}


def publish_to(dam: str, out: Path, db: str | None, blobs: str | None = None) -> dict[str, Any]:
    """`vitrina publish --dam DAM --out OUT` inside a flow: the same store, connector and signer
    (VITRINA_C2PA_KEY/VITRINA_C2PA_CERTS on the serving machine, else the local TEST signer)."""
    from dam_connectors import connector_for
    from flows.publish import publish_approved
    from pipeline.provenance import load_or_create_signer
    from pipeline.storage.store import Store

    key, certs = (os.environ.get(name) for name in ("VITRINA_C2PA_KEY", "VITRINA_C2PA_CERTS"))
    signer, created = load_or_create_signer(out, Path(key) if key else None, Path(certs) if certs else None)
    logger = get_run_logger()
    if created:
        logger.warning("created a local TEST signing CA in %s (set VITRINA_C2PA_KEY/VITRINA_C2PA_CERTS)", out)
    shared = None
    if blobs:  # the masters were written by workers elsewhere: read them from the shared store
        from dam_connectors.s3_blobs import blob_backend_for

        shared = blob_backend_for(blobs)
    store = Store.open_existing(out, db, shared)
    connector = connector_for(dam)
    try:
        report = publish_approved(store, connector, signer)
    finally:
        connector.close()
        store.close()
    for vid, reason in report.failed:
        logger.warning("publish %s: %s", vid, reason)
    return {
        "dam": report.dam,
        "uploaded": len(report.uploaded),
        "already": len(report.already),
        "retracted": len(report.retracted),
        "skipped": len(report.skipped),
        "failed": [{"id": i, "reason": r} for i, r in report.failed],
        "not_attempted": report.not_attempted,
    }


# --- declaring deployments -----------------------------------------------------------------------


def check_deployment_name(name: str) -> str:
    """`name` when it may name a `catalog-refresh` deployment; InputError (one line) otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(
            f"schedule name {name!r}: use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"
        )
    return name


def check_cron(cron: str, timezone: str | None = None) -> Any:
    """The Prefect cron schedule for `cron` in `timezone` (IANA name, default UTC); InputError
    (one line naming the value) for a cron expression or time zone Prefect would not take."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InputError(f"--timezone {timezone!r}: not an IANA time zone (e.g. Europe/Berlin, UTC)") from None
    if not isinstance(cron, str) or len(cron.split()) not in (5, 6):
        raise InputError(f"--cron {cron!r}: use five fields, minute hour day month weekday (e.g. '0 2 * * *')")
    try:
        return CronSchedule(cron=cron, timezone=timezone or "UTC")
    except ValidationError:
        raise InputError(
            f"--cron {cron!r}: not a valid cron expression (minute hour day month weekday, e.g. '0 2 * * *')"
        ) from None


def _check_db(db: str | None) -> str | None:
    if db is None:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db)
    except ArgumentError:
        raise InputError(
            f"--db {db!r}: not a database URL (e.g. postgresql+psycopg://vitrina@dbhost/vitrina)"
        ) from None
    if url.password:
        shown = url.render_as_string(hide_password=True)
        raise InputError(
            f"--db {shown}: holds a password, which Prefect would store with the schedule; "
            "use PGPASSWORD or ~/.pgpass on the serving machine"
        )
    return db


def _check_dam(dam: str | None) -> str | None:
    """The DAM URI as the serving process will read it (a relative folder made absolute)."""
    if dam is None:
        return None
    from dam_connectors import DamError, connector_for

    try:
        connector_for(dam).close()
    except DamError as exc:
        raise InputError(f"--dam: {exc}") from None
    if dam.startswith("file://"):
        return "file://" + str(Path(dam[len("file://") :]).resolve())
    if "://" not in dam:
        return str(Path(dam).resolve())
    return dam


def _check_scale_out(
    blobs: str | None, task_runner: str, dask_address: str | None, gpu_slot: str | None
) -> dict[str, Any]:
    """The scale-out parameters of a refresh, checked (InputError, one line); only those given,
    so a refresh without them stores none."""
    from dam_connectors import DamError
    from flows.scaleout import TASK_RUNNERS
    from flows.scaleout import dask_address as parse_dask_address

    if task_runner not in TASK_RUNNERS:
        raise InputError(f"--task-runner {task_runner!r}: unknown task runner; use one of {', '.join(TASK_RUNNERS)}")
    if dask_address:
        if task_runner != "dask":
            raise InputError(f"--dask-address {dask_address!r}: only for --task-runner dask")
        parse_dask_address(dask_address)  # reachability is checked by each run, where it runs
    if blobs:
        from dam_connectors.s3_blobs import blob_backend_for

        try:
            blob_backend_for(blobs)
        except DamError as exc:
            raise InputError(f"--blobs: {exc}") from None
    if gpu_slot is not None and (not gpu_slot.strip() or any(c.isspace() for c in gpu_slot)):
        raise InputError(f"--gpu-slot {gpu_slot!r}: name a Prefect global concurrency limit, e.g. gpu")
    given = {"blobs": blobs, "dask_address": dask_address, "gpu_slot": gpu_slot}
    found: dict[str, Any] = {k: v for k, v in given.items() if v}
    if task_runner != "threads":
        found["task_runner"] = task_runner
    return found


def campaign_run_deployment() -> RunnerDeployment:
    """The `campaign-run` deployment: no schedule, started from the Prefect UI (or
    `prefect deployment run campaign-run/campaign-run -p brief=... -p out=...`)."""
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    deployment = RunnerDeployment.from_flow(
        campaign_run,
        name=CAMPAIGN_RUN,
        parameters={"backend": "studio"},
        description="Start a campaign: render, check and store every banner of a brief (then review in Vitrina).",
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs wherever Vitrina is installed, from any folder
    )
    schema = deployment._parameter_openapi_schema  # the UI's form; no public setter in Prefect 3.8
    for name, text in CAMPAIGN_RUN_HELP.items():
        if name in schema.properties:
            schema.properties[name]["description"] = text
    if "backend" in schema.properties:
        schema.properties["backend"]["enum"] = list(BACKENDS)
    return deployment


def catalog_refresh_deployment(
    brief: Path,
    out: Path,
    cron: str,
    *,
    backend: str = "studio",
    db: str | None = None,
    dam: str | None = None,
    timezone: str | None = None,
    name: str | None = None,
    blobs: str | None = None,
    task_runner: str = "threads",
    dask_address: str | None = None,
    gpu_slot: str | None = None,
) -> RunnerDeployment:
    """The `catalog-refresh/<name>` deployment of one brief on `cron` (default name: the brief's
    campaign id). Everything is checked first: ConfigError naming the brief's file/field/value,
    InputError naming the option and value."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    from pipeline.model.campaign import DEFAULT_PROMPTS, load_campaign

    campaign = load_campaign(Path(brief), DEFAULT_PROMPTS)
    if backend not in BACKENDS:
        raise InputError(f"--backend {backend!r}: unknown backend; available: {', '.join(BACKENDS)}")
    schedule = check_cron(cron, timezone)
    name = check_deployment_name(name or campaign.brief.campaign_id)
    parameters: dict[str, Any] = {
        "brief": str(Path(brief).resolve()),
        "out": str(Path(out).resolve()),
        "backend": backend,
        "db": _check_db(db),
        "dam": _check_dam(dam),
        **_check_scale_out(blobs, task_runner, dask_address, gpu_slot),
    }
    return RunnerDeployment.from_flow(
        catalog_refresh,
        name=name,
        parameters=parameters,
        schedules=[DeploymentScheduleCreate(schedule=schedule, active=True)],
        description=f"Refresh campaign {campaign.brief.campaign_id} from its catalog"
        + (f", then publish to {parameters['dam']}" if dam else ""),
        tags=[*TAGS, f"campaign:{campaign.brief.campaign_id}"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def register(deployment: RunnerDeployment) -> UUID:
    """Create or update `deployment` on the configured Prefect server; its id."""
    deployment_id: UUID = deployment.apply()  # type: ignore[assignment]  # sync outside an event loop
    return deployment_id


# --- the schedules on the server -----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledRefresh:
    """One `catalog-refresh` deployment as the server holds it."""

    name: str
    deployment_id: str
    cron: str | None
    timezone: str | None
    active: bool  # its schedule is on and the deployment is not paused
    paused: bool
    next_runs: list[str]  # ISO times in the schedule's time zone
    parameters: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "deployment": f"{CATALOG_REFRESH}/{self.name}",
            "id": self.deployment_id,
            "cron": self.cron,
            "timezone": self.timezone,
            "active": self.active,
            "paused": self.paused,
            "next_runs": self.next_runs,
            "parameters": self.parameters,
        }


async def _next_runs(cron: str, timezone: str | None, count: int) -> list[str]:
    from prefect.server.schemas.schedules import CronSchedule

    dates = await CronSchedule(cron=cron, timezone=timezone or "UTC").get_dates(n=count, start=datetime.now(UTC))
    return [d.isoformat() for d in dates]


async def _describe(d: DeploymentResponse, count: int) -> ScheduledRefresh:
    from prefect.client.schemas.schedules import CronSchedule

    cron = timezone = None
    on = False
    for s in d.schedules:
        if isinstance(s.schedule, CronSchedule):
            cron, timezone, on = s.schedule.cron, s.schedule.timezone, bool(s.active)
            break
    paused = bool(d.paused)
    active = on and not paused
    upcoming = await _next_runs(cron, timezone, count) if cron and active else []
    return ScheduledRefresh(d.name, str(d.id), cron, timezone, active, paused, upcoming, dict(d.parameters))


async def _refresh_deployments() -> list[DeploymentResponse]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async with get_client() as client:
        found = await client.read_deployments(flow_filter=FlowFilter(name=FlowFilterName(any_=[CATALOG_REFRESH])))
    return sorted(found, key=lambda d: d.name)


def scheduled_refreshes(next_count: int = 3) -> list[ScheduledRefresh]:
    """Every `catalog-refresh` deployment on the configured server, with its next run times."""
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def read() -> list[ScheduledRefresh]:
        return [await _describe(d, next_count) for d in await _refresh_deployments()]

    result = run_coro_as_sync(read())
    assert result is not None
    return result


def remove_refresh(name: str) -> bool:
    """Delete `catalog-refresh/<name>` (and its scheduled runs) from the server; False when there
    is none. Only refresh deployments: a name cannot reach another flow's deployment."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    name = check_deployment_name(name.removeprefix(f"{CATALOG_REFRESH}/"))
    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(f"{CATALOG_REFRESH}/{name}")
        except ObjectNotFound:
            return False
        client.delete_deployment(deployment.id)
    return True


# --- serving -------------------------------------------------------------------------------------


def _as_served(d: DeploymentResponse) -> RunnerDeployment:
    """A refresh deployment as this process serves it: the server's name, parameters,
    description, tags and schedules. Serving applies the deployment again, and an update without
    schedules would delete the server's: they are handed back as they are."""
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    schedules = [
        DeploymentScheduleCreate(
            schedule=s.schedule,
            active=s.active,
            max_scheduled_runs=s.max_scheduled_runs,
            parameters=s.parameters,
            slug=s.slug,
        )
        for s in d.schedules
    ]
    return RunnerDeployment.from_flow(
        catalog_refresh,
        name=d.name,
        parameters=dict(d.parameters),
        schedules=schedules,
        description=d.description,
        tags=list(d.tags or TAGS),
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


async def _add_new_refreshes(runner: Runner, served: set[str]) -> list[str]:
    added = []
    for d in await _refresh_deployments():
        if d.name not in served:
            await runner.aadd_deployment(_as_served(d))
            served.add(d.name)
            added.append(d.name)
    return added


def serve_deployments(
    *, poll_s: float = 30.0, limit: int | None = 1, announce: Any = None, campaign_runs: bool = True
) -> int:
    """Serve `campaign-run` and every `catalog-refresh` deployment until SIGINT or SIGTERM: run
    what is scheduled or started from the UI, each run in its own process, at most `limit` at a
    time (runs share the machine's CPU/GPU). Refresh schedules added while it runs are picked up
    within `poll_s`. `announce(text)` is told what is served. Returns the signal that stopped it.

    The stop is ours, not Prefect's: the runner's own SIGTERM handler cannot stop its loop from
    inside it (Prefect 3.8.8: "coroutine 'Runner.astop' was never awaited", then a bare exit that
    skips pausing). Here the signal stops the runner, which cancels runs in flight (a later run
    resumes them: runs are incremental) and pauses the deployments it served. A SIGINT the shell
    set to be ignored (a background job) stays ignored."""
    import signal

    import anyio
    from prefect.runner import Runner

    say = announce or (lambda text: None)
    stop_on = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        stop_on.append(signal.SIGINT)

    async def watch(runner: Runner, served: set[str]) -> None:
        while True:
            await anyio.sleep(poll_s)
            try:
                for name in await _add_new_refreshes(runner, served):
                    say(f"{CATALOG_REFRESH}/{name} (new)")
            except Exception as exc:  # the server is away for a moment: keep serving what is known
                say(f"could not read the schedules, trying again in {poll_s:.0f} s: {exc}")

    async def main() -> int:
        runner = Runner(name="vitrina", limit=limit, pause_on_shutdown=True)
        served: set[str] = set()
        if campaign_runs:
            await runner.aadd_deployment(campaign_run_deployment())
            say(f"{CAMPAIGN_RUN}/{CAMPAIGN_RUN} (started from the Prefect UI)")
        for name in await _add_new_refreshes(runner, served):
            say(f"{CATALOG_REFRESH}/{name}")
        received = signal.SIGTERM
        async with anyio.create_task_group() as group:
            group.start_soon(runner.start)
            while not runner.started:  # it installs its SIGTERM handler first: ours must come after
                await anyio.sleep(0.05)
            with anyio.open_signal_receiver(*stop_on) as signals:
                async with anyio.create_task_group() as watchers:
                    watchers.start_soon(watch, runner, served)
                    async for signum in signals:
                        received = signum
                        watchers.cancel_scope.cancel()
                        break
            say("stopping: pausing the schedules served here")
            await runner.astop()  # runner.start returns, pausing on its way out
        return int(received)

    return anyio.run(main)

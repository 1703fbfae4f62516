"""`vitrina schedule`: refresh a campaign from its catalog on a cron schedule, on a Prefect server.

A schedule is a `catalog-refresh/<name>` deployment on the Prefect server named by
PREFECT_API_URL (flows/deployments.py; docs/operations.md): `add` registers or updates it, `list`
shows them with their next run times, `remove` deletes one, and `serve` runs what is scheduled or
started from the Prefect UI (`campaign-run` too) until Ctrl-C. Schedules need a server that keeps
running, so unlike `vitrina run` these commands never start a throwaway local one.

Exit codes: 0 done; 1 the Prefect server cannot be reached or refused the request; 2 bad input
(the brief, the cron expression, the time zone, a name; no server configured), one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from pipeline.errors import ConfigError, InputError
from vitrina.cli.console import err, fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt

__all__ = ["schedule_app", "NO_SERVER"]

schedule_app = typer.Typer(
    no_args_is_help=True,
    help="Refresh campaigns from their catalog on a cron schedule (Prefect deployments).",
)

#: What to do when no Prefect server is configured (one line).
NO_SERVER = (
    "no Prefect server configured: schedules live on a Prefect server that keeps running. "
    "Start one with `prefect server start` (it listens on http://127.0.0.1:4200), then point Vitrina at it: "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (or `prefect config set PREFECT_API_URL=...`)"
)

JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON on stdout")]


def _api_url() -> str:
    """The configured Prefect API URL, or exit 2 saying how to start and name a server."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        fail(NO_SERVER, 2)
    return str(url)


def _unreachable(url: str, exc: Exception) -> NoReturn:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    fail(f"Prefect server at {url}: {detail}. Is it running (`prefect server start`) and is PREFECT_API_URL right?", 1)


def _server_errors() -> tuple[type[Exception], ...]:
    import httpx
    from prefect.exceptions import PrefectException

    return (httpx.HTTPError, OSError, PrefectException)


@schedule_app.command("add")
def add(
    brief: Annotated[Path, typer.Argument(help="campaign brief YAML")],
    cron: Annotated[str, typer.Option("--cron", help="when, as cron: minute hour day month weekday, e.g. '0 2 * * *'")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    backend: Annotated[str, typer.Option(help="scene backend: studio (model-free) or diffusion")] = "studio",
    dam: Annotated[
        str | None,
        typer.Option(
            "--dam",
            help="after each refresh publish approved variants and retract what must go: file://DIR or s3://bucket/prefix",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA time zone the cron is read in, e.g. Europe/Berlin (default UTC)"),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="schedule name (default: the brief's campaign id); adding it again updates it"),
    ] = None,
    blobs: Annotated[
        str | None, typer.Option("--blobs", help="shared blob store for a cluster: s3://bucket/prefix")
    ] = None,
    task_runner: Annotated[str, typer.Option(help="where SKU batches run: threads or dask")] = "threads",
    dask_address: Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:8786")] = None,
    gpu_slot: Annotated[
        str | None, typer.Option(help="Prefect global concurrency limit each generation step takes, e.g. gpu")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Schedule a catalog refresh of BRIEF into --out (and publishing to --dam): registers or updates
    the `catalog-refresh/<campaign id>` deployment on the Prefect server."""
    from flows.deployments import catalog_refresh_deployment, register, scheduled_refreshes

    try:  # everything checked before the server is asked anything
        deployment = catalog_refresh_deployment(
            brief,
            out,
            cron,
            backend=backend,
            db=db,
            dam=dam,
            timezone=timezone,
            name=name,
            blobs=blobs,
            task_runner=task_runner,
            dask_address=dask_address,
            gpu_slot=gpu_slot,
        )
    except (ConfigError, InputError) as exc:
        fail(str(exc), 2)
    url = _api_url()
    try:
        register(deployment)
        shown = next(s for s in scheduled_refreshes() if s.name == deployment.name)
    except _server_errors() as exc:
        _unreachable(url, exc)
    if as_json:
        print(json.dumps(shown.as_json(), ensure_ascii=False))
        return
    out_console.print(
        escape(f"scheduled catalog-refresh/{shown.name}: '{shown.cron}' ({shown.timezone or 'UTC'}) on {url}"),
        highlight=False,
    )
    if shown.paused:
        out_console.print("paused until `vitrina schedule serve` runs", highlight=False)
    for when in shown.next_runs:
        out_console.print(f"  next: {escape(when)}", highlight=False)
    err.print(
        "Scheduled runs execute while `vitrina schedule serve` runs (on a machine that can read the brief).",
        highlight=False,
    )


@schedule_app.command("list")
def list_schedules(
    next_count: Annotated[int, typer.Option("--next", min=1, max=50, help="how many next run times to show")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """The scheduled catalog refreshes on the Prefect server, with their next run times."""
    from flows.deployments import scheduled_refreshes

    url = _api_url()
    try:
        found = scheduled_refreshes(next_count)
    except _server_errors() as exc:
        _unreachable(url, exc)
    if as_json:
        print(json.dumps([s.as_json() for s in found], ensure_ascii=False))
        return
    if not found:
        out_console.print("no schedules (vitrina schedule add BRIEF --cron '0 2 * * *' --out DIR)", highlight=False)
        return
    out_console.print(f"{len(found)} scheduled catalog refresh(es) on {escape(url)}", highlight=False)
    for s in found:  # one line each (greppable), then where it reads and writes
        state = "active" if s.active else ("paused: no `vitrina schedule serve` runs" if s.paused else "schedule off")
        when = f"next {', '.join(s.next_runs)}" if s.next_runs else "no next run"
        p = s.parameters
        line = f"{s.name}  '{s.cron or ''}' ({s.timezone or 'UTC'})  {state}  {when}"
        where = f"    {p.get('brief')} -> {p.get('out')}" + (f", publish to {p['dam']}" if p.get("dam") else "")
        out_console.print(escape(line), highlight=False)
        out_console.print(escape(where), highlight=False, style="dim")


@schedule_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(metavar="NAME", help="the schedule's name (see `vitrina schedule list`)")],
) -> None:
    """Delete a scheduled catalog refresh (its future runs go with it; finished runs stay)."""
    from flows.deployments import remove_refresh

    url = _api_url()
    try:
        removed = remove_refresh(name)
    except InputError as exc:
        fail(str(exc), 2)
    except _server_errors() as exc:
        _unreachable(url, exc)
    if not removed:
        fail(f"no schedule named {name!r} on {url} (see `vitrina schedule list`)", 2)
    out_console.print(escape(f"removed catalog-refresh/{name.removeprefix('catalog-refresh/')}"), highlight=False)


@schedule_app.command("serve")
def serve(
    limit: Annotated[int, typer.Option("--limit", min=1, max=64, help="runs at the same time")] = 1,
    poll: Annotated[
        float, typer.Option("--poll", min=1, max=3600, help="seconds between looks for new schedules")
    ] = 30,
    campaign_runs: Annotated[
        bool,
        typer.Option(
            "--campaign-runs/--no-campaign-runs", help="also serve `campaign-run` (started from the Prefect UI)"
        ),
    ] = True,
) -> None:
    """Run scheduled refreshes and UI-started campaign runs until Ctrl-C (then the schedules pause)."""
    from flows.deployments import serve_deployments
    from flows.runtime import interrupt_exit_code

    url = _api_url()
    err.print(f"Serving Vitrina deployments from {escape(url)} (Ctrl-C stops):", highlight=False)
    try:
        signum = serve_deployments(
            poll_s=poll,
            limit=limit,
            campaign_runs=campaign_runs,
            announce=lambda text: err.print(f"  {escape(text)}", highlight=False, soft_wrap=True),
        )
    except KeyboardInterrupt:  # before serving began (vitrina's own handler): nothing to pause
        err.print("stopped", highlight=False)
        raise typer.Exit(interrupt_exit_code()) from None
    except _server_errors() as exc:
        _unreachable(url, exc)
    err.print("stopped; the schedules are paused until `vitrina schedule serve` runs again", highlight=False)
    raise typer.Exit(128 + signum)

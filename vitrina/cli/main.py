"""`vitrina`: run campaigns, review variants, publish approved assets.

Exit codes: 0 done; 1 done but something was skipped or failed (the summary says what);
2 bad input (one line naming the file, the field and the value), nothing written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from pipeline.errors import ConfigError, InputError, VitrinaError
from pipeline.storage.store import Store
from vitrina.cli.check import check_app
from vitrina.cli.console import err, fail
from vitrina.cli.console import out as out_console
from vitrina.cli.db import db_app
from vitrina.cli.lifecycle import history, rollback
from vitrina.cli.models import models_app
from vitrina.cli.options import DEFAULT_OUT, BlobsOpt, DbOpt, OutOpt, blob_backend, open_store
from vitrina.cli.regenerate import regenerate
from vitrina.cli.review import review_app
from vitrina.cli.schedule import schedule_app
from vitrina.cli.serve import serve
from vitrina.cli.tokens import tokens_app
from vitrina.cli.users import users_app
from vitrina.cli.verify import verify
from vitrina.cli.webhooks import webhooks_app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Vitrina: product-true generative banners, checked, versioned, reviewed and published.",
)
app.add_typer(review_app, name="review")
audit_app = typer.Typer(no_args_is_help=True, help="The review audit log: check that no entry was changed or removed.")
app.add_typer(audit_app, name="audit")
app.add_typer(check_app, name="check")
app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(schedule_app, name="schedule")


class RichReporter:
    """Progress bar on stderr (stdout stays clean for --json)."""

    def __init__(self, bar: bool, notes: bool) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=not bar,
            transient=False,
        )
        self.notes = notes
        self.task: Any = None

    def start(self, total: int, label: str) -> None:
        self.progress.start()
        self.task = self.progress.add_task(escape(label), total=total)

    def advance(self, step: int, label: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=step)

    def note(self, message: str) -> None:
        if self.notes:
            self.progress.console.print(escape(message), highlight=False, soft_wrap=True)

    def stop(self) -> None:
        self.progress.stop()


@app.command()
def run(
    brief: Annotated[Path, typer.Argument(help="campaign brief YAML")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    backend: Annotated[str, typer.Option(help="scene backend: studio (model-free) or diffusion")] = "studio",
    model: Annotated[
        str | None,
        typer.Option(
            help="diffusion model folder or hub id (default: imagery.model in brand.yaml); see `vitrina models`"
        ),
    ] = None,
    steps: Annotated[int | None, typer.Option(min=1, max=200, help="diffusion steps (default: imagery.steps)")] = None,
    variant: Annotated[
        str | None,
        typer.Option(help="diffusion weight variant to load, e.g. fp16 (default: plain files, else the only variant)"),
    ] = None,
    offload: Annotated[
        bool, typer.Option("--offload", help="diffusion: model CPU offload (CUDA; fits a model larger than the GPU)")
    ] = False,
    compile_model: Annotated[
        bool,
        typer.Option("--compile", help="diffusion: torch.compile the denoiser (CUDA; pays off for many scenes)"),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="render every variant again, even those stored from the same inputs")
    ] = False,
    blobs: BlobsOpt = None,
    task_runner: Annotated[
        str, typer.Option(help="where SKU tasks run: threads (this machine) or dask (a Dask cluster)")
    ] = "threads",
    dask_address: Annotated[
        str | None, typer.Option(help="Dask scheduler, tcp://HOST:8786 (default with dask: a local cluster)")
    ] = None,
    gpu_slot: Annotated[
        str | None,
        typer.Option(
            envvar="VITRINA_GPU_SLOT",
            help="Prefect global concurrency limit each generation step takes (prefect gcl create gpu --limit 1)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON summary object on stdout")] = False,
) -> None:
    """Generate, compose, check and store every variant of a campaign brief.

    Incremental: a variant whose inputs are unchanged is reused, one whose text changed (a price,
    copy) is composed again over its stored scene, only new scenes are rendered; banners of SKUs
    or markets that left the catalog are retired (the next publish retracts them)."""
    from flows.campaign_steps import BACKENDS, SUMMARY_JSON_KEYS, open_run_store, run_campaign, survey_run
    from flows.progress import set_reporter
    from pipeline.model.campaign import DEFAULT_PROMPTS, load_campaign

    # Validate everything before writing anything or starting Prefect.
    try:
        campaign = load_campaign(brief, DEFAULT_PROMPTS)
    except ConfigError as exc:
        fail(str(exc), 2)
    for warning in campaign.warnings:  # copy that fits no format, or misses some (pipeline/banner/text/preflight.py)
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if backend not in BACKENDS:
        fail(f"--backend: {backend!r}: unknown backend; available: {', '.join(BACKENDS)}", 2)
    # Options of the diffusion backend, as it takes them; a flag left off is not an option given.
    given = {
        "model": model,
        "steps": steps,
        "variant": variant,
        "offload": offload or None,
        "compile": compile_model or None,
    }
    options = {k: v for k, v in given.items() if v is not None}
    if options and backend != "diffusion":
        named = "/".join(f"--{k}" for k in options)
        fail(f"{named}: only for --backend diffusion (got --backend {backend})", 2)
    if backend == "diffusion":
        from flows.campaign_steps import make_backend

        try:  # model, LoRA: found and loadable, before anything is written (loaded once per process)
            make_backend(backend, campaign, options)
        except VitrinaError as exc:
            fail(str(exc), 2)
    earlier = db is not None or (out / "catalog.sqlite").exists()
    if earlier:  # a catalog to add to: it must be usable
        try:
            Store(out, db).close()
        except InputError as exc:
            fail(str(exc), 2)
    blob_backend(blobs)  # a bad --blobs URL: one line, before anything runs
    from flows.scaleout import check_task_runner

    try:
        check_task_runner(task_runner, dask_address)  # unknown runner, unreachable scheduler
    except VitrinaError as exc:
        fail(str(exc), 2)

    reporter = RichReporter(bar=not as_json and sys.stderr.isatty(), notes=not as_json)
    set_reporter(reporter)
    from flows.runtime import interrupt_exit_code, start_local_server

    settings: dict[str, Any] = {
        "backend": backend,
        "backend_options": options or None,
        "db": db,
        "force": force,
        "blobs": blobs,
        "task_runner": task_runner,
        "dask_address": dask_address,
        "gpu_slot": gpu_slot,
    }
    try:
        survey = None
        if earlier and not force:
            # An earlier run's catalog: when every variant is stored the run only links them, which
            # needs no Prefect (its server start costs more than such a run: docs/operations.md).
            store = open_run_store(str(out), db, blobs)
            try:
                survey = survey_run(campaign, store, backend, options or None)
            finally:
                store.close()
        if survey is not None and survey.nothing_to_make:
            summary = run_campaign(campaign, str(out), survey=survey, **settings)
        else:
            if not as_json:
                err.print(
                    f"Running [bold]{escape(str(brief))}[/] with the {backend} backend (starting Prefect)...",
                    highlight=False,
                )
            start_local_server()  # here, in the main thread: it dies with this process (flows/runtime.py)
            from flows.campaign import campaign_run

            summary = campaign_run(brief=str(brief), out=str(out), **settings)
    except VitrinaError as exc:
        fail(str(exc), 1)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM; the server stops at exit (atexit)
        reporter.stop()
        err.print("interrupted; finished variants are stored", highlight=False)
        raise typer.Exit(interrupt_exit_code()) from None
    finally:
        reporter.stop()
        set_reporter(None)

    code = 1 if summary["failed_skus"] else 0
    if as_json:
        print(json.dumps({k: summary[k] for k in SUMMARY_JSON_KEYS}))
    else:
        print_run_summary(summary)
    raise typer.Exit(code)


def print_run_summary(summary: dict[str, Any]) -> None:
    c = out_console
    c.print(
        f"\n[bold]Run {escape(summary['run_id'])}[/]: {summary['variants']} variants — "
        f"[green]{summary['passed']} passed[/], [yellow]{summary['needs_review']} need review[/], "
        f"[red]{summary['blocked']} blocked[/]",
        highlight=False,
    )
    made = {k: summary.get(k, 0) for k in ("reused", "recomposed", "rendered", "retired")}
    c.print(
        f"  {made['rendered']} rendered, {made['recomposed']} recomposed over a stored scene, "
        f"{made['reused']} reused unchanged"
        + (f"; {made['retired']} slots retired (left the catalog: publish retracts them)" if made["retired"] else ""),
        highlight=False,
    )
    failed = [s for s in summary["skipped"] if s.get("fatal")]
    unused = [s for s in summary["skipped"] if not s.get("fatal")]
    report = escape(str(Path(summary["out"]) / "runs" / summary["run_id"] / "report.json"))

    def listed(entries: list[dict[str, Any]], limit: int) -> None:
        # A catalog of thousands of SKUs would print thousands of lines: the report lists them all.
        for s in entries[:limit]:
            c.print(f"  - {escape(s['subject'])}: {escape(s['reason'])}", highlight=False, soft_wrap=True)
        if len(entries) > limit:
            c.print(f"  ... and {len(entries) - limit} more: {report}", highlight=False, soft_wrap=True)

    if failed:
        c.print("[bold red]Failed or skipped (fix these inputs):[/]")
        listed(failed, 50)
    if unused:
        c.print(f"[bold]Not used[/] ({len(unused)} photos or markets; the SKUs went on with their best packshot):")
        listed(unused, 10)
    if summary.get("held_reasons"):
        c.print("[bold]Why variants were held back[/] (count, reason):")
        for reason, count in summary["held_reasons"][:5]:  # Counter.most_common(): (reason, count)
            c.print(f"  {count:>4} x {escape(str(reason))}", highlight=False, soft_wrap=True)
    out = Path(summary["out"])
    run_dir = out / "runs" / summary["run_id"]
    c.print(f"Banners:  {escape(str(run_dir))}", highlight=False, soft_wrap=True)
    c.print(f"Report:   {escape(str(run_dir / 'report.json'))}", highlight=False, soft_wrap=True)
    c.print(f"Review:   vitrina review list --out {escape(str(out))}", highlight=False, soft_wrap=True)


@audit_app.command("verify")
def audit_verify(out: OutOpt = DEFAULT_OUT, db: DbOpt = None) -> None:
    """Check the audit log's hash chain: exit 0 if intact, 1 naming the first changed or missing entry."""
    store = open_store(out, db)
    try:
        broken = store.verify_audit()
        entries = len(store.audit())
    finally:
        store.close()
    if broken is not None:
        fail(f"audit log of {out} is broken: {broken}", 1)
    out_console.print(f"audit log intact: {entries} entries", highlight=False)


@app.command()
def publish(
    dam: Annotated[str, typer.Option("--dam", help="file://DIR or s3://bucket/prefix")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    endpoint_url: Annotated[str | None, typer.Option(help="S3 endpoint (default: AWS settings)")] = None,
    region: Annotated[str | None, typer.Option(help="S3 region (default: AWS settings)")] = None,
    access_key: Annotated[str | None, typer.Option(help="S3 access key id (default: AWS settings)")] = None,
    secret_key: Annotated[str | None, typer.Option(help="S3 secret key (default: AWS settings; prefer those)")] = None,
    c2pa_key: Annotated[
        Path | None,
        typer.Option(envvar="VITRINA_C2PA_KEY", help="C2PA signing key, PEM (default: a local TEST signer in OUT)"),
    ] = None,
    c2pa_certs: Annotated[
        Path | None,
        typer.Option(envvar="VITRINA_C2PA_CERTS", help="its certificate chain, PEM: signing cert first, no root"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Retract what was rejected, rolled back or superseded; push approved assets. Safe to repeat.

    Sent per approved version: signed PNG master, signed rendition, product cut-out, JSON sidecar.
    """
    from dam_connectors import DamError, connector_for
    from flows.publish import publish_approved
    from pipeline.provenance import load_or_create_signer
    from pipeline.provenance.signer import TEST_CA_DIR

    store = open_store(out, db)
    try:
        signer, created = load_or_create_signer(out, c2pa_key, c2pa_certs)
    except ConfigError as exc:
        fail(str(exc), 2)
    if created:
        err.print(
            f"created a local TEST signing CA at {escape(str(out / TEST_CA_DIR))} "
            "(not for production: set VITRINA_C2PA_KEY/VITRINA_C2PA_CERTS)",
            highlight=False,
            soft_wrap=True,
        )
    try:
        connector = connector_for(
            dam, endpoint_url=endpoint_url, region=region, access_key=access_key, secret_key=secret_key
        )
    except DamError as exc:
        fail(str(exc), 2)
    try:
        report = publish_approved(store, connector, signer)
    finally:
        connector.close()
    if as_json:
        print(
            json.dumps(
                {
                    "dam": report.dam,
                    "uploaded": len(report.uploaded),
                    "already": len(report.already),
                    "retracted": len(report.retracted),
                    "retractions": [{"id": i, "reason": r, "tombstone": t} for i, r, t in report.retracted],
                    "failed": [{"id": i, "reason": r} for i, r in report.failed],
                    "skipped": [{"id": i, "reason": r} for i, r in report.skipped],
                    "not_attempted": report.not_attempted,
                    "objects_uploaded": report.objects_uploaded,
                    "objects_retracted": report.objects_retracted,
                },
                ensure_ascii=False,
            )
        )
    else:
        out_console.print(
            f"published to {escape(report.dam)}: {len(report.uploaded)} uploaded, "
            f"{len(report.already)} already there, {len(report.retracted)} retracted, "
            f"{len(report.skipped)} skipped, {len(report.failed)} failed",
            highlight=False,
        )
        for vid, reason, tombstone in report.retracted:
            out_console.print(
                f"  {escape(vid)} retracted ({escape(reason)}): tombstone {escape(tombstone)}",
                highlight=False,
                soft_wrap=True,
            )
        for vid, reason in report.skipped:
            err.print(f"  [yellow]{escape(vid)}[/] skipped: {escape(reason)}", highlight=False, soft_wrap=True)
        for vid, reason in report.failed:
            err.print(f"  [red]{escape(vid)}[/]: {escape(reason)}", highlight=False, soft_wrap=True)
        if report.not_attempted:
            err.print(
                f"  {report.not_attempted} retraction(s) or approved variant(s) not attempted; "
                "run publish again once the DAM works"
            )
    raise typer.Exit(1 if report.failed else 0)


app.command("verify")(verify)  # registered here: `vitrina --help` lists commands in this order
app.command("history")(history)
app.command("rollback")(rollback)
app.command("regenerate")(regenerate)


@app.command()
def schema(
    what: Annotated[str, typer.Argument(help="brand (brand.yaml) or sidecar (the JSON next to each banner)")] = "brand",
) -> None:
    """Print a JSON Schema: of a brand guide (for editors) or of a banner's sidecar (for tools that read them)."""
    from pipeline.model.brand import brand_json_schema
    from pipeline.storage.sidecar import sidecar_json_schema

    schemas = {"brand": brand_json_schema, "sidecar": sidecar_json_schema}
    if what not in schemas:
        fail(f"schema: {what!r}: use {' or '.join(schemas)}", 2)
    print(json.dumps(schemas[what](), indent=2))


def main() -> None:
    """The `vitrina` entry point: quiet, offline Prefect settings first, then the command."""
    from flows.runtime import configure_prefect, interrupt_exit_code, interrupt_on_signals

    configure_prefect()
    interrupt_on_signals()
    try:
        app()
    except KeyboardInterrupt:  # outside a command (Typer turns one inside into exit 130)
        err.print("interrupted", highlight=False)
        sys.exit(interrupt_exit_code())
    except VitrinaError as exc:  # e.g. a catalog row or sidecar this Vitrina cannot read: one line, not a traceback
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except Exception as exc:  # a bug: one line for the user, the traceback only when asked for
        if os.environ.get("VITRINA_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error[/] (a bug in Vitrina, please report it): {type(exc).__name__}: "
            f"{escape(' '.join(str(exc).split())[:300])}; VITRINA_DEBUG=1 shows the traceback",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(3)


app.command()(serve)  # listed after the commands above in --help


if __name__ == "__main__":
    main()

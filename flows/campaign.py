"""The campaign flow: one Prefect flow run per brief (`campaign_run`), its SKU batches as Prefect
tasks (`produce_skus`). What they do is in `flows.campaign_steps`, which does not import Prefect,
so that a run with nothing to make needs no Prefect at all (`vitrina run`, README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.campaign_steps import (
    BACKENDS,
    SUMMARY_JSON_KEYS,
    RunSettings,
    SkuWork,
    make_backend,
    new_run_id,
    produce_batch,
    run_campaign,
)
from pipeline.model.campaign import DEFAULT_PROMPTS, Campaign, load_campaign

__all__ = ["BACKENDS", "SUMMARY_JSON_KEYS", "campaign_run", "make_backend", "new_run_id", "produce_skus"]


@task(name="produce-skus", cache_policy=NO_CACHE)
def produce_skus(campaign: Campaign, batch: list[SkuWork], settings: RunSettings) -> list[dict[str, Any]]:
    """Make, check and store the variants of a batch of SKUs; one bad SKU never sinks the others."""
    return produce_batch(campaign, batch, settings)


@flow(name="campaign-run", validate_parameters=False)
def campaign_run(
    brief: str,
    out: str,
    backend: str = "studio",
    run_id: str | None = None,
    backend_options: dict[str, Any] | None = None,
    db: str | None = None,
    force: bool = False,
    blobs: str | None = None,
    task_runner: str = "threads",
    dask_address: str | None = None,
    gpu_slot: str | None = None,
) -> dict[str, Any]:
    """Generate, compose, check and store every variant of a campaign brief, incrementally.

    `db`: the catalog's database URL (default: catalog.sqlite in `out`); keep passwords out of it
    (PGPASSWORD, ~/.pgpass), since Prefect stores a flow's parameters. `blobs`: where blobs are
    shared (s3://bucket/prefix; default: the output folder). `task_runner`: "threads" (this
    machine) or "dask" (`dask_address`: an existing cluster). `gpu_slot`: the Prefect global
    concurrency limit each generation step takes (`prefect gcl create gpu --limit 1`)."""
    return run_campaign(
        load_campaign(Path(brief), DEFAULT_PROMPTS),
        out,
        backend=backend,
        run_id=run_id,
        backend_options=backend_options,
        db=db,
        force=force,
        blobs=blobs,
        task_runner=task_runner,
        dask_address=dask_address,
        gpu_slot=gpu_slot,
    )

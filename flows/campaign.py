"""The campaign flow: one Prefect flow run per brief, one task per SKU (its whole batch of
variants), so a bad SKU fails alone and task overhead stays small (docs/facts.md 1).

Re-running a brief into the same output folder resumes it: a variant whose inputs are unchanged
(`pipeline.resume.variant_input_key`) and whose files are stored is linked into the new run, not
rendered again, and a SKU whose variants are all reused is not even prepared (segmented) again.
The summary says how many variants were reused ("reused")."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.progress import reporter
from pipeline.errors import VitrinaError
from pipeline.imaging.imageio import open_image
from pipeline.imaging.products import prepare_product
from pipeline.model.campaign import DEFAULT_PROMPTS, Campaign, load_campaign
from pipeline.render import plan_variants, render_scenes, render_variant
from pipeline.resume import preparation_key, run_digest, source_digest, variant_input_key
from pipeline.scene.base import Backend
from pipeline.scene.diffusion import (
    DiffusionBackend,  # torch/diffusers load only when used
)
from pipeline.scene.studio import StudioBackend
from pipeline.storage.store import Store

__all__ = ["campaign_run", "BACKENDS", "new_run_id"]

BACKENDS: dict[str, type[Backend]] = {"studio": StudioBackend, "diffusion": DiffusionBackend}


def new_run_id() -> str:
    return datetime.now(UTC).strftime("r%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def make_backend(name: str, campaign: Campaign | None = None, options: dict[str, Any] | None = None) -> Backend:
    """A backend by name. Configurable ones (diffusion: model, steps, guidance, LoRA) read the brand's
    imagery section; `options` (from the CLI: model, steps) override it."""
    if name not in BACKENDS:
        raise VitrinaError(f"unknown backend {name!r}; available: {', '.join(BACKENDS)}")
    brand = campaign.brand if campaign is not None else None
    return BACKENDS[name].from_imagery(
        brand.imagery if brand else None, brand.root if brand else None, **(options or {})
    )


@task(name="produce-sku", cache_policy=NO_CACHE)
def produce_sku(
    campaign: Campaign,
    sku: str,
    run_id: str,
    out: str,
    backend_name: str,
    backend_options: dict[str, Any] | None = None,
    inputs: str | None = None,
    db: str | None = None,
) -> dict[str, Any]:
    """Prepare one SKU's packshot and render, check and store all its variants; variants already
    stored from the same inputs (`inputs`: this run's `run_digest`) are reused, not rendered."""
    store = Store(Path(out), db)
    counts: dict[str, Any] = {
        "sku": sku,
        "variants": 0,
        "passed": 0,
        "needs_review": 0,
        "blocked": 0,
        "reused": 0,
        "skipped": [],
    }
    plans, unlisted = plan_variants(campaign, sku)

    def skip(subject: str, reason: str, fatal: bool) -> None:
        """Into the run summary and the catalog alike (fatal: the run exits 1)."""
        counts["skipped"].append({"subject": subject, "reason": reason, "fatal": fatal})
        store.record_skip(run_id, sku, subject, reason)

    def reuse(vid: str, plan_label: str) -> None:
        record = store.reuse_variant(run_id, vid)
        counts["variants"] += 1
        counts["reused"] += 1
        counts[record.verdict] += 1
        reporter().advance(1, f"{plan_label}: {record.verdict} (reused)")

    try:
        for reason in unlisted:
            skip(sku, reason, fatal=False)
        images = campaign.catalog.images(sku)
        run_inputs = inputs or run_digest(campaign, backend_name, backend_options)
        sources = source_digest(images)
        keys = [variant_input_key(campaign, plan, run=run_inputs, source=sources) for plan in plans]
        stored = [store.reusable(key) for key in keys]
        labels = [f"{sku} {p.scene.id} {p.format_id} {p.locale}" for p in plans]
        prep_key = preparation_key(sources)
        prepared = store.preparation(prep_key)
        if plans and all(stored) and prepared is not None:
            # Nothing to make: not even the cut-out (segmentation is the slow part of a SKU).
            for rejected_image in prepared[1]:
                skip(rejected_image["subject"], rejected_image["reason"], fatal=rejected_image["fatal"])
            for vid, label in zip(stored, labels, strict=True):
                reuse(str(vid), label)
            reporter().note(f"{sku}: {counts['variants']} variants, all reused from an earlier run")
            return counts
        product, rejected = prepare_product(sku, images)
        for image in rejected:
            skip(f"{sku}/{image.path.name}", image.reason, fatal=image.damaged)
        if product is None:
            reasons = "; ".join(f"{s.path.name}: {s.reason}" for s in rejected)
            reason = f"no usable packshot ({reasons})"
            skip(sku, reason, fatal=True)
            reporter().advance(len(plans), f"{sku}: skipped")
            reporter().note(f"{sku}: skipped, {reason}")
            return counts
        # Kept next to the assets so anyone can verify product pixels later (`vitrina verify`).
        cutout_sha = store.put_cutout(product.cutout)
        store.record_preparation(
            prep_key,
            cutout_sha,
            [{"subject": f"{sku}/{i.path.name}", "reason": i.reason, "fatal": i.damaged} for i in rejected],
        )
        for vid, label in zip(stored, labels, strict=True):
            if vid is not None:
                reuse(vid, label)
        todo = [index for index, vid in enumerate(stored) if vid is None]
        if todo:
            backend = make_backend(backend_name, campaign, backend_options)
            logo = open_image(campaign.brand.logo_path, "logo").convert("RGBA")
            # All the SKU's scenes at once: a diffusion backend makes one model call per size bucket.
            scenes = render_scenes(campaign, product, [plans[i] for i in todo], backend, logo)
            for position, index in enumerate(todo):
                plan = plans[index]
                subject = f"{sku}/{plan.scene.id}/{plan.format_id}/{plan.locale}"
                try:
                    rendered = render_variant(campaign, product, plan, backend, logo, scene=scenes.get(position))
                except VitrinaError as exc:
                    # One variant that cannot be made (e.g. a layout that does not fit) never sinks its siblings.
                    skip(subject, f"failed: {exc}", fatal=True)
                    reporter().advance(1, f"{subject}: failed")
                    continue
                store.keep_variant(run_id, rendered.png, rendered.report, rendered.lineage, input_key=keys[index])
                counts["variants"] += 1
                counts[rendered.verdict.value] += 1
                reporter().advance(1, f"{labels[index]}: {rendered.verdict.value}")
        reused = f", {counts['reused']} reused" if counts["reused"] else ""
        reporter().note(
            f"{sku}: {counts['variants']} variants ({counts['passed']} passed, "
            f"{counts['needs_review']} need review, {counts['blocked']} blocked{reused}) from {product.source.name}"
        )
    except VitrinaError as exc:
        # One bad SKU never sinks the others: record why and go on.
        reason = f"failed: {exc}"
        reporter().note(f"{sku}: {reason}")
        skip(sku, reason, fatal=True)
    finally:
        store.close()
    return counts


@flow(name="campaign-run", validate_parameters=False)
def campaign_run(
    brief: str,
    out: str,
    backend: str = "studio",
    run_id: str | None = None,
    backend_options: dict[str, Any] | None = None,
    db: str | None = None,
) -> dict[str, Any]:
    """Generate, compose, check and store every variant of a campaign brief. `db`: the catalog's
    database URL (default: catalog.sqlite in `out`); keep passwords out of it (PGPASSWORD, ~/.pgpass),
    since Prefect stores a flow's parameters."""
    campaign = load_campaign(Path(brief), DEFAULT_PROMPTS)
    make_backend(backend, campaign, backend_options)  # fails here (model missing, ...) before anything is written
    run_id = run_id or new_run_id()
    out_dir = Path(out).resolve()
    store = Store(out_dir, db)
    store.start_run(
        run_id, campaign.brief.campaign_id, str(campaign.brief_path), backend, campaign.brand.checks.waivable
    )
    total = sum(len(plan_variants(campaign, sku)[0]) for sku in campaign.skus)
    reporter().start(total, f"{campaign.brief.campaign_id}: {len(campaign.skus)} SKUs")
    inputs = run_digest(campaign, backend, backend_options)  # brand and prompts files: hashed once
    per_sku = [
        produce_sku(campaign, sku, run_id, str(out_dir), backend, backend_options, inputs, db) for sku in campaign.skus
    ]

    variants = store.variants(run_id=run_id)
    # Identical bytes from an earlier run are the same variant: it may already be published.
    published = sum(1 for v in variants if store.is_published(v.variant_id))
    summary: dict[str, Any] = {
        "run_id": run_id,
        "variants": len(variants),
        "passed": sum(v.verdict == "passed" for v in variants),
        "needs_review": sum(v.verdict == "needs_review" for v in variants),
        "blocked": sum(v.verdict == "blocked" for v in variants),
        # Made by an earlier run from the same inputs and linked into this one, not rendered again.
        "reused": store.reused(run_id),
        "published": published,
        "out": str(out_dir),
        "skipped": [s for r in per_sku for s in r["skipped"]],
        # SKUs left out entirely or with damaged input files: the run exits 1 for these.
        "held_reasons": Counter(r for v in variants for r in v.reasons).most_common(),
        "failed_skus": sorted({r["sku"] for r in per_sku if any(s.get("fatal") for s in r["skipped"])}),
    }
    store.finish_run(run_id, summary)  # and runs/<run_id>/report.json
    store.close()
    return summary

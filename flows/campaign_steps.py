"""The steps of a campaign run (`flows.campaign` is the Prefect flow around them): one run per
brief; SKUs that need work go to tasks (a batch of SKUs per task, so a bad SKU fails alone and
task overhead stays small: docs/facts.md 1). Prefect is imported only when there is work: a
run with nothing to make (`Survey.nothing_to_make`) runs without it.

Runs are incremental (keys: `pipeline.resume`; what the store keeps: `pipeline.storage.incremental`):

1. Plan every SKU once; hash its photos through the store's persistent file digests.
2. Variants whose input key is stored are *reused*: linked into the run in one transaction,
   nothing is opened. A SKU whose variants are all reused never reaches a task.
3. In a SKU's task, a variant whose scene (`pipeline.resume.scene_key`) is stored is *recomposed*:
   its text is drawn again over that scene (a price or copy change); the product is rebuilt from
   the stored cut-out, with no new segmentation. Only new scenes are *rendered*, each once
   (variants that share a scene share the render), inside the generation slot (`--gpu-slot`).
4. Slots whose SKU or market left the catalog (or went out of stock, where the brand retires
   those) are *retired*; slots planned again are reinstated.

`force=True` renders everything again (the OCR readings, keyed by the pixels read, still count).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.progress import reporter
from flows.scaleout import generation_slot
from pipeline.checks.ocr import TextReader
from pipeline.errors import VitrinaError
from pipeline.imaging.imageio import open_image
from pipeline.imaging.products import PreparedProduct, prepare_product
from pipeline.model.campaign import Campaign
from pipeline.render import VariantPlan, plan_variants, render_variant, scene_request
from pipeline.resume import (
    backend_digest,
    preparation_key,
    retirements,
    run_digest,
    scene_key,
    source_digest,
    variant_input_key,
)
from pipeline.scene.base import Backend, SceneRequest, SceneResult, backend_weights
from pipeline.scene.diffusion import (
    DiffusionBackend,  # torch/diffusers load only when used
)
from pipeline.scene.studio import StudioBackend
from pipeline.storage.incremental import Preparation
from pipeline.storage.store import Store

__all__ = [
    "BACKENDS",
    "SUMMARY_JSON_KEYS",
    "Survey",
    "make_backend",
    "new_run_id",
    "open_run_store",
    "produce_batch",
    "run_campaign",
    "survey_run",
]

BACKENDS: dict[str, type[Backend]] = {"studio": StudioBackend, "diffusion": DiffusionBackend}
COUNTS = ("variants", "passed", "needs_review", "blocked", "reused", "recomposed", "rendered")
#: What `vitrina run --json` prints of a run's summary, in this order (a contract for scripts).
SUMMARY_JSON_KEYS = ("run_id", *COUNTS, "retired", "published", "out")


def open_run_store(out: str, db: str | None, blobs: str | None) -> Store:
    """The run's store: the output folder, its catalog (`db`) and the shared blobs (`blobs`)."""
    backend = None
    if blobs:
        from dam_connectors.s3_blobs import blob_backend_for  # boto3 loads only when blobs are shared

        backend = blob_backend_for(blobs)
    return Store(Path(out), db, blobs=backend)


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


@dataclass(frozen=True)
class SkuWork:
    """What the flow decided for one SKU that needs work (picklable: it travels to Dask workers)."""

    sku: str
    plans: list[VariantPlan]
    keys: list[str]
    stored: list[str | None]  # per plan: a stored variant to reuse
    prep_key: str
    preparation: Preparation | None
    hashes: dict[str, str]  # photo path -> SHA-256 (the store's file digests)


@dataclass(frozen=True)
class RunSettings:
    """The run-wide settings every task needs (picklable)."""

    run_id: str
    out: str
    db: str | None
    blobs: str | None
    backend: str
    backend_options: dict[str, Any] | None
    scene_backend: str  # `backend_digest`
    force: bool
    gpu_slot: str | None
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)


def _counts(sku: str) -> dict[str, Any]:
    return {"sku": sku, **dict.fromkeys(COUNTS, 0), "skipped": []}


#: Per run, one lock per key (a product preparation, a scene) in this process: SKUs whose photos
#: are the same bytes (a product listed in two sizes or colours with shared packshots) are
#: prepared once and share their scenes; the others wait and take what the first one stored.
#: Dropped when the run ends, so a long-lived process (`vitrina schedule serve`) does not keep
#: one lock per SKU of every night's run.
_KEY_LOCKS: dict[str, dict[str, threading.Lock]] = {}
_KEY_LOCKS_GUARD = threading.Lock()
#: Runs interrupted in this process: their batches stop at the next variant, so that the process
#: can exit (the task threads are joined at exit) with every finished variant stored.
_STOPPED: set[str] = set()


def _lock_for(run_id: str, key: str) -> threading.Lock:
    with _KEY_LOCKS_GUARD:
        return _KEY_LOCKS.setdefault(run_id, {}).setdefault(key, threading.Lock())


def _product(store: Store, work: SkuWork, images: tuple[Path, ...], settings: RunSettings) -> tuple[Any, list[Any]]:
    """The SKU's prepared product: rebuilt from the store when an earlier run (or another SKU of
    this run with the same photos) prepared the same photos (no segmentation), else prepared now
    and recorded. Returns (product, rejected)."""
    with _lock_for(settings.run_id, work.prep_key):
        prep = work.preparation
        if prep is None and not settings.force:  # another SKU of this run may have prepared these photos
            prep = store.preparations([work.prep_key]).get(work.prep_key)
        if prep is not None and prep.product is not None:  # None: recorded before revision 0004
            source = next((p for p in images if _photo_sha(work, p) == prep.product.get("source_sha256")), None)
            product = store.prepared_product(prep, work.sku, source) if source is not None else None
            if product is not None:
                return product, rejected_photos(prep, work.sku, images)
        product, rejected = prepare_product(work.sku, images)
        position = {path: i for i, path in enumerate(images)}
        recorded = [
            {"subject": f"{work.sku}/{i.path.name}", "reason": i.reason, "fatal": i.damaged}
            | {"photo": position.get(i.path)}  # the name differs for another SKU with these photos
            for i in rejected
        ]
        if product is not None:
            # Kept next to the assets so anyone can verify product pixels later (`vitrina verify`).
            store.record_preparation(work.prep_key, store.put_cutout(product.cutout), recorded, product)
        return product, recorded


def _photo_sha(work: SkuWork, path: Path) -> str | None:
    from pipeline.digests import file_sha256

    known = work.hashes.get(str(path))
    if known is not None:
        return known
    try:
        return file_sha256(path)
    except OSError:
        return None


def rejected_photos(prep: Preparation, sku: str, images: tuple[Path, ...]) -> list[dict[str, Any]]:
    """The photos a stored preparation rejected, named for this SKU: the preparation may come from
    another SKU with the same photos under other names (its key is the photos' bytes, in order)."""
    named = []
    for entry in prep.rejected:
        index = entry.get("photo")
        if isinstance(index, int) and 0 <= index < len(images):
            entry = {**entry, "subject": f"{sku}/{images[index].name}"}
        named.append({k: entry[k] for k in ("subject", "reason", "fatal") if k in entry})
    return named


def _prefetch_scenes(campaign: Campaign, batch: list[SkuWork], settings: RunSettings, store: Store) -> set[str]:
    """The new scenes of every SKU of a task batch, rendered in one `render_batch` (diffusion only):
    scenes of one bucket share model calls across SKUs. Returns their keys. Whatever fails here (a
    product, the model) is left to each SKU's own step, where it fails that SKU alone."""
    if settings.backend != "diffusion" or len(batch) < 2:
        return set()
    backend = make_backend(settings.backend, campaign, settings.backend_options)
    logo = open_image(campaign.brand.logo_path, "logo").convert("RGBA")
    requests: dict[str, SceneRequest] = {}
    for work in batch:
        try:
            product, _ = _product(store, work, campaign.catalog.images(work.sku), settings)
            todo = [work.plans[i] for i, vid in enumerate(work.stored) if vid is None] if product else []
            for plan in todo:
                request = scene_request(campaign, product, plan, logo)
                key = scene_key(request, product.cutout_sha256, backend=settings.scene_backend)
                if settings.force or store.scene(key) is None:
                    requests.setdefault(key, request)
        except VitrinaError:
            continue
    with ExitStack() as held:
        for key in sorted(requests):  # in one order, so two tasks never wait on each other
            held.enter_context(_lock_for(settings.run_id, key))
        if not settings.force:  # another task may have made some meanwhile
            requests = {k: r for k, r in requests.items() if store.scene(k) is None}
        if not requests:
            return set()
        try:
            with generation_slot(settings.gpu_slot):
                made = backend.render_batch(list(requests.values()))
        except VitrinaError:
            return set()
        for key, scene in zip(requests, made, strict=True):
            store.put_scene(key, scene)
    return set(requests)


def _scenes(
    store: Store,
    campaign: Campaign,
    product: PreparedProduct,
    plans: list[VariantPlan],
    backend: Backend,
    logo: Any,
    settings: RunSettings,
    prefetched: frozenset[str] = frozenset(),
) -> tuple[dict[int, SceneResult], set[int]]:
    """Scenes for the plans (index -> scene) and which of them were rendered now, here or in
    `prefetched` (the others were stored by an earlier run). Plans whose request cannot be built (a
    layout that does not fit) are left out: `render_variant` meets the same error and reports it."""
    keys: dict[int, str] = {}
    requests: dict[str, SceneRequest] = {}
    scenes: dict[int, SceneResult] = {}
    stored: dict[str, SceneResult | None] = {}
    for i, plan in enumerate(plans):
        try:
            request = scene_request(campaign, product, plan, logo)
        except VitrinaError:
            continue
        key = keys[i] = scene_key(request, product.cutout_sha256, backend=settings.scene_backend)
        if key not in stored:
            stored[key] = None if settings.force and key not in prefetched else store.scene(key)
        if stored[key] is None:
            requests.setdefault(key, request)
    with ExitStack() as held:
        for key in sorted(requests):  # in one order, so two SKUs never wait on each other
            held.enter_context(_lock_for(settings.run_id, key))
        if not settings.force:  # another SKU of this run (same photos, same scene) may have made it
            for key in list(requests):
                stored[key] = store.scene(key)
                if stored[key] is not None:
                    del requests[key]
        if requests:
            with generation_slot(settings.gpu_slot):  # two generation steps never share a GPU
                made = backend.render_batch(list(requests.values()))
            for key, scene in zip(requests, made, strict=True):
                store.put_scene(key, scene)
                stored[key] = scene
    for i, key in keys.items():
        found = stored[key]
        if found is not None:
            scenes[i] = found
    return scenes, {i for i, key in keys.items() if key in requests or key in prefetched}


def _produce(
    campaign: Campaign,
    work: SkuWork,
    settings: RunSettings,
    store: Store,
    reader: TextReader,
    prefetched: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    counts = _counts(work.sku)

    def skip(subject: str, reason: str, fatal: bool) -> None:
        """Into the run summary and the catalog alike (fatal: the run exits 1)."""
        counts["skipped"].append({"subject": subject, "reason": reason, "fatal": fatal})
        store.record_skip(settings.run_id, work.sku, subject, reason)

    labels = [f"{work.sku} {p.scene.id} {p.format_id} {p.locale}" for p in work.plans]
    images = campaign.catalog.images(work.sku)
    product, rejected = _product(store, work, images, settings)
    for image in rejected:
        skip(image["subject"], image["reason"], image["fatal"])
    if product is None:
        reason = "no usable packshot (" + "; ".join(r["reason"] for r in rejected) + ")"
        skip(work.sku, reason, fatal=True)
        reporter().advance(len(work.plans), f"{work.sku}: skipped")
        reporter().note(f"{work.sku}: skipped, {reason}")
        return counts
    reuse = [vid for vid in work.stored if vid is not None]
    if reuse:
        for verdict in store.reuse_many(settings.run_id, reuse).values():
            counts["variants"] += 1
            counts["reused"] += 1
            counts[verdict] += 1
        reporter().advance(len(reuse), f"{work.sku}: {len(reuse)} reused")
    todo = [i for i, vid in enumerate(work.stored) if vid is None]
    if not todo:
        return counts
    backend = make_backend(settings.backend, campaign, settings.backend_options)
    logo = open_image(campaign.brand.logo_path, "logo").convert("RGBA")
    plans = [work.plans[i] for i in todo]
    scenes, fresh = _scenes(store, campaign, product, plans, backend, logo, settings, prefetched)

    def one(position: int) -> None:
        if settings.run_id in _STOPPED:
            return
        plan, index = plans[position], todo[position]
        subject = f"{work.sku}/{plan.scene.id}/{plan.format_id}/{plan.locale}"
        try:
            made = render_variant(campaign, product, plan, backend, logo, scene=scenes.get(position), reader=reader)
        except VitrinaError as exc:
            # One variant that cannot be made (e.g. a layout that does not fit) never sinks its siblings.
            skip(subject, f"failed: {exc}", fatal=True)
            reporter().advance(1, f"{subject}: failed")
            return
        store.keep_variant(settings.run_id, made.png, made.report, made.lineage, input_key=work.keys[index])
        counts["variants"] += 1
        counts[made.verdict.value] += 1
        counts["rendered" if position in fresh or position not in scenes else "recomposed"] += 1
        reporter().advance(1, f"{labels[index]}: {made.verdict.value}")

    # Composition and checks of a SKU's variants in parallel: Tesseract runs as a process, zlib
    # and most of numpy release the GIL.
    with ThreadPoolExecutor(max_workers=max(1, settings.threads)) as pool:
        list(pool.map(one, range(len(plans))))
    done = ", ".join(f"{counts[k]} {k}" for k in ("reused", "recomposed", "rendered") if counts[k])
    reporter().note(
        f"{work.sku}: {counts['variants']} variants ({counts['passed']} passed, {counts['needs_review']} need "
        f"review, {counts['blocked']} blocked; {done}) from {product.source.name}"
    )
    return counts


def produce_batch(campaign: Campaign, batch: list[SkuWork], settings: RunSettings) -> list[dict[str, Any]]:
    """Make, check and store the variants of a batch of SKUs; one bad SKU never sinks the others."""
    results = []
    store = open_run_store(settings.out, settings.db, settings.blobs)
    reader = TextReader(cache=store.reading_cache())  # one per batch: Tesseract's languages asked once
    try:
        prefetched = frozenset(_prefetch_scenes(campaign, batch, settings, store))
        for work in batch:
            if settings.run_id in _STOPPED:
                break
            try:
                results.append(_produce(campaign, work, settings, store, reader, prefetched))
            except VitrinaError as exc:
                reason = f"failed: {exc}"
                reporter().note(f"{work.sku}: {reason}")
                store.record_skip(settings.run_id, work.sku, work.sku, reason)
                failed = _counts(work.sku)
                failed["skipped"].append({"subject": work.sku, "reason": reason, "fatal": True})
                results.append(failed)
    finally:
        store.close()
    return results


def _batches(work: list[SkuWork], parts: int) -> list[list[SkuWork]]:
    """`work` in about `parts` batches of neighbouring SKUs, each of similar size."""
    parts = max(1, min(parts, len(work)))
    size = -(-len(work) // parts)
    return [work[i : i + size] for i in range(0, len(work), size)]


@dataclass(frozen=True)
class Survey:
    """What a run has to do, found before anything is made: every SKU planned once, its photos
    hashed (the store's file digests), every variant keyed and looked up in the store."""

    campaign: Campaign
    backend: Backend
    scene_backend: str  # `backend_digest`
    planned: dict[str, tuple[list[VariantPlan], list[str]]]
    keys: dict[str, list[str]]
    prep_keys: dict[str, str]
    hashes: dict[Path, str]
    stored: dict[str, str]
    preparations: dict[str, Preparation]
    force: bool

    def needs_work(self, sku: str) -> bool:
        """Whether the SKU has a variant or a product preparation that is not stored."""
        plans, _ = self.planned[sku]
        return bool(plans) and (
            self.force
            or self.prep_keys[sku] not in self.preparations
            or not all(k in self.stored for k in self.keys[sku])
        )

    @property
    def nothing_to_make(self) -> bool:
        """True when every planned variant is stored: the run only links them (no task, no Prefect)."""
        return not any(self.needs_work(sku) for sku in self.planned)


def survey_run(
    campaign: Campaign,
    store: Store,
    backend: str = "studio",
    backend_options: dict[str, Any] | None = None,
    force: bool = False,
) -> Survey:
    """Plan and key the campaign against `store` (reads, and records new photo digests)."""
    made = make_backend(backend, campaign, backend_options)  # fails here (model missing, ...)
    weights = backend_weights(made)
    inputs = run_digest(campaign, backend, backend_options, weights=weights)  # brand and prompts: hashed once
    planned = {sku: plan_variants(campaign, sku) for sku in campaign.skus}
    photos = sorted({p for sku in campaign.skus for p in campaign.catalog.images(sku)})
    try:
        hashes = store.file_digests(photos)
    except OSError:  # one unreadable photo: each SKU hashes its own (and its run says why)
        hashes = {}
    keys: dict[str, list[str]] = {}
    prep_keys: dict[str, str] = {}
    for sku, (plans, _) in planned.items():
        images = campaign.catalog.images(sku)
        source = source_digest(images, hashes)
        keys[sku] = [variant_input_key(campaign, plan, run=inputs, source=source) for plan in plans]
        prep_keys[sku] = preparation_key(source_digest(images, hashes, paths=False))
    return Survey(
        campaign,
        made,
        backend_digest(campaign, backend, backend_options, weights=weights),
        planned,
        keys,
        prep_keys,
        hashes,
        {} if force else store.reusable_many([k for ks in keys.values() for k in ks]),
        {} if force else store.preparations(prep_keys.values()),
        force,
    )


def run_campaign(
    campaign: Campaign,
    out: str,
    *,
    backend: str = "studio",
    run_id: str | None = None,
    backend_options: dict[str, Any] | None = None,
    db: str | None = None,
    force: bool = False,
    blobs: str | None = None,
    task_runner: str = "threads",
    dask_address: str | None = None,
    gpu_slot: str | None = None,
    survey: Survey | None = None,
) -> dict[str, Any]:
    """The body of `flows.campaign.campaign_run`. Called directly (not as a flow) only with a
    `survey` whose `nothing_to_make` is true: then no task is submitted and Prefect is not needed."""
    from flows.scaleout import task_runner_for

    out_dir = Path(out).resolve()
    store = open_run_store(str(out_dir), db, blobs)
    if survey is None:
        survey = survey_run(campaign, store, backend, backend_options, force)  # fails before anything is written
    # Fails here (unknown, unreachable) before anything is written; Prefect loads only for work.
    runner = None if survey.nothing_to_make else task_runner_for(task_runner, dask_address)
    run_id = run_id or new_run_id()
    cid = campaign.brief.campaign_id
    store.start_run(run_id, cid, str(campaign.brief_path), backend, campaign.brand.checks.waivable)
    planned = survey.planned
    total = sum(len(plans) for plans, _ in planned.values())
    reporter().start(total, f"{cid}: {len(campaign.skus)} SKUs")
    settings = RunSettings(
        run_id, str(out_dir), db, blobs, backend, backend_options, survey.scene_backend, force, gpu_slot
    )
    keys, hashes, stored, preparations = survey.keys, survey.hashes, survey.stored, survey.preparations

    per_sku: list[dict[str, Any]] = []
    reuse: list[str] = []
    work: list[SkuWork] = []
    skips: list[tuple[str, str, str]] = []  # recorded in one transaction (thousands at a large catalog)
    for sku, (plans, unlisted) in planned.items():
        counts = _counts(sku)
        for reason in unlisted:
            counts["skipped"].append({"subject": sku, "reason": reason, "fatal": False})
            skips.append((sku, sku, reason))
        found = [stored.get(k) for k in keys[sku]]
        prep = preparations.get(survey.prep_keys[sku])
        if plans and not survey.needs_work(sku) and prep is not None:
            # Nothing to make, not even the cut-out: the rejected photos are told as before.
            for rejected in rejected_photos(prep, sku, campaign.catalog.images(sku)):
                counts["skipped"].append(rejected)
                skips.append((sku, rejected["subject"], rejected["reason"]))
            reuse.extend(str(v) for v in found)
        elif plans:
            images = campaign.catalog.images(sku)
            hashed = {str(p): hashes[p] for p in images if p in hashes}
            work.append(SkuWork(sku, plans, keys[sku], found, survey.prep_keys[sku], prep, hashed))
        per_sku.append(counts)
    store.record_skips(run_id, skips)
    if reuse:
        verdicts = store.reuse_many(run_id, reuse)
        reporter().advance(len(reuse), f"{len(reuse)} variants reused")
        reporter().note(f"{len(reuse)} variants of {len(planned) - len(work)} SKUs reused from earlier runs")
        tally = Counter(verdicts.values())
        per_sku.append({"sku": "", **dict.fromkeys(COUNTS, 0), "skipped": []})
        per_sku[-1].update(variants=len(verdicts), reused=len(verdicts), **tally)
    if work:
        assert runner is not None  # the survey found work
        from prefect.utilities.annotations import quote

        from flows.campaign import produce_skus  # the Prefect task around `produce_batch`

        # Batches of SKUs: a task costs real overhead (a store opened, Prefect's task run records;
        # on a cluster, scheduling and transfer: docs/facts.md). Threads: up to 8 SKUs a task (a
        # task per SKU cost ~25 ms each at 10,000 SKUs), but at least two tasks per core, so a
        # small campaign keeps every core busy; Dask: 4.
        size = max(1, min(8, len(work) // (2 * settings.threads))) if task_runner == "threads" else 4
        if backend == "diffusion":  # the scenes of a task's SKUs share model calls (`_prefetch_scenes`)
            size = 8
        parts = -(-len(work) // size)
        # quote(): Prefect would otherwise walk the whole campaign (its catalog: every row) looking
        # for futures, once per task: 43 % of a 10,000-SKU first run. The thread runner unwraps it;
        # prefect-dask pickles the wrapper as a bare tuple, so Dask tasks get the campaign as is.
        shared = quote(campaign) if task_runner == "threads" else campaign
        with runner:
            futures = [
                runner.submit(produce_skus, {"campaign": shared, "batch": batch, "settings": settings})
                for batch in _batches(work, parts)
            ]
            try:
                for future in futures:
                    per_sku.extend(future.result())
            except BaseException:  # Ctrl-C, SIGTERM: the tasks in this process stop after their variant
                _STOPPED.add(run_id)
                raise
            finally:
                with _KEY_LOCKS_GUARD:
                    _KEY_LOCKS.pop(run_id, None)

    slots = {(p.sku, p.scene.id, p.format_id, p.locale) for plans, _ in planned.values() for p in plans}
    reinstated = store.reinstate_slots(run_id, cid, slots)
    retired = store.retire_slots(run_id, cid, retirements(campaign, store.campaign_slots(cid), slots))
    if retired:
        reporter().note(f"{retired} slots retired (their SKU or market left the catalog); publish retracts them")

    variants = store.run_tally(run_id)
    summary: dict[str, Any] = {
        "run_id": run_id,
        "variants": len(variants),
        "passed": sum(v["verdict"] == "passed" for v in variants),
        "needs_review": sum(v["verdict"] == "needs_review" for v in variants),
        "blocked": sum(v["verdict"] == "blocked" for v in variants),
        # Made by an earlier run from the same inputs and linked into this one, not rendered again.
        "reused": store.reused(run_id),
        # Text drawn again over a scene an earlier run rendered (a price or copy change).
        "recomposed": sum(r["recomposed"] for r in per_sku),
        # Drawn over a new scene.
        "rendered": sum(r["rendered"] for r in per_sku),
        "retired": retired,
        "reinstated": reinstated,
        # Identical bytes from an earlier run are the same variant: it may already be published.
        "published": sum(v["published"] for v in variants),
        "out": str(out_dir),
        "skipped": [s for r in per_sku for s in r["skipped"]],
        # SKUs left out entirely or with damaged input files: the run exits 1 for these.
        "held_reasons": Counter(r for v in variants for r in v["reasons"]).most_common(),
        "failed_skus": sorted({r["sku"] for r in per_sku if any(s.get("fatal") for s in r["skipped"])}),
    }
    store.finish_run(run_id, summary)  # and runs/<run_id>/report.json
    store.close()
    return summary

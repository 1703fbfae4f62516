"""`image.nudity` fed by the generator's own safety checker (issue 16 item 3), end to end: a demo
variant painted by a tiny SD 1.5 model whose real `StableDiffusionSafetyChecker` flags every image
is blocked by `image.nudity` naming that checker, its background is the flat brand background (not
the blacked-out frame), and the verdict survives the store: the stored sidecar gives the same
block (`context_from_lineage`) and `regenerate` rebuilds the variant byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from PIL import Image

from pipeline.checks.image import ImageContext, context_from_lineage, run_image_checks, settings_from_policy
from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.imageio import decode_image
from pipeline.imaging.products import PreparedProduct
from pipeline.model.campaign import load_campaign
from pipeline.regenerate import regenerate_stored
from pipeline.render import RenderedVariant, plan_variants, render_variant
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings
from pipeline.scene.tiny_model import write_tiny_sd_inpaint
from pipeline.storage.store import Store
from tests.helpers import DEMO_BRAND, DEMO_BRIEF, PROMPTS

CHECKER = "StableDiffusionSafetyChecker"


class Flagged(NamedTuple):
    product: PreparedProduct
    variant: RenderedVariant
    out: Path  # a store holding the variant
    variant_id: str


def render_with(
    model: Path, sku: str = "B07GTFSCHB", fmt: str = "square", variant: str | None = None
) -> tuple[PreparedProduct, RenderedVariant]:
    """One demo variant (en-US) painted by the diffusion backend with `model` (its weight
    `variant`), as a run renders it (seconds: the product's mask, OCR of the drawn text)."""
    from pipeline.imaging.products import prepare_product

    campaign = load_campaign(DEMO_BRIEF, PROMPTS)
    product, _ = prepare_product(sku, campaign.catalog.images(sku))
    assert product is not None
    plans, _ = plan_variants(campaign, sku)
    plan = next(p for p in plans if p.locale == "en-US" and p.format_id == fmt)
    backend = DiffusionBackend(DiffusionSettings(model=str(model), steps=2, variant=variant))
    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    return product, render_variant(campaign, product, plan, backend, logo)


def store_variant(out: Path, product: PreparedProduct, variant: RenderedVariant) -> str:
    """Keep the variant as a run does (cut-out, blob, catalog row, sidecar); its id."""
    store = Store(out)
    try:
        store.put_cutout(product.cutout)
        return store.keep_variant("r-test", variant.png, variant.report, variant.lineage)
    finally:
        store.close()


def test_the_sidecars_safety_record_is_the_context_model_flag():
    brand = load_campaign(DEMO_BRIEF, PROMPTS).brand
    generation = {"backend": "diffusion", "seed": 3, "safety": {"checker": CHECKER, "nsfw": True}}
    ctx = context_from_lineage({"generation": generation}, brand)
    assert ctx.model_flag == f"{CHECKER} flagged the generated scene (seed 3)"
    passed = {**generation, "safety": {"checker": CHECKER, "nsfw": False}}
    assert context_from_lineage({"generation": passed}, brand).model_flag is None
    assert context_from_lineage({}, brand).model_flag is None


def test_the_model_flag_blocks_even_when_nudenet_cannot_run(monkeypatch: pytest.MonkeyPatch):
    """Both detectors feed `image.nudity`: NudeNet missing asks for review, the flag still blocks."""
    from pipeline.checks.image import runner

    def nudenet_missing(_: np.ndarray) -> list:
        raise ModuleNotFoundError("No module named 'nudenet'")

    monkeypatch.setattr(runner, "detect_tiled", nudenet_missing)
    brand = load_campaign(DEMO_BRIEF, PROMPTS).brand
    banner = Image.new("RGB", (400, 400), (243, 238, 230))
    ctx = ImageContext(model_flag=f"{CHECKER} flagged the generated scene (seed 3)")
    results = run_image_checks(banner, brand, ctx, settings_from_policy(brand.checks.image), enabled=["image.nudity"])
    assert [(r.verdict, r.code) for r in results] == [
        (Verdict.BLOCKED, "nudity.model_flag"),
        (Verdict.NEEDS_REVIEW, "nudity.unavailable"),
    ]
    assert "No module named 'nudenet'" in results[1].message


@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> Flagged:
    root = tmp_path_factory.mktemp("flagged")
    product, variant = render_with(write_tiny_sd_inpaint(root / "flag-all", safety="flag-all"))
    out = root / "out"
    return Flagged(product, variant, out, store_variant(out, product, variant))


def _nudity(results: tuple[CheckResult, ...] | list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.check == "image.nudity"]


@pytest.mark.slow
def test_a_flagged_scene_blocks_the_banner_naming_the_models_safety_checker(flagged: Flagged):
    report = flagged.variant.report
    assert report.verdict is Verdict.BLOCKED
    (block,) = [r for r in _nudity(report.results) if r.verdict is Verdict.BLOCKED]
    assert block.code == "nudity.model_flag"
    seed = flagged.variant.lineage.generation.seed
    assert block.message.startswith(f"{CHECKER} flagged the generated scene (seed {seed})")
    assert "another seed" in block.message


@pytest.mark.slow
def test_the_flagged_frame_is_not_the_background(flagged: Flagged):
    banner = np.asarray(decode_image(flagged.variant.png, "banner").convert("RGB"))
    x0, y0, x1, y1 = flagged.variant.lineage.product.placement_box
    outside = np.ones(banner.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    background = banner[outside]
    assert (background.sum(axis=-1) == 0).mean() < 0.01  # not the checker's black frame
    assert flagged.variant.lineage.generation.model_extra["safety"]["nsfw"] is True


@pytest.mark.slow
def test_the_stored_sidecar_gives_the_same_block(flagged: Flagged):
    """`vitrina check image` reads the sidecar (`context_from_lineage`): the flag is in it."""
    store = Store(flagged.out)
    try:
        record = store.variant(flagged.variant_id)
        blob = store.blob_path(record.blob_sha)
        lineage = json.loads(store.blob_path(record.blob_sha, ".json").read_text(encoding="utf-8"))["lineage"]
    finally:
        store.close()
    brand = load_campaign(DEMO_BRIEF, PROMPTS).brand
    ctx = context_from_lineage(lineage, brand)
    assert ctx.model_flag is not None and ctx.model_flag.startswith(CHECKER)
    results = run_image_checks(
        decode_image(blob.read_bytes(), "banner"),
        brand,
        ctx,
        settings_from_policy(brand.checks.image),
        enabled=["image.nudity"],
    )
    assert [(r.verdict, r.code) for r in results] == [(Verdict.BLOCKED, "nudity.model_flag")]


@pytest.mark.slow
def test_regenerate_rebuilds_the_flagged_variant_byte_for_byte(flagged: Flagged):
    store = Store(flagged.out)
    try:
        report = regenerate_stored(store, flagged.variant_id, brand_dir=DEMO_BRAND)
    finally:
        store.close()
    assert report.identical, report.summary()

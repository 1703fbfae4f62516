"""Shared test helpers: copies of the demo brand and brief that a test may break on purpose, and
real variants rendered and stored the way a run does (never sidecars written by hand)."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml

if TYPE_CHECKING:
    from pipeline.imaging.products import PreparedProduct
    from pipeline.model.lineage import Lineage
    from pipeline.render import RenderedVariant

REPO = Path(__file__).resolve().parents[1]
DEMO_BRAND = REPO / "brand_guides" / "halden"
DEMO_BRIEF = REPO / "demo" / "campaign.yaml"
PROMPTS = REPO / "prompts"


def copy_demo(tmp: Path) -> Path:
    """Copy brand + demo (brief, catalog, products) into tmp; return the brief path."""
    shutil.copytree(DEMO_BRAND, tmp / "brand_guides" / "halden")
    shutil.copytree(REPO / "demo", tmp / "demo")
    return tmp / "demo" / "campaign.yaml"


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@cache
def render_demo_variant(
    sku: str = "B07GTFSCHB", locale: str = "en-US", fmt: str = "square"
) -> tuple[PreparedProduct, RenderedVariant]:
    """(product, variant): one real variant of the demo campaign, rendered as a run renders it.

    Cached per process: both are frozen, and rendering costs seconds."""
    from PIL import Image

    from pipeline.imaging.products import prepare_product
    from pipeline.model.campaign import load_campaign
    from pipeline.render import plan_variants, render_variant
    from pipeline.scene.studio import StudioBackend

    campaign = load_campaign(DEMO_BRIEF, PROMPTS)
    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    product, _ = prepare_product(sku, campaign.catalog.images(sku))
    assert product is not None
    plans, _ = plan_variants(campaign, sku)
    plan = next(p for p in plans if p.locale == locale and p.format_id == fmt)
    return product, render_variant(campaign, product, plan, StudioBackend(), logo)


class StoredVariant(NamedTuple):
    """Where a stored variant's files are (as `Store.keep_variant` and a run lay them out)."""

    out: Path
    variant_id: str
    blob: Path  # out/blobs/sha256/ab/<sha>.png
    sidecar: Path  # out/blobs/sha256/ab/<sha>.json
    linked: Path  # out/runs/<run>/<sku>/<scene>/<format>/<locale>.png
    cutout: Path  # out/cutouts/sha256/ab/<sha>.png
    lineage: Lineage


def store_demo_variant(out: Path, run_id: str = "r-test", db_url: str | None = None, **which: str) -> StoredVariant:
    """Render a demo variant (`render_demo_variant(**which)`) and store it as a run does: the cut-out,
    then `Store.keep_variant` (blob, catalog row, sidecar, browsable link). The catalog is `out`'s
    ``catalog.sqlite``, or the database at `db_url`."""
    from pipeline.storage.store import Store

    product, variant = render_demo_variant(**which)
    store = Store(out, db_url)
    try:
        cut_sha = store.put_cutout(product.cutout)
        vid = store.keep_variant(run_id, variant.png, variant.report, variant.lineage)
        record = store.variant(vid)
        lin = variant.lineage
        return StoredVariant(
            out,
            vid,
            store.blob_path(record.blob_sha),
            store.blob_path(record.blob_sha, ".json"),
            out / "runs" / run_id / lin.sku / lin.scene / lin.format.id / f"{lin.locale}.png",
            store.cutout_path(cut_sha),
            lin,
        )
    finally:
        store.close()

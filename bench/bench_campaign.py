"""Whole demo campaign, every format and locale of the demo brand: time per banner spent in
composition and in rendered-text verification (glyph coverage + Tesseract OCR), in one process
without Prefect, OCR cache starting cold.

    .venv/bin/python bench/bench_campaign.py [--skus 1]

Timing wrappers are put around the functions render_variant calls (benchmark-only patching);
nothing else changes.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

import pipeline.render as variants  # noqa: E402
from pipeline.checks.ocr import default_reader  # noqa: E402
from pipeline.imaging.products import prepare_product  # noqa: E402
from pipeline.model.campaign import load_campaign  # noqa: E402
from pipeline.scene.studio import StudioBackend  # noqa: E402

spent: dict[str, float] = defaultdict(float)


def timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t0

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=3, help="how many demo SKUs")
    args = ap.parse_args()
    campaign = load_campaign(ROOT / "demo" / "campaign.yaml", ROOT / "prompts")
    all_formats = [f.id for f in campaign.brand.formats]
    brief = campaign.brief.model_copy(update={"formats": all_formats, "scenes": campaign.brief.scenes[:1]})
    campaign = campaign.__class__(campaign.brief_path, brief, campaign.brand, campaign.catalog, campaign.prompts_dir)

    variants.compose_banner = timed("composition", variants.compose_banner)
    variants.check_glyph_coverage = timed("glyph coverage", variants.check_glyph_coverage)
    variants.check_text_ocr = timed("OCR", variants.check_text_ocr)
    variants.check_copy = timed("copy claims", variants.check_copy)
    variants.run_image_checks = timed("image checks (incl. stray-text OCR)", variants.run_image_checks)
    variants.check_product_fidelity = timed("product fidelity", variants.check_product_fidelity)
    render = timed("whole variant", variants.render_variant)

    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    n = 0
    for sku in campaign.skus[: args.skus]:
        product, _ = prepare_product(sku, campaign.catalog.images(sku))
        plans, _ = variants.plan_variants(campaign, sku)
        for plan in plans:
            render(campaign, product, plan, StudioBackend(), logo)
            n += 1
    reader = default_reader()
    print(
        f"# {date.today()} {platform.machine()} {platform.python_version()}: {n} banners "
        f"({args.skus} SKU x {len(all_formats)} formats x {len(brief.locales)} locales x 1 scene)"
    )
    print("| stage | total s | ms per banner |\n|---|---|---|")
    for name in (
        "composition",
        "glyph coverage",
        "OCR",
        "copy claims",
        "image checks (incl. stray-text OCR)",
        "product fidelity",
        "whole variant",
    ):
        print(f"| {name} | {spent[name]:.1f} | {spent[name] / n * 1000:.0f} |")
    print(f"\nTesseract reads: {reader.calls}, cache hits: {reader.hits}")


if __name__ == "__main__":
    main()

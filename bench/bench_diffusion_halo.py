"""Halo benchmark: how far past the opaque product the diffusion model keeps the flat init image.

    .venv/bin/python bench/bench_diffusion_halo.py [--baseline-rev a055154]

For every family's tiny model (SD 1.5, SDXL, Flux Fill) and a set of channel sizes, the mask
Vitrina builds is run through the model and the mask its denoiser received is read from the
pipeline's own `prepare_mask_latents` (`pipeline.scene.diffusion_masks.received_masks`); the
baseline is the mask of `--baseline-rev` (the code before issue 16: keep every bucket pixel the
product touches), run through the same model in the same process. The figure is
`stray_ring_width`: the widest ring (channel px) of kept cells, widened by the bicubic fit's
support, outside the opaque product. Goal: 0.

A second table shows the same geometry at full-size models' cells (no weights needed): 512 px
buckets for SD 1.5, 1024 px for SDXL and Flux Fill, the mask reduced to 8 px latent cells as
diffusers does (nearest neighbour: the top-left pixel of each cell), per pixel for Flux Fill.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZES = [(1080, 1080), (1080, 1350), (1080, 1920), (1920, 1080), (1200, 628), (300, 250)]


def baseline_module(rev: str) -> Any:
    """`pipeline/scene/diffusion.py` as it was at `rev`, imported under another name."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:pipeline/scene/diffusion.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="vitrina-halo-")) / "baseline_diffusion.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_diffusion", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_diffusion"] = module
    spec.loader.exec_module(module)
    return module


def cutout() -> Any:
    """A noisy product with soft edges and a handle hole (tests/pipeline/scene/test_diffusion.py)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    h, w = 180, 120
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot((yy - h / 2) / (h / 2), (xx - w / 2) / (w / 2))
    alpha = np.clip((1 - d) * 8 * 255, 0, 255).astype(np.uint8)
    alpha[80:100, 50:70] = 0
    return Image.fromarray(np.dstack([rng.integers(0, 256, (h, w, 3), dtype=np.uint8), alpha]), "RGBA")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-rev", default="a055154", help="commit whose mask is the baseline")
    args = ap.parse_args()

    import numpy as np

    from pipeline.imaging.placement import place_product
    from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings
    from pipeline.scene.diffusion_masks import inpaint_inputs, pick_bucket, received_masks, stray_ring_width
    from pipeline.scene.tiny_model import TINY_FAMILIES, write_tiny

    old = baseline_module(args.baseline_rev)
    cut = cutout()
    root = Path(tempfile.mkdtemp(prefix="vitrina-halo-models-"))
    print(f"tiny models (64 px native), mask as the denoiser received it; baseline {args.baseline_rev}\n")
    print("| family | channel | bucket | baseline ring px | vitrina ring px |\n|---|---|---|---|---|")
    for family in TINY_FAMILIES:
        backend = DiffusionBackend(DiffusionSettings(model=str(write_tiny(root / family, family)), steps=2))
        for size in SIZES:
            area = (size[0] // 10, size[1] // 6, size[0] // 2, size[1] - size[1] // 10)
            layer, placement = place_product(cut, area)
            alpha = np.asarray(layer)[..., 3]
            bucket = backend.bucket(size)[1]
            masks = {
                "baseline": old.inpaint_inputs(size, layer, placement.box, "#F3EEE6", bucket),
                "vitrina": inpaint_inputs(size, layer, placement.box, "#F3EEE6", bucket, backend.cell),
            }
            widths = {}
            for name, (init, mask) in masks.items():
                with received_masks(backend.pipe) as seen:
                    backend.pipe(
                        prompt=["a ceramic mug"],
                        image=[init],
                        mask_image=[mask],
                        height=bucket[1],
                        width=bucket[0],
                        num_inference_steps=2,
                    )
                widths[name] = stray_ring_width(seen[0], size, alpha, placement.box, bucket)
            print(
                f"| {family} | {size[0]}x{size[1]} | {bucket[0]}x{bucket[1]} | {widths['baseline']} | "
                f"{widths['vitrina']} |"
            )

    print("\nfull-size geometry (mask reduced to the denoiser's cells as diffusers does; no model)\n")
    print("| family | channel | bucket | baseline ring px | vitrina ring px |\n|---|---|---|---|---|")
    for family, base, step, cell in (("sd15", 512, 64, 8), ("sdxl", 1024, 64, 8), ("flux-fill", 1024, 16, 1)):
        for size in SIZES:
            area = (size[0] // 10, size[1] // 6, size[0] // 2, size[1] - size[1] // 10)
            layer, placement = place_product(cut, area)
            alpha = np.asarray(layer)[..., 3]
            bucket = pick_bucket(size, base, step)[1]
            widths = {}
            for name, (_, mask) in {
                "baseline": old.inpaint_inputs(size, layer, placement.box, "#F3EEE6", bucket),
                "vitrina": inpaint_inputs(size, layer, placement.box, "#F3EEE6", bucket, cell),
            }.items():
                cells = np.asarray(mask)[::cell, ::cell] < 128  # nearest: each cell's top-left pixel
                kept = cells.repeat(cell, axis=0).repeat(cell, axis=1)
                widths[name] = stray_ring_width(kept, size, alpha, placement.box, bucket)
            print(
                f"| {family} | {size[0]}x{size[1]} | {bucket[0]}x{bucket[1]} | {widths['baseline']} | "
                f"{widths['vitrina']} |"
            )


if __name__ == "__main__":
    main()

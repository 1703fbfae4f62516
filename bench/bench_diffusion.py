"""CPU benchmark: Vitrina's diffusion path vs a raw diffusers call, same tiny model, size, steps,
batch and seeds, measured in the same process, interleaved (so machine load hits both alike).

    .venv/bin/python bench/bench_diffusion.py [--steps 4] [--batch 4] [--repeats 7] [--write]

Two Vitrina figures:
- `bucket`: channel size == bucket size (64x64): the wrapper's own overhead (placement, mask,
  prompts, per-image generators, fit, composite, product-pixel assertion).
- `channel`: a 1080x1080 channel: adds fitting the background and compositing/asserting the
  product at full banner size, work the raw call does not do at all.
The goal is overhead <= 1.10x on `bucket`. `--write` appends the results to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--write", action="store_true", help="append a section to BENCHMARKS.md")
    args = ap.parse_args()

    import numpy as np
    import torch
    from PIL import Image

    from pipeline.imaging.placement import place_product
    from pipeline.scene.base import SceneRequest
    from pipeline.scene.diffusion import (
        DiffusionBackend,
        DiffusionSettings,
        inpaint_inputs,
    )
    from pipeline.scene.tiny_model import write_tiny_sd_inpaint

    tmp = tempfile.mkdtemp(prefix="vitrina-bench-")
    model = write_tiny_sd_inpaint(Path(tmp) / "tiny")
    backend = DiffusionBackend(DiffusionSettings(model=str(model), steps=args.steps, max_batch=args.batch))
    pipe = backend.pipe
    rng = np.random.default_rng(0)
    cut = Image.fromarray(
        np.dstack([rng.integers(0, 256, (120, 80, 3), dtype=np.uint8), np.full((120, 80), 255, np.uint8)]), "RGBA"
    )

    def requests(size: tuple[int, int]) -> list[SceneRequest]:
        w, h = size
        return [
            SceneRequest(
                size,
                cut,
                (w // 10, h // 6, w // 2, h - h // 10),
                {"background": "#F3EEE6"},
                "sweep",
                seed,
                f"a ceramic mug, scene {seed}",
                "text, watermark",
            )
            for seed in range(args.batch)
        ]

    bucket_reqs, channel_reqs = requests((64, 64)), requests((1080, 1080))
    # Raw diffusers gets the same inputs Vitrina would give it, prepared outside the timed region.
    raw_inputs = []
    for r in bucket_reqs:
        layer, pl = place_product(r.cutout, r.area)
        raw_inputs.append(inpaint_inputs(r.size, layer, pl.box, "#F3EEE6", (64, 64)))

    def raw() -> None:
        with torch.inference_mode():
            _ = pipe(
                prompt=[r.prompt for r in bucket_reqs],
                negative_prompt=[r.negative_prompt for r in bucket_reqs],
                image=[i for i, _ in raw_inputs],
                mask_image=[m for _, m in raw_inputs],
                height=64,
                width=64,
                num_inference_steps=args.steps,
                guidance_scale=7.5,
                generator=[torch.Generator("cpu").manual_seed(r.seed) for r in bucket_reqs],
            ).images

    runs = {
        "raw diffusers": raw,
        "vitrina (bucket size)": lambda: backend.render_batch(bucket_reqs),
        "vitrina (1080x1080 channel)": lambda: backend.render_batch(channel_reqs),
    }
    for fn in runs.values():  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["raw diffusers"]
    rows = [f"| {k} | {med[k] * 1000:.0f} ms | {args.batch / med[k]:.1f} | {med[k] / base:.2f}x |" for k in runs]
    cpu = platform.processor() or platform.machine()
    header = (
        f"### Diffusion backend overhead (CPU, tiny model)\n\n"
        f"`.venv/bin/python bench/bench_diffusion.py --steps {args.steps} --batch {args.batch} "
        f"--repeats {args.repeats}{' --write' if args.write else ''}` — {dt.date.today().isoformat()}, "
        f"{cpu}, {os.cpu_count()} CPUs, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), diffusers {__import__('diffusers').__version__}. "
        f"Tiny random SD-inpaint (`vitrina models tiny`), 64x64 bucket, {args.steps} steps, batch {args.batch}, "
        f"median of {args.repeats} interleaved runs.\n\n"
        "| path | time per batch | images/s | vs raw |\n|---|---|---|---|\n"
    )
    text = header + "\n".join(rows) + "\n"
    print(text)
    if args.write:
        bench = REPO / "BENCHMARKS.md"
        existing = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
        bench.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()

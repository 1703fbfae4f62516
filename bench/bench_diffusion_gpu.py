"""GPU benchmark: images/s of Vitrina's diffusion path vs a plain diffusers call on the same model.

    python bench/bench_diffusion_gpu.py --arch sdxl --steps 30 --batch 1 4 [--compile] [--write]
    python bench/bench_diffusion_gpu.py --arch sd15 --steps 30 --batch 8
    python bench/bench_diffusion_gpu.py --device cpu --tiny --steps 2 --batch 2   # smoke test (the suite runs it)

Models: full-size SD 1.5 / SDXL inpainting architectures with random weights (docs/facts.md 2:
outputs are noise, the cost is real; nothing is downloaded), or with --tiny the tiny models of
`pipeline.scene.tiny_model`. Per batch size B, three paths, each timed over `--batches` batches
(median of `--repeats`, after a warm-up that also compiles):

- "diffusers default": the pipeline as diffusers builds it (fp32, no compile), raw calls at the
  native size.
- "tuned": bf16 (CUDA), SDPA (torch's default attention), channels_last UNet and VAE, and with
  --compile torch.compile(max-autotune) of the UNet; raw calls at the native size.
- "vitrina": the same tuned pipeline driven through `DiffusionBackend.render_batch` for 1080x1080
  banners (the square bucket is the native size): placement, mask, fit, composite and the
  product-pixel assertion included, overlapped with the model's calls.

Runs from a clean checkout on a machine whose Python has torch, transformers and Pillow (numpy,
safetensors, huggingface_hub, regex and PyYAML come with transformers). Vitrina's diffusion path
needs neither pydantic nor OpenCV nor Babel (tests/pipeline/scene/test_diffusion_gpu_bench.py runs
this file with them blocked). Carry diffusers and `requests`, which diffusers imports at start, with
its dependencies, as wheels:

    pip download --no-deps -d wheels diffusers==0.42.1 requests urllib3 idna charset-normalizer certifi
    pip install --no-index --find-links wheels diffusers requests    # on the GPU machine
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WHEELS = "diffusers==0.42.1 requests urllib3 idna charset-normalizer certifi"


def build_full(arch: str) -> Any:
    """A random-initialised full-size inpainting pipeline (9-channel UNet) with the tiny tokenizer."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionInpaintPipeline,
        StableDiffusionXLInpaintPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    from pipeline.scene.tiny_model import write_clip_tokenizer_files

    tok = CLIPTokenizer.from_pretrained(
        str(write_clip_tokenizer_files(Path(tempfile.mkdtemp()) / "tok")), model_max_length=77
    )
    sched = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
    vae_blocks = {"down_block_types": ("DownEncoderBlock2D",) * 4, "up_block_types": ("UpDecoderBlock2D",) * 4}
    clip = {"vocab_size": 1000, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}
    te_config = CLIPTextConfig(
        hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12, **clip
    )
    torch.manual_seed(0)
    if arch == "sd15":
        unet = UNet2DConditionModel(
            sample_size=64,
            in_channels=9,
            out_channels=4,
            block_out_channels=(320, 640, 1280, 1280),
            cross_attention_dim=768,
            attention_head_dim=8,
        )
        vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), latent_channels=4, **vae_blocks)
        return StableDiffusionInpaintPipeline(
            vae=vae,
            text_encoder=CLIPTextModel(te_config),
            tokenizer=tok,
            unet=unet,
            scheduler=sched,
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
        )
    unet = UNet2DConditionModel(
        sample_size=128,
        in_channels=9,
        out_channels=4,
        block_out_channels=(320, 640, 1280),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        transformer_layers_per_block=(1, 2, 10),
        attention_head_dim=(5, 10, 20),
        cross_attention_dim=2048,
        addition_embed_type="text_time",
        addition_time_embed_dim=256,
        projection_class_embeddings_input_dim=2816,
        use_linear_projection=True,
    )
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), latent_channels=4, force_upcast=True, **vae_blocks)
    te2 = CLIPTextModelWithProjection(
        CLIPTextConfig(
            hidden_size=1280,
            intermediate_size=5120,
            num_attention_heads=20,
            num_hidden_layers=32,
            projection_dim=1280,
            **clip,
        )
    )
    return StableDiffusionXLInpaintPipeline(
        vae=vae,
        text_encoder=CLIPTextModel(te_config),
        text_encoder_2=te2,
        tokenizer=tok,
        tokenizer_2=tok,
        unet=unet,
        scheduler=sched,
        requires_aesthetics_score=False,
        force_zeros_for_empty_prompt=True,
    )


def build(arch: str, tiny: bool, device: str, dtype: Any) -> Any:
    from pipeline.scene.tiny_model import build_tiny_sd_inpaint, build_tiny_sdxl_inpaint

    if tiny:
        pipe = build_tiny_sd_inpaint(0) if arch == "sd15" else build_tiny_sdxl_inpaint(0)
    else:
        pipe = build_full(arch)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device, dtype)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=("sd15", "sdxl"), default="sdxl")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tiny", action="store_true", help="the tiny test models (64 px) instead of full size")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--batches", type=int, default=4, help="batches per timed run (the steady state)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--write", action="store_true", help="append the table to BENCHMARKS.md")
    args = ap.parse_args()
    try:
        import diffusers
        import torch
    except ImportError as exc:
        sys.exit(f"bench_diffusion_gpu.py needs {exc.name}: carry the wheels ({WHEELS}); see this file's docstring")
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("bench_diffusion_gpu.py: no CUDA device here (use --device cpu --tiny for a smoke test)")
    from PIL import Image

    from pipeline.scene.base import SceneRequest
    from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings, ResolvedModel

    on_cuda = args.device.startswith("cuda")
    tuned_dtype = torch.bfloat16 if on_cuda else torch.float32

    def sync() -> None:
        if on_cuda:
            torch.cuda.synchronize()

    def timed(fn: Callable[[], Any]) -> float:
        fn()  # warm-up (and compile)
        runs = []
        for _ in range(args.repeats):
            sync()
            start = time.perf_counter()
            fn()
            sync()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) / args.batches  # seconds per batch

    side = 64 if args.tiny else {"sd15": 512, "sdxl": 1024}[args.arch]  # the native size: the square bucket
    image, mask = Image.new("RGB", (side, side), "white"), Image.new("L", (side, side), 255)

    def raw(pipe: Any, batch: int) -> None:
        for k in range(args.batches):
            pipe(
                prompt=["a ceramic mug on an oak table"] * batch,
                negative_prompt=["text"] * batch,
                image=[image] * batch,
                mask_image=[mask] * batch,
                height=side,
                width=side,
                num_inference_steps=args.steps,
                generator=[torch.Generator("cpu").manual_seed(k * batch + i) for i in range(batch)],
            )

    rows: list[tuple[int, str, float]] = []
    default = build(args.arch, args.tiny, args.device, torch.float32)
    for batch in args.batch:
        rows.append((batch, "diffusers default (fp32)", timed(lambda b=batch, p=default: raw(p, b))))
    del default  # freed before the tuned pipeline loads (an fp32 SDXL is 10 GB)
    if on_cuda:
        torch.cuda.empty_cache()

    tuned = build(args.arch, args.tiny, args.device, tuned_dtype)
    if on_cuda:
        tuned.unet.to(memory_format=torch.channels_last)
        tuned.vae.to(memory_format=torch.channels_last)
    if args.compile:
        tuned.unet = torch.compile(tuned.unet, mode="max-autotune", fullgraph=True)
    tuned_name = f"tuned ({str(tuned_dtype).removeprefix('torch.')}, SDPA, channels_last"
    tuned_name += ", compile)" if args.compile else ")"
    model = ResolvedModel(f"random-{args.arch}", Path("/nonexistent"), None, "0" * 64, {}, args.arch)
    cut = Image.new("RGBA", (300, 500), (180, 40, 40, 255))
    for batch in args.batch:
        backend = DiffusionBackend(
            DiffusionSettings(model=model.ref, steps=args.steps, max_batch=batch), loaded=(model, tuned)
        )
        assert backend.bucket((1080, 1080))[1] == (side, side), backend.bucket((1080, 1080))
        requests = [
            SceneRequest(
                (1080, 1080), cut, (100, 150, 600, 1000), {"background": "#F3EEE6"}, "sweep", seed, "mug", "text"
            )
            for seed in range(batch * args.batches)
        ]
        rows.append((batch, tuned_name, timed(lambda b=batch: raw(tuned, b))))
        vitrina = backend.render_batch
        rows.append((batch, "vitrina render_batch (1080x1080 banners)", timed(lambda f=vitrina, r=requests: f(r))))
    rows.sort(key=lambda row: row[0])  # by batch size, paths in the order measured

    where = torch.cuda.get_device_name() if on_cuda else f"CPU ({torch.get_num_threads()} threads)"
    size = "tiny" if args.tiny else "full-size"
    command = (
        f"python bench/bench_diffusion_gpu.py --arch {args.arch} --device {args.device}{' --tiny' if args.tiny else ''}"
        f" --steps {args.steps} --batch {' '.join(map(str, args.batch))} --batches {args.batches}"
        f"{' --compile' if args.compile else ''}"
    )
    lines = [
        f"### Diffusion on {where}: {size} {args.arch}, random weights, {args.steps} steps\n",
        f"`{command}` — {dt.date.today().isoformat()}, torch {torch.__version__}, diffusers {diffusers.__version__}\n",
        "| batch | path | s per batch | s per image | images/s | vs tuned |",
        "|---|---|---|---|---|---|",
    ]
    tuned_time = {b: t for b, name, t in rows if name.startswith("tuned")}
    lines += [
        f"| {b} | {name} | {t:.3f} | {t / b:.3f} | {b / t:.2f} | {tuned_time[b] / t:.2f}x |" for b, name, t in rows
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        bench = REPO / "BENCHMARKS.md"
        bench.write_text(bench.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""GPU benchmark (not run yet: no GPU in the session that wrote it): images/s of Vitrina's diffusion
path vs the default diffusers call, for full-size SD1.5 and SDXL inpainting architectures with
random weights (docs/facts.md 2: outputs are noise, the cost is real; nothing is downloaded).

    .venv/bin/python bench/bench_diffusion_gpu.py --arch sdxl --steps 30 --batch 1 [--compile] [--write]
    .venv/bin/python bench/bench_diffusion_gpu.py --arch sd15 --steps 30 --batch 4

Per arch: "default" = the pipeline as diffusers builds it (fp32, default attention, no compile),
raw call at the bucket size; "tuned" = bf16, SDPA (torch default), channels_last UNet/VAE and with
--compile torch.compile(mode="max-autotune") once per bucket; "vitrina" = the tuned pipeline
driven through DiffusionBackend.render_batch at a real channel size (1080x1080 -> square bucket),
including placement, mask, fit, composite and the product-pixel assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build(arch: str, dtype):
    """Random-initialised full-size inpainting pipeline (9-channel UNet) with the tiny tokenizer."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionInpaintPipeline,
        StableDiffusionXLInpaintPipeline,
        UNet2DConditionModel,
    )
    from transformers import (
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTextModelWithProjection,
        CLIPTokenizer,
    )

    from pipeline.scene.tiny_model import write_clip_tokenizer_files

    tok = CLIPTokenizer.from_pretrained(
        str(write_clip_tokenizer_files(Path(tempfile.mkdtemp()) / "tok")), model_max_length=77
    )
    sched = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
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
        vae = AutoencoderKL(
            block_out_channels=(128, 256, 512, 512),
            latent_channels=4,
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
        )
        te = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=1000,
                hidden_size=768,
                intermediate_size=3072,
                num_attention_heads=12,
                num_hidden_layers=12,
                bos_token_id=0,
                eos_token_id=1,
                pad_token_id=1,
            )
        )
        pipe = StableDiffusionInpaintPipeline(
            vae=vae,
            text_encoder=te,
            tokenizer=tok,
            unet=unet,
            scheduler=sched,
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
        )
    else:
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
        vae = AutoencoderKL(
            block_out_channels=(128, 256, 512, 512),
            latent_channels=4,
            force_upcast=True,
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
        )
        common = dict(vocab_size=1000, bos_token_id=0, eos_token_id=1, pad_token_id=1)
        te = CLIPTextModel(
            CLIPTextConfig(
                hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12, **common
            )
        )
        te2 = CLIPTextModelWithProjection(
            CLIPTextConfig(
                hidden_size=1280,
                intermediate_size=5120,
                num_attention_heads=20,
                num_hidden_layers=32,
                projection_dim=1280,
                **common,
            )
        )
        pipe = StableDiffusionXLInpaintPipeline(
            vae=vae,
            text_encoder=te,
            text_encoder_2=te2,
            tokenizer=tok,
            tokenizer_2=tok,
            unet=unet,
            scheduler=sched,
            requires_aesthetics_score=False,
            force_zeros_for_empty_prompt=True,
        )
    return pipe.to("cuda", dtype)


def main() -> None:
    import torch
    from PIL import Image

    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=("sd15", "sdxl"), default="sdxl")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("bench_diffusion_gpu.py needs a CUDA device")

    from pipeline.scene import diffusion
    from pipeline.scene.base import SceneRequest
    from pipeline.scene.diffusion import (
        DiffusionBackend,
        DiffusionSettings,
        ResolvedModel,
    )

    base = 512 if args.arch == "sd15" else 1024
    size = (base, base)
    cut = Image.new("RGBA", (300, 500), (180, 40, 40, 255))
    reqs = [
        SceneRequest(
            (1080, 1080),
            cut,
            (100, 150, 600, 1000),
            {"background": "#F3EEE6"},
            "sweep",
            s,
            "a ceramic mug on an oak table",
            "text",
        )
        for s in range(args.batch)
    ]
    img, mask = Image.new("RGB", size, "white"), Image.new("L", size, 255)

    def call(pipe) -> None:
        pipe(
            prompt=[r.prompt for r in reqs],
            negative_prompt=[r.negative_prompt for r in reqs],
            image=[img] * args.batch,
            mask_image=[mask] * args.batch,
            height=size[1],
            width=size[0],
            num_inference_steps=args.steps,
            generator=[torch.Generator("cpu").manual_seed(r.seed) for r in reqs],
        )

    def timed(fn) -> float:
        fn()  # warm-up (and compile)
        ts = []
        for _ in range(args.repeats):
            torch.cuda.synchronize()
            t = time.perf_counter()
            fn()
            torch.cuda.synchronize()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts)

    results = {}

    def time_default() -> float:
        """diffusers as it comes (fp32); the pipeline is freed when this returns."""
        default = build(args.arch, torch.float32)
        default.set_progress_bar_config(disable=True)
        return timed(lambda: call(default))

    results["diffusers default (fp32)"] = time_default()
    torch.cuda.empty_cache()

    tuned = build(args.arch, torch.bfloat16)
    tuned.set_progress_bar_config(disable=True)
    tuned.unet.to(memory_format=torch.channels_last)
    tuned.vae.to(memory_format=torch.channels_last)
    if args.compile:
        tuned.unet = torch.compile(tuned.unet, mode="max-autotune", fullgraph=True)
    results["diffusers bf16 + SDPA + channels_last" + (" + compile" if args.compile else "")] = timed(
        lambda: call(tuned)
    )

    # Vitrina's path on the same tuned pipeline (injected into the loader cache, no weights on disk).
    fake = ResolvedModel(f"random-{args.arch}", Path("/nonexistent"), None, "random")
    diffusion._PIPELINES[(str(fake.path), fake.weights_sha256, "cuda", "bfloat16", "None", 0.8)] = tuned
    diffusion.resolve_model = lambda ref, base_dir=None: fake  # type: ignore[assignment]
    backend = DiffusionBackend(
        DiffusionSettings(model=fake.ref, steps=args.steps, max_batch=args.batch, device="cuda", dtype="bfloat16")
    )
    results["vitrina render_batch (1080x1080 channel)"] = timed(lambda: backend.render_batch(reqs))

    name = torch.cuda.get_device_name()
    lines = [
        f"### Diffusion on GPU: {args.arch} random weights, {size[0]}px, {args.steps} steps, batch {args.batch}\n",
        f"`.venv/bin/python bench/bench_diffusion_gpu.py --arch {args.arch} --steps {args.steps} --batch "
        f"{args.batch}{' --compile' if args.compile else ''}` — {dt.date.today().isoformat()}, {name}, "
        f"torch {torch.__version__}\n",
        "| path | s per batch | images/s |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v:.2f} | {args.batch / v:.2f} |" for k, v in results.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        bench = REPO / "BENCHMARKS.md"
        bench.write_text(bench.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()

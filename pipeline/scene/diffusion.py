"""The `diffusion` backend: a diffusers inpainting model paints the scene around the placed product.

How one scene is made (the product is never regenerated):

1. The model folder decides the family (SD 1.5, SDXL, Flux Fill) and with it the generation
   profile: native size, bucket multiple, steps, guidance, dtype, how the mask is given
   (`pipeline.scene.diffusion_profiles`). Loading reads the dtype back off the loaded modules and
   lineage records it (`pipeline.scene.diffusion_models`).
2. The product layer is placed on the channel canvas exactly as the studio backend places it
   (`place_product`).
3. The canvas is mapped onto the generation *bucket*: one of a small fixed set of resolutions per
   aspect family (square, portrait, tall, landscape, wide, panorama) around the model's native
   size. A fixed set keeps torch.compile from recompiling per channel size and lets variants of
   different channels that share a bucket go through the model in one batched call.
4. Mask (white = repaint): everything but whole denoiser cells inside the opaque product, so no
   flat init background survives next to the product (no halo: `pipeline.scene.diffusion_masks`).
5. The generated background is fitted to the exact channel size (scale to cover, centre crop). Only
   the background is resampled; the product layer is composited at channel size afterwards, so its
   pixels are resampled once (in `place_product`) and copied exactly where its alpha is opaque.
6. `product_pixels_unchanged` is asserted for every image; a difference raises.

Throughput: variants of one bucket go through the model together (`max_batch` a call), and the CPU
work around the model overlaps it (a small producer/consumer pipeline in `render_batch`: inputs of
the next call are prepared, and the images of the last one fitted, composited and asserted, while
the model runs). One pipeline is loaded per model, device and dtype; a brand LoRA's scale is set per
call. CUDA runs channels_last; model CPU offload and torch.compile are options (`offload`,
`compile`).

A frame the pipeline's own safety checker flags (SD 1.5 models that ship one) is never used: the
scene gets the flat brand background instead, and the lineage's ``safety`` record makes the
`image.nudity` check block the banner. CUDA running out of memory halves the batch and tries again;
at batch 1 it is a `ModelError`, which fails that SKU only (the run goes on).

Models come from a local directory or the local Hugging Face cache (a hub id); nothing is ever
downloaded here (`local_files_only=True`).

Seeds are explicit: one CPU `torch.Generator` per image, so an image depends on its seed only,
not on the batch it was made in (up to float rounding of batched kernels, see `render_batch`).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from PIL import Image, ImageColor

from pipeline.digests import file_sha256
from pipeline.errors import InputError, LoraNotFoundError, ModelError, ModelNotFoundError, VitrinaError
from pipeline.imaging.placement import composite_product, place_product, product_pixels_unchanged
from pipeline.scene.base import SceneRequest, SceneResult
from pipeline.scene.diffusion_masks import BUCKET_FAMILIES, buckets_for, fit_to_size, inpaint_inputs, pick_bucket
from pipeline.scene.diffusion_models import (
    ResolvedModel,
    choose_device_dtype,
    hardware,
    load_pipeline,
    loaded_dtypes,
    quiet_hf_logging,
    resolve_lora,
    resolve_model,
    runtime_versions,
)
from pipeline.scene.diffusion_profiles import bucket_step

if TYPE_CHECKING:  # the brand model (pydantic) loads only with a brand: bench/bench_diffusion_gpu.py runs without
    from pipeline.model.brand import ImageryStyle

__all__ = [
    "BUCKET_FAMILIES",
    "DiffusionBackend",
    "DiffusionSettings",
    "LoraNotFoundError",
    "ModelNotFoundError",
    "ResolvedModel",
    "buckets_for",
    "choose_device_dtype",
    "fit_to_size",
    "inpaint_inputs",
    "load_pipeline",
    "pick_bucket",
    "quiet_hf_logging",
    "resolve_model",
]


@dataclass(frozen=True)
class DiffusionSettings:
    """What the diffusion backend runs; from the brand's imagery section, overridden by the CLI.
    `steps` and `guidance` left None take the model family's profile values."""

    model: str
    steps: int | None = None
    guidance: float | None = None
    lora: str | None = None
    lora_scale: float = 0.8
    max_batch: int = 4
    device: str | None = None
    dtype: str | None = None
    variant: str | None = None  # weight variant ("fp16"); None: the plain files, or the only variant there is
    offload: bool = False  # model CPU offload (accelerate): fits a model larger than the GPU, slower
    compile: bool = False  # torch.compile the denoiser (CUDA): minutes once per bucket, faster after
    base_dir: Path | None = None  # where a relative model folder is looked up (the brand folder)
    lora_base_dir: Path | None = None  # where a relative LoRA path is looked up (the brand folder)


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        if isinstance(value, dict):
            return {str(k): _json_safe(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [_json_safe(v) for v in value]
        return repr(value)


_OPTIONS = frozenset({"model", "steps", "guidance", "max_batch", "device", "dtype", "variant", "offload", "compile"})


def _settings(imagery: ImageryStyle, brand_root: Path | None, **options: Any) -> DiffusionSettings:
    """`DiffusionBackend.from_imagery`'s settings: the brand's imagery section under the options.
    Steps and guidance the brand does not set (its defaults are SD values) come from the profile."""
    written = imagery.model_fields_set
    model, steps, guidance = options.get("model"), options.get("steps"), options.get("guidance")
    return DiffusionSettings(
        model=model or imagery.model or "",
        steps=steps or (imagery.steps if "steps" in written else None),
        guidance=guidance if guidance is not None else (imagery.guidance if "guidance" in written else None),
        lora=imagery.lora,
        lora_base_dir=brand_root,
        lora_scale=imagery.lora_scale,
        max_batch=options.get("max_batch") or 4,
        device=options.get("device"),
        dtype=options.get("dtype"),
        variant=options.get("variant"),
        offload=bool(options.get("offload", False)),
        compile=bool(options.get("compile", False)),
        # A model from brand.yaml is relative to the brand folder; one from the CLI to the working folder.
        base_dir=None if model is not None else brand_root,
    )


def _sizes(pipe: Any, native: int, packing: int) -> tuple[int, int, int]:
    """(native size px, pixel multiple the denoiser needs, VAE scale) of a loaded pipeline. The
    native size is what the model's config says (UNet sample size x VAE scale; Flux's size-free
    transformer: the VAE's sample size), else the family's `native`."""
    scale = int(pipe.vae_scale_factor)
    unet = getattr(pipe, "unet", None)
    if unet is not None:
        needed = scale * 2 ** (len(unet.config.block_out_channels) - 1)
        sample = getattr(unet.config, "sample_size", None)
        return (int(sample) * scale if isinstance(sample, int) else native), needed, scale
    vae_sample = getattr(pipe.vae.config, "sample_size", None)
    return (int(vae_sample) if isinstance(vae_sample, int) else native), scale * packing, scale


#: One lock per loaded pipeline: a pipeline is shared by every backend of its model in the process
#: (the LoRA scale is set per call), and two threads must not interleave calls on one GPU.
_CALL_LOCKS: dict[int, threading.Lock] = {}
#: Largest batch per (pipeline, bucket) that fitted in GPU memory after an out-of-memory error.
_BATCH_LIMITS: dict[tuple[int, tuple[int, int]], int] = {}
_GUARD = threading.Lock()


@dataclass(frozen=True)
class _Prepared:
    """A model call's inputs (made on the CPU before the call): placed products, fills, init images
    and masks at bucket size."""

    requests: list[SceneRequest]
    bucket: tuple[int, int]
    placed: list[tuple[Image.Image, Any]]
    fills: list[str]
    inputs: list[tuple[Image.Image, Image.Image]]

    def part(self, start: int, stop: int) -> _Prepared:
        return _Prepared(
            self.requests[start:stop],
            self.bucket,
            self.placed[start:stop],
            self.fills[start:stop],
            self.inputs[start:stop],
        )


@dataclass
class DiffusionBackend:
    """Scenes painted by a diffusers inpainting model around the untouched product.

    `loaded`: a model and pipeline already in memory (a benchmark's random-weight pipeline); else
    the settings' model is found and loaded (`pipeline.scene.diffusion_models`)."""

    settings: DiffusionSettings
    name: str = "diffusion"
    calls: list[int] = field(default_factory=list)  # batch size of every model call (for tests / stats)
    loaded: tuple[ResolvedModel, Any] | None = None

    def __post_init__(self) -> None:
        self.lora = resolve_lora(self.settings.lora, base_dir=self.settings.lora_base_dir)
        if self.loaded is not None:
            self.model, self.pipe = self.loaded
            self.profile = self.model.profile
            self.device = str(self.pipe.device)
            requested = str(self.pipe.dtype).removeprefix("torch.")
        else:
            self.model = resolve_model(
                self.settings.model, base_dir=self.settings.base_dir, variant=self.settings.variant
            )
            self.profile = self.model.profile
            self.device, requested = choose_device_dtype(self.profile, self.settings.device, self.settings.dtype)
            options = {"offload": self.settings.offload, "compile": self.settings.compile}
            self.pipe = load_pipeline(self.model, self.device, requested, self.lora, **options)
        self.steps = self.settings.steps or self.profile.steps
        self.guidance = self.settings.guidance if self.settings.guidance is not None else self.profile.guidance
        self.base, needed, vae_scale = _sizes(self.pipe, self.profile.native, self.profile.packing)
        self.step = bucket_step(self.profile, self.base, max(needed, self.profile.pipeline_multiple))
        self.cell = vae_scale if self.profile.mask == "latent" else 1
        with _GUARD:
            self._lock = _CALL_LOCKS.setdefault(id(self.pipe), threading.Lock())
        self._accepted = frozenset(inspect.signature(self.pipe.__call__).parameters)
        dtypes = loaded_dtypes(self.pipe)
        sched = self.pipe.scheduler
        self._static_lineage = {
            "backend": self.name,
            "model": {
                "id": self.model.ref,
                "revision": self.model.revision,
                "weights_sha256": self.model.weights_sha256,
                "weights": self.model.weights,
                "family": self.model.family,
                "pipeline_class": self.model.pipeline_class,
                "variant": self.model.variant,
            },
            "pipeline": type(self.pipe).__name__,
            "scheduler": {
                "class": type(sched).__name__,
                "config": _json_safe({k: v for k, v in dict(sched.config).items() if not k.startswith("_")}),
            },
            "steps": self.steps,
            "guidance": self.guidance,
            "lora": (
                {"path": str(self.lora), "sha256": file_sha256(self.lora), "scale": self.settings.lora_scale}
                if self.lora
                else None
            ),
            "device": self.device,
            "hardware": hardware(self.device),
            # read off the loaded modules, not the dtype asked for
            "dtype": dtypes.get("transformer") or dtypes.get("unet") or requested,
            "dtypes": dtypes,
            "runtime": dict(runtime_versions(self.device)),
            "native_size": self.base,
            "mask": {"given": self.profile.mask, "cell_px": self.cell, "kept": "whole cells of opaque product"},
            "generator": "torch.Generator(cpu).manual_seed(seed), one per image",
            "fit": "bucket -> cover scale (bicubic) + centre crop; product composited at channel size",
        }

    @classmethod
    def from_imagery(cls, imagery: ImageryStyle | None, root: Path | None = None, **options: Any) -> Self:
        """Settings from a brand's ImageryStyle, with explicit (CLI) `options` taking precedence:
        model, steps, guidance, max_batch, device, dtype, variant, offload, compile. Any other
        option is an `InputError`."""
        from pipeline.model.brand import ImageryStyle

        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise InputError(
                f"the diffusion backend has no option {', '.join(unknown)}; it takes {', '.join(sorted(_OPTIONS))}"
            )
        return cls(_settings(imagery or ImageryStyle(), root, **options))

    def bucket(self, size: tuple[int, int]) -> tuple[str, tuple[int, int]]:
        return pick_bucket(size, self.base, self.step)

    def render(self, request: SceneRequest) -> SceneResult:
        return self.render_batch([request])[0]

    def render_batch(self, requests: Sequence[SceneRequest]) -> list[SceneResult]:
        """Render many scenes; those sharing a bucket go through the model together (up to
        `max_batch` per call). Identical requests (e.g. the same scene in two locales) are made once.

        The model's calls run one after another on this thread; a worker prepares the inputs of the
        next call and another fits, composites and asserts the images of the previous one meanwhile,
        so the GPU does not wait for the CPU (results are the same as one by one, in order).

        Batched == single for the same seeds: every image has its own generator, so the noise is the
        same; outputs can differ by float rounding of batched kernels (a few 1/255 at most on CPU).
        """
        keys = [self._key(r) for r in requests]
        unique: dict[tuple[Any, ...], SceneRequest] = {}
        for k, r in zip(keys, requests, strict=True):
            unique.setdefault(k, r)
        groups: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        for k, r in unique.items():
            groups.setdefault(self.bucket(r.size)[1], []).append(k)
        chunks: list[tuple[tuple[int, int], list[tuple[Any, ...]]]] = []
        for bucket, group in groups.items():
            size = max(1, min(self.settings.max_batch, _BATCH_LIMITS.get((id(self.pipe), bucket), len(group))))
            chunks += [(bucket, group[i : i + size]) for i in range(0, len(group), size)]
        done: dict[tuple[Any, ...], SceneResult] = {}
        with ThreadPoolExecutor(1, "diffusion-prepare") as prepare, ThreadPoolExecutor(1, "diffusion-finish") as finish:
            inputs = [prepare.submit(self._prepare, [unique[k] for k in chunk], bucket) for bucket, chunk in chunks]
            finished: list[Future[list[SceneResult]]] = []
            for prepared in inputs:
                ready = prepared.result()
                images, flags = self._infer(ready)
                finished.append(finish.submit(self._finish, ready, images, flags))
            for (_, chunk), results in zip(chunks, finished, strict=True):
                done.update(zip(chunk, results.result(), strict=True))
        return [done[k] for k in keys]

    @staticmethod
    def _key(r: SceneRequest) -> tuple[Any, ...]:
        return (
            id(r.cutout),
            r.size,
            r.area,
            r.seed,
            r.prompt,
            r.negative_prompt,
            r.style,
            tuple(sorted(r.palette.items())),
        )

    def _prepare(self, requests: list[SceneRequest], bucket: tuple[int, int]) -> _Prepared:
        placed = [place_product(r.cutout, r.area) for r in requests]
        fills = [r.palette.get("background", "#808080") for r in requests]
        inputs = [
            inpaint_inputs(r.size, layer, pl.box, fill, bucket, self.cell)
            for r, (layer, pl), fill in zip(requests, placed, fills, strict=True)
        ]
        return _Prepared(requests, bucket, placed, fills, inputs)

    def _infer(self, ready: _Prepared) -> tuple[list[Image.Image], list[bool]]:
        """The model's images and NSFW flags, halving the batch while CUDA runs out of memory; the
        size that fitted is remembered for the bucket. Out of memory at batch 1 is a `ModelError`
        (the SKU fails, the run goes on)."""
        import torch

        n = len(ready.requests)
        try:
            out = self._call(ready)
        except torch.cuda.OutOfMemoryError:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            if n == 1:
                raise ModelError(
                    f"diffusion backend: CUDA out of memory at batch 1 ({self.model.family}, bucket "
                    f"{ready.bucket[0]}x{ready.bucket[1]}, {self._static_lineage['dtype']}): the model does not "
                    "fit this GPU next to what else runs on it (the offload option trades speed for memory)"
                ) from None
        else:
            self.calls.append(n)
            flags = getattr(out, "nsfw_content_detected", None) or [False] * n
            return list(out.images), [bool(f) for f in flags]
        half = (n + 1) // 2
        with _GUARD:
            key = (id(self.pipe), ready.bucket)
            _BATCH_LIMITS[key] = min(_BATCH_LIMITS.get(key, half), half)
        first, second = self._infer(ready.part(0, half)), self._infer(ready.part(half, n))
        return first[0] + second[0], first[1] + second[1]

    def _call(self, ready: _Prepared) -> Any:
        """One call of the pipeline (holding its lock; the brand LoRA's scale set for this call)."""
        import torch

        requests, bucket = ready.requests, ready.bucket
        optional: dict[str, Any] = dict(self.profile.call)
        if self.profile.negative_prompt:
            optional["negative_prompt"] = [r.negative_prompt for r in requests]
        optional = {k: v for k, v in optional.items() if k in self._accepted}
        generators = [torch.Generator("cpu").manual_seed(r.seed) for r in requests]
        with self._lock, torch.inference_mode():
            if self.lora is not None:
                self.pipe.set_adapters(["brand"], adapter_weights=[self.settings.lora_scale])
            return self.pipe(
                prompt=[r.prompt for r in requests],
                image=[i for i, _ in ready.inputs],
                mask_image=[m for _, m in ready.inputs],
                height=bucket[1],
                width=bucket[0],
                num_inference_steps=self.steps,
                guidance_scale=self.guidance,
                generator=generators,
                output_type="pil",
                **optional,
            )

    def _finish(self, ready: _Prepared, images: list[Image.Image], flags: list[bool]) -> list[SceneResult]:
        """Fit each image to its channel, composite the product, assert its pixels, record lineage."""
        family = self.bucket(ready.requests[0].size)[0]
        checker = getattr(self.pipe, "safety_checker", None)
        results = []
        for r, (layer, pl), fill, generated, flagged in zip(
            ready.requests, ready.placed, ready.fills, images, flags, strict=True
        ):
            # A flagged frame is blacked out by the checker: it never becomes a background.
            if flagged:
                background = Image.new("RGB", r.size, ImageColor.getrgb(fill))
            else:
                background = fit_to_size(generated, r.size)
            image = composite_product(background, layer, pl)
            solid, differing = product_pixels_unchanged(image, layer, pl)
            if differing:
                raise VitrinaError(
                    f"diffusion backend: {differing} of {solid} product pixels changed "
                    f"(size {r.size}, bucket {ready.bucket}); refusing the image"
                )
            lineage = {
                **self._static_lineage,
                "seed": r.seed,
                "prompt": r.prompt,
                "negative_prompt": r.negative_prompt,
                "style": r.style,
                "bucket": {"family": family, "size": list(ready.bucket)},
                "batch_size": len(ready.requests),
                "safety": {
                    "checker": type(checker).__name__ if checker is not None else None,
                    "nsfw": flagged,
                    "used": "flat brand background: the flagged frame was discarded" if flagged else "generated",
                },
            }
            results.append(SceneResult(image, layer, pl, lineage))
        return results

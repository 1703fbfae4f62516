"""The `diffusion` backend: a diffusers inpainting model paints the scene around the placed product.

How one scene is made (the product is never regenerated):

1. The product layer is placed on the channel canvas exactly as the studio backend places it
   (`place_product`).
2. The canvas is mapped onto the generation *bucket*: one of a small fixed set of resolutions per
   aspect family (square, portrait, tall, landscape, wide, panorama), multiples of 64 (8 for tiny
   models). A fixed set keeps torch.compile from recompiling per channel size and lets variants of
   different channels that share a bucket go through the model in one batched call.
3. Mask (white = repaint): everything except the product. The mask is eroded *outward* when it is
   scaled to the bucket (only pixels fully outside the product stay white), never into the product.
4. The generated background is fitted to the exact channel size (scale to cover, centre crop). Only
   the background is resampled; the product layer is composited at channel size afterwards, so its
   pixels are resampled once (in `place_product`) and copied exactly where its alpha is opaque.
5. `product_pixels_unchanged` is asserted for every image; a difference raises.

Models come from a local directory or the local Hugging Face cache (a hub id); nothing is ever
downloaded here (`local_files_only=True`). A missing model raises `ModelNotFoundError`, whose
message says what was looked for and how to provide it.

Seeds are explicit: one CPU `torch.Generator` per image, so an image depends on its seed only,
not on the batch it was made in (up to float rounding of batched kernels, see `render_batch`).
"""

from __future__ import annotations

import inspect
import json
import math
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from PIL import Image

from pipeline.digests import file_sha256, folder_digest, folder_files
from pipeline.errors import (
    InputError,
    LoraNotFoundError,
    ModelNotFoundError,
    VitrinaError,
)
from pipeline.imaging.geometry import Box
from pipeline.imaging.placement import (
    composite_product,
    place_product,
    product_pixels_unchanged,
)
from pipeline.model.brand import ImageryStyle, hex_to_rgb
from pipeline.scene.base import SceneRequest, SceneResult

if TYPE_CHECKING:  # the package's own name is a dummy for type checkers: import the real class
    from diffusers.pipelines.pipeline_utils import DiffusionPipeline

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
    "resolve_model",
]

HOW_TO_PROVIDE = (
    "pass a local diffusers folder with --model DIR or imagery.model in brand.yaml "
    "(download it with `huggingface-cli download ID --local-dir DIR` on a machine with access), "
    "or build a tiny random test model with `vitrina models tiny DIR`"
)


# Aspect families (width / height), from the usual SDXL training buckets.
BUCKET_FAMILIES: tuple[tuple[str, float], ...] = (
    ("square", 1.0),
    ("portrait", 896 / 1152),  # 4:5 feeds
    ("tall", 768 / 1344),  # 9:16 stories
    ("landscape", 1152 / 896),
    ("wide", 1344 / 768),  # 16:9
    ("panorama", 1536 / 640),  # web heroes, 3:1 and wider
)


def buckets_for(base: int) -> dict[str, tuple[int, int]]:
    """Bucket (width, height) per family for a model whose native size is `base` px square.

    About base^2 pixels each; multiples of 64 for real models (latent / 8, UNet / 8), 8 for tiny ones.
    """
    step = 64 if base >= 512 else 8
    out = {}
    for name, aspect in BUCKET_FAMILIES:
        w = max(step, round(base * math.sqrt(aspect) / step) * step)
        h = max(step, round(base / math.sqrt(aspect) / step) * step)
        out[name] = (w, h)
    return out


def pick_bucket(size: tuple[int, int], base: int) -> tuple[str, tuple[int, int]]:
    """The family whose aspect is nearest (in log ratio) to the channel size, and its bucket."""
    aspect = size[0] / size[1]
    name, _ = min(BUCKET_FAMILIES, key=lambda fa: abs(math.log(aspect / fa[1])))
    return name, buckets_for(base)[name]


def _cover(bucket: tuple[int, int], size: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Size of the bucket scaled to cover `size`, and the offset of `size` centred inside it."""
    s = max(size[0] / bucket[0], size[1] / bucket[1])
    cw, ch = max(size[0], math.ceil(bucket[0] * s - 1e-9)), max(size[1], math.ceil(bucket[1] * s - 1e-9))
    return (cw, ch), ((cw - size[0]) // 2, (ch - size[1]) // 2)


def fit_to_size(generated: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale a generated background to cover `size` and centre-crop it (backgrounds only)."""
    (cw, ch), (ox, oy) = _cover(generated.size, size)
    big = generated.convert("RGB").resize((cw, ch), Image.Resampling.BICUBIC)
    return big.crop((ox, oy, ox + size[0], oy + size[1]))


def inpaint_inputs(
    size: tuple[int, int], layer: Image.Image, box: Box, fill: str, bucket: tuple[int, int]
) -> tuple[Image.Image, Image.Image]:
    """Init image and mask (white = repaint) at bucket size for a product layer placed at `box`.

    The canvas is what the final banner shows: the bucket covers it (scale + centre crop), so the
    parts of the bucket outside the canvas are pure scene. The mask keeps (black) every bucket pixel
    that touches the product at all: scaling can only grow the kept area outward, never repaint into
    the product.
    """
    (cw, ch), (ox, oy) = _cover(bucket, size)
    init = Image.new("RGB", (cw, ch), hex_to_rgb(fill))
    init.paste(layer, (ox + box[0], oy + box[1]), layer)
    keep = Image.new("L", (cw, ch), 0)
    keep.paste(Image.fromarray((np.asarray(layer)[..., 3] > 0).astype(np.uint8) * 255, "L"), (ox + box[0], oy + box[1]))
    keep_small = np.asarray(keep.resize(bucket, Image.Resampling.BOX))
    mask = Image.fromarray(np.where(keep_small > 0, 0, 255).astype(np.uint8), "L")
    return init.resize(bucket, Image.Resampling.LANCZOS), mask


#: Files of a diffusers folder that decide its output: weights and their configs/tokenizers.
WEIGHT_SUFFIXES = frozenset({".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".gguf"})
_HASHED_SUFFIXES = WEIGHT_SUFFIXES | {".json", ".txt", ".model"}


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are, and what identifies those exact weights."""

    ref: str  # as configured: a folder or a hub id
    path: Path
    revision: str | None  # hub snapshot commit, when it came from the hub cache
    weights_sha256: str  # `folder_digest` of the weight, config and tokenizer files' bytes
    weights: dict[str, str] = field(default_factory=dict)  # weight file (relative) -> sha256 of its bytes


def _weights_digest(path: Path) -> tuple[str, dict[str, str]]:
    """(digest over every weight, config and tokenizer file's name and bytes, weight file -> sha256).

    Real content hashes (`pipeline.digests.file_sha256`, cached by path, size and mtime): two
    checkpoints of the same names and sizes differ here. Hub cache files are symlinks into
    ``blobs/``; they are followed."""
    try:
        digest = folder_digest(path, lambda f: f.suffix in _HASHED_SUFFIXES)
        files = folder_files(path, lambda f: f.suffix in WEIGHT_SUFFIXES)
    except OSError as exc:
        raise ModelNotFoundError(f"model folder {path}: cannot read its files to hash them: {exc}") from exc
    return digest, files


def resolve_model(ref: str, *, base_dir: Path | None = None) -> ResolvedModel:
    """Find a model on this machine: a folder (absolute, relative to `base_dir` or to the working
    folder) or a hub id already in the local Hugging Face cache. Never downloads."""
    if not ref or not ref.strip():
        raise ModelNotFoundError(f"the diffusion backend needs a model and none is configured; {HOW_TO_PROVIDE}")
    candidates = [Path(ref).expanduser()]
    if base_dir is not None and not Path(ref).is_absolute():
        candidates.insert(0, base_dir / ref)
    for c in candidates:
        if c.is_dir():
            if not (c / "model_index.json").is_file():
                raise ModelNotFoundError(
                    f"model {ref!r}: folder {c} has no model_index.json (not a diffusers "
                    f"pipeline folder); {HOW_TO_PROVIDE}"
                )
            return ResolvedModel(ref, c.resolve(), None, *_weights_digest(c))
    looks_like_path = ref.startswith((".", "/", "~")) or ref.count("/") != 1
    if not looks_like_path:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(ref, "model_index.json")
        if isinstance(cached, str):
            snap = Path(cached).parent
            return ResolvedModel(ref, snap, snap.name, *_weights_digest(snap))
    where = " or ".join(str(c) for c in candidates)
    if looks_like_path:
        raise ModelNotFoundError(f"model {ref!r} not found: no folder at {where}; {HOW_TO_PROVIDE}")
    raise ModelNotFoundError(
        f"model {ref!r} not found: no folder at {where} and not in the local Hugging Face "
        f"cache (nothing is downloaded); {HOW_TO_PROVIDE}"
    )


def resolve_lora(ref: str | None, *, base_dir: Path | None = None) -> Path | None:
    if not ref:
        return None
    p = Path(ref).expanduser()
    if base_dir is not None and not p.is_absolute():
        p = base_dir / p
    if not p.is_file():
        raise LoraNotFoundError(
            f"imagery.lora: {ref!r}: style LoRA file not found at {p} "
            "(a .safetensors file saved with save_lora_weights; remove imagery.lora to run without)"
        )
    return p.resolve()


def choose_device_dtype(device: str | None = None, dtype: str | None = None) -> tuple[str, str]:
    """CUDA: bf16 where supported (no fp16 VAE NaNs), else fp16; CPU: fp32 (half is slow or unsupported)."""
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype is None:
        if device.startswith("cuda"):
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        else:
            dtype = "float32"
    return device, dtype


@dataclass(frozen=True)
class DiffusionSettings:
    """What the diffusion backend runs; from the brand's imagery section, overridden by the CLI."""

    model: str
    steps: int = 30
    guidance: float = 7.5
    lora: str | None = None
    lora_scale: float = 0.8
    max_batch: int = 4
    device: str | None = None
    dtype: str | None = None
    base_dir: Path | None = None  # where a relative model folder is looked up (the brand folder)
    lora_base_dir: Path | None = None  # where a relative LoRA path is looked up (the brand folder)


_PIPELINES: dict[tuple[object, ...], DiffusionPipeline] = {}


def quiet_hf_logging() -> None:
    """Silence transformers' and diffusers' loading chatter (progress bars, optional-package
    hints): it would drown the CLI's own output. Transformers is quietened before diffusers is
    imported, which already talks while importing."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # unannotated in transformers
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # likewise
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()


def load_pipeline(
    model: ResolvedModel, device: str, dtype: str, lora: Path | None = None, lora_scale: float = 1.0
) -> DiffusionPipeline:
    """Load (once per process) an inpainting pipeline from local files only."""
    key = (str(model.path), model.weights_sha256, device, dtype, str(lora), lora_scale)
    if key in _PIPELINES:
        return _PIPELINES[key]
    quiet_hf_logging()
    import torch
    from diffusers import AutoPipelineForInpainting

    try:
        pipe: DiffusionPipeline = AutoPipelineForInpainting.from_pretrained(  # type: ignore[no-untyped-call]
            str(model.path), dtype=getattr(torch, dtype), local_files_only=True
        )  # (diffusers leaves from_pretrained unannotated)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(
            f"model {model.ref!r} at {model.path} could not be loaded as an inpainting "
            f"pipeline: {str(exc).splitlines()[0]}; {HOW_TO_PROVIDE}"
        ) from exc
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)  # type: ignore[no-untyped-call]  # unannotated in diffusers
    if lora is not None:
        try:
            pipe.load_lora_weights(str(lora.parent), weight_name=lora.name, adapter_name="brand")
        except (ImportError, ValueError) as exc:
            raise LoraNotFoundError(
                f"imagery.lora: {str(lora)!r} could not be loaded: {str(exc).splitlines()[0]} "
                "(LoRA needs `pip install peft`)"
            ) from exc
        pipe.set_adapters(["brand"], adapter_weights=[lora_scale])
    _PIPELINES[key] = pipe
    return pipe


def _hardware(device: str) -> str:
    """What ran the model: the GPU's name on CUDA, else the CPU's architecture (and name if known)."""
    if device.startswith("cuda"):
        import torch

        return f"cuda: {torch.cuda.get_device_name(torch.device(device))}"
    return f"cpu: {platform.machine()} {platform.processor()}".strip()


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


_OPTIONS = frozenset({"model", "steps", "guidance", "max_batch", "device", "dtype"})


def _settings(
    imagery: ImageryStyle,
    brand_root: Path | None,
    *,
    model: str | None = None,
    steps: int | None = None,
    guidance: float | None = None,
    max_batch: int | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> DiffusionSettings:
    """`DiffusionBackend.from_imagery`'s settings: the brand's imagery section under the options."""
    return DiffusionSettings(
        model=model or imagery.model or "",
        steps=steps or imagery.steps,
        guidance=guidance if guidance is not None else imagery.guidance,
        lora=imagery.lora,
        lora_base_dir=brand_root,
        lora_scale=imagery.lora_scale,
        max_batch=max_batch or 4,
        device=device,
        dtype=dtype,
        # A model from brand.yaml is relative to the brand folder; one from the CLI to the working folder.
        base_dir=None if model is not None else brand_root,
    )


@dataclass
class DiffusionBackend:
    """Scenes painted by a diffusers inpainting model around the untouched product."""

    settings: DiffusionSettings
    name: str = "diffusion"
    calls: list[int] = field(default_factory=list)  # batch size of every model call (for tests / stats)

    def __post_init__(self) -> None:
        self.model = resolve_model(self.settings.model, base_dir=self.settings.base_dir)
        self.lora = resolve_lora(self.settings.lora, base_dir=self.settings.lora_base_dir)
        self.device, self.dtype = choose_device_dtype(self.settings.device, self.settings.dtype)
        self.pipe = load_pipeline(self.model, self.device, self.dtype, self.lora, self.settings.lora_scale)
        unet = getattr(self.pipe, "unet", None) or getattr(self.pipe, "transformer", None)
        sample = int(getattr(unet.config, "sample_size", 64)) if unet is not None else 64
        self.base = sample * int(getattr(self.pipe, "vae_scale_factor", 8))
        sched = self.pipe.scheduler
        self._static_lineage = {
            "backend": self.name,
            "model": {
                "id": self.model.ref,
                "revision": self.model.revision,
                "weights_sha256": self.model.weights_sha256,
                "weights": self.model.weights,
            },
            "pipeline": type(self.pipe).__name__,
            "scheduler": {
                "class": type(sched).__name__,
                "config": _json_safe({k: v for k, v in dict(sched.config).items() if not k.startswith("_")}),
            },
            "steps": self.settings.steps,
            "guidance": self.settings.guidance,
            "lora": (
                {
                    "path": str(self.lora),
                    "sha256": file_sha256(self.lora),
                    "scale": self.settings.lora_scale,
                }
                if self.lora
                else None
            ),
            "device": self.device,
            "hardware": _hardware(self.device),
            "dtype": self.dtype,
            "generator": "torch.Generator(cpu).manual_seed(seed), one per image",
            "fit": "bucket -> cover scale (bicubic) + centre crop; product composited at channel size",
        }

    @classmethod
    def from_imagery(cls, imagery: ImageryStyle | None, root: Path | None = None, **options: Any) -> Self:
        """Settings from a brand's ImageryStyle, with explicit (CLI) `options` taking precedence:
        model, steps, guidance, max_batch, device, dtype. Any other option is an `InputError`."""
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise InputError(
                f"the diffusion backend has no option {', '.join(unknown)}; it takes {', '.join(sorted(_OPTIONS))}"
            )
        return cls(_settings(imagery or ImageryStyle(), root, **options))

    def bucket(self, size: tuple[int, int]) -> tuple[str, tuple[int, int]]:
        return pick_bucket(size, self.base)

    def render(self, request: SceneRequest) -> SceneResult:
        return self.render_batch([request])[0]

    def render_batch(self, requests: Sequence[SceneRequest]) -> list[SceneResult]:
        """Render many scenes; those sharing a bucket go through the model together (up to
        `max_batch` per call). Identical requests (e.g. the same scene in two locales) are made once.

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
        done: dict[tuple[Any, ...], SceneResult] = {}
        for bucket, group in groups.items():
            for i in range(0, len(group), max(1, self.settings.max_batch)):
                chunk = group[i : i + self.settings.max_batch]
                for k, res in zip(chunk, self._generate([unique[k] for k in chunk], bucket), strict=True):
                    done[k] = res
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

    def _generate(self, requests: list[SceneRequest], bucket: tuple[int, int]) -> list[SceneResult]:
        import torch

        placed = [place_product(r.cutout, r.area) for r in requests]
        inputs = [
            inpaint_inputs(r.size, layer, pl.box, r.palette.get("background", "#808080"), bucket)
            for r, (layer, pl) in zip(requests, placed, strict=True)
        ]
        generators = [torch.Generator("cpu").manual_seed(r.seed) for r in requests]
        # Flux Fill takes no negative prompt (guidance is distilled); the SD / SDXL pipelines do.
        negative = (
            {"negative_prompt": [r.negative_prompt for r in requests]}
            if "negative_prompt" in inspect.signature(self.pipe.__call__).parameters
            else {}
        )
        with torch.inference_mode():
            # every inpainting pipeline class defines __call__; their base class, the declared type, does not
            out = self.pipe(  # type: ignore[operator]
                prompt=[r.prompt for r in requests],
                **negative,
                image=[i for i, _ in inputs],
                mask_image=[m for _, m in inputs],
                height=bucket[1],
                width=bucket[0],
                num_inference_steps=self.settings.steps,
                guidance_scale=self.settings.guidance,
                generator=generators,
                output_type="pil",
            ).images
        self.calls.append(len(requests))
        family = self.bucket(requests[0].size)[0]
        results = []
        for r, (layer, pl), generated in zip(requests, placed, out, strict=True):
            image = composite_product(fit_to_size(generated, r.size), layer, pl)
            solid, differing = product_pixels_unchanged(image, layer, pl)
            if differing:
                raise VitrinaError(
                    f"diffusion backend: {differing} of {solid} product pixels changed "
                    f"(size {r.size}, bucket {bucket}); refusing the image"
                )
            lineage = {
                **self._static_lineage,
                "seed": r.seed,
                "prompt": r.prompt,
                "negative_prompt": r.negative_prompt,
                "style": r.style,
                "bucket": {"family": family, "size": list(bucket)},
                "batch_size": len(requests),
            }
            results.append(SceneResult(image, layer, pl, lineage))
        return results

"""Generation profiles: what each family of inpainting model needs to run as it was trained, as data.

A model folder names its pipeline class in ``model_index.json``; that class decides the family, and
the family's profile supplies every default the model's own files do not state:

| family | pipeline | native | bucket multiple | steps | guidance | CUDA dtype | mask reaches the denoiser |
|---|---|---|---|---|---|---|---|
| sd15 | StableDiffusionInpaintPipeline | 512 | 64 | 30 | 7.5 | bf16, else fp16 | per latent cell (8 px) |
| sdxl | StableDiffusionXLInpaintPipeline | 1024 | 64 | 30 | 7.5 | bf16, else fp16 | per latent cell (8 px) |
| flux-fill | FluxFillPipeline | 1024 | 16 | 50 | 30 | bf16, else fp32 | per pixel (packed 8x8 into channels) |

Why these values:
- Native size: the resolution the model was trained at. SD / SDXL state it (UNet ``sample_size`` x
  VAE scale); Flux's transformer does not (it is size-free), so without the profile a Flux Fill
  model fell back to 512 px and its backgrounds were upscaled. The profile's value is the last
  resort: a model's own config wins (the VAE's ``sample_size`` for Flux).
- Bucket multiple: SD / SDXL training buckets are multiples of 64 px; Flux packs 2x2 latent cells
  into one token, so 16 px (VAE 8 x 2) is what it needs.
- Guidance: Flux Fill's guidance is distilled into the model (an embedding, no negative pass) and
  expects about 30 (BFL's and diffusers' reference value); 7.5 is the SD / SDXL classifier-free one.
- Steps: diffusers' reference values for each pipeline (Flux Fill: 50).
- dtype: bf16 where the GPU has it. SD / SDXL fall back to fp16 (diffusers upcasts the SDXL VAE,
  whose fp16 decode gives NaN); Flux produces NaN in fp16, so it falls back to fp32. CPU: fp32.
- Scheduler: SD / SDXL keep the one shipped with the model; Flux needs flow matching
  (`FlowMatchEulerDiscreteScheduler`): any other scheduler is a configuration error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.errors import ModelNotFoundError

__all__ = ["GenerationProfile", "PROFILES", "FAMILIES", "profile_for_class", "bucket_step"]


@dataclass(frozen=True)
class GenerationProfile:
    """How to run one family of inpainting models (see the module table)."""

    family: str
    pipeline: str  # the diffusers pipeline class that runs it
    model_classes: frozenset[str]  # `model_index.json` `_class_name`s that belong to the family
    native: int  # px, square, when the model's config does not say
    multiple: int  # bucket sides are multiples of this at the native size (px)
    steps: int
    guidance: float
    cuda_dtypes: tuple[str, ...]  # in order of preference; CPU always runs float32
    mask: Literal["latent", "pixel"]  # the resolution at which the denoiser sees the mask
    negative_prompt: bool  # classifier-free guidance with a negative prompt (Flux: distilled, none)
    scheduler: str | None = None  # the scheduler class the family needs (None: the model's own)
    packing: int = 1  # latent cells packed per token side (Flux: 2x2)
    pipeline_multiple: int = 1  # what the pipeline's check_inputs demands of height and width (px)
    call: Mapping[str, Any] = field(default_factory=dict)  # extra arguments of every call


PROFILES: dict[str, GenerationProfile] = {
    p.family: p
    for p in (
        GenerationProfile(
            family="sd15",
            pipeline="StableDiffusionInpaintPipeline",
            model_classes=frozenset({"StableDiffusionInpaintPipeline", "StableDiffusionPipeline"}),
            native=512,
            multiple=64,
            steps=30,
            guidance=7.5,
            cuda_dtypes=("bfloat16", "float16"),
            mask="latent",
            negative_prompt=True,
            pipeline_multiple=8,
        ),
        GenerationProfile(
            family="sdxl",
            pipeline="StableDiffusionXLInpaintPipeline",
            model_classes=frozenset({"StableDiffusionXLInpaintPipeline", "StableDiffusionXLPipeline"}),
            native=1024,
            multiple=64,
            steps=30,
            guidance=7.5,
            cuda_dtypes=("bfloat16", "float16"),
            mask="latent",
            negative_prompt=True,
            pipeline_multiple=8,
        ),
        GenerationProfile(
            family="flux-fill",
            pipeline="FluxFillPipeline",
            model_classes=frozenset({"FluxFillPipeline"}),
            native=1024,
            multiple=16,
            steps=50,
            guidance=30.0,
            cuda_dtypes=("bfloat16", "float32"),
            mask="pixel",
            negative_prompt=False,
            scheduler="FlowMatchEulerDiscreteScheduler",
            packing=2,
            call={"max_sequence_length": 512},  # T5's full prompt length (diffusers' default)
        ),
    )
}

FAMILIES: tuple[str, ...] = tuple(PROFILES)


def profile_for_class(class_name: object, where: str) -> GenerationProfile:
    """The profile of the family whose pipeline class `model_index.json` names; `where` is the
    model, for the message. A class of no known family is a `ModelNotFoundError`."""
    for profile in PROFILES.values():
        if class_name in profile.model_classes:
            return profile
    known = ", ".join(sorted(c for p in PROFILES.values() for c in p.model_classes))
    raise ModelNotFoundError(
        f"{where}: model_index.json names pipeline class {class_name!r}, which is not an inpainting "
        f"family Vitrina runs ({known})"
    )


def bucket_step(profile: GenerationProfile, base: int, required: int) -> int:
    """The multiple (px) of every bucket side for a model of native size `base`: the family's
    multiple scaled to the model (a tiny 64 px test model gets the same bucket shapes, smaller),
    and always a multiple of what the denoiser `required`s (VAE scale x downsampling x packing)."""
    scaled = max(1, round(profile.multiple * base / profile.native))
    return max(required, math.ceil(scaled / required) * required)

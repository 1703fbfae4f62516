"""Tiny random-weight inpainting pipelines of every family Vitrina runs (SD 1.5, SDXL, Flux Fill),
built offline from the real classes.

Why: the diffusion path must run end to end (tests, CPU demo, benchmarks) on machines that cannot
download weights. Diffusers' own tests do the same: real UNet / transformer / VAE / CLIP / T5 /
scheduler classes at a tiny size. The images they make are noise; the code path (loading,
tokenising, batching, inpainting, compositing) is the real one. All three are 64 px native and run
a 64 px call in well under a second on a CPU. See docs/facts.md section 2 for the configuration.

The SD 1.5 one can carry a real `StableDiffusionSafetyChecker` (tiny CLIP vision tower) whose
concept thresholds flag every image or none (`safety="flag-all" | "pass-all"`): the pipeline's own
NSFW path, made deterministic for tests.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.scene.diffusion_models import quiet_hf_logging

# torch, diffusers and transformers load only when a tiny model is built. The pipelines are imported
# from their modules: the names diffusers exports are dummies to a type checker.
if TYPE_CHECKING:
    from diffusers.models.autoencoders.autoencoder_kl import AutoencoderKL
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel
    from diffusers.pipelines.flux.pipeline_flux_fill import FluxFillPipeline
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_inpaint import (
        StableDiffusionInpaintPipeline,
    )
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from diffusers.pipelines.stable_diffusion_xl.pipeline_stable_diffusion_xl_inpaint import (
        StableDiffusionXLInpaintPipeline,
    )
    from transformers import CLIPImageProcessor, CLIPTextConfig, CLIPTokenizer

__all__ = [
    "TINY_SIZE",
    "TINY_FAMILIES",
    "build_tiny_sd_inpaint",
    "write_tiny_sd_inpaint",
    "write_clip_tokenizer_files",
    "write_tiny_lora",
    "build_tiny_sdxl_inpaint",
    "write_tiny_sdxl_inpaint",
    "build_tiny_flux_fill",
    "write_tiny_flux_fill",
    "write_tiny",
]

Safety = Literal["none", "flag-all", "pass-all"]

TINY_SIZE = 64  # native resolution: UNet sample_size 32 x VAE scale factor 2


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP byte -> printable character table (the BPE alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs), strict=True))


def write_clip_tokenizer_files(directory: Path, *, vocab_size: int = 1000) -> Path:
    """Write a small CLIP BPE vocabulary (vocab.json + merges.txt) that any text tokenises with.

    Ids: 0 <|startoftext|>, 1 <|endoftext|> (also padding), then the 256 byte characters with and
    without the end-of-word marker, then merges of common English letter pairs up to `vocab_size`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in chars:
        vocab.setdefault(c, len(vocab))
    for c in chars:
        vocab.setdefault(c + "</w>", len(vocab))
    merges: list[str] = []
    letters = "etaoinshrdlucmfwypvbgk"
    for a in letters:
        for b in letters:
            for tail in ("", "</w>"):
                if len(vocab) >= vocab_size:
                    break
                tok = a + b + tail
                if tok not in vocab:
                    merges.append(f"{a} {b}{tail}")
                    vocab[tok] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (directory / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    return directory


# The SD and SDXL pipelines share one tiny UNet, VAE and CLIP configuration; each adds what its
# architecture needs. Every part is seeded on its own, so its weights depend on the seed only.


def _tiny_unet(seed: int, **extra: Any) -> UNet2DConditionModel:
    """A 9-channel (inpainting) UNet, 32 px latents; `extra` adds or overrides config values."""
    import torch
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionModel

    config: dict[str, Any] = {
        "block_out_channels": (32, 64),
        "layers_per_block": 2,
        "sample_size": 32,
        "in_channels": 9,
        "out_channels": 4,
        "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"),
        "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D"),
        "cross_attention_dim": 32,
    }
    torch.manual_seed(seed)
    unet: UNet2DConditionModel = UNet2DConditionModel(**(config | extra))
    return unet


def _tiny_vae(seed: int, **extra: Any) -> AutoencoderKL:
    """A two-block VAE (scale factor 2); `extra` adds or overrides config values."""
    import torch
    from diffusers.models.autoencoders.autoencoder_kl import AutoencoderKL

    config: dict[str, Any] = {
        "block_out_channels": [32, 64],
        "in_channels": 3,
        "out_channels": 3,
        "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
        "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
        "latent_channels": 4,
    }
    torch.manual_seed(seed)
    vae: AutoencoderKL = AutoencoderKL(**(config | extra))
    return vae


def _tiny_clip_config(**extra: Any) -> CLIPTextConfig:
    """A 5-layer, 32-wide CLIP text encoder over the 1000-token vocabulary of
    `write_clip_tokenizer_files`; `extra` adds or overrides config values."""
    from transformers import CLIPTextConfig

    config: dict[str, Any] = {
        "bos_token_id": 0,
        "eos_token_id": 1,
        "pad_token_id": 1,
        "hidden_size": 32,
        "intermediate_size": 37,
        "layer_norm_eps": 1e-5,
        "num_attention_heads": 4,
        "num_hidden_layers": 5,
        "vocab_size": 1000,
    }
    return CLIPTextConfig(**(config | extra))


def _tiny_tokenizer(directory: Path) -> CLIPTokenizer:
    """The tiny BPE tokenizer, written to `directory` and loaded from there."""
    from transformers import CLIPTokenizer

    # model_max_length: without it padding to max length fails (OverflowError), docs/facts.md 2.
    tokenizer: CLIPTokenizer = CLIPTokenizer.from_pretrained(
        str(write_clip_tokenizer_files(directory)), model_max_length=77
    )
    return tokenizer


def _tiny_safety_checker(seed: int, flag_all: bool) -> tuple[StableDiffusionSafetyChecker, CLIPImageProcessor]:
    """diffusers' `StableDiffusionSafetyChecker` on a tiny CLIP vision tower, and its image processor.

    The checker flags an image when its cosine similarity to a concept embedding exceeds that
    concept's threshold; similarities lie in [-1, 1], so thresholds of -2 flag every image and +2
    none."""
    import torch
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPConfig, CLIPImageProcessor

    tower = {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2}
    config = CLIPConfig(
        text_config=tower | {"vocab_size": 1000},
        vision_config=tower | {"image_size": 32, "patch_size": 4},
        projection_dim=32,
    )
    torch.manual_seed(seed)
    checker = StableDiffusionSafetyChecker(config)
    with torch.no_grad():
        threshold = -2.0 if flag_all else 2.0
        checker.concept_embeds_weights.fill_(threshold)
        checker.special_care_embeds_weights.fill_(threshold)
    processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    return checker, processor


def build_tiny_sd_inpaint(
    seed: int = 0, *, workdir: Path | None = None, safety: Safety = "none"
) -> StableDiffusionInpaintPipeline:
    """A StableDiffusionInpaintPipeline with random tiny weights (64 px native, < 1 s / 4 steps on CPU);
    with a tiny safety checker that flags every image or none (`safety`), else without one."""
    quiet_hf_logging()  # optional-package hints are noise here
    import torch
    from diffusers import DDIMScheduler
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_inpaint import (
        StableDiffusionInpaintPipeline,
    )
    from transformers import CLIPTextModel

    unet = _tiny_unet(seed)
    vae = _tiny_vae(seed)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(_tiny_clip_config())
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = _tiny_tokenizer(Path(workdir or tmp) / "tokenizer-src")
    scheduler = DDIMScheduler(  # type: ignore[no-untyped-call]  # unannotated in diffusers
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    checker, processor = _tiny_safety_checker(seed, safety == "flag-all") if safety != "none" else (None, None)
    return StableDiffusionInpaintPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,  # type: ignore[arg-type]  # diffusers annotates its scheduler union as an enum
        safety_checker=checker,  # type: ignore[arg-type]  # None is diffusers' documented "no safety checker"
        feature_extractor=processor,  # type: ignore[arg-type]  # likewise, with no checker to feed
        requires_safety_checker=checker is not None,
    )


def _save(pipe: Any, directory: Path, variant: str | None) -> Path:
    """`save_pretrained` (safetensors) so `from_pretrained(dir)` loads it; a `variant` ("fp16") is
    saved as half-precision files named for it, as hub repositories ship them."""
    import torch

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    quiet_hf_logging()
    if variant == "fp16":
        pipe.to(torch.float16)
    pipe.save_pretrained(directory, safe_serialization=True, variant=variant)
    return directory


def write_tiny_sd_inpaint(
    directory: Path, seed: int = 0, *, safety: Safety = "none", variant: str | None = None
) -> Path:
    """Build the tiny SD 1.5 pipeline and save it to `directory` (see `_save`)."""
    return _save(build_tiny_sd_inpaint(seed, safety=safety), directory, variant)


def write_tiny_lora(model_dir: Path, out_file: Path, *, rank: int = 4, seed: int = 0) -> Path:
    """A random style LoRA for the tiny pipeline's UNet, saved the way trainers save one
    (`save_lora_weights`, .safetensors), so the brand-LoRA path (peft) runs without downloads."""
    import torch
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_inpaint import (
        StableDiffusionInpaintPipeline,
    )
    from peft import LoraConfig, get_peft_model_state_dict

    pipe: StableDiffusionInpaintPipeline = StableDiffusionInpaintPipeline.from_pretrained(
        str(model_dir), safety_checker=None
    )
    torch.manual_seed(seed)
    config = LoraConfig(
        r=rank, lora_alpha=rank, init_lora_weights="gaussian", target_modules=["to_k", "to_q", "to_v", "to_out.0"]
    )
    pipe.unet.add_adapter(config)
    with torch.no_grad():  # gaussian init leaves lora_B at zero (a no-op LoRA): make it visible
        for name, param in pipe.unet.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    StableDiffusionInpaintPipeline.save_lora_weights(
        str(out_file.parent),
        unet_lora_layers=get_peft_model_state_dict(pipe.unet),
        weight_name=out_file.name,
        safe_serialization=True,
    )
    return out_file


def build_tiny_sdxl_inpaint(seed: int = 0) -> StableDiffusionXLInpaintPipeline:
    """A StableDiffusionXLInpaintPipeline with random tiny weights: the SDXL path (two text
    encoders, pooled embeddings, micro-conditioning, VAE upcast config) without downloads."""
    quiet_hf_logging()
    import torch
    from diffusers import EulerDiscreteScheduler
    from diffusers.pipelines.stable_diffusion_xl.pipeline_stable_diffusion_xl_inpaint import (
        StableDiffusionXLInpaintPipeline,
    )
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    unet = _tiny_unet(
        seed,
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80,  # 80 = 32 pooled + 6 x 8 time ids
        cross_attention_dim=64,
    )
    # force_upcast as SDXL's VAE: decoded in float32 when the pipeline runs in float16
    vae = _tiny_vae(seed, sample_size=128, force_upcast=True)
    config = _tiny_clip_config(hidden_act="gelu", projection_dim=32)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(config)
    text_encoder_2 = CLIPTextModelWithProjection(config)
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = _tiny_tokenizer(Path(tmp) / "tokenizer-src")
        tokenizer_2 = _tiny_tokenizer(Path(tmp) / "tokenizer-src")
    scheduler = EulerDiscreteScheduler(  # type: ignore[no-untyped-call]  # unannotated in diffusers
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1, timestep_spacing="leading"
    )
    return StableDiffusionXLInpaintPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        text_encoder_2=text_encoder_2,
        tokenizer_2=tokenizer_2,
        unet=unet,
        scheduler=scheduler,  # type: ignore[arg-type]  # diffusers annotates its scheduler union as an enum
        requires_aesthetics_score=False,
        force_zeros_for_empty_prompt=True,
    )


def write_tiny_sdxl_inpaint(directory: Path, seed: int = 0, *, variant: str | None = None) -> Path:
    """Build the tiny SDXL pipeline and save it to `directory` (see `_save`)."""
    return _save(build_tiny_sdxl_inpaint(seed), directory, variant)


def _tiny_t5_tokenizer() -> Any:
    """A T5 (Unigram) tokenizer over lower-case letters, digits and punctuation, built in memory:
    other characters read as <unk>, which is all a random-weight encoder needs."""
    import string

    from transformers import T5Tokenizer

    pieces = ["\u2581" + c for c in string.ascii_lowercase] + list(string.ascii_lowercase + string.digits)
    pieces += list(string.punctuation) + ["\u2581"]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [(p, -float(i + 1)) for i, p in enumerate(pieces)]
    return T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=512)


def build_tiny_flux_fill(seed: int = 0) -> FluxFillPipeline:
    """A FluxFillPipeline with random tiny weights: the Flux Fill path (CLIP + T5 prompts, packed
    latents, the mask packed per pixel into channels, distilled guidance, flow matching) without
    downloads. The VAE's sample size (64) states the native size, as Flux Fill's VAE states 1024."""
    quiet_hf_logging()
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler
    from diffusers.models.transformers.transformer_flux import FluxTransformer2DModel
    from diffusers.pipelines.flux.pipeline_flux_fill import FluxFillPipeline
    from transformers import CLIPTextModel, T5Config, T5EncoderModel

    # the tiny VAE with Flux's settings: no quant convs, its latent shift and scale; 4 latent channels
    vae = _tiny_vae(
        seed,
        sample_size=64,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )
    torch.manual_seed(seed)
    # in: packed latents (4 x 4) + packed masked-image latents (4 x 4) + packed mask (2 x 2 px x 4)
    transformer = FluxTransformer2DModel(
        patch_size=1,
        in_channels=48,
        out_channels=16,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=[4, 4, 8],
        guidance_embeds=True,
    )
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(_tiny_clip_config(hidden_act="gelu", projection_dim=32))
    tokenizer_2 = _tiny_t5_tokenizer()
    torch.manual_seed(seed)
    text_encoder_2 = T5EncoderModel(
        T5Config(
            vocab_size=len(tokenizer_2),
            d_model=32,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            pad_token_id=0,
            eos_token_id=1,
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        tokenizer = _tiny_tokenizer(Path(tmp) / "tokenizer-src")
    return FluxFillPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),  # type: ignore[no-untyped-call]  # unannotated in diffusers
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        text_encoder_2=text_encoder_2,
        tokenizer_2=tokenizer_2,
        transformer=transformer,
    )


def write_tiny_flux_fill(directory: Path, seed: int = 0, *, variant: str | None = None) -> Path:
    """Build the tiny Flux Fill pipeline and save it to `directory` (see `_save`)."""
    return _save(build_tiny_flux_fill(seed), directory, variant)


#: `vitrina models tiny --family`: the family names of `pipeline.scene.diffusion_profiles`.
TINY_FAMILIES = ("sd15", "sdxl", "flux-fill")


def write_tiny(directory: Path, family: str = "sd15", seed: int = 0, *, variant: str | None = None) -> Path:
    """The tiny pipeline of `family` (one of `TINY_FAMILIES`) saved to `directory`."""
    writers = {"sd15": write_tiny_sd_inpaint, "sdxl": write_tiny_sdxl_inpaint, "flux-fill": write_tiny_flux_fill}
    if family not in writers:
        raise ValueError(f"tiny model family {family!r}: use one of {', '.join(TINY_FAMILIES)}")
    return writers[family](directory, seed, variant=variant)

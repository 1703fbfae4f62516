"""A tiny random-weight Stable Diffusion inpainting pipeline, built offline from the real classes.

Why: the diffusion path must run end to end (tests, CPU demo, benchmarks) on machines that cannot
download weights. Diffusers' own tests do the same: real UNet / VAE / CLIP / scheduler classes at a
tiny size. The images it makes are noise; the code path (loading, tokenising, batching, inpainting,
compositing) is the real one. See FACTS.md section 2 for the configuration.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["TINY_SIZE", "build_tiny_sd_inpaint", "write_tiny_sd_inpaint", "write_clip_tokenizer_files", "write_tiny_lora",
           "build_tiny_sdxl_inpaint", "write_tiny_sdxl_inpaint"]

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
    return dict(zip(bs, map(chr, cs)))


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


def build_tiny_sd_inpaint(seed: int = 0, *, workdir: Path | None = None):
    """A StableDiffusionInpaintPipeline with random tiny weights (64 px native, < 1 s / 4 steps on CPU)."""
    import tempfile

    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # optional-package hints are noise here
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=9, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
    )
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        block_out_channels=[32, 64], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"], latent_channels=4,
    )
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37,
        layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=5, vocab_size=1000,
    ))
    with tempfile.TemporaryDirectory() as tmp:
        tok_dir = write_clip_tokenizer_files(Path(workdir or tmp) / "tokenizer-src")
        # model_max_length: without it padding to max length fails (OverflowError), FACTS.md 2.
        tokenizer = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    return StableDiffusionInpaintPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )


def write_tiny_sd_inpaint(directory: Path, seed: int = 0) -> Path:
    """Build the tiny pipeline and `save_pretrained` it (safetensors) so `from_pretrained(dir)` loads it."""
    directory = Path(directory)
    pipe = build_tiny_sd_inpaint(seed)
    directory.mkdir(parents=True, exist_ok=True)
    from diffusers.utils import logging as diffusers_logging

    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    pipe.save_pretrained(directory, safe_serialization=True)
    return directory


def write_tiny_lora(model_dir: Path, out_file: Path, *, rank: int = 4, seed: int = 0) -> Path:
    """A random style LoRA for the tiny pipeline's UNet, saved the way trainers save one
    (`save_lora_weights`, .safetensors), so the brand-LoRA path (peft) runs without downloads."""
    import torch
    from diffusers import StableDiffusionInpaintPipeline
    from peft import LoraConfig, get_peft_model_state_dict

    pipe = StableDiffusionInpaintPipeline.from_pretrained(str(model_dir), safety_checker=None)
    torch.manual_seed(seed)
    config = LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian",
                        target_modules=["to_k", "to_q", "to_v", "to_out.0"])
    pipe.unet.add_adapter(config)
    with torch.no_grad():  # gaussian init leaves lora_B at zero (a no-op LoRA): make it visible
        for name, param in pipe.unet.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    StableDiffusionInpaintPipeline.save_lora_weights(
        str(out_file.parent), unet_lora_layers=get_peft_model_state_dict(pipe.unet), weight_name=out_file.name,
        safe_serialization=True)
    return out_file


def build_tiny_sdxl_inpaint(seed: int = 0):
    """A StableDiffusionXLInpaintPipeline with random tiny weights: the SDXL path (two text
    encoders, pooled embeddings, micro-conditioning, VAE upcast config) without downloads."""
    import tempfile

    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLInpaintPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=9, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80, cross_attention_dim=64,  # 80 = 32 pooled + 6 x 8 time ids
    )
    torch.manual_seed(seed)
    vae = AutoencoderKL(
        block_out_channels=[32, 64], in_channels=3, out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"], latent_channels=4, sample_size=128,
        force_upcast=True,  # as SDXL's VAE: decoded in float32 when the pipeline runs in float16
    )
    config = dict(bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=32, intermediate_size=37,
                  layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=5, vocab_size=1000,
                  hidden_act="gelu", projection_dim=32)
    torch.manual_seed(seed)
    text_encoder = CLIPTextModel(CLIPTextConfig(**config))
    text_encoder_2 = CLIPTextModelWithProjection(CLIPTextConfig(**config))
    with tempfile.TemporaryDirectory() as tmp:
        tok_dir = write_clip_tokenizer_files(Path(tmp) / "tokenizer-src")
        tokenizer = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
        tokenizer_2 = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1, timestep_spacing="leading")
    return StableDiffusionXLInpaintPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, text_encoder_2=text_encoder_2,
        tokenizer_2=tokenizer_2, unet=unet, scheduler=scheduler, requires_aesthetics_score=False,
        force_zeros_for_empty_prompt=True,
    )


def write_tiny_sdxl_inpaint(directory: Path, seed: int = 0) -> Path:
    """The tiny SDXL pipeline, `save_pretrained` (safetensors) so `from_pretrained(dir)` loads it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    build_tiny_sdxl_inpaint(seed).save_pretrained(directory, safe_serialization=True)
    return directory

"""Finding, checking and loading a diffusion model, and saying truthfully what was loaded.

`inspect_model` reads a diffusers folder the way `from_pretrained` will: the pipeline class in
``model_index.json`` (which decides the family, `pipeline.scene.diffusion_profiles`), each
component's folder, and which weight files it will read: the plain ones, or those of a *variant*
(``diffusion_pytorch_model.fp16.safetensors``). A folder that only ships fp16 files loads with
``variant="fp16"``, chosen here; a component with no usable weights is refused here, before
loading, with the component named. `vitrina models check` runs the same function, so it accepts
exactly what loading accepts.

What identifies the weights is the SHA-256 of the bytes of every file loading reads (weights,
configs, tokenizers): two checkpoints with equal names and sizes differ. Hashing a 20 GB model
takes minutes, so digests are kept in ``.vitrina-sha256.json`` in the model folder, keyed by name,
size and mtime (a file replaced or touched is hashed again); where the folder is read-only they
are kept for the process only.

`load_pipeline` loads with `dtype=` (honoured from diffusers 0.40, pinned in pyproject.toml) and
then reads the dtype off the loaded modules: a model that did not load in the dtype asked for is
refused, and lineage records what the modules hold, not what was asked.
"""

from __future__ import annotations

import json
import os
import platform
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.digests import file_sha256
from pipeline.errors import LoraNotFoundError, ModelError, ModelNotFoundError
from pipeline.scene.diffusion_profiles import PROFILES, GenerationProfile, profile_for_class

if TYPE_CHECKING:  # the package's own name is a dummy for type checkers: import the real class
    from diffusers.pipelines.pipeline_utils import DiffusionPipeline

__all__ = [
    "HOW_TO_PROVIDE",
    "WEIGHT_SUFFIXES",
    "ResolvedModel",
    "inspect_model",
    "resolve_model",
    "resolve_lora",
    "choose_device_dtype",
    "quiet_hf_logging",
    "load_pipeline",
    "loaded_dtypes",
    "runtime_versions",
    "hardware",
]

HOW_TO_PROVIDE = (
    "pass a local diffusers folder with --model DIR or imagery.model in brand.yaml "
    "(download it with `huggingface-cli download ID --local-dir DIR` on a machine with access), "
    "or build a tiny random test model with `vitrina models tiny DIR`"
)

#: Weight files (what a checkpoint is); configs and tokenizers are hashed too (`_CONFIG_SUFFIXES`).
WEIGHT_SUFFIXES = frozenset({".safetensors", ".bin"})
_CONFIG_SUFFIXES = frozenset({".json", ".txt", ".model"})
_DIGEST_CACHE = ".vitrina-sha256.json"

# diffusers' and transformers' weight file names: plain `model.safetensors`, sharded
# `model-00001-of-00002.safetensors`, variant `model.fp16.safetensors` / `model.fp16-00001-of-00002...`
# and the legacy sharded variant `model-00001-of-00002.fp16.safetensors`.
_SHARD = r"-\d{5}-of-\d{5}"
_WEIGHT_NAME = re.compile(
    rf"^(?:diffusion_pytorch_model|model|pytorch_model)(?:{_SHARD})?(?:\.(?P<variant>[A-Za-z0-9_]+)(?:{_SHARD})?)?"
    r"\.(?P<ext>safetensors|bin)$"
)
# Components without weights: tokenizers, schedulers, image processors (CLIPImageProcessorPil too).
_NO_WEIGHTS = re.compile(r"Tokenizer|Scheduler|FeatureExtractor|Processor")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are, which of them loading reads, and what identifies them."""

    ref: str  # as configured: a folder or a hub id
    path: Path
    revision: str | None  # hub snapshot commit, when it came from the hub cache
    weights_sha256: str  # over every file loading reads: relative name and sha256 of its bytes
    weights: dict[str, str] = field(default_factory=dict)  # weight file (relative) -> sha256 of its bytes
    family: str = "sd15"
    pipeline_class: str = ""  # as model_index.json names it
    variant: str | None = None  # the weight variant loaded ("fp16"), None for the plain files

    @property
    def profile(self) -> GenerationProfile:
        return PROFILES[self.family]


@dataclass(frozen=True)
class _Inspection:
    profile: GenerationProfile
    pipeline_class: str
    variant: str | None
    files: tuple[Path, ...]  # relative: what loading reads


def _weight_files(folder: Path) -> dict[str | None, list[str]]:
    """variant (None: plain) -> the weight file names in one component folder."""
    out: dict[str | None, list[str]] = {}
    for f in sorted(p.name for p in folder.iterdir() if p.is_file()):
        m = _WEIGHT_NAME.match(f)
        if m:
            out.setdefault(m["variant"], []).append(f)
    return out


def _prefer_safetensors(names: list[str]) -> list[str]:
    """diffusers reads .safetensors when a component has them, else .bin."""
    safe = [n for n in names if n.endswith(".safetensors")]
    return safe or names


def inspect_model(path: Path, ref: str, variant: str | None = None) -> _Inspection:
    """What `from_pretrained` will read from the diffusers folder `path`: the family, the weight
    variant (`variant`, or found: the one variant every component has when some lack plain
    weights) and the files. A `ModelNotFoundError` names what is missing."""
    index_file = path / "model_index.json"
    if not index_file.is_file():
        raise ModelNotFoundError(
            f"model {ref!r}: folder {path} has no model_index.json (not a diffusers pipeline folder); {HOW_TO_PROVIDE}"
        )
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelNotFoundError(f"model {ref!r}: {index_file} is not readable JSON ({exc})") from None
    if not isinstance(index, dict):
        raise ModelNotFoundError(f"model {ref!r}: {index_file} is not a JSON object")
    pipeline_class = index.get("_class_name")
    profile = profile_for_class(pipeline_class, f"model {ref!r}")
    weighted: dict[str, dict[str | None, list[str]]] = {}
    files: list[Path] = [Path("model_index.json")]
    for name, spec in sorted(index.items()):
        if name.startswith("_") or not isinstance(spec, list) or len(spec) != 2 or spec[1] is None:
            continue
        folder = path / name
        if not folder.is_dir():
            raise ModelNotFoundError(f"model {ref!r}: component {name!r} ({spec[1]}) has no folder {folder}")
        files += [Path(name, p.name) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in _CONFIG_SUFFIXES]
        if not _NO_WEIGHTS.search(str(spec[1])):
            weighted[name] = _weight_files(folder)
    if not weighted:
        raise ModelNotFoundError(
            f"model {ref!r}: {index_file} lists no component with weights (unet, transformer, ...)"
        )
    if variant is None:
        lacking = [n for n, w in weighted.items() if None not in w]
        if lacking:
            common = set.intersection(*({v for v in weighted[n] if v is not None} for n in lacking))
            if len(common) != 1:
                found = sorted({str(v) for w in weighted.values() for v in w if v is not None})
                if not found:
                    raise ModelNotFoundError(
                        f"model {ref!r}: component {lacking[0]!r} has no weight file in {path / lacking[0]} "
                        "(diffusion_pytorch_model.safetensors, model.safetensors or a variant such as "
                        "*.fp16.safetensors)"
                    )
                raise ModelNotFoundError(
                    f"model {ref!r}: component {lacking[0]!r} has only variant weights ({', '.join(found)}) "
                    "and no one variant covers every such component; choose one with the diffusion option variant"
                )
            variant = common.pop()
    for name, by_variant in weighted.items():
        chosen = by_variant.get(variant) or by_variant.get(None)
        if not chosen:
            want = f"variant {variant!r} or plain" if variant else "plain"
            raise ModelNotFoundError(
                f"model {ref!r}: component {name!r} has no {want} weights in {path / name} "
                "(diffusion_pytorch_model.safetensors or model.safetensors)"
            )
        files += [Path(name, f) for f in _prefer_safetensors(chosen)]
    if variant is not None and not any(variant in w for w in weighted.values()):
        raise ModelNotFoundError(f"model {ref!r}: no component has weights of variant {variant!r}")
    return _Inspection(profile, str(pipeline_class), variant, tuple(files))


def _cached_digests(path: Path, files: tuple[Path, ...]) -> dict[str, str]:
    """Relative name -> sha256 of the bytes, kept in the model folder's `_DIGEST_CACHE` by
    (size, mtime): a second run does not read a multi-gigabyte model again."""
    cache_file = path / _DIGEST_CACHE
    try:
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    known = cached if isinstance(cached, dict) else {}
    out: dict[str, str] = {}
    fresh: dict[str, Any] = {}
    for rel in files:
        name = rel.as_posix()
        stat = (path / rel).stat()
        entry = known.get(name)
        if (
            isinstance(entry, list)
            and len(entry) == 3
            and entry[:2] == [stat.st_size, stat.st_mtime_ns]
            and isinstance(entry[2], str)
            and re.fullmatch(r"[0-9a-f]{64}", entry[2])
        ):
            out[name] = entry[2]
        else:
            out[name] = file_sha256(path / rel)
        fresh[name] = [stat.st_size, stat.st_mtime_ns, out[name]]
    fresh = {**known, **fresh}  # entries of files not read this time (another variant) stay
    if fresh != known:
        try:  # atomically: two processes may hash the same model
            fd, tmp = tempfile.mkstemp(dir=path, prefix=_DIGEST_CACHE, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(fresh, handle, sort_keys=True)
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a read-only model folder (a shared mount): `file_sha256` still caches per process
    return out


def _identify(ref: str, path: Path, revision: str | None, variant: str | None) -> ResolvedModel:
    found = inspect_model(path, ref, variant)
    try:
        digests = _cached_digests(path, found.files)
    except OSError as exc:
        raise ModelNotFoundError(f"model {ref!r}: cannot read its files to hash them: {exc}") from exc
    import hashlib

    digest = hashlib.sha256(b"vitrina-model-v3\0")
    for name, sha in sorted(digests.items()):
        digest.update(f"{name}\0{sha}\n".encode())
    weights = {n: s for n, s in digests.items() if Path(n).suffix in WEIGHT_SUFFIXES}
    return ResolvedModel(
        ref, path, revision, digest.hexdigest(), weights, found.profile.family, found.pipeline_class, found.variant
    )


def resolve_model(ref: str, *, base_dir: Path | None = None, variant: str | None = None) -> ResolvedModel:
    """Find a model on this machine: a folder (absolute, relative to `base_dir` or to the working
    folder) or a hub id already in the local Hugging Face cache. Never downloads."""
    if not ref or not ref.strip():
        raise ModelNotFoundError(f"the diffusion backend needs a model and none is configured; {HOW_TO_PROVIDE}")
    candidates = [Path(ref).expanduser()]
    if base_dir is not None and not Path(ref).is_absolute():
        candidates.insert(0, base_dir / ref)
    for c in candidates:
        if c.is_dir():
            return _identify(ref, c.resolve(), None, variant)
    looks_like_path = ref.startswith((".", "/", "~")) or ref.count("/") != 1
    if not looks_like_path:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(ref, "model_index.json")
        if isinstance(cached, str):
            snap = Path(cached).parent
            return _identify(ref, snap, snap.name, variant)
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


def choose_device_dtype(
    profile: GenerationProfile, device: str | None = None, dtype: str | None = None
) -> tuple[str, str]:
    """CUDA: the family's first dtype the GPU supports (bf16 needs Ampere or newer); CPU: float32
    (half precision is slow or unsupported there). An explicit `dtype` is kept."""
    import torch

    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype is None:
        if device.startswith("cuda"):
            usable = [d for d in profile.cuda_dtypes if d != "bfloat16" or torch.cuda.is_bf16_supported()]
            dtype = usable[0]
        else:
            dtype = "float32"
    if dtype not in ("float32", "float16", "bfloat16"):
        raise ModelError(f"diffusion dtype {dtype!r}: use float32, float16 or bfloat16")
    return device, dtype


def quiet_hf_logging() -> None:
    """Silence transformers' and diffusers' loading chatter (progress bars, optional-package
    hints): it would drown the CLI's own output. What it hid that matters (the dtype loaded) is
    checked by `load_pipeline` itself. Transformers is quietened before diffusers is imported,
    which already talks while importing."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # unannotated in transformers
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # likewise
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()


def loaded_dtypes(pipe: Any) -> dict[str, str]:
    """Component -> the dtype of its parameters, read off the loaded modules."""
    import torch

    out = {}
    for name, module in sorted(pipe.components.items()):
        if isinstance(module, torch.nn.Module):
            param = next(module.parameters(), None)
            if param is not None:
                out[name] = str(param.dtype).removeprefix("torch.")
    return out


_PIPELINES: dict[tuple[object, ...], DiffusionPipeline] = {}


def load_pipeline(
    model: ResolvedModel,
    device: str,
    dtype: str,
    lora: Path | None = None,
    *,
    offload: bool = False,
    compile: bool = False,
) -> DiffusionPipeline:
    """Load (once per process and model, device, dtype, LoRA and options) the family's inpainting
    pipeline from local files only. A brand LoRA is loaded as adapter "brand"; its scale is set per
    call. On CUDA the UNet and VAE run channels_last; `offload` moves each model to the GPU only
    while it runs (accelerate's model CPU offload: a model larger than the GPU fits, each call
    pays the transfers); `compile` wraps the denoiser in torch.compile (max-autotune: compiled
    once per bucket size, the first call of each bucket takes minutes)."""
    key = (str(model.path), model.weights_sha256, model.variant, device, dtype, str(lora), offload, compile)
    if key in _PIPELINES:
        return _PIPELINES[key]
    quiet_hf_logging()
    import diffusers
    import torch

    profile = model.profile
    cls = getattr(diffusers, profile.pipeline)
    try:
        pipe: DiffusionPipeline = cls.from_pretrained(
            str(model.path), dtype=getattr(torch, dtype), variant=model.variant, local_files_only=True
        )
    except (OSError, ValueError, TypeError) as exc:
        raise ModelNotFoundError(
            f"model {model.ref!r} at {model.path} could not be loaded as a {profile.pipeline}: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; {HOW_TO_PROVIDE}"
        ) from exc
    denoiser = "transformer" if profile.family == "flux-fill" else "unet"
    got = loaded_dtypes(pipe).get(denoiser)
    if got != dtype:
        raise ModelError(
            f"model {model.ref!r}: its {denoiser} loaded as {got}, not the {dtype} asked for "
            f"(diffusers {diffusers.__version__}; Vitrina needs >= 0.40, which honours dtype=)"
        )
    if profile.scheduler and type(pipe.scheduler).__name__ != profile.scheduler:
        raise ModelError(
            f"model {model.ref!r}: a {profile.family} model needs {profile.scheduler}, its folder ships "
            f"{type(pipe.scheduler).__name__}"
        )
    pipe.set_progress_bar_config(disable=True)  # type: ignore[no-untyped-call]  # unannotated in diffusers
    if lora is not None:
        try:
            pipe.load_lora_weights(str(lora.parent), weight_name=lora.name, adapter_name="brand")
        except (ImportError, ValueError) as exc:
            raise LoraNotFoundError(
                f"imagery.lora: {str(lora)!r} could not be loaded: {str(exc).splitlines()[0]} "
                "(LoRA needs `pip install peft`)"
            ) from exc
    _accelerate(pipe, denoiser, device, offload=offload, compile=compile)
    _PIPELINES[key] = pipe
    return pipe


def _accelerate(pipe: Any, denoiser: str, device: str, *, offload: bool, compile: bool) -> None:
    """Place the pipeline on `device` and apply the speed options (see `load_pipeline`)."""
    import torch

    on_cuda = device.startswith("cuda")
    if offload and not on_cuda:
        raise ModelError(f"diffusion option offload needs a CUDA device, not {device!r}")
    if on_cuda:  # convolutions in NHWC: faster with tensor cores, same results
        for name in ("unet", "vae"):
            module = getattr(pipe, name, None)
            if module is not None:
                module.to(memory_format=torch.channels_last)
    if offload:
        pipe.enable_model_cpu_offload(device=device)
    else:
        pipe.to(device)
    if compile:
        setattr(pipe, denoiser, torch.compile(getattr(pipe, denoiser), mode="max-autotune", fullgraph=True))


def hardware(device: str) -> str:
    """What ran the model: the GPU's name on CUDA, else the CPU's architecture (and name if known)."""
    if device.startswith("cuda"):
        import torch

        return f"cuda: {torch.cuda.get_device_name(torch.device(device))}"
    return f"cpu: {platform.machine()} {platform.processor()}".strip()


def runtime_versions(device: str) -> Mapping[str, str | None]:
    """The versions that decide a diffusion scene's pixels besides the weights: torch, diffusers,
    transformers, and on CUDA the CUDA and cuDNN builds torch runs with."""
    import diffusers
    import torch
    import transformers

    on_cuda = device.startswith("cuda")
    cudnn = torch.backends.cudnn.version() if on_cuda else None  # type: ignore[no-untyped-call]  # unannotated
    return {
        "torch": torch.__version__,
        "diffusers": diffusers.__version__,
        "transformers": transformers.__version__,
        "cuda": torch.version.cuda if on_cuda else None,
        "cudnn": str(cudnn) if cudnn is not None else None,
    }

"""Loading that tells the truth (issue 16 item 2): the dtype recorded is read off the loaded
modules; weight variants (fp16 files) are found and loaded; the weights are identified by the
SHA-256 of their bytes, kept in the model folder so that a second run does not read them again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import digests
from pipeline.errors import ModelNotFoundError
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings, resolve_model
from pipeline.scene.diffusion_models import loaded_dtypes
from pipeline.scene.tiny_model import write_tiny_sd_inpaint

UNET = "unet/diffusion_pytorch_model.safetensors"
UNET_FP16 = "unet/diffusion_pytorch_model.fp16.safetensors"


@pytest.fixture(scope="module")
def plain_and_fp16(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shipping both plain (fp32) and fp16 weights, as many hub repositories do."""
    folder = tmp_path_factory.mktemp("both") / "model"
    write_tiny_sd_inpaint(folder)
    write_tiny_sd_inpaint(folder, variant="fp16")
    return folder


def test_the_dtype_recorded_is_the_one_the_modules_hold(tiny_model: Path):
    backend = DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=1, dtype="bfloat16"))
    lin = backend._static_lineage
    assert lin["dtype"] == "bfloat16" and set(lin["dtypes"].values()) == {"bfloat16"}
    import torch

    pipe = backend.pipe
    pipe.vae.to(dtype=torch.float32)  # a module that is not in the dtype asked for shows
    try:
        assert loaded_dtypes(pipe) == {"text_encoder": "bfloat16", "unet": "bfloat16", "vae": "float32"}
    finally:
        pipe.vae.to(dtype=torch.bfloat16)


def test_plain_weights_load_unless_a_variant_is_asked_for(plain_and_fp16: Path):
    plain = resolve_model(str(plain_and_fp16))
    half = resolve_model(str(plain_and_fp16), variant="fp16")
    assert plain.variant is None and UNET in plain.weights and UNET_FP16 not in plain.weights
    assert half.variant == "fp16" and UNET_FP16 in half.weights and UNET not in half.weights
    assert plain.weights_sha256 != half.weights_sha256
    backend = DiffusionBackend(DiffusionSettings(model=str(plain_and_fp16), steps=1, variant="fp16"))
    assert backend._static_lineage["model"]["variant"] == "fp16"
    with pytest.raises(ModelNotFoundError, match="no component has weights of variant 'ema'"):
        resolve_model(str(plain_and_fp16), variant="ema")


def test_two_variants_and_no_plain_weights_must_be_chosen(plain_and_fp16: Path, tmp_path: Path):
    folder = shutil.copytree(plain_and_fp16, tmp_path / "m")
    for f in folder.rglob("*.safetensors"):
        if ".fp16." not in f.name:
            f.rename(f.with_name(f.name.replace(".safetensors", ".ema.safetensors")))
    with pytest.raises(ModelNotFoundError, match=r"only variant weights \(ema, fp16\).*option variant"):
        resolve_model(str(folder))
    assert resolve_model(str(folder), variant="ema").weights.keys() >= {"unet/diffusion_pytorch_model.ema.safetensors"}


def test_weight_hashes_are_kept_by_size_and_mtime_across_runs(tiny_model: Path, tmp_path: Path):
    """The cache sits in the model folder: a new process (the in-process cache emptied here) reads
    it and hashes nothing; a file whose size or mtime changed is hashed again."""
    folder = shutil.copytree(tiny_model, tmp_path / "m")
    first = resolve_model(str(folder))
    cache = json.loads((folder / ".vitrina-sha256.json").read_text())
    assert cache[UNET][2] == first.weights[UNET]
    weights = folder / UNET
    stat = weights.stat()
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # other bytes, same size and mtime: a rehash would see them, the cache does not
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    digests._CACHE.clear()
    assert resolve_model(str(folder)).weights_sha256 == first.weights_sha256
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # touched: hashed again
    assert resolve_model(str(folder)).weights[UNET] != first.weights[UNET]


def test_a_hostile_digest_cache_is_not_trusted(tiny_model: Path, tmp_path: Path):
    folder = shutil.copytree(tiny_model, tmp_path / "m")
    honest = resolve_model(str(folder))
    stat = (folder / UNET).stat()
    (folder / ".vitrina-sha256.json").write_text(json.dumps({UNET: [stat.st_size, stat.st_mtime_ns, "../x"]}))
    digests._CACHE.clear()
    assert resolve_model(str(folder)).weights_sha256 == honest.weights_sha256
    (folder / ".vitrina-sha256.json").write_text("[not json")
    assert resolve_model(str(folder)).weights_sha256 == honest.weights_sha256


def test_a_model_index_without_weights_is_refused(tmp_path: Path):
    (tmp_path / "model_index.json").write_text('{"_class_name": "StableDiffusionInpaintPipeline"}')
    with pytest.raises(ModelNotFoundError, match="lists no component with weights"):
        resolve_model(str(tmp_path))
    (tmp_path / "model_index.json").write_text(
        '{"_class_name": "StableDiffusionInpaintPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}'
    )
    with pytest.raises(ModelNotFoundError, match="component 'unet'.*has no folder"):
        resolve_model(str(tmp_path))


def test_the_model_record_is_typed_provenance_in_the_lineage(tiny_model: Path):
    from pydantic import ValidationError

    from pipeline.model.lineage import GenerationLineage

    backend = DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=1))
    scene = backend._static_lineage | {"prompt": "p", "negative_prompt": "", "seed": 1}
    assert GenerationLineage.model_validate(scene).model_extra["model"]["family"] == "sd15"
    tampered = scene | {"model": scene["model"] | {"weights_sha256": "not-a-hash"}}
    with pytest.raises(ValidationError, match=r"model\.weights_sha256: String should match pattern"):
        GenerationLineage.model_validate(tampered)

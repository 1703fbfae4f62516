"""Content hashes of model weights and brand folders: of the bytes, not of names and sizes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.digests import file_sha256, folder_digest
from pipeline.scene.diffusion import resolve_model


def _model(folder: Path, weights: bytes) -> Path:
    (folder / "unet").mkdir(parents=True)
    index = {"_class_name": "StableDiffusionInpaintPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}
    (folder / "model_index.json").write_text(json.dumps(index), encoding="utf-8")
    (folder / "unet" / "diffusion_pytorch_model.safetensors").write_bytes(weights)
    return folder


def test_two_checkpoints_of_the_same_names_and_sizes_hash_differently(tmp_path: Path):
    a = resolve_model(str(_model(tmp_path / "a", b"\x00" * 4096)))
    b = resolve_model(str(_model(tmp_path / "b", b"\x01" * 4096)))
    assert a.weights_sha256 != b.weights_sha256
    assert set(a.weights) == {"unet/diffusion_pytorch_model.safetensors"}
    assert a.weights["unet/diffusion_pytorch_model.safetensors"] == (
        "ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7"  # sha256 of 4096 zero bytes
    )
    assert resolve_model(str(tmp_path / "a")).weights_sha256 == a.weights_sha256


def test_a_file_hash_is_cached_until_the_file_changes(tmp_path: Path):
    path = tmp_path / "w.bin"
    path.write_bytes(b"one")
    first = file_sha256(path)
    path.write_bytes(b"two")  # same size: the mtime tells the cache it changed
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert file_sha256(path) != first
    assert folder_digest(tmp_path) != folder_digest(tmp_path / "missing")

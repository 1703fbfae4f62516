"""Throughput without surprises (issue 16 item 6): the model's calls overlap the CPU work around them
yet results come back in order and equal to one-by-one renders; one pipeline per model serves every
LoRA scale (set per call); offload and compile are options, refused where they cannot work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import InputError, ModelError
from pipeline.model.brand import ImageryStyle
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings
from tests.pipeline.scene.test_diffusion import _cutout, _request


def test_calls_overlapping_their_cpu_work_return_the_same_scenes_in_order(tiny_model: Path):
    backend = DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=2, max_batch=2))
    cut = _cutout()
    sizes = [(1080, 1080), (1080, 1920), (1080, 1080), (1080, 1080), (1080, 1920)]
    requests = [_request(size, seed=i, cutout=cut) for i, size in enumerate(sizes)]
    batched = backend.render_batch(requests)
    assert sorted(backend.calls) == [1, 2, 2]  # squares: 2 + 1, stories: 2
    assert [r.lineage["seed"] for r in batched] == [0, 1, 2, 3, 4]
    assert [r.image.size for r in batched] == sizes
    for request, scene in zip(requests, batched, strict=True):
        alone = backend.render(request)
        diff = np.abs(np.asarray(alone.image, dtype=int) - np.asarray(scene.image, dtype=int))
        assert diff.max() <= 2  # batched kernels may round differently (test_diffusion.py)


def test_one_pipeline_serves_every_lora_scale(tiny_model: Path, tmp_path: Path):
    from pipeline.scene.tiny_model import write_tiny_lora

    write_tiny_lora(tiny_model, tmp_path / "styles" / "brand.safetensors")
    options = {"model": str(tiny_model), "steps": 2}
    weak = DiffusionBackend.from_imagery(
        ImageryStyle(lora="styles/brand.safetensors", lora_scale=0.2), tmp_path, **options
    )
    strong = DiffusionBackend.from_imagery(
        ImageryStyle(lora="styles/brand.safetensors", lora_scale=1.5), tmp_path, **options
    )
    assert weak.pipe is strong.pipe  # loaded once
    request = _request((512, 512), seed=3)
    a, b, a_again = weak.render(request), strong.render(request), weak.render(request)
    assert a.image.tobytes() != b.image.tobytes() and a.image.tobytes() == a_again.image.tobytes()
    assert (a.lineage["lora"]["scale"], b.lineage["lora"]["scale"]) == (0.2, 1.5)


def test_offload_needs_cuda_and_options_are_checked(tiny_model: Path):
    with pytest.raises(ModelError, match="offload needs a CUDA device, not 'cpu'"):
        DiffusionBackend.from_imagery(None, None, model=str(tiny_model), offload=True, device="cpu")
    with pytest.raises(InputError, match="no option turbo"):
        DiffusionBackend.from_imagery(None, None, model=str(tiny_model), turbo=True)

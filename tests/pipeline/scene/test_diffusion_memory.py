"""CUDA out of memory (issue 16 item 4): the batch is halved and tried again, the size that fitted is
kept for the bucket, and at batch 1 it is a `ModelError` naming the model and bucket (which fails
that SKU only, tests/flows/test_diffusion_run.py). Injected from a wrapped tiny pipeline: a GPU's
allocator is the only other way to raise it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from pipeline.errors import ModelError
from pipeline.imaging.placement import product_pixels_unchanged
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings
from tests.pipeline.scene.test_diffusion import _cutout, _request


class OutOfMemoryAbove:
    """A real pipeline that raises CUDA's out-of-memory error for batches larger than `fits`."""

    def __init__(self, pipe: Any, fits: int) -> None:
        self.pipe, self.fits, self.asked = pipe, fits, []

    def __call__(self, **kwargs: Any) -> Any:
        self.asked.append(len(kwargs["prompt"]))
        if len(kwargs["prompt"]) > self.fits:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
        return self.pipe(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)


def _backend(model: Path, fits: int) -> tuple[DiffusionBackend, OutOfMemoryAbove]:
    backend = DiffusionBackend(DiffusionSettings(model=str(model), steps=1, max_batch=8))
    wrapped = OutOfMemoryAbove(backend.pipe, fits)
    backend.pipe = wrapped  # type: ignore[assignment]
    return backend, wrapped


def test_out_of_memory_halves_the_batch_and_remembers_what_fitted(tiny_model: Path):
    backend, pipe = _backend(tiny_model, fits=2)
    cut = _cutout()
    requests = [_request((1080, 1080), seed=s, cutout=cut) for s in range(5)]
    results = backend.render_batch(requests)
    assert pipe.asked == [5, 3, 2, 1, 2]  # 5 -> 3 + 2, 3 -> 2 + 1
    assert backend.calls == [2, 1, 2]
    assert [r.lineage["seed"] for r in results] == [0, 1, 2, 3, 4]
    assert all(product_pixels_unchanged(r.image, r.product_layer, r.placement)[1] == 0 for r in results)
    pipe.asked.clear()
    backend.render_batch([_request((1080, 1080), seed=s, cutout=cut) for s in range(10, 14)])
    assert pipe.asked == [2, 2]  # the bucket starts at the size that fitted


def test_out_of_memory_at_batch_one_fails_with_a_reason(tiny_model: Path):
    backend, _ = _backend(tiny_model, fits=0)
    with pytest.raises(ModelError) as exc:
        backend.render_batch([_request((1080, 1080), seed=1), _request((1080, 1080), seed=2)])
    message = str(exc.value)
    assert "CUDA out of memory at batch 1 (sd15, bucket 64x64, float32)" in message and "\n" not in message

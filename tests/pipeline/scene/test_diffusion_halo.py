"""No halo (issue 16 item 5): the mask each tiny model's denoiser actually receives (read from its
own `prepare_mask_latents`) keeps no cell whose pixels reach past the opaque product, in every
family and aspect; the same measure finds the ring a mask of "every bucket pixel the product
touches" leaves (the mask before this change). bench/bench_diffusion_halo.py prints the figures."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.imaging.placement import place_product
from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings, inpaint_inputs
from pipeline.scene.diffusion_masks import cover, received_masks, stray_ring_width
from pipeline.scene.tiny_model import TINY_FAMILIES, write_tiny
from tests.pipeline.scene.test_diffusion import _request

SIZES = [(1080, 1080), (1080, 1920), (1920, 600), (300, 250)]


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DiffusionBackend]:
    root = tmp_path_factory.mktemp("halo")
    return {
        f: DiffusionBackend(DiffusionSettings(model=str(write_tiny(root / f, f)), steps=2, max_batch=8))
        for f in TINY_FAMILIES
    }


def _touching_mask(size: tuple[int, int], layer: Image.Image, box: tuple[int, int, int, int], bucket: tuple[int, int]):
    """The earlier mask: keep every bucket pixel any product pixel touches (alpha > 0)."""
    (cw, ch), (ox, oy) = cover(bucket, size)
    keep = Image.new("L", (cw, ch), 0)
    keep.paste(Image.fromarray((np.asarray(layer)[..., 3] > 0).astype(np.uint8) * 255), (ox + box[0], oy + box[1]))
    small = np.asarray(keep.resize(bucket, Image.Resampling.BOX))
    return Image.fromarray(np.where(small > 0, 0, 255).astype(np.uint8), "L")


@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_no_init_cell_outside_the_product_survives(backends: dict[str, DiffusionBackend], family: str):
    backend = backends[family]
    requests = [_request(size, seed=i) for i, size in enumerate(SIZES)]
    with received_masks(backend.pipe) as seen:
        results = backend.render_batch(requests)
    assert len(seen) == len(SIZES)  # one bucket per size here: one call each
    for request, result, kept in zip(requests, results, seen, strict=True):
        bucket = tuple(result.lineage["bucket"]["size"])
        alpha = np.asarray(result.product_layer)[..., 3]
        assert kept.shape == bucket[::-1]
        assert stray_ring_width(kept, request.size, alpha, result.placement.box, bucket) == 0
    assert seen[0].any()  # at 1080 x 1080 the model does see the product's inside


@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_the_measure_finds_the_ring_of_a_touching_mask(backends: dict[str, DiffusionBackend], family: str):
    backend = backends[family]
    request = _request((1080, 1080))
    layer, placement = place_product(request.cutout, request.area)
    bucket = backend.bucket(request.size)[1]
    init, _ = inpaint_inputs(request.size, layer, placement.box, "#FFFFFF", bucket, backend.cell)
    with received_masks(backend.pipe) as seen:
        backend.pipe(
            prompt=["x"],
            image=[init],
            mask_image=[_touching_mask(request.size, layer, placement.box, bucket)],
            height=bucket[1],
            width=bucket[0],
            num_inference_steps=2,
        )
    width = stray_ring_width(seen[0], request.size, np.asarray(layer)[..., 3], placement.box, bucket)
    assert width > 17  # more than one bucket pixel (17 channel px at 64 -> 1080) past the product


def test_ring_width_is_the_distance_of_the_farthest_stray_pixel():
    size, bucket = (100, 100), (100, 100)
    alpha = np.full((40, 40), 255, np.uint8)
    kept = np.zeros((100, 100), bool)
    kept[30:70, 30:70] = True  # exactly the product
    assert stray_ring_width(kept, size, alpha, (30, 30, 70, 70), bucket) == 2  # the bicubic support
    kept[30:70, 30:70] = False
    kept[40:60, 40:60] = True
    assert stray_ring_width(kept, size, alpha, (30, 30, 70, 70), bucket) == 0
    kept[40:60, 70:75] = True  # 5 px past the right edge, + 2 of bicubic reach
    assert stray_ring_width(kept, size, alpha, (30, 30, 70, 70), bucket) == 7

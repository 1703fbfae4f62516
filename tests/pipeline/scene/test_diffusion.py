"""The diffusion backend with a tiny random-weight SD inpainting pipeline built from the real
classes (docs/facts.md 2): product pixels stay byte-identical, seeds reproduce, batching is faithful,
missing models and LoRAs fail with one clear message, lineage says how each scene was made."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError, VitrinaError
from pipeline.imaging.placement import place_product, product_pixels_unchanged
from pipeline.model.brand import ImageryStyle
from pipeline.scene.base import SceneRequest, render_batch
from pipeline.scene.diffusion import (
    DiffusionBackend,
    DiffusionSettings,
    LoraNotFoundError,
    ModelNotFoundError,
    buckets_for,
    inpaint_inputs,
    pick_bucket,
    resolve_model,
)

STEPS = 2


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.scene.tiny_model import write_tiny_sd_inpaint

    return write_tiny_sd_inpaint(tmp_path_factory.mktemp("tiny-sd-inpaint"))


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> DiffusionBackend:
    return DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=STEPS, max_batch=4))


def _cutout(seed: int = 0) -> Image.Image:
    """A noisy product with soft (partly transparent) edges and a hole: every pixel value matters."""
    rng = np.random.default_rng(seed)
    h, w = 180, 120
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot((yy - h / 2) / (h / 2), (xx - w / 2) / (w / 2))
    alpha = np.clip((1 - d) * 8 * 255, 0, 255).astype(np.uint8)
    alpha[80:100, 50:70] = 0  # a handle hole
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def _request(size: tuple[int, int], seed: int = 1, prompt: str = "a ceramic mug on oak", cutout=None) -> SceneRequest:
    w, h = size
    area = (w // 10, h // 6, w // 2, h - h // 10)
    return SceneRequest(
        size,
        cutout or _cutout(),
        area,
        {"background": "#F3EEE6", "accent": "#2F4A3A"},
        "sweep",
        seed,
        prompt,
        "text, watermark",
    )


FAMILIES = {
    "square": (1080, 1080),
    "portrait": (1080, 1350),
    "tall": (1080, 1920),
    "wide": (1920, 1080),
    "panorama": (1920, 600),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_product_pixels_byte_identical_in_every_bucket_family(backend: DiffusionBackend, family: str):
    size = FAMILIES[family]
    result = backend.render(_request(size))
    assert result.image.size == size and result.image.mode == "RGB"
    solid, differing = product_pixels_unchanged(result.image, result.product_layer, result.placement)
    assert solid > 10_000 and differing == 0
    # Same placement as the studio backend: the product layer is resampled exactly once.
    layer, placement = place_product(_request(size).cutout, _request(size).area)
    assert placement == result.placement and np.array_equal(np.asarray(layer), np.asarray(result.product_layer))
    assert result.lineage["bucket"] == {"family": family, "size": list(buckets_for(64)[family])}


def test_the_scene_around_the_product_is_generated(backend: DiffusionBackend):
    result = backend.render(_request((1080, 1080)))
    arr = np.asarray(result.image).astype(int)
    corner = arr[:100, -100:]
    assert corner.std() > 1  # not the flat fill colour: the model painted it


def test_seeds_reproduce_and_differ(backend: DiffusionBackend):
    a = backend.render(_request((1080, 1350), seed=11))
    b = backend.render(_request((1080, 1350), seed=11))
    c = backend.render(_request((1080, 1350), seed=12))
    assert a.image.tobytes() == b.image.tobytes()
    assert a.image.tobytes() != c.image.tobytes()
    assert a.lineage["seed"] == 11 and c.lineage["seed"] == 12


def test_batch_equals_singles_for_the_same_seeds(backend: DiffusionBackend):
    """One generator per image: the noise is identical. Batched CPU kernels may round differently,
    so we allow 2/255; in practice the tiny model gives identical or near-identical bytes."""
    cut = _cutout()
    reqs = [_request((1080, 1080), seed=s, prompt=p, cutout=cut) for s, p in ((1, "mug"), (2, "vase"), (3, "lamp"))]
    before = len(backend.calls)
    batched = backend.render_batch(reqs)
    assert backend.calls[before:] == [3]  # one model call for the three
    singles = [backend.render(r) for r in reqs]
    for b, s in zip(batched, singles, strict=True):
        diff = np.abs(np.asarray(b.image, dtype=int) - np.asarray(s.image, dtype=int))
        assert diff.max() <= 2, diff.max()
        assert b.lineage["batch_size"] == 3 and s.lineage["batch_size"] == 1


def test_batch_groups_by_bucket_and_makes_identical_requests_once(backend: DiffusionBackend):
    cut = _cutout()
    square, story = _request((1080, 1080), cutout=cut), _request((1080, 1920), cutout=cut)
    before = len(backend.calls)
    results = render_batch(backend, [square, story, square, square])
    assert sorted(backend.calls[before:]) == [1, 1]  # two buckets, the repeated square made once
    assert results[0] is results[2] is results[3]
    assert [r.image.size for r in results] == [(1080, 1080), (1080, 1920), (1080, 1080), (1080, 1080)]


def test_mask_keeps_only_whole_cells_of_opaque_product():
    """White = repaint. Kept (black) are only whole denoiser cells (8 px here) whose pixels, widened
    by the bicubic support, are all opaque product: soft edges, the handle hole and everything
    around the product are repainted, so no flat init background survives next to it."""
    layer = _cutout()
    size = (layer.width + 40, layer.height + 44)  # 160 x 224: whole 8 px cells
    box = (20, 22, 20 + layer.width, 22 + layer.height)
    init, mask = inpaint_inputs(size, layer, box, "#FFFFFF", size, cell=8)
    m = np.asarray(mask)
    alpha = np.asarray(layer)[..., 3]
    assert set(np.unique(m)) == {0, 255}
    opaque = np.zeros(m.shape, bool)
    opaque[22:-22, 20:-20] = alpha == 255
    assert (m[~opaque] == 255).all()  # every pixel that is not opaque product is repainted
    kept = m == 0
    blocks = kept.reshape(kept.shape[0] // 8, 8, kept.shape[1] // 8, 8)
    assert (blocks.all(axis=(1, 3)) == blocks.any(axis=(1, 3))).all()  # whole 8 x 8 cells only
    assert kept[opaque].mean() > 0.5  # the product's interior is kept: the model sees it
    assert init.size == size and init.getpixel((0, 0)) == (255, 255, 255)


def test_buckets_are_a_small_fixed_set_of_aligned_sizes():
    for base, step in ((64, 8), (512, 64), (1024, 64), (1024, 16)):
        buckets = buckets_for(base, step)
        assert len(buckets) == 6
        assert all(w % step == 0 and h % step == 0 for w, h in buckets.values())
    assert pick_bucket((1080, 1350), 1024) == ("portrait", (896, 1152))
    assert pick_bucket((1080, 1920), 1024) == ("tall", (768, 1344))
    assert pick_bucket((1920, 600), 512)[0] == "panorama"


def test_lineage_says_how_the_scene_was_made(backend: DiffusionBackend, tiny_model: Path):
    lin = backend.render(_request((1080, 1080), seed=5)).lineage
    assert lin["backend"] == "diffusion"
    assert lin["model"]["id"] == str(tiny_model) and len(lin["model"]["weights_sha256"]) == 64
    assert lin["pipeline"] == "StableDiffusionInpaintPipeline"
    assert (
        lin["scheduler"]["class"] == "DDIMScheduler" and lin["scheduler"]["config"]["beta_schedule"] == "scaled_linear"
    )
    assert (lin["steps"], lin["guidance"], lin["seed"]) == (STEPS, 7.5, 5)  # 7.5: the SD 1.5 profile's
    assert lin["prompt"] == "a ceramic mug on oak" and lin["negative_prompt"] == "text, watermark"
    assert lin["lora"] is None and lin["bucket"]["size"] == [64, 64]
    assert (lin["device"], lin["dtype"]) == ("cpu", "float32")
    assert lin["model"]["family"] == "sd15" and lin["model"]["variant"] is None
    assert set(lin["dtypes"]) == {"unet", "vae", "text_encoder"} and set(lin["dtypes"].values()) == {"float32"}
    weights = lin["model"]["weights"]
    assert "unet/diffusion_pytorch_model.safetensors" in weights and all(len(v) == 64 for v in weights.values())
    assert lin["runtime"]["torch"] and lin["runtime"]["diffusers"] and lin["runtime"]["cuda"] is None
    assert lin["safety"] == {"checker": None, "nsfw": False, "used": "generated"}


def test_missing_model_is_one_clear_error(tmp_path: Path):
    with pytest.raises(ModelNotFoundError) as exc:
        resolve_model(str(tmp_path / "no-such-model"))
    msg = str(exc.value)
    assert "no-such-model" in msg and "vitrina models tiny DIR" in msg and "\n" not in msg
    assert isinstance(exc.value, VitrinaError)
    with pytest.raises(ModelNotFoundError, match="not in the local Hugging Face cache"):
        resolve_model("vitrina-test/definitely-not-cached")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="no model_index.json"):
        resolve_model(str(tmp_path / "empty"))
    with pytest.raises(ModelNotFoundError, match="none is configured"):
        DiffusionBackend(DiffusionSettings(model=""))


def test_missing_lora_is_a_clear_error(tiny_model: Path, tmp_path: Path):
    with pytest.raises(LoraNotFoundError, match=r"imagery.lora: 'styles/halden.safetensors'.*not found"):
        DiffusionBackend.from_imagery(ImageryStyle(lora="styles/halden.safetensors"), tmp_path, model=str(tiny_model))


def test_an_option_the_backend_does_not_have_is_refused(tiny_model: Path):
    with pytest.raises(InputError, match="no option sharpness"):
        DiffusionBackend.from_imagery(None, None, model=str(tiny_model), sharpness=2)


def test_model_from_the_brand_is_relative_to_the_brand_folder(tiny_model: Path, tmp_path: Path):
    imagery = ImageryStyle(model=str(tiny_model.name), steps=3)
    b = DiffusionBackend.from_imagery(imagery, tiny_model.parent)
    assert b.model.path == tiny_model.resolve() and b.settings.steps == 3
    assert DiffusionBackend.from_imagery(imagery, tiny_model.parent, steps=1).settings.steps == 1


def test_brand_style_lora_loads_changes_the_scene_and_is_recorded(tiny_model: Path, tmp_path: Path):
    """A real .safetensors LoRA through load_lora_weights (peft): same seed, different scene, the
    product still byte-identical, and the lineage names the file, its hash and the scale."""
    from pipeline.scene.tiny_model import write_tiny_lora

    write_tiny_lora(tiny_model, tmp_path / "styles" / "halden.safetensors")
    plain = DiffusionBackend(DiffusionSettings(model=str(tiny_model), steps=STEPS))
    styled = DiffusionBackend.from_imagery(
        ImageryStyle(lora="styles/halden.safetensors", lora_scale=0.9, steps=STEPS), tmp_path, model=str(tiny_model)
    )
    request = _request((512, 512), seed=7)
    a, b = plain.render(request), styled.render(request)
    assert np.asarray(a.image).tobytes() != np.asarray(b.image).tobytes()
    total, differing = product_pixels_unchanged(b.image, b.product_layer, b.placement)
    assert total > 0 and differing == 0
    lora = b.lineage["lora"]
    assert Path(lora["path"]).name == "halden.safetensors" and lora["scale"] == 0.9 and len(lora["sha256"]) == 64


def test_sdxl_architecture_runs_batched_with_untouched_product(tmp_path: Path):
    """The SDXL inpainting path (two text encoders, pooled embeddings, micro-conditioning) from a
    tiny random SDXL pipeline: picked by AutoPipelineForInpainting from model_index.json."""
    from pipeline.scene.tiny_model import write_tiny_sdxl_inpaint

    model = write_tiny_sdxl_inpaint(tmp_path / "tiny-sdxl")
    sdxl = DiffusionBackend(DiffusionSettings(model=str(model), steps=STEPS, max_batch=4))
    results = sdxl.render_batch([_request((1080, 1080), seed=1), _request((1200, 628), seed=2)])
    assert [r.image.size for r in results] == [(1080, 1080), (1200, 628)]
    for r in results:
        total, differing = product_pixels_unchanged(r.image, r.product_layer, r.placement)
        assert total > 0 and differing == 0
        assert r.lineage["pipeline"] == "StableDiffusionXLInpaintPipeline"
    assert [r.lineage["bucket"]["family"] for r in results] == ["square", "wide"]

"""Product-pixel verification from the banner, its sidecar and the cut-out: a real rendered variant
verifies, from the store's sidecar and from the DAM's; one changed product pixel, a wrong cut-out, an
edited lineage do not."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError, VerifyError
from pipeline.imaging.imageio import image_sha256
from pipeline.model.lineage import Lineage
from pipeline.storage.sidecar import load_sidecar, read_sidecar
from pipeline.verify import _placed_layer, verify_product_pixels
from tests.helpers import render_demo_variant, store_demo_variant


@pytest.fixture(scope="module")
def rendered():
    """One real variant of the demo campaign (vitamin, square, en-US), rendered as a run does."""
    product, variant = render_demo_variant()
    return variant, product


def _banner(variant) -> Image.Image:
    return Image.open(io.BytesIO(variant.png))


def _opaque_pixel(variant) -> tuple[int, int]:
    """A banner coordinate covered by a fully opaque product pixel (the middle of the product)."""
    x0, y0, x1, y1 = variant.lineage.product.placement_box
    return (x0 + x1) // 2, (y0 + y1) // 2


def _with_product(lineage: Lineage, **changes) -> Lineage:
    """The lineage with product fields changed (an edited sidecar), bypassing validation on purpose."""
    return lineage.model_copy(update={"product": lineage.product.model_copy(update=changes)})


def test_the_rendered_banner_verifies(rendered):
    variant, product = rendered
    report = verify_product_pixels(_banner(variant), variant.lineage, product.cutout)
    assert report.ok and report.cutout_ok and report.layer_ok, report.problems
    assert report.differing_pixels == 0 and report.differing_box is None
    assert report.product_pixels > 10_000
    assert report.banner_matches_lineage is True
    assert report.summary().startswith(f"identical: all {report.product_pixels} opaque product pixels")
    assert json.loads(json.dumps(report.to_dict()))["placement_box"] == list(variant.lineage.product.placement_box)


def test_the_stored_sidecar_and_a_reloaded_cutout_png_verify(tmp_path):
    """What a person holds: the banner PNG, the JSON sidecar the store wrote, the cut-out PNG."""
    product, variant = render_demo_variant()
    stored = store_demo_variant(tmp_path / "out")
    assert stored.cutout.name == f"{product.cutout_sha256}.png"
    sidecar = load_sidecar(stored.sidecar)
    assert sidecar.variant_id == stored.variant_id and sidecar.lineage == variant.lineage
    report = verify_product_pixels(Image.open(stored.blob), sidecar.lineage, Image.open(stored.cutout))
    assert report.ok, report.problems


def test_one_changed_product_pixel_is_found_and_boxed(rendered):
    variant, product = rendered
    banner = _banner(variant).convert("RGB")
    x, y = _opaque_pixel(variant)
    r, g, b = banner.getpixel((x, y))
    banner.putpixel((x, y), (r ^ 1, g, b))  # one bit of one channel
    report = verify_product_pixels(banner, variant.lineage, product.cutout)
    assert not report.ok and report.cutout_ok and report.layer_ok
    assert report.differing_pixels == 1 and report.differing_box == (x, y, x + 1, y + 1)
    assert report.banner_matches_lineage is False
    assert f"NOT identical: 1 of {report.product_pixels} opaque product pixels differ" in report.summary()


def test_pixels_outside_the_product_are_not_its_business(rendered):
    variant, product = rendered
    banner = _banner(variant).convert("RGB")
    banner.putpixel((0, 0), (1, 2, 3))  # scene corner
    report = verify_product_pixels(banner, variant.lineage, product.cutout)
    assert report.ok and report.banner_matches_lineage is False


def test_a_wrong_cutout_is_refused_by_its_hash(rendered):
    variant, product = rendered
    wrong = product.cutout.copy()
    px = wrong.getpixel((wrong.width // 2, wrong.height // 2))
    wrong.putpixel((wrong.width // 2, wrong.height // 2), ((px[0] + 1) % 256, *px[1:]))
    report = verify_product_pixels(_banner(variant), variant.lineage, wrong)
    assert not report.ok and not report.cutout_ok and report.product_pixels == 0
    assert report.summary().startswith("the cut-out is not the one this banner was made from")
    assert report.expected_cutout_sha256 in report.summary()


def test_an_edited_layer_hash_fails_and_says_why(rendered):
    variant, product = rendered
    lineage = _with_product(variant.lineage, layer_sha256="0" * 64)
    report = verify_product_pixels(_banner(variant), lineage, product.cutout)
    assert not report.ok and report.cutout_ok and not report.layer_ok and report.differing_pixels == 0
    assert "rebuilt from the cut-out hashes to" in report.summary()


def test_unusable_sidecars_and_boxes_are_input_errors(rendered, tmp_path):
    variant, product = rendered
    lineage = _with_product(variant.lineage, placement_box=(0, 0, 5000, 5000))
    with pytest.raises(VerifyError, match="outside the 1080x1080 banner"):
        verify_product_pixels(_banner(variant), lineage, product.cutout)
    with pytest.raises(VerifyError, match="cannot be scaled"):
        verify_product_pixels(
            _banner(variant), _with_product(variant.lineage, placement_box=(0, 0, 900, 20)), product.cutout
        )

    # What the sidecar itself may not say is refused when it is read, naming the field.
    data = json.loads(store_demo_variant(tmp_path / "out").sidecar.read_text())
    data["lineage"]["product"]["resample"] = "bicubic"
    with pytest.raises(InputError, match=r"lineage\.product\.resample: .*'lanczos'.*\(got 'bicubic'\)"):
        read_sidecar(data)
    data["lineage"]["product"].update(resample="lanczos", placement_box=[10, 10, 5, 20])
    with pytest.raises(InputError, match=r"lineage\.product\.placement_box: .*x1 > x0"):
        read_sidecar(data)


def test_the_rebuilt_layer_is_the_pipelines(rendered):
    """The layer comes from pipeline.imaging.placement.place_product: same bytes as the run's own layer."""
    variant, product = rendered
    layer, low, high = _placed_layer(product.cutout, variant.lineage.product.placement_box)
    assert image_sha256(layer) == variant.lineage.product.layer_sha256
    assert low <= variant.lineage.product.scale <= high + 1e-6
    assert np.asarray(layer).shape[2] == 4

"""Product-pixel verification from the banner, its sidecar and the cut-out: a real rendered variant
verifies; one changed product pixel, a wrong cut-out, an edited sidecar do not."""

from __future__ import annotations

import copy
import io
import json

import numpy as np
import pytest
from PIL import Image

from pipeline.imageio import image_sha256
from pipeline.store import Store
from pipeline.verify import VerifyInputError, product_lineage, verify_product_pixels
from tests.helpers import render_demo_variant


@pytest.fixture(scope="module")
def rendered():
    """One real variant of the demo campaign (vitamin, square, en-US), rendered as a run does."""
    product, variant = render_demo_variant()
    return variant, product


def _banner(variant) -> Image.Image:
    return Image.open(io.BytesIO(variant.png))


def _opaque_pixel(variant) -> tuple[int, int]:
    """A banner coordinate covered by a fully opaque product pixel (the middle of the product)."""
    x0, y0, x1, y1 = variant.lineage["product"]["placement_box"]
    return (x0 + x1) // 2, (y0 + y1) // 2


def test_the_rendered_banner_verifies(rendered):
    variant, product = rendered
    report = verify_product_pixels(_banner(variant), variant.lineage, product.cutout)
    assert report.ok and report.cutout_ok and report.layer_ok, report.problems
    assert report.differing_pixels == 0 and report.differing_box is None
    assert report.product_pixels > 10_000
    assert report.banner_matches_lineage is True
    assert report.summary().startswith(f"identical: all {report.product_pixels} opaque product pixels")
    assert json.loads(json.dumps(report.to_dict()))["placement_box"] == variant.lineage["product"]["placement_box"]


def test_the_stored_sidecar_and_a_reloaded_cutout_png_verify(rendered, tmp_path):
    """What a person holds: the banner PNG, the JSON sidecar the store wrote, the cut-out PNG."""
    variant, product = rendered
    store = Store(tmp_path / "out")
    sha = store.put_blob(variant.png)
    sidecar = store.put_json_sidecar(sha, {"variant_id": "v1", "verdict": variant.verdict.value,
                                           "checks": [], "lineage": variant.lineage})
    cut_sha = store.put_cutout(product.cutout)
    assert cut_sha == product.cutout_sha256 == variant.lineage["product"]["cutout_sha256"]
    assert store.cutout_path(cut_sha).is_file() and store.put_cutout(product.cutout) == cut_sha  # once
    store.close()
    banner = Image.open(store.blob_path(sha))
    cutout = Image.open(store.cutout_path(cut_sha))
    report = verify_product_pixels(banner, json.loads(sidecar.read_text()), cutout)
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
    lineage = copy.deepcopy(variant.lineage)
    lineage["product"]["layer_sha256"] = "0" * 64
    report = verify_product_pixels(_banner(variant), lineage, product.cutout)
    assert not report.ok and report.cutout_ok and not report.layer_ok and report.differing_pixels == 0
    assert "rebuilt from the cut-out hashes to" in report.summary()


def test_the_dam_publication_sidecar_is_enough(rendered):
    """pipeline.publishing's sidecar carries the cut-out, layer and box, not the scale: enough."""
    variant, product = rendered
    lin = variant.lineage
    dam_sidecar = {"lineage": {"product_cutout_sha256": lin["product"]["cutout_sha256"],
                               "product_layer_sha256": lin["product"]["layer_sha256"],
                               "product_placement_box": lin["product"]["placement_box"]}}
    assert verify_product_pixels(_banner(variant), dam_sidecar, product.cutout).ok


def test_unusable_sidecars_and_boxes_are_input_errors(rendered):
    variant, product = rendered
    with pytest.raises(VerifyInputError, match="no product lineage"):
        product_lineage({"lineage": {"sku": "x"}})
    lineage = copy.deepcopy(variant.lineage)
    lineage["product"]["placement_box"] = [0, 0, 5000, 5000]
    with pytest.raises(VerifyInputError, match="placement_box|outside|cannot be scaled"):
        verify_product_pixels(_banner(variant), lineage, product.cutout)
    lineage["product"]["resample"] = "bicubic"
    with pytest.raises(VerifyInputError, match="resample"):
        product_lineage(lineage)


def test_the_rebuilt_layer_is_the_pipelines(rendered):
    """The layer comes from pipeline.generate.place_product: same bytes as the run's own layer."""
    variant, product = rendered
    from pipeline.verify import _placed_layer

    layer, low, high = _placed_layer(product.cutout, tuple(variant.lineage["product"]["placement_box"]))
    assert image_sha256(layer) == variant.lineage["product"]["layer_sha256"]
    assert low <= variant.lineage["product"]["scale"] <= high + 1e-6
    assert np.asarray(layer).shape[2] == 4

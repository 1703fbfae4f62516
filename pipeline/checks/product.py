"""Product checks: the product's own pixels are untouched, and the cut-out is faithful to the packshot."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.placement import Placement, product_pixels_unchanged

# --- product fidelity ---------------------------------------------------------------------------


def check_product_pixels(image: Image.Image, layer: Image.Image, placement: Placement) -> CheckResult:
    """Every opaque product pixel in the banner equals the placed product layer, byte for byte."""
    total, differing = product_pixels_unchanged(image, layer, placement)
    if total == 0:
        return CheckResult(
            "product.pixels", Verdict.BLOCKED, "product.empty", "no opaque product pixels to verify", box=placement.box
        )
    if differing:
        return CheckResult(
            "product.pixels",
            Verdict.BLOCKED,
            "product.altered",
            f"{differing} of {total} product pixels were changed (text, logo or scene drawn over the product)",
            score=1 - differing / total,
            box=placement.box,
        )
    return CheckResult(
        "product.pixels", Verdict.PASSED, "product.intact", f"all {total} product pixels intact", score=1.0
    )


def check_product_fidelity(
    layer: Image.Image, cutout: Image.Image, *, min_ssim: float, max_delta_e: float
) -> CheckResult:
    """The placed (resized) product still looks like the source packshot: same aspect, colours
    and structure. The layer is compared with an independent area-average resize of the cut-out,
    at most 256 px on its long side (a sanity check of the resampling, not of single pixels:
    product.pixels does that)."""
    from skimage.color import deltaE_ciede2000, rgb2lab
    from skimage.metrics import structural_similarity

    cid = "product.fidelity"
    src_aspect, got_aspect = cutout.width / cutout.height, layer.width / layer.height
    # rounding to whole pixels moves the aspect by at most one pixel's worth
    if abs(src_aspect - got_aspect) > src_aspect * (1 / min(layer.size) + 1 / min(cutout.size)) + 1e-9:
        return CheckResult(
            cid,
            Verdict.BLOCKED,
            "product.distorted",
            f"product aspect changed from {src_aspect:.3f} to {got_aspect:.3f} (stretched or squashed)",
        )
    factor = min(1.0, 256 / max(layer.size))
    size = (max(8, round(layer.width * factor)), max(8, round(layer.height * factor)))
    got = np.asarray(layer.convert("RGBA").resize(size, Image.Resampling.BOX), dtype=np.float32) / 255
    want = cv2.resize(np.asarray(cutout.convert("RGBA"), dtype=np.float32) / 255, size, interpolation=cv2.INTER_AREA)
    solid = (got[..., 3] > 0.99) & (want[..., 3] > 0.99)
    if solid.sum() < 16:
        return CheckResult(
            cid, Verdict.BLOCKED, "product.empty", "no opaque product pixels to compare with the packshot"
        )
    lab_got, lab_want = rgb2lab(got[..., :3][solid]), rgb2lab(want[..., :3][solid])
    delta = float(deltaE_ciede2000(lab_got, lab_want).mean())  # type: ignore[no-untyped-call]
    ssim = float(structural_similarity(_grey(got), _grey(want), data_range=1.0, win_size=7))  # type: ignore[no-untyped-call]
    if delta > max_delta_e or ssim < min_ssim:
        return CheckResult(
            cid,
            Verdict.BLOCKED,
            "product.colour_or_structure_changed",
            f"placed product differs from the packshot: mean colour difference ΔE2000 {delta:.2f} "
            f"(allowed {max_delta_e}), structural similarity {ssim:.3f} (needs {min_ssim})",
            score=ssim,
        )
    return CheckResult(
        cid,
        Verdict.PASSED,
        "product.faithful",
        f"placed product matches the packshot: ΔE2000 {delta:.2f}, SSIM {ssim:.3f}",
        score=ssim,
    )


def _grey(rgba: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of premultiplied RGBA in 0..1 (transparent pixels are black): what SSIM compares."""
    luma: np.ndarray = (rgba[..., :3] @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)) * rgba[..., 3]
    return luma

"""Prove a banner's product pixels are the catalog photo's own, from three files anyone can hold.

A published banner (PNG), its sidecar (JSON, `pipeline.storage.sidecar`: the store's or the DAM's
copy, one schema) and the product cut-out (RGBA PNG) are enough; no model, no Vitrina run, no
access to the original photo. From the sidecar's typed lineage (`pipeline.model.lineage`):

1. the cut-out's pixels hash to ``lineage.product.cutout_sha256`` (so it is the cut-out this
   banner was made from);
2. the placed product layer is rebuilt from the cut-out the way the pipeline builds it
   (`pipeline.imaging.placement.place_product`: one Lanczos resample to the placement box's
   size) and hashes to ``lineage.product.layer_sha256``;
3. every fully opaque pixel of that layer equals the banner's pixel at the placement box, byte
   for byte (`pipeline.imaging.placement.product_pixels_unchanged`); differing pixels are
   counted and boxed.

The banner's C2PA manifest is checked by `read_provenance` (`pipeline.provenance`, re-exported
here): `vitrina verify` reports both.

Hashes are `pipeline.imaging.imageio.image_sha256`: SHA-256 of ``"<mode>:<w>x<h>:"`` followed by the raw
decoded pixel bytes, so they do not depend on how a PNG was compressed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from pipeline.errors import VerifyError
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import image_sha256
from pipeline.imaging.placement import (
    Placement,
    place_product,
    product_pixels_unchanged,
)
from pipeline.model.lineage import Lineage
from pipeline.provenance.manifest import ProvenanceReport, read_provenance

__all__ = ["VerifyError", "VerifyReport", "verify_product_pixels", "ProvenanceReport", "read_provenance"]


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of `verify_product_pixels`.

    ok: the cut-out is the recorded one, the rebuilt layer is the recorded one, and every opaque
        product pixel of the banner is identical to it.
    cutout_ok: False means the cut-out given is not the one the banner was made from; nothing
        was compared (`problems` says so).
    differing_box: ``(left, top, right, bottom)`` on the banner (right/bottom exclusive) around
        every differing product pixel, None when none differ.
    banner_matches_lineage: the whole banner's pixels hash to the lineage's ``image_sha256``
        (text or scene edited elsewhere shows here, not in `ok`).
    """

    ok: bool
    cutout_ok: bool
    layer_ok: bool
    cutout_sha256: str
    expected_cutout_sha256: str
    layer_sha256: str | None
    expected_layer_sha256: str
    placement_box: Box
    layer_size: tuple[int, int] | None
    product_pixels: int
    differing_pixels: int
    differing_box: Box | None
    banner_matches_lineage: bool
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("placement_box", "layer_size", "differing_box"):
            if out[key] is not None:
                out[key] = list(out[key])
        return out

    def summary(self) -> str:
        """One line a person can read."""
        box = self.placement_box
        if self.ok:
            return (
                f"identical: all {self.product_pixels} opaque product pixels match the cut-out placed at "
                f"({box[0]}, {box[1]})-({box[2]}, {box[3]})"
            )
        if not self.cutout_ok:
            return self.problems[0]
        if self.differing_pixels:
            d = self.differing_box
            assert d is not None
            return (
                f"NOT identical: {self.differing_pixels} of {self.product_pixels} opaque product pixels differ, "
                f"within ({d[0]}, {d[1]})-({d[2]}, {d[3]})"
            )
        return "NOT verified: " + "; ".join(self.problems)


def _placed_layer(cutout: Image.Image, box: Box) -> tuple[Image.Image, float, float]:
    """The product layer as `place_product` makes it for a placement box of this size.

    `place_product` scales the cut-out to ``round(side * scale)`` px and resamples it once with
    Lanczos, which depends on that size alone; any scale that rounds to the box's size gives the
    same layer. The middle of the scales that do is used, so no rounding tie can flip a pixel.
    Returns the layer and that range of scales.
    """
    width, height = box[2] - box[0], box[3] - box[1]
    low = max((width - 0.5) / cutout.width, (height - 0.5) / cutout.height)
    high = min((width + 0.5) / cutout.width, (height + 0.5) / cutout.height)
    if low >= high:
        raise VerifyError(
            f"a {cutout.width}x{cutout.height} cut-out cannot be scaled to the {width}x{height} placement box "
            "(aspect ratios differ)"
        )
    layer, _ = place_product(cutout, (0, 0, cutout.width, cutout.height), fill=(low + high) / 2)
    return layer, low, high


def verify_product_pixels(banner: Image.Image, lineage: Lineage, cutout: Image.Image) -> VerifyReport:
    """Check a banner's product pixels against the cut-out its lineage names (see module doc).

    `lineage` is a sidecar's (`pipeline.storage.sidecar.read_sidecar(...).lineage`), already
    validated: hashes well formed, a non-empty placement box, Lanczos resampling. Raises
    `VerifyError` when the inputs cannot be checked against each other at all.
    """
    info = lineage.product
    if cutout.mode != "RGBA":
        if cutout.mode not in ("P", "PA", "LA", "L", "RGB"):
            raise VerifyError(f"the cut-out must be an RGBA image, got mode {cutout.mode}")
        cutout = cutout.convert("RGBA")  # a re-saved palette PNG holds the same pixels
    cut_sha = image_sha256(cutout)
    box = info.placement_box
    rgb = banner.convert("RGB")
    banner_match = image_sha256(rgb) == lineage.image_sha256
    if cut_sha != info.cutout_sha256:
        return VerifyReport(
            False,
            False,
            False,
            cut_sha,
            info.cutout_sha256,
            None,
            info.layer_sha256,
            box,
            None,
            0,
            0,
            None,
            banner_match,
            [
                f"the cut-out is not the one this banner was made from: its pixels hash to {cut_sha}, "
                f"the sidecar records {info.cutout_sha256}"
            ],
        )
    if box[2] > rgb.width or box[3] > rgb.height or box[0] < 0 or box[1] < 0:
        raise VerifyError(f"placement box {list(box)} lies outside the {rgb.width}x{rgb.height} banner")
    problems: list[str] = []
    layer, low, high = _placed_layer(cutout, box)
    if layer.size != (box[2] - box[0], box[3] - box[1]):  # place_product rounds: never expected
        raise VerifyError(f"rebuilt a {layer.width}x{layer.height} layer for the placement box {list(box)}")
    if not low - 1e-6 <= info.scale <= high + 1e-6:  # recorded to 6 decimals
        problems.append(f"the recorded scale {info.scale} does not give the {layer.width}x{layer.height} placement box")
    layer_sha = image_sha256(layer)
    layer_ok = layer_sha == info.layer_sha256
    if not layer_ok:
        problems.append(
            f"the product layer rebuilt from the cut-out hashes to {layer_sha}, the sidecar records "
            f"{info.layer_sha256} (a different resampler, or an edited sidecar)"
        )
    placement = Placement(box, layer.width / cutout.width, box[3])
    total, differing = product_pixels_unchanged(rgb, layer, placement)
    differing_box: Box | None = None
    if differing:
        got = np.asarray(rgb)[box[1] : box[3], box[0] : box[2]]
        lay = np.asarray(layer)
        bad = (lay[..., 3] == 255) & np.any(got != lay[..., :3], axis=-1)
        rows, cols = np.flatnonzero(bad.any(axis=1)), np.flatnonzero(bad.any(axis=0))
        differing_box = (
            box[0] + int(cols[0]),
            box[1] + int(rows[0]),
            box[0] + int(cols[-1]) + 1,
            box[1] + int(rows[-1]) + 1,
        )
        problems.append(f"{differing} of {total} opaque product pixels differ from the cut-out")
    if total == 0:
        problems.append("the placed cut-out has no fully opaque pixels to compare")
    ok = layer_ok and differing == 0 and total > 0 and not problems
    return VerifyReport(
        ok,
        True,
        layer_ok,
        cut_sha,
        info.cutout_sha256,
        layer_sha,
        info.layer_sha256,
        box,
        layer.size,
        total,
        differing,
        differing_box,
        banner_match,
        problems,
    )

"""Placing the product layer: scaled once, pasted exactly, and checked to be untouched."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import image_sha256


@dataclass(frozen=True)
class Placement:
    """Where the scaled product layer sits on the canvas."""

    box: Box  # x0, y0, x1, y1 of the product layer on the canvas
    scale: float  # product layer size / cut-out size
    ground_y: int  # canvas row the product stands on


def place_product(cutout: Image.Image, area: Box, *, fill: float = 0.86) -> tuple[Image.Image, Placement]:
    """Scale the cut-out to fill `fill` of the area (aspect kept), centred, standing on its floor.

    The product is resampled once (Lanczos); that layer is what every later check compares with.
    """
    if cutout.mode != "RGBA":
        raise ValueError(f"cut-out must be RGBA, got {cutout.mode}")
    ax0, ay0, ax1, ay1 = area
    aw, ah = ax1 - ax0, ay1 - ay0
    if aw <= 0 or ah <= 0:
        raise ValueError(f"empty product area {area}")
    scale = min(aw * fill / cutout.width, ah * fill / cutout.height)
    w, h = max(1, round(cutout.width * scale)), max(1, round(cutout.height * scale))
    layer = cutout if (w, h) == cutout.size else cutout.resize((w, h), Image.Resampling.LANCZOS)
    ground_y = ay1 - round(ah * (1 - fill) / 2)
    x0 = ax0 + (aw - w) // 2
    y0 = ground_y - h
    return layer, Placement((x0, y0, x0 + w, y0 + h), scale, ground_y)


def composite_product(scene: Image.Image, layer: Image.Image, placement: Placement) -> Image.Image:
    """Put the product layer on the scene: opaque product pixels are copied exactly."""
    out = scene.convert("RGB").copy()
    x0, y0, _, _ = placement.box
    out.paste(layer, (x0, y0), layer)
    # Pillow's alpha paste is exact at alpha 255, but make the promise explicit: copy them.
    arr = np.asarray(out).copy()
    lay = np.asarray(layer)
    solid = lay[..., 3] == 255
    region = arr[y0 : y0 + layer.height, x0 : x0 + layer.width]
    region[solid] = lay[..., :3][solid]
    return Image.fromarray(arr, "RGB")


def product_pixels_unchanged(image: Image.Image, layer: Image.Image, placement: Placement) -> tuple[int, int]:
    """(opaque product pixels, how many of them differ in `image`). 0 differing = untouched."""
    x0, y0, x1, y1 = placement.box
    if x0 < 0 or y0 < 0 or x1 > image.width or y1 > image.height:
        raise ValueError(f"placement {placement.box} outside the {image.size} canvas")
    got = np.asarray(image.convert("RGB"))[y0:y1, x0:x1]
    lay = np.asarray(layer)
    solid = lay[..., 3] == 255
    differing = int(np.any(got[solid] != lay[..., :3][solid], axis=-1).sum())
    return int(solid.sum()), differing


def layer_hash(layer: Image.Image) -> str:
    return image_sha256(layer)

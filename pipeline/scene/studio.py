"""The `studio` backend: a model-free product set drawn from the brand palette.

Four styles (seamless sweep, gradient, surface with reflection, podium), deterministic for a seed.
The product stands on its base as its mask draws it (`base_footprint`): the podium's top surface
carries every base point that stands, and the contact shadow runs along those points, not under
the bounding box. The product layer is pasted last, so its pixels are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import cv2
import numpy as np
from PIL import Image

from pipeline.errors import InputError, shown
from pipeline.imaging.geometry import Box
from pipeline.imaging.placement import composite_product, place_product
from pipeline.model.brand import STUDIO_STYLES, ImageryStyle, hex_to_rgb
from pipeline.scene.base import SceneRequest, SceneResult

__all__ = ["STYLES", "StudioBackend", "backdrop", "studio_colours", "Footprint", "base_footprint"]

#: The styles drawn here; the list itself lives with the brand model (`STUDIO_STYLES`).
STYLES = STUDIO_STYLES


def _rgb(hex_value: str) -> np.ndarray:
    return np.array(hex_to_rgb(hex_value), dtype=np.float32)


def _mix(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    t = np.asarray(t, dtype=np.float32)[..., None] if np.ndim(t) else t
    return a * (1 - t) + b * t


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    eased: np.ndarray = x * x * (3 - 2 * x)
    return eased


def studio_colours(palette: Mapping[str, str]) -> dict[str, str]:
    """The colours a studio set is drawn from, each a brand colour: the background (wall), the
    floor (floor, tabletop, podium) and the wash (the 'gradient' style's second colour). Floor and
    wash are the palette roles of those names; brands written before them name `sand` and `mist`
    among their extra colours; without either, the background is used, never another role (a mix
    with the accent was off-palette, so Vitrina's own backdrop failed its palette check)."""
    background = palette["background"]
    return {
        "background": background,
        "floor": palette.get("floor") or palette.get("sand") or background,
        "wash": palette.get("wash") or palette.get("mist") or background,
    }


def backdrop(size: tuple[int, int], palette: dict[str, str], style: str, seed: int, ground_y: int) -> np.ndarray:
    """HxWx3 float32 backdrop (0..255) for a style; `ground_y` is where the product stands."""
    if style not in STYLES:
        raise InputError(f"unknown studio style {shown(style)}; choose one of {', '.join(STYLES)}")
    w, h = size
    colours = studio_colours(palette)
    bg = _rgb(colours["background"])
    wall_top = _mix(bg, np.full(3, 255, np.float32), 0.35)
    floor = _mix(bg, _rgb(colours["floor"]), 0.6) * 0.94
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    horizon = ground_y / h

    if style == "gradient":
        second = _rgb(colours["wash"])
        t = _smoothstep(ys * 0.7 + (xs + 1) / 2 * 0.3)
        img = _mix(_mix(wall_top, bg, 0.3), _mix(bg, second, 0.55), t)
    else:
        # Seamless sweep: wall fades into the floor along a soft curve around the ground line.
        curve = horizon - 0.10 + 0.04 * xs**2
        t = _smoothstep((ys - curve) / 0.16)
        img = _mix(_mix(wall_top, bg, _smoothstep(ys / max(horizon, 1e-3))), floor, t)
        if style == "surface":
            # A tabletop: crisp edge a little behind the product, darker front lip.
            edge = horizon - 0.035
            table = _mix(floor * 1.02, floor * 0.9, _smoothstep((ys - edge) / (1 - edge + 1e-6)))
            img = np.where((ys >= edge)[..., None], table, _mix(wall_top, bg, ys / max(edge, 1e-3))[..., :])
    # Light falls from the upper left; a gentle vignette keeps the eye on the product.
    light = 1.0 + 0.04 * (1 - ys) * (1 - xs) / 2 - 0.06 * (xs**2) * ys
    img = img * light[..., None]
    rng = np.random.default_rng(seed)
    img = img + rng.normal(0, 1.1, size=(h, w, 1)).astype(np.float32)  # grain against banding
    return np.broadcast_to(img, (h, w, 3)).astype(np.float32)


#: How a studio floor is seen: a circle on it looks this much flatter than wide (the podium's top
#: ellipse). A flat base receding on that floor rises at most this share of its width in the image,
#: so a base point higher than that above the product's lowest one is raised, not standing.
FLOOR_TILT = 0.14
#: Alpha from which a product pixel counts as opaque: the mask draws the outline at half cover.
OPAQUE_ALPHA = 128


@dataclass(frozen=True)
class Footprint:
    """Where the product's base meets the floor, in canvas pixels, found from the mask's alpha
    (not the bounding box: a bag stands on one corner of its 3/4 view, a bulb on its pins).

    xs: the columns the product covers; ys: the lowest opaque row in each of them; weight: 1 where
    that point is the product's lowest (it touches the floor), falling to 0 where the base is raised
    by `FLOOR_TILT` of the product's width or more (a handle, the body above a bulb's pins).
    """

    xs: np.ndarray
    ys: np.ndarray
    weight: np.ndarray

    @property
    def lowest(self) -> int:
        """The canvas row of the product's lowest opaque pixel: where it stands."""
        return int(self.ys.max())

    @property
    def contact(self) -> np.ndarray:
        """Which base points stand on the floor: those within half the tilt band of the lowest one."""
        touching: np.ndarray = self.weight >= 0.25
        return touching


def base_footprint(layer: Image.Image, box: Box) -> Footprint:
    """The product's base, from the placed layer's alpha (see `Footprint`)."""
    alpha = np.asarray(layer)[..., 3]
    solid = alpha >= OPAQUE_ALPHA
    if not solid.any():  # a faint product: its faint pixels are all there is
        solid = alpha > 0
    if not solid.any():  # nothing visible: stand on the layer's bottom edge
        solid = np.zeros_like(alpha, bool)
        solid[-1] = True
    cols = np.flatnonzero(solid.any(axis=0))
    bottom = solid.shape[0] - 1 - np.argmax(solid[::-1, cols], axis=0)
    xs, ys = box[0] + cols, box[1] + bottom
    band = max(3.0, FLOOR_TILT * layer.width)
    raised = (ys.max() - ys) / band
    weight = np.clip(1 - raised, 0, 1) ** 2
    return Footprint(xs, ys, weight.astype(np.float32))


def _podium_top(box: Box, footprint: Footprint, area: Box) -> tuple[float, float, float, float]:
    """The podium's top ellipse (cx, cy, rx, ry) that the product's base stands on.

    As wide as the product allows inside its area (never under the copy). Its depth follows the
    base: the product's lowest point sits half-way between the centre and the front rim, and the
    ellipse is made just deep enough (from the floor's own tilt up to half its width) that every
    base point standing on the floor lies on it, 2 px in from the rim: a 3/4 view's receding base
    runs back across the top instead of hanging in the air behind it.
    """
    x0, _, x1, _ = box
    cx = (x0 + x1) / 2
    rx = max(min((x1 - x0) * 0.68, (area[2] - area[0]) * 0.46), 24)
    xs, ys = footprint.xs[footprint.contact], footprint.ys[footprint.contact]
    low = footprint.lowest
    x_low = float(xs[ys == low].mean())
    half_depth = np.sqrt(1 - np.clip((x_low - cx) / rx, -0.95, 0.95) ** 2)  # of the ellipse at x_low
    across = ((xs - cx) / rx) ** 2
    ry = max(rx * FLOOR_TILT, 6.0)
    while True:
        cy = low - 0.5 * ry * half_depth
        if ry >= rx * 0.5 or (across + ((ys - cy) / (ry - 2)) ** 2 <= 1).all():
            return cx, cy, rx, min(ry, rx * 0.5)
        ry += 1


def _podium(img: np.ndarray, palette: dict[str, str], box: Box, footprint: Footprint, area: Box) -> np.ndarray:
    """A cylinder whose top surface carries the product's base (`_podium_top`), kept inside the
    product's area (never under the copy)."""
    h, w = img.shape[:2]
    cx, cy, rx, ry = _podium_top(box, footprint, area)
    body_h = max(min(area[3] - cy - ry - 2, h - cy - ry - 1), 4)
    sand = _rgb(studio_colours(palette)["floor"])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1
    body = (np.abs(xx - cx) <= rx) & (yy >= cy) & (yy <= cy + body_h)
    bottom = ((xx - cx) / rx) ** 2 + ((yy - cy - body_h) / ry) ** 2 <= 1
    shade = 0.80 + 0.16 * (1 - np.abs(xx - cx) / rx)  # a cylinder: darker at its sides
    out = img.copy()
    side = body | bottom
    out[side] = (sand * 0.94)[None, :] * shade[side][:, None]
    out[top] = _mix(sand, np.full(3, 255, np.float32), 0.3)
    return out


def _stroke_peak(thickness: int, sigma: float) -> float:
    """The peak of a `thickness`-px stroke blurred vertically by `sigma`: dividing by it keeps a
    blurred stroke of full weight at full strength."""
    n = thickness + 2 * int(4 * sigma + 1)
    column = np.zeros((n, 1), np.float32)
    column[(n - thickness) // 2 : (n + thickness) // 2] = 1
    return float(cv2.GaussianBlur(column, (0, 0), sigmaX=1, sigmaY=sigma).max())


def _contact_shadow(size: tuple[int, int], layer: Image.Image, box: Box, footprint: Footprint) -> np.ndarray:
    """Alpha (0..1) of the shadow where the product meets the floor, plus a faint ambient one.

    A short stroke is laid through each base point, as strong as its footprint weight, then
    blurred twice: a tight core, darkest where the base touches, and a wider falloff. Both follow
    the base's real footprint (a bulb's pins cast two small shadows, not one as wide as its body).
    """
    w, h = size
    x0, y0, x1, _ = box
    pw = x1 - x0
    core = np.zeros((h, w), np.float32)
    t = max(1, round(pw * 0.01))
    rows = footprint.ys[:, None] + np.arange(-t, 2 * t + 1)  # mostly below the base, where it shows
    cols = np.broadcast_to(footprint.xs[:, None], rows.shape)
    weight = np.broadcast_to(footprint.weight[:, None], rows.shape)
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    core[rows[inside], cols[inside]] = weight[inside]
    sx, sy = max(1.0, pw * 0.012), max(0.8, pw * 0.005)
    tight = cv2.GaussianBlur(core, (0, 0), sigmaX=sx, sigmaY=sy) / _stroke_peak(3 * t + 1, sy)
    soft = cv2.GaussianBlur(core, (0, 0), sigmaX=sx * 5, sigmaY=sy * 4) / _stroke_peak(3 * t + 1, sy * 4)
    ambient = np.zeros((h, w), np.float32)
    alpha = np.asarray(layer)[..., 3].astype(np.float32) / 255
    ay0, ax0 = max(y0 + int(pw * 0.03), 0), max(x0 + int(pw * 0.02), 0)
    hh, ww = min(alpha.shape[0], h - ay0), min(alpha.shape[1], w - ax0)
    ambient[ay0 : ay0 + hh, ax0 : ax0 + ww] = alpha[:hh, :ww]
    k2 = max(5, int(pw * 0.08) | 1)
    ambient = cv2.GaussianBlur(ambient, (k2, k2), 0) * 0.14
    alpha_sum: np.ndarray = np.clip(0.5 * tight + 0.3 * soft + ambient, 0, 0.6)
    return alpha_sum


def _reflection(img: np.ndarray, layer: Image.Image, box: Box) -> np.ndarray:
    h, w = img.shape[:2]
    x0, _, _, y1 = box
    flipped = np.asarray(layer.transpose(Image.Transpose.FLIP_TOP_BOTTOM)).astype(np.float32)
    rh = min(flipped.shape[0], h - y1, int(flipped.shape[0] * 0.35))
    if rh <= 0:
        return img
    x_lo, x_hi = max(x0, 0), min(x0 + flipped.shape[1], w)
    part = flipped[:rh, x_lo - x0 : x_hi - x0]
    fade = (np.linspace(0.22, 0.0, rh, dtype=np.float32)[:, None]) * part[..., 3] / 255
    out = img.copy()
    region = out[y1 : y1 + rh, x_lo:x_hi]
    out[y1 : y1 + rh, x_lo:x_hi] = region * (1 - fade[..., None]) + part[..., :3] * fade[..., None]
    return out


class StudioBackend:
    """Model-free studio sets; the embedded default backend."""

    name = "studio"

    @classmethod
    def from_imagery(cls, imagery: ImageryStyle | None, root: Path | None, **options: Any) -> Self:
        """The studio backend needs nothing from the brand (each request names its style) and
        has no options: one given (a diffusion model, steps) is refused rather than ignored."""
        if options:
            raise InputError(f"the studio backend takes no options; got {', '.join(sorted(options))}")
        return cls()

    def render_batch(self, requests: Sequence[SceneRequest]) -> list[SceneResult]:
        """One scene after the other: drawing a studio set gains nothing from batching."""
        return [self.render(request) for request in requests]

    def render(self, request: SceneRequest) -> SceneResult:
        area = request.area
        if request.style == "podium":
            # The product stands on the podium: keep the lower part of its area for the plinth.
            area = (area[0], area[1], area[2], area[3] - (area[3] - area[1]) // 5)
        layer, placement = place_product(request.cutout, area)
        img = backdrop(request.size, request.palette, request.style, request.seed, placement.ground_y)
        footprint = base_footprint(layer, placement.box)
        if request.style == "podium":
            img = _podium(img, request.palette, placement.box, footprint, request.area)
        if request.style == "surface":
            img = _reflection(img, layer, placement.box)
        shadow = _contact_shadow(request.size, layer, placement.box, footprint)
        shade_colour = _rgb(request.palette["text"]) * 0.5
        img = img * (1 - shadow[..., None]) + shade_colour * shadow[..., None]
        scene = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8), "RGB")
        image = composite_product(scene, layer, placement)
        # The colours drawn with, so a reviewer sees which role each came from (README: palette).
        colours = studio_colours(request.palette)
        lineage = {"backend": self.name, "style": request.style, "seed": request.seed, "colours": colours}
        return SceneResult(image, layer, placement, lineage)

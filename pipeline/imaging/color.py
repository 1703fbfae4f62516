"""Colour arithmetic shared by the composer (choosing text colours) and the checks (verifying
them): WCAG 2.x relative luminance and contrast ratio, written once so that the colour a banner
is drawn with and the colour it is checked with can never disagree."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["relative_luminance", "contrast_ratio", "pixel_luminance"]

FloatArray = npt.NDArray[np.float64]


def _linear(c: FloatArray) -> FloatArray:
    """sRGB-encoded channel values in 0..1 -> linear light (the WCAG 2.x transfer function)."""
    linear: FloatArray = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear


# Every 8-bit channel value linearised once, by the same float64 arithmetic as
# `relative_luminance`: looking pixels up in it gives bit-identical luminances without a power
# per channel (the composer measures every text box's backdrop).
_LINEAR_U8 = _linear(np.arange(256, dtype=np.float64) / 255.0)
_LINEAR_U8.flags.writeable = False


def relative_luminance(rgb: npt.ArrayLike) -> FloatArray:
    """WCAG relative luminance of (...,3) 8-bit sRGB values (linearised, Rec. 709 weights)."""
    lin = _linear(np.asarray(rgb, dtype=np.float64) / 255.0)
    luminance: FloatArray = lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722
    return luminance


def pixel_luminance(pixels: npt.NDArray[np.uint8]) -> FloatArray:
    """`relative_luminance` of an ``HxWx3`` (or wider) uint8 array, by table look-up: the same
    values, bit for bit, at a fraction of the cost on large crops."""
    if pixels.dtype != np.uint8 or pixels.ndim < 1 or pixels.shape[-1] < 3:
        raise ValueError(f"pixel_luminance needs a (...,3) uint8 array, got {pixels.dtype} {pixels.shape}")
    lum: FloatArray = _LINEAR_U8[pixels[..., 0]] * 0.2126
    lum += _LINEAR_U8[pixels[..., 1]] * 0.7152
    lum += _LINEAR_U8[pixels[..., 2]] * 0.0722
    return lum


def contrast_ratio(l1: npt.ArrayLike, l2: npt.ArrayLike) -> FloatArray:
    """(lighter + 0.05) / (darker + 0.05) of two luminances; 1 to 21."""
    hi, lo = np.maximum(l1, l2), np.minimum(l1, l2)
    ratio: FloatArray = (hi + 0.05) / (lo + 0.05)
    return ratio

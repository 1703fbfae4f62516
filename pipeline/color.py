"""Colour arithmetic shared by the composer (choosing text colours) and the checks (verifying
them): WCAG 2.x relative luminance and contrast ratio."""

from __future__ import annotations

import numpy as np

__all__ = ["relative_luminance", "contrast_ratio"]


def relative_luminance(rgb: np.ndarray | tuple[int, int, int]) -> np.ndarray:
    """WCAG relative luminance of (...,3) 8-bit sRGB values (linearised, Rec. 709 weights)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def contrast_ratio(l1: np.ndarray | float, l2: np.ndarray | float) -> np.ndarray:
    """(lighter + 0.05) / (darker + 0.05) of two luminances; 1 to 21."""
    hi, lo = np.maximum(l1, l2), np.minimum(l1, l2)
    return (hi + 0.05) / (lo + 0.05)

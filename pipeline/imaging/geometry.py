"""Pixel boxes, one definition for every stage."""

from __future__ import annotations

__all__ = ["Box"]

Box = tuple[int, int, int, int]  # (x0, y0, x1, y1), x1/y1 exclusive, canvas pixels

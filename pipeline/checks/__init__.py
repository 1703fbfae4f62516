"""Checks: each returns CheckResults with a verdict, a machine code and a plain-language reason.

A variant's verdict is the worst of its checks. Checks here must be able to fail: each one
compares the variant against data (product pixels, palette, thresholds, price history, the
claims library), not against itself.
"""

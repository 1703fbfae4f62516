"""Vitrina's user-facing surface: the `vitrina` command line (vitrina.cli)."""

"""The CLI's two consoles and its one way to fail.

stdout carries results (and `--json`), stderr carries progress and errors. `soft_wrap`: long paths
and messages stay one line (greppable) instead of being cut at 80 columns when piped. Every
message passed to `fail` is markup-escaped: it may hold a user's text. Any other text a user
wrote (names, reasons, copy, SKUs, paths) is escaped by the caller (`rich.markup.escape`) or
passed as a `rich.text.Text`, table cells included. `emoji=False`: ":smile:" in a headline or
a reviewer's note is printed as written, not turned into a pictogram.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["out", "err", "fail"]

out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one `error:` line on stderr and exit with `code` (2: bad input, 1: done but failed)."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)

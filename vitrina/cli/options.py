"""Options every command that works on an output folder shares, and the one way to open its store.

`--db URL` (or VITRINA_DATABASE_URL) puts the catalog on PostgreSQL; the output folder still holds
the files (blobs, cut-outs, run folders). Keep the password out of the URL: psycopg reads
PGPASSWORD and ~/.pgpass; Vitrina never prints a password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InputError, ReviewError
from pipeline.storage.store import Store
from vitrina.cli.console import fail

__all__ = ["OutOpt", "DbOpt", "DEFAULT_OUT", "open_store", "store_session"]

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="output folder (catalog, assets, reports)")]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="VITRINA_DATABASE_URL",
        show_envvar=True,
        help="catalog database URL, e.g. postgresql+psycopg://vitrina@dbhost/vitrina (default: OUT/catalog.sqlite)",
    ),
]
DEFAULT_OUT = Path("out")


def open_store(out: Path, db: str | None = None) -> Store:
    """The store of an existing output folder, or one `error:` line and exit 2."""
    try:
        return Store.open_existing(out, db)
    except (FileNotFoundError, InputError) as exc:  # no catalog, or not a usable one
        fail(str(exc), 2)


@contextmanager
def store_session(out: Path, db: str | None = None) -> Iterator[Store]:
    """The store for one command's block: a refused action or bad input inside it is one `error:`
    line and exit 2; the store is closed when the block ends."""
    store = open_store(out, db)
    try:
        yield store
    except (InputError, ReviewError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()

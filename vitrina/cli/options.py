"""Options every command that works on an output folder shares, and the one way to open its store.

`--db URL` (or VITRINA_DATABASE_URL) puts the catalog on PostgreSQL; the output folder still holds
the files (blobs, cut-outs, run folders). Keep the password out of the URL: psycopg reads
PGPASSWORD and ~/.pgpass; Vitrina never prints a password.

`--blobs URL` (or VITRINA_BLOBS_URL) shares the content-addressed files (banners, sidecars,
cut-outs) through an S3 bucket or a mounted folder, for runs spread over machines (`--task-runner
dask`): each machine's output folder then holds a local copy of what it used, fetched on demand.
S3 credentials and endpoint come from boto3's usual places (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL,
~/.aws/config).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import DamError, InputError, ReviewError
from pipeline.storage.blobs import BlobBackend
from pipeline.storage.store import Store
from vitrina.cli.console import fail

__all__ = ["OutOpt", "DbOpt", "BlobsOpt", "DEFAULT_OUT", "blob_backend", "open_store", "store_session"]

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
BlobsOpt = Annotated[
    str | None,
    typer.Option(
        "--blobs",
        envvar="VITRINA_BLOBS_URL",
        show_envvar=True,
        help="shared blob store for runs on several machines: s3://bucket/prefix or file:///shared/folder"
        " (default: the output folder only)",
    ),
]
DEFAULT_OUT = Path("out")


def blob_backend(blobs: str | None) -> BlobBackend | None:
    """The shared blob backend `--blobs` names (None without one), or one `error:` line and exit 2."""
    if not blobs:
        return None
    from dam_connectors.s3_blobs import blob_backend_for  # boto3 loads only when a store is named

    try:
        return blob_backend_for(blobs)
    except DamError as exc:  # unsupported scheme, no bucket, a bad option in the query
        fail(f"--blobs: {exc}", 2)


def open_store(out: Path, db: str | None = None, blobs: str | None = None) -> Store:
    """The store of an existing output folder, or one `error:` line and exit 2."""
    backend = blob_backend(blobs)
    try:
        return Store.open_existing(out, db, backend)
    except (FileNotFoundError, InputError) as exc:  # no catalog, or not a usable one
        fail(str(exc), 2)


@contextmanager
def store_session(out: Path, db: str | None = None, blobs: str | None = None) -> Iterator[Store]:
    """The store for one command's block: a refused action or bad input inside it is one `error:`
    line and exit 2 (a shared blob store that fails too); the store is closed when the block ends."""
    store = open_store(out, db, blobs)
    try:
        yield store
    except (InputError, ReviewError, DamError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()

"""`vitrina db upgrade`: migrate an output folder's catalog (SQLite) or a PostgreSQL catalog to
the schema this Vitrina uses, in place. Exit codes: 0 done (or nothing to do); 2 no catalog, or
one that cannot be used, nothing changed."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from pipeline.errors import InputError
from pipeline.storage.database import catalog_url, upgrade_catalog
from vitrina.cli.console import fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt

__all__ = ["db_app"]

db_app = typer.Typer(no_args_is_help=True, help="The catalog database: migrate it to this Vitrina's schema.")


@db_app.command("upgrade")
def upgrade(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Migrate the catalog in place (a SQLite catalog is backed up next to itself first)."""
    if db is None and not (out / "catalog.sqlite").is_file():
        fail(f"{out}: no Vitrina output here (no catalog.sqlite); nothing to upgrade", 2)
    try:
        done = upgrade_catalog(catalog_url(out, db))
    except InputError as exc:
        fail(str(exc), 2)
    before = "before revisions" if done.legacy else f"revision {done.before}" if done.before else "empty"
    if as_json:
        print(
            json.dumps(
                {
                    "catalog": done.catalog,
                    "from": done.before,
                    "legacy": done.legacy,
                    "to": done.to,
                    "changed": done.changed,
                    "backup": str(done.backup) if done.backup else None,
                }
            )
        )
        return
    if not done.changed:
        out_console.print(f"{escape(done.catalog)}: at revision {done.to}, nothing to do", highlight=False)
        return
    did = f"migrated from {before} to" if done.legacy or done.before else "created at"
    out_console.print(f"{escape(done.catalog)}: {did} revision {done.to}", highlight=False)
    if done.backup is not None:
        out_console.print(f"  backup of the catalog before: {escape(str(done.backup))}", highlight=False)

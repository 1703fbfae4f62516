"""`vitrina tokens`: the bearer tokens DAMs use to pull the feed (``GET /api/v1/assets``).

A token is shown once, by `create`, and kept only as its SHA-256: a lost token is revoked and a
new one made. Exit codes: 0 done; 2 bad input (an unknown scope, a bad or taken name, a token
that is not live), one line, nothing changed.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape

from pipeline.errors import InputError, ReviewError
from pipeline.storage.access import SCOPES, new_token, token_hash
from vitrina.cli.console import err, fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store, store_session

__all__ = ["tokens_app", "ByOpt", "local_user"]

tokens_app = typer.Typer(
    no_args_is_help=True, help="Feed tokens for DAMs that pull: create (shown once), list, revoke."
)


def local_user() -> str:
    """Who runs the command, for the catalog's records (`--by` overrides it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli"


ByOpt = Annotated[str | None, typer.Option("--by", help="who does it, for the record (default: your login name)")]


@tokens_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="a name for the token, e.g. the DAM's: bynder-prod")],
    scope: Annotated[str, typer.Option("--scope", help=f"what it may do: {', '.join(SCOPES)}")] = "feed:read",
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    by: ByOpt = None,
) -> None:
    """Make a token and print it once (on stdout, alone); the catalog keeps only its hash."""
    store = open_store(out, db)
    token = new_token()
    try:
        record = store.create_token(name, scope, token_hash(token), by=by or local_user())
    except (InputError, ReviewError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    err.print(
        escape(
            f"Token {record.name} ({record.scope}) created. It is shown only now: give it to the DAM as "
            "'Authorization: Bearer <token>' and keep it in a secret store."
        ),
        highlight=False,
    )
    print(token)


@tokens_app.command("list")
def list_tokens(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON list on stdout")] = False,
) -> None:
    """Every token: name, scope, when made and by whom, last used, revoked (never the token)."""
    store = open_store(out, db)
    try:
        tokens = store.tokens()
    finally:
        store.close()
    if as_json:
        print(json.dumps([asdict(t) for t in tokens], ensure_ascii=False))
        return
    if not tokens:
        out_console.print("no tokens (vitrina tokens create NAME --scope feed:read --out DIR)", highlight=False)
        return
    for t in tokens:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "live"
        used = t.last_used_at or "never"
        line = f"{t.name:<24} {t.scope:<10} {state:<34} created {t.created_at} by {t.created_by}, last used {used}"
        out_console.print(escape(line), highlight=False)


@tokens_app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="the token's name (vitrina tokens list)")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    by: ByOpt = None,
) -> None:
    """Revoke a token: requests carrying it are refused (401) from now on."""
    with store_session(out, db) as store:
        store.revoke_token(name, by=by or local_user())
    out_console.print(escape(f"token {name} revoked"), highlight=False)

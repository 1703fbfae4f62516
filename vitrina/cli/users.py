"""`vitrina users`: who may log in to the review app (`vitrina serve`) and with which role.

Roles, each including the ones before it: viewer (reads), reviewer (approves, rejects, waives,
comments), publisher (publishes, retracts, rolls back), admin (users, tokens, webhooks). The
password comes on stdin (`--password-stdin`, never an argument: arguments show in `ps` and in
shell history) and only its argon2 hash is kept. Exit codes: 0 done; 2 bad input, one line,
nothing changed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.errors import InputError, ReviewError
from pipeline.storage.access import ROLES
from vitrina.cli.console import fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store, store_session
from vitrina.cli.tokens import ByOpt, local_user
from vitrina.web.passwords import MAX_PASSWORD, hash_password

__all__ = ["users_app"]

users_app = typer.Typer(no_args_is_help=True, help="Review app users and their roles: add, list, disable.")


def _read_password() -> str:
    """One line from stdin (a trailing newline is not part of the password)."""
    if sys.stdin.isatty():
        import getpass

        first, again = getpass.getpass("Password: "), getpass.getpass("Again: ")
        if first != again:
            fail("the two passwords differ; nothing changed", 2)
        return first
    data = sys.stdin.read(MAX_PASSWORD * 4 + 2)
    lines = data.splitlines()
    if len(lines) > 1:
        fail("--password-stdin: give the password as one line on stdin", 2)
    return lines[0] if lines else ""


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="login name: letters, digits, '.', '_', '@', '-'")],
    role: Annotated[str, typer.Option("--role", help=f"one of {', '.join(ROLES)}")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin (required)")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="set a new role and password for an existing user")
    ] = False,
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    by: ByOpt = None,
) -> None:
    """Add a user; the password comes on stdin, e.g. `printf '%s\\n' "$PW" | vitrina users add NAME
    --role reviewer --password-stdin`."""
    if not password_stdin:
        fail("give the password on stdin with --password-stdin (never as an argument)", 2)
    if role not in ROLES:
        fail(f"role {escape(repr(role))}: choose one of {', '.join(ROLES)}", 2)
    store = open_store(out, db)
    try:
        if store.user(name) is not None and not replace:
            fail(f"user {escape(name)} exists already (--replace to set a new role or password)", 2)
        try:
            hashed = hash_password(_read_password())
        except ValueError as exc:
            fail(f"password: {exc}; nothing changed", 2)
        user = store.add_user(name, role, hashed, by=by or local_user(), replace=replace)
    except (InputError, ReviewError) as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    out_console.print(f"user {escape(user.name)}: {user.role}", highlight=False)


@users_app.command("list")
def list_users(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON array")] = False,
) -> None:
    """Every user with role, who added them and when (never a password hash)."""
    store = open_store(out, db)
    try:
        users = store.users()
    finally:
        store.close()
    rows = [{k: v for k, v in asdict(u).items() if k != "password_hash"} for u in users]
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        out_console.print("no users yet: vitrina users add NAME --role reviewer --password-stdin", highlight=False)
        return
    table = Table("name", "role", "added", "by", "disabled")
    for r in rows:
        table.add_row(
            escape(r["name"]), r["role"], r["created_at"], escape(r["created_by"]), "yes" if r["disabled"] else ""
        )
    out_console.print(table)


@users_app.command("disable")
def disable(
    name: Annotated[str, typer.Argument()], out: OutOpt = DEFAULT_OUT, db: DbOpt = None, by: ByOpt = None
) -> None:
    """Stop a user from logging in (their decisions stay in the audit log)."""
    with store_session(out, db) as store:
        store.disable_user(name, by=by or local_user())
    out_console.print(f"user {escape(name)}: disabled", highlight=False)

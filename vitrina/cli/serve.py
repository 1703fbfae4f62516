"""`vitrina serve`: the review UI, the asset feed and the webhook deliveries of one output folder,
in one web server (`vitrina.web.app.create_app`, run by uvicorn).

Exit codes: 0 stopped (Ctrl-C); 2 bad input (no catalog in --out, an unusable --db, a port that
cannot be bound), one line.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from pipeline.errors import InputError
from vitrina.cli.console import err, fail
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store

__all__ = ["serve"]


def serve(
    out: OutOpt = DEFAULT_OUT,
    host: Annotated[
        str,
        typer.Option("--host", help="address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface)"),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 8000,
    db: DbOpt = None,
    https_only: Annotated[
        bool, typer.Option("--https-only", help="mark the session cookie Secure (when served behind TLS)")
    ] = False,
) -> None:
    """Serve the review UI, the DAM feed (/api/v1) and webhook deliveries for --out."""
    import uvicorn

    from vitrina.web.app import create_app

    store = open_store(out, db)  # exit 2, one line, when there is no usable catalog
    try:
        users = store.users()
    finally:
        store.close()
    try:
        app = create_app(out, db, https_only=https_only)
    except (FileNotFoundError, InputError, ValueError) as exc:
        fail(str(exc), 2)
    if not users:
        err.print(
            "[yellow]warning:[/] no users yet: nobody can sign in. Add one with "
            f"`vitrina users add NAME --role admin --password-stdin --out {escape(str(out))}`"
        )
    if host not in ("127.0.0.1", "localhost", "::1") and not https_only:
        err.print(
            "[yellow]warning:[/] reachable from other machines over plain HTTP: passwords and session cookies "
            "travel unencrypted. Put a TLS reverse proxy in front and pass --https-only."
        )
    shown = f"[{host}]" if ":" in host else host
    err.print(f"Vitrina review app on http://{escape(shown)}:{port}/ (Ctrl-C stops it)")
    # proxy headers (X-Forwarded-For) are trusted from 127.0.0.1 only: a local TLS proxy, never a client
    config = uvicorn.Config(app, host=host, port=port, log_level="info", server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    except OSError as exc:  # the address is not this machine's
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", 2)
    except SystemExit:  # uvicorn exits when it cannot bind (it logged why)
        if server.started:
            raise
        fail(f"cannot listen on {host}:{port} (the port is taken, or the address is not this machine's)", 2)

"""A throwaway PostgreSQL server for tests (the ``postgres_server`` / ``postgres_url`` fixtures).

One server per session, in a temp dir, reached only through a Unix socket in a private folder
(``listen_addresses=''``): no TCP port is opened, so parallel sessions and a system PostgreSQL on
5432 never collide. Each test gets its own database, dropped afterwards.

Startup costs about a second: ``initdb --no-sync`` plus a start with fsync, synchronous commit and
full-page writes off (the data is thrown away, so durability buys nothing).

PostgreSQL refuses to run as root, so under root (CI containers) initdb and pg_ctl run as the
``postgres`` system user that Debian's package creates, in a temp dir handed to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

if TYPE_CHECKING:  # imported where used, so the rest of the suite collects without psycopg
    import psycopg

_SERVER_USER = "postgres"  # the OS account under root, and the database superuser (initdb -U)
_START_TIMEOUT_S = 60
_COMMAND_TIMEOUT_S = 120
_MISSING = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql (scripts/system-deps.sh)"


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: its socket folder and port, and its log for failure messages."""

    socket_dir: Path
    port: int
    log_path: Path
    user: str = _SERVER_USER

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for ``dbname`` over the Unix socket."""
        return (
            f"postgresql+psycopg://{self.user}@/{quote(dbname)}"
            f"?host={quote(str(self.socket_dir), safe='/')}&port={self.port}"
        )

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the ``postgres`` database (CREATE/DROP DATABASE cannot run
        inside a transaction)."""
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    @contextmanager
    def database(self, stem: str = "vitrina") -> Iterator[str]:
        """Create a uniquely named database, yield its URL, then drop it, even if connections are
        still open (a test's engine pool): ``WITH (FORCE)`` ends them."""
        from psycopg import sql

        name = f"{stem}_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield self.url(name)
        finally:
            with self.admin() as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def find_binaries() -> tuple[str, str] | None:
    """``(initdb, pg_ctl)`` from PATH, else from Debian's versioned folders (which are not on
    PATH: Debian only puts client wrappers in /usr/bin), newest version first; None if absent."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    for bindir in sorted(versions, key=lambda p: _version_key(Path(p).parent.name), reverse=True):
        initdb, pg_ctl = os.path.join(bindir, "initdb"), os.path.join(bindir, "pg_ctl")
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` as the ``postgres`` account when we are root (the server will not run as root),
    unchanged otherwise. ``runuser`` needs no password or TTY; ``su`` is the fallback."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", _SERVER_USER, "--", *command]
    return ["su", _SERVER_USER, "-s", "/bin/sh", "-c", shlex.join(command)]


def _locale() -> str:
    """C.UTF-8 where the system has it (non-ASCII case rules, like a real deployment), else C."""
    try:
        names = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "C"
    return "C.UTF-8" if {"C.UTF-8", "C.utf8"} & set(names) else "C"


def _free_port() -> int:
    """A port number that is free on loopback. Only the socket's file name uses it (no TCP), but a
    free one keeps things unsurprising if someone turns TCP on to debug."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_server_user(command),
        cwd=cwd,  # the postgres account may not be able to enter the caller's cwd
        capture_output=True,
        text=True,
        timeout=_COMMAND_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway server, yield it, then stop it (immediate mode: no checkpoint, the data is
    deleted anyway) and remove its folder. Skips when the binaries are missing; fails loudly, with
    the server's log, when they are there but the server does not come up."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip(_MISSING)
    initdb, pg_ctl = binaries
    with ExitStack() as cleanup:
        # Not pytest's tmp_path: it may be too deep for a Unix socket path (about 107 bytes) and
        # under root it sits in folders the postgres account cannot enter.
        work = Path(tempfile.mkdtemp(prefix="vitrina-pg-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(_SERVER_USER)
            except KeyError:
                pytest.skip(
                    f"running as root and there is no '{_SERVER_USER}' user to run PostgreSQL as "
                    "(Debian's postgresql package creates it: scripts/system-deps.sh)"
                )
            os.chown(work, account.pw_uid, account.pw_gid)
        data, log_path, port = work / "data", work / "server.log", _free_port()

        init = _run(
            [initdb, "-D", str(data), "-A", "trust", "-U", _SERVER_USER, "--no-sync", "-E", "UTF8",
             f"--locale={_locale()}", "--no-instructions"],
            cwd=work,
        )  # fmt: skip
        if init.returncode != 0:
            pytest.fail(f"initdb failed (exit {init.returncode}):\n{init.stdout}{init.stderr}", pytrace=False)

        # pg_ctl hands -o to a shell, hence the quoting; "stop" is registered before "start" so a
        # start that times out with the server half up still ends it.
        options = (
            f"-p {port} -k {shlex.quote(str(work))} -c listen_addresses='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        cleanup.callback(_run, [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], work)
        start = _run(
            [pg_ctl, "-D", str(data), "-l", str(log_path), "-w", "-t", str(_START_TIMEOUT_S), "-o", options, "start"],
            cwd=work,
        )
        if start.returncode != 0:
            pytest.fail(
                f"PostgreSQL did not start (pg_ctl exit {start.returncode}): {start.stdout}{start.stderr}\n"
                f"server log tail ({log_path}):\n{_log_tail(log_path)}",
                pytrace=False,
            )
        import psycopg

        server = PostgresServer(socket_dir=work, port=port, log_path=log_path)
        try:  # the first connection is the real check; the log says why far better than psycopg
            server.admin().close()
        except psycopg.Error as exc:
            pytest.fail(
                f"PostgreSQL started but refuses connections: {exc}\nserver log tail:\n{_log_tail(log_path)}",
                pytrace=False,
            )
        yield server

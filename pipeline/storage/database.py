"""The catalog's database: SQLAlchemy 2 (Core, SQL text with named parameters) on SQLite, the
default (``catalog.sqlite`` in the output folder), or PostgreSQL (a URL such as
``postgresql+psycopg://user:pass@host/db``). The schema is Alembic's
(`pipeline/storage/migrations`); the SQL the store runs is portable between the two.

Writers are serialised, so a writer never decides on a stale read: on SQLite each write
transaction is ``BEGIN IMMEDIATE`` (with a busy timeout); on PostgreSQL it takes one
transaction-scoped advisory lock (with a lock timeout) before its first statement. Readers never
wait for writers (SQLite in WAL mode; PostgreSQL's snapshots).

Opening a catalog (`open_catalog`): an empty database is created at the newest revision; one at
an older revision, or one written before Alembic (an output folder of Vitrina up to commit
a00c857), is refused with one line that says to run ``vitrina db upgrade``, which migrates it
in place (`upgrade_catalog`; SQLite catalogs are backed up first).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from pipeline.errors import InputError, one_line, shown

__all__ = [
    "Tx",
    "CatalogState",
    "catalog_url",
    "display_url",
    "make_engine",
    "open_catalog",
    "catalog_state",
    "upgrade_catalog",
    "head_revision",
    "reading",
    "writing",
]

MIGRATIONS = Path(__file__).parent / "migrations"
#: The revision an output folder written before Alembic is brought to by the pre-Alembic steps
#: (`pipeline.storage.schema.migrate_legacy`) before Alembic takes over.
LEGACY_REVISION = "0001"
#: How long a writer waits for another process's transaction before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000
# PostgreSQL advisory lock key every Vitrina writer takes ("vitr" in ASCII): one writer at a time.
_WRITE_LOCK_KEY = 0x76697472


class Tx:
    """One connection in a transaction: SQL text with ``:named`` parameters, rows as mappings
    (``row["column"]``, ``dict(row)``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def run(self, sql: str, **params: Any) -> int:
        """Run one statement; returns the number of rows it changed."""
        return int(self.conn.execute(text(sql), params).rowcount)

    def rows(self, sql: str, **params: Any) -> list[RowMapping]:
        return list(self.conn.execute(text(sql), params).mappings())

    def row(self, sql: str, **params: Any) -> RowMapping | None:
        return self.conn.execute(text(sql), params).mappings().first()

    def value(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(text(sql), params).scalar()

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name


def catalog_url(root: Path, url: str | None) -> str:
    """The catalog's URL: `url` when given (validated: SQLite or PostgreSQL), else
    ``catalog.sqlite`` in the output folder `root`. InputError (one line, password hidden)."""
    if url is None:
        return URL.create("sqlite", database=str(Path(root) / "catalog.sqlite")).render_as_string()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"database URL {shown(display_url(url))}: not a database URL") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"database URL {shown(display_url(url))}: {parsed.get_backend_name()} is not supported"
            " (sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise InputError(f"database URL {shown(url)}: an in-memory SQLite database keeps nothing; name a file")
    return url


def display_url(url: str) -> str:
    """What messages show of a catalog: the file of a SQLite catalog, a URL without its password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url.split("@")[-1]  # never print what may be a password
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine whose write transactions are serialised (`writing`). Nothing is connected yet."""
    backend = make_url(url).get_backend_name()
    try:
        if backend == "sqlite":
            engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False})
            _sqlite_transactions(engine, busy_timeout_ms)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise InputError(f"database URL {shown(display_url(url))}: {one_line(str(exc))}") from None
    except ModuleNotFoundError as exc:
        raise InputError(
            f"database URL {shown(display_url(url))}: its driver is not installed ({exc.name}); for PostgreSQL"
            " use postgresql+psycopg://"
        ) from None
    return engine


def _sqlite_transactions(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling is off (isolation_level None) so that SQLAlchemy's
    # "begin" can choose the kind: IMMEDIATE for writers (the write lock taken before the first
    # read), deferred for readers. SQLAlchemy documents this recipe for SQLite.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("vitrina_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Tx]:
    """A write transaction, committed when the block ends, rolled back when it raises."""
    with engine.connect() as conn:
        conn.execution_options(vitrina_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_MS // 1000}s'")
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK_KEY})
            yield Tx(conn)


@contextmanager
def reading(engine: Engine) -> Iterator[Tx]:
    """A read-only view (one snapshot on SQLite in WAL mode; statement snapshots on PostgreSQL)."""
    with engine.connect() as conn, conn.begin():
        yield Tx(conn)


# --- revisions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogState:
    """Where a catalog stands: `revision` None and `legacy` False for an empty database;
    `legacy` for one written before Alembic (tables, no alembic_version)."""

    revision: str | None
    legacy: bool
    head: str

    @property
    def empty(self) -> bool:
        return self.revision is None and not self.legacy

    @property
    def current(self) -> bool:
        return self.revision == self.head


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@cache  # the migrations folder does not change while Vitrina runs; parsing it costs milliseconds
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def catalog_state(tx: Tx) -> CatalogState:
    from alembic.runtime.migration import MigrationContext

    tables = set(inspect(tx.conn).get_table_names())
    revision = MigrationContext.configure(tx.conn).get_current_revision() if "alembic_version" in tables else None
    return CatalogState(revision, legacy=revision is None and "variants" in tables, head=head_revision())


def _upgrade_to_head(tx: Tx, state: CatalogState) -> None:
    from alembic import command

    config = _alembic_config(tx.conn)
    if state.legacy:
        if tx.dialect != "sqlite":
            raise InputError("a catalog without an Alembic revision on PostgreSQL was not made by Vitrina; refused")
        from pipeline.storage.schema import migrate_legacy

        migrate_legacy(tx)
        command.stamp(config, LEGACY_REVISION)
    command.upgrade(config, "head")


def _cannot_use(url: str, exc: DBAPIError) -> InputError:
    return InputError(f"{display_url(url)}: cannot use this catalog: {one_line(str(exc.orig))}")


def open_catalog(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """The catalog's engine, ready: an empty database is created at the newest revision. InputError
    (one line) for a catalog at another revision (run `vitrina db upgrade`), a file that is not a
    SQLite database, a damaged one, or a server that cannot be reached."""
    engine = make_engine(url, busy_timeout_ms)
    try:
        with writing(engine) as tx:
            state = catalog_state(tx)
            if state.empty:
                _upgrade_to_head(tx, state)
    except DBAPIError as exc:
        engine.dispose()
        raise _cannot_use(url, exc) from None
    if not state.empty and not state.current:
        engine.dispose()
        where = display_url(url)
        if state.legacy or (state.revision or "") < state.head:
            made = "before revisions" if state.legacy else f"at revision {state.revision}"
            raise InputError(
                f"{where}: this catalog was made by an older Vitrina ({made}; this one needs {state.head}):"
                " run `vitrina db upgrade` to migrate it in place"
            )
        raise InputError(
            f"{where}: this catalog is at revision {state.revision}, newer than this Vitrina knows ({state.head});"
            " upgrade Vitrina"
        )
    return engine


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_catalog` did: from a revision (None: written before revisions, or empty) to
    `to`, and where the SQLite catalog was backed up first (None when nothing needed doing)."""

    catalog: str
    before: str | None
    legacy: bool
    to: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.to


def upgrade_catalog(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Upgrade:
    """Migrate the catalog at `url` to the newest revision, in place, in one transaction (a failure
    leaves it as it was). A SQLite catalog is first copied next to itself
    (``catalog.sqlite.<revision>-<time>.bak``, SQLite's online backup). InputError as `open_catalog`."""
    engine = make_engine(url, busy_timeout_ms)
    try:
        with writing(engine) as tx:
            state = catalog_state(tx)
        if state.revision is not None and state.revision > state.head:
            raise InputError(
                f"{display_url(url)}: this catalog is at revision {state.revision}, newer than this Vitrina"
                f" knows ({state.head}); upgrade Vitrina"
            )
        backup = None
        if not state.current and not state.empty and make_url(url).get_backend_name() == "sqlite":
            backup = _backup_sqlite(Path(str(make_url(url).database)), state.revision or "legacy")
        if not state.current:
            with writing(engine) as tx:
                _upgrade_to_head(tx, catalog_state(tx))
    except DBAPIError as exc:
        raise _cannot_use(url, exc) from None
    finally:
        engine.dispose()
    return Upgrade(display_url(url), state.revision, state.legacy, state.head, backup)


def _backup_sqlite(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{revision}-{stamp}.bak")
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # consistent even with a WAL and other readers
    source.close()
    copy.close()
    return target

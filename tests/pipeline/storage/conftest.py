"""The store's tests run on both catalogs: ``catalog`` is the ``db_url`` a test hands to `Store`
(None: ``catalog.sqlite`` in the output folder; else a fresh PostgreSQL database, skipped with the
server fixture's reason where PostgreSQL is not installed). ``tamper`` changes a catalog behind
the store's back, the way someone with direct access to the database would."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest) -> str | None:
    """The ``db_url`` for `Store`: None (SQLite in the output folder) or a PostgreSQL URL."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_url")


def refused(catalog: str | None) -> type[Exception]:
    """What the driver raises when a statement from ``tamper`` hits an audit trigger."""
    if catalog is None:
        return sqlite3.DatabaseError
    from sqlalchemy.exc import DBAPIError

    return DBAPIError


def drop_trigger(catalog: str | None, name: str) -> str:
    """The SQL that drops one of the audit log's triggers on this backend."""
    return f"DROP TRIGGER {name}" if catalog is None else f"DROP TRIGGER {name} ON audit"


def tamper(root: Path, catalog: str | None, *statements: str, **params: Any) -> None:
    """Run ``statements`` (``:named`` parameters) in one transaction on a connection of our own,
    not the store's: raw sqlite3 on ``root/catalog.sqlite``, or SQLAlchemy on the PostgreSQL URL."""
    if catalog is None:
        with closing(sqlite3.connect(root / "catalog.sqlite")) as db:
            for sql in statements:
                db.execute(sql, params)
            db.commit()
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(catalog)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()

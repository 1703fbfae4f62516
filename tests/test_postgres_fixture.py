"""The throwaway PostgreSQL server works: SQLAlchemy reaches it through ``postgres_url``, and each
test's database is its own."""

from __future__ import annotations

from sqlalchemy import create_engine, make_url, text

from tests.postgres import PostgresServer


def test_round_trip_through_sqlalchemy(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+psycopg://postgres@/vitrina_")
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE assets (id serial PRIMARY KEY, name text NOT NULL)"))
            conn.execute(text("INSERT INTO assets (name) VALUES (:name)"), [{"name": "café"}, {"name": "日本"}])
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name FROM assets ORDER BY id")).scalars().all()
            encoding = conn.execute(text("SHOW server_encoding")).scalar_one()
    finally:
        engine.dispose()
    assert rows == ["café", "日本"]
    assert encoding == "UTF8"


def test_databases_are_independent(postgres_server: PostgresServer, postgres_url: str) -> None:
    with postgres_server.database() as other_url:
        assert make_url(other_url).database != make_url(postgres_url).database
        first, second = create_engine(postgres_url), create_engine(other_url)
        try:
            with first.begin() as conn:
                conn.execute(text("CREATE TABLE marker (v int)"))
            with second.connect() as conn:
                tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
        finally:
            first.dispose()
            second.dispose()
    assert tables == []
    # leaving the block dropped the other database; this test's own is still there
    with postgres_server.admin() as admin:
        names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
    assert make_url(other_url).database not in names
    assert make_url(postgres_url).database in names

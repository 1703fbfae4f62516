"""`vitrina db upgrade` and `--db URL`: the catalog on PostgreSQL, the files in the output folder,
every command a reviewer uses working on it; a PostgreSQL catalog from an older or newer Vitrina
refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.helpers import store_demo_variant
from tests.vitrina.cli.conftest import Vitrina


def test_review_publish_history_and_audit_with_the_catalog_on_postgresql(
    vitrina: Vitrina, postgres_url: str, tmp_path: Path
):
    out = tmp_path / "out"
    created = vitrina("db", "upgrade", "--out", out, "--db", postgres_url)
    assert created.exit_code == 0 and "created at revision" in created.stdout, created.output
    stored = store_demo_variant(out, db_url=postgres_url)
    assert not (out / "catalog.sqlite").exists()  # the folder holds only files

    env = {"VITRINA_DATABASE_URL": postgres_url}
    listed = vitrina("review", "list", "--out", out, "--json", env=env)
    assert [v["id"] for v in json.loads(listed.stdout)] == [stored.variant_id]
    approved = vitrina("review", "approve", stored.variant_id, "--by", "dana", "--out", out, env=env)
    assert approved.exit_code == 0, approved.output
    dam = tmp_path / "dam"
    published = vitrina("publish", "--dam", f"file://{dam}", "--out", out, env=env)
    assert published.exit_code == 0 and "1 uploaded" in published.stdout, published.output
    rejected = vitrina(
        "review", "reject", stored.variant_id, "--by", "sam", "--reason", "off-brand", "--out", out, env=env
    )
    assert rejected.exit_code == 0
    again = vitrina("publish", "--dam", f"file://{dam}", "--out", out, env=env)
    assert "1 retracted" in again.stdout, again.output
    assert not list(dam.rglob("*.png")) and list(dam.rglob("*.tombstone.json"))
    history = vitrina("history", stored.variant_id, "--out", out, "--json", env=env)
    assert [v["state"] for v in json.loads(history.stdout)["versions"]] == ["retracted"]
    intact = vitrina("audit", "verify", "--out", out, env=env)
    assert intact.exit_code == 0 and "audit log intact" in intact.stdout

    engine = create_engine(postgres_url)
    with engine.begin() as conn:  # someone with the database role bypasses the trigger
        conn.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit SET actor='boss' WHERE seq=3"))
    engine.dispose()
    broken = vitrina("audit", "verify", "--out", out, env=env)
    assert broken.exit_code == 1 and "audit entry seq 3: its content does not match its hash" in broken.stderr


def test_a_postgresql_catalog_at_an_unknown_revision_is_one_line(vitrina: Vitrina, postgres_url: str, tmp_path: Path):
    assert vitrina("db", "upgrade", "--out", tmp_path, "--db", postgres_url).exit_code == 0
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999'"))
    engine.dispose()
    for args in (("review", "list"), ("db", "upgrade")):
        result = vitrina(*args, "--out", tmp_path, "--db", postgres_url)
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and "newer than this Vitrina knows" in result.stderr


def test_db_upgrade_without_a_catalog_says_so(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("db", "upgrade", "--out", tmp_path / "nowhere")
    assert result.exit_code == 2 and "(no catalog.sqlite); nothing to upgrade" in result.stderr


def test_a_bad_database_url_is_one_line_without_the_password(vitrina: Vitrina, tmp_path: Path):
    url = "postgresql+psycopg://vitrina:hunter2@/vitrina?host=/nonexistent-socket-dir"
    result = vitrina("review", "list", "--out", tmp_path, "--db", url)
    assert result.exit_code == 2 and "cannot use this catalog" in result.stderr
    assert "hunter2" not in result.output and result.stderr.count("\n") == 1

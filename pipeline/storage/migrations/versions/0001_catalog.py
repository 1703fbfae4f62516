"""The catalog as of commit a00c857: runs, variants with versions and lifecycle states, slots,
the hash-chained append-only audit log, publications with retractions, skipped SKUs, prepared
photos. A catalog written before Alembic is brought here by `pipeline.storage.schema` and stamped.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be changed'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be deleted'); END",
]
_POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: its entries cannot be %',
        CASE TG_OP WHEN 'UPDATE' THEN 'changed' WHEN 'DELETE' THEN 'deleted' ELSE 'truncated' END;
END $$""",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]


def _text(name: str, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.Text, primary_key=True),
        _text("campaign_id", False),
        _text("brief", False),
        _text("backend", False),
        _text("started_at", False),
        _text("finished_at"),
        _text("summary"),
        sa.Column("pid", sa.Integer),
        _text("host"),
        _text("proc_start"),
    )
    op.create_table(
        "variants",
        sa.Column("variant_id", sa.Text, primary_key=True),
        *(_text(c, False) for c in ("campaign_id", "run_id", "sku", "scene", "format", "locale", "blob_sha")),
        _text("verdict", False),
        _text("reasons", False),
        _text("checks", False),
        _text("lineage", False),
        sa.Column("review", sa.Text, nullable=False, server_default="pending"),
        _text("created_at", False),
        _text("report_hash"),
        _text("input_key"),
        _text("approved_sha"),
        _text("approved_report"),
        sa.Column("version", sa.Integer),
        _text("state"),
    )
    op.create_index("variants_run", "variants", ["run_id"])
    op.create_index("variants_input", "variants", ["input_key"])
    op.create_index(
        "variants_slot_version", "variants", ["campaign_id", "sku", "scene", "format", "locale", "version"], unique=True
    )
    op.create_table(
        "run_variants",
        _text("run_id", False),
        _text("variant_id", False),
        sa.Column("reused", sa.Integer, nullable=False, server_default="0"),
        _text("at", False),
        sa.PrimaryKeyConstraint("run_id", "variant_id"),
    )
    op.create_index("run_variants_variant", "run_variants", ["variant_id"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        _text("at", False),
        _text("variant_id", False),
        _text("action", False),
        _text("actor", False),
        _text("reason"),
        _text("details"),
        _text("prev_hash"),
        _text("hash"),
    )
    op.create_table(
        "publications",
        _text("variant_id", False),
        _text("dam", False),
        _text("key", False),
        _text("location", False),
        _text("sha256", False),
        _text("at", False),
        _text("retracted_at"),
        _text("tombstone"),
        sa.PrimaryKeyConstraint("variant_id", "dam"),
    )
    op.create_index("publications_dam", "publications", ["dam"])
    op.create_table("skipped", *(_text(c, False) for c in ("run_id", "sku", "subject", "reason")))
    op.create_table(
        "slots",
        *(_text(c, False) for c in ("campaign_id", "sku", "scene", "format", "locale")),
        _text("current_variant", False),
        sa.Column("pinned", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("campaign_id", "sku", "scene", "format", "locale"),
    )
    op.create_table(
        "prepared",
        sa.Column("source_key", sa.Text, primary_key=True),
        _text("cutout_sha", False),
        _text("rejected", False),
        _text("at", False),
    )
    dialect = op.get_bind().dialect.name
    for sql in _POSTGRESQL_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    raise NotImplementedError("the first revision is not undone: delete the database instead")

"""Primary keys NOT NULL on SQLite catalogs written before Alembic.

SQLite, unlike PostgreSQL, lets NULL into a primary key column not declared NOT NULL, and the
tables Vitrina created before revisions did not declare it (runs.run_id, variants.variant_id,
prepared.source_key, audit.seq). SQLite cannot alter a column: Alembic's batch mode copies each
such table into a new one and renames it; the audit log's triggers go with the old table and are
made again. Catalogs made at revision 0001 and PostgreSQL catalogs already have NOT NULL: nothing
changes there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEYS = {"runs": "run_id", "variants": "variant_id", "prepared": "source_key", "audit": "seq"}
_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be changed'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'the audit log is append-only: its entries cannot be deleted'); END",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = sa.inspect(bind)
    for table, key in _KEYS.items():
        column = next(c for c in inspector.get_columns(table) if c["name"] == key)
        if not column["nullable"]:
            continue
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.alter_column(key, existing_type=column["type"], nullable=False)
    for sql in _TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    pass  # NOT NULL on a primary key is what it should always have been

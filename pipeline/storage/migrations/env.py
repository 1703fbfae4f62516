"""Alembic's entry point: migrations run on the connection `pipeline.storage.database` passes in
(``config.attributes["connection"]``), inside its transaction. No logging set-up, no environment."""

from alembic import context

from pipeline.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: Alembic copies the table instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

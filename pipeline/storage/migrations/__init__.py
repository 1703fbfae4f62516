"""Alembic migrations of the catalog (`pipeline.storage.database` runs them). A new revision:
change `pipeline.storage.tables`, add the next numbered file in versions/ (``revision`` and
``down_revision`` set, operations that work on SQLite and PostgreSQL), and the schema test
(tests/pipeline/storage/test_database.py) checks that the migrated schema matches the tables."""

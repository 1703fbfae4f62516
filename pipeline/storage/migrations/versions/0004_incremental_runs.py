"""Incremental runs: what a re-run needs to skip work it has already done.

- `slots.retired_at`, `slots.retired_reason`: a slot whose SKU or market left the catalog (or went
  out of stock where the brand retires those) is retired by the run that notices; it is never
  published again and a published copy is retracted by the next publish. A later run that plans
  the slot again reinstates it.
- `prepared.product`: the prepared product's metadata (JSON), so a re-composed variant needs no
  new segmentation.
- `scenes`: rendered scenes by the hash of what decides them (request and backend), their images
  kept as blobs, so a banner whose text changed is composed again over the same scene.
- `ocr_readings`: Tesseract readings by the hash of the image it read and how it read it.
- `file_digests`: SHA-256 of input files by path, size, mtime and inode, so an unchanged catalog
  of thousands of photos is not read again to learn that it is unchanged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _text(name: str, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def upgrade() -> None:
    op.add_column("slots", _text("retired_at"))
    op.add_column("slots", _text("retired_reason"))
    op.add_column("prepared", _text("product"))
    op.create_table(
        "scenes",
        sa.Column("scene_key", sa.Text, primary_key=True),
        _text("image_sha", False),
        _text("layer_sha", False),
        _text("placement", False),
        _text("lineage", False),
        _text("at", False),
    )
    op.create_table(
        "ocr_readings",
        sa.Column("key", sa.Text, primary_key=True),
        _text("reading", False),
        _text("at", False),
    )
    op.create_table(
        "file_digests",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("inode", sa.BigInteger, nullable=False),
        _text("sha256", False),
    )


def downgrade() -> None:
    raise NotImplementedError("Vitrina migrates forward only; restore the backup `vitrina db upgrade` made")

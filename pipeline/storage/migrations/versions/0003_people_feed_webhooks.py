"""The review app, the DAM feed and webhooks: users, feed tokens, webhooks with a durable outbox
of deliveries, waivers, comments; `variants.updated_at` (the feed's order) and
`variants.released_at` (first approved: from then on the feed lists it); `runs.waivable` (the
checks the brand guide let reviewers waive for that run).

Existing variants get updated_at from their newest audit entry (else created_at) and
released_at from their first approval, so a DAM that starts polling sees the history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _text(name: str, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _stamp(at: str) -> str:
    """An audit time (seconds) in the feed's format (microseconds), so both sort together."""
    return datetime.fromisoformat(at).isoformat(timespec="microseconds")


def upgrade() -> None:
    op.add_column("runs", _text("waivable"))
    op.add_column("variants", _text("updated_at"))
    op.add_column("variants", _text("released_at"))
    op.create_index("variants_feed", "variants", ["updated_at", "variant_id"])
    bind = op.get_bind()
    newest: dict[str, str] = {
        r[0]: r[1] for r in bind.execute(sa.text("SELECT variant_id, MAX(at) FROM audit GROUP BY variant_id"))
    }
    first_approved = (
        "SELECT variant_id, MIN(at) FROM audit WHERE action IN ('approved', 'published') GROUP BY variant_id"
    )
    released: dict[str, str] = {r[0]: r[1] for r in bind.execute(sa.text(first_approved))}
    for vid, created in bind.execute(sa.text("SELECT variant_id, created_at FROM variants")).all():
        bind.execute(
            sa.text("UPDATE variants SET updated_at=:updated, released_at=:released WHERE variant_id=:vid"),
            {
                "updated": _stamp(newest.get(vid) or created),
                "released": _stamp(released[vid]) if vid in released else None,
                "vid": vid,
            },
        )

    op.create_table(
        "users",
        sa.Column("name", sa.Text, primary_key=True),
        _text("role", False),
        _text("password_hash", False),
        _text("created_at", False),
        _text("created_by", False),
        sa.Column("disabled", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.Text, primary_key=True),
        _text("scope", False),
        _text("token_hash", False),
        _text("created_at", False),
        _text("created_by", False),
        _text("last_used_at"),
        _text("revoked_at"),
    )
    op.create_index("api_tokens_hash", "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", sa.Text, primary_key=True),
        _text("url", False),
        _text("events", False),
        _text("secret", False),
        sa.Column("allow_private", sa.Integer, nullable=False, server_default="0"),
        _text("created_at", False),
        _text("created_by", False),
        _text("removed_at"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.Text, primary_key=True),
        _text("webhook_id", False),
        _text("event", False),
        _text("payload", False),
        _text("created_at", False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _text("next_attempt_at"),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("last_status", sa.Integer),
        _text("last_error"),
        _text("delivered_at"),
    )
    op.create_index("webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])
    op.create_index("webhook_deliveries_webhook", "webhook_deliveries", ["webhook_id", "created_at"])
    op.create_table(
        "waivers",
        _text("variant_id", False),
        _text("check_id", False),
        _text("by", False),
        _text("justification", False),
        _text("at", False),
        _text("report_hash", False),
        sa.PrimaryKeyConstraint("variant_id", "check_id"),
    )
    op.create_table(
        "comments",
        sa.Column("comment_id", sa.Integer, primary_key=True, autoincrement=True),
        _text("variant_id", False),
        _text("by", False),
        _text("text", False),
        _text("at", False),
    )
    op.create_index("comments_variant", "comments", ["variant_id"])


def downgrade() -> None:
    raise NotImplementedError("Vitrina migrates forward only; restore the backup `vitrina db upgrade` made")

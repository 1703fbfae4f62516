"""The catalog's tables, as SQLAlchemy Core metadata: what the newest Alembic revision builds
(tests compare the two). The store's SQL (`pipeline.storage.store`, `lifecycle`) uses these
names. Text columns hold JSON where a column says so; times are ISO 8601 text in UTC."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, PrimaryKeyConstraint, Table, Text

__all__ = ["metadata"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _text(name: str, nullable: bool = True) -> Column[str]:
    return Column(name, Text, nullable=nullable)


runs = Table(
    "runs",
    metadata,
    Column("run_id", Text, primary_key=True),
    _text("campaign_id", False),
    _text("brief", False),
    _text("backend", False),
    _text("started_at", False),
    _text("finished_at"),
    _text("summary"),  # JSON
    Column("pid", Integer),
    _text("host"),
    _text("proc_start"),
    _text("waivable"),  # JSON list: the check ids the brand guide lets a reviewer waive (0003)
)

variants = Table(
    "variants",
    metadata,
    Column("variant_id", Text, primary_key=True),
    *(_text(c, False) for c in ("campaign_id", "run_id", "sku", "scene", "format", "locale", "blob_sha")),
    _text("verdict", False),
    _text("reasons", False),  # JSON list
    _text("checks", False),  # JSON list
    _text("lineage", False),  # JSON
    Column("review", Text, nullable=False, server_default="pending"),
    _text("created_at", False),
    _text("report_hash"),
    _text("input_key"),
    _text("approved_sha"),
    _text("approved_report"),
    Column("version", Integer),
    _text("state"),
    # 0003: every change of the variant (state, waiver, publication) moves updated_at (microseconds);
    # released_at is when it was first approved: from then on the DAM feed lists it
    _text("updated_at"),
    _text("released_at"),
    Index("variants_run", "run_id"),
    Index("variants_feed", "updated_at", "variant_id"),
    Index("variants_input", "input_key"),
    Index("variants_slot_version", "campaign_id", "sku", "scene", "format", "locale", "version", unique=True),
)

run_variants = Table(
    "run_variants",
    metadata,
    _text("run_id", False),
    _text("variant_id", False),
    Column("reused", Integer, nullable=False, server_default="0"),
    _text("at", False),
    PrimaryKeyConstraint("run_id", "variant_id"),
    Index("run_variants_variant", "variant_id"),
)

audit = Table(
    "audit",
    metadata,
    # numbered by the store (`append_entry`), under the write lock: no sequence
    Column("seq", Integer, primary_key=True, autoincrement=False),
    _text("at", False),
    _text("variant_id", False),
    _text("action", False),
    _text("actor", False),
    _text("reason"),
    _text("details"),  # JSON
    _text("prev_hash"),
    _text("hash"),
)

publications = Table(
    "publications",
    metadata,
    _text("variant_id", False),
    _text("dam", False),
    _text("key", False),
    _text("location", False),
    _text("sha256", False),
    _text("at", False),
    _text("retracted_at"),
    _text("tombstone"),
    PrimaryKeyConstraint("variant_id", "dam"),
    Index("publications_dam", "dam"),
)

skipped = Table(
    "skipped",
    metadata,
    _text("run_id", False),
    _text("sku", False),
    _text("subject", False),
    _text("reason", False),
)

slots = Table(
    "slots",
    metadata,
    *(_text(c, False) for c in ("campaign_id", "sku", "scene", "format", "locale")),
    _text("current_variant", False),
    Column("pinned", Integer, nullable=False, server_default="0"),
    _text("retired_at"),  # 0004: its SKU or market left the catalog; null while it is planned
    _text("retired_reason"),
    PrimaryKeyConstraint("campaign_id", "sku", "scene", "format", "locale"),
)

prepared = Table(
    "prepared",
    metadata,
    Column("source_key", Text, primary_key=True),
    _text("cutout_sha", False),
    _text("rejected", False),  # JSON list
    _text("at", False),
    _text("product"),  # 0004: JSON, the PreparedProduct's metadata (a re-compose needs no segmentation)
)


# --- 0003: people, feed tokens, webhooks and their outbox, waivers, comments --------------------------

users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),
    _text("role", False),
    _text("password_hash", False),  # argon2 (the web layer hashes; the store never sees a password)
    _text("created_at", False),
    _text("created_by", False),
    Column("disabled", Integer, nullable=False, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("name", Text, primary_key=True),
    _text("scope", False),
    _text("token_hash", False),  # SHA-256 of the token: the token itself is shown once, never stored
    _text("created_at", False),
    _text("created_by", False),
    _text("last_used_at"),
    _text("revoked_at"),
    Index("api_tokens_hash", "token_hash", unique=True),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    _text("url", False),
    _text("events", False),  # JSON list
    _text("secret", False),  # whsec_...: kept, since every delivery is signed with it
    # 1: the receiver may be on a loopback or private address; else the sender connects only to public ones
    Column("allow_private", Integer, nullable=False, server_default="0"),
    _text("created_at", False),
    _text("created_by", False),
    _text("removed_at"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", Text, primary_key=True),  # msg_...: the webhook-id header, stable across retries
    _text("webhook_id", False),
    _text("event", False),
    _text("payload", False),  # JSON, exactly the body sent
    _text("created_at", False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    _text("next_attempt_at"),
    Column("status", Text, nullable=False, server_default="pending"),  # pending | delivered | failed
    Column("last_status", Integer),
    _text("last_error"),
    _text("delivered_at"),
    Index("webhook_deliveries_due", "status", "next_attempt_at"),
    Index("webhook_deliveries_webhook", "webhook_id", "created_at"),
)

waivers = Table(
    "waivers",
    metadata,
    _text("variant_id", False),
    _text("check_id", False),
    _text("by", False),
    _text("justification", False),
    _text("at", False),
    _text("report_hash", False),  # a waiver holds for the check report it was given on, no other
    PrimaryKeyConstraint("variant_id", "check_id"),
)

comments = Table(
    "comments",
    metadata,
    Column("comment_id", Integer, primary_key=True, autoincrement=True),
    _text("variant_id", False),
    _text("by", False),
    _text("text", False),
    _text("at", False),
    Index("comments_variant", "variant_id"),
)


# --- 0004: incremental runs ---------------------------------------------------------------------------

scenes = Table(
    "scenes",
    metadata,
    Column("scene_key", Text, primary_key=True),  # hash of the scene request and the backend
    _text("image_sha", False),  # blob: the scene with the product in it (PNG)
    _text("layer_sha", False),  # blob: the product layer as placed (RGBA PNG)
    _text("placement", False),  # JSON
    _text("lineage", False),  # JSON: the backend's generation lineage
    _text("at", False),
)

ocr_readings = Table(
    "ocr_readings",
    metadata,
    Column("key", Text, primary_key=True),  # hash of the image Tesseract read, its language and options
    _text("reading", False),
    _text("at", False),
)

file_digests = Table(
    "file_digests",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("inode", BigInteger, nullable=False),
    _text("sha256", False),
)

"""The review audit log: hash-chained entries and the text rules for names and reasons.

Each entry stores ``prev_hash`` (the previous entry's ``hash``; `GENESIS_HASH` for the first)
and ``hash`` = SHA-256 of ``prev_hash`` and the entry's canonical content (seq, time, variant,
action, actor, reason, details). Changing, removing or reordering an entry breaks the chain at
that entry or the next one (`verify_chain`). Triggers (`pipeline.storage.schema`) refuse UPDATE
and DELETE, so only someone bypassing them can break it, and then `verify_chain` says where.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pipeline.errors import ReviewError, shown

if TYPE_CHECKING:
    from pipeline.storage.database import Tx

__all__ = ["MAX_REVIEW_TEXT", "GENESIS_HASH", "review_text", "entry_hash", "append_entry", "verify_chain", "now"]

#: Longest reviewer name or reason `Store.decide` accepts.
MAX_REVIEW_TEXT = 200
#: The `prev_hash` of the first audit entry.
GENESIS_HASH = "0" * 64
# Invisible characters that reorder or hide text: refused anywhere in review text.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters allowed inside a name (joiners in some scripts) but not as all of it.
_INVISIBLE = frozenset("\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def stamp() -> str:
    """Now with microseconds: `variants.updated_at`, the DAM feed's order (ties broken by id)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def review_text(value: str | None, what: str) -> str | None:
    """`value` if it is one plain line a reviewer wrote, else ReviewError naming the problem."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReviewError(f"{what}: must be text, got {type(value).__name__}")
    problem = None
    if any(c in _BIDI_CONTROLS for c in value):
        problem = "contains bidirectional control characters"
    elif any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
        problem = "contains control characters or line breaks (one line only)"
    elif len(value) > MAX_REVIEW_TEXT:
        problem = f"longer than {MAX_REVIEW_TEXT} characters ({len(value)})"
    elif not "".join(c for c in value if c not in _INVISIBLE).strip():
        problem = "blank or only invisible characters"
    if problem:
        raise ReviewError(f"{what} {shown(value, 60)}: {problem}")
    return value


def entry_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """An audit entry's hash: SHA-256 of the previous entry's hash and this entry's content."""
    content = json.dumps(
        [row["seq"], row["at"], row["variant_id"], row["action"], row["actor"], row["reason"], row["details"]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def append_entry(db: Tx, vid: str, action: str, actor: str, reason: str | None, details: dict[str, Any] | None) -> None:
    """Append one hash-chained entry (inside the caller's write transaction, which holds the
    write lock: the next seq and the previous hash cannot change under it)."""
    last = db.row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    prev = (last["hash"] or GENESIS_HASH) if last else GENESIS_HASH
    entry = {
        "seq": (last["seq"] + 1) if last else 1,
        "at": now(),
        "variant_id": vid,
        "action": action,
        "actor": actor,
        "reason": reason,
        "details": json.dumps(details, sort_keys=True, ensure_ascii=False) if details is not None else None,
    }
    db.run(
        "INSERT INTO audit(seq, at, variant_id, action, actor, reason, details, prev_hash, hash)"
        " VALUES (:seq, :at, :variant_id, :action, :actor, :reason, :details, :prev_hash, :hash)",
        **entry,
        prev_hash=prev,
        hash=entry_hash(prev, entry),
    )


def verify_chain(entries: Iterable[dict[str, Any]]) -> str | None:
    """None when the chain of `entries` (audit rows in seq order) is intact, else one line
    naming the first broken entry (its seq) and what is wrong with it.

    Not detectable from the log alone: the newest entries cut off the end, or a chain rewritten
    from scratch by someone who bypassed the triggers."""
    prev_hash, prev_seq = GENESIS_HASH, 0
    for entry in entries:
        seq = entry["seq"]
        where = f"audit entry seq {seq}:"
        if entry["hash"] is None or entry["prev_hash"] is None:
            return f"{where} has no hash (written outside Vitrina's store)"
        if entry["prev_hash"] != prev_hash:
            if seq != prev_seq + 1:
                gap = f"seq {prev_seq + 1}" if seq == prev_seq + 2 else f"seq {prev_seq + 1} to {seq - 1}"
                return f"{where} the entry before it ({gap}) is missing: removed from the log"
            return f"{where} its link to entry seq {prev_seq} does not match: removed, reordered or forged entries"
        if entry_hash(prev_hash, entry) != entry["hash"]:
            return f"{where} its content does not match its hash: changed after it was written"
        prev_hash, prev_seq = entry["hash"], seq
    return None

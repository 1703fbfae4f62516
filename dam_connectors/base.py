"""The contract every DAM connector keeps, and the checks they all share.

A connector is deliberately tiny: the publish flow only needs to ask "is this exact asset
already there?" (``exists``), "store it" (``put``) and "take it back" (``retract``). Idempotent
publishing is the caller's job: it calls ``exists(key, sha256)`` first and skips the upload when
it answers True, so a re-run never rewrites assets a DAM has already ingested.

Retraction removes an asset (and whatever the connector keeps with it) and leaves a small
tombstone record in its place, ``<key>.tombstone.json``: a JSON object with the key and the
caller's fields (variant id, sha256, reason, when, by whom), so whoever finds the asset gone can
see why. Retracting twice is harmless (the second call rewrites the same tombstone), and putting
the key again removes its tombstone. Keys ending in ``.tombstone.json`` are reserved.

Every failure a user can act on (unreachable endpoint, wrong credentials, missing bucket,
unwritable directory, bad key) is raised as :class:`DamError` with a one-line message that
names the DAM URI and what failed. Connectors never leak library exceptions (botocore,
OSError) to the caller.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from pipeline.errors import DamError

__all__ = [
    "SHA256_METADATA_KEY",
    "TOMBSTONE_SUFFIX",
    "DamConnector",
    "DamError",
    "prepare_metadata",
    "prepare_tombstone",
    "tombstone_json",
    "refuse_reserved",
    "validate_key",
    "validate_sha256",
]

#: The metadata entry ``exists`` compares; ``put`` always records it.
SHA256_METADATA_KEY = "sha256"
#: Appended to an asset's key to name the record ``retract`` leaves in its place.
TOMBSTONE_SUFFIX = ".tombstone.json"

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# Lower-case HTTP-token-safe names: S3 sends user metadata as x-amz-meta-<name> headers and
# lower-cases the names anyway, so both connectors normalise the same way.
_METADATA_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@runtime_checkable
class DamConnector(Protocol):
    """Where approved assets are published.

    Keys are relative POSIX paths such as ``"campaign/sku/locale/format/vid.jpg"``; each
    connector maps them below its own root (a directory, a bucket prefix).
    """

    @property
    def uri(self) -> str:
        """The DAM this connector writes to, e.g. ``s3://bucket/prefix`` or ``file:///dir``."""
        ...

    def exists(self, key: str, sha256: str) -> bool:
        """True when ``key`` exists and its recorded sha256 equals ``sha256``."""
        ...

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        """Store ``data`` under ``key`` with ``metadata``; return the object's location URI.

        A tombstone left at ``key`` by an earlier ``retract`` is removed."""
        ...

    def retract(self, key: str, tombstone: dict[str, str]) -> str:
        """Remove the asset at ``key`` (and its metadata) and write ``tombstone`` in its place.

        Returns the tombstone's location URI (``<uri>/<key>.tombstone.json``). Idempotent: an
        asset already gone is not an error; its tombstone is written again.
        """
        ...

    def close(self) -> None:
        """Release connections; the connector must not be used afterwards."""
        ...


def validate_key(key: str, *, uri: str | None = None) -> str:
    """Return ``key`` unchanged if it is a safe relative POSIX path, else raise DamError.

    Keys come from campaign data (SKUs, locales), so they are checked before they can become a
    path: no absolute paths, no ``..`` or ``.`` segments (no escaping the DAM root), no
    backslashes (Windows-style separators would mean different things on each backend), no
    empty segments and no control characters.
    """
    where = f"{uri}: " if uri else ""
    if not isinstance(key, str) or not key:
        raise DamError(f"{where}invalid asset key {key!r}: must be a non-empty string", uri=uri)

    def refuse(problem: str) -> DamError:
        return DamError(f"{where}invalid asset key {key!r}: {problem}", uri=uri, key=key)

    if "\\" in key:
        raise refuse("backslashes are not allowed, use '/'")
    if key.startswith("/"):
        raise refuse("must be relative (no leading '/')")
    if _CONTROL_RE.search(key):
        raise refuse("control characters are not allowed")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise refuse("empty, '.' and '..' path segments are not allowed")
    return key


def refuse_reserved(key: str, *, uri: str | None = None) -> str:
    """Return ``key`` unless it names a tombstone (DamError): an asset stored there would be taken
    for the record of another asset's retraction."""
    if key.endswith(TOMBSTONE_SUFFIX):
        where = f"{uri}: " if uri else ""
        raise DamError(
            f"{where}invalid asset key {key!r}: names ending in {TOMBSTONE_SUFFIX!r} are reserved for tombstones",
            uri=uri,
            key=key,
        )
    return key


def validate_sha256(sha256: str, *, uri: str | None = None, key: str | None = None) -> str:
    """Return ``sha256`` if it is a lower-case hex SHA-256 digest, else raise DamError.

    Comparing against a malformed digest would always answer "not published" and silently
    re-upload; refusing it surfaces the caller's bug instead.
    """
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        where = f"{uri}: " if uri else ""
        raise DamError(
            f"{where}invalid sha256 {sha256!r} for {key!r}: expected 64 lower-case hex digits",
            uri=uri,
            key=key,
        )
    return sha256


def prepare_metadata(
    data: bytes, metadata: Mapping[str, str], *, uri: str | None = None, key: str | None = None
) -> dict[str, str]:
    """Validate user metadata and return it with lower-case names and the data's sha256.

    The sha256 is computed from ``data`` so ``exists`` can be trusted. A caller-supplied
    ``sha256`` that disagrees with the bytes is an error, not something to paper over: it would
    make ``exists`` vouch for content that was never uploaded.
    """
    where = f"{uri}: " if uri else ""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DamError(
            f"{where}cannot publish {key!r}: data must be bytes, not {type(data).__name__}",
            uri=uri,
            key=key,
        )
    prepared: dict[str, str] = {}
    for name, value in metadata.items():
        if not isinstance(name, str) or not _METADATA_KEY_RE.match(name.lower()):
            raise DamError(
                f"{where}invalid metadata name {name!r} for {key!r}: use letters, digits, '-', '_' and '.'",
                uri=uri,
                key=key,
            )
        if not isinstance(value, str):
            raise DamError(
                f"{where}metadata {name!r} for {key!r} must be a string, not {type(value).__name__}",
                uri=uri,
                key=key,
            )
        lowered = name.lower()
        if lowered in prepared:
            raise DamError(
                f"{where}metadata names for {key!r} collide when lower-cased: {lowered!r}",
                uri=uri,
                key=key,
            )
        prepared[lowered] = value
    actual = hashlib.sha256(bytes(data)).hexdigest()
    claimed = prepared.get(SHA256_METADATA_KEY)
    if claimed is not None and claimed != actual:
        raise DamError(
            f"{where}metadata sha256 {claimed!r} for {key!r} does not match the data (sha256 {actual})",
            uri=uri,
            key=key,
        )
    prepared[SHA256_METADATA_KEY] = actual
    return prepared


def prepare_tombstone(
    tombstone: Mapping[str, str], *, uri: str | None = None, key: str | None = None
) -> dict[str, str]:
    """Validate a tombstone's fields and return them with ``key`` first: names as for metadata
    (lower-case letters, digits, '.', '_', '-'), values strings. Raises DamError otherwise."""
    where = f"{uri}: " if uri else ""
    if not isinstance(tombstone, Mapping):
        raise DamError(
            f"{where}tombstone for {key!r} must be a mapping, not {type(tombstone).__name__}", uri=uri, key=key
        )
    record: dict[str, str] = {"key": key or ""}
    for name, value in tombstone.items():
        if not isinstance(name, str) or not _METADATA_KEY_RE.match(name) or name == "key":
            raise DamError(
                f"{where}invalid tombstone field {name!r} for {key!r}: use lower-case letters, digits, '-', '_' "
                "and '.' ('key' is set by the connector)",
                uri=uri,
                key=key,
            )
        if not isinstance(value, str):
            raise DamError(
                f"{where}tombstone field {name!r} for {key!r} must be a string, not {type(value).__name__}",
                uri=uri,
                key=key,
            )
        record[name] = value
    return record


def tombstone_json(record: Mapping[str, str]) -> bytes:
    """A tombstone as stored: one JSON object, sorted keys, UTF-8."""
    return (json.dumps(dict(record), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

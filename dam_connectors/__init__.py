"""Where approved assets are published: a small connector Protocol and its implementations.

The publish flow is::

    with connector_for("s3://assets/vitrina", endpoint_url=...) as dam:
        if not dam.exists(key, sha256):
            location = dam.put(key, data, "image/jpeg", {"campaign": "...", "sha256": sha256})

``exists`` makes publishing idempotent: re-running a campaign skips assets the DAM already has
with the same content hash. ``retract(key, tombstone)`` takes an asset back: it is removed and a
small JSON tombstone (``<key>.tombstone.json``: who, when, why) is left in its place; retracting
twice is harmless. Connectors:

- :class:`FileSystemConnector` — ``file://DIR`` or a plain path; atomic writes plus a
  ``<file>.meta.json`` sidecar for metadata; a retraction removes both and writes the tombstone.
- :class:`S3Connector` — ``s3://bucket/prefix`` on AWS or any S3-compatible server; metadata
  as S3 user metadata; a retraction deletes the object and writes the tombstone object; boto3's
  usual credential/region/endpoint resolution; connect/read timeouts and retries from the URI's
  query (``s3://bucket/prefix?read_timeout=30&retries=2``) or its arguments, bounding a hung
  endpoint to under 30 s by default; a server that answers but is not S3 (an HTML page, a JSON
  API) is reported as such.

Errors: every failure a user can act on is a :class:`DamError` whose message is one line naming
the DAM URI and what failed (unreachable endpoint, access denied, missing bucket, bad key,
unwritable directory). No other exception type is raised on purpose.

It depends only on boto3 and the standard library; flows wire it to ``pipeline``.
"""

from __future__ import annotations

from dam_connectors.base import DamConnector, DamError
from dam_connectors.filesystem import FileSystemConnector
from dam_connectors.registry import connector_for
from dam_connectors.s3 import S3Connector

__all__ = [
    "DamConnector",
    "DamError",
    "FileSystemConnector",
    "S3Connector",
    "connector_for",
]

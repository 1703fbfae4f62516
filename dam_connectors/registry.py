"""Pick a connector from a DAM URI, so CLI flags and settings can name a DAM with one string.

Accepted forms:

- ``file://DIR`` — DIR is taken literally after ``file://`` and may be relative
  (``file://out/dam``) or absolute (``file:///srv/dam``); percent-escapes are decoded so the
  URIs :class:`~dam_connectors.filesystem.FileSystemConnector` reports round-trip.
- a plain path without a scheme (``out/dam``, ``/srv/dam``) — also a directory.
- ``s3://bucket`` or ``s3://bucket/prefix`` — options ``endpoint_url``, ``region``,
  ``access_key``, ``secret_key``, ``connect_timeout``, ``read_timeout``, ``retries`` (and
  ``client``) are passed to :class:`~dam_connectors.s3.S3Connector`. The timeouts and retries may
  also be given in the URI's query, so one string configures them wherever a DAM is named:
  ``s3://assets/vitrina?connect_timeout=2&read_timeout=30&retries=2`` (seconds; retries after the
  first try). Giving one both ways, or any other query parameter, is refused.

Anything else that looks like ``scheme:`` is refused rather than taken as a folder name, so a
typo such as ``s3:/bucket`` fails loudly instead of quietly publishing to a local directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from dam_connectors.base import DamConnector, DamError
from dam_connectors.filesystem import FileSystemConnector
from dam_connectors.s3 import S3Connector

__all__ = ["connector_for"]

#: Options the S3 URI's query may set (and how each is read).
_S3_QUERY: dict[str, type[float] | type[int]] = {"connect_timeout": float, "read_timeout": float, "retries": int}
_S3_OPTIONS = frozenset({"endpoint_url", "region", "access_key", "secret_key", "client", *_S3_QUERY})
# Two or more characters so a Windows drive letter ("C:\\dam") is not mistaken for a scheme.
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def connector_for(uri: str, **options: Any) -> DamConnector:
    """Return the connector for ``uri``; options that are None count as not given.

    Raises DamError for an unsupported scheme, a malformed URI, or an option the chosen
    connector does not take.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise DamError(f"empty DAM URI {uri!r}: use file://DIR or s3://bucket/prefix")
    given = {name: value for name, value in options.items() if value is not None}
    match = _SCHEME_RE.match(uri)
    scheme = match.group(1).lower() if match else ""

    if scheme == "s3" and uri[len("s3:") :].startswith("//"):
        _check_options(uri, given, _S3_OPTIONS)
        location, _, query = uri[len("s3://") :].partition("?")
        given.update(_s3_query(uri, query, given))
        bucket, _, prefix = location.partition("/")
        if not bucket:
            raise DamError(f"DAM URI {uri!r} names no bucket: use s3://bucket/prefix", uri=uri)
        return S3Connector(bucket, prefix, **given)

    if scheme == "file" and uri[len("file:") :].startswith("//"):
        _check_options(uri, given, frozenset())
        path = unquote(uri[len("file://") :])
        if not path:
            raise DamError(f"DAM URI {uri!r} names no directory: use file://DIR", uri=uri)
        return FileSystemConnector(Path(path))

    if match:
        raise DamError(f"unsupported DAM URI {uri!r}: use file://DIR or s3://bucket/prefix", uri=uri)

    _check_options(uri, given, frozenset())
    return FileSystemConnector(Path(uri))


def _s3_query(uri: str, query: str, given: dict[str, Any]) -> dict[str, Any]:
    """The S3 options in a DAM URI's query (``?read_timeout=30&retries=2``), read and checked."""
    if not query:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise DamError(f"DAM URI {uri!r}: malformed query {query!r}: use name=value&name=value", uri=uri) from None
    found: dict[str, Any] = {}
    for name, raw in pairs:
        if name not in _S3_QUERY:
            raise DamError(
                f"DAM URI {uri!r}: unknown query parameter {name!r} (it takes {', '.join(_S3_QUERY)})", uri=uri
            )
        if name in found or name in given:
            raise DamError(f"DAM URI {uri!r}: {name} is given twice", uri=uri)
        try:
            found[name] = _S3_QUERY[name](raw)
        except ValueError:
            kind = "seconds" if _S3_QUERY[name] is float else "a whole number"
            raise DamError(f"DAM URI {uri!r}: {name}={raw!r}: must be {kind}", uri=uri) from None
    return found


def _check_options(uri: str, given: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed)) if allowed else "no options"
        raise DamError(
            f"DAM URI {uri!r} does not take option(s) {', '.join(unknown)} (it takes {takes})",
            uri=uri,
        )

"""Shared blob backends: where an output folder's content-addressed files (banners, sidecars,
cut-outs) are shared when a run's work is spread over machines (``vitrina run --blobs URL
--task-runner dask``). They implement ``pipeline.storage.blobs.BlobBackend`` by shape (this
package imports nothing of the pipeline but its errors):

- :class:`S3Blobs` — ``s3://bucket/prefix`` on AWS or any S3-compatible server. The client is
  the DAM connector's (:class:`~dam_connectors.s3.S3Connector`, built by ``connector_for``): the
  same credential, region and endpoint resolution (explicit options, else boto3's own: ``AWS_*``
  variables including ``AWS_ENDPOINT_URL``, config files, instance roles), the same timeouts and
  retries (``?read_timeout=30`` in the URI), the same one-line errors. Objects are plain: no user
  metadata, no tombstones (a blob is never retracted; it is named by its content).
- :class:`FolderBlobs` — ``file:///shared/vitrina``: a folder every machine mounts (NFS, SMB).

``blob_backend_for(uri)`` picks one; None or "" means no shared backend (the output folder is the
only copy). Permissions needed on S3: ``s3:GetObject``, ``s3:PutObject`` and ``s3:ListBucket``
(without it S3 answers 403 instead of 404 for a blob that is not there yet).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from dam_connectors.base import DamError
from dam_connectors.filesystem import FileSystemConnector, _atomic_write
from dam_connectors.registry import connector_for
from dam_connectors.s3 import S3Connector, _error_code, _status

__all__ = ["FolderBlobs", "S3Blobs", "blob_backend_for"]

_USE = "use s3://bucket/prefix or file:///shared/folder"


class S3Blobs:
    """Blobs as objects ``<prefix>/<name>`` of an S3 bucket, through an :class:`S3Connector`'s client.

    The bucket must exist (created by whoever runs the cluster); a missing one is a DamError that
    names it at the first access."""

    def __init__(self, connector: S3Connector) -> None:
        self._dam = connector

    @classmethod
    def from_uri(cls, uri: str, **options: Any) -> S3Blobs:
        """``s3://bucket/prefix[?read_timeout=..]``; options as for ``connector_for`` (endpoint_url,
        region, access_key, secret_key, timeouts, client)."""
        connector = connector_for(uri, **options)
        assert isinstance(connector, S3Connector), uri
        return cls(connector)

    def __repr__(self) -> str:
        return f"S3Blobs({self.uri!r}, endpoint_url={self._dam.endpoint_url!r})"

    @property
    def uri(self) -> str:
        return self._dam.uri

    @property
    def endpoint_url(self) -> str:
        return self._dam.endpoint_url

    def object_key(self, name: str) -> str:
        """The object key of blob `name` (validated as a DAM key is: relative, no '..', no '\\')."""
        return self._dam.object_key(name)

    def put(self, name: str, data: bytes) -> None:
        key = self.object_key(name)
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        client = self._dam._client
        try:
            client.put_object(Bucket=self._dam.bucket, Key=key, Body=bytes(data), ContentType=kind)
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket" or _status(exc) in (403, 404):
                self._dam._require_bucket(name)  # SeaweedFS without auth answers 403 for a missing bucket
            raise self._dam._error(exc, f"cannot upload blob {name!r}", name) from None
        except BotoCoreError as exc:
            raise self._dam._error(exc, f"cannot upload blob {name!r}", name) from None

    def get(self, name: str) -> bytes | None:
        key = self.object_key(name)
        client = self._dam._client
        try:
            response = client.get_object(Bucket=self._dam.bucket, Key=key)
            return bytes(response["Body"].read())
        except ClientError as exc:
            if _status(exc) == 404 and _error_code(exc) != "NoSuchBucket":
                return None
            raise self._dam._error(exc, f"cannot read blob {name!r}", name) from None
        except BotoCoreError as exc:
            raise self._dam._error(exc, f"cannot read blob {name!r}", name) from None

    def exists(self, name: str) -> bool:
        # A HEAD answers 404 for a missing bucket too: `_head` then checks the bucket (once).
        return self._dam._head(name, self.object_key(name)) is not None

    def close(self) -> None:
        self._dam.close()


class FolderBlobs:
    """Blobs as files ``<root>/<name>`` of a folder every machine mounts; writes are atomic."""

    def __init__(self, root: Path | str) -> None:
        self._folder = FileSystemConnector(root)  # its key checks: no '..', no links leading out

    def __repr__(self) -> str:
        return f"FolderBlobs({str(self._folder.root)!r})"

    @property
    def uri(self) -> str:
        return self._folder.uri

    def put(self, name: str, data: bytes) -> None:
        path = self._folder.path_for(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, bytes(data))
        except OSError as exc:
            raise self._folder._os_error(exc, f"cannot write blob {name!r}", name) from None

    def get(self, name: str) -> bytes | None:
        path = self._folder.path_for(name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._folder._os_error(exc, f"cannot read blob {name!r}", name) from None

    def exists(self, name: str) -> bool:
        return self._folder.path_for(name).is_file()

    def close(self) -> None:
        """Nothing to release; here so every backend can be closed alike."""


def blob_backend_for(uri: str | None, **options: Any) -> S3Blobs | FolderBlobs | None:
    """The shared blob backend `uri` names: None for None or "" (no shared backend),
    :class:`S3Blobs` for ``s3://bucket/prefix`` (`options` as for ``connector_for``),
    :class:`FolderBlobs` for ``file://DIR``. Anything else is a one-line DamError naming it."""
    if uri is None or not uri.strip():
        return None
    if uri.startswith("s3://"):
        if not uri[len("s3://") :].partition("?")[0].partition("/")[0]:
            raise DamError(f"blob store {uri!r} names no bucket: {_USE}", uri=uri)
        return S3Blobs.from_uri(uri, **options)
    if uri.startswith("file://"):
        if options:
            raise DamError(f"blob store {uri!r} takes no options (got {', '.join(sorted(options))})", uri=uri)
        path = unquote(uri[len("file://") :])
        if not path:
            raise DamError(f"blob store {uri!r} names no folder: {_USE}", uri=uri)
        return FolderBlobs(path)
    raise DamError(f"unsupported blob store {uri!r}: {_USE}", uri=uri)

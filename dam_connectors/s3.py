"""Publish to an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, ...): ``s3://bucket/prefix``.

Asset metadata travels as S3 user metadata (``x-amz-meta-<name>`` headers), so a DAM reading the
bucket sees campaign, SKU, locale, lineage hash, etc. without a side database. Header values
must be ASCII: values are percent-encoded where needed (non-ASCII, control characters, ``%``
itself and leading/trailing spaces, which HTTP would strip) and decoded again when this module
reads them. Plain ASCII values are stored as they are, so they stay readable in any S3 browser.

Configuration follows boto3 so deployments configure Vitrina like any other AWS tool: explicit
arguments win, otherwise boto3 resolves credentials, region and endpoint itself (``AWS_*``
environment variables including ``AWS_ENDPOINT_URL``, shared config/credentials files,
instance roles). This module never reads the environment directly.

Permissions needed: ``s3:PutObject``, ``s3:GetObject`` and ``s3:ListBucket`` on the bucket
(without ListBucket, S3 answers 403 instead of 404 for a key that is not there yet), and
``s3:DeleteObject`` to retract: ``retract`` deletes the object and writes a JSON tombstone object
``<key>.tombstone.json`` (the caller's record of why); putting the key again deletes the tombstone.

Timeouts and retries (``connect_timeout``, ``read_timeout``, ``retries``; also in a DAM URI's
query, ``s3://bucket/prefix?read_timeout=30``) bound how long a dead endpoint can hold a publish:
with the defaults one call gives up after at most (3 s + 10 s) x 2 tries + 1 s of back-off = 27 s.
A server that answers but is not S3 (a web server's HTML page, a JSON API) is reported as such,
at once and without retries, instead of being taken for an empty bucket.
"""

from __future__ import annotations

import json
import re
from typing import Any, SupportsFloat
from urllib.parse import quote, unquote

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
    SSLError,
)

from dam_connectors.base import (
    SHA256_METADATA_KEY,
    TOMBSTONE_SUFFIX,
    DamError,
    prepare_metadata,
    prepare_tombstone,
    refuse_reserved,
    tombstone_json,
    validate_key,
    validate_sha256,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRIES",
    "S3Connector",
    "decode_metadata_value",
    "encode_metadata_value",
]

#: Seconds to open a TCP (and TLS) connection to the endpoint, per try.
DEFAULT_CONNECT_TIMEOUT = 3.0
#: Seconds to wait for the endpoint's next bytes, per try. An S3 PUT of a banner is answered in
#: well under a second once sent; ten seconds of silence means a hung server.
DEFAULT_READ_TIMEOUT = 10.0
#: Tries after the first failed one (boto3 "standard" retries: timeouts, 5xx, throttling).
DEFAULT_RETRIES = 1
#: The longest timeout and the most retries a configuration may ask for.
MAX_TIMEOUT = 600.0
MAX_RETRIES = 10

#: S3 refuses requests whose user metadata (names + values, as sent) exceed 2 KiB.
MAX_METADATA_BYTES = 2048

# Printable ASCII except '%' (the escape character itself) is left alone; quote() always keeps
# letters, digits and "_.-~". Interior spaces stay readable; edge spaces are handled separately.
_SAFE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")
_BUCKET_RE = re.compile(r"^[A-Za-z0-9._-]{1,255}$")  # botocore's own check; the server decides
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\"()\]]+)")
_ACCESS_DENIED_CODES = {
    "AccessDenied",
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "403",
}
_PATH_STYLE = Config(s3={"addressing_style": "path"})
# Headers every S3 implementation we know sends with each answer (AWS, MinIO, SeaweedFS, Ceph,
# Backblaze); only used together with a body S3 never sends (see `_not_s3`).
_S3_HEADERS = ("x-amz-request-id", "x-amz-id-2")
_TITLE_RE = re.compile(rb"<title[^>]*>([^<]{1,200})", re.IGNORECASE)


def encode_metadata_value(value: str) -> str:
    """Make ``value`` a safe ASCII header value that :func:`decode_metadata_value` reverses."""
    encoded = quote(value, safe=_SAFE_CHARS, encoding="utf-8", errors="strict")
    core = encoded.strip(" ")
    if not core:
        return "%20" * len(encoded)
    lead = len(encoded) - len(encoded.lstrip(" "))
    trail = len(encoded) - len(encoded.rstrip(" "))
    return "%20" * lead + core + "%20" * trail


def decode_metadata_value(value: str) -> str:
    """Reverse :func:`encode_metadata_value`."""
    return unquote(value, encoding="utf-8", errors="replace")


class S3Connector:
    """A DAM that is an S3 bucket, optionally below a key prefix.

    Pass ``client`` to reuse a configured boto3 S3 client (it is then not closed by
    :meth:`close`); otherwise one is built from the other arguments and boto3's defaults.
    An explicit ``endpoint_url`` gets path-style addressing, because SeaweedFS and MinIO do not
    serve virtual-hosted bucket names; botocore already does the same for an endpoint it takes
    from ``AWS_ENDPOINT_URL`` or a config file.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        client: Any | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self._bucket = bucket
        self._prefix = prefix.strip("/") if isinstance(prefix, str) else prefix
        if not isinstance(bucket, str) or not _BUCKET_RE.match(bucket):
            raise DamError(
                f"invalid S3 bucket name {bucket!r}: use letters, digits, '.', '-' and '_'",
                uri=f"s3://{bucket}",
            )
        if not isinstance(self._prefix, str):
            raise DamError(f"s3://{bucket}: prefix must be a string, not {prefix!r}")
        if self._prefix:
            validate_key(self._prefix, uri=self.uri)
        self._timeouts = (
            _seconds(self.uri, "connect_timeout", connect_timeout),
            _seconds(self.uri, "read_timeout", read_timeout),
        )
        self._retries = _retry_count(self.uri, retries)
        self._owns_client = client is None
        self._client = client if client is not None else self._make_client(endpoint_url, region, access_key, secret_key)
        self._endpoint = str(self._client.meta.endpoint_url)
        self._bucket_seen = False

    def __repr__(self) -> str:
        return f"S3Connector({self.uri!r}, endpoint_url={self._endpoint!r})"

    def __enter__(self) -> S3Connector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def uri(self) -> str:
        """``s3://bucket/prefix`` (or ``s3://bucket``); the endpoint is not part of it."""
        return f"s3://{self._bucket}/{self._prefix}" if self._prefix else f"s3://{self._bucket}"

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def prefix(self) -> str:
        """Key prefix without leading or trailing '/' ('' for the bucket root)."""
        return self._prefix

    @property
    def timeouts(self) -> tuple[float, float, int]:
        """``(connect_timeout, read_timeout, retries)`` of a client this connector built."""
        return (*self._timeouts, self._retries)

    @property
    def endpoint_url(self) -> str:
        """The endpoint boto3 resolved (explicit argument, ``AWS_ENDPOINT_URL`` or AWS's own)."""
        return self._endpoint

    def object_key(self, key: str) -> str:
        """The full S3 object key for asset ``key`` (validated, prefix applied)."""
        validate_key(key, uri=self.uri)
        refuse_reserved(key, uri=self.uri)
        return f"{self._prefix}/{key}" if self._prefix else key

    def exists(self, key: str, sha256: str) -> bool:
        """True when the object exists and its ``sha256`` metadata equals ``sha256``."""
        object_key = self.object_key(key)
        validate_sha256(sha256, uri=self.uri, key=key)
        head = self._head(key, object_key)
        if head is None:
            return False
        return head.get(SHA256_METADATA_KEY) == sha256

    def metadata(self, key: str) -> dict[str, str] | None:
        """The decoded user metadata of ``key`` (sha256 included), or None if it is absent."""
        return self._head(key, self.object_key(key))

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        """Upload ``data`` with ``metadata`` as S3 user metadata; return ``s3://bucket/key``."""
        object_key = self.object_key(key)
        prepared = prepare_metadata(data, metadata, uri=self.uri, key=key)
        encoded = {name: encode_metadata_value(value) for name, value in prepared.items()}
        size = sum(len(name) + len(value) for name, value in encoded.items())
        if size > MAX_METADATA_BYTES:
            raise DamError(
                f"{self.uri}: metadata for {key!r} is {size} bytes once encoded; S3 allows {MAX_METADATA_BYTES}",
                uri=self.uri,
                key=key,
            )
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=object_key,
                Body=bytes(data),
                ContentType=content_type,
                Metadata=encoded,
            )
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket" or _status(exc) in (403, 404):
                # Some servers (SeaweedFS without auth) answer 403 for a missing bucket.
                self._require_bucket(key)
            raise self._error(exc, f"cannot upload {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"cannot upload {key!r}", key) from None
        self._bucket_seen = True
        grave = object_key + TOMBSTONE_SUFFIX
        if self._object_exists(key, grave):  # only then: publishing needs no s3:DeleteObject
            self._delete(key, grave, "cannot remove the tombstone of")
        return f"s3://{self._bucket}/{object_key}"

    def retract(self, key: str, tombstone: dict[str, str]) -> str:
        """Delete the object, then write the JSON tombstone ``<key>.tombstone.json``; return its
        ``s3://`` location. Deleting an object that is not there succeeds (S3 semantics)."""
        object_key = self.object_key(key)
        body = tombstone_json(prepare_tombstone(tombstone, uri=self.uri, key=key))
        grave = object_key + TOMBSTONE_SUFFIX
        self._delete(key, object_key, "cannot retract")
        try:
            self._client.put_object(
                Bucket=self._bucket, Key=grave, Body=body, ContentType="application/json", Metadata={}
            )
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket" or _status(exc) in (403, 404):
                self._require_bucket(key)
            raise self._error(exc, f"cannot write the tombstone of {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"cannot write the tombstone of {key!r}", key) from None
        return f"s3://{self._bucket}/{grave}"

    def tombstone(self, key: str) -> dict[str, str] | None:
        """The tombstone ``retract`` left at ``key``, or None when the key was never retracted."""
        grave = self.object_key(key) + TOMBSTONE_SUFFIX
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=grave)
            data = response["Body"].read()
        except ClientError as exc:
            if _status(exc) == 404 and _error_code(exc) != "NoSuchBucket":
                return None
            raise self._error(exc, f"cannot read the tombstone of {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"cannot read the tombstone of {key!r}", key) from None
        try:
            record = json.loads(data)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise DamError(
                f"{self.uri}: tombstone s3://{self._bucket}/{grave} is not a JSON object", uri=self.uri, key=key
            )
        return {str(k): str(v) for k, v in record.items()}

    def _object_exists(self, key: str, object_key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise self._error(exc, f"cannot check {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"cannot check {key!r}", key) from None
        return True

    def _delete(self, key: str, object_key: str, doing: str) -> None:
        try:
            self._client.delete_object(Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if _error_code(exc) == "NoSuchBucket" or _status(exc) in (403, 404):
                self._require_bucket(key)
            raise self._error(exc, f"{doing} {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"{doing} {key!r}", key) from None

    def close(self) -> None:
        """Close the HTTP connection pool of a client this connector created."""
        if self._owns_client:
            self._client.close()

    def _make_client(
        self,
        endpoint_url: str | None,
        region: str | None,
        access_key: str | None,
        secret_key: str | None,
    ) -> Any:
        if (access_key is None) != (secret_key is None):
            raise DamError(
                f"{self.uri}: give both access_key and secret_key, or neither (to use boto3's credential chain)",
                uri=self.uri,
            )
        try:
            session = boto3.session.Session(
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                region_name=region,
            )
            config = Config(
                connect_timeout=self._timeouts[0],
                read_timeout=self._timeouts[1],
                retries={"max_attempts": self._retries, "mode": "standard"},
            )
            config = config.merge(_PATH_STYLE) if endpoint_url else config
            client = session.client("s3", endpoint_url=endpoint_url, config=config)
        except (BotoCoreError, ValueError) as exc:
            shown = f" {endpoint_url!r}" if endpoint_url else ""
            raise DamError(
                f"{self.uri}: cannot configure S3 client for endpoint{shown}: {exc}",
                uri=self.uri,
            ) from None
        client.meta.events.register("before-parse.s3", self._refuse_non_s3_answer)
        return client

    def _refuse_non_s3_answer(self, response_dict: dict[str, Any], **_: Any) -> None:
        """botocore hook, before an answer is parsed: raise DamError when it is not S3's."""
        problem = _not_s3(response_dict)
        if problem:
            raise DamError(
                f"{self.uri}: {self._endpoint} is not an S3 server: it answered {problem}; check the endpoint URL",
                uri=self.uri,
            )

    def _head(self, key: str, object_key: str) -> dict[str, str] | None:
        try:
            response = self._client.head_object(Bucket=self._bucket, Key=object_key)
        except ClientError as exc:
            if _status(exc) == 404:
                # HEAD has no error body, so a missing bucket also looks like 404.
                self._require_bucket(key)
                return None
            raise self._error(exc, f"cannot check {key!r}", key) from None
        except BotoCoreError as exc:
            raise self._error(exc, f"cannot check {key!r}", key) from None
        self._bucket_seen = True
        raw = response.get("Metadata") or {}
        return {name.lower(): decode_metadata_value(value) for name, value in raw.items()}

    def _require_bucket(self, key: str) -> None:
        """Raise a DamError naming the bucket if it does not exist (checked once, then cached)."""
        if self._bucket_seen:
            return
        try:
            self._client.head_bucket(Bucket=self._bucket)
        except ClientError as exc:
            if _status(exc) == 404 or _error_code(exc) == "NoSuchBucket":
                raise DamError(
                    f"{self.uri}: bucket '{self._bucket}' does not exist at {self._endpoint}",
                    uri=self.uri,
                    key=key,
                ) from None
            # 403 here means no s3:ListBucket; whether the bucket exists is unknown, so let the
            # caller report the original failure.
            return
        except BotoCoreError as exc:
            raise self._error(exc, "cannot check the bucket", key) from None
        self._bucket_seen = True

    def _error(self, exc: Exception, doing: str, key: str | None) -> DamError:
        """Turn a boto3 failure into one line naming the URI, the endpoint and the cause."""
        endpoint = self._endpoint
        if isinstance(exc, ClientError):
            code = _error_code(exc)
            status = _status(exc)
            message = exc.response.get("Error", {}).get("Message") or ""
            if code == "NoSuchBucket":
                text = f"bucket '{self._bucket}' does not exist at {endpoint}"
            elif status == 403 or code in _ACCESS_DENIED_CODES:
                text = f"access denied by {endpoint} ({code}); check the access key, secret key and bucket policy"
            else:
                detail = f": {message}" if message else ""
                text = f"S3 error {code} (HTTP {status}) from {endpoint}{detail}"
        elif isinstance(exc, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)):
            text = (
                f"no usable S3 credentials ({exc}); pass access_key and secret_key, or set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or an AWS profile"
            )
        elif isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
            connect, read = self._timeouts
            phase = (
                f"connect timeout {connect:g} s" if isinstance(exc, ConnectTimeoutError) else f"read timeout {read:g} s"
            )
            tries = self._retries + 1
            text = (
                f"timed out talking to S3 endpoint {endpoint} ({phase}, {tries} {'try' if tries == 1 else 'tries'}; "
                "set connect_timeout, read_timeout or retries in the DAM URI, e.g. s3://bucket/prefix?read_timeout=30)"
            )
        elif isinstance(exc, SSLError):
            text = f"TLS failure with S3 endpoint {endpoint}: {exc.kwargs.get('error', exc)}"
        elif isinstance(exc, BotoCoreError) and "endpoint_url" in getattr(exc, "kwargs", {}):
            reason = _ERRNO_RE.search(str(exc.kwargs.get("error", "")))
            because = f": {reason.group(1).strip().lower()}" if reason else ""
            text = f"cannot reach S3 endpoint {endpoint}{because}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        return DamError(f"{self.uri}: {doing}: {text}", uri=self.uri, key=key)


def _not_s3(response: dict[str, Any]) -> str | None:
    """What gives an HTTP answer away as not S3's (None when it may be S3's).

    S3 answers the calls Vitrina makes (HEAD, PUT) with no body, or with XML for an error, and
    tags every answer with a request id. An answer without those ids that is an HTML page, has a
    body that is not XML, or is a client error of another content type (JSON) comes from something
    else: a web server, a proxy's login page, another API. Server errors (5xx) are left to
    botocore's retries and its own error.
    """
    headers = {str(k).lower(): str(v) for k, v in (response.get("headers") or {}).items()}
    status = int(response.get("status_code") or 0)
    if status >= 500 or any(h in headers for h in _S3_HEADERS):
        return None
    body = response.get("body")
    data = body.strip() if isinstance(body, bytes) else b""
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    html = kind in ("text/html", "application/xhtml+xml") or data[:14].lower().startswith((b"<!doctype html", b"<html"))
    not_xml = bool(data) and not data.startswith(b"<")
    other_error = status >= 400 and bool(kind) and kind not in ("application/xml", "text/xml")
    if not (html or not_xml or other_error):
        return None
    title = _TITLE_RE.search(data)
    detail = " ".join(title.group(1).decode("utf-8", "replace").split()) if title else ""
    what = "an HTML page" if html else (kind or "a body that is not XML")
    return f"HTTP {status} with {what}" + (f" ({detail[:80]!r})" if detail else "")


def _seconds(uri: str, name: str, value: SupportsFloat) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise DamError(f"{uri}: {name} {value!r}: must be seconds above 0 and at most {MAX_TIMEOUT:g}", uri=uri)
    return seconds


def _retry_count(uri: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise DamError(f"{uri}: retries {value!r}: must be a whole number from 0 to {MAX_RETRIES}", uri=uri)
    return value


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None

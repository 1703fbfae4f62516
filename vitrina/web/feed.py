"""The feed for DAMs that pull: ``GET /api/v1/assets`` and each asset's files, for a bearer token.

A DAM connector polls "what changed since", then fetches what it needs (docs/feed-and-webhooks.md):

    GET /api/v1/assets?updated_since=2026-12-05T10:00:00Z&limit=100     first poll
    GET /api/v1/assets?cursor=<next_cursor>&limit=100                   every later page and poll
    GET /api/v1/assets/{id}/renditions/master.png                       a file (ETag, Range)

Every request carries ``Authorization: Bearer vtr_...`` (`vitrina tokens create NAME --scope
feed:read`): without one, or with one that is unknown or revoked, 401 with ``WWW-Authenticate``;
a token of another scope, 403.

Order and cursor. Items come ordered by (updated_at, id): `updated_at` moves on every change of
an asset (state, waiver, publication), and the cursor is the (updated_at, id) of the last item
returned, so a client resuming from it never skips or repeats an item, even when many share one
time. ``next_cursor`` is that position (or, for an empty page, the cursor the request gave:
the client's place does not move); ``has_more`` says whether another page is there now. A client
pages while ``has_more`` and keeps the last ``next_cursor`` to poll from later: what changes
after that comes back, in order, once per change.

Items. Every variant ever approved, whatever its state now: ``live`` (state approved or
published) means the DAM should hold it; rejected, superseded, retracted or revoked (its checks
changed: passed / needs_review / blocked) mean take it down. A live item lists its files
(`RENDITIONS`): the PNG master, the JPEG channel rendition, the product cut-out and the JSON
sidecar. The master and the rendition are the signed files `vitrina publish` sent to a DAM
(XMP + C2PA, kept in the store) once it ran; before that the store's unsigned bytes (``signed``:
false) and no rendition. Each file is served with a strong ETag (its SHA-256), If-None-Match
(304) and single or multiple byte ranges (206, 416). A file of an asset that is not live answers
410 Gone; a name outside `RENDITIONS` is 404 before anything is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError

from pipeline.errors import InputError, ReviewError, shown
from pipeline.storage.access import TokenRecord, token_hash
from pipeline.storage.files import check_sha
from pipeline.storage.publishing import publication_sidecar
from pipeline.storage.queries import MAX_PAGE, FeedEntry, feed_time
from pipeline.storage.records import VariantRecord
from pipeline.storage.renditions import JPEG_Q90, RenditionRecord
from pipeline.storage.store import Store

__all__ = ["router", "RENDITIONS", "SCOPE", "encode_cursor", "decode_cursor", "feed_token"]

SCOPE = "feed:read"
DEFAULT_LIMIT = 100
#: The files of a live asset, by the name in its URL: (media type, what it is).
RENDITIONS: dict[str, tuple[str, str]] = {
    "master.png": ("image/png", "the PNG master: signed (XMP + C2PA) once published"),
    "rendition.jpg": ("image/jpeg", "the JPEG q90 channel rendition, signed with the master as ingredient"),
    "cutout.png": ("image/png", "the product cut-out the master's product pixels are checked against"),
    "sidecar.json": ("application/json", "the sidecar: lineage, checks, approvals (schema 2)"),
}
#: States in which the DAM should hold the asset.
LIVE = ("approved", "published")
#: Sidecar fields left out of a feed item's metadata (large; in sidecar.json).
_BULKY = ("lineage", "check_report")
_PUBLICATION_FIELDS = ("dam", "key", "location", "sha256", "at", "retracted_at")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_CURSOR = 512
_CACHE = "private, no-cache"  # revalidate every time: an unsigned master becomes the signed one

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="feedToken",
    bearerFormat="vtr_ token",
    description="A feed token: `vitrina tokens create NAME --scope feed:read --out DIR` prints it once.",
)
router = APIRouter(prefix="/api/v1", tags=["feed"])


# --- auth ---------------------------------------------------------------------------------------


def _store(request: Request) -> Store:
    """The app's store (`vitrina.web.app.get_store`: kept on ``app.state.store``)."""
    store: Store = request.app.state.store
    return store


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = f'Bearer realm="vitrina", scope="{SCOPE}"' + (f', error="{error}"' if error else "")
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def feed_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    store: Annotated[Store, Depends(_store)],
) -> TokenRecord:
    """The caller's live token of scope feed:read; 401 without a valid one, 403 for another scope."""
    if credentials is None:
        raise _unauthorized("a feed token is required: Authorization: Bearer vtr_...")
    token = credentials.credentials
    record = store.token_by_hash(token_hash(token)) if 0 < len(token) <= 200 else None
    if record is None:
        raise _unauthorized("the token is unknown or revoked", "invalid_token")
    if record.scope != SCOPE:
        challenge = f'Bearer realm="vitrina", scope="{SCOPE}", error="insufficient_scope"'
        raise HTTPException(403, f"token scope {record.scope} does not allow {SCOPE}", {"WWW-Authenticate": challenge})
    return record


# --- cursor -------------------------------------------------------------------------------------


def encode_cursor(updated_at: str, asset_id: str) -> str:
    """The opaque cursor of a position (updated_at, id): URL-safe base64 of a small JSON object."""
    raw = json.dumps({"u": updated_at, "i": asset_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(updated_at, id) of a cursor this feed gave; InputError (one line) for anything else."""
    bad = f"cursor {shown(cursor)}: not a cursor this feed gave (use next_cursor as it came)"
    if not 0 < len(cursor) <= _MAX_CURSOR:
        raise InputError(bad)
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(bad) from None
    if not isinstance(data, dict) or set(data) != {"u", "i"}:
        raise InputError(bad)
    at, asset_id = data["u"], data["i"]
    if not isinstance(at, str) or not isinstance(asset_id, str) or not _ID.fullmatch(asset_id):
        raise InputError(bad)
    try:
        feed_time(at)  # a time with a zone; kept as the catalog wrote it (compared as written)
    except InputError:
        raise InputError(bad) from None
    return at, asset_id


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise HTTPException(400, f"limit {shown(value)}: give a whole number from 1 to {MAX_PAGE}")
    return int(text)


# --- files --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    """A file of an asset as served: on disk (`path`) or made on request (`data`)."""

    media_type: str
    sha256: str
    size: int
    signed: bool
    path: Path | None = None
    data: bytes | None = None


_hashes: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_hashes_lock = threading.Lock()


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, remembered by (path, mtime, size) (cut-outs are named by the
    hash of their pixels, not of their bytes)."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _hashes_lock:
        if key in _hashes:
            _hashes.move_to_end(key)
            return _hashes[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    with _hashes_lock:
        _hashes[key] = sha
        while len(_hashes) > 4096:
            _hashes.popitem(last=False)
    return sha


def _signed_copy(store: Store, source_sha: str, media_type: str, extension: str) -> tuple[Path, str] | None:
    """The signed file `vitrina publish` made of blob `source_sha` and kept in the store
    (`pipeline.storage.publishing.finalized`: a record ``<source>.final-<digest>.json`` naming
    ``<sha>.final<ext>``); the newest when it was signed more than once (another signer)."""
    best: tuple[float, Path, str] | None = None
    for record in store.blob_path(source_sha).parent.glob(f"{source_sha}.final-*.json"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            sha = check_sha(data["sha256"])
            if data.get("mime") != media_type or data.get("source_sha256") != source_sha:
                continue
            path = store.blob_path(sha, ".final" + extension)
            when = record.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if path.is_file() and (best is None or when > best[0]):
            best = (when, path, sha)
    return (best[1], best[2]) if best else None


def _image(store: Store, sha: str, media_type: str, extension: str) -> _File | None:
    signed = _signed_copy(store, sha, media_type, extension)
    path, digest = signed or (store.blob_path(sha, extension), sha)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return _File(media_type, digest, size, signed is not None, path=path)


def _rendition_sha(store: Store, master_sha: str) -> str | None:
    """The JPEG rendition made of the master (`pipeline.storage.renditions`, cached in the
    store by the first publish); None before that, or for a master with transparency (its PNG
    is its rendition)."""
    try:
        record = RenditionRecord.model_validate_json(store.blob_path(master_sha, f".{JPEG_Q90.name}.json").read_bytes())
    except (OSError, ValidationError):
        return None
    return record.sha256 if record.master_sha256 == master_sha else None


def _sidecar(store: Store, v: VariantRecord) -> dict[str, Any]:
    """The asset's sidecar as a DAM gets it (the store's sidecar plus identity and approvals)."""
    published = publication_sidecar(v, store.sidecar(v.blob_sha), store.audit(v.variant_id))
    return published.model_dump(mode="json")


def _sidecar_file(sidecar: dict[str, Any]) -> _File:
    # compact: the C encoder (an indented dump takes Python's, several times slower per item)
    data = json.dumps(sidecar, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return _File("application/json", hashlib.sha256(data).hexdigest(), len(data), False, data=data)


def _files(store: Store, v: VariantRecord, sidecar: dict[str, Any] | None, only: str | None = None) -> dict[str, _File]:
    """The asset's files that exist now, by name (only the one named `only`, when given)."""
    out: dict[str, _File] = {}
    wanted = (only,) if only else tuple(RENDITIONS)
    for name in wanted:
        found: _File | None = None
        if name == "master.png":
            found = _image(store, v.blob_sha, "image/png", ".png")
        elif name == "rendition.jpg":
            rendition = _rendition_sha(store, v.blob_sha)
            found = _image(store, rendition, "image/jpeg", ".jpg") if rendition else None
        elif name == "cutout.png":
            path = store.cutout_path(v.lineage.product.cutout_sha256)
            if path.is_file():
                found = _File("image/png", _file_sha256(path), path.stat().st_size, False, path=path)
        elif name == "sidecar.json" and sidecar is not None:
            found = _sidecar_file(sidecar)
        if found is not None:
            out[name] = found
    return out


# --- responses ----------------------------------------------------------------------------------


class Rendition(BaseModel):
    url: str = Field(description="GET it with the same bearer token")
    media_type: str
    sha256: str = Field(description="of the bytes served; also the strong ETag")
    bytes: int
    signed: bool = Field(description="carries Vitrina's XMP + C2PA provenance (made by `vitrina publish`)")


class SlotOut(BaseModel):
    campaign: str
    sku: str
    scene: str
    format: str
    locale: str


class Publication(BaseModel):
    dam: str
    key: str
    location: str
    sha256: str
    at: str
    retracted_at: str | None = None


class Asset(BaseModel):
    id: str
    slot: SlotOut
    version: int
    state: str = Field(description="approved | published (live); rejected | superseded | retracted | ... (remove)")
    live: bool = Field(description="whether a DAM should hold it now (state approved or published)")
    current: bool = Field(description="whether it is its slot's current version")
    updated_at: str = Field(description="when it last changed (UTC, microseconds): the feed's order with id")
    released_at: str | None = Field(description="when it was first approved")
    sha256: str = Field(description="of the PNG master as the store keeps it (what checks and approvals bind)")
    metadata: dict[str, Any] | None = Field(
        description="the sidecar (schema 2) without lineage and check_report (those: renditions sidecar.json)"
    )
    metadata_error: str | None = None
    publications: list[Publication]
    renditions: dict[str, Rendition] = Field(description="the live asset's files by name; empty when not live")


class FeedPage(BaseModel):
    items: list[Asset]
    next_cursor: str | None = Field(
        description="the position after the last item (for an empty page: the cursor given); keep it to poll later"
    )
    has_more: bool = Field(description="whether another page is there now")


def _publication(row: dict[str, Any]) -> Publication:
    return Publication.model_validate({k: row.get(k) for k in _PUBLICATION_FIELDS})


def _asset(request: Request, store: Store, entry: FeedEntry) -> Asset:
    v = entry.variant
    sidecar: dict[str, Any] | None = None
    problem = None
    try:
        sidecar = _sidecar(store, v)
    except (InputError, OSError) as exc:  # a sidecar missing or of another schema: the rest still goes
        problem = " ".join(str(exc).split())
    live = v.state in LIVE
    files = _files(store, v, sidecar) if live else {}
    base = f"{request.scope.get('root_path', '')}{router.prefix}/assets/{v.variant_id}/renditions/"
    return Asset(
        id=v.variant_id,
        slot=SlotOut(campaign=v.campaign_id, sku=v.sku, scene=v.scene, format=v.format, locale=v.locale),
        version=v.version,
        state=v.state,
        live=live,
        current=v.current,
        updated_at=entry.updated_at,
        released_at=entry.released_at,
        sha256=v.blob_sha,
        metadata={k: val for k, val in sidecar.items() if k not in _BULKY} if sidecar is not None else None,
        metadata_error=problem,
        publications=[
            Publication.model_validate({k: p.get(k) for k in _PUBLICATION_FIELDS}) for p in entry.publications
        ],
        renditions={
            name: Rendition(url=base + name, media_type=f.media_type, sha256=f.sha256, bytes=f.size, signed=f.signed)
            for name, f in files.items()
        },
    )


@router.get(
    "/assets",
    response_model=FeedPage,
    summary="Assets changed since a time or a cursor, in a stable order",
    responses={400: {"description": "a bad cursor, updated_since or limit"}, 401: {}, 403: {}},
)
def list_assets(
    request: Request,
    store: Annotated[Store, Depends(_store)],
    token: Annotated[TokenRecord, Depends(feed_token)],
    updated_since: Annotated[
        str | None,
        Query(description="RFC 3339 time with a zone, e.g. 2026-12-05T10:00:00Z: items changed then or later"),
    ] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page, as it came")] = None,
    limit: Annotated[
        str | None,
        Query(
            description=f"items per page, 1-{MAX_PAGE} (default {DEFAULT_LIMIT})",
            json_schema_extra={"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_LIMIT},
        ),
    ] = None,
) -> FeedPage:
    """Every asset ever approved, ordered by (updated_at, id), from `cursor` (or `updated_since`,
    or the beginning). Page while `has_more`; keep `next_cursor` to poll for what changes next."""
    size = _limit(limit)
    try:
        after = decode_cursor(cursor) if cursor is not None else None
        since = feed_time(updated_since) if updated_since is not None else None
        page = store.feed(updated_since=since, after=after, limit=size)
        more = False
        if len(page) == size:  # a full page: is there another one now?
            end = (page[-1].updated_at, page[-1].variant.variant_id)
            more = bool(store.feed(updated_since=since, after=end, limit=1))
    except InputError as exc:
        raise HTTPException(400, str(exc)) from None
    last = encode_cursor(page[-1].updated_at, page[-1].variant.variant_id) if page else cursor
    return FeedPage(items=[_asset(request, store, e) for e in page], next_cursor=last, has_more=more)


def _etag(sha: str) -> str:
    return f'"{sha}"'


def _not_modified(request: Request, etag: str) -> bool:
    """If-None-Match (weak comparison, RFC 9110 13.1.2) matches `etag`."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end exclusive) of a single ``bytes=`` range; None to ignore the header (another
    unit, several ranges, a malformed one: RFC 9110 lets a server send the whole file); False
    when it cannot be satisfied (416)."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()):
        return None
    if last and not last.isdigit():
        return None
    if not first:  # the last N bytes
        n = int(last)
        return (max(size - n, 0), size) if n > 0 and size > 0 else False
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if last and int(last) < start:
        return None
    return (start, end) if start < size else False


def _bytes_response(request: Request, f: _File, headers: dict[str, str]) -> Response:
    """A file made on request, with single byte ranges (several ranges: the whole file)."""
    assert f.data is not None
    data, size = f.data, len(f.data)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if wanted is not None and (if_range is None or if_range.strip() == headers["ETag"]):
        span = _byte_range(wanted, size)
        if span is False:
            return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        if isinstance(span, tuple):
            start, end = span
            partial = {**headers, "Content-Range": f"bytes {start}-{end - 1}/{size}"}
            return Response(data[start:end], 206, partial, media_type=f.media_type)
    return Response(data, 200, headers, media_type=f.media_type)


@router.head("/assets/{asset_id}/renditions/{name}", include_in_schema=False)
@router.get(
    "/assets/{asset_id}/renditions/{name}",
    summary="One file of a live asset (ETag, If-None-Match, Range)",
    responses={
        200: {"content": {t: {} for t, _ in RENDITIONS.values()}, "description": "the file"},
        206: {"description": "the byte range asked for"},
        304: {"description": "not modified (If-None-Match)"},
        401: {},
        403: {},
        404: {"description": "no such asset, file name or file"},
        410: {"description": "the asset is no longer live (rejected, superseded, retracted, revoked)"},
        416: {"description": "range not satisfiable"},
    },
)
def rendition(
    request: Request,
    asset_id: str,
    name: str,
    store: Annotated[Store, Depends(_store)],
    token: Annotated[TokenRecord, Depends(feed_token)],
) -> Response:
    """Names: master.png, rendition.jpg, cutout.png, sidecar.json (see the asset's `renditions`)."""
    if name not in RENDITIONS or not _ID.fullmatch(asset_id):
        raise HTTPException(404, f"no file {shown(name)}; files: {', '.join(RENDITIONS)}")
    try:
        v: VariantRecord | None = store.variant(asset_id)
    except ReviewError:  # no such variant
        v = None
    except InputError as exc:  # a stored lineage this Vitrina cannot read
        raise HTTPException(500, str(exc)) from None
    if v is None or v.released_at is None:
        raise HTTPException(404, f"no asset {asset_id} in the feed")
    if v.state not in LIVE:
        raise HTTPException(410, f"asset {asset_id} is {v.state}: take it down")
    sidecar = None
    if name == "sidecar.json":
        try:
            sidecar = _sidecar(store, v)
        except (InputError, OSError) as exc:
            raise HTTPException(404, f"asset {asset_id}: no readable sidecar: {' '.join(str(exc).split())}") from None
    f = _files(store, v, sidecar, only=name).get(name)
    if f is None:
        why = (
            "not made yet (the first `vitrina publish` makes it)" if name == "rendition.jpg" else "missing in the store"
        )
        raise HTTPException(404, f"asset {asset_id}: {name} {why}")
    etag = _etag(f.sha256)
    headers = {"ETag": etag, "Cache-Control": _CACHE, "Accept-Ranges": "bytes"}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if f.path is None:
        return _bytes_response(request, f, headers)
    return FileResponse(f.path, media_type=f.media_type, headers=headers, stat_result=f.path.stat())

"""The review UI's pages and form actions: login, the review queue, the variant page, bulk
approval, the users page and the API's documentation.

Every route here needs a signed-in user (`vitrina.web.auth.require`) except the login page, and
every POST carries the session's CSRF token (checked for the whole router by `create_app`).
Actions redirect back (303) with a one-line message; htmx requests from the queue get the
updated card instead. What users typed (copy, names, reasons) reaches the page only through
Jinja2's autoescaping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from pipeline.errors import ImageRejected, InputError, ReviewError
from pipeline.imaging.imageio import image_size
from pipeline.storage.queries import VariantFilter
from pipeline.storage.records import VariantRecord
from pipeline.storage.store import Store
from vitrina.web.auth import User, csrf_token, log_in, log_out, require, session_user
from vitrina.web.passwords import MAX_PASSWORD, dummy_verify, verify_password
from vitrina.web.thumbs import QUEUE_WIDTH, WIDTHS, parse_name, thumb_name, thumbnail

__all__ = ["router", "render", "PAGE_SIZE", "VERDICTS", "REVIEWS"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
#: The most variants one bulk approval takes (a page holds PAGE_SIZE).
MAX_BULK = 500
VERDICTS = ("passed", "needs_review", "blocked")
REVIEWS = ("pending", "approved", "rejected")
_VID = re.compile(r"^v[0-9a-f]{11}$")
_FILTER_LEN = 200
_IMMUTABLE = "private, max-age=31536000, immutable"

Viewer = Annotated[User, Depends(require("view"))]
Reviewer = Annotated[User, Depends(require("review"))]
Publisher = Annotated[User, Depends(require("publish"))]
Admin = Annotated[User, Depends(require("admin"))]
FilterParam = Annotated[str | None, Query(max_length=_FILTER_LEN)]


# --- helpers ----------------------------------------------------------------------------------


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    base = {
        "user": session_user(request),
        "csrf": csrf_token(request),
        # a fragment (an htmx card) shows no messages: leave them for the next page
        "flashes": [] if name.startswith("_") else _take_flashes(request),
        "thumb": _thumb_url,
        "title": "Vitrina",
    }
    response: HTMLResponse = templates.TemplateResponse(request, name, {**base, **context}, status_code=status)
    return response


def _flash(request: Request, level: str, message: str) -> None:
    """A one-line message for the next page (kept short: the session is a cookie)."""
    flashes = list(request.session.get("flash", []))[-3:]
    flashes.append([level, message if len(message) <= 400 else message[:399] + "…"])
    request.session["flash"] = flashes


def _take_flashes(request: Request) -> list[list[str]]:
    return list(request.session.pop("flash", []))


def _local(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site (no scheme, host or backslash tricks), else `default`."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(c in target for c in "\\\r\n\t")
        or len(target) > 2000
    ):
        return default
    return target


def _thumb_url(sha: str, width: int = QUEUE_WIDTH) -> str:
    return f"/thumbs/{thumb_name(sha, width)}"


def _variant_or_404(store: Store, vid: str) -> VariantRecord:
    if not _VID.match(vid):
        raise HTTPException(404, "No such variant.")
    try:
        return store.variant(vid)
    except ReviewError:
        raise HTTPException(404, "No such variant.") from None


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _back(request: Request, vid: str) -> RedirectResponse:
    return RedirectResponse(f"/variants/{vid}", status_code=303)


def _etag_response(request: Request, path: Path, media_type: str, etag: str) -> Response:
    """The file with a strong ETag and immutable caching; 304 when the client has it."""
    quoted = f'"{etag}"'
    headers = {"etag": quoted, "cache-control": _IMMUTABLE}
    match = request.headers.get("if-none-match", "")
    if quoted in [m.strip() for m in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def _image_size(path: Path, fallback: tuple[int, int]) -> tuple[int, int]:
    """The stored image's size from its header (no decoding)."""
    try:
        return image_size(path)
    except ImageRejected:
        return fallback


# --- login ------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    if session_user(request) is not None:
        return RedirectResponse(_local(next), status_code=303)
    return render(request, "login.html", {"title": "Sign in", "next": _local(next), "name": ""})


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(name, client)
    if wait:
        context = {"next": _local(next), "name": name, "error": f"Too many failed logins: try again in {wait} s."}
        response = render(request, "login.html", context, status=429)
        response.headers["retry-after"] = str(wait)
        return response
    record = _store(request).user(name) if name else None
    if record is None or record.disabled:
        dummy_verify(password)
        ok = False
    else:
        ok = verify_password(password, record.password_hash)
    if not ok or record is None:
        limiter.failed(name, client)
        context = {"next": _local(next), "name": name, "error": "Wrong name or password."}
        return render(request, "login.html", context, status=401)
    limiter.succeeded(name, client)
    log_in(request, record.name, record.password_hash)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


# --- the review queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The cards of one SKU x scene on a queue page."""

    sku: str
    scene: str
    variants: list[VariantRecord]


def _groups(items: Iterable[VariantRecord]) -> list[Group]:
    return [Group(sku, scene, list(vs)) for (sku, scene), vs in groupby(items, key=lambda v: (v.sku, v.scene))]


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@router.get("/")
def queue(
    request: Request,
    user: Viewer,
    campaign: FilterParam = None,
    run: FilterParam = None,
    sku: FilterParam = None,
    locale: FilterParam = None,
    format: FilterParam = None,
    verdict: FilterParam = None,
    review: FilterParam = None,
    state: FilterParam = None,
    current: Annotated[str, Query(max_length=1)] = "1",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    store = _store(request)
    chosen = {
        "campaign": _blank(campaign),
        "run": _blank(run),
        "sku": _blank(sku),
        "locale": _blank(locale),
        "format": _blank(format),
        "verdict": _blank(verdict),
        "review": _blank(review),
        "state": _blank(state),
    }
    current_only = current != "0"
    error = None
    try:
        filters = VariantFilter(**chosen, current_only=current_only)
    except InputError as exc:
        error, filters = str(exc), VariantFilter(current_only=current_only)
    result = store.page(filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not result.items and result.total and page > 1:  # past the last page: go to the last one
        last = (result.total + PAGE_SIZE - 1) // PAGE_SIZE
        return RedirectResponse(_queue_url(chosen, current_only, last), status_code=303)
    pages = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
    from pipeline.storage.lifecycle import STATES

    context = {
        "title": "Review queue",
        "groups": _groups(result.items),
        "total": result.total,
        "first": result.offset + 1 if result.items else 0,
        "last": result.offset + len(result.items),
        "page": page,
        "pages": pages,
        "prev_url": _queue_url(chosen, current_only, page - 1) if page > 1 else None,
        "next_url": _queue_url(chosen, current_only, page + 1) if page < pages else None,
        "here": _queue_url(chosen, current_only, page),
        "chosen": chosen,
        "current_only": current_only,
        "facets": store.facets(),
        "verdicts": VERDICTS,
        "reviews": REVIEWS,
        "states": STATES,
        "error": error,
        "can_review": user.can("review"),
    }
    return render(request, "queue.html", context)


def _queue_url(chosen: dict[str, str | None], current_only: bool, page: int) -> str:
    query = {k: v for k, v in chosen.items() if v}
    if not current_only:
        query["current"] = "0"
    if page > 1:
        query["page"] = str(page)
    return "/" + (f"?{urlencode(query)}" if query else "")


# --- images -----------------------------------------------------------------------------------


@router.get("/thumbs/{name}")
def thumb(request: Request, name: str, user: Viewer) -> Response:
    parsed = parse_name(name)
    if parsed is None:
        raise HTTPException(404, "No such thumbnail.")
    sha, width = parsed
    path = thumbnail(_store(request), sha, width)
    if path is None:
        raise HTTPException(404, "No such image.")
    return _etag_response(request, path, "image/webp", f"{sha}-{width}")


@router.get("/variants/{vid}/image.png")
def variant_image(request: Request, vid: str, user: Viewer) -> Response:
    store = _store(request)
    v = _variant_or_404(store, vid)
    path = store.blob_path(v.blob_sha)
    if not path.is_file():
        raise HTTPException(404, "The variant's image is missing from the output folder.")
    return _etag_response(request, path, "image/png", v.blob_sha)


@router.get("/variants/{vid}/cutout.png")
def variant_cutout(request: Request, vid: str, user: Viewer) -> Response:
    store = _store(request)
    v = _variant_or_404(store, vid)
    sha = v.lineage.product.cutout_sha256
    path = store.cutout_path(sha)
    if not path.is_file():
        raise HTTPException(404, "The product cut-out is missing from the output folder.")
    return _etag_response(request, path, "image/png", f"cutout-{sha}")


# --- the variant page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One check result on the variant page (its number labels its box on the image)."""

    number: int | None
    check: str
    verdict: str
    code: str
    message: str
    score: float | None
    box: tuple[int, int, int, int] | None
    waived: bool
    waivable: bool


def _findings(v: VariantRecord, waived: set[str], waivable: set[str]) -> list[Finding]:
    order = {"blocked": 0, "needs_review": 1, "passed": 2, "not_applicable": 3}
    checks = sorted(v.checks, key=lambda c: (order.get(str(c.get("verdict")), 4), str(c.get("check"))))
    found, number = [], 0
    for c in checks:
        box = c.get("box")
        failed = c.get("verdict") in ("needs_review", "blocked")
        valid_box = None
        if isinstance(box, list | tuple) and len(box) == 4 and all(isinstance(x, int | float) for x in box):
            x0, y0, x1, y1 = (int(x) for x in box)
            valid_box = (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
        numbered = failed and valid_box is not None
        if numbered:
            number += 1
        found.append(
            Finding(
                number if numbered else None,
                str(c.get("check", "")),
                str(c.get("verdict", "")),
                str(c.get("code", "")),
                str(c.get("message", "")),
                c.get("score") if isinstance(c.get("score"), int | float) else None,
                valid_box,
                str(c.get("check")) in waived,
                str(c.get("check")) in waivable,
            )
        )
    return found


def _audit(store: Store, vid: str) -> list[dict[str, Any]]:
    entries = []
    for a in store.audit(vid):
        try:
            details = json.loads(a["details"]) if a.get("details") else {}
        except ValueError:
            details = {}
        state = details.get("state") if isinstance(details, dict) else None
        move = f"{state[0] or 'new'} → {state[1]}" if isinstance(state, list) and len(state) == 2 else ""
        entries.append({"at": a["at"], "action": a["action"], "actor": a["actor"], "reason": a["reason"], "move": move})
    return entries


def _lineage_facts(v: VariantRecord) -> list[tuple[str, str]]:
    lin = v.lineage
    gen = lin.generation
    facts = [
        ("campaign", v.campaign_id),
        ("run", v.run_id),
        ("scene backend", gen.backend),
        ("prompt", gen.prompt),
        ("seed", str(gen.seed)),
        ("packshot (catalog photo)", lin.product.source),
        ("packshot SHA-256", lin.product.source_sha256),
        ("cut-out SHA-256", lin.product.cutout_sha256),
        ("mask", f"{lin.product.mask_method} (confidence {lin.product.mask_confidence:.2f})"),
        ("placement box", ", ".join(map(str, lin.product.placement_box))),
        ("banner SHA-256", v.blob_sha),
        ("report hash", v.report_hash or ""),
        ("created", v.created_at),
    ]
    for key in ("model", "scheduler", "steps", "lora"):
        value = (gen.model_extra or {}).get(key)
        if value:
            facts.append((f"scene {key}", str(value)))
    return facts


def _copy(v: VariantRecord) -> list[tuple[str, str]]:
    """The copy as drawn on the banner (what a reviewer reads for tone, claims and prices)."""
    c = v.lineage.copy_
    rows = [("headline", c.headline), ("subline", c.subline), ("price", c.price)]
    rows += [("prior price", c.prior_price or ""), ("discount", c.discount or ""), ("call to action", c.cta)]
    rows.append(("legal line", c.legal))
    return [(k, value) for k, value in rows if value]


def _version_choice(versions: list[VariantRecord], wanted: int | None, default: VariantRecord) -> VariantRecord:
    for v in versions:
        if v.version == wanted:
            return v
    return default


@router.get("/variants/{vid}")
def variant_page(
    request: Request,
    vid: str,
    user: Viewer,
    a: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    b: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    store = _store(request)
    v = _variant_or_404(store, vid)
    waivers = store.waivers(vid)
    waivable = store.waivable(vid)
    findings = _findings(v, {w.check for w in waivers}, set(waivable))
    size = _image_size(store.blob_path(v.blob_sha), tuple(v.lineage.format.size))  # type: ignore[arg-type]
    versions = store.versions(v.slot)
    index = next((i for i, x in enumerate(versions) if x.variant_id == vid), len(versions) - 1)
    before = _version_choice(versions, a, versions[index - 1] if index > 0 else versions[index])
    after = _version_choice(versions, b, versions[index])
    family = store.page(VariantFilter(campaign=v.campaign_id, sku=v.sku, current_only=True), limit=500).items
    siblings = [x for x in family if x.scene == v.scene and x.variant_id != vid]
    context = {
        "title": f"{v.sku} · {v.scene} · {v.format} · {v.locale}",
        "v": v,
        "size": size,
        "findings": findings,
        "boxes": [f for f in findings if f.number is not None],
        "waivers": waivers,
        "waivable": waivable,
        "comments": store.comments(vid),
        "audit": _audit(store, vid),
        "versions": versions,
        "before": before,
        "after": after,
        "siblings": siblings,
        "facts": _lineage_facts(v),
        "copy": _copy(v),
        "lineage_json": json.dumps(v.lineage.model_dump(mode="json"), indent=2, ensure_ascii=False),
        "can_review": user.can("review"),
        "can_publish": user.can("publish"),
        "side_width": WIDTHS[1],
    }
    return render(request, "variant.html", context)


# --- actions ----------------------------------------------------------------------------------


def _card(request: Request, v: VariantRecord, message: str | None, level: str = "ok") -> HTMLResponse:
    user = session_user(request)
    context = {"v": v, "message": message, "level": level, "can_review": bool(user and user.can("review"))}
    return render(request, "_card.html", context)


def _act(request: Request, vid: str, action: str, run: Any) -> Response:
    """Do `run()` (a store action on `vid`); tell the outcome as a message on the variant page,
    or as the updated card for an htmx request from the queue."""
    store = _store(request)
    v = _variant_or_404(store, vid)
    try:
        run()
    except (ReviewError, InputError) as exc:
        if _is_htmx(request):
            return _card(request, store.variant(vid), str(exc), "error")
        _flash(request, "error", str(exc))
        return _back(request, vid)
    if _is_htmx(request):
        return _card(request, store.variant(vid), f"{action}.")
    _flash(request, "ok", f"{v.sku} {v.format} {v.locale} v{v.version}: {action}.")
    return _back(request, vid)


@router.post("/variants/{vid}/approve")
def approve(
    request: Request, vid: str, user: Reviewer, note: Annotated[str | None, Form(max_length=2000)] = None
) -> Response:
    store = _store(request)
    return _act(request, vid, "approved", lambda: store.decide(vid, "approved", user.name, note or None))


@router.post("/variants/{vid}/reject")
def reject(
    request: Request, vid: str, user: Reviewer, reason: Annotated[str | None, Form(max_length=2000)] = None
) -> Response:
    store = _store(request)
    return _act(request, vid, "rejected", lambda: store.decide(vid, "rejected", user.name, reason or None))


@router.post("/variants/{vid}/waive")
def waive(
    request: Request,
    vid: str,
    user: Reviewer,
    check: Annotated[str, Form(max_length=200)] = "",
    justification: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    store = _store(request)
    return _act(request, vid, f"check {check} waived", lambda: store.waive(vid, check, user.name, justification))


@router.post("/variants/{vid}/comment")
def comment(request: Request, vid: str, user: Reviewer, text: Annotated[str, Form(max_length=4000)] = "") -> Response:
    store = _store(request)
    return _act(request, vid, "comment added", lambda: store.comment(vid, user.name, text))


@router.post("/variants/{vid}/rollback")
def rollback(
    request: Request,
    vid: str,
    user: Publisher,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Make this (older, approved) version its slot's current one again."""
    store = _store(request)
    v = _variant_or_404(store, vid)
    return _act(
        request,
        vid,
        f"version {v.version} is current again",
        lambda: store.rollback(v.slot, v.version, user.name, reason),
    )


@router.post("/bulk/approve")
def bulk_approve(
    request: Request,
    user: Reviewer,
    ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    confirm: Annotated[str | None, Form(max_length=10)] = None,
    note: Annotated[str | None, Form(max_length=2000)] = None,
    back: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Step one (no `confirm`): the confirmation page listing the selection. Step two: approve
    each; one line per variant says what happened."""
    store = _store(request)
    wanted = list(dict.fromkeys(i for i in ids if _VID.match(i)))
    if not wanted:
        _flash(request, "error", "Select at least one variant to approve.")
        return RedirectResponse(_local(back), status_code=303)
    if len(wanted) > MAX_BULK:
        raise HTTPException(422, f"At most {MAX_BULK} variants at once.")
    chosen: list[VariantRecord] = []
    for vid in wanted:
        try:
            chosen.append(store.variant(vid))
        except ReviewError:
            continue
    if confirm != "yes":
        context = {"title": "Approve the selection?", "chosen": chosen, "back": _local(back)}
        return render(request, "bulk_confirm.html", context)
    results: list[tuple[VariantRecord, bool, str]] = []
    for v in chosen:
        try:
            done = store.decide(v.variant_id, "approved", user.name, note or None)
            results.append((done, True, "approved"))
        except (ReviewError, InputError) as exc:
            results.append((v, False, str(exc)))
    done_context: dict[str, Any] = {
        "title": "Bulk approval",
        "results": results,
        "approved": sum(ok for _, ok, _ in results),
        "back": _local(back),
    }
    return render(request, "bulk_done.html", done_context)


# --- admin -----------------------------------------------------------------------


@router.get("/admin/users")
def users_page(request: Request, user: Admin) -> Response:
    return render(request, "users.html", {"title": "Users", "users": _store(request).users()})


@router.get("/admin/webhooks")
def webhooks_page(request: Request, user: Admin) -> Response:
    store = _store(request)
    context = {"title": "Webhooks", "webhooks": store.webhooks(), "deliveries": store.deliveries(limit=100)}
    return render(request, "webhooks.html", context)

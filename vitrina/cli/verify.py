"""`vitrina verify BANNER.png`: are the banner's product pixels the catalog photo's own, and is its
C2PA manifest intact?

Needs three files: the banner, its sidecar (JSON, schema `vitrina schema sidecar`) and the product
cut-out (RGBA PNG).
Without --sidecar / --cutout they are looked up next to the banner, then in the Vitrina output
folder the banner lies in (found by walking up to its catalog.sqlite or blobs/ folder, or given with --out):

    sidecar   BANNER.json (the store's and a DAM's naming), then blobs/sha256/ab/<sha of the
              banner's bytes>.json
    cut-out   BANNER.cutout.png, <cutout sha>.png next to the banner, then
              cutouts/sha256/ab/<cutout sha>.png (the sha the sidecar records)

C2PA (docs/provenance.md): the file's manifest is validated offline and its state reported with
the validator's reason codes: Trusted (signed under a root given with --trust ROOT.pem), Valid
(intact, signer not trusted here: signingCredential.untrusted), Invalid (changed after signing,
e.g. assertion.dataHash.mismatch) or none (no manifest: the store's masters are signed when they
are published). --c2pa-only skips the pixel check (a JPEG channel rendition is a lossy copy of its
master: check the master's pixels).

Exit codes: 0 identical (and the manifest, if any, not Invalid); 1 not identical, a manifest that is
Invalid, not Trusted although --trust was given, a sidecar of another variant than the one the
banner's manifest names, or (--c2pa-only) no manifest at all; 2 bad input (a
file missing or unreadable, a sidecar that is not of the current schema, a cut-out that is not the
one the banner was made from, trust anchors that are not PEM certificates or over 4 MiB).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer
from PIL import Image
from rich.markup import escape

from pipeline.errors import InputError, VerifyError
from pipeline.imaging.imageio import open_image
from pipeline.provenance.manifest import MAX_TRUST_BYTES
from pipeline.provenance.signer import TEST_CA_DIR, TEST_ROOT_NAME
from pipeline.provenance.xmp import sniff_mime
from pipeline.storage.sidecar import load_sidecar
from pipeline.storage.store import blob_location, cutout_location
from pipeline.verify import ProvenanceReport, read_provenance, verify_product_pixels
from vitrina.cli.console import err as _err
from vitrina.cli.console import fail
from vitrina.cli.console import out as _out

__all__ = ["verify"]


def _is_output(folder: Path) -> bool:
    # a catalog.sqlite, or the blob store of an output folder whose catalog is on PostgreSQL
    return (folder / "catalog.sqlite").is_file() or (folder / "blobs" / "sha256").is_dir()


def store_root(banner: Path, out: Path | None) -> Path | None:
    if out is not None:
        if not _is_output(out):
            raise VerifyError(f"{out}: no Vitrina output here (no catalog.sqlite, no blobs/)")
        return out
    for folder in banner.resolve().parents:
        if _is_output(folder):
            return folder
    return None


def sidecar_candidates(banner: Path, data: bytes, root: Path | None) -> list[Path]:
    """Where a banner's sidecar may be: next to it, else in its output folder by the file's hash."""
    candidates = [banner.with_suffix(".json")]
    if root is not None:
        candidates.append(blob_location(root, hashlib.sha256(data).hexdigest(), ".json"))
    return candidates


def _find_sidecar(banner: Path, data: bytes, root: Path | None) -> Path:
    candidates = sidecar_candidates(banner, data, root)
    for path in candidates:
        if path.is_file():
            return path
    where = " or ".join(str(p) for p in candidates)
    hint = "" if root is not None else " (the banner is not inside a Vitrina output folder; --out names one)"
    raise VerifyError(f"no sidecar for {banner}: looked for {where}{hint}; pass --sidecar JSON")


def _find_cutout(banner: Path, sha: str, root: Path | None) -> Path:
    candidates = [banner.with_suffix(".cutout.png"), banner.parent / f"{sha}.png"]
    if root is not None:
        candidates.append(cutout_location(root, sha))
    for path in candidates:
        if path.is_file():
            return path
    where = ", ".join(str(p) for p in candidates)
    raise VerifyError(f"no cut-out {sha} for {banner}: looked for {where}; pass --cutout PNG")


def _open_image(path: Path, what: str) -> Image.Image:
    """The decoded image, under the one pixel limit (`open_image`: a bomb is refused from its header)."""
    if not path.is_file():
        raise VerifyError(f"{what} not found: {path}")
    return open_image(path, what)


def _provenance(data: bytes, trust: Path | None) -> ProvenanceReport:
    anchors = None
    if trust is not None:
        if not trust.is_file():
            raise VerifyError(f"trust anchors {'not a file' if trust.exists() else 'not found'}: {trust}")
        try:
            with trust.open("rb") as handle:
                anchors = handle.read(MAX_TRUST_BYTES + 1)  # a larger file is refused, never read whole
        except OSError as exc:
            raise VerifyError(f"trust anchors {trust}: cannot read: {exc.strerror or exc}") from None
    return read_provenance(data, anchors)


def _c2pa_exit(report: ProvenanceReport, trusted_wanted: bool, required: bool) -> int:
    """1 when the manifest fails what was asked of it, else 0."""
    if report.state == "Invalid" or (trusted_wanted and report.state != "Trusted"):
        return 1
    return 1 if required and report.state == "none" else 0


def _print_c2pa(report: ProvenanceReport) -> None:
    _out.print(f"  C2PA {escape(report.summary())}", highlight=False)
    for code, why in zip(report.failures, report.explanations, strict=False):
        if code != "signingCredential.untrusted":
            _out.print(f"  - {escape(code)}: {escape(why)}", highlight=False)
    if report.state == "Valid" and report.test_signer:
        where = TEST_CA_DIR / TEST_ROOT_NAME
        _out.print(f"  note: to check it against its test root: --trust OUT/{where.as_posix()}", highlight=False)


def verify(
    banner: Annotated[Path, typer.Argument(help="the banner PNG to check")],
    sidecar: Annotated[
        Path | None,
        typer.Option("--sidecar", help="its lineage sidecar JSON (default: next to the banner, or in the store)"),
    ] = None,
    cutout: Annotated[
        Path | None,
        typer.Option("--cutout", help="the product cut-out PNG (default: next to the banner, or in the store by hash)"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Vitrina output folder to look in (default: the one the banner lies in)"),
    ] = None,
    trust: Annotated[
        Path | None,
        typer.Option("--trust", help="PEM root certificate(s) to trust: a manifest signed under one is Trusted"),
    ] = None,
    c2pa_only: Annotated[
        bool, typer.Option("--c2pa-only", help="check the C2PA manifest only, not the product pixels")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Check a banner's product pixels against its cut-out, and its C2PA manifest.

    Every opaque product pixel must be the catalog photo's own, byte for byte.
    The manifest's state is reported as Trusted / Valid / Invalid / none.
    """
    paths: dict[str, str | None] = {"banner": str(banner), "sidecar": None, "cutout": None}
    try:
        if not banner.is_file():
            raise VerifyError(f"banner not found: {banner}")
        if c2pa_only:
            provenance = _provenance(banner.read_bytes(), trust)
        else:
            image = _open_image(banner, "banner")  # before reading its bytes: a bomb costs nothing
            data = banner.read_bytes()
            provenance = _provenance(data, trust)
    except (VerifyError, InputError) as exc:
        if as_json:
            print(json.dumps({**paths, "status": "bad_input", "error": str(exc), "c2pa": None}))
        else:
            fail(str(exc), 2)
        raise typer.Exit(2) from None
    c2pa_code = _c2pa_exit(provenance, trust is not None, c2pa_only)
    if c2pa_only:
        if as_json:
            print(json.dumps({"banner": str(banner), "status": "not_checked", "c2pa": provenance.to_dict()}))
        else:
            _out.print(f"{'OK' if c2pa_code == 0 else 'FAIL'} {banner}: product pixels not checked", highlight=False)
            _print_c2pa(provenance)
        raise typer.Exit(c2pa_code)
    try:
        root = store_root(banner, out) if (sidecar is None or cutout is None) else None
        sidecar_path = sidecar if sidecar is not None else _find_sidecar(banner, data, root)
        paths["sidecar"] = str(sidecar_path)
        loaded = load_sidecar(sidecar_path)
        lineage = loaded.lineage
        expected = lineage.product.cutout_sha256
        cutout_path = cutout if cutout is not None else _find_cutout(banner, expected, root)
        paths["cutout"] = str(cutout_path)
        report = verify_product_pixels(image, lineage, _open_image(cutout_path, "cut-out"))
    except (VerifyError, InputError) as exc:
        if as_json:
            print(json.dumps({**paths, "status": "bad_input", "error": str(exc), "c2pa": provenance.to_dict()}))
        else:
            if provenance.state != "none":
                _print_c2pa(provenance)
            fail(str(exc), 2)
        raise typer.Exit(2) from None

    status = "identical" if report.ok else ("refused" if not report.cutout_ok else "differs")
    # The banner's own signed manifest names its variant: a sidecar of another variant (whose
    # lineage, checks and approvals would then be vouched for) is caught even when the product
    # pixels match, as they do across the locales and formats of one SKU.
    foreign = provenance.variant_id is not None and provenance.variant_id != loaded.variant_id
    mismatch = f"the sidecar is of variant {loaded.variant_id}; the banner's manifest names {provenance.variant_id}"
    if foreign:
        c2pa_code = 1
    if as_json:
        extra = {"sidecar_variant_id": loaded.variant_id, "sidecar_matches_manifest": not foreign}
        print(json.dumps({**paths, "status": status, **report.to_dict(), **extra, "c2pa": provenance.to_dict()}))
    elif not report.cutout_ok:
        if provenance.state != "none":
            _print_c2pa(provenance)
        _err.print(f"[bold red]error:[/] {cutout_path}: {report.summary()}", highlight=False, soft_wrap=True)
    else:
        verdict = "OK" if report.ok and c2pa_code == 0 else "FAIL"
        _out.print(f"{verdict} {banner}: {report.summary()}", highlight=False)
        _out.print(
            f"  cut-out {report.cutout_sha256} ({cutout_path}) matches the sidecar ({sidecar_path})", highlight=False
        )
        layer = (
            "matches the sidecar" if report.layer_ok else f"does NOT match the sidecar's {report.expected_layer_sha256}"
        )
        _out.print(f"  placed layer {report.layer_sha256} {layer}", highlight=False)
        for problem in [*report.problems, *([mismatch] if foreign else [])]:
            _out.print(f"  - {escape(problem)}", highlight=False)
        if not report.ok and sniff_mime(data) == "image/jpeg":
            _out.print(
                "  note: a JPEG is a lossy copy (the channel rendition): check its PNG master, or use --c2pa-only",
                highlight=False,
            )
        elif report.banner_matches_lineage is False:
            _out.print(
                "  note: pixels outside the product differ from the recorded banner (text or scene edited)",
                highlight=False,
            )
        _print_c2pa(provenance)
    raise typer.Exit(2 if not report.cutout_ok else max(0 if report.ok else 1, c2pa_code))

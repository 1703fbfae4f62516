"""`vitrina review`: list, show, approve and reject variants (the designers' command line; the web
app is `vitrina serve`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipeline.errors import InputError
from pipeline.storage.audit import review_text
from pipeline.storage.store import ReviewError
from vitrina.cli.console import err, fail
from vitrina.cli.console import out as out_console
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store

review_app = typer.Typer(no_args_is_help=True, help="Review variants: list, show, approve, reject.")


@review_app.command("list")
def review_list(
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    status: Annotated[str, typer.Option(help="pending | approved | rejected | all")] = "pending",
    verdict: Annotated[str | None, typer.Option(help="passed | needs_review | blocked")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="only this run (default: all runs)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List variants with their verdict and review state."""
    if status not in ("pending", "approved", "rejected", "all"):
        fail(f"--status: {status!r}: use pending, approved, rejected or all", 2)
    if verdict not in (None, "passed", "needs_review", "blocked"):
        fail(f"--verdict: {verdict!r}: use passed, needs_review or blocked", 2)
    store = open_store(out, db)
    rows = store.variants(run_id=run_id, review=None if status == "all" else status, verdict=verdict)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "id": v.variant_id,
                        "sku": v.sku,
                        "scene": v.scene,
                        "format": v.format,
                        "locale": v.locale,
                        "verdict": v.verdict,
                        "review": v.review,
                        "reasons": v.reasons,
                    }
                    for v in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    from rich.cells import cell_len

    colour = {"passed": "green", "needs_review": "yellow", "blocked": "red"}
    out_console.print(f"[bold]{len(rows)} variants[/] (review status: {status})", highlight=False)
    if not rows:
        return
    # Columns as wide as their longest cell (in terminal cells: CJK scene names are two wide), so
    # a long format or scene name moves the columns after it, not just its own row.
    head = ("id", "sku", "scene", "format", "locale", "verdict", "review")
    cells = [(v.variant_id, v.sku, v.scene, v.format, v.locale, v.verdict, v.review) for v in rows]
    widths = [max(cell_len(row[i]) for row in (head, *cells)) for i in range(len(head))]

    def padded(row: tuple[str, ...]) -> list[str]:
        return [cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)]

    out_console.print(f"[dim]{escape('  '.join(padded(head)).rstrip())}[/]", highlight=False)
    for v, row in zip(rows, cells, strict=True):
        # Padded first, escaped after: escaping adds backslashes that do not show.
        line = padded(row)
        out_console.print(
            escape("  ".join(line[:5]) + "  ")
            + f"[{colour.get(v.verdict, 'default')}]{escape(line[5])}[/]  {escape(row[6])}",
            highlight=False,
        )
        for reason in v.reasons:
            out_console.print(f"    [dim]- {escape(reason)}[/]", highlight=False)


def _review_lineage(v: Any) -> list[tuple[str, str]]:
    """(label, text) lines of `review show`: how the variant was made, from its stored lineage
    (`pipeline.model.lineage.Lineage`). Hashes are shortened to 12 digits; the sidecar has them whole."""
    lin = v.lineage
    p, g, price, layout = lin.product, lin.generation, lin.price, lin.layout

    def box(b: Any) -> str:
        return ",".join(map(str, b))

    photo = f"{p.source}  sha256 {p.source_sha256[:12]}"
    if p.source_size:
        photo += f", {p.source_size[0]}x{p.source_size[1]}"
    if p.crop_box:
        photo += f", cut-out cropped at {box(p.crop_box)}"
    extras = ", ".join(f"{k}={json.dumps(val, ensure_ascii=False)[:60]}" for k, val in (g.model_extra or {}).items())
    copy = lin.copy_
    before = " ".join(x for x in (copy.prior_price, copy.discount) if x)
    lines = [
        ("photo", photo),
        (
            "cut-out",
            f"sha256 {p.cutout_sha256[:12]}, mask {p.mask_method} (confidence {p.mask_confidence:.2f}), "
            f"placed at {box(p.placement_box)}, scale {p.scale:.3f}, {p.resample}",
        ),
        ("scene", f"{lin.scene}: backend {g.backend}, seed {g.seed}" + (f", {extras}" if extras else "")),
        ("prompt", g.prompt),
        (
            "price",
            f"{price.amount} {price.currency}, market {price.market}"
            + (f", before {price.prior_price}" if price.prior_price else "")
            + (f", from catalog {lin.inputs.catalog}" if lin.inputs else ""),
        ),
        ("copy", " | ".join(x for x in (copy.headline, copy.subline, copy.price, before, copy.cta) if x)),
        ("legal", copy.legal),
        (
            "template",
            f"format {lin.format.id} {lin.format.size[0]}x{lin.format.size[1]}, layout {layout.family}"
            + (", right to left" if layout.rtl else "")
            + (f", omits {', '.join(layout.omits)}" if layout.omits else ""),
        ),
    ]
    if lin.inputs:
        lines.append(("brand", f"{lin.inputs.brand}  sha256 {lin.inputs.brand_sha256[:12]}"))
    versions = f"vitrina {lin.vitrina_version}"
    if lin.environment:
        env = lin.environment.model_dump()
        machine = env.pop("machine")
        versions += ", " + ", ".join(f"{k} {val}" for k, val in env.items() if val) + f" on {machine}"
    lines.append(("versions", versions))
    lines.append(("campaign", f"{lin.campaign_id}, run {v.run_id}, version {v.version}"))
    missing = lin.missing_for_audit()
    if missing:
        lines.append(("missing", f"{', '.join(missing)} (made by an older Vitrina)"))
    return lines


@review_app.command("show")
def review_show(
    variant: Annotated[str, typer.Argument(help="variant id")], out: OutOpt = DEFAULT_OUT, db: DbOpt = None
) -> None:
    """Everything about one variant: file, checks with reasons, lineage, audit trail."""
    store = open_store(out, db)
    try:
        v = store.variant(variant)
    except (ReviewError, InputError) as exc:
        fail(str(exc), 2)
    c = out_console
    from pipeline.checks.registry import spec_for
    from pipeline.checks.results import CheckResult, build_report

    results = [CheckResult.from_dict(d) for d in v.checks]
    report = build_report(results)
    rules = report.to_dict()["rules"]
    # The table's rows grouped by rule, as the brand score counts them (`CheckReport.rules`).
    groups: dict[str, list[dict[str, Any]]] = {}
    for stored in v.checks:
        spec = spec_for(stored["check"])
        groups.setdefault(spec.id if spec else stored["check"], []).append(stored)
    c.print(
        f"[bold]{escape(v.variant_id)}[/]  {escape(f'{v.sku} / {v.scene} / {v.format} / {v.locale}')}  "
        f"verdict [bold]{escape(v.verdict)}[/]  review {escape(v.review)}  brand score {report.brand_score:.2f} "
        f"({rules['passed']}/{rules['applicable']} rules passed, {rules['not_applicable']} not applicable)",
        highlight=False,
    )
    blob = store.blob_path(v.blob_sha)
    try:  # the browsable copy a run links: runs/<run_id>/<sku>/<scene>/<format>/<locale>.png
        browsable: Path | None = store.run_path(v.run_id, f"{v.sku}/{v.scene}/{v.format}/{v.locale}.png")
    except InputError:
        browsable = None
    if browsable is not None and browsable.exists():
        c.print(f"file:      {escape(str(browsable))}", highlight=False, soft_wrap=True)
    else:
        c.print(f"file:      [dim](no copy under runs/{escape(v.run_id)}/: the stored blob)[/]", highlight=False)
    c.print(f"blob:      {escape(str(blob))}", highlight=False, soft_wrap=True)
    c.print(f"lineage:   {escape(str(store.blob_path(v.blob_sha, '.json')))}", highlight=False, soft_wrap=True)
    for label, text in _review_lineage(v):
        c.print(f"  {label + ':':<9} {escape(text)}", highlight=False, soft_wrap=True)
    # One section per rule (what the brand score counts), one row per result within it.
    table = Table(title=f"checks: {len(groups)} rules (one section each), {len(results)} results")
    table.add_column("check", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("message", overflow="fold", ratio=1)
    table.add_column("region", no_wrap=True)
    for found in groups.values():
        for i, stored in enumerate(found):
            # Text, not str: a cell given a str is parsed as markup (OCR'd text lands here)
            region = ",".join(map(str, stored["box"])) if stored.get("box") else ""
            cells = (stored["check"], stored["verdict"], stored["message"], region)
            table.add_row(*(Text(str(cell)) for cell in cells), end_section=i == len(found) - 1)
    c.print(table)
    trail = store.audit(v.variant_id)
    if trail:
        c.print("audit:")
    for a in trail:
        line = f"  {a['at']}  {a['action']} by {a['actor']}" + (f": {a['reason']}" if a["reason"] else "")
        c.print(escape(line), highlight=False)


@review_app.command("approve")
def review_approve(
    variants: Annotated[list[str] | None, typer.Argument(help="variant ids")] = None,
    by: Annotated[str, typer.Option("--by", help="reviewer name, one line (recorded in the audit log)")] = "",
    all_passed: Annotated[
        bool, typer.Option("--all-passed", help="approve every pending variant whose checks all passed")
    ] = False,
    note: Annotated[str | None, typer.Option(help="note, one line (stored in the audit log)")] = None,
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
) -> None:
    """Approve variants (blocked variants cannot be approved)."""
    if not by.strip():
        fail("--by: '': a reviewer name is required", 2)
    try:  # the store refuses them per variant; one bad name is one input error, not N refusals
        review_text(by, "--by")
        review_text(note, "--note")
    except ReviewError as exc:
        fail(str(exc), 2)
    store = open_store(out, db)
    ids = list(variants or [])
    if all_passed:
        ids += [v.variant_id for v in store.variants(review="pending", verdict="passed")]
    if not ids:
        if all_passed:
            out_console.print("no pending variant whose checks all passed: nothing to approve")
            raise typer.Exit(0)
        fail("nothing to approve: give variant ids or --all-passed", 2)
    action = "auto-approved" if all_passed else None
    errors = 0
    for vid in ids:
        try:
            store.decide(vid, "approved", by, note, action=action)
        except ReviewError as exc:
            err.print(f"[red]refused:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            errors += 1
    out_console.print(f"approved {len(ids) - errors} variant(s)" + (f", {errors} refused" if errors else ""))
    raise typer.Exit(1 if errors else 0)


@review_app.command("reject")
def review_reject(
    variant: Annotated[str, typer.Argument(help="variant id")],
    by: Annotated[str, typer.Option("--by", help="reviewer name, one line (recorded in the audit log)")] = "",
    reason: Annotated[str, typer.Option("--reason", help="why, one line (shown to the marketer)")] = "",
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
) -> None:
    """Reject a variant with a reason."""
    store = open_store(out, db)
    try:
        store.decide(variant, "rejected", by, reason)
    except ReviewError as exc:
        fail(str(exc), 2)
    out_console.print(f"rejected {escape(variant)}", highlight=False)

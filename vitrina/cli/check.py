"""`vitrina check`: the compliance checks on their own, for designers and for automation.

    vitrina check copy "TEXT" --locale de-DE --brand DIR [--sku SKU] [--catalog FEED] [--campaign BRIEF] [--json]
    vitrina check copy --locale fr-FR --brand DIR -- "-25 % sur tout"   (text after --: never an option)
    vitrina check image PATH --brand DIR [--format FORMAT] [--sidecar JSON] [--json]
    vitrina check list [--brand DIR]

Exit codes: 0 passes; 1 something was flagged (needs review or blocked); 2 bad input.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand

from pipeline.errors import InputError, VitrinaError
from pipeline.model.campaign import DEFAULT_PROMPTS
from vitrina.cli.console import fail as _fail
from vitrina.cli.console import out as _out

check_app = typer.Typer(no_args_is_help=True, help="Check copy or an image against the brand guide and the data.")

# The verdict words of the command-line contract (the pipeline says passed/needs_review/blocked).
CLI_VERDICT = {"passed": "pass", "needs_review": "needs_review", "blocked": "block", "not_applicable": "n/a"}
STYLE = {"pass": "green", "needs_review": "yellow", "block": "red", "n/a": "dim"}

BrandOpt = Annotated[Path, typer.Option("--brand", help="brand folder (holds brand.yaml)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output on stdout")]


def _load_brand(folder: Path) -> Any:
    from pipeline.model.brand import load_brand

    return load_brand(folder)


#: A word click would read as a long option, misspelt or not (--lokale, --on=2026-12-01).
_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9_-]*(=.*)?", re.DOTALL)


def _is_option(word: str, names: set[str]) -> bool:
    return word in names or (word.startswith("--") and word.split("=", 1)[0] in names)


def _text_last(args: list[str], names: set[str], takes_value: set[str]) -> list[str]:
    """`args` with the copy text moved behind ``--`` where click would read it as an option.

    `check copy` has one argument and no short options, so a word that starts with '-' and is
    neither an option nor an option's value is the text ("-25 % sur tout", "-20%"); a word shaped
    like a long option (``--lokale``) stays where it is, for click to call it a wrong option.
    ``-- TEXT --locale fr-FR ...`` (the text first, then the options) is read the same way."""
    if "--" in args:
        at = args.index("--")
        rest = args[at + 1 :]
        if len(rest) > 1 and _is_option(rest[1], names):
            return args[:at] + rest[1:] + ["--", rest[0]]
        return args
    i = 0
    while i < len(args):
        word = args[i]
        if word in takes_value:
            i += 2
            continue
        if word.startswith("-") and len(word) > 1 and not _is_option(word, names) and not _LONG_OPTION.fullmatch(word):
            return args[:i] + args[i + 1 :] + ["--", word]
        i += 1
    return args


class _CopyTextCommand(TyperCommand):
    """`check copy`, whose text may start with '-' (click reads such a word as an option): see
    `_text_last`. A word still read as an unknown option is one error line with the command to type.

    Parameters and errors are told apart by their click names, not classes: Typer 0.12 uses click,
    later versions a copy of it (`typer._click`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        names: set[str] = set()
        takes_value: set[str] = set()
        for param in self.get_params(ctx):
            if param.param_type_name == "option":
                for name in (*param.opts, *param.secondary_opts):
                    names.add(name)
                    if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
                        takes_value.add(name)
        args = _text_last(list(args), names, takes_value)
        try:
            return list(super().parse_args(ctx, args))
        except Exception as exc:
            if type(exc).__name__ != "NoSuchOption":
                raise
            _fail(_no_such_option(exc, args, takes_value))


def _no_such_option(exc: Any, args: Sequence[str], takes_value: set[str]) -> str:
    """One line: the unknown option, the option meant if click has a guess, and, when the word can
    be the copy text (no other text was given), the whole command with the text after ``--``."""
    name = str(exc.option_name)
    word = next((a for a in args if a == name or a.startswith(f"{name}=")), name)
    others = [a for a in args if a != word and a != "--"]
    possible = sorted(getattr(exc, "possibilities", None) or ())
    line = f"no such option: {name}" + (f" (did you mean {' or '.join(possible)}?)" if possible else "")
    texts, i = 0, 0
    while i < len(others):  # words that are neither options nor their values: the text given
        texts += not others[i].startswith("-")
        i += 2 if others[i] in takes_value else 1
    if texts:
        return f"{line}; see vitrina check copy --help"
    command = shlex.join(["vitrina", "check", "copy", *others, "--", word])
    return f"{line}; if {word!r} is the copy text, put -- before it: {command}"


@check_app.command("copy", cls=_CopyTextCommand)
def check_copy_cmd(
    text: Annotated[
        str, typer.Argument(help="the copy line to check (may start with '-'; after -- it always is the text)")
    ],
    locale: Annotated[str, typer.Option("--locale", help="campaign locale, e.g. de-DE")],
    brand_dir: BrandOpt,
    sku: Annotated[str | None, typer.Option("--sku", help="SKU the copy advertises (claims, price, stock)")] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="catalog feed CSV (price_history.csv next to it is read too)")
    ] = None,
    campaign: Annotated[
        Path | None, typer.Option("--campaign", help="campaign brief: dates, discount, catalog")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="day the copy runs, YYYY-MM-DD (default: the campaign's start, else today)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Misleading claims, banned words and unsupported offers in one copy line.

    Copy that starts with '-' is read as the copy text.
    Whatever follows -- is always the text, even "--json":
    vitrina check copy --locale fr-FR --brand DIR -- "-25 % sur tout"
    """
    from pipeline.checks.claims import CopyContext, find_claims
    from pipeline.model.locales import locale_info

    try:
        loc = locale_info(locale)
    except InputError as exc:
        _fail(f"--locale: {exc.args[0]}")
    try:
        brand = _load_brand(brand_dir)
        if loc.code not in brand.locales:
            _fail(f"--locale: {loc.code}: not one of the brand's locales ({', '.join(brand.locales)})")
        day, ends, percent, feed = _campaign_facts(campaign, catalog, on)
        item = None
        if sku is not None:
            if feed is None:
                _fail("--sku needs --catalog FEED or --campaign BRIEF (prices, stock and history come from the feed)")
            if sku not in feed.skus:
                _fail(f"--sku: {sku}: not in the catalog {feed.path}")
            item = feed.item(sku, loc.market)
            if item is None:
                _fail(f"--sku: {sku}: not listed for market {loc.market} in {feed.path}")
        banned = tuple(brand.tone.banned_words) + tuple(brand.tone.banned_words_by_locale.get(loc.code, []))
        ctx = CopyContext(
            locale=loc,
            on=day,
            claims=tuple(brand.claims),
            banned_words=banned,
            sku=sku,
            item=item,
            campaign_ends=ends,
            announced_percent=percent,
        )
        findings = find_claims(text, ctx)
    except VitrinaError as exc:
        _fail(str(exc))
    worst = max((f.severity for f in findings), key=lambda v: v.rank, default=None)
    verdict = CLI_VERDICT[worst.value] if worst else "pass"
    rows: list[dict[str, Any]] = [
        {
            "rule": f.rule,
            "category": f.category,
            "span": list(f.span),
            "text": f.matched,
            "severity": CLI_VERDICT[f.severity.value],
            "message": f.message,
        }
        for f in findings
    ]
    payload = {"verdict": verdict, "findings": rows}
    if as_json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        _out.print(f"[bold {STYLE[verdict]}]{verdict}[/]  {escape(text)}", highlight=False)
        for f in rows:
            _out.print(
                f"  [{STYLE[f['severity']]}]{f['severity']}[/] {f['rule']} "
                f"[dim]{f['span'][0]}-{f['span'][1]}[/] {escape(repr(f['text']))}: {escape(f['message'])}",
                highlight=False,
            )
    raise typer.Exit(0 if verdict == "pass" else 1)


def _campaign_facts(
    campaign: Path | None, catalog: Path | None, on: str | None
) -> tuple[date, date | None, int | None, Any]:
    """(day the copy runs, campaign end, announced discount, catalog) from the options given."""
    from pipeline.model.campaign import load_campaign
    from pipeline.model.catalog import load_catalog

    ends = percent = feed = None
    day = date.today()
    if campaign is not None:
        loaded = load_campaign(campaign, DEFAULT_PROMPTS)
        day, ends, feed = loaded.brief.starts, loaded.brief.ends, loaded.catalog
        percent = loaded.brief.discount.percent if loaded.brief.discount else None
    if catalog is not None:
        history = catalog.with_name("price_history.csv")
        # The copy checks read prices and titles only and never open a product image, so image
        # paths are not confined here (a campaign run confines them to its images root).
        feed = load_catalog(catalog, history if history.is_file() else None, images_root=Path(catalog.resolve().anchor))
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            _fail(f"--on: {on}: not a date (YYYY-MM-DD)")
    return day, ends, percent, feed


@check_app.command("image")
def check_image_cmd(
    path: Annotated[Path, typer.Argument(help="banner image (PNG or JPEG)")],
    brand_dir: BrandOpt,
    format_id: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="channel format id (default: from the sidecar, else the brand format with the image's size)",
        ),
    ] = None,
    sidecar: Annotated[
        Path | None,
        typer.Option(
            "--sidecar",
            help="lineage JSON Vitrina wrote for this image "
            "(default: PATH with .json next to it, or the "
            "output folder's copy found by the image's hash)",
        ),
    ] = None,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="look for stray text with OCR")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Brand, safety and quality checks on one image; a Vitrina sidecar adds the layout it was made with."""
    from pipeline.checks.image import (
        IMAGE_CHECKS,
        ImageContext,
        context_from_lineage,
        run_image_checks,
        settings_from_policy,
    )
    from pipeline.checks.results import build_report
    from pipeline.imaging.imageio import open_image

    try:
        brand = _load_brand(brand_dir)
        # The one pixel limit, from the header before decoding; a bomb or a broken file is one line.
        opened = open_image(path)
        source_format = opened.format
        quantization = getattr(opened, "quantization", None)  # JPEG tables: the quality estimate
        image = opened.convert("RGB")
        del opened
        lineage = _read_sidecar(path, sidecar)
        ctx = context_from_lineage(lineage, brand) if lineage else ImageContext()
        fmt = ctx.format
        if format_id is not None:
            if format_id not in brand.format_by_id:
                _fail(f"--format: {format_id}: not one of the brand's formats ({', '.join(brand.format_by_id)})")
            fmt = brand.format_by_id[format_id]
        elif fmt is None:
            fmt = next((f for f in brand.formats if f.size == image.size), None)
        ctx = replace(ctx, format=fmt, source_format=source_format, jpeg_quantization=quantization)
        logo = open_image(brand.logo_path, "logo").convert("RGBA")
        enabled = [c.id for c in IMAGE_CHECKS if brand.checks.runs(c.id)]
        results = run_image_checks(
            image, brand, ctx, settings_from_policy(brand.checks.image), logo=logo, ocr=ocr, enabled=enabled
        )
    except VitrinaError as exc:
        _fail(str(exc))
    report = build_report(results, brand.checks.disabled).to_dict()
    verdict = CLI_VERDICT[report["verdict"]]
    payload = {
        "image": str(path),
        "format": fmt.id if fmt else None,
        "sidecar": bool(lineage),
        **report,
        "verdict": verdict,
    }
    if as_json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        _out.print(
            f"[bold {STYLE[verdict]}]{verdict}[/]  {escape(str(path))}  brand score {report['brand_score']:.2f}"
            f"  ({fmt.id if fmt else 'no format: safe zones and resolution not checked'})",
            highlight=False,
        )
        for r in report["results"]:
            v = CLI_VERDICT[r["verdict"]]
            box = f" [dim]box {tuple(r['box'])}[/]" if r.get("box") else ""
            _out.print(f"  [{STYLE[v]}]{v:12}[/] {r['check']}: {escape(r['message'])}{box}", highlight=False)
    raise typer.Exit(0 if verdict == "pass" else 1)


def _read_sidecar(image_path: Path, sidecar: Path | None) -> dict[str, Any] | None:
    """The lineage from Vitrina's sidecar for this image (None when there is none to find)."""
    from pipeline.storage.sidecar import load_sidecar

    candidate: Path | None = sidecar
    if candidate is None:  # next to the image, else in the Vitrina output folder it lies in (runs/ links), by hash
        from vitrina.cli.verify import sidecar_candidates, store_root

        root = store_root(image_path, None)
        candidates = sidecar_candidates(image_path, image_path.read_bytes() if root else b"", root)
        candidate = next((c for c in candidates if c.is_file()), None)
        if candidate is None:
            return None
    try:
        return load_sidecar(candidate).lineage.model_dump(mode="json")
    except VitrinaError as exc:
        _fail(f"--sidecar: {exc}" if sidecar is not None else str(exc))


@check_app.command("list")
def list_checks(
    brand_dir: Annotated[Path | None, typer.Option("--brand", help="show what this brand runs")] = None,
) -> None:
    """Every check Vitrina knows: id, category, what it needs, whether the brand runs it."""
    from pipeline.checks.registry import CHECKS

    brand = None
    if brand_dir is not None:
        try:
            brand = _load_brand(brand_dir)
        except VitrinaError as exc:
            _fail(str(exc))
    table = Table("check", "category", "needs", "runs" if brand else "mandatory", "what it verifies")
    for spec in CHECKS.values():
        runs = ("yes" if brand.checks.runs(spec.id) else "disabled") if brand else ("yes" if spec.mandatory else "")
        table.add_row(spec.id, spec.category, ", ".join(spec.needs), runs, spec.description)
    _out.print(table)

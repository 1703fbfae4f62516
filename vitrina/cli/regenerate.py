"""`vitrina regenerate ID --out DIR`: rebuild a stored variant from its lineage, byte for byte.

Uses the variant's lineage, the cut-out kept in the output folder and the brand guide the lineage
names (relative to the run's brief; `--brand DIR` when it has moved). Prints whether the rebuilt
PNG is byte-identical and, when not, the first difference (a lineage field, the first differing
pixel and the box around all of them, or the PNG encoding) and the library versions that differ
from the recorded ones (`pipeline.regenerate`).

Exit codes: 0 identical; 1 not identical; 2 bad input (no such variant, a lineage of an older
Vitrina, the cut-out or brand guide missing, a --save path that cannot be written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from pipeline.errors import VitrinaError
from pipeline.regenerate import regenerate_stored
from pipeline.storage.files import atomic_write
from vitrina.cli.console import fail
from vitrina.cli.console import out as _out
from vitrina.cli.options import DEFAULT_OUT, DbOpt, OutOpt, open_store

__all__ = ["regenerate"]


def regenerate(
    variant: Annotated[str, typer.Argument(help="variant id (as `vitrina review list` shows it)")],
    out: OutOpt = DEFAULT_OUT,
    db: DbOpt = None,
    brand: Annotated[
        Path | None,
        typer.Option("--brand", help="brand guide folder (default: the one the lineage names, by the run's brief)"),
    ] = None,
    save: Annotated[Path | None, typer.Option("--save", help="write the rebuilt PNG here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Rebuild a variant from its stored lineage and report byte-identical or the first difference."""
    store = open_store(out, db)
    try:
        report = regenerate_stored(store, variant, brand_dir=brand)
    except VitrinaError as exc:
        if as_json:
            print(json.dumps({"variant_id": variant, "status": "bad_input", "error": str(exc)}))
            raise typer.Exit(2) from None
        fail(str(exc), 2)
    finally:
        store.close()
    if save is not None:
        try:
            if save.is_dir():
                raise IsADirectoryError(21, "is a folder; name the PNG file to write")
            save.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(save, report.png)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename and exc.filename != str(save) else ""
            fail(f"--save {save}: cannot write: {exc.strerror or exc}{where}", 2)
    if as_json:
        status = "identical" if report.identical else "differs"
        print(json.dumps({"status": status, **report.to_dict(), "saved": str(save) if save else None}))
    else:
        _out.print(f"{'OK' if report.identical else 'FAIL'} {escape(report.summary())}", highlight=False)
        for line in report.field_differences:
            if line != report.first_difference:
                _out.print(f"  lineage: {escape(line)}", highlight=False)
        for name, (recorded, here) in report.versions_differ.items():
            _out.print(f"  version: {name} recorded {recorded}, here {here}", highlight=False)
        for note in report.notes:
            _out.print(f"  note: {escape(note)}", highlight=False)
        if save is not None:
            _out.print(f"  rebuilt PNG written to {escape(str(save))}", highlight=False)
    raise typer.Exit(0 if report.identical else 1)

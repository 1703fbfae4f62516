"""Build Vitrina's hostile-input corpus: what an attacker or a careless user hands the CLI.

    python scripts/hostile_corpus.py DEST [CASE ...]

writes one folder per case into DEST (all cases, or the named ones): a small campaign copied from
the demo (brand guide, brief, catalog, packshots; 1-2 SKUs, 1 scene, 1 format, 1 locale) with one
thing broken on purpose, plus ``DEST/cases.json`` and, on stdout, the `vitrina` command that runs
each case. ``{case}`` in a command or an expectation stands for the case's folder.

What Vitrina must do with every case (tests/test_hostile_inputs.py runs them all): exit 2 with one
line on stderr naming the file, field or value (exit 1 when only one SKU is bad: that SKU is skipped
with its reason and the other SKUs' variants are written), never a traceback, nothing written
outside ``--out``, bounded memory, and no code from the inputs run.

Only the standard library, PyYAML and Pillow are used; nothing here imports Vitrina.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"
BRAND = REPO / "brand_guides" / "halden"

#: The demo SKUs the cases use: GOOD is never broken, BAD is the one a case breaks.
GOOD = "B074M5HPBD"  # AmazonBasics bulb: the smallest packshots
BAD = "B07GTFSCHB"  # Solimo vitamin E

__all__ = ["CASES", "Case", "build", "build_all", "png_declaring", "compressed_bomb"]


@dataclass(frozen=True)
class Case:
    """One hostile input and what Vitrina must answer.

    args: the `vitrina` arguments (``{case}`` is the case folder). exit_code: 2 for a refused input,
    1 when one SKU is skipped and the others finish. mentions: what the error line (exit 2) or the
    skipped SKU's reason (exit 1) must contain. good_skus: SKUs whose variants must exist afterwards.
    marker: a file the attack would create if its code ran (it must not exist afterwards).
    before: what the landed main did with it (for the closing table of issue 11).
    """

    name: str
    attack: str
    args: tuple[str, ...]
    exit_code: int
    mentions: tuple[str, ...]
    before: str
    good_skus: tuple[str, ...] = ()
    marker: str | None = None

    def expanded(self, case_dir: Path) -> Case:
        """This case with ``{case}`` replaced by the case folder."""

        def sub(text: str) -> str:
            return text.replace("{case}", str(case_dir))

        return Case(
            self.name,
            self.attack,
            tuple(sub(a) for a in self.args),
            self.exit_code,
            tuple(sub(m) for m in self.mentions),
            self.before,
            self.good_skus,
            sub(self.marker) if self.marker else None,
        )


# --- building blocks -------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int, colour_type: int = 0, bit_depth: int = 1) -> bytes:
    """A PNG whose header declares ``width x height`` and whose pixel data really is that big, as a
    zlib stream of zero rows (a real decompression bomb: it decodes, it is not merely truncated).

    Built row by row into a streaming compressor, so writing a 20000x20000 bomb costs megabytes of
    memory, not gigabytes; the file is about a thousandth of the decoded size.
    """
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\0" * (1 + (width * channels * bit_depth + 7) // 8)  # filter byte + zero pixels
    packer = zlib.compressobj(9)
    parts = []
    block = row * max(1, 4_000_000 // len(row))
    rows_per_block = len(block) // len(row)
    left = height
    while left > 0:
        n = min(left, rows_per_block)
        parts.append(packer.compress(block if n == rows_per_block else row * n))
        left -= n
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


@cache
def compressed_bomb() -> bytes:
    """20000 x 20000 pixels (400 MP, above Pillow's own error threshold) in about 50 kB."""
    return png_declaring(20_000, 20_000)


@cache
def huge_rgb_png() -> bytes:
    """9000 x 9000 RGB (81 MP, just below Pillow's own warning at 89.5 MP) in about 250 kB: Pillow
    alone would decode it (243 MB), and the image checks would then work on it for gigabytes."""
    return png_declaring(9_000, 9_000, colour_type=2, bit_depth=8)


def truncated_png() -> bytes:
    """A real packshot re-encoded as PNG and cut in the middle of its pixel data."""
    with Image.open(next((DEMO / "products" / BAD).glob("*.jpg"))) as photo:
        buffer = io.BytesIO()
        photo.convert("RGB").save(buffer, format="PNG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


def _base(case_dir: Path, skus: tuple[str, ...] = (BAD, GOOD)) -> Path:
    """Copy the demo brand and campaign into case_dir, cut to ``skus``, 1 scene, 1 format, en-US.

    Returns the brief's path. Derived from the demo as it is now, so a fix to the demo (a new
    field the loader requires) reaches every case.
    """
    shutil.copytree(BRAND, case_dir / "brand_guides" / "halden")
    shutil.copytree(DEMO / "catalog", case_dir / "demo" / "catalog")
    for sku in skus:
        shutil.copytree(DEMO / "products" / sku, case_dir / "demo" / "products" / sku)
    shutil.copy2(DEMO / "campaign.yaml", case_dir / "demo" / "campaign.yaml")
    brief = case_dir / "demo" / "campaign.yaml"

    def cut(data: dict[str, Any]) -> None:
        data["scenes"] = data["scenes"][:1]
        data["formats"] = ["square"]
        data["locales"] = ["en-US"]
        data["copy"] = {"en-US": data["copy"]["en-US"]}
        data.pop("skus", None)

    edit_brief(brief, cut)
    for name in ("catalog.csv", "price_history.csv"):
        edit_csv(case_dir / "demo" / "catalog" / name, lambda rows: [r for r in rows if r["sku"] in skus])
    return brief


def edit_brief(brief: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    change(data)
    brief.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_csv(path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        rows = change(list(reader))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _catalog(case_dir: Path) -> Path:
    return case_dir / "demo" / "catalog" / "catalog.csv"


def _set_rows(case_dir: Path, sku: str, market: str | None = None, **values: str) -> None:
    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["sku"] == sku and (market is None or row["market"] == market):
                row.update(values)
        return rows

    edit_csv(_catalog(case_dir), change)


def _only_image(case_dir: Path, sku: str, name: str, data: bytes) -> None:
    """Make ``name`` (written with ``data``) the SKU's only packshot."""
    (case_dir / "demo" / "products" / sku / name).write_bytes(data)
    _set_rows(case_dir, sku, images=f"../products/{sku}/{name}")


def _rename_sku(case_dir: Path, new: str) -> None:
    for name in ("catalog.csv", "price_history.csv"):
        edit_csv(
            case_dir / "demo" / "catalog" / name,
            lambda rows: [{**r, "sku": new} if r["sku"] == BAD else r for r in rows],
        )


RUN = ("run", "{case}/demo/campaign.yaml", "--out", "{case}/out")
BRIEF_FILE = "{case}/demo/campaign.yaml"
CATALOG_FILE = "{case}/demo/catalog/catalog.csv"


# --- the cases ---------------------------------------------------------------------------------


#: The three bad-packshot SKUs of `packshots-bad` (copies of BAD's rows), their file and its content.
BAD_PACKSHOTS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "BOMB-1": ("bomb.png", lambda: compressed_bomb()),
    "TRUNCATED-1": ("cut.png", lambda: truncated_png()),
    "NOTIMAGE-1": ("photo.png", lambda: b"<html><body>this is not a photo</body></html>\n"),
}


def _packshots_bad(d: Path) -> None:
    """One run, one good SKU and three whose only packshot is hostile (one Prefect start, not three)."""
    _base(d)
    for sku, (name, data) in BAD_PACKSHOTS.items():
        folder = d / "demo" / "products" / sku
        folder.mkdir()
        (folder / name).write_bytes(data())
    for table in ("catalog.csv", "price_history.csv"):

        def clone(rows: list[dict[str, str]]) -> list[dict[str, str]]:
            out = [r for r in rows if r["sku"] != BAD]
            for sku, (name, _) in BAD_PACKSHOTS.items():
                for r in rows:
                    if r["sku"] == BAD:
                        out.append(
                            {**r, "sku": sku, **({"images": f"../products/{sku}/{name}"} if "images" in r else {})}
                        )
            return out

        edit_csv(d / "demo" / "catalog" / table, clone)
    shutil.rmtree(d / "demo" / "products" / BAD)


def _logo_bomb(d: Path) -> None:
    _base(d, (GOOD,))
    (d / "brand_guides" / "halden" / "logo.png").write_bytes(compressed_bomb())


def _check_image_huge(d: Path) -> None:
    _base(d, (GOOD,))
    (d / "huge.png").write_bytes(huge_rgb_png())


def _check_image_bomb(d: Path) -> None:
    _base(d, (GOOD,))
    (d / "bomb.png").write_bytes(compressed_bomb())


def _verify_bomb(d: Path) -> None:
    d.mkdir(parents=True)
    (d / "bomb.png").write_bytes(compressed_bomb())
    (d / "bomb.json").write_text("{}", encoding="utf-8")
    (d / "cutout.png").write_bytes(huge_rgb_png())


def _verify_not_image(d: Path) -> None:
    d.mkdir(parents=True)
    (d / "banner.png").write_bytes(b"GIF89a but not really\n")
    (d / "banner.json").write_text("{}", encoding="utf-8")


def _yaml_alias_bomb(d: Path) -> None:
    brief = _base(d, (GOOD,))
    # The campaign's name (a string) given as nested lists whose aliases expand to 9**9 strings: a
    # loader that expands them and then repr()s the value in its error runs for minutes and GBs.
    lines = ["name:", '  - &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"  - &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    text = "\n".join(line for line in brief.read_text(encoding="utf-8").splitlines() if not line.startswith("name:"))
    brief.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _yaml_duplicate_keys(d: Path) -> None:
    brief = _base(d, (GOOD,))
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text + "seed: 8\n", encoding="utf-8")  # `seed: 7` is already there


def _csv_not_utf8(d: Path) -> None:
    _base(d)
    path = _catalog(d)
    text = path.read_text(encoding="utf-8").replace("Solimo vitamin E", "Solimo Vitamin E Größe")
    path.write_bytes(text.encode("cp1252"))


def _csv_short_row(d: Path) -> None:
    _base(d)
    path = _catalog(d)
    path.write_text(path.read_text(encoding="utf-8") + f"{BAD},US,Solimo vitamin E\n", encoding="utf-8")


def _sku_dotdot(d: Path) -> None:
    _base(d)
    _rename_sku(d, "../../../x")


def _sku_absolute(d: Path) -> None:
    _base(d)
    # An absolute path inside the case folder, so a run that obeys it writes where the test looks
    # (and never into the real root of the machine).
    _rename_sku(d, str(d / "abs" / "path"))


def _template_traversal(d: Path) -> None:
    brief = _base(d, (GOOD,))

    def change(data: dict[str, Any]) -> None:
        data["scenes"][0]["template"] = "../../../../../../../../etc/passwd"

    edit_brief(brief, change)


def _jinja_code_execution(d: Path) -> None:
    brief = _base(d, (GOOD,))
    prompts = d / "demo" / "prompts"
    prompts.mkdir()
    payload = f"{{{{ cycler.__init__.__globals__.os.popen('id > {d / 'pwned'}').read() }}}}"
    (prompts / "evil.j2").write_text(f"product photo of {{{{ product }}}} {payload}\n", encoding="utf-8")

    def change(data: dict[str, Any]) -> None:
        data["prompts"] = "prompts"
        data["scenes"][0]["template"] = "evil.j2"

    edit_brief(brief, change)


def _copy_bidi(d: Path) -> None:
    brief = _base(d, (GOOD,))

    def change(data: dict[str, Any]) -> None:
        data["copy"]["en-US"]["headline"] = "Winter \u202eselas\u202c essentials"  # RIGHT-TO-LEFT OVERRIDE

    edit_brief(brief, change)


def _copy_control(d: Path) -> None:
    brief = _base(d, (GOOD,))

    def change(data: dict[str, Any]) -> None:
        data["copy"]["en-US"]["subline"] = "Everyday \x1b[31mfavourites\x07"  # ANSI escape and BEL

    edit_brief(brief, change)


def _negative_stock(d: Path) -> None:
    _base(d)
    _set_rows(d, BAD, "US", stock="-5")


def _wrong_currency(d: Path) -> None:
    _base(d)
    _set_rows(d, BAD, "DE", currency="GBP")  # a DE row in pounds: the banner said "9,99 £"


def _price_twice_on_one_date(d: Path) -> None:
    _base(d)
    path = d / "demo" / "catalog" / "price_history.csv"
    with path.open(encoding="utf-8") as f:
        first = next(r for r in csv.DictReader(f) if r["sku"] == BAD and r["market"] == "US")
    path.write_text(path.read_text(encoding="utf-8") + f"{BAD},US,{first['date']},13.49\n", encoding="utf-8")


def _duplicate_scene_ids(d: Path) -> None:
    brief = _base(d, (GOOD,))

    def change(data: dict[str, Any]) -> None:
        data["scenes"] = [data["scenes"][0], {**data["scenes"][0], "mood": "a second scene, same id"}]

    edit_brief(brief, change)


def _empty_sku_selection(d: Path) -> None:
    brief = _base(d, (GOOD,))

    def change(data: dict[str, Any]) -> None:
        data["skus"] = []

    edit_brief(brief, change)


_BUILDERS: dict[str, Callable[[Path], None]] = {}


def _case(builder: Callable[[Path], None], case: Case) -> Case:
    _BUILDERS[case.name] = builder
    return case


CASES: tuple[Case, ...] = (
    _case(
        _packshots_bad,
        Case(
            "packshots-bad",
            "three SKUs whose only packshot is a 400 MP PNG bomb (50 kB), a PNG cut in half, HTML named .png",
            RUN,
            1,
            ("BOMB-1", "bomb.png", "too large", "TRUNCATED-1", "cut.png", "truncated", "NOTIMAGE-1", "photo.png"),
            "the same: each bad SKU skipped with its reason, the good one made (exit 1)",
            good_skus=(GOOD,),
        ),
    ),
    _case(
        _logo_bomb,
        Case(
            "logo-bomb",
            "the brand logo is a 400 MP PNG bomb",
            RUN,
            2,
            ("logo",),
            "exit 3, internal error DecompressionBombError (brand loader)",
        ),
    ),
    _case(
        _check_image_huge,
        Case(
            "check-image-huge",
            "`check image` on an 81 MP PNG (250 kB, below Pillow's own limit)",
            ("check", "image", "{case}/huge.png", "--brand", "{case}/brand_guides/halden", "--no-ocr"),
            2,
            ("huge.png", "too large"),
            "decoded and checked (exit 1): 1.3 GB RSS with --no-ocr, 2.6 GB reported with OCR",
        ),
    ),
    _case(
        _check_image_bomb,
        Case(
            "check-image-bomb",
            "`check image` on a 400 MP PNG bomb",
            ("check", "image", "{case}/bomb.png", "--brand", "{case}/brand_guides/halden", "--no-ocr"),
            2,
            ("bomb.png", "too large"),
            "exit 3, internal error DecompressionBombError",
        ),
    ),
    _case(
        _verify_bomb,
        Case(
            "verify-bomb",
            "`verify` on a 400 MP PNG bomb",
            ("verify", "{case}/bomb.png", "--sidecar", "{case}/bomb.json", "--cutout", "{case}/cutout.png"),
            2,
            ("bomb.png", "too large"),
            "exit 3, internal error DecompressionBombError",
        ),
    ),
    _case(
        _verify_not_image,
        Case(
            "verify-not-image",
            "`verify` on a text file named .png",
            ("verify", "{case}/banner.png", "--sidecar", "{case}/banner.json", "--cutout", "{case}/banner.png"),
            2,
            ("banner.png", "not an image"),
            "exit 2, one line quoting Pillow's message",
        ),
    ),
    _case(
        _yaml_alias_bomb,
        Case(
            "yaml-alias-bomb",
            "a 1 kB brief whose aliases expand to 9**9 strings",
            RUN,
            2,
            ("campaign.yaml",),
            "exit 2 after 82 s and 5.8 GB RSS (the expanded value is repr-ed)",
        ),
    ),
    _case(
        _yaml_duplicate_keys,
        Case(
            "yaml-duplicate-keys",
            "the brief sets `seed` twice",
            RUN,
            2,
            ("campaign.yaml", "seed"),
            "exit 0, the last value wins",
        ),
    ),
    _case(
        _csv_not_utf8,
        Case(
            "csv-not-utf8",
            "the catalog is cp1252, not UTF-8",
            RUN,
            2,
            ("catalog.csv", "UTF-8"),
            "exit 3, internal error UnicodeDecodeError",
        ),
    ),
    _case(
        _csv_short_row,
        Case(
            "csv-short-row",
            "a catalog row with 3 of 7 fields",
            RUN,
            2,
            ("catalog.csv",),
            "exit 3, internal error AttributeError",
        ),
    ),
    _case(
        _sku_dotdot,
        Case(
            "sku-dotdot",
            "a SKU named ../../../x",
            RUN,
            2,
            ("catalog.csv", "../../../x"),
            "exit 0, a PNG written outside --out (at {case}/x/...)",
        ),
    ),
    _case(
        _sku_absolute,
        Case(
            "sku-absolute",
            "a SKU that is an absolute path",
            RUN,
            2,
            ("catalog.csv", "{case}/abs/path"),
            "exit 0, a PNG written at the absolute path",
        ),
    ),
    _case(
        _template_traversal,
        Case(
            "template-traversal",
            "a scene template ../../../../../../../../etc/passwd",
            RUN,
            2,
            ("campaign.yaml", "etc/passwd"),
            "passes the load check; exit 3, TemplateNotFound and a 114-line traceback",
        ),
    ),
    _case(
        _jinja_code_execution,
        Case(
            "jinja-code-execution",
            "a prompt template that calls os.popen through cycler.__init__.__globals__",
            RUN,
            2,
            ("evil.j2",),
            "exit 0, the command ran (its output file was written)",
            marker="{case}/pwned",
        ),
    ),
    _case(
        _copy_bidi,
        Case(
            "copy-bidi-override",
            "a headline with U+202E RIGHT-TO-LEFT OVERRIDE",
            RUN,
            2,
            ("campaign.yaml", "headline"),
            "exit 0 (the variant went to review)",
        ),
    ),
    _case(
        _copy_control,
        Case(
            "copy-control-chars",
            "a subline with an ANSI escape and BEL",
            RUN,
            2,
            ("campaign.yaml", "subline"),
            "exit 0 (the variant was blocked)",
        ),
    ),
    _case(
        _negative_stock,
        Case(
            "negative-stock",
            "stock -5",
            RUN,
            2,
            ("catalog.csv", "stock"),
            "exit 0",
        ),
    ),
    _case(
        _wrong_currency,
        Case(
            "wrong-currency",
            "a DE row priced in GBP",
            RUN,
            2,
            ("catalog.csv", "GBP"),
            "exit 0",
        ),
    ),
    _case(
        _price_twice_on_one_date,
        Case(
            "price-twice-one-date",
            "two prices for one SKU, market and date in the price history",
            RUN,
            2,
            ("price_history.csv",),
            "exit 0",
        ),
    ),
    _case(
        _duplicate_scene_ids,
        Case(
            "duplicate-scene-ids",
            "two scenes with the same id",
            RUN,
            2,
            ("campaign.yaml", "calm-sweep"),
            "exit 0, two variants written under one scene id",
        ),
    ),
    _case(
        _empty_sku_selection,
        Case(
            "empty-sku-selection",
            "`skus: []`",
            RUN,
            2,
            ("campaign.yaml", "skus"),
            "exit 0, nothing made",
        ),
    ),
)


def build(name: str, dest: Path) -> Case:
    """Write case ``name`` into ``dest/name`` (which must not exist) and return it, expanded."""
    case = next(c for c in CASES if c.name == name)
    case_dir = Path(dest).resolve() / name
    _BUILDERS[name](case_dir)
    return case.expanded(case_dir)


def build_all(dest: Path, names: list[str] | None = None) -> list[Case]:
    """Write every case (or the named ones) into ``dest`` and ``dest/cases.json``; return them."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(names or []) - {c.name for c in CASES})
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(c.name for c in CASES)}")
    built = [build(c.name, dest) for c in CASES if not names or c.name in names]
    (dest / "cases.json").write_text(json.dumps([asdict(c) for c in built], indent=2) + "\n", encoding="utf-8")
    return built


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\ncases: " + ", ".join(c.name for c in CASES))
        return 0 if argv else 2
    for case in build_all(Path(argv[0]), argv[1:]):
        print(f"{case.name}: {case.attack}; expect exit {case.exit_code}")
        print(f"  vitrina {' '.join(case.args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

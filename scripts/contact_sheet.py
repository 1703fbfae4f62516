"""Tile a run's banners of some formats into one PNG, each labelled with SKU, locale and verdict.

Used to compare small formats before and after a layout change:

    .venv/bin/python scripts/contact_sheet.py OUT_DIR --formats leaderboard,medium-rectangle \
        --sheet /tmp/small.png [--title "before (2784f67)"]

OUT_DIR is a `vitrina run --out` folder; its latest run is used (or pass a `runs/<id>` folder).
A green frame marks a passed banner, amber one that needs review, red a blocked one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FRAME = {"passed": "#2E7D32", "needs_review": "#F9A825", "blocked": "#C62828"}
FONT = Path(__file__).resolve().parent.parent / "brand_guides/halden/fonts/NotoSans-Regular.ttf"
PAD, LABEL = 12, 22


def latest_run(folder: Path) -> Path:
    if (folder / "report.json").is_file():
        return folder
    runs = sorted(p for p in (folder / "runs").glob("*") if (p / "report.json").is_file())
    if not runs:
        raise SystemExit(f"{folder}: no runs/<id>/report.json here; pass a `vitrina run --out` folder")
    return runs[-1]


def tiles(run: Path, formats: list[str]) -> list[tuple[str, Image.Image, str]]:
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    found = []
    for fmt in formats:
        for v in sorted(report["variants_detail"], key=lambda v: (v["locale"], v["sku"], v["scene"])):
            if v["format"] != fmt:
                continue
            png = run / v["sku"] / v["scene"] / fmt / f"{v['locale']}.png"
            if png.is_file():
                with Image.open(png) as im:
                    found.append((f"{v['sku']} {v['locale']}", im.convert("RGB"), v["verdict"]))
    return found


def sheet(items: list[tuple[str, Image.Image, str]], title: str, max_width: int) -> Image.Image:
    font = ImageFont.truetype(str(FONT), 13)
    rows: list[list[tuple[str, Image.Image, str]]] = [[]]
    x = PAD
    for item in items:  # pack left to right, wrap when the row is full
        w = item[1].width + PAD
        if rows[-1] and x + w > max_width:
            rows.append([])
            x = PAD
        rows[-1].append(item)
        x += w
    width = max(PAD + sum(i[1].width + PAD for i in row) for row in rows)
    height = 40 + sum(max(i[1].height for i in row) + LABEL + PAD for row in rows)
    out = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(out)
    draw.text((PAD, 10), title, fill="black", font=ImageFont.truetype(str(FONT), 20))
    y = 40
    for row in rows:
        x = PAD
        for label, im, verdict in row:
            draw.text((x, y), label, fill=FRAME.get(verdict, "black"), font=font)
            out.paste(im, (x, y + LABEL))
            frame = (x - 3, y + LABEL - 3, x + im.width + 2, y + LABEL + im.height + 2)
            draw.rectangle(frame, outline=FRAME.get(verdict, "black"), width=3)
            x += im.width + PAD
        y += max(i[1].height for i in row) + LABEL + PAD
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--formats", default="leaderboard,medium-rectangle")
    ap.add_argument("--sheet", type=Path, required=True)
    ap.add_argument("--title", default="")
    ap.add_argument("--max-width", type=int, default=2400)
    args = ap.parse_args()
    run = latest_run(args.out)
    items = tiles(run, [f.strip() for f in args.formats.split(",") if f.strip()])
    if not items:
        sys.exit(f"{run}: no banners of formats {args.formats}")
    passed = sum(v == "passed" for _, _, v in items)
    title = f"{args.title or run.name}: {passed}/{len(items)} passed"
    sheet(items, title, args.max_width).save(args.sheet)
    print(f"{args.sheet}: {len(items)} banners, {passed} passed")


if __name__ == "__main__":
    main()

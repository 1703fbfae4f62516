"""Packshot triage on real photos: are people and hands caught, are animals and objects left
alone? (issue 15 item 7)

    .venv/bin/python bench/bench_triage.py [--baseline TREE] [--json-out FILE]

The labelled set is `bench/data/triage_labels.csv` (photo, optional crop, label, licence): the
12 ABO catalog photos of the demo, photos that ship in PyPI wheels (scikit-image, matplotlib,
scipy, scikit-learn; see `bench/data/triage_photos/NOTICE.md`) and crops of two of them. Each
photo is loaded through `load_product_image`, masked with `product_mask` and triaged:

- person, hand: **caught** when the verdict is about a person or a hand, else **missed**;
- animal, object: right unless the verdict says person or hand (a **false "shows a person"**);
  being refused for another reason (busy background, close-up, text panel) is fine here;
- packshot: right when the photo is usable.

``--baseline TREE`` runs the same set, in the same invocation, against the code of another
checkout (``git worktree add /tmp/base <commit>``) in a child process with that tree first on
``sys.path``; both tables are printed. Timings are the triage call alone (the mask excluded),
after one warm-up photo.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "data" / "triage_labels.csv"
CLASSES = ("person", "hand", "animal", "object", "packshot")
SCORES = ("face_score", "body_score", "hand_score")


def read_labels() -> list[dict[str, str]]:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if row["label"] not in CLASSES:
            raise SystemExit(f"{LABELS}:{number}: label: {row['label']!r}: not one of {', '.join(CLASSES)}")
    return rows


def photo_path(spec: str) -> Path:
    """``skimage:NAME`` is a file of the installed scikit-image's data folder; others are repo paths."""
    if spec.startswith("skimage:"):
        import skimage.data

        return Path(skimage.data.__file__).parent / spec.removeprefix("skimage:")
    return ROOT / spec


def triage_rows(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Triage every labelled photo with whatever ``pipeline`` is first on sys.path."""
    from pipeline.imaging.imageio import load_product_image
    from pipeline.imaging.masks import product_mask
    from pipeline.imaging.triage import triage_packshot

    results = []
    for index, row in enumerate(rows):
        img = load_product_image(photo_path(row["photo"]))
        if row["crop"]:
            left, top, right, bottom = (int(v) for v in row["crop"].split())
            img = img.crop((left, top, right, bottom))
        mask = product_mask(img)
        if index == 0:
            triage_packshot(img, mask)  # warm-up: loads the detector, if the code has one
        start = time.perf_counter()
        verdict = triage_packshot(img, mask)
        seconds = time.perf_counter() - start
        results.append({"reason": verdict.reason, "seconds": seconds, "metrics": verdict.metrics})
    return results


def run_tree(tree: Path | None, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    if tree is None:
        return triage_rows(rows)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    child = subprocess.run(
        [sys.executable, __file__, "--code", str(tree)], env=env, capture_output=True, text=True, check=False
    )
    if child.returncode != 0:
        raise SystemExit(f"baseline run in {tree} failed:\n{child.stderr.strip()[-2000:]}")
    return list(json.loads(child.stdout))


def about_people(reason: str | None) -> bool:
    return reason is not None and ("person" in reason or "hand" in reason)


def correct(label: str, reason: str | None) -> bool:
    if label in ("person", "hand"):
        return about_people(reason)
    if label == "packshot":
        return reason is None
    return not about_people(reason)


def summary(rows: list[dict[str, str]], results: list[dict[str, Any]]) -> dict[str, Any]:
    per_class = {}
    for label in CLASSES:
        picked = [res for row, res in zip(rows, results, strict=True) if row["label"] == label]
        per_class[label] = {"n": len(picked), "right": sum(correct(label, res["reason"]) for res in picked)}
    false_person = [
        (row, res)
        for row, res in zip(rows, results, strict=True)
        if row["label"] not in ("person", "hand") and about_people(res["reason"])
    ]
    missed = [
        (row, res)
        for row, res in zip(rows, results, strict=True)
        if row["label"] in ("person", "hand") and not about_people(res["reason"])
    ]
    wrong_packshots = [
        (row, res) for row, res in zip(rows, results, strict=True) if row["label"] == "packshot" and res["reason"]
    ]
    times = sorted(res["seconds"] for res in results)
    return {
        "per_class": per_class,
        "false_person": [f"{name(row)} ({res['reason']})" for row, res in false_person],
        "missed": [f"{name(row)} ({res['reason']})" for row, res in missed],
        "packshots_refused": [f"{name(row)} ({res['reason']})" for row, res in wrong_packshots],
        "ms_median": round(1000 * times[len(times) // 2], 1),
    }


def name(row: dict[str, str]) -> str:
    short = row["photo"].removeprefix("demo/products/").removeprefix("bench/data/triage_photos/")
    return f"{short}[{row['crop']}]" if row["crop"] else short


def show(title: str, rows: list[dict[str, str]], results: list[dict[str, Any]]) -> dict[str, Any]:
    figures = summary(rows, results)
    print(f"\n## {title}")
    for label, counts in figures["per_class"].items():
        share = counts["right"] / counts["n"] if counts["n"] else 0.0
        print(f"  {label:9s} {counts['right']:2d}/{counts['n']:2d} right ({share:.0%})")
    animals_objects = sum(figures["per_class"][k]["n"] for k in ("animal", "object", "packshot"))
    false_person = len(figures["false_person"])
    print(f"  false 'shows a person/hand' on animals/objects/packshots: {false_person}/{animals_objects}")
    people = sum(figures["per_class"][k]["n"] for k in ("person", "hand"))
    print(f"  missed people/hands: {len(figures['missed'])}/{people}")
    for heading in ("false_person", "missed", "packshots_refused"):
        for item in figures[heading]:
            print(f"    {heading}: {item}")
    print(f"  triage time per photo, median: {figures['ms_median']} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="another checkout to run the same set against")
    parser.add_argument("--json-out", type=Path, help="write both runs' figures here")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)  # the child process of --baseline
    args = parser.parse_args()
    rows = read_labels()
    if args.code is not None:
        sys.path.insert(0, str(args.code))
        print(json.dumps([{"reason": r["reason"], "seconds": r["seconds"]} for r in triage_rows(rows)]))
        return
    sys.path.insert(0, str(ROOT))
    print(f"# Packshot triage, {len(rows)} labelled photos ({LABELS.relative_to(ROOT)})")
    print(f"# {os.cpu_count()} CPUs, python {platform.python_version()}, {date.today()}")
    report: dict[str, Any] = {}
    baseline = run_tree(args.baseline, rows) if args.baseline is not None else None
    if baseline is not None:
        report["baseline"] = show(f"baseline: {args.baseline}", rows, baseline)
    current = run_tree(None, rows)
    report["current"] = show(f"this tree: {ROOT}", rows, current)
    print("\n## per photo: label, photo, face/body/hand scores, verdict (this tree) [baseline's if different]")
    for index, (row, res) in enumerate(zip(rows, current, strict=True)):
        scores = "/".join(f"{res['metrics'].get(key, float('nan')):.2f}" for key in SCORES)
        mark = "ok " if correct(row["label"], res["reason"]) else "BAD"
        line = f"  {mark} {row['label']:8s} {name(row):40s} {scores:15s} {res['reason'] or 'usable'}"
        if baseline is not None and baseline[index]["reason"] != res["reason"]:
            line += f"  [baseline: {baseline[index]['reason'] or 'usable'}]"
        print(line)
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Image checks (pipeline/checks/image/): accuracy on labelled banners and speed on one core.

    .venv/bin/python bench/bench_image_checks.py [--seeds 0,4,5] [--root DIR] [--rebuild]
                                                 [--repeat 3] [--no-speed] [--json out.json]

1. Accuracy. For each seed, the labelled set of bench/image_set.py is built into
   ROOT/seed-N (default ROOT /tmp/vitrina-image-set; built when missing or with --rebuild).
   Seed 0 is the set the thresholds were calibrated on; other seeds are held-out variations
   (seeds 1-3 were looked at while fixing bugs; 4 and up were not). Every image is checked the
   way `vitrina check image PATH` does with a sidecar: the file as stored (PNG or JPEG), the
   context from its lineage (`context_from_lineage`), the demo brand, default settings, OCR on.
   A check "flags" an image when any of its results needs review or blocks (not applicable is no
   flag). Per check: true/false positives and negatives over the images labelled "flag" or
   "pass" for it ("any" is not scored), precision, recall, the false-flag rate on the clean controls, and every
   mis-classified case with the check's message.
2. Speed. On the 1080x1080 PNG banners of the first seed, one CPU thread (cv2.setNumThreads(1),
   OMP / OpenBLAS / MKL threads 1 set before numpy loads; NudeNet's ONNX session is created
   with one intra- and inter-op thread by the module), after one warm-up: the median wall time
   per banner of `run_image_checks(..., ocr=False)` and per check (each alone, so each includes
   its own image conversion), and the stray-text check (OCR) separately: median, worst, and how
   many banners needed Tesseract at all.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_THREAD_LIMIT"):
    os.environ[_var] = "1"  # before numpy / onnxruntime / tesseract load; OMP_THREAD_LIMIT=1 for Tesseract

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import cv2  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

cv2.setNumThreads(1)

from image_set import build_set  # noqa: E402

from pipeline.checks.image import (  # noqa: E402
    IMAGE_CHECKS,
    ImageCheckSettings,
    context_from_lineage,
    run_image_checks,
)
from pipeline.checks.results import worst  # noqa: E402
from pipeline.model.brand import BrandGuide, load_brand  # noqa: E402

DEFAULT_ROOT = Path("/tmp/vitrina-image-set")
IDS = [c.id for c in IMAGE_CHECKS]


def load_set(folder: Path, seed: int, rebuild: bool) -> list[dict[str, Any]]:
    if rebuild or not (folder / "index.json").is_file():
        t = time.perf_counter()
        build_set(folder, seed)
        print(f"built seed {seed} into {folder} ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return [json.loads((folder / c["labels"]).read_text(encoding="utf-8")) for c in index["cases"]]


def evaluate(
    folder: Path, cases: list[dict[str, Any]], brand: BrandGuide, settings: ImageCheckSettings, logo: Image.Image
) -> tuple[dict[str, dict[str, int]], list[dict[str, Any]]]:
    counts = {cid: {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "clean": 0, "clean_flagged": 0} for cid in IDS}
    wrong: list[dict[str, Any]] = []
    for case in cases:
        with Image.open(folder / case["image"]) as im:
            im.load()
            results = run_image_checks(im, brand, context_from_lineage(case["lineage"], brand), settings, logo=logo)
        for cid in IDS:
            mine = [r for r in results if r.check == cid]
            flagged = worst(mine).failed
            want = case["expect"][cid]
            c = counts[cid]
            if case["kind"] == "clean":
                c["clean"] += 1
                c["clean_flagged"] += flagged
            if want == "any":
                continue
            key = ("tp" if flagged else "fn") if want == "flag" else ("fp" if flagged else "tn")
            c[key] += 1
            if key in ("fp", "fn"):
                shown = [r for r in mine if r.verdict.failed == flagged] or mine
                wrong.append(
                    {
                        "case": f"{folder.name}/{case['name']}",
                        "check": cid,
                        "expected": want,
                        "got": "flag" if flagged else "pass",
                        "problem": case["problem"],
                        "message": shown[0].message if shown else "(no result)",
                    }
                )
    return counts, wrong


def table(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    out = {}
    for cid, c in counts.items():
        pos, flags = c["tp"] + c["fn"], c["tp"] + c["fp"]
        out[cid] = {
            **c,
            "precision": round(c["tp"] / flags, 3) if flags else None,
            "recall": round(c["tp"] / pos, 3) if pos else None,
            "clean_false_flag_rate": round(c["clean_flagged"] / c["clean"], 3) if c["clean"] else None,
        }
    return out


def add(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {cid: {k: a[cid][k] + b[cid][k] for k in a[cid]} for cid in a}


def print_table(title: str, t: dict[str, dict[str, Any]]) -> None:
    def f(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    print(f"\n{title}")
    print(f"{'check':26} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>4} {'prec':>5} {'recall':>6} {'clean FFR':>9}")
    for cid, r in t.items():
        print(
            f"{cid:26} {r['tp']:>3} {r['fp']:>3} {r['fn']:>3} {r['tn']:>4} {f(r['precision']):>5} "
            f"{f(r['recall']):>6} {f(r['clean_false_flag_rate']):>9}"
        )


def speed(
    folder: Path,
    cases: list[dict[str, Any]],
    brand: BrandGuide,
    settings: ImageCheckSettings,
    logo: Image.Image,
    repeat: int,
) -> dict[str, Any]:
    square = [c for c in cases if c["lineage"]["format"]["size"] == [1080, 1080] and c["image"].endswith(".png")]
    images = []
    for c in square:
        with Image.open(folder / c["image"]) as im:
            im.load()
            images.append((im.convert("RGB"), context_from_lineage(c["lineage"], brand)))
    ids = [cid for cid in IDS if cid != "image.stray_text"]
    run_image_checks(images[0][0], brand, images[0][1], settings, logo=logo)  # warm-up: model, caches
    total: list[float] = []
    per_check: dict[str, list[float]] = {cid: [] for cid in ids}
    for _ in range(repeat):
        for im, ctx in images:
            t = time.perf_counter()
            run_image_checks(im, brand, ctx, settings, logo=logo, ocr=False)
            total.append((time.perf_counter() - t) * 1000)
            for cid in ids:
                t = time.perf_counter()
                run_image_checks(im, brand, ctx, settings, logo=logo, ocr=False, enabled=[cid])
                per_check[cid].append((time.perf_counter() - t) * 1000)
    ocr: list[float] = []
    read = 0
    for im, ctx in images:
        t = time.perf_counter()
        (res, *_) = run_image_checks(im, brand, ctx, settings, logo=logo, enabled=["image.stray_text"])
        ocr.append((time.perf_counter() - t) * 1000)
        read += "OCR not needed" not in res.message
    return {
        "banners": len(images),
        "repeat": repeat,
        "size": "1080x1080",
        "threads": 1,
        "median_ms_per_banner_without_ocr": round(statistics.median(total), 1),
        "p90_ms_per_banner_without_ocr": round(sorted(total)[int(0.9 * (len(total) - 1))], 1),
        "median_ms_per_check": {cid: round(statistics.median(v), 2) for cid, v in per_check.items()},
        "ocr_stray_text_ms": {
            "median": round(statistics.median(ocr), 1),
            "max": round(max(ocr), 1),
            "banners_needing_tesseract": read,
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0,4,5", help="comma-separated image-set seeds (0 = calibration set)")
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="sets live in ROOT/seed-N (built if missing)")
    ap.add_argument("--set", type=Path, help="evaluate this one already built set folder instead")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--json", type=Path, help="write the summary here")
    args = ap.parse_args(argv)
    brand = load_brand(ROOT / "brand_guides" / "halden")
    with Image.open(brand.logo_path) as f:
        logo = f.convert("RGBA")
    settings = ImageCheckSettings()
    if args.set:
        index = json.loads((args.set / "index.json").read_text(encoding="utf-8"))
        sets = [(args.set, int(index.get("seed", -1)))]
    else:
        sets = [(args.root / f"seed-{int(s)}", int(s)) for s in args.seeds.split(",")]
    summary: dict[str, Any] = {
        "settings": {k: dict(v) if isinstance(v, dict) else v for k, v in vars(settings).items()},
        "sets": {},
    }
    total: dict[str, dict[str, int]] | None = None
    held: dict[str, dict[str, int]] | None = None
    wrong_all: list[dict[str, Any]] = []
    first_cases: list[dict[str, Any]] = []
    for folder, seed in sets:
        cases = load_set(folder, seed, args.rebuild)
        first_cases = first_cases or cases
        counts, wrong = evaluate(folder, cases, brand, settings, logo)
        kinds = {k: sum(c["kind"] == k for c in cases) for k in ("clean", "near_miss", "problem")}
        summary["sets"][f"seed-{seed}"] = {"images": len(cases), **kinds, "per_check": table(counts)}
        print_table(
            f"seed {seed}{' (calibration)' if seed == 0 else ' (held out)'}: {len(cases)} images, "
            f"{kinds['clean']} clean, {kinds['near_miss']} near misses, {kinds['problem']} problems",
            table(counts),
        )
        total = counts if total is None else add(total, counts)
        if seed != 0:
            held = counts if held is None else add(held, counts)
        wrong_all += wrong
    if len(sets) > 1 and total is not None:
        print_table("all seeds", table(total))
        summary["all"] = table(total)
        if held is not None:
            summary["held_out"] = table(held)
    summary["misclassified"] = wrong_all
    if wrong_all:
        print("\nmis-classified:")
        for w in wrong_all:
            print(
                f"  {w['case']}: {w['check']} expected {w['expected']}, got {w['got']} ({w['problem']}) -- "
                f"{w['message']}"
            )
    if not args.no_speed:
        folder = sets[0][0]
        sp = speed(folder, first_cases, brand, settings, logo, args.repeat)
        summary["speed"] = sp
        print(f"\nspeed, {sp['banners']} banners 1080x1080 x {sp['repeat']}, one thread ({sp['machine']}):")
        print(
            f"  all checks but OCR: median {sp['median_ms_per_banner_without_ocr']} ms per banner "
            f"(p90 {sp['p90_ms_per_banner_without_ocr']})"
        )
        for cid, ms in sp["median_ms_per_check"].items():
            print(f"  {cid:26} {ms:7.2f} ms")
        o = sp["ocr_stray_text_ms"]
        print(
            f"  image.stray_text (OCR)     median {o['median']} ms, max {o['max']} ms; "
            f"{o['banners_needing_tesseract']} of {sp['banners']} banners needed Tesseract"
        )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Which Tesseract model can read figures in native digits (issue 15 item 5): Arabic-Indic (٠-٩,
ar-AE `arab`) and Devanagari (०-९, hi-IN `deva`) prices and badges, read the way the OCR figure
check reads them (`pipeline.checks.ocr`: the figures drawn alone, dark on light, scaled, the three
`NUMERIC_TRIES` with a whitelist of the drawn system's digits and the expected signs), by every
candidate model.

    .venv/bin/python bench/bench_ocr_digit_models.py [--tessdata-dir DIR] [--json-out FILE]

The set: six amounts in the market's currency and six discounts, each as Babel writes it
(`-२०%`) and with a typographic minus or an en dash and a space (`−२० %`, `–२० %`), at 11, 14,
18, 24 and 32 px in Halden's sans stack (the native digits come from Noto Sans Arabic or Noto
Sans Devanagari in either family). Each is read as drawn (correct: **accepted** when a try
yields its figures, by value) and with its last digit one more (wrong: a try yielding the
expected figures is a **false accept**). Two drawings: the check's drawing of figures in Western
digits (`plain`: letters blanked, signs kept) and its drawing for native digits (`native`:
also without `₹`, dashes as `-`).

Models: `ara` and `hin` (Debian language packs, installed by scripts/system-deps.sh), and the
script models `Arabic` and `Devanagari` (Debian `tesseract-ocr-script-arab`,
`tesseract-ocr-script-deva`), read from the default tessdata folder or `--tessdata-dir` (a
folder with those files, e.g. unpacked with `apt-get download` + `dpkg-deb -x`). A model found
in neither is reported as missing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import shlex
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytesseract  # noqa: E402
from bench_ocr_figures import stacks, wrong  # noqa: E402

from pipeline.banner.money import format_percent_off, format_price  # noqa: E402
from pipeline.banner.text import fit_text  # noqa: E402
from pipeline.checks.figures import DASHES, figure_value, figure_whitelist, figures_only  # noqa: E402
from pipeline.checks.ocr import NUMERIC_TRIES, _numeric_image, _render_figures  # noqa: E402
from pipeline.model.locales import locale_info, write_digits  # noqa: E402

SETS = {"ar-AE": ("AED", "arab", ("ara", "Arabic")), "hi-IN": ("INR", "deva", ("hin", "Devanagari"))}
AMOUNTS = ("7.49", "129.90", "1299.00", "35.68", "860.35", "2456.17")
PERCENTS = (20, 15, 30, 45, 60, 85)
SIZES = (11, 14, 18, 24, 32)
sans = lru_cache(maxsize=1)(lambda: stacks()["sans"])  # the brand is loaded once per worker


def texts(code: str) -> list[str]:
    currency, system, _ = SETS[code]
    loc = locale_info(code)
    out = [format_price(Decimal(a), currency, loc, system) for a in AMOUNTS]
    for p in PERCENTS:
        out.append(format_percent_off(p, loc, system))
        out += [write_digits(t.format(p), system) for t in ("\u2212{}\u202f%", "\u2013{} %")]
    return out


def languages(tessdata: str | None) -> set[str]:
    cmd = ["tesseract", "--list-langs"] + (["--tessdata-dir", tessdata] if tessdata else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return {line.strip() for line in done.stdout.splitlines()[1:] if line.strip()}


def read(job: tuple[str, str, int, str, str, str, str | None]) -> dict[str, object]:
    """One print read by one model with one drawing: the reads, in order, up to the first match."""
    code, text, size, kind, model, drawing, tessdata = job
    loc = locale_info(code)
    drawn = text if kind == "correct" else wrong(text)
    line = figures_only(drawn, "₹").translate(DASHES) if drawing == "native" else figures_only(drawn)
    fit = fit_text(line, sans(), 1 << 16, 1 << 16, max_px=size, min_px=size, locale=loc, max_lines=1)
    assert fit is not None, (line, size)
    small = _render_figures(fit, (0x1F, 0x2A, 0x30), (255, 255, 255))
    where = f"--tessdata-dir {shlex.quote(tessdata)} " if tessdata else ""
    allowed = shlex.quote(figure_whitelist(text, [drawn]))
    reads = []
    for cap_px, max_scale, psm in NUMERIC_TRIES:
        image = _numeric_image(small, fit.size_px, cap_px, max_scale)
        config = f"{where}--psm {psm} -c tessedit_char_whitelist={allowed}"
        reads.append(str(pytesseract.image_to_string(image, lang=model, config=config)).strip())
        if figure_value(reads[-1]) == figure_value(text):
            break
    hit = figure_value(reads[-1]) == figure_value(text)
    return {"locale": code, "text": text, "px": size, "kind": kind, "model": model, "drawing": drawing,
            "reads": reads, "hit": hit}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tessdata-dir", help="a tessdata folder with the script models")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    default, extra = languages(None), languages(args.tessdata_dir) if args.tessdata_dir else set()
    jobs, missing = [], []
    for code, (_, _, models) in SETS.items():
        for model in models:
            if model not in default | extra:
                missing.append(model)
                continue
            where = None if model in default else args.tessdata_dir
            for text, size, kind, drawing in itertools.product(
                texts(code), SIZES, ("correct", "wrong"), ("plain", "native")
            ):
                jobs.append((code, text, size, kind, model, drawing, where))
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(read, jobs, chunksize=8))
    took = time.perf_counter() - started
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        c = counts[(str(r["locale"]), str(r["model"]), str(r["drawing"]))]
        c[str(r["kind"])] += 1
        c["accepted" if r["kind"] == "correct" else "false_accepts"] += bool(r["hit"])
    print(f"# {date.today()} {platform.machine()}, Python {platform.python_version()}: {took:.0f} s")
    print(f"# missing models: {', '.join(missing) or 'none'}\n")
    print("| locale | model | drawing | correct | accepted | wrong | false accepts |\n|---|---|---|---|---|---|---|")
    for (code, model, drawing), c in sorted(counts.items()):
        cells = f"{c['correct']} | {c['accepted']} | {c['wrong']} | {c['false_accepts']}"
        print(f"| {code} | {model} | {drawing} | {cells} |")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()

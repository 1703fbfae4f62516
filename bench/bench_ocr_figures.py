"""False alarms and misses of the OCR figure check (`text.ocr`, issue 15) on a labelled set of
rendered prices and discounts, every shipped locale, a sans and a serif font family.

    .venv/bin/python bench/bench_ocr_figures.py [--numbering ar-AE=arab,hi-IN=deva] [--locales ar-AE,hi-IN]
        [--json-out FILE]

The set is generated, so every label is known: for each locale (its market's currency), three
amounts, each drawn in the Halden sans stack (Noto Sans Bold + the brand's fallbacks) and a serif
stack (Noto Serif Bold + the same fallbacks), at 14, 18, 24 and 32 px, plus the discount badges
"-20%", "−15 %" (typographic minus, narrow space) and "–30 %". Each is checked twice:

- correct: the block says what was drawn; any flag is a **false alarm**;
- wrong: one digit of what was drawn differs (the last digit of the amount or discount, +1 mod
  10); a pass is a **miss**.

A block the check reports as not verified (only a not-applicable result: figures in digits no
OCR model reads) is neither: it is counted as **not verified**, in both passes.

`--numbering` writes a locale's prices and badges in another digit system, as a brand guide's
`numbering:` does (ar-AE `arab` ٠-٩, hi-IN `deva` ०-९; the wrong digit stays in that system);
`--locales` keeps only those locales. Readings are not cached between the two (a fresh
`TextReader` per pass). Goal (issue 15): at most 1 % of correct banners flagged, 0 misses.
Prints a table per locale and font, and the totals. Run it on two trees to compare (copy it into
a `git worktree` of the other tree and run it there, same venv).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.banner.compose import TextBlock  # noqa: E402
from pipeline.banner.money import format_price  # noqa: E402
from pipeline.banner.text import FontStack, fit_text  # noqa: E402
from pipeline.checks.ocr import TextReader  # noqa: E402
from pipeline.checks.results import Verdict  # noqa: E402
from pipeline.checks.text import check_text_ocr  # noqa: E402
from pipeline.model.brand import load_brand  # noqa: E402
from pipeline.model.locales import locale_info, write_digits  # noqa: E402

CURRENCY = {"en-US": "USD", "en-GB": "GBP", "de-DE": "EUR", "fr-FR": "EUR", "es-ES": "EUR", "ar-AE": "AED",
            "he-IL": "ILS", "ja-JP": "JPY", "zh-CN": "CNY", "ko-KR": "KRW", "hi-IN": "INR"}  # fmt: skip
AMOUNTS = ("7.49", "129.90", "1299.00")
WHOLE_AMOUNTS = ("749", "12990", "129900")  # currencies without minor units (JPY, KRW)
DISCOUNTS = ("-20%", "\u221215\u202f%", "\u201330 %")
SIZES = (14, 18, 24, 32)
SERIF = Path("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf")


def stacks() -> dict[str, FontStack]:
    brand = load_brand(ROOT / "brand_guides" / "halden")
    sans = FontStack.for_brand(brand, "headline")
    return {"sans": sans, "serif": FontStack([(SERIF, 0), *sans.fonts[1:]])}


def wrong(text: str) -> str:
    """`text` with its last digit changed (+1 mod 10), in the same digit system."""
    i = max(i for i, ch in enumerate(text) if ch.isdigit())
    value = unicodedata.decimal(text[i])
    return text[:i] + chr(ord(text[i]) - value + (value + 1) % 10) + text[i + 1 :]


def outcome(said: str, drawn: str, role: str, code: str, stack: FontStack, size: int, reader: TextReader) -> str:
    """ "flagged" (a result asks for review), "not verified" (only a not-applicable result) or "passed"."""
    loc = locale_info(code)
    fit = fit_text(drawn, stack, 2000, 400, max_px=size, min_px=size, locale=loc, max_lines=1)
    assert fit is not None, (drawn, size)
    block = TextBlock(
        role, said, (0, 0, fit.width, fit.height), size, "#1F2A30", None, True, np.zeros((4, 4), bool), fit
    )
    results = check_text_ocr([block], loc, reader=reader)
    if any(r.verdict.failed for r in results):
        return "flagged"
    return "passed" if any(r.verdict is Verdict.PASSED for r in results) else "not verified"


def numbering_arg(value: str) -> dict[str, str]:
    """`ar-AE=arab,hi-IN=deva` -> {"ar-AE": "arab", "hi-IN": "deva"}."""
    pairs = [item.split("=", 1) for item in value.split(",") if item]
    if any(len(pair) != 2 for pair in pairs):
        raise argparse.ArgumentTypeError(f"--numbering wants LOCALE=SYSTEM[,LOCALE=SYSTEM], got {value!r}")
    return {code: system for code, system in pairs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--numbering", type=numbering_arg, default={}, help="LOCALE=SYSTEM,...: digits per locale")
    ap.add_argument("--locales", help="only these locales, comma-separated")
    args = ap.parse_args()
    locales = {c: cur for c, cur in CURRENCY.items() if not args.locales or c in args.locales.split(",")}
    fonts = stacks()
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    examples: list[dict[str, str]] = []
    started = time.perf_counter()
    for pass_name in ("correct", "wrong"):
        reader = TextReader()
        for code, currency in locales.items():
            loc = locale_info(code)
            system = args.numbering.get(code)
            amounts = WHOLE_AMOUNTS if currency in ("JPY", "KRW") else AMOUNTS
            texts = [("price", format_price(Decimal(a), currency, loc, system)) for a in amounts]
            texts += [("discount", write_digits(d, system or "latn")) for d in DISCOUNTS]
            for font, stack in fonts.items():
                for role, text in texts:
                    for size in SIZES:
                        drawn = text if pass_name == "correct" else wrong(text)
                        got = outcome(text, drawn, role, code, stack, size, reader)
                        c = counts[(code, system or "default", font)]
                        c[pass_name] += 1
                        c["not_verified"] += got == "not verified"
                        example = {"locale": code, "font": font, "text": text, "drawn": drawn, "px": str(size)}
                        if pass_name == "correct" and got == "flagged":
                            c["false_alarms"] += 1
                            examples.append({"kind": "false alarm", **example})
                        if pass_name == "wrong" and got == "passed":
                            c["misses"] += 1
                            examples.append({"kind": "miss", **example})
    keys = ("correct", "false_alarms", "wrong", "misses", "not_verified")
    total = {k: sum(c[k] for c in counts.values()) for k in keys}
    took = time.perf_counter() - started
    print(f"# {date.today()} {platform.machine()}, Python {platform.python_version()}: {took:.0f} s\n")
    print("| locale | digits | font | correct | false alarms | wrong | misses | not verified |")
    print("|---|---|---|---|---|---|---|---|")
    for (code, system, font), c in sorted(counts.items()):
        cells = " | ".join(str(c[k]) for k in keys)
        print(f"| {code} | {system} | {font} | {cells} |")
    rate = total["false_alarms"] / total["correct"]
    alarms, misses, unverified = total["false_alarms"], total["misses"], total["not_verified"]
    print(
        f"| **all** | | | {total['correct']} | **{alarms} ({rate:.1%})** | {total['wrong']} | **{misses}** "
        f"| {unverified} |"
    )
    for e in examples[:40]:
        print(" ", json.dumps(e, ensure_ascii=False))
    if args.json_out:
        rows = [{"locale": k[0], "digits": k[1], "font": k[2], **v} for k, v in sorted(counts.items())]
        args.json_out.write_text(
            json.dumps({"total": total, "rows": rows, "examples": examples}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()

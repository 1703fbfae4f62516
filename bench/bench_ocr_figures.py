"""False alarms and misses of the OCR figure check (`text.ocr`, issue 15) on a labelled set of
rendered prices and discounts, every shipped locale, a sans and a serif font family.

    .venv/bin/python bench/bench_ocr_figures.py [--json-out FILE]

The set is generated, so every label is known: for each locale (its market's currency), three
amounts, each drawn in the Halden sans stack (Noto Sans Bold + the brand's fallbacks) and a serif
stack (Noto Serif Bold + the same fallbacks), at 14, 18, 24 and 32 px, plus the discount badges
"-20%", "−15 %" (typographic minus, narrow space) and "–30 %". Each is checked twice:

- correct: the block says what was drawn; any flag is a **false alarm**;
- wrong: one digit of what was drawn differs (the last digit of the amount or discount, +1 mod
  10); no flag is a **miss**.

Readings are not cached between the two (a fresh `TextReader` per pass). Goal (issue 15): at most
1 % of correct banners flagged, 0 misses. Prints a table per locale and font, and the totals.
Run it on two trees to compare (PYTHONPATH set to each tree, same venv).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
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
from pipeline.checks.text import check_text_ocr  # noqa: E402
from pipeline.model.brand import load_brand  # noqa: E402
from pipeline.model.locales import locale_info  # noqa: E402

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
    """`text` with its last digit changed (+1 mod 10)."""
    i = max(i for i, ch in enumerate(text) if ch.isdigit())
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]


def flagged(said: str, drawn: str, role: str, code: str, stack: FontStack, size: int, reader: TextReader) -> bool:
    loc = locale_info(code)
    fit = fit_text(drawn, stack, 2000, 400, max_px=size, min_px=size, locale=loc, max_lines=1)
    assert fit is not None, (drawn, size)
    block = TextBlock(
        role, said, (0, 0, fit.width, fit.height), size, "#1F2A30", None, True, np.zeros((4, 4), bool), fit
    )
    return any(r.verdict.failed for r in check_text_ocr([block], loc, reader=reader))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    fonts = stacks()
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    examples: list[dict[str, str]] = []
    started = time.perf_counter()
    for pass_name in ("correct", "wrong"):
        reader = TextReader()
        for code, currency in CURRENCY.items():
            loc = locale_info(code)
            amounts = WHOLE_AMOUNTS if currency in ("JPY", "KRW") else AMOUNTS
            texts = [("price", format_price(Decimal(a), currency, loc)) for a in amounts]
            texts += [("discount", d) for d in DISCOUNTS]
            for font, stack in fonts.items():
                for role, text in texts:
                    for size in SIZES:
                        drawn = text if pass_name == "correct" else wrong(text)
                        hit = flagged(text, drawn, role, code, stack, size, reader)
                        c = counts[(code, font)]
                        c[pass_name] += 1
                        if pass_name == "correct" and hit:
                            c["false_alarms"] += 1
                            examples.append(
                                {"kind": "false alarm", "locale": code, "font": font, "text": text, "px": str(size)}
                            )
                        if pass_name == "wrong" and not hit:
                            c["misses"] += 1
                            examples.append(
                                {
                                    "kind": "miss",
                                    "locale": code,
                                    "font": font,
                                    "text": text,
                                    "drawn": drawn,
                                    "px": str(size),
                                }
                            )
    total = {k: sum(c[k] for c in counts.values()) for k in ("correct", "false_alarms", "wrong", "misses")}
    took = time.perf_counter() - started
    print(f"# {date.today()} {platform.machine()}, Python {platform.python_version()}: {took:.0f} s\n")
    print("| locale | font | correct | false alarms | wrong | misses |\n|---|---|---|---|---|---|")
    for (code, font), c in sorted(counts.items()):
        print(f"| {code} | {font} | {c['correct']} | {c['false_alarms']} | {c['wrong']} | {c['misses']} |")
    rate = total["false_alarms"] / total["correct"]
    alarms, misses = total["false_alarms"], total["misses"]
    print(f"| **all** | | {total['correct']} | **{alarms} ({rate:.1%})** | {total['wrong']} | **{misses}** |")
    for e in examples[:40]:
        print(" ", json.dumps(e, ensure_ascii=False))
    if args.json_out:
        rows = [{"locale": k[0], "font": k[1], **v} for k, v in sorted(counts.items())]
        args.json_out.write_text(
            json.dumps({"total": total, "rows": rows, "examples": examples}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()

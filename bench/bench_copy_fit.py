"""Copy that fits (issue 15 item 3): long headlines and legal lines composed into every format.

    .venv/bin/python bench/bench_copy_fit.py [--png DIR] [--no-short]

A labelled set of long copy (German, Dutch and Finnish compounds, French, English; Arabic and
Hebrew legal lines) is composed with the demo brand (brand_guides/halden) into every format of
pipeline/model/formats.yaml over a plain scene. Counted per (copy, format):

- empty headline slots: the headline could not be drawn (its box stays empty, the variant is
  blocked with "copy does not fit");
- other copy-fit problems (subline, legal line);
- single-word last lines: a drawn block of several words whose last line holds one word (or the
  last piece of a hyphenated one) -- "Preis" alone on a third line;
- hyphenated blocks: blocks drawn with a word broken at a hyphen.

The script runs unchanged against older code (no `headline_short` there): run it from a
`git worktree` of the older commit for the baseline. With per-format copy available, cases that
carry a short headline are composed a second time with it (`--no-short` skips that).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.banner.compose import BannerCopy, compose_banner  # noqa: E402
from pipeline.banner.layout import plan_layout  # noqa: E402
from pipeline.banner.money import format_price  # noqa: E402
from pipeline.model.brand import hex_to_rgb, load_brand  # noqa: E402
from pipeline.model.locales import SUPPORTED_LOCALES, LocaleInfo  # noqa: E402

# Finnish and Dutch are not campaign locales (yet); their typography is what is measured here.
EXTRA_LOCALES = {
    "fi-FI": LocaleInfo("fi-FI", "fi", "Latn", "ltr", "FI"),
    "nl-NL": LocaleInfo("nl-NL", "nl", "Latn", "ltr", "NL"),
}

# (label, locale, headline, headline_short or "", legal line or "")
CASES: list[tuple[str, str, str, str, str]] = [
    ("de compound", "de-DE", "Wanderausrüstungsschnäppchenwochen", "Wanderwochen", ""),
    ("de compounds", "de-DE", "Winterjackenschlussverkauf mit Rabattgarantie", "Winterjacken-Sale", ""),
    ("de demo", "de-DE", "Winterlieblinge zum kleinen Preis", "", ""),
    ("de long", "de-DE", "Kinderwintermützensonderangebote jetzt entdecken", "Mützen im Angebot", ""),
    ("de legal", "de-DE", "Warme Wintertage", "", "Preise inkl. MwSt., zzgl. Versand. Angebot bis 24.12.2026."),
    ("nl compound", "nl-NL", "Wintersportuitrustingsaanbiedingen", "Wintersport", ""),
    ("nl phrase", "nl-NL", "Kinderwinterkledingcollectie voor koude dagen", "Winterkleding", ""),
    ("fi compound", "fi-FI", "Talviurheiluvälinevalikoimamme alennusmyynti", "Talvialennus", ""),
    ("fi word", "fi-FI", "Retkeilyvarusteidenkevätalennusmyynti", "Alennusmyynti", ""),
    ("fr phrase", "fr-FR", "Les incontournables de l'hiver à prix doux", "Prix doux", ""),
    ("fr long word", "fr-FR", "Anticonstitutionnellement avantageux", "Avantageux", ""),
    ("en phrase", "en-US", "Winter essentials, warmly priced for everyone", "Warmly priced", ""),
    ("en long word", "en-US", "Uncharacteristically comfortable outerwear", "Comfy outerwear", ""),
    ("ar legal", "ar-AE", "أساسيات الشتاء", "", "الأسعار شاملة ضريبة القيمة المضافة. العرض حتى ٢٤ ديسمبر ٢٠٢٦."),
    ("ar legal 2", "ar-AE", "تخفيضات الشتاء", "", "العرض ساري حتى نفاد الكمية. الأسعار بالدرهم شاملة الضريبة."),
    ("he legal", "he-IL", "מבצעי חורף", "", "המחירים כוללים מע״מ. המבצע בתוקף עד 24 בדצמבר 2026 או עד גמר המלאי."),
    ("he legal 2", "he-IL", "חורף חם", "", "ט.ל.ח. המחירים באתר קובעים. אין כפל מבצעים והנחות."),
]


def locale(code: str) -> LocaleInfo:
    return EXTRA_LOCALES.get(code) or SUPPORTED_LOCALES[code]


def single_word_last_line(block) -> bool:  # type: ignore[no-untyped-def]
    lines = block.fit.lines
    return len(block.text.split()) > 1 and len(lines) > 1 and len(lines[-1].split()) == 1


def avoidable(block) -> bool:  # type: ignore[no-untyped-def]
    """More words than lines: some arrangement with as many lines could end on two words."""
    return len(block.text.split()) > len(block.fit.lines)


def hyphenated(block) -> bool:  # type: ignore[no-untyped-def]
    return any(line.endswith(("\u2010", "-")) and not block.text.count(line) for line in block.fit.lines[:-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--png", type=Path, help="write each small-format banner here")
    ap.add_argument("--no-short", action="store_true", help="do not compose the cases with their short headline")
    args = ap.parse_args()
    brand = load_brand(ROOT / "brand_guides" / "halden")
    with Image.open(brand.logo_path) as f:
        logo = f.convert("RGBA")
    short_supported = "headline_short" in {f.name for f in dataclasses.fields(BannerCopy)}
    runs = [False] + ([True] if short_supported and not args.no_short else [])
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)

    for with_short in runs:
        totals = dict(banners=0, empty=0, other=0, orphans=0, avoidable=0, blocks=0, hyphenated=0, short_used=0)
        per_format: dict[str, list[int]] = {}
        t0 = time.perf_counter()
        for label, code, headline, short, legal in CASES:
            loc = locale(code)
            extra = {"headline_short": short} if with_short and short else {}
            copy = BannerCopy(
                headline=headline,
                cta="OK",
                price=format_price(Decimal("24.99"), "EUR", loc),
                legal=legal,
                **extra,
            )
            for fmt in brand.formats:
                layout = plan_layout(
                    fmt,
                    loc,
                    logo_aspect=logo.width / logo.height,
                    logo_min_width=brand.logo.min_width_px,
                    clear_space=brand.logo.clear_space,
                )
                scene = np.empty((fmt.height, fmt.width, 3), np.uint8)
                scene[:] = hex_to_rgb(brand.palette.background)
                banner = compose_banner(
                    Image.fromarray(scene), layout, copy, brand, loc, min_text_px=fmt.min_text_px, logo=logo
                )
                totals["banners"] += 1
                row = per_format.setdefault(fmt.id, [0, 0, 0])
                row[0] += 1
                head = banner.block("headline")
                if head is None:
                    totals["empty"] += 1
                    row[1] += 1
                elif head.text != headline:
                    totals["short_used"] += 1
                totals["other"] += sum(1 for p in banner.problems if "does not fit" in p and "headline" not in p)
                for block in banner.blocks:
                    if block.role not in ("headline", "subline", "legal") or block.fit is None:
                        continue
                    totals["blocks"] += 1
                    if single_word_last_line(block):
                        totals["orphans"] += 1
                        totals["avoidable"] += avoidable(block)
                        row[2] += 1
                        print(f"  single-word last line: {label} / {fmt.id} / {block.role}: {list(block.fit.lines)}")
                    totals["hyphenated"] += hyphenated(block)
                if args.png and fmt.id in ("leaderboard", "medium-rectangle"):
                    name = f"{label.replace(' ', '_')}-{fmt.id}{'-short' if with_short else ''}.png"
                    banner.image.save(args.png / name)
        dt = time.perf_counter() - t0
        title = "with headline_short" if with_short else "long copy only"
        print(f"\n{title}: {totals['banners']} banners ({len(CASES)} copy cases x {len(brand.formats)} formats)")
        print(f"  empty headline slots        {totals['empty']}")
        print(f"  other copy-fit problems     {totals['other']}")
        print(f"  single-word last lines      {totals['orphans']} of {totals['blocks']} text blocks drawn")
        print(f"    of which avoidable        {totals['avoidable']} (more words than lines)")
        print(f"  hyphenated blocks           {totals['hyphenated']}")
        if with_short:
            print(f"  short headline drawn        {totals['short_used']}")
        print(f"  per format (banners, empty headline, single-word last lines): {per_format}")
        print(f"  compose time {dt:.1f} s")


if __name__ == "__main__":
    main()

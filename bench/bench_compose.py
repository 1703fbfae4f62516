"""Banner composition throughput: Vitrina's composer vs a naive Pillow compose, same run.

Run on one core (see BENCHMARKS.md):
    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/bench_compose.py [--n 60]

Each banner: 1080x1080 scene -> shaped, fitted, wrapped copy (headline, subline, price with prior
price and discount badge, CTA button, legal line) + logo -> JPEG (quality 90). Locales rotate
over en-US, de-DE, fr-FR, ar-AE, ja-JP. The naive baseline pastes the logo, draws two text lines
with ImageDraw (no shaping, fitting or fallback) and encodes the same JPEG.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.banner.compose import BannerCopy, compose_banner  # noqa: E402
from pipeline.banner.layout import plan_layout  # noqa: E402
from pipeline.banner.money import format_percent_off, format_price  # noqa: E402
from pipeline.banner.text.fit import _fit_cached  # noqa: E402
from pipeline.model.brand import hex_to_rgb, load_brand  # noqa: E402
from pipeline.model.locales import locale_info  # noqa: E402

COPY = {
    "en-US": (
        "Winter essentials, warmly priced",
        "Everyday favourites for the cosy season",
        "Shop now",
        "USD",
        "24.99",
        "31.99",
    ),
    "de-DE": (
        "Winterlieblinge zum kleinen Preis",
        "Alltagsbegleiter für die gemütliche Jahreszeit",
        "Jetzt entdecken",
        "EUR",
        "24.99",
        "31.99",
    ),
    "fr-FR": (
        "Les essentiels de l'hiver à petit prix",
        "Vos indispensables pour la saison douce",
        "Découvrir",
        "EUR",
        "24.99",
        "31.99",
    ),
    "ar-AE": ("أساسيات الشتاء بأسعار دافئة", "مفضلاتك اليومية لموسم دافئ", "تسوّق الآن", "AED", "99", "125"),
    "ja-JP": (
        "冬の定番を、うれしい価格で",
        "ぬくもりの季節に、毎日のお気に入りを",
        "今すぐ購入",
        "JPY",
        "2980",
        "3980",
    ),
}


def jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60, help="banners per measurement")
    ap.add_argument(
        "--cold", action="store_true", help="clear the per-process TextFit cache before every banner (no copy repeats)"
    )
    args = ap.parse_args()
    brand = load_brand(ROOT / "brand_guides" / "halden")
    with Image.open(brand.logo_path) as f:
        logo = f.convert("RGBA")
    fmt = brand.format_by_id["square"]
    jobs = []
    for code, (head, sub, cta, cur, price, prior) in COPY.items():
        loc = locale_info(code)
        layout = plan_layout(
            fmt,
            loc,
            logo_aspect=logo.width / logo.height,
            logo_min_width=brand.logo.min_width_px,
            clear_space=brand.logo.clear_space,
        )
        scene = np.empty((1080, 1080, 3), np.uint8)
        scene[:] = hex_to_rgb(brand.palette.background)
        x0, y0, x1, y1 = layout.product
        scene[y0:y1, x0:x1] = np.random.default_rng(7).integers(0, 256, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
        copy = BannerCopy(
            headline=head,
            subline=sub,
            cta=cta,
            price=format_price(Decimal(price), cur, loc),
            prior_price=format_price(Decimal(prior), cur, loc),
            discount_label=format_percent_off(20, loc),
            legal=brand.tone.disclaimers.get(code, "Offer ends Dec 24, 2026."),
        )
        jobs.append((Image.fromarray(scene), layout, copy, loc))

    def vitrina(i: int) -> bytes:
        scene, layout, copy, loc = jobs[i % len(jobs)]
        if args.cold:
            _fit_cached.cache_clear()
        return jpeg(compose_banner(scene, layout, copy, brand, loc, min_text_px=fmt.min_text_px, logo=logo).image)

    font_path = str(brand.font_path(brand.typography.headline))
    big, small = ImageFont.truetype(font_path, 84), ImageFont.truetype(font_path, 36)

    def naive(i: int) -> bytes:
        scene, layout, copy, _ = jobs[i % len(jobs)]
        img = scene.copy()
        lg = logo.resize((216, round(216 * logo.height / logo.width)))
        img.paste(lg, (54, 54), lg)
        d = ImageDraw.Draw(img)
        d.text((54, 200), COPY["en-US"][0], font=big, fill=hex_to_rgb(brand.palette.text))
        d.text((54, 320), copy.price, font=small, fill=hex_to_rgb(brand.palette.accent))
        return jpeg(img)

    def rate(fn) -> tuple[float, float]:
        fn(0)  # warm: fonts, caches
        t = time.perf_counter()
        for i in range(args.n):
            fn(i)
        dt = time.perf_counter() - t
        return args.n / dt, 1000 * dt / args.n

    print(
        f"python {platform.python_version()}, {platform.machine()}, cpu affinity "
        f"{sorted(os.sched_getaffinity(0))}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    vname = "vitrina (cold fits)" if args.cold else "vitrina compose_banner"
    for name, fn in (("naive Pillow compose", naive), (vname, vitrina)):
        per_s, ms = rate(fn)
        print(f"{name:24s} {per_s:7.1f} banners/s  {ms:7.1f} ms/banner  (n={args.n}, 1080x1080 JPEG q90)")


if __name__ == "__main__":
    main()

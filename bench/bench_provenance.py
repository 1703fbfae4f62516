"""Cost of provenance per published file: XMP + C2PA signing, and what it adds to the file.

Run on one core (see BENCHMARKS.md):
    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/bench_provenance.py [--n 30]

Assets: a real demo banner (studio backend, 1080x1080 PNG master as the store keeps it) signed with
the packshot as ingredient, and its JPEG q90 channel rendition signed with the signed master as
parentOf ingredient. The signer is the local test CA (ES256, P-256); no thumbnails, no time stamp.
Reported: median and p90 ms per `sign_asset` call (XMP splice + ingredient hashing + manifest
signing + embedding), `read_provenance` ms, and the bytes the XMP packet and the manifest add.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.provenance import (  # noqa: E402
    AssetClaim,
    AssetInfo,
    Ingredient,
    embed_xmp,
    load_or_create_signer,
    read_provenance,
    sign_asset,
    source_type_for_backend,
    xmp_packet,
)
from tests.helpers import render_demo_variant  # noqa: E402


def _time(fn, n: int) -> tuple[float, float]:
    fn()  # warm: first call loads the native library
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    product, variant = render_demo_variant()
    png = variant.png
    jpg_io = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(jpg_io, "JPEG", quality=90)
    jpg = jpg_io.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        signer, _ = load_or_create_signer(Path(tmp), None, None)
        backend = variant.lineage.generation.backend
        info = AssetInfo("bench", "campaign", "variant", source_type_for_backend(backend), "Halden")
        master_claim = AssetClaim(info, packshot=Ingredient(product.source.name, path=product.source))
        signed_png = sign_asset(png, "image/png", master_claim, signer)
        rendition_claim = AssetClaim(info, master=Ingredient("master.png", data=signed_png), rendition="JPEG q90")
        signed_jpg = sign_asset(jpg, "image/jpeg", rendition_claim, signer)
        xmp = len(embed_xmp(png, "image/png", xmp_packet(info))) - len(png)
        rows = [
            ("PNG master 1080x1080", png, signed_png, lambda: sign_asset(png, "image/png", master_claim, signer)),
            ("JPEG q90 rendition", jpg, signed_jpg, lambda: sign_asset(jpg, "image/jpeg", rendition_claim, signer)),
        ]
        print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}, n={args.n}")
        print(f"packshot {product.source.name}: {product.source.stat().st_size} bytes; XMP packet adds {xmp} bytes")
        for name, plain, signed, sign in rows:
            median, p90 = _time(sign, args.n)
            read_median, _ = _time(lambda s=signed: read_provenance(s), args.n)
            print(
                f"{name}: file {len(plain)} bytes; sign_asset median {median:.1f} ms (p90 {p90:.1f}); "
                f"read_provenance {read_median:.1f} ms; adds {len(signed) - len(plain)} bytes "
                f"(XMP {xmp} + C2PA manifest {len(signed) - len(plain) - xmp})"
            )


if __name__ == "__main__":
    main()

"""How fast the review queue's first page is with 10,000 variants (issue 13: <= 300 ms).

    .venv/bin/python bench/bench_review_queue.py [--variants 10000] [--repeat 30]

Builds two catalogs in a temporary folder: one with `--variants` variants and a baseline with 100,
both made of the same rows (a real demo lineage and its real 25-result check report on every row;
a tenth of the slots hold an older version too, so "only the current version" has work to do).
The rows are inserted directly into the catalog's tables (`pipeline.storage.tables`) in one
transaction: storing 10,000 variants through `Store.add_variant` would take minutes and measure
nothing the queue does. The queue never reads an image (thumbnails are separate requests), so no
PNG is written.

Then the app (`vitrina.web.app.create_app`, every middleware included: session, CSRF, security
headers) is served in-process by Starlette's TestClient, signed in as a viewer, warmed with three
requests, and each page is fetched `--repeat` times. Reported: median, min and max wall time per
request (client included), and the page's size. The pages: the first page with the default
filters, the same with every version, a filtered page (one verdict), a page deep in the list
(offset 5,000), and one variant page.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from pwdlib import PasswordHash  # noqa: E402
from pwdlib.hashers.argon2 import Argon2Hasher  # noqa: E402
from sqlalchemy import create_engine, insert  # noqa: E402

from pipeline.storage import tables  # noqa: E402
from pipeline.storage.audit import now  # noqa: E402
from pipeline.storage.files import sha256_bytes, variant_id  # noqa: E402
from pipeline.storage.schema import report_digest  # noqa: E402
from pipeline.storage.store import Store  # noqa: E402
from tests.helpers import render_demo_variant  # noqa: E402
from vitrina.web.app import create_app  # noqa: E402

CAMPAIGN = "bench"
FORMATS = ("square", "story", "landscape")
LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pl-PL", "ja-JP", "ar-AE")
SCENES = ("studio", "kitchen")
PASSWORD = "bench password"


def build_catalog(out: Path, count: int) -> str:
    """A catalog of `count` variants in `out`; returns one variant id."""
    store = Store(out)
    hashed = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),)).hash(PASSWORD)
    store.add_user("bench", "viewer", hashed, by="bench")
    store.start_run("r1", CAMPAIGN, "brief.yaml", "studio")
    store.close()
    _, rendered = render_demo_variant()
    lineage = json.dumps(rendered.lineage.model_dump(mode="json"), sort_keys=True)
    checks = [r.to_dict() for r in rendered.report.results]
    at = now()
    rows: list[dict[str, Any]] = []
    slots: list[dict[str, Any]] = []
    per_sku = len(SCENES) * len(FORMATS) * len(LOCALES)
    n_slots = max(1, round(count / 1.1))  # a tenth of the slots has two versions
    for i in range(n_slots):
        sku = f"SKU{i // per_sku:05d}"
        rest = i % per_sku
        scene = SCENES[rest // (len(FORMATS) * len(LOCALES))]
        fmt = FORMATS[(rest // len(LOCALES)) % len(FORMATS)]
        locale = LOCALES[rest % len(LOCALES)]
        versions = 2 if (i % 10 == 0 and len(rows) + 2 <= count) else 1
        for version in range(1, versions + 1):
            if len(rows) >= count:
                break
            sha = sha256_bytes(f"{i}-{version}".encode())
            verdict = ("passed", "needs_review", "blocked")[(i + version) % 3]
            vid = variant_id(CAMPAIGN, sku, scene, fmt, locale, sha)
            rows.append(
                {
                    "variant_id": vid,
                    "campaign_id": CAMPAIGN,
                    "run_id": "r1",
                    "sku": sku,
                    "scene": scene,
                    "format": fmt,
                    "locale": locale,
                    "blob_sha": sha,
                    "verdict": verdict,
                    "reasons": json.dumps([] if verdict == "passed" else ["a finding to review"]),
                    "checks": json.dumps(checks),
                    "lineage": lineage,
                    "review": "pending",
                    "created_at": at,
                    "report_hash": report_digest(verdict, checks),
                    "version": version,
                    "state": verdict,
                    "updated_at": at,
                }
            )
            current = vid
        slots.append(
            {"campaign_id": CAMPAIGN, "sku": sku, "scene": scene, "format": fmt, "locale": locale}
            | {"current_variant": current, "pinned": 0}
        )
        if len(rows) >= count:
            break
    engine = create_engine(f"sqlite:///{out / 'catalog.sqlite'}")
    with engine.begin() as conn:
        conn.execute(insert(tables.variants), rows)
        conn.execute(insert(tables.slots), slots)
        conn.execute(
            insert(tables.run_variants), [{"run_id": "r1", "variant_id": r["variant_id"], "at": at} for r in rows]
        )
    engine.dispose()
    return str(rows[len(rows) // 2]["variant_id"])


def timed(client: TestClient, url: str, repeat: int) -> tuple[list[float], int]:
    for _ in range(3):  # warm: templates compiled, connections open, caches filled
        assert client.get(url).status_code == 200, url
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        size = len(r.content)
    return times, size


def measure(out: Path, count: int, sample: str, repeat: int) -> list[tuple[str, list[float], int]]:
    app = create_app(out, None, secret_key="bench-" + "x" * 40, deliver_webhooks=False)
    results = []
    with TestClient(app) as client:
        page = client.get("/login").text
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        r = client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 200 and "Review queue" in r.text
        pages = [
            ("first page (current versions)", "/"),
            ("first page, every version", "/?current=0"),
            ("first page, verdict=blocked", "/?verdict=blocked"),
            ("page 51 (offset 5,000)", "/?current=0&page=51"),
            ("variant page", f"/variants/{sample}"),
        ]
        for label, url in pages:
            if "page=51" in url and count <= 5_000:
                continue  # the small catalog has no page 51
            times, size = timed(client, url, repeat)
            results.append((label, times, size))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {platform.processor() or 'cpu'}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in (100, args.variants):
            out = Path(tmp) / f"out-{count}"
            start = time.perf_counter()
            sample = build_catalog(out, count)
            built = time.perf_counter() - start
            print(f"\n{count} variants (catalog built in {built:.1f} s; {args.repeat} requests each, after 3 to warm)")
            print(f"{'page':34} {'median ms':>10} {'min':>8} {'max':>8} {'KiB':>7}")
            for label, times, size in measure(out, count, sample, args.repeat):
                med, lo, hi = statistics.median(times), min(times), max(times)
                print(f"{label:34} {med:10.1f} {lo:8.1f} {hi:8.1f} {size / 1024:7.0f}")


if __name__ == "__main__":
    main()

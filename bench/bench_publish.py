"""Cost of signing in a real publish: `publish_approved` to a folder DAM, with and without provenance.

    .venv/bin/vitrina run demo/campaign.yaml --out OUT
    .venv/bin/vitrina review approve --all-passed --by bench --out OUT
    .venv/bin/python bench/bench_publish.py OUT [--repeat 3]

Each measurement publishes a fresh copy of OUT (so no signature is cached in its blobs yet, and no
publication is recorded) to an empty folder DAM: once with `finalize` replaced by a pass-through
(no XMP, no C2PA: what publishing costs without provenance), once as shipped (the local test
signer, ES256). The difference, divided by the images signed (the PNG master and the JPEG
rendition of each variant), is the signing cost per asset as a publish pays it (signing plus
caching the signed bytes). Also reported: the published JSON sidecar's size (median, min, max).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dam_connectors import FileSystemConnector  # noqa: E402
from flows.publish import publish_approved  # noqa: E402
from pipeline.provenance import load_or_create_signer  # noqa: E402
from pipeline.storage import publishing  # noqa: E402
from pipeline.storage.store import Store  # noqa: E402


def _publish(out: Path, work: Path, signed: bool) -> tuple[float, int, int, list[int]]:
    """(seconds, variants uploaded, objects uploaded, sidecar sizes) for one publish of a copy of `out`."""
    copy = work / "out"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(out, copy)
    signer, _ = load_or_create_signer(work / "signer", None, None)
    original = publishing.finalize
    if not signed:
        publishing.finalize = lambda data, *_args, **_kw: data  # type: ignore[assignment]
    store = Store.open_existing(copy)
    dam = FileSystemConnector(work / "dam")
    try:
        start = time.perf_counter()
        report = publish_approved(store, dam, signer)
        seconds = time.perf_counter() - start
    finally:
        publishing.finalize = original  # type: ignore[assignment]
        store.close()
        dam.close()
    assert not report.failed, report.failed
    sizes = [p.stat().st_size for p in (work / "dam").rglob("*.json") if not p.name.endswith(".meta.json")]
    return seconds, len(report.uploaded), report.objects_uploaded, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="an output folder with approved variants")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeat):
            for signed in (False, True):
                seconds, variants, objects, sizes = _publish(args.out, Path(tmp) / "w", signed)
                times[signed].append(seconds)
    images = 2 * variants  # the PNG master and the JPEG rendition of each (the demo's masters are opaque)
    plain, signed_s = statistics.median(times[False]), statistics.median(times[True])
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"variants published: {variants}, objects each publish: {objects}, images signed: {images}")
    print(f"publish without provenance: {plain:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times[False])})")
    print(f"publish with signing:       {signed_s:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times[True])})")
    print(f"signing cost: {1000 * (signed_s - plain) / images:.1f} ms per signed image")
    print(f"published sidecar: median {statistics.median(sizes) / 1024:.1f} KiB (min {min(sizes)}, max {max(sizes)} B)")


if __name__ == "__main__":
    main()

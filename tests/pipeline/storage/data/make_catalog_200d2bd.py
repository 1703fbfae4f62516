"""How catalog-200d2bd.sqlite was made: by the store of commit 200d2bd (before versions), so the
migration is tested on a catalog the landed main really wrote. Kept for the record; it runs only
against that commit's code:

    git archive 200d2bd | tar -x -C /tmp/v0
    cd /tmp/v0 && PYTHONPATH=/tmp/v0 python tests/pipeline/storage/data/make_catalog_200d2bd.py OUT.sqlite

What it holds (all on the DAM file:///dam; the publications are recorded, no files):
    square     two rows: the first approved and published, a re-run's new bytes approved and published
    portrait   approved, published, then rejected by sam ("wrong season")
    story      pending (passed)
    hero       blocked by a claims check
"""

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from pipeline.checks.results import CheckResult, Verdict, build_report
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant

target = Path(sys.argv[1])
tmp = Path(tempfile.mkdtemp())
store = Store(tmp)


def keep(run: str, fmt: str, extra: bytes = b"", report=None) -> str:
    _, v = render_demo_variant(fmt=fmt)
    return store.keep_variant(run, v.png + extra, report or v.report, v.lineage)


def publish(vid: str, name: str) -> None:
    store.record_publication(vid, "file:///dam", f"k/{name}.png", f"/dam/k/{name}.png", store.variant(vid).blob_sha)


store.start_run("r1", "halden-winter-2026", "demo/campaign.yaml", "studio")
a1, b1, c1 = keep("r1", "square"), keep("r1", "portrait"), keep("r1", "story")
store.decide(a1, "approved", "dana", "fine")
store.decide(b1, "approved", "dana")
publish(a1, "a1")
publish(b1, "b1")
store.decide(b1, "rejected", "sam", "wrong season")
store.finish_run("r1", {"run_id": "r1", "variants": 3})
store.start_run("r2", "halden-winter-2026", "demo/campaign.yaml", "studio")
a2 = keep("r2", "square", b"r2")
store.decide(a2, "approved", "lee")
publish(a2, "a2")
_, hero = render_demo_variant(fmt="hero")
claim = CheckResult("copy.claims", Verdict.BLOCKED, "claim", "'best price' is not allowed")
d1 = keep("r2", "hero", report=build_report((*hero.report.results, claim)))
store.finish_run("r2", {"run_id": "r2", "variants": 2})
assert store.verify_audit() is None
store.close()
with sqlite3.connect(tmp / "catalog.sqlite") as db:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
shutil.copy(tmp / "catalog.sqlite", target)
print(a1, a2, b1, c1, d1)

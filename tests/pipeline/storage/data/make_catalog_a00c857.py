"""How catalog-a00c857.sqlite was made: by the store of commit a00c857 (versions, retraction and
the hash-chained audit log; before SQLAlchemy and Alembic), so `vitrina db upgrade` is tested on a
catalog the landed main really wrote. Kept for the record; it runs only against that commit's code:

    git archive a00c857 | tar -x -C /tmp/v1
    cd /tmp/v1 && PYTHONPATH=/tmp/v1 python tests/pipeline/storage/data/make_catalog_a00c857.py OUT.sqlite

What it holds (all on the DAM file:///dam; the publications and retractions are recorded, no files):
    square     version 1 approved and published; version 2 (a re-run's new bytes) approved and
               published (version 1 superseded, then retracted); rolled back to version 1 by dana
    portrait   approved, published, then rejected by sam ("wrong season") and retracted
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
DAM = "file:///dam"


def keep(run: str, fmt: str, extra: bytes = b"", report=None) -> str:
    _, v = render_demo_variant(fmt=fmt)
    return store.keep_variant(run, v.png + extra, report or v.report, v.lineage)


def publish(vid: str, name: str) -> None:
    store.record_publication(vid, DAM, f"k/{name}.png", f"/dam/k/{name}.png", store.variant(vid).blob_sha)


def retract_due() -> None:
    for r in store.pending_retractions(DAM):
        store.record_retraction(r.variant_id, DAM, f"/dam/tombstones/{r.variant_id}.json")


store.start_run("r20261201-100000-aaaa", "halden-winter-2026", "demo/campaign.yaml", "studio")
a1 = keep("r20261201-100000-aaaa", "square")
b1 = keep("r20261201-100000-aaaa", "portrait")
c1 = keep("r20261201-100000-aaaa", "story")
store.decide(a1, "approved", "dana", "fine")
store.decide(b1, "approved", "dana")
publish(a1, "a1")
publish(b1, "b1")
store.decide(b1, "rejected", "sam", "wrong season")
retract_due()
store.finish_run("r20261201-100000-aaaa", {"run_id": "r20261201-100000-aaaa", "variants": 3})
store.start_run("r20261201-110000-bbbb", "halden-winter-2026", "demo/campaign.yaml", "studio")
a2 = keep("r20261201-110000-bbbb", "square", b"r2")
store.decide(a2, "approved", "lee")
publish(a2, "a2")
retract_due()
_, hero = render_demo_variant(fmt="hero")
claim = CheckResult("copy.claims", Verdict.BLOCKED, "claim", "'best price' is not allowed")
d1 = keep("r20261201-110000-bbbb", "hero", report=build_report((*hero.report.results, claim)))
store.finish_run("r20261201-110000-bbbb", {"run_id": "r20261201-110000-bbbb", "variants": 2})
store.rollback(store.variant(a1).slot, 1, "dana", "version 2 crops the logo")
assert store.verify_audit() is None
store.close()
with sqlite3.connect(tmp / "catalog.sqlite") as db:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
shutil.copy(tmp / "catalog.sqlite", target)
print(a1, a2, b1, c1, d1)

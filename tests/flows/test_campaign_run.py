"""`vitrina run` end to end: real Prefect server, real images, real files.

The run happens once per session (``demo_run`` in tests/conftest.py); these tests only read what
it wrote. Reviewing and publishing its variants is tested in tests/vitrina/cli/test_main.py, on a
copy of the output folder.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image
from typer.testing import CliRunner

from vitrina.cli.main import app

if TYPE_CHECKING:
    from tests.conftest import DemoRun


def _variant_rows(demo_run: DemoRun, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(demo_run.out / "catalog.sqlite")) as db:
        return db.execute(sql, params).fetchall()


def test_json_summary_counts_are_consistent(demo_run: DemoRun):
    s = demo_run.summary
    assert set(s) == {
        "run_id",
        "variants",
        "passed",
        "needs_review",
        "blocked",
        "reused",
        "recomposed",
        "rendered",
        "retired",
        "published",
        "out",
    }
    assert s["variants"] == s["passed"] + s["needs_review"] + s["blocked"]
    assert s["variants"] == s["reused"] + s["recomposed"] + s["rendered"]
    # a first run into a new folder renders everything
    assert (s["reused"], s["recomposed"], s["rendered"], s["retired"]) == (0, 0, 12, 0)
    # bulb + bag survive: 2 SKUs x 1 scene x 2 formats x 3 locales
    assert s["variants"] == 12
    files = sorted((Path(s["out"]) / "runs" / s["run_id"]).rglob("*.png"))
    assert len(files) == 12
    assert _variant_rows(demo_run, "SELECT COUNT(*) FROM variants WHERE run_id=?", s["run_id"]) == [(12,)]


def test_damaged_packshot_skips_only_that_sku_and_exits_1(demo_run: DemoRun):
    assert demo_run.proc.returncode == 1
    report_path = Path(demo_run.summary["out"]) / "runs" / demo_run.summary["run_id"] / "report.json"
    report = json.loads(report_path.read_text())
    assert report["failed_skus"] == ["B07GTFSCHB"]
    reasons = " ".join(s["reason"] for s in report["skipped"] if s["subject"].startswith("B07GTFSCHB"))
    assert "truncated or corrupt" in reasons
    assert {v["sku"] for v in report["variants_detail"]} == {"B074M5HPBD", "B0799CK52K"}


def test_output_is_clean(demo_run: DemoRun):
    noise = demo_run.proc.stderr
    for bad in ("Traceback", "CancelledError", "Warning", "telemetry", "ERROR"):
        assert bad not in noise, noise


def test_banners_have_the_product_intact_and_verified(demo_run: DemoRun):
    rows = _variant_rows(demo_run, "SELECT checks, lineage, blob_sha FROM variants")
    assert len(rows) == 12
    for checks_json, lineage_json, sha in rows:
        checks = {c["check"]: c for c in json.loads(checks_json)}
        assert checks["product.pixels"]["verdict"] == "passed"
        lineage = json.loads(lineage_json)
        png = demo_run.out / "blobs" / "sha256" / sha[:2] / f"{sha}.png"
        with Image.open(png) as img:
            size = img.size
        w, h = lineage["format"]["size"]
        assert size == (w, h)
        x0, y0, x1, y1 = lineage["product"]["placement_box"]
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


def test_prices_are_formatted_per_locale(demo_run: DemoRun):
    rows = _variant_rows(demo_run, "SELECT sku, locale, lineage FROM variants")
    prices = {(sku, loc): json.loads(lin)["copy"]["price"] for sku, loc, lin in rows}
    assert prices[("B074M5HPBD", "en-US")] == "$8.79"
    assert "1,180" in prices[("B074M5HPBD", "ja-JP")] and "￥" in prices[("B074M5HPBD", "ja-JP")]
    assert "31.20" in prices[("B074M5HPBD", "ar-AE")]


def test_every_run_banner_verifies_from_what_the_run_stored(demo_run: DemoRun):
    """The run keeps each SKU's cut-out, so `vitrina verify` needs nothing but the output folder."""
    banners = sorted((demo_run.out / "runs").rglob("*.png"))
    assert len(banners) == 12
    runner = CliRunner()
    for banner in banners:
        result = runner.invoke(app, ["verify", str(banner), "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["ok"] is True and report["status"] == "identical" and report["differing_pixels"] == 0


def test_the_report_counts_reused_variants_and_the_run_is_finished(demo_run: DemoRun):
    from pipeline.storage.store import Store

    s = demo_run.summary
    report = json.loads((Path(s["out"]) / "runs" / s["run_id"] / "report.json").read_text(encoding="utf-8"))
    assert report["reused"] == 0 and report["variants"] == 12  # a first run into a new folder makes all
    store = Store.open_existing(demo_run.out)
    assert store.run_status(s["run_id"]) == "finished"
    assert len(store.variants(run_id=s["run_id"])) == 12
    assert store.verify_audit() is None
    store.close()

"""`vitrina run` end to end: real Prefect server, real images, real files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from PIL import Image

from tests.flows.conftest import DemoRun, run_cli


def test_json_summary_counts_are_consistent(demo_run: DemoRun):
    s = demo_run.summary
    assert set(s) == {"run_id", "variants", "passed", "needs_review", "blocked", "published", "out"}
    assert s["variants"] == s["passed"] + s["needs_review"] + s["blocked"]
    # bulb + bag survive: 2 SKUs x 1 scene x 2 formats x 3 locales
    assert s["variants"] == 12
    files = sorted((Path(s["out"]) / "runs" / s["run_id"]).rglob("*.png"))
    assert len(files) == 12
    db = sqlite3.connect(Path(s["out"]) / "catalog.sqlite")
    assert db.execute("SELECT COUNT(*) FROM variants WHERE run_id=?", (s["run_id"],)).fetchone()[0] == 12


def test_damaged_packshot_skips_only_that_sku_and_exits_1(demo_run: DemoRun):
    assert demo_run.proc.returncode == 1
    report = json.loads((Path(demo_run.summary["out"]) / "runs" / demo_run.summary["run_id"] / "report.json").read_text())
    assert report["failed_skus"] == ["B07GTFSCHB"]
    reasons = " ".join(s["reason"] for s in report["skipped"] if s["subject"].startswith("B07GTFSCHB"))
    assert "truncated or corrupt" in reasons
    assert {v["sku"] for v in report["variants_detail"]} == {"B074M5HPBD", "B0799CK52K"}


def test_output_is_clean(demo_run: DemoRun):
    noise = demo_run.proc.stderr
    for bad in ("Traceback", "CancelledError", "Warning", "telemetry", "ERROR"):
        assert bad not in noise, noise


def test_banners_have_the_product_intact_and_verified(demo_run: DemoRun):
    db = sqlite3.connect(Path(demo_run.summary["out"]) / "catalog.sqlite")
    rows = db.execute("SELECT checks, lineage, blob_sha FROM variants").fetchall()
    for checks_json, lineage_json, sha in rows:
        checks = {c["check"]: c for c in json.loads(checks_json)}
        assert checks["product.pixels"]["verdict"] == "passed"
        lineage = json.loads(lineage_json)
        png = Path(demo_run.summary["out"]) / "blobs" / "sha256" / sha[:2] / f"{sha}.png"
        img = Image.open(png)
        w, h = lineage["format"]["size"]
        assert img.size == (w, h)
        x0, y0, x1, y1 = lineage["product"]["placement_box"]
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


def test_prices_are_formatted_per_locale(demo_run: DemoRun):
    db = sqlite3.connect(Path(demo_run.summary["out"]) / "catalog.sqlite")
    prices = {(sku, loc): json.loads(lin)["copy"]["price"]
              for sku, loc, lin in db.execute("SELECT sku, locale, lineage FROM variants")}
    assert prices[("B074M5HPBD", "en-US")] == "$8.79"
    assert "1,180" in prices[("B074M5HPBD", "ja-JP")] and "￥" in prices[("B074M5HPBD", "ja-JP")]
    assert "31.20" in prices[("B074M5HPBD", "ar-AE")]


def test_review_and_publish_to_a_folder_twice(demo_run: DemoRun, tmp_path: Path):
    out = str(demo_run.out)
    listed = json.loads(run_cli("review", "list", "--out", out, "--json").stdout)
    assert len(listed) == 12 and all(v["review"] == "pending" for v in listed)
    first, second = listed[0]["id"], listed[1]["id"]
    assert run_cli("review", "approve", first, "--by", "dana", "--out", out).returncode == 0
    rejected = run_cli("review", "reject", second, "--by", "sam", "--reason", "logo too close", "--out", out)
    assert rejected.returncode == 0
    shown = run_cli("review", "show", second, "--out", out)
    assert "rejected by sam: logo too close" in shown.stdout
    assert "brand score" in shown.stdout and "product.pixels" in shown.stdout

    dam = tmp_path / "dam"
    pub1 = json.loads(run_cli("publish", "--dam", f"file://{dam}", "--out", out, "--json").stdout)
    assert pub1["uploaded"] == 1 and pub1["objects_uploaded"] == 2
    pub2 = json.loads(run_cli("publish", "--dam", f"file://{dam}", "--out", out, "--json").stdout)
    assert pub2["uploaded"] == 0 and pub2["already"] == 1 and pub2["objects_uploaded"] == 0
    sidecars = list(dam.rglob(f"*{first}.json"))
    assert len(sidecars) == 1
    meta = json.loads(sidecars[0].read_text())
    assert meta["variant_id"] == first and meta["approvals"][0]["by"] == "dana"
    assert {"sku", "locale", "format", "campaign", "lineage", "checks", "brand_score"} <= set(meta)


def test_publish_to_real_s3_uploads_each_asset_exactly_once(demo_run: DemoRun, s3_server):
    out = str(demo_run.out)
    run_cli("review", "approve", "--all-passed", "--by", "ci", "--out", out)
    approved = json.loads(run_cli("review", "list", "--status", "approved", "--out", out, "--json").stdout)
    assert approved
    bucket = s3_server.new_bucket()
    env = {"AWS_ACCESS_KEY_ID": s3_server.access_key, "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
           "AWS_DEFAULT_REGION": s3_server.region, "AWS_EC2_METADATA_DISABLED": "true"}
    args = ("publish", "--dam", f"s3://{bucket}/banners", "--endpoint-url", s3_server.endpoint_url, "--out", out, "--json")
    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["uploaded"] == len(approved)
    second = json.loads(run_cli(*args, env=env).stdout)
    assert second["uploaded"] == 0 and second["objects_uploaded"] == 0 and second["already"] == len(approved)
    listing = s3_server.client().list_objects_v2(Bucket=bucket, Prefix="banners/")["Contents"]
    keys = [o["Key"] for o in listing]
    assert len(keys) == 2 * len(approved)  # one PNG + one JSON sidecar each, no duplicates
    png = next(k for k in keys if k.endswith(".png"))
    head = s3_server.client().head_object(Bucket=bucket, Key=png)
    assert head["ContentType"] == "image/png" and len(head["Metadata"]["sha256"]) == 64


def test_publish_to_unreachable_s3_fails_with_one_line(demo_run: DemoRun):
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1"}
    run_cli("review", "approve", "--all-passed", "--by", "ci", "--out", str(demo_run.out))
    proc = run_cli("publish", "--dam", "s3://nowhere/x", "--endpoint-url", "http://127.0.0.1:9", "--out",
                   str(demo_run.out), env=env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "127.0.0.1:9" in proc.stderr


def test_every_run_banner_verifies_from_what_the_run_stored(demo_run: DemoRun):
    """The run keeps each SKU's cut-out, so `vitrina verify` needs nothing but the output folder."""
    banners = sorted((demo_run.out / "runs").rglob("*.png"))
    assert banners
    proc = run_cli("verify", str(banners[0]), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["ok"] is True

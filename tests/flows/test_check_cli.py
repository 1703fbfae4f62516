"""`vitrina check copy|image|list`: the contract designers and automation rely on."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from tests.flows.conftest import DemoRun, run_cli
from tests.helpers import DEMO_BRAND, DEMO_BRIEF

BRAND = str(DEMO_BRAND)


def _copy(*args: str):
    proc = run_cli("check", "copy", *args, "--brand", BRAND, "--json")
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def test_check_copy_reports_findings_with_spans_in_the_given_text():
    text = "Klimaneutral und nur heute: der Nr. 1 Bestseller"
    proc, out = _copy(text, "--locale", "de-DE", "--on", "2026-12-01")
    assert proc.returncode == 1 and out["verdict"] == "block"
    categories = {f["category"] for f in out["findings"]}
    assert {"environmental", "superlative"} <= categories
    for f in out["findings"]:
        assert set(f) >= {"rule", "category", "span", "severity", "message"}
        assert f["severity"] in ("needs_review", "block") and f["message"]
        start, end = f["span"]
        assert text[start:end] == f["text"]


def test_check_copy_passes_innocent_lines_with_exit_0():
    proc, out = _copy("Free your evenings in our green colourway", "--locale", "en-US")
    assert proc.returncode == 0 and out == {"verdict": "pass", "findings": []}


def test_check_copy_checks_stock_and_deadlines_against_the_campaign():
    """The brief gives the dates and the catalog: the bulb has 420 in stock in the US."""
    proc, out = _copy("Only 3 left! Ends January 15", "--locale", "en-US", "--campaign", str(DEMO_BRIEF),
                      "--sku", "B074M5HPBD")
    rules = {f["rule"] for f in out["findings"]}
    assert out["verdict"] == "block"
    assert "scarcity.stock_mismatch" in rules and "urgency.deadline_after_campaign" in rules


def test_check_copy_bad_input_is_one_line_exit_2():
    proc = run_cli("check", "copy", "Hello", "--locale", "xx-XX", "--brand", BRAND)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "xx-XX" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = run_cli("check", "copy", "Hello", "--locale", "en-US", "--brand", BRAND, "--sku", "B074M5HPBD")
    assert proc.returncode == 2 and "--catalog" in proc.stderr


def test_check_image_uses_the_sidecar_and_finds_problems_in_a_bare_jpeg(demo_run: DemoRun, tmp_path: Path):
    sidecars = sorted((demo_run.out / "blobs").rglob("*.json"))
    passed = next(s for s in sidecars if json.loads(s.read_text())["verdict"] == "passed")
    banner = passed.with_suffix(".png")
    proc = run_cli("check", "image", str(banner), "--brand", BRAND, "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["verdict"] == "pass", proc.stdout
    assert report["sidecar"] is True and report["brand_score"] == 1.0
    checks = {r["check"] for r in report["results"]}
    assert {"image.logo", "image.palette.background", "image.nudity", "image.safe_zone"} <= checks

    # The same banner as a heavily compressed JPEG with a watermark, without its sidecar.
    image = Image.open(banner).convert("RGB")
    from PIL import ImageDraw, ImageFont

    ImageDraw.Draw(image).text((700, 950), "SAMPLE WATERMARK", fill=(90, 90, 90),
                              font=ImageFont.truetype(str(DEMO_BRAND / "fonts" / "NotoSans-Bold.ttf"), 40))
    bad = tmp_path / "bad.jpg"
    image.save(bad, quality=25)
    proc = run_cli("check", "image", str(bad), "--brand", BRAND, "--json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and report["verdict"] in ("needs_review", "block") and report["brand_score"] < 1
    flagged = {r["check"] for r in report["results"] if r["verdict"] != "passed"}
    assert "image.quality.jpeg" in flagged and "image.stray_text" in flagged
    assert all(r["message"] for r in report["results"])

    proc = run_cli("check", "image", str(tmp_path / "missing.png"), "--brand", BRAND)
    assert proc.returncode == 2 and "missing.png" in proc.stderr


def test_check_list_names_every_check_and_what_the_brand_runs():
    proc = run_cli("check", "list", "--brand", BRAND, env={"COLUMNS": "250"})
    assert proc.returncode == 0
    for check_id in ("product.pixels", "copy.claims", "image.nudity", "image.palette.background"):
        assert check_id in proc.stdout

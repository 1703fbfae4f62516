"""`vitrina check copy|image|list`: the contract designers and automation rely on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

from tests.helpers import DEMO_BRAND, DEMO_BRIEF

if TYPE_CHECKING:
    from click.testing import Result

    from tests.conftest import DemoRun
    from tests.vitrina.cli.conftest import Vitrina


def _copy(vitrina: Vitrina, *args: str) -> tuple[Result, Any]:
    result = vitrina("check", "copy", *args, "--brand", DEMO_BRAND, "--json")
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_check_copy_reports_findings_with_spans_in_the_given_text(vitrina: Vitrina):
    text = "Klimaneutral und nur heute: der Nr. 1 Bestseller"
    result, out = _copy(vitrina, text, "--locale", "de-DE", "--on", "2026-12-01")
    assert result.exit_code == 1 and out["verdict"] == "block"
    categories = {f["category"] for f in out["findings"]}
    assert {"environmental", "superlative"} <= categories
    for f in out["findings"]:
        assert set(f) >= {"rule", "category", "span", "severity", "message"}
        assert f["severity"] in ("needs_review", "block") and f["message"]
        start, end = f["span"]
        assert text[start:end] == f["text"]


def test_check_copy_passes_innocent_lines_with_exit_0(vitrina: Vitrina):
    result, out = _copy(vitrina, "Free your evenings in our green colourway", "--locale", "en-US")
    assert result.exit_code == 0 and out == {"verdict": "pass", "findings": []}


def test_check_copy_checks_stock_and_deadlines_against_the_campaign(vitrina: Vitrina):
    """The brief gives the dates and the catalog: the bulb has 420 in stock in the US."""
    result, out = _copy(
        vitrina,
        "Only 3 left! Ends January 15",
        "--locale",
        "en-US",
        "--campaign",
        str(DEMO_BRIEF),
        "--sku",
        "B074M5HPBD",
    )
    rules = {f["rule"] for f in out["findings"]}
    assert result.exit_code == 1 and out["verdict"] == "block"
    assert "scarcity.stock_mismatch" in rules and "urgency.deadline_after_campaign" in rules


def test_check_copy_bad_input_is_one_line_exit_2(vitrina: Vitrina):
    result = vitrina("check", "copy", "Hello", "--locale", "xx-XX", "--brand", DEMO_BRAND)
    assert result.exit_code == 2 and result.stdout == ""
    assert "xx-XX" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = vitrina("check", "copy", "Hello", "--locale", "en-US", "--brand", DEMO_BRAND, "--sku", "B074M5HPBD")
    assert result.exit_code == 2 and "--catalog" in result.stderr


def test_check_image_uses_the_sidecar_and_finds_problems_in_a_bare_jpeg(
    vitrina: Vitrina, demo_run: DemoRun, tmp_path: Path
):
    sidecars = sorted((demo_run.out / "blobs").rglob("*.json"))
    passed = next(s for s in sidecars if json.loads(s.read_text())["verdict"] == "passed")
    banner = passed.with_suffix(".png")
    result = vitrina("check", "image", banner, "--brand", DEMO_BRAND, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["verdict"] == "pass", result.stdout
    assert report["sidecar"] is True and report["brand_score"] == 1.0
    checks = {r["check"] for r in report["results"]}
    assert {"image.logo", "image.palette.background", "image.nudity", "image.safe_zone"} <= checks

    # The same banner as a heavily compressed JPEG with a watermark, without its sidecar.
    image = Image.open(banner).convert("RGB")
    ImageDraw.Draw(image).text(
        (700, 950),
        "SAMPLE WATERMARK",
        fill=(90, 90, 90),
        font=ImageFont.truetype(str(DEMO_BRAND / "fonts" / "NotoSans-Bold.ttf"), 40),
    )
    bad = tmp_path / "bad.jpg"
    image.save(bad, quality=25)
    result = vitrina("check", "image", bad, "--brand", DEMO_BRAND, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["verdict"] in ("needs_review", "block") and report["brand_score"] < 1
    assert report["sidecar"] is False
    flagged = {r["check"] for r in report["results"] if r["verdict"] != "passed"}
    assert "image.quality.jpeg" in flagged and "image.stray_text" in flagged
    assert all(r["message"] for r in report["results"])

    result = vitrina("check", "image", tmp_path / "missing.png", "--brand", DEMO_BRAND)
    assert result.exit_code == 2 and "missing.png" in result.stderr


def test_check_list_names_every_check_and_what_the_brand_runs(vitrina: Vitrina):
    result = vitrina("check", "list", "--brand", DEMO_BRAND, env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for check_id in ("product.pixels", "copy.claims", "image.nudity", "image.palette.background"):
        assert check_id in result.stdout


def test_check_image_refuses_huge_images_bombs_and_broken_files_from_the_header(vitrina: Vitrina, tmp_path: Path):
    """One pixel limit (pipeline.imaging.imageio.MAX_PIXELS), checked before decoding: an 81 MP PNG
    (below Pillow's own limit) took 2.6 GB; a 400 MP bomb was a traceback."""
    huge = tmp_path / "huge.png"
    Image.new("1", (9_000, 9_000)).save(huge)  # a few kB
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)
    cut = tmp_path / "cut.png"
    Image.effect_noise((256, 256), 60).convert("RGB").save(cut)
    cut.write_bytes(cut.read_bytes()[:2000])
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    expected = {
        huge: f"error: {huge}: image too large (9000x9000 pixels, limit 40 megapixels)",
        bomb: f"error: {bomb}: image too large (400 megapixels, limit 40 megapixels)",
        cut: f"error: {cut}: truncated or corrupt image data",
        text: f"error: {text}: not an image file",
    }
    for path, line in expected.items():
        result = vitrina("check", "image", path, "--brand", DEMO_BRAND, "--no-ocr", "--json")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.strip().splitlines() == [line]


def test_check_image_refuses_a_logo_above_the_pixel_limit(vitrina: Vitrina, tmp_path: Path):
    brand = tmp_path / "halden"
    shutil.copytree(DEMO_BRAND, brand)
    Image.new("RGBA", (9_000, 9_000)).save(brand / "logo.png")
    banner = tmp_path / "banner.png"
    Image.new("RGB", (200, 200), "white").save(banner)
    result = vitrina("check", "image", banner, "--brand", brand, "--no-ocr")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {brand / 'brand.yaml'}: logo.file: 'logo.png': image too large (9000x9000 pixels, limit 40 megapixels)"
    ]

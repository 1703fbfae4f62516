"""`vitrina verify`: a stored banner verifies from the store alone (sidecar and cut-out found by
hash); a copy with one product pixel changed fails with the count and the box; missing files, a
sidecar that is not of the current schema and a wrong cut-out are one-line errors with exit 2.

The store is filled the way a run fills it (`Store.keep_variant`: banner blob, sidecar, a browsable
link under runs/; the cut-out), from one real variant rendered without Prefect.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline.provenance import COMPOSITE_SYNTHETIC
from tests.helpers import StoredVariant as Stored
from tests.helpers import store_demo_variant
from vitrina.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    return store_demo_variant(tmp_path_factory.mktemp("verify") / "out")


def _verify(*args: str):
    return runner.invoke(app, ["verify", *map(str, args)])


def test_a_stored_banner_verifies_from_the_store_alone(stored: Stored):
    result = _verify(stored.blob)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {stored.blob}: identical: all ")
    assert str(stored.cutout) in result.stdout


def test_the_browsable_run_copy_finds_its_store(stored: Stored):
    result = _verify(stored.linked, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "identical" and report["ok"] is True and report["differing_pixels"] == 0
    assert report["sidecar"] == str(stored.blob.with_suffix(".json"))
    assert report["cutout"] == str(stored.cutout)
    assert report["placement_box"] == list(stored.lineage.product.placement_box)


def test_one_changed_product_pixel_fails_with_count_and_box(stored: Stored, tmp_path: Path):
    x0, y0, x1, y1 = stored.lineage.product.placement_box
    x, y = (x0 + x1) // 2, (y0 + y1) // 2
    banner = Image.open(stored.blob).convert("RGB")
    r, g, b = banner.getpixel((x, y))
    banner.putpixel((x, y), (r, g, b ^ 4))
    edited = tmp_path / "edited.png"
    banner.save(edited)
    sidecar = stored.blob.with_suffix(".json")
    result = _verify(edited, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 1, result.output
    assert f"FAIL {edited}: NOT identical: 1 of " in result.stdout
    assert f"within ({x}, {y})-({x + 1}, {y + 1})" in result.stdout

    as_json = _verify(edited, "--sidecar", sidecar, "--cutout", stored.cutout, "--json")
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and report["status"] == "differs"
    assert report["differing_pixels"] == 1 and report["differing_box"] == [x, y, x + 1, y + 1]


def test_files_next_to_the_banner_are_found(stored: Stored, tmp_path: Path):
    """A banner handed over with BANNER.json and BANNER.cutout.png beside it, no store."""
    banner = tmp_path / "hero.png"
    shutil.copy(stored.blob, banner)
    shutil.copy(stored.blob.with_suffix(".json"), tmp_path / "hero.json")
    shutil.copy(stored.cutout, tmp_path / "hero.cutout.png")
    result = _verify(banner)
    assert result.exit_code == 0, result.output


def test_missing_files_are_one_line_errors(stored: Stored, tmp_path: Path):
    banner = tmp_path / "lonely.png"
    shutil.copy(stored.blob, banner)
    result = _verify(banner)
    assert result.exit_code == 2
    assert "no sidecar for" in result.stderr and str(banner.with_suffix(".json")) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    shutil.copy(stored.blob.with_suffix(".json"), banner.with_suffix(".json"))
    result = _verify(banner)
    assert result.exit_code == 2 and "no cut-out" in result.stderr and "pass --cutout" in result.stderr

    result = _verify(tmp_path / "nope.png")
    assert result.exit_code == 2 and f"banner not found: {tmp_path / 'nope.png'}" in result.stderr
    result = _verify(stored.blob, "--cutout", tmp_path / "gone.png")
    assert result.exit_code == 2 and f"cut-out not found: {tmp_path / 'gone.png'}" in result.stderr


def test_a_wrong_cutout_is_refused(stored: Stored, tmp_path: Path):
    cut = Image.open(stored.cutout)
    cut.putpixel((cut.width // 2, cut.height // 2), (1, 2, 3, 255))
    wrong = tmp_path / "wrong.png"
    cut.save(wrong)
    result = _verify(stored.blob, "--cutout", wrong)
    assert result.exit_code == 2
    assert "the cut-out is not the one this banner was made from" in result.stderr
    assert stored.lineage.product.cutout_sha256 in result.stderr


def test_a_sidecar_of_the_old_shape_is_one_line_with_exit_2(stored: Stored, tmp_path: Path):
    """A DAM sidecar as Vitrina wrote it before the one schema: flat product keys, no schema_version."""
    product = stored.lineage.product
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(
            {
                "variant_id": stored.variant_id,
                "verdict": "passed",
                "lineage": {
                    "product_cutout_sha256": product.cutout_sha256,
                    "product_layer_sha256": product.layer_sha256,
                    "product_placement_box": list(product.placement_box),
                },
            }
        ),
        encoding="utf-8",
    )
    result = _verify(stored.blob, "--sidecar", old, "--cutout", stored.cutout)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert f"error: sidecar {old}: no schema_version" in result.stderr

    as_json = _verify(stored.blob, "--sidecar", old, "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["status"] == "bad_input"


def test_an_edited_sidecar_names_the_field(stored: Stored, tmp_path: Path):
    data = json.loads(stored.sidecar.read_text(encoding="utf-8"))
    data["lineage"]["product"]["resample"] = "bicubic"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = _verify(stored.blob, "--sidecar", edited)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "lineage.product.resample" in result.stderr and "'bicubic'" in result.stderr


def test_schema_sidecar_prints_the_json_schema_the_stored_sidecar_meets(stored: Stored):
    result = runner.invoke(app, ["schema", "sidecar"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("Vitrina sidecar")
    jsonschema.validate(json.loads(stored.sidecar.read_text(encoding="utf-8")), schema)
    assert runner.invoke(app, ["schema", "nope"]).exit_code == 2


def test_bombs_and_broken_images_are_one_line_errors_without_decoding(stored: Stored, tmp_path: Path):
    """The banner and the cut-out pass the one pixel limit (pipeline.imaging.imageio.open_image):
    a 400 MP bomb was a traceback (Pillow's DecompressionBombError)."""
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)
    huge = tmp_path / "huge.png"
    Image.new("1", (9_000, 9_000)).save(huge)
    sidecar = stored.blob.with_suffix(".json")

    result = _verify(bomb, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bomb}: banner: image too large (400 megapixels, limit 40 megapixels)"
    ]
    result = _verify(stored.blob, "--cutout", huge)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {huge}: cut-out: image too large (9000x9000 pixels, limit 40 megapixels)"
    ]
    as_json = _verify(stored.blob, "--cutout", bomb, "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["status"] == "bad_input"
    assert "cut-out: image too large (400 megapixels" in json.loads(as_json.stdout)["error"]

    text = tmp_path / "text.png"
    text.write_text("not an image")
    result = _verify(text, "--sidecar", sidecar, "--cutout", stored.cutout)
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [f"error: {text}: banner: not an image file"]


# --- C2PA: the manifest's state is reported with the pixel check ------------------------------


@pytest.fixture(scope="module")
def signed(stored: Stored, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(hero.png, the test root): the stored banner signed as publishing signs it, handed over with
    hero.json and hero.cutout.png beside it (a DAM's naming)."""
    from pipeline.provenance import AssetClaim, AssetInfo, Ingredient, load_or_create_signer, sign_asset

    folder = tmp_path_factory.mktemp("signed")
    signer, _ = load_or_create_signer(folder / "out", None, None)
    info = AssetInfo("hero", stored.lineage.campaign_id, stored.variant_id, COMPOSITE_SYNTHETIC, "Halden")
    claim = AssetClaim(info, packshot=Ingredient("cutout.png", path=stored.cutout))
    banner = folder / "hero.png"
    banner.write_bytes(sign_asset(stored.blob.read_bytes(), "image/png", claim, signer))
    shutil.copy(stored.blob.with_suffix(".json"), folder / "hero.json")
    shutil.copy(stored.cutout, folder / "hero.cutout.png")
    assert signer.trust_anchor is not None
    return banner, signer.trust_anchor


def test_a_signed_banner_reports_valid_and_trusted_with_its_root(signed: tuple[Path, Path]):
    banner, root = signed
    result = _verify(banner)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {banner}: identical: all ")
    assert "  C2PA Valid: signed by Vitrina LOCAL TEST signer" in result.stdout
    assert "compositeSynthetic [signingCredential.untrusted]" in result.stdout
    assert "--trust OUT/provenance/test-ca/TEST-ONLY-root-ca.cert.pem" in result.stdout

    result = _verify(banner, "--trust", root, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "identical" and report["c2pa"]["state"] == "Trusted"
    assert report["c2pa"]["failures"] == [] and report["c2pa"]["test_signer"] is True


def test_a_changed_pixel_of_a_signed_banner_is_invalid_with_exit_1(signed: tuple[Path, Path], tmp_path: Path):
    from tests.pipeline.provenance.test_manifest import with_one_pixel_changed

    banner, root = signed
    edited = tmp_path / "hero.png"
    edited.write_bytes(with_one_pixel_changed(banner.read_bytes()))
    shutil.copy(banner.with_suffix(".json"), tmp_path / "hero.json")
    shutil.copy(banner.with_suffix(".cutout.png"), tmp_path / "hero.cutout.png")
    result = _verify(edited, "--trust", root)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"FAIL {edited}: ")  # the pixel at (10, 10) is scene, not product
    assert "  C2PA Invalid: " in result.stdout and "assertion.dataHash.mismatch" in result.stdout


def test_an_unsigned_banner_is_none_and_fails_only_when_trust_is_asked(stored: Stored, signed: tuple[Path, Path]):
    result = _verify(stored.blob)
    assert result.exit_code == 0 and "  C2PA none: no C2PA manifest" in result.stdout
    _, root = signed
    result = _verify(stored.blob, "--trust", root)
    assert result.exit_code == 1 and result.stdout.startswith(f"FAIL {stored.blob}: identical: ")


def test_c2pa_only_checks_a_rendition_without_its_pixels(signed: tuple[Path, Path], stored: Stored, tmp_path: Path):
    banner, root = signed
    result = _verify(banner, "--c2pa-only", "--trust", root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        f"OK {banner}: product pixels not checked",
        "  C2PA Trusted: signed by Vitrina LOCAL TEST signer - NOT FOR PRODUCTION, Vitrina LOCAL TEST (not a "
        "production identity) (the local Vitrina TEST CA); compositeSynthetic",
    ]
    lonely = tmp_path / "unsigned.png"
    shutil.copy(stored.blob, lonely)
    result = _verify(lonely, "--c2pa-only", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["c2pa"]["state"] == "none"


def test_bad_trust_anchors_are_one_line_errors(signed: tuple[Path, Path], tmp_path: Path):
    banner, _ = signed
    result = _verify(banner, "--trust", tmp_path / "gone.pem")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: trust anchors not found: {tmp_path / 'gone.pem'}"]
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    result = _verify(banner, "--trust", junk)
    assert result.exit_code == 2 and "not PEM certificates" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "not an X.509 certificate"),
        (None, "not a file"),
        (b"ROOT" + b"A" * (4 * 1024 * 1024), "over 4096 KiB"),
    ],
)
def test_trust_anchors_that_cannot_be_used_are_bad_input_not_a_manifest_verdict(
    signed: tuple[Path, Path], tmp_path: Path, content: bytes | None, message: str
):
    """A trust file whose certificate does not parse, a folder, or a huge file: exit 2, one line
    (before: the bad anchors were ignored and the manifest reported Valid, or Invalid with
    manifest.unreadable, as if the banner were at fault)."""
    banner, root = signed
    trust = tmp_path / "anchors"
    if content is None:
        trust.mkdir()
    else:
        trust.write_bytes(content.replace(b"ROOT", root.read_bytes()))
    for extra in ((), ("--json",)):
        result = _verify(banner, "--trust", trust, *extra)
        assert result.exit_code == 2, result.output
        if extra:
            assert json.loads(result.stdout)["status"] == "bad_input" and message in result.stdout
        else:
            assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr and result.stdout == ""


def test_text_around_the_trusted_certificates_is_ignored(signed: tuple[Path, Path], tmp_path: Path):
    banner, root = signed
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"# our roots\n" + root.read_bytes() + b"\nsubject=...\n")
    result = _verify(banner, "--trust", bundle, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["c2pa"]["state"] == "Trusted"


def test_a_sidecar_of_another_variant_fails_even_when_the_product_pixels_match(stored: Stored, tmp_path: Path):
    """The banner's signed manifest names its variant; another variant's sidecar (same SKU, so
    the same product pixels) must not vouch for it (before: OK, exit 0)."""
    from pipeline.provenance import AssetClaim, AssetInfo, Ingredient, load_or_create_signer, sign_asset

    signer, _ = load_or_create_signer(tmp_path / "out", None, None)
    info = AssetInfo("hero", stored.lineage.campaign_id, "v0ther0000000", COMPOSITE_SYNTHETIC, "Halden")
    claim = AssetClaim(info, packshot=Ingredient("cutout.png", path=stored.cutout))
    banner = tmp_path / "hero.png"
    banner.write_bytes(sign_asset(stored.blob.read_bytes(), "image/png", claim, signer))
    shutil.copy(stored.blob.with_suffix(".json"), tmp_path / "hero.json")
    shutil.copy(stored.cutout, tmp_path / "hero.cutout.png")
    result = _verify(banner)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"FAIL {banner}: identical: ")
    assert (
        f"  - the sidecar is of variant {stored.variant_id}; the banner's manifest names v0ther0000000" in result.stdout
    )
    report = json.loads(_verify(banner, "--json").stdout)
    assert report["sidecar_matches_manifest"] is False and report["sidecar_variant_id"] == stored.variant_id


def test_a_jpeg_rendition_checked_for_pixels_says_to_check_its_master(stored: Stored, tmp_path: Path):
    from tests.pipeline.provenance.conftest import jpeg_of

    banner = tmp_path / "hero.jpg"
    banner.write_bytes(jpeg_of(stored.blob.read_bytes()))
    shutil.copy(stored.blob.with_suffix(".json"), tmp_path / "hero.json")
    shutil.copy(stored.cutout, tmp_path / "hero.cutout.png")
    result = _verify(banner)
    assert result.exit_code == 1, result.output
    assert "  note: a JPEG is a lossy copy (the channel rendition): check its PNG master, or use --c2pa-only" in (
        result.stdout
    )
    assert "text or scene edited" not in result.stdout

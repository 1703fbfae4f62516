"""`vitrina publish` (vitrina/cli/main.py) as a user sees it: what went up, what was already there,
what was taken back and where its tombstone is, in text and in --json; which C2PA signer it uses
(configured, or a local TEST CA it says it made). In-process (CliRunner) on a real store and a real
folder DAM; needs the store's lifecycle (`Store.pending_retractions`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.provenance import read_provenance
from pipeline.provenance.signer import TEST_CA_DIR, TEST_CHAIN_NAME, TEST_KEY_NAME, TEST_ROOT_NAME, SignerConfig
from pipeline.storage.publishing import asset_key, master_key
from pipeline.storage.renditions import JPEG_Q90
from pipeline.storage.store import Store
from tests.helpers import store_demo_variant
from vitrina.cli.main import app


def _publish(out: Path, dam: Path, *extra: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, ["publish", "--dam", f"file://{dam}", "--out", str(out), *extra], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_publish_reports_uploads_then_the_retraction_of_a_rejected_variant(tmp_path: Path):
    out, dam = tmp_path / "out", tmp_path / "dam"
    stored = store_demo_variant(out)
    store = Store(out)
    store.decide(stored.variant_id, "approved", "dana")
    key = asset_key(store.variant(stored.variant_id), JPEG_Q90)

    first = _publish(out, dam, "--json")
    assert first.exit_code == 0
    report = json.loads(first.stdout)
    assert (report["uploaded"], report["already"], report["retracted"], report["objects_uploaded"]) == (1, 0, 0, 4)
    created = f"created a local TEST signing CA at {out / TEST_CA_DIR} (not for production: set VITRINA_C2PA_KEY"
    assert created in " ".join(first.stderr.split())
    assert (dam / key).is_file()

    again = _publish(out, dam)
    assert "0 uploaded, 1 already there, 0 retracted, 0 skipped, 0 failed" in again.stdout
    assert "TEST signing CA" not in again.stderr  # made once, then used

    store.decide(stored.variant_id, "rejected", "sam", "wrong season")
    text = _publish(out, dam)
    assert text.exit_code == 0
    assert "0 uploaded, 0 already there, 1 retracted, 0 skipped, 0 failed" in text.stdout
    tombstone = (dam / f"{key}.tombstone.json").as_uri()
    assert f"{stored.variant_id} retracted (rejected): tombstone {tombstone}" in " ".join(text.stdout.split())
    assert not (dam / key).exists()

    after = json.loads(_publish(out, dam, "--json").stdout)
    assert after["retracted"] == 0 and after["retractions"] == [] and after["failed"] == []
    store.close()


def test_publish_json_lists_each_retraction_with_its_tombstone(tmp_path: Path):
    out, dam = tmp_path / "out", tmp_path / "dam"
    stored = store_demo_variant(out)
    store = Store(out)
    store.decide(stored.variant_id, "approved", "dana")
    assert _publish(out, dam).exit_code == 0
    store.decide(stored.variant_id, "rejected", "sam", "logo too close")
    key = asset_key(store.variant(stored.variant_id), JPEG_Q90)

    report = json.loads(_publish(out, dam, "--json").stdout)

    assert report["retracted"] == 1 and report["objects_retracted"] == 4
    assert report["retractions"] == [
        {"id": stored.variant_id, "reason": "rejected", "tombstone": (dam / f"{key}.tombstone.json").as_uri()}
    ]
    store.close()


def test_publish_signs_with_the_configured_key_from_options_or_the_environment(tmp_path: Path, signer: SignerConfig):
    out, dam = tmp_path / "out", tmp_path / "dam"
    stored = store_demo_variant(out)
    store = Store(out)
    store.decide(stored.variant_id, "approved", "dana")
    env = {"VITRINA_C2PA_KEY": str(signer.key_path), "VITRINA_C2PA_CERTS": str(signer.chain_path)}

    result = _publish(out, dam, env=env)

    assert result.exit_code == 0, result.output
    assert "TEST signing CA" not in result.stderr and not (out / TEST_CA_DIR).exists()
    assert signer.trust_anchor is not None
    banner = (dam / master_key(store.variant(stored.variant_id))).read_bytes()
    assert read_provenance(banner, signer.trust_anchor.read_bytes()).state == "Trusted"
    store.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("--c2pa-key", "{key}"), "a key is configured but no certificate chain"),
        (("--c2pa-key", "{missing}", "--c2pa-certs", "{chain}"), "file not found"),
        (("--c2pa-key", "{key}", "--c2pa-certs", "{root}"), "self-signed"),
    ],
    ids=["key-alone", "missing-key", "root-as-chain"],
)
def test_publish_exits_2_with_one_line_for_a_bad_signer(tmp_path: Path, signer: SignerConfig, given, expected):
    out, dam = tmp_path / "out", tmp_path / "dam"
    store_demo_variant(out)
    folder = signer.key_path.parent
    names = {
        "key": folder / TEST_KEY_NAME,
        "chain": folder / TEST_CHAIN_NAME,
        "root": folder / TEST_ROOT_NAME,
        "missing": tmp_path / "nope.pem",
    }
    args = [a.format(**names) for a in given]

    result = _publish(out, dam, *args, env={"VITRINA_C2PA_KEY": "", "VITRINA_C2PA_CERTS": ""})

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.stderr
    assert not dam.exists() and not (out / TEST_CA_DIR).exists()

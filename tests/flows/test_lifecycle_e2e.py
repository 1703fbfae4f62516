"""The asset lifecycle end to end, as a user runs it with the installed `vitrina` command: run a
small copy of the demo, approve what passed, publish to a folder DAM and to S3 (SeaweedFS); every
published image is signed (C2PA `Trusted` under the local test root) and labelled (exiftool reads
its IPTC DigitalSourceType); a rejected variant leaves both DAMs with tombstones; a new version
of a slot replaces the old one, and a rollback brings version 1 back; the audit log verifies;
every variant regenerates byte-identical; docs/audit.md's recipe passes on the DAM's files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pipeline.provenance import read_provenance, source_type_for_backend
from pipeline.provenance.signer import TEST_CA_DIR, TEST_ROOT_NAME
from pipeline.storage.publishing import asset_key, cutout_key, master_key, retraction_keys, sidecar_key
from pipeline.storage.renditions import JPEG_Q90
from pipeline.storage.store import Store, VariantRecord, sha256_bytes
from tests.conftest import run_vitrina
from tests.docs.test_audit_recipe import BOOTSTRAP, recipe_code
from tests.helpers import REPO, copy_demo, edit_yaml

if TYPE_CHECKING:
    from tests.conftest import S3Server

pytestmark = pytest.mark.slow

PREFIX = "banners"
NO_EXIFTOOL = (
    "exiftool is not installed (apt-get install libimage-exiftool-perl): everything else passed, "
    "the IPTC DigitalSourceType was checked through C2PA only"
)


def _vitrina(*args: str | Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    proc = run_vitrina(*args, env=env)
    assert proc.returncode in ok, f"vitrina {' '.join(map(str, args))}: exit {proc.returncode}\n{proc.stderr}"
    return proc


def _publish(out: Path, dam: Path, bucket: str, s3: S3Server, env: dict[str, str]) -> list[dict[str, Any]]:
    """Publish to both DAMs; their --json reports."""
    reports = []
    for target, extra in ((f"file://{dam}", ()), (f"s3://{bucket}/{PREFIX}", ("--endpoint-url", s3.endpoint_url))):
        proc = _vitrina("publish", "--dam", target, *extra, "--out", out, "--json", env=env)
        reports.append(json.loads(proc.stdout))
        assert reports[-1]["failed"] == [], reports[-1]
    return reports


def _s3_objects(s3: S3Server, bucket: str) -> dict[str, bytes]:
    client = s3.client()
    try:
        listing = client.list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/").get("Contents", [])
        return {
            o["Key"].removeprefix(f"{PREFIX}/"): client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in listing
        }
    finally:
        client.close()


def _dam_objects(dam: Path) -> dict[str, bytes]:
    """Assets and tombstones of the folder DAM (its per-object metadata files left out)."""
    return {
        p.relative_to(dam).as_posix(): p.read_bytes()
        for p in dam.rglob("*")
        if p.is_file() and not p.name.endswith(".meta.json")
    }


def _live(objects: dict[str, bytes], v: VariantRecord) -> bool:
    keys = [master_key(v), asset_key(v, JPEG_Q90), cutout_key(v), sidecar_key(v)]
    present = [k in objects for k in keys]
    tombstones = [f"{k}.tombstone.json" in objects for k in keys]
    assert all(present) or not any(present), f"{v.variant_id}: some files only: {dict(zip(keys, present, strict=True))}"
    assert not (all(present) and any(tombstones)), f"{v.variant_id}: live with a tombstone"
    return all(present)


def _retracted(objects: dict[str, bytes], v: VariantRecord, reason: str) -> None:
    for key in retraction_keys(asset_key(v, JPEG_Q90)):
        assert key not in objects, key
        record = json.loads(objects[f"{key}.tombstone.json"])
        assert (record["variant_id"], record["reason"], record["sha256"]) == (v.variant_id, reason, v.blob_sha)


def _check_images(objects: dict[str, bytes], root: bytes, folder: Path, source_type: str) -> int:
    """Every published banner (PNG master, JPEG rendition) is Trusted under the test root and
    carries the IPTC digital source type exiftool reads; the cut-outs are the signed masters'
    packshot ingredients. Returns how many images were checked."""
    banners = {k: d for k, d in objects.items() if k.endswith((".png", ".jpg")) and not k.endswith(".cutout.png")}
    assert banners
    folder.mkdir(parents=True)
    for n, (key, data) in enumerate(sorted(banners.items())):
        report = read_provenance(data, root)
        assert report.state == "Trusted", (key, report.failures)
        assert report.digital_source_type == source_type and report.test_signer
        (folder / f"{n}{Path(key).suffix}").write_bytes(data)
        if key.endswith(".png"):
            stem = key.removesuffix(".png")
            sidecar = json.loads(objects[f"{stem}.json"])
            assert sidecar["cutout"]["key"] == f"{stem}.cutout.png"
            assert read_provenance(objects[f"{stem}.cutout.png"]).state == "none"
    exiftool = shutil.which("exiftool")
    if exiftool is None:  # the test skips at its end, saying so
        return len(banners)
    proc = subprocess.run(
        [exiftool, "-j", "-n", "-XMP-iptcExt:DigitalSourceType", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(proc.stdout)
    assert len(found) == len(banners) and all(f.get("DigitalSourceType") == source_type for f in found), found
    return len(banners)


def test_run_approve_publish_reject_rollback_audit_regenerate(tmp_path: Path, s3_server: S3Server):
    brief = copy_demo(tmp_path)

    def shrink(d: dict[str, Any]) -> None:
        d["scenes"] = d["scenes"][:1]
        d["formats"] = ["square"]
        d["locales"] = ["en-US", "de-DE"]

    edit_yaml(brief, shrink)
    out, dam, bucket = tmp_path / "out", tmp_path / "dam", s3_server.new_bucket()
    env = {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "COLUMNS": "200",
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_DEFAULT_REGION": s3_server.region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "VITRINA_C2PA_KEY": "",
        "VITRINA_C2PA_CERTS": "",
    }

    # 1. run, approve what passed, publish to both DAMs
    _vitrina("run", brief, "--out", out, "--json", env=env, ok=(0, 1))
    _vitrina("review", "approve", "--all-passed", "--by", "ci", "--out", out, env=env)
    reports = _publish(out, dam, bucket, s3_server, env)
    store = Store.open_existing(out)
    approved = [v for v in store.publishable_current()]
    assert len(approved) >= 3, "the small demo run needs three passed variants"
    assert [r["uploaded"] for r in reports] == [len(approved)] * 2
    assert [r["objects_uploaded"] for r in reports] == [4 * len(approved)] * 2
    root = (out / TEST_CA_DIR / TEST_ROOT_NAME).read_bytes()
    source_type = source_type_for_backend(approved[0].lineage.generation.backend)
    s3_objects = _s3_objects(s3_server, bucket)
    for objects, name in ((_dam_objects(dam), "file"), (s3_objects, "s3")):
        assert all(_live(objects, v) for v in approved)
        assert _check_images(objects, root, tmp_path / f"exif-{name}", source_type) == 2 * len(approved)
    assert all(r["uploaded"] == 0 for r in _publish(out, dam, bucket, s3_server, env))  # idempotent

    # 2. reject one published variant: it leaves both DAMs, with tombstones
    victim = approved[0]
    _vitrina("review", "reject", victim.variant_id, "--by", "sam", "--reason", "wrong season", "--out", out, env=env)
    reports = _publish(out, dam, bucket, s3_server, env)
    assert [r["retracted"] for r in reports] == [1, 1] and [r["objects_retracted"] for r in reports] == [4, 4]
    for objects in (_dam_objects(dam), _s3_objects(s3_server, bucket)):
        _retracted(objects, victim, "rejected")
        assert all(_live(objects, v) for v in approved[1:])

    # 3. a new version of one locale's slots (its copy changed), then a rollback to version 1
    target = next(v for v in approved[1:] if v.locale == "de-DE")
    edit_yaml(brief, lambda d: d["copy"]["de-DE"].update(headline="Winterlieblinge, jetzt günstiger"))
    _vitrina("run", brief, "--out", out, "--json", env=env, ok=(0, 1))
    _vitrina("review", "approve", "--all-passed", "--by", "ci", "--out", out, env=env)
    v1, v2 = store.versions(target.slot)
    assert (v1.variant_id, v1.version, v2.version) == (target.variant_id, 1, 2) and v2.review == "approved"
    _publish(out, dam, bucket, s3_server, env)
    for objects in (_dam_objects(dam), _s3_objects(s3_server, bucket)):
        assert _live(objects, v2)
        _retracted(objects, v1, "superseded")
    slot = "/".join((target.campaign_id, target.sku, target.scene, target.format, target.locale))
    reason = "legal wants the old headline"
    _vitrina("rollback", slot, "--to", "1", "--by", "dana", "--reason", reason, "--out", out, env=env)
    reports = _publish(out, dam, bucket, s3_server, env)
    assert all(r["uploaded"] == 1 and r["retracted"] == 1 for r in reports), reports
    for objects in (_dam_objects(dam), _s3_objects(s3_server, bucket)):
        assert _live(objects, v1)  # version 1 is live again, the same signed bytes as before
        _retracted(objects, v2, "rolled back")
    dam_now = _dam_objects(dam)
    assert sha256_bytes(dam_now[master_key(v1)]) == sha256_bytes(s3_objects[master_key(v1)])
    assert (
        _check_images(
            {k: d for k, d in dam_now.items() if k.startswith(master_key(v1).rsplit(".", 1)[0])},
            root,
            tmp_path / "exif-rollback",
            source_type,
        )
        == 2
    )

    # 4. the audit log is intact, every variant regenerates byte-identical
    assert "audit log intact" in _vitrina("audit", "verify", "--out", out, env=env).stdout
    every = store.variants()
    assert len(every) > len(approved)
    for v in every:
        proc = _vitrina("regenerate", v.variant_id, "--out", out, "--json", env=env)
        assert json.loads(proc.stdout)["status"] == "identical", proc.stdout

    # 5. docs/audit.md's recipe, without Vitrina, on the folder DAM's PNG + sidecar + cut-out
    stem = master_key(v1).removesuffix(".png")
    (dam / "audit_banner.py").write_text(recipe_code(), encoding="utf-8")
    files = [f"{stem}.png", f"{stem}.json", f"{stem}.cutout.png"]
    proc = subprocess.run(
        [sys.executable, "-I", "-c", BOOTSTRAP, str(REPO), "audit_banner.py", *files],
        cwd=dam,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("OK "), proc.stdout + proc.stderr
    store.close()
    if shutil.which("exiftool") is None:
        pytest.skip(NO_EXIFTOOL)

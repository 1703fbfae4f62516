"""Scale-out: a campaign run on a 2-worker Dask cluster (separate processes), with its blobs in S3
(SeaweedFS) and its catalog in PostgreSQL, makes the very banners a local run makes; another
machine with only the database URL and the bucket can read every one of them back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from dam_connectors.s3_blobs import blob_backend_for
from flows.campaign import campaign_run
from pipeline.storage.files import sha256_bytes
from pipeline.storage.store import Store
from tests.dask_cluster import prefect_harness, running_dask_cluster
from tests.helpers import copy_demo, edit_yaml

if TYPE_CHECKING:
    from tests.conftest import S3Server

SKUS = ["B074M5HPBD", "B0799CK52K"]


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    with prefect_harness() as url:
        yield url


def _aws_env(s3: S3Server) -> dict[str, str]:
    """How every process (this one, the workers) finds the bucket: boto3's own variables."""
    return {
        "AWS_ENDPOINT_URL": s3.endpoint_url,
        "AWS_ACCESS_KEY_ID": s3.access_key,
        "AWS_SECRET_ACCESS_KEY": s3.secret_key,
        "AWS_DEFAULT_REGION": s3.region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture(scope="module")
def dask_cluster(prefect_api: str, s3_server: S3Server) -> Iterator[str]:
    """A scheduler and 2 single-threaded workers, each its own process, that reach the test
    Prefect server and the S3 server; yields the scheduler's address."""
    with running_dask_cluster(prefect_api, workers=2, env=_aws_env(s3_server)) as address:
        yield address


def _slots(store: Store, run_id: str) -> dict[tuple[str, str, str, str], str]:
    return {(v.sku, v.scene, v.format, v.locale): v.blob_sha for v in store.variants(run_id=run_id)}


@pytest.mark.slow  # about a minute: a Prefect test server, a Dask cluster, two runs of 8 variants
def test_a_dask_run_with_s3_blobs_and_postgres_makes_the_local_runs_banners(
    tmp_path: Path,
    prefect_api: str,
    dask_cluster: str,
    s3_server: S3Server,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
):
    brief = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = (
            SKUS,
            d["scenes"][:1],
            ["square", "story"],
            ["en-US", "ja-JP"],
        )

    edit_yaml(brief, small)
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"

    local = campaign_run(brief=str(brief), out=str(local_out), task_runner="threads")
    assert (local["variants"], local["failed_skus"]) == (8, [])
    store = Store.open_existing(local_out)
    try:
        expected = _slots(store, local["run_id"])
    finally:
        store.close()
    assert len(expected) == 8

    for name, value in _aws_env(s3_server).items():
        monkeypatch.setenv(name, value)
    bucket = s3_server.new_bucket()
    blobs = f"s3://{bucket}/vitrina"
    remote = campaign_run(
        brief=str(brief),
        out=str(cluster_out),
        db=postgres_url,
        blobs=blobs,
        task_runner="dask",
        dask_address=dask_cluster,
    )
    assert (remote["variants"], remote["failed_skus"]) == (8, [])
    assert not (cluster_out / "catalog.sqlite").exists()  # the catalog is in PostgreSQL

    # Another machine: an empty output folder, the database and the bucket.
    elsewhere = tmp_path / "elsewhere"
    store = Store(elsewhere, postgres_url, blobs=blob_backend_for(blobs))
    try:
        made = _slots(store, remote["run_id"])
        assert made == expected  # the same banner bytes per slot
        for record in store.variants(run_id=remote["run_id"]):
            banner = store.blob_path(record.blob_sha)  # fetched from the bucket
            assert sha256_bytes(banner.read_bytes()) == record.blob_sha
            assert store.sidecar(record.blob_sha).variant_id == record.variant_id
            assert store.cutout_path(record.lineage.product.cutout_sha256).is_file()
    finally:
        store.close()

    client = s3_server.client()
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="vitrina/")
        keys = {o["Key"] for page in pages for o in page.get("Contents", [])}
    finally:
        client.close()
    for sha in expected.values():
        assert f"vitrina/blobs/sha256/{sha[:2]}/{sha}.png" in keys
        assert f"vitrina/blobs/sha256/{sha[:2]}/{sha}.json" in keys
    assert sum(k.startswith("vitrina/cutouts/") for k in keys) == len(SKUS)

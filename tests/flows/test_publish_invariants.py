"""Publishing honours the review state as it is at upload time: a variant a re-run blocked is not
published, a rejection made while a publish runs is honoured, and one bad key skips that asset
alone. Real store, real folder DAM; the "reviewer" acts through a second store connection while
the DAM receives an upload."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from dam_connectors import FileSystemConnector
from flows.publish import publish_approved
from pipeline.provenance.signer import SignerConfig
from pipeline.storage.publishing import asset_key, master_key
from pipeline.storage.renditions import JPEG_Q90
from pipeline.storage.store import Store
from tests.helpers import render_demo_variant


def _keep(store: Store, fmt: str = "square", run_id: str = "r1", report=None) -> str:
    """A real rendered variant, stored as a run stores it (its cut-out first); another format is
    another slot (another variant, not a version)."""
    product, variant = render_demo_variant(fmt=fmt)
    store.put_cutout(product.cutout)
    return store.keep_variant(run_id, variant.png, report or variant.report, variant.lineage)


def _files(dam: Path) -> list[str]:
    """The banners a DAM holds (renditions; sidecars and metadata left out)."""
    return sorted(p.relative_to(dam).as_posix() for p in dam.rglob("*.jpg")) if dam.exists() else []


class ReviewerActsDuringUpload(FileSystemConnector):
    """A folder DAM during whose first upload a reviewer rejects `victim` (another connection)."""

    def __init__(self, root: Path, out: Path, victim: str | None) -> None:
        super().__init__(root)
        self.out, self.victim, self.acted = out, victim, False

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        if not self.acted:
            self.acted = True
            victim = self.victim or metadata["variant-id"]
            reviewer = Store(self.out)
            reviewer.decide(victim, "rejected", "sam", "wrong season")
            reviewer.close()
        return super().put(key, data, content_type, metadata)


def test_an_approved_variant_a_rerun_blocked_is_not_published(tmp_path: Path, signer: SignerConfig):
    from pipeline.checks.results import CheckResult, Verdict, build_report

    _, variant = render_demo_variant()
    store = Store(tmp_path / "out")
    vid = _keep(store)
    store.decide(vid, "approved", "dana")
    # the brand guide got stricter: the re-run makes the same bytes but a blocking check result
    blocking = CheckResult("copy.claims", Verdict.BLOCKED, "claim", "'best price' is not allowed")
    stricter = build_report((*variant.report.results, blocking))
    assert _keep(store, run_id="r2", report=stricter) == vid
    report = publish_approved(store, FileSystemConnector(tmp_path / "dam"), signer)
    assert report.uploaded == [] and _files(tmp_path / "dam") == []
    assert store.variant(vid).review == "pending" and not store.is_published(vid)


def test_a_rejection_made_while_a_publish_runs_is_honoured(tmp_path: Path, signer: SignerConfig):
    out, dam = tmp_path / "out", tmp_path / "dam"
    store = Store(out)
    a, b = _keep(store), _keep(store, "story")
    for vid in (a, b):
        store.decide(vid, "approved", "dana")
    first = store.variants(review="approved")[0].variant_id
    second = b if first == a else a
    report = publish_approved(store, ReviewerActsDuringUpload(dam, out, victim=second), signer)
    assert report.uploaded == [first]
    assert [vid for vid, _ in report.skipped] == [second] and "rejected" in report.skipped[0][1]
    assert _files(dam) == [asset_key(store.variant(first), JPEG_Q90)]
    assert not store.is_published(second)


def test_a_rejection_made_during_the_variants_own_upload_is_not_recorded_as_published(
    tmp_path: Path, signer: SignerConfig
):
    out, dam = tmp_path / "out", tmp_path / "dam"
    store = Store(out)
    vid = _keep(store)
    store.decide(vid, "approved", "dana")
    report = publish_approved(store, ReviewerActsDuringUpload(dam, out, victim=None), signer)
    assert report.uploaded == [] and [v for v, _ in report.failed] == [vid]
    reason = report.failed[0][1]
    assert "rejected" in reason and master_key(store.variant(vid)) in reason and "\n" not in reason
    assert not store.is_published(vid)
    actions = [e["action"] for e in store.audit(vid)]
    assert actions[-2:] == ["approved", "rejected"] and "published" not in actions


def test_a_bad_key_skips_that_asset_and_the_rest_go_on(tmp_path: Path, signer: SignerConfig):
    out, dam = tmp_path / "out", tmp_path / "dam"
    store = Store(out)
    bad, good = _keep(store), _keep(store, "story")
    for vid in (bad, good):
        store.decide(vid, "approved", "dana")
    with closing(sqlite3.connect(out / "catalog.sqlite")) as db:  # a row from before names were checked
        db.execute("UPDATE variants SET sku='../../escaped' WHERE variant_id=?", (bad,))
        db.execute("UPDATE slots SET sku='../../escaped' WHERE current_variant=?", (bad,))
        db.commit()
    report = publish_approved(store, FileSystemConnector(dam), signer)
    assert report.uploaded == [good] and report.not_attempted == 0
    assert [v for v, _ in report.failed] == [bad] and "escaped" in report.failed[0][1]
    assert not list(tmp_path.glob("escaped*")) and not (tmp_path.parent / "escaped").exists()
    assert store.is_published(good) and not store.is_published(bad)


class DiesAfterTheRendition(FileSystemConnector):
    """A folder DAM whose publish is killed right after the rendition (the JPEG) arrived."""

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str]) -> str:
        where = super().put(key, data, content_type, metadata)
        if key.endswith(".jpg"):
            raise KeyboardInterrupt  # as kill -9 would: nothing after this runs
        return where


def test_a_publish_interrupted_after_the_rendition_completes_with_its_location_recorded(
    tmp_path: Path, signer: SignerConfig
):
    """Re-running a publish killed after the rendition was sent uploads the rest, once, and
    records where the rendition is (before: the bare key, as if it had no location)."""
    store = Store(tmp_path / "out")
    vid = _keep(store)
    store.decide(vid, "approved", "dana")
    dam = tmp_path / "dam"
    try:
        publish_approved(store, DiesAfterTheRendition(dam), signer)
    except KeyboardInterrupt:
        pass
    assert store.publication(vid, dam.resolve().as_uri()) is None and len(_files(dam)) == 1
    connector = FileSystemConnector(dam)
    report = publish_approved(store, connector, signer)
    assert report.uploaded == [vid] and report.objects_uploaded == 2  # cut-out, sidecar
    v = store.variant(vid)
    publication = store.publication(vid, connector.uri)
    assert publication is not None
    assert publication["location"] == (dam.resolve() / asset_key(v, JPEG_Q90)).as_uri()
    assert publish_approved(store, connector, signer).already == [vid]

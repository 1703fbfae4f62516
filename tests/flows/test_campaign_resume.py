"""Resume: running the same brief into the same output folder again reuses every variant whose
inputs are unchanged (same files, same ids, counted in both runs); changing one locale's copy
re-renders that locale only. The flow runs in-process, through Prefect, on a small brief."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.campaign import campaign_run
from pipeline.storage.store import Store
from tests.helpers import copy_demo, edit_yaml

SKU = "B074M5HPBD"


def _report(out: Path, summary: dict[str, Any]) -> dict[str, Any]:
    return json.loads((out / "runs" / summary["run_id"] / "report.json").read_text(encoding="utf-8"))


def _banners(out: Path, run_id: str) -> dict[str, bytes]:
    root = out / "runs" / run_id
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.png"))}


def test_a_rerun_reuses_unchanged_variants_and_renders_only_what_changed(tmp_path: Path):
    brief = copy_demo(tmp_path)

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = [SKU], d["scenes"][:1], ["square"], ["en-US", "ja-JP"]

    edit_yaml(brief, small)
    out = tmp_path / "out"

    first = campaign_run(brief=str(brief), out=str(out))
    assert (first["variants"], first["reused"], first["failed_skus"]) == (2, 0, [])

    second = campaign_run(brief=str(brief), out=str(out))
    assert (second["variants"], second["reused"]) == (2, 2)
    assert {k: second[k] for k in ("passed", "needs_review", "blocked")} == {
        k: first[k] for k in ("passed", "needs_review", "blocked")
    }
    assert _report(out, second)["variants_detail"] == _report(out, first)["variants_detail"]
    assert _banners(out, second["run_id"]) == _banners(out, first["run_id"])

    edit_yaml(brief, lambda d: d["copy"]["ja-JP"].update(headline="冬のセール、はじまる"))
    third = campaign_run(brief=str(brief), out=str(out))
    assert (third["variants"], third["reused"]) == (2, 1)
    before = {v["locale"]: v["id"] for v in _report(out, first)["variants_detail"]}
    after = {v["locale"]: v["id"] for v in _report(out, third)["variants_detail"]}
    assert after["en-US"] == before["en-US"] and after["ja-JP"] != before["ja-JP"]

    store = Store.open_existing(out)
    runs = {r.run_id: r for r in store.runs()}
    assert [runs[s["run_id"]].status for s in (first, second, third)] == ["finished"] * 3
    # each run lists its own variants, the ones it reused included
    assert [len(store.variants(run_id=s["run_id"])) for s in (first, second, third)] == [2, 2, 2]
    assert len(store.variants()) == 3


def test_skus_with_the_same_photos_share_one_preparation_and_a_no_work_run_needs_no_prefect(tmp_path: Path):
    """A size variant listed with the bulb's own photo files (other SKU, same bytes) is prepared
    once; its rejected photos are named for it. A run whose every variant is stored runs as a
    plain function (the CLI does that: no Prefect server) and is recorded like any run."""
    from flows.campaign_steps import open_run_store, run_campaign, survey_run
    from pipeline.model.campaign import DEFAULT_PROMPTS, load_campaign
    from pipeline.storage.outbox import new_secret

    brief = copy_demo(tmp_path)
    twin = "B074M5HPBD-XL"
    for name in ("catalog.csv", "price_history.csv"):
        path = brief.parent / "catalog" / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text(
            "\n".join(lines + [line.replace(SKU, twin, 1) for line in lines if line.startswith(SKU + ",")]) + "\n",
            encoding="utf-8",
        )

    def small(d: dict[str, Any]) -> None:
        d["skus"], d["scenes"], d["formats"], d["locales"] = [SKU, twin], d["scenes"][:1], ["square"], ["en-US"]

    edit_yaml(brief, small)
    out = tmp_path / "out"
    first = campaign_run(brief=str(brief), out=str(out))
    assert (first["variants"], first["rendered"], first["failed_skus"]) == (2, 2, [])
    rejected = sorted(s["subject"] for s in first["skipped"])
    assert rejected == sorted(f"{sku}/{name}" for sku in (SKU, twin) for name in ("9ea6992d.jpg", "f5047137.jpg"))
    store = Store.open_existing(out)
    with store._read() as db:
        assert db.rows("SELECT COUNT(*) AS n FROM prepared")[0]["n"] == 1  # one segmentation for both

    store.add_webhook("https://dam.example.com/hooks", ["run.completed"], new_secret(), by="ops")
    campaign = load_campaign(brief, DEFAULT_PROMPTS)
    run_store = open_run_store(str(out), None, None)
    survey = survey_run(campaign, run_store)
    run_store.close()
    assert survey.nothing_to_make
    again = run_campaign(campaign, str(out), survey=survey)  # outside any flow: no Prefect
    assert (again["variants"], again["reused"], again["rendered"]) == (2, 2, 0)
    assert sorted(s["subject"] for s in again["skipped"]) == rejected
    runs = {r.run_id: r for r in store.runs()}
    assert runs[again["run_id"]].status == "finished"
    assert [(d.event, d.payload["data"]["run_id"]) for d in store.deliveries()] == [("run.completed", again["run_id"])]
    store.close()

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

"""Blocked variants per format and logo widths drawn, from a finished demo run's output folder.

    .venv/bin/vitrina run demo/campaign.yaml --out /tmp/demo --json
    .venv/bin/python bench/bench_layout_demo.py /tmp/demo [--json]

Reads the run's sidecars (lineage and check report) only: run it on the output of the old and the
new code (e.g. the old commit checked out with `git worktree add /tmp/old COMMIT`) to compare.
Prints per format: variants, passed / needs review / blocked, the logo box width (the layout's logo
box in the lineage), the width the logo check found drawn, and the logo results' codes.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def _latest_run(out: Path) -> Path:
    runs = sorted((out / "runs").iterdir())
    if not runs:
        raise SystemExit(f"{out}: no runs")
    return runs[-1]


def summarise(out: Path) -> dict[str, Any]:
    report = json.loads((_latest_run(out) / "report.json").read_text(encoding="utf-8"))
    sidecars = {}
    for path in (out / "blobs" / "sha256").glob("*/*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "variant_id" in data:
            sidecars[data["variant_id"]] = data
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"verdicts": Counter(), "logo_w": Counter(), "found_w": Counter(), "logo": Counter()}
    )
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for v in report["variants_detail"]:
        row = per[v["format"]]
        row["verdicts"][v["verdict"]] += 1
        for r in v["reasons"]:
            reasons[v["format"]][r[:110]] += 1
        side = sidecars.get(v["id"])
        if side is None:
            continue
        x0, _, x1, _ = side["lineage"]["layout"]["logo"] or (0, 0, 0, 0)
        row["logo_w"][x1 - x0] += 1
        for res in side["check_report"]["results"]:
            if res["check"] == "image.logo":
                row["logo"][res["code"]] += 1
                if res["code"] in ("logo.ok", "logo.too_small") and res.get("box"):  # the box is the logo's
                    row["found_w"][res["box"][2] - res["box"][0]] += 1
    return {
        "formats": {
            f: {
                "variants": sum(r["verdicts"].values()),
                **dict(r["verdicts"]),
                "logo_width_px": dict(sorted(r["logo_w"].items())),
                "logo_found_px": dict(sorted(r["found_w"].items())),
                "logo_results": dict(r["logo"]),
                "reasons": dict(reasons[f].most_common(3)),
            }
            for f, r in sorted(per.items())
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = summarise(args.out)
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
        return
    print(f"{'format':18} {'n':>4} {'pass':>5} {'review':>6} {'blocked':>7}  logo box / found by the check (px: count)")
    for f, r in summary["formats"].items():
        widths = ", ".join(f"{w}: {n}" for w, n in r["logo_width_px"].items())
        found = ", ".join(f"{w}: {n}" for w, n in r["logo_found_px"].items())
        print(
            f"{f:18} {r['variants']:4} {r.get('passed', 0):5} {r.get('needs_review', 0):6} {r.get('blocked', 0):7}"
            f"  box {widths} / found {found}  {r['logo_results']}"
        )
        for reason, n in r["reasons"].items():
            print(f"{'':20}{n:3} x {reason}")


if __name__ == "__main__":
    main()

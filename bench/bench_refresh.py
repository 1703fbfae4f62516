"""Catalog turnover at scale (issue 14): what a first run, an unchanged refresh and 1 % changes cost.

    .venv/bin/python bench/bench_refresh.py [--skus 1000] [--out DIR] [--keep] [--json-out FILE]
        [--formats medium-rectangle] [--locales en-US] [--scenes calm-sweep]
    .venv/bin/python bench/bench_refresh.py --first-run-from DIR     # reuse a kept workspace

Builds a synthetic catalog of `--skus` SKUs from the three demo products (Amazon Berkeley
Objects photos, CC BY 4.0: demo/products/NOTICE.md is copied next to them, as the licence asks):
SKU ids BENCH00000..., each with the photos of one demo product hard-linked into its own folder
(copied when the file system refuses links), prices varied around the demo's, a price history
whose prior price supports the brief's -20 %. The brief is demo/campaign.yaml with its paths
pointed at that catalog and the Halden brand guide, and a small matrix by default (1 scene x
1 format x 1 locale, so market US rows only): the cost per SKU, not per banner, is what grows
with a catalog.

Then it times `vitrina run BRIEF --out OUT --json` as a subprocess (the installed CLI, Prefect
start-up included: that is what a nightly refresh costs) four times on one output folder:

  a. the first full run (cost per variant),
  b. an unchanged refresh (goal at 10,000 SKUs: <= 10 s, zero renders, peak RSS <= 1.5 GB),
  c. 1 % of SKUs' prices lowered by 5 % (catalog and price history rewritten),
  d. 1 % of other SKUs' photos replaced by re-encoded copies (new bytes, same product).

Peak memory is measured two ways: `/usr/bin/time -v` gives the largest single process of the
tree (exact; a child the CLI does not wait for, like Prefect's server, may be missed), and
psutil polling (every 50 ms) the sum of RSS over the whole tree at its peak (shared pages are
counted in each process, so it is an upper bound). The goal is checked against the latter.

A first run costs roughly a second per variant on 2 cores, so 10,000 SKUs take hours: run it
once with `--keep --out DIR`, then `--first-run-from DIR` measures b, c and d again on it. Every
invocation puts the catalog and photos back as they were at the end (and again at the start, in
case an earlier one was interrupted) and, with --first-run-from, starts with one "settle" run
that brings the output folder back in line with the restored catalog (that run also finishes
an interrupted first run). Prefect's home is a folder of the workspace (PREFECT_HOME), so
other Prefect processes on the machine do not share its database; it is created (migrated) while
the workspace is built, untimed.

Results: a Markdown table on stdout, and everything (command lines, counts, times, memory) in
`--json-out` (default: results.json in the workspace, which is removed unless --keep).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
BRAND = ROOT / "brand_guides" / "halden"
VITRINA = ROOT / ".venv" / "bin" / "vitrina"
PREFECT = ROOT / ".venv" / "bin" / "prefect"
GNU_TIME = Path("/usr/bin/time")

DEFAULT_SKUS = 1000
DEFAULT_SCENES = ("calm-sweep",)
DEFAULT_FORMATS = ("medium-rectangle",)
DEFAULT_LOCALES = ("en-US",)
CHANGED = 0.01  # the share of SKUs a "1 %" change touches
PRICE_CUT = Decimal("0.95")
PRIOR_MARKUPS = (Decimal("1.25"), Decimal("1.3"), Decimal("1.4"), Decimal("1.5"))  # -20 % or more holds
PRIOR_DATE = "2026-09-01"
GOAL_SKUS, GOAL_WALL_S, GOAL_RSS_MB = 10_000, 10.0, 1536.0
#: manifest.json: how the workspace was built, its first run, which SKUs were changed.
Manifest = dict[str, Any]
SUMMARY_KEYS = ("variants", "reused", "recomposed", "rendered", "retired", "passed", "needs_review", "blocked")


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog" / "catalog.csv"

    @property
    def history(self) -> Path:
        return self.root / "catalog" / "price_history.csv"

    @property
    def products(self) -> Path:
        return self.root / "products"

    @property
    def brief(self) -> Path:
        return self.root / "brief.yaml"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    def original(self, path: Path) -> Path:
        """Where the as-built copy of a catalog file is kept (restored after each change)."""
        return self.root / f"{path.stem}.orig{path.suffix}"


# --- building the synthetic catalog ---------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    """Written to a temporary file and renamed: a run never sees half a catalog."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def quantum(demo_price: str) -> Decimal:
    """The currency's smallest step as the demo writes it ("8.79" -> 0.01, "1180" -> 1)."""
    decimals = len(demo_price.split(".")[1]) if "." in demo_price else 0
    return Decimal(1).scaleb(-decimals)


def link_or_copy(src: Path, dst: Path) -> str:
    """Hard link (10,000 SKUs of copied photos would be gigabytes); a copy where links fail."""
    try:
        os.link(src, dst)
        return "link"
    except OSError:
        shutil.copy2(src, dst)
        return "copy"


def demo_products() -> tuple[dict[str, dict[str, dict[str, str]]], list[str]]:
    """The demo catalog's rows by SKU and market, and the SKUs in a fixed order."""
    rows: dict[str, dict[str, dict[str, str]]] = {}
    for row in read_csv(DEMO / "catalog" / "catalog.csv"):
        rows.setdefault(row["sku"], {})[row["market"]] = row
    return rows, sorted(rows)


def markets_of(locales: list[str]) -> list[str]:
    """The markets whose prices the locales show (en-US -> US); the catalog lists only those."""
    return sorted({code.split("-")[1] for code in locales})


def build(ws: Workspace, n: int, scenes: list[str], formats: list[str], locales: list[str], seed: int) -> Manifest:
    """Write the catalog, price history, photos and brief of `n` SKUs into an empty workspace."""
    demo_rows, demo_skus = demo_products()
    markets = markets_of(locales)
    for sku in demo_skus:
        missing = [m for m in markets if m not in demo_rows[sku]]
        if missing:
            sys.exit(f"--locales: the demo catalog has no {', '.join(missing)} row for {sku} to copy prices from")
    rng = random.Random(seed)
    ws.catalog.parent.mkdir(parents=True)
    ws.products.mkdir()
    shutil.copy2(DEMO / "products" / "NOTICE.md", ws.products / "NOTICE.md")  # CC BY 4.0 attribution
    width = max(5, len(str(n - 1)))
    catalog: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    sources: dict[str, str] = {}
    modes: dict[str, int] = {"link": 0, "copy": 0}
    starts = str(yaml.safe_load((DEMO / "campaign.yaml").read_text(encoding="utf-8"))["starts"])
    for i in range(n):
        sku = f"BENCH{i:0{width}d}"
        source = demo_skus[i % len(demo_skus)]
        sources[sku] = source
        any_row = next(iter(demo_rows[source].values()))  # every market lists the same photos
        photos = [Path(p).name for p in any_row["images"].split("|")]
        (ws.products / sku).mkdir()
        for name in photos:
            modes[link_or_copy(DEMO / "products" / source / name, ws.products / sku / name)] += 1
        factor = Decimal(rng.randint(60, 180)) / 100
        markup = rng.choice(PRIOR_MARKUPS)
        for market in markets:
            demo = demo_rows[source][market]
            step = quantum(demo["price"])
            price = max(step, (Decimal(demo["price"]) * factor).quantize(step, ROUND_FLOOR))
            prior = (price * markup).quantize(step, ROUND_CEILING)
            catalog.append(
                {
                    "sku": sku,
                    "market": market,
                    "title": demo["title"],
                    "price": str(price),
                    "currency": demo["currency"],
                    "stock": str(rng.randint(1, 500)),
                    "images": "|".join(f"../products/{sku}/{name}" for name in photos),
                }
            )
            history.append({"sku": sku, "market": market, "date": PRIOR_DATE, "price": str(prior)})
            history.append({"sku": sku, "market": market, "date": starts, "price": str(price)})
    write_csv(ws.catalog, catalog, list(catalog[0]))
    write_csv(ws.history, history, list(history[0]))
    shutil.copy2(ws.catalog, ws.original(ws.catalog))
    shutil.copy2(ws.history, ws.original(ws.history))
    write_brief(ws, scenes, formats, locales)
    # Prefect's database is created here, untimed: a nightly refresh finds it there.
    subprocess.run(
        [str(PREFECT), "server", "database", "upgrade", "-y"],
        env={**os.environ, "PREFECT_HOME": str(ws.root / "prefect-home")},
        check=True,
        capture_output=True,
    )
    return {
        "skus": n,
        "seed": seed,
        "scenes": scenes,
        "formats": formats,
        "locales": locales,
        "markets": markets,
        "photos": modes,
        "sources": sources,
        "dirty_photos": [],
        "first_run": None,
    }


def write_brief(ws: Workspace, scenes: list[str], formats: list[str], locales: list[str]) -> None:
    """demo/campaign.yaml with its paths pointed at the synthetic catalog and a smaller matrix."""
    brief = yaml.safe_load((DEMO / "campaign.yaml").read_text(encoding="utf-8"))
    known = {s["id"]: s for s in brief["scenes"]}
    unknown = [s for s in scenes if s not in known]
    if unknown:
        sys.exit(f"--scenes: {', '.join(unknown)}: not a scene of demo/campaign.yaml ({', '.join(known)})")
    no_copy = [loc for loc in locales if loc not in brief["copy"]]
    if no_copy:
        sys.exit(f"--locales: {', '.join(no_copy)}: demo/campaign.yaml has no copy for it ({', '.join(brief['copy'])})")
    brief.update(
        campaign_id="bench-refresh",
        name="Vitrina refresh benchmark (synthetic catalog of the demo products)",
        brand=str(BRAND),
        catalog="catalog/catalog.csv",
        price_history="catalog/price_history.csv",
        images_root="products",
        scenes=[known[s] for s in scenes],
        formats=list(formats),
        locales=list(locales),
        copy={loc: brief["copy"][loc] for loc in locales},
    )
    ws.brief.write_text(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- the 1 % changes, and putting things back -------------------------------------------------


def pick(manifest: Manifest, rng: random.Random, exclude: frozenset[str] = frozenset()) -> list[str]:
    """1 % of the SKUs (at least one): none of `exclude`, and none that an earlier invocation on this
    workspace changed. Vitrina reuses any stored variant whose inputs match, so a SKU changed the
    same way twice would be a reuse the second time, not the change being measured."""
    count = max(1, round(manifest["skus"] * CHANGED))
    used = set(manifest.setdefault("changed_before", []))
    fresh = sorted(s for s in manifest["sources"] if s not in exclude and s not in used)
    if len(fresh) < count:  # every SKU was changed once: start over (their changes now repeat)
        manifest["changed_before"], used = [], set()
        fresh = sorted(s for s in manifest["sources"] if s not in exclude)
    chosen = sorted(rng.sample(fresh, count))
    manifest["changed_before"] = sorted(used | set(chosen))
    return chosen


def change_prices(ws: Workspace, skus: list[str]) -> None:
    """Lower the current price of `skus` by 5 % in every market (catalog and history's current row)."""
    chosen = set(skus)
    catalog = read_csv(ws.catalog)
    new: dict[tuple[str, str], str] = {}
    for row in catalog:
        if row["sku"] in chosen:
            old = Decimal(row["price"])
            step = quantum(row["price"])
            price = (old * PRICE_CUT).quantize(step, ROUND_FLOOR)
            row["price"] = str(price if price < old else max(step, old - step))
            new[(row["sku"], row["market"])] = row["price"]
    history = read_csv(ws.history)
    for row in history:
        if (row["sku"], row["market"]) in new and row["date"] != PRIOR_DATE:
            row["price"] = new[(row["sku"], row["market"])]
    write_csv(ws.catalog, catalog, list(catalog[0]))
    write_csv(ws.history, history, list(history[0]))


def change_photos(ws: Workspace, manifest: Manifest, skus: list[str]) -> None:
    """Give `skus` new photo files: every photo re-encoded (new bytes, same product and size).

    The new file replaces the hard link by rename, so the demo's own photo is never written to."""
    from PIL import Image

    manifest["dirty_photos"] = sorted(set(manifest["dirty_photos"]) | set(skus))
    save_manifest(ws, manifest)  # before touching a file: an interrupted run can still restore
    for sku in skus:
        for photo in sorted((ws.products / sku).iterdir()):
            tmp = photo.with_name(photo.name + ".tmp")
            with Image.open(photo) as img:
                img.convert("RGB").save(tmp, "JPEG", quality=90)
            os.replace(tmp, photo)


def restore(ws: Workspace, manifest: Manifest) -> None:
    """The catalog, history and photos as built (the output folder is left as it is)."""
    shutil.copy2(ws.original(ws.catalog), ws.catalog)
    shutil.copy2(ws.original(ws.history), ws.history)
    for sku in manifest["dirty_photos"]:
        source = DEMO / "products" / manifest["sources"][sku]
        for photo in sorted((ws.products / sku).iterdir()):
            photo.unlink()
            link_or_copy(source / photo.name, photo)
    manifest["dirty_photos"] = []
    save_manifest(ws, manifest)


def save_manifest(ws: Workspace, manifest: Manifest) -> None:
    ws.manifest.write_text(json.dumps(manifest, indent=1), encoding="utf-8")


# --- timing one `vitrina run` ------------------------------------------------------------------


class TreeRss:
    """Peak of the summed RSS of a process and all its descendants, sampled every `period` s."""

    def __init__(self, pid: int, period: float = 0.05) -> None:
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            import psutil
        except ImportError:
            return
        self._thread = threading.Thread(target=self._poll, args=(psutil, pid, period), daemon=True)
        self._thread.start()

    def _poll(self, psutil: Any, pid: int, period: float) -> None:
        try:
            root = psutil.Process(pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.samples += 1
            self._stop.wait(period)

    @property
    def available(self) -> bool:
        return self._thread is not None

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def vitrina_run(ws: Workspace, label: str, vitrina: Path) -> dict[str, Any]:
    """One `vitrina run BRIEF --out OUT --json`, timed; its summary counts (missing keys: None)."""
    cmd = [str(vitrina), "run", str(ws.brief), "--out", str(ws.out), "--json"]
    wrapped = [str(GNU_TIME), "-v", *cmd] if GNU_TIME.exists() else cmd
    env = {**os.environ, "PREFECT_HOME": str(ws.root / "prefect-home")}
    before = _children_maxrss_kb()
    t0 = time.perf_counter()
    proc = subprocess.Popen(wrapped, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree = TreeRss(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    tree.stop()
    record: dict[str, Any] = {"run": label, "command": " ".join(cmd), "rc": proc.returncode, "wall_s": round(wall, 2)}
    found = re.findall(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if found:
        record["max_process_rss_mb"] = round(int(found[-1]) / 1024, 1)
    elif before is not None:  # no GNU time: the largest child so far (exact only for the first run)
        after = _children_maxrss_kb()
        record["max_process_rss_mb"] = round((after or 0) / 1024, 1) if after and after > before else None
    record["tree_rss_mb"] = round(tree.peak / 2**20, 1) if tree.available and tree.samples else None
    summary = next((line for line in reversed(stdout.splitlines()) if line.startswith("{")), None)
    if summary is None:
        record["error"] = "\n".join(x for x in stderr.splitlines() if not x.startswith("\t"))[-2000:]
        record.update(dict.fromkeys(SUMMARY_KEYS))
        return record
    parsed = json.loads(summary)
    record.update({k: parsed.get(k) for k in SUMMARY_KEYS})
    record["run_id"] = parsed.get("run_id")
    return record


def _children_maxrss_kb() -> int | None:
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


# --- report --------------------------------------------------------------------------------------


def derived(manifest: Manifest, runs: list[dict[str, Any]], changed: dict[str, list[str]]) -> dict[str, Any]:
    per_sku = len(manifest["scenes"]) * len(manifest["formats"]) * len(manifest["locales"])
    first = manifest["first_run"]
    by = {r["run"]: r for r in runs}
    out: dict[str, Any] = {"variants_per_sku": per_sku, "variants_expected": per_sku * manifest["skus"]}
    if first and first.get("variants"):
        out["first_run_s_per_variant"] = round(first["wall_s"] / first["variants"], 3)
        out["first_run_s_per_sku"] = round(first["wall_s"] / manifest["skus"], 3)
    unchanged = by.get("b. unchanged refresh")
    if unchanged:
        rss = unchanged["tree_rss_mb"] if unchanged["tree_rss_mb"] is not None else unchanged.get("max_process_rss_mb")
        out["unchanged"] = {
            "wall_s": unchanged["wall_s"],
            "rendered": unchanged["rendered"],
            "peak_rss_mb": rss,
            "wall_ok": unchanged["wall_s"] <= GOAL_WALL_S,
            "zero_renders": unchanged["rendered"] == 0 if unchanged["rendered"] is not None else None,
            "rss_ok": rss <= GOAL_RSS_MB if rss is not None else None,
            "goal_applies": manifest["skus"] >= GOAL_SKUS,
        }
    for name, key, expect in (("c. 1 % prices", "prices", "recomposed"), ("d. 1 % photos", "photos", "rendered")):
        run = by.get(name)
        if run is None:
            continue
        entry: dict[str, Any] = {
            "skus_changed": len(changed.get(key, [])),
            f"{expect}_expected": len(changed.get(key, [])) * per_sku,
            f"{expect}_got": run[expect],
        }
        if first:
            entry["share_of_first_run"] = round(run["wall_s"] / first["wall_s"], 4)
            if unchanged:
                entry["marginal_share"] = round((run["wall_s"] - unchanged["wall_s"]) / first["wall_s"], 4)
        out[key] = entry
    return out


def table(runs: list[dict[str, Any]]) -> str:
    cols = (
        "run",
        "variants",
        "reused",
        "recomposed",
        "rendered",
        "retired",
        "wall_s",
        "tree_rss_mb",
        "max_process_rss_mb",
        "rc",
    )
    heads = (
        "run",
        "variants",
        "reused",
        "recomposed",
        "rendered",
        "retired",
        "wall s",
        "peak RSS tree MB",
        "largest process MB",
        "exit",
    )
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for r in runs:
        lines.append("| " + " | ".join("-" if r.get(c) is None else str(r[c]) for c in cols) + " |")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------------


def comma_list(value: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise argparse.ArgumentTypeError("an empty list")
    return items


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--skus", type=int, help=f"catalog size (default {DEFAULT_SKUS})")
    ap.add_argument("--out", type=Path, help="workspace folder to create (default: a temporary folder)")
    ap.add_argument(
        "--keep", action="store_true", help="keep the workspace (catalog, photos, output) for --first-run-from"
    )
    ap.add_argument("--first-run-from", type=Path, metavar="DIR", help="a workspace kept by an earlier --keep run")
    ap.add_argument("--formats", type=comma_list, help=f"comma-separated (default {','.join(DEFAULT_FORMATS)})")
    ap.add_argument("--locales", type=comma_list, help=f"comma-separated (default {','.join(DEFAULT_LOCALES)})")
    ap.add_argument(
        "--scenes", type=comma_list, help=f"scene ids of the demo brief (default {','.join(DEFAULT_SCENES)})"
    )
    ap.add_argument("--seed", type=int, default=1, help="prices and which SKUs change")
    ap.add_argument("--json-out", type=Path, help="results file (default: WORKSPACE/results.json)")
    ap.add_argument("--vitrina", type=Path, default=VITRINA, help="the CLI to time (default: this venv's)")
    args = ap.parse_args()
    if not args.vitrina.exists():
        sys.exit(f"--vitrina: {args.vitrina} not found (make install)")

    if args.first_run_from is not None:
        if args.out is not None:
            sys.exit("--out and --first-run-from: give one (the runs go into the kept workspace)")
        ws = Workspace(args.first_run_from.resolve())
        if not ws.manifest.is_file():
            sys.exit(f"--first-run-from: {ws.manifest} not found (a folder kept by bench_refresh.py --keep)")
        manifest = json.loads(ws.manifest.read_text(encoding="utf-8"))
        for name in ("skus", "formats", "locales", "scenes"):
            given = getattr(args, name)
            if given is not None and given != manifest[name]:
                sys.exit(f"--{name} {given}: the workspace was built with {manifest[name]}; leave it out")
        keep, temporary = True, False
    else:
        n = args.skus if args.skus is not None else DEFAULT_SKUS
        if n < 1:
            sys.exit("--skus: at least 1")
        if args.out is not None:
            if args.out.exists() and any(args.out.iterdir()):
                sys.exit(f"--out: {args.out} is not empty (use --first-run-from to reuse a kept workspace)")
            args.out.mkdir(parents=True, exist_ok=True)
            ws, temporary = Workspace(args.out.resolve()), False
        else:
            ws, temporary = Workspace(Path(tempfile.mkdtemp(prefix="vitrina-refresh-"))), True
        keep = args.keep
        t0 = time.perf_counter()
        manifest = build(
            ws,
            n,
            args.scenes or list(DEFAULT_SCENES),
            args.formats or list(DEFAULT_FORMATS),
            args.locales or list(DEFAULT_LOCALES),
            args.seed,
        )
        save_manifest(ws, manifest)
        print(
            f"built {n} SKUs in {time.perf_counter() - t0:.1f} s in {ws.root} "
            f"(photos: {manifest['photos']['link']} linked, {manifest['photos']['copy']} copied)",
            file=sys.stderr,
        )

    rng = random.Random(args.seed)
    runs: list[dict[str, Any]] = []
    changed: dict[str, list[str]] = {}

    def timed(label: str) -> dict[str, Any]:
        print(f"{label}: vitrina run ...", file=sys.stderr, flush=True)
        record = vitrina_run(ws, label, args.vitrina)
        runs.append(record)
        print(f"  {json.dumps({k: v for k, v in record.items() if k != 'command'})}", file=sys.stderr, flush=True)
        return record

    try:
        restore(ws, manifest)
        if args.first_run_from is None:
            first = timed("a. first run")
            if first["variants"] is None:
                sys.exit(f"the first run failed:\n{first.get('error', '')}")
            manifest["first_run"] = {**first, "date": str(date.today())}
            save_manifest(ws, manifest)
        else:
            timed("settle (restored catalog)")
        timed("b. unchanged refresh")
        changed["prices"] = pick(manifest, rng)
        change_prices(ws, changed["prices"])
        timed("c. 1 % prices")
        changed["photos"] = pick(manifest, rng, exclude=frozenset(changed["prices"]))
        change_photos(ws, manifest, changed["photos"])
        timed("d. 1 % photos")
    finally:
        restore(ws, manifest)

    first_run = manifest["first_run"]
    shown = (
        runs
        if args.first_run_from is None or first_run is None
        else [{**first_run, "run": f"a. first run ({first_run['date']}, earlier)"}, *runs]
    )
    facts = derived(manifest, runs, changed)
    result: dict[str, Any] = {
        "date": str(date.today()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "workspace": str(ws.root),
        "catalog": {k: manifest[k] for k in ("skus", "scenes", "formats", "locales", "markets", "photos")},
        "runs": shown,
        "changed_skus": changed,
        "derived": facts,
    }
    json_out = args.json_out or ws.root / "results.json"
    json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(
        f"# {result['date']} {result['machine']}: {manifest['skus']} SKUs x "
        f"{facts['variants_per_sku']} variants ({len(manifest['scenes'])} scene x "
        f"{len(manifest['formats'])} format x {len(manifest['locales'])} locale)\n"
    )
    print(table(shown))
    print("\n" + json.dumps(facts, indent=1))
    if not keep:
        shutil.rmtree(ws.root, ignore_errors=True)
        if args.json_out is None:
            print("(workspace removed; run with --keep or --json-out to keep the results)", file=sys.stderr)
    elif temporary or args.out is not None:
        print(f"workspace kept: {ws.root} (--first-run-from {ws.root})", file=sys.stderr)


if __name__ == "__main__":
    main()

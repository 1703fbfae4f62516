"""A first full run of the demo brief, this checkout against a baseline commit, side by side (issue 14:
"at least 2x faster than the landed main, measured side by side (both commits) in one session").

    .venv/bin/python bench/bench_first_run.py --baseline e9e7012 [--repeat 1] [--brief demo/campaign.yaml]
        [--formats square --locales en-US,de-DE --scenes calm-sweep --skus B074M5HPBD] [--json-out FILE]
    .venv/bin/python bench/bench_first_run.py --baseline e9e7012 --dry-run   # only the import check

The baseline's tree is checked out with `git worktree add --detach` into a temporary folder (removed,
and unregistered, at the end). Each run is a fresh output folder and a separate process started the
way the `vitrina` command starts (the tree's own `[project.scripts]` entry point, read from its
pyproject.toml: `vitrina.cli.main:main`, which sets the quiet/offline Prefect and OMP_THREAD_LIMIT
settings before the command runs; calling `app()` directly would skip them), with the same venv's
interpreter, PYTHONPATH set to the tree and the working directory in it, so each side imports its
own code: a dry check prints where `vitrina`, `pipeline` and `flows` were imported from and stops if
that is not the tree. The two sides alternate (current first, then baseline; the next repetition the
other way round), so a machine that gets busier or quieter affects both.

Both sides share one Prefect home (PREFECT_HOME in the temporary folder), migrated before the first
run so that neither pays for creating Prefect's database.

`--brief` is read in each tree (a relative path is relative to the tree's root). The trimming options
(`--formats`, `--locales`, `--scenes`, `--skus`, comma-separated) write a copy of that brief per tree,
into the temporary folder, with its paths made absolute into that tree: a quick check of the script
without the ~200 s per side of the full demo brief (210 variants).

Printed: every run's wall time and summary, each side's median, and the ratio baseline / current
(> 1: the current checkout is faster). `--json-out` keeps all of it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PREFECT = ROOT / ".venv" / "bin" / "prefect"
#: Keys of a brief that name files relative to it (made absolute in a trimmed copy).
BRIEF_PATHS = ("brand", "catalog", "price_history", "prompts", "images_root")
PACKAGES = ("vitrina", "pipeline", "flows")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def entry_point(tree: Path) -> tuple[str, str]:
    """The tree's `vitrina` console script as (module, function)."""
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, function = project["project"]["scripts"]["vitrina"].partition(":")
    return module, function


def launcher(tree: Path) -> str:
    """`python -c` source that runs the tree's `vitrina` entry point with the arguments that follow."""
    module, function = entry_point(tree)
    return f"import sys; from {module} import {function}; sys.argv[0] = 'vitrina'; sys.exit({function}())"


def tree_env(tree: Path, prefect_home: Path) -> dict[str, str]:
    """The tree first on sys.path: PYTHONPATH comes before the venv's editable finder, which points
    at /work/main (the dry check verifies it)."""
    env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
    env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def import_check(name: str, tree: Path, prefect_home: Path) -> dict[str, str]:
    """Where each package is imported from when run for `tree`; exits if any is not in the tree."""
    code = (
        "import importlib, json; "
        f"print(json.dumps({{m: importlib.import_module(m).__file__ for m in {list(PACKAGES)!r}}}))"
    )
    done = subprocess.run(
        [str(PYTHON), "-c", code], cwd=tree, env=tree_env(tree, prefect_home), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"{name}: importing {', '.join(PACKAGES)} failed:\n{done.stderr[-2000:]}")
    files: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    for package, file in files.items():
        print(f"  {name:8} {package:8} {file}")
        if not Path(file).resolve().is_relative_to(tree.resolve()):
            sys.exit(f"{name}: {package} was imported from {file}, not from {tree}")
    return files


def trimmed_brief(tree: Path, brief: Path, into: Path, args: argparse.Namespace) -> Path:
    """The tree's brief, or a copy with a smaller matrix and absolute paths into the tree."""
    source = brief if brief.is_absolute() else tree / brief
    if not source.is_file():
        sys.exit(f"--brief: {source} not found")
    if not any((args.formats, args.locales, args.scenes, args.skus)):
        return source
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for key in BRIEF_PATHS:
        if data.get(key):
            data[key] = str((source.parent / data[key]).resolve())
    if args.formats:
        data["formats"] = args.formats
    if args.locales:
        data["locales"] = args.locales
        data["copy"] = {loc: text for loc, text in data["copy"].items() if loc in args.locales}
    if args.scenes:
        data["scenes"] = [s for s in data["scenes"] if s["id"] in args.scenes]
    if args.skus:
        data["skus"] = args.skus
    into.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return into


def first_run(name: str, tree: Path, brief: Path, out: Path, prefect_home: Path) -> dict[str, Any]:
    """One `vitrina run BRIEF --out OUT --json` of `tree`'s code into an empty folder, timed."""
    cmd = [str(PYTHON), "-c", launcher(tree), "run", str(brief), "--out", str(out), "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=tree, env=tree_env(tree, prefect_home), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    record: dict[str, Any] = {"side": name, "rc": done.returncode, "wall_s": round(wall, 2)}
    summary = next((line for line in reversed(done.stdout.splitlines()) if line.startswith("{")), None)
    if summary is None:
        record["error"] = done.stderr[-2000:]
    else:
        parsed = json.loads(summary)
        record.update({k: parsed.get(k) for k in ("variants", "passed", "needs_review", "blocked", "reused")})
    return record


def comma_list(value: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise argparse.ArgumentTypeError("an empty list")
    return items


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--baseline", required=True, help="commit to compare with (the landed main: e9e7012)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per side, alternating (default 1)")
    ap.add_argument("--brief", type=Path, default=Path("demo/campaign.yaml"), help="relative: read in each tree")
    ap.add_argument("--formats", type=comma_list, help="trim the brief to these formats")
    ap.add_argument("--locales", type=comma_list, help="trim the brief to these locales")
    ap.add_argument("--scenes", type=comma_list, help="trim the brief to these scene ids")
    ap.add_argument("--skus", type=comma_list, help="trim the brief to these SKUs")
    ap.add_argument("--dry-run", action="store_true", help="only check that each side imports its own code")
    ap.add_argument("--json-out", type=Path, help="write the results here")
    args = ap.parse_args()
    if args.repeat < 1:
        sys.exit("--repeat: at least 1")
    try:
        baseline = git("rev-parse", "--verify", f"{args.baseline}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"--baseline: {args.baseline}: not a commit of {ROOT}")
    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    current_label = f"{head[:7]}{' + uncommitted changes' if dirty else ''} ({ROOT})"

    tmp = Path(tempfile.mkdtemp(prefix="vitrina-first-run-"))
    worktree = tmp / "baseline"
    prefect_home = tmp / "prefect-home"
    prefect_home.mkdir()
    try:
        git("worktree", "add", "--detach", str(worktree), baseline)
        trees = {"current": ROOT, "baseline": worktree}
        print(f"current:  {current_label}\nbaseline: {baseline[:7]} ({worktree})")
        imported = {name: import_check(name, tree, prefect_home) for name, tree in trees.items()}
        if args.dry_run:
            return
        briefs = {
            name: trimmed_brief(tree, args.brief, tmp / f"brief-{name}.yaml", args) for name, tree in trees.items()
        }
        # Prefect's database is created once, here, so that the first timed run does not pay for it.
        subprocess.run(
            [str(PREFECT), "server", "database", "upgrade", "-y"],
            env={**os.environ, "PREFECT_HOME": str(prefect_home)},
            check=True,
            capture_output=True,
        )
        runs: list[dict[str, Any]] = []
        for i in range(args.repeat):
            order = ("current", "baseline") if i % 2 == 0 else ("baseline", "current")
            for name in order:
                out = tmp / f"out-{name}-{i}"
                record = first_run(name, trees[name], briefs[name], out, prefect_home)
                record["repeat"] = i
                runs.append(record)
                shutil.rmtree(out, ignore_errors=True)
                print(f"  {json.dumps(record)}", flush=True)
                if "error" in record:
                    sys.exit(f"{name}: the run failed (exit {record['rc']}):\n{record['error']}")
    finally:
        if worktree.exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    medians = {name: statistics.median(r["wall_s"] for r in runs if r["side"] == name) for name in trees}
    variants = {name: sorted({r["variants"] for r in runs if r["side"] == name}) for name in trees}
    ratio = medians["baseline"] / medians["current"]
    result = {
        "date": str(date.today()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "current": current_label,
        "baseline": baseline,
        "brief": str(args.brief),
        "trimmed": {k: getattr(args, k) for k in ("formats", "locales", "scenes", "skus") if getattr(args, k)},
        "imported_from": imported,
        "runs": runs,
        "median_wall_s": medians,
        "variants": variants,
        "speedup_baseline_over_current": round(ratio, 2),
    }
    print(f"\n# {result['date']} {result['machine']}: first run of {args.brief}, {args.repeat} run(s) per side")
    print("| side | commit | variants | median wall s | runs |\n|---|---|---|---|---|")
    for name, label in (("current", current_label), ("baseline", baseline[:7])):
        walls = ", ".join(f"{r['wall_s']:.1f}" for r in runs if r["side"] == name)
        print(f"| {name} | {label} | {variants[name]} | {medians[name]:.1f} | {walls} |")
    print(f"\nbaseline / current = {ratio:.2f}x")
    if variants["current"] != variants["baseline"]:
        print("warning: the two sides made different numbers of variants; the times are not comparable")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

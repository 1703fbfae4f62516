"""bench/bench_diffusion_gpu.py runs (issue 16 item 7): `--device cpu --tiny` as a smoke test, in a
Python where pydantic, OpenCV and Babel cannot be imported, as on a bare GPU machine that has torch,
transformers and Pillow and the carried wheels (diffusers, requests) only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# Runs the bench with an import hook that refuses what a bare GPU machine lacks.
BARE = """
import runpy, sys
class Bare:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pydantic", "pydantic_core", "cv2", "babel", "importlib_metadata", "zipp"}:
            raise ImportError(f"No module named {name!r} (not on a bare GPU machine)", name=name)
sys.meta_path.insert(0, Bare())
sys.argv = ["bench_diffusion_gpu.py", *sys.argv[1:]]
runpy.run_path("bench/bench_diffusion_gpu.py", run_name="__main__")
"""


def test_the_gpu_bench_runs_on_cpu_with_tiny_models_and_no_pydantic():
    args = ["--arch", "sd15", "--device", "cpu", "--tiny", "--steps", "1", "--batch", "1", "--batches", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", BARE, *args, "--repeats", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| 1 |")]
    assert [row.split(" | ")[1] for row in rows] == [
        "diffusers default (fp32)",
        "tuned (float32, SDPA, channels_last)",
        "vitrina render_batch (1080x1080 banners)",
    ]
    for row in rows:
        images_per_s = float(row.split(" | ")[4])
        assert images_per_s > 0
    assert "--device cpu --tiny --steps 1 --batch 1 --batches 1" in proc.stdout
    assert proc.stderr == ""  # no warning spam

"""docs/audit.md's recipe, run exactly as written, where Vitrina cannot be imported: an auditor with
numpy and Pillow alone gets OK for a stored banner and FAIL for one whose product pixels changed."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import REPO, StoredVariant, store_demo_variant

AUDIT_DOC = REPO / "docs" / "audit.md"
CUTOUT = "banner.cutout.png"

#: Runs the recipe (argv[2]) with its arguments after making every Vitrina package unimportable:
#: only the interpreter's own and installed libraries stay on sys.path (never the repository),
#: and an import hook refuses the packages (an editable install finds them through a meta path
#: finder, not sys.path).
BOOTSTRAP = """
import importlib.abc, runpy, sys
REPO = sys.argv[1]
BLOCKED = {"pipeline", "vitrina", "flows", "dam_connectors", "tests"}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name}: Vitrina is not importable in an audit")
        return None
sys.meta_path.insert(0, Refuse())
sys.path[:] = [p for p in sys.path if p and p.rstrip("/") != REPO and ("site-packages" in p or "/lib/python" in p)]
try:
    import pipeline  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("pipeline is importable: the audit is not isolated")
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def recipe_code() -> str:
    """The one ```python block of docs/audit.md's "The recipe" section."""
    text = AUDIT_DOC.read_text(encoding="utf-8")
    section = text.split("## The recipe", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "docs/audit.md's recipe section holds one python block"
    return blocks[0]


@pytest.fixture(scope="module")
def dam(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StoredVariant]:
    """A DAM-like folder: the banner, its sidecar next to it and the cut-out, copied out of a store."""
    stored = store_demo_variant(tmp_path_factory.mktemp("audit") / "out")
    folder = tmp_path_factory.mktemp("dam")
    shutil.copy(stored.blob, folder / "banner.png")
    shutil.copy(stored.sidecar, folder / "banner.json")
    shutil.copy(stored.cutout, folder / "banner.cutout.png")
    (folder / "audit_banner.py").write_text(recipe_code(), encoding="utf-8")
    return folder, stored


def audit(folder: Path, banner: str = "banner.png") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", BOOTSTRAP, str(REPO), "audit_banner.py", banner, "banner.json", CUTOUT],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_recipe_says_ok_for_a_stored_banner_without_vitrina(dam: tuple[Path, StoredVariant]):
    folder, _ = dam
    proc = audit(folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "OK banner.png: every opaque product pixel is the cut-out's own"


def test_the_recipe_fails_on_changed_product_pixels(dam: tuple[Path, StoredVariant]):
    folder, stored = dam
    image = Image.open(folder / "banner.png").convert("RGB")
    x0, y0, x1, y1 = stored.lineage.product.placement_box
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2  # the middle of the product: opaque
    r, g, b = image.getpixel((cx, cy))
    image.putpixel((cx, cy), (r ^ 1, g, b))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    (folder / "edited.png").write_bytes(buf.getvalue())
    proc = audit(folder, "edited.png")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.fullmatch(
        rf"FAIL edited\.png: 1 of \d+ product pixels differ, within \({cx}, {cy}\)-\({cx + 1}, {cy + 1}\)\n",
        proc.stdout,
    ), proc.stdout


def test_the_recipe_refuses_a_cut_out_that_is_not_the_recorded_one(dam: tuple[Path, StoredVariant], tmp_path: Path):
    folder, _ = dam
    other = tmp_path / "dam"
    shutil.copytree(folder, other)
    cutout = Image.open(other / "banner.cutout.png")
    cutout.putpixel((0, 0), (1, 2, 3, 4))
    cutout.save(other / "banner.cutout.png")
    proc = audit(other)
    assert proc.returncode == 1
    assert proc.stdout.strip() == "FAIL banner.png: the cut-out is not the one the sidecar names"

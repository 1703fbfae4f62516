"""Does the product rest on its floor? The studio backend's podium and contact shadow, before and
after (issue 15 item 5: "the bag hovers above the podium").

    .venv/bin/python bench/bench_resting.py [--baseline REV] [--save DIR]

Products: every photo of the demo listings (demo/products, the packshots of demo/catalog) and of
the ABO listings in ../shared/data/abo (the same three real listings, CC BY 4.0, Amazon.com; see
their README) that triage accepts as a packshot, cut out by the pipeline; byte-identical photos are
measured once. Each is drawn in every format of the demo brand (brand_guides/halden), at the
product box of the en-US layout, by the studio backend of this tree ("after") and by the
studio.py of `--baseline` ("before", loaded from git into this same process, so both run on the
same cut-outs, layouts and machine).

The product's base comes from its placed layer's alpha (`base_footprint`: the lowest opaque pixel
of each column, half cover; the footprint = the base points standing on the floor). The podium's
top surface is the one each version draws (its `_podium` re-run on a blank canvas). Per case:

* lowest gap: px from the product's lowest opaque pixel down to the podium's top surface under
  it (0: the pixel is on the top surface);
* base gap: the largest such gap over the footprint, and the share of footprint columns not on the
  top surface (a receding 3/4-view base behind the podium's rim hangs in the air);
* shadow at the base: mean contact-shadow alpha in the 4 rows just below the footprint's points
  (sweep style): a shadow that touches the base is dark there;
* shadow spread: width of the dark shadow (alpha >= 0.25, 2 px below the lowest pixel) / width of the
  footprint (sweep style): 1-1.5 follows the base; a bulb standing on its pins had a body-wide one;
* detached shadow: share of the dark shadow (alpha >= 0.25, not under the product) farther than
  3 % of the product's width (at least 8 px) from every footprint point (sweep style): a shadow
  where nothing stands reads as hovering.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.banner.layout import plan_layout  # noqa: E402
from pipeline.imaging.imageio import load_product_image  # noqa: E402
from pipeline.imaging.masks import cutout, product_mask  # noqa: E402
from pipeline.imaging.triage import triage_packshot  # noqa: E402
from pipeline.model.brand import load_brand  # noqa: E402
from pipeline.model.locales import locale_info  # noqa: E402
from pipeline.scene import studio  # noqa: E402
from pipeline.scene.base import SceneRequest  # noqa: E402
from pipeline.scene.studio import Footprint, base_footprint  # noqa: E402

SOURCES = (ROOT / "demo" / "products", ROOT.parent / "shared" / "data" / "abo")
DARK = 0.25  # shadow alpha from which it reads as a dark contact shadow (the faint falloff is not)
DETACHED = 0.03  # of the product's width (at least 8 px): a dark shadow farther from the base is not under it
BASELINE = "2784f67"  # the last commit before the product was stood on its base


def load_version(rev: str) -> ModuleType:
    """pipeline/scene/studio.py as it was at `rev`, as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:pipeline/scene/studio.py"], check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "studio_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("studio_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Drawn:
    image: Image.Image
    footprint: Footprint
    top: np.ndarray | None  # bool HxW: the podium's top surface
    shadow: np.ndarray  # float HxW: the contact shadow's alpha
    covered: np.ndarray  # bool HxW: opaque product pixels (the shadow does not show there)


def render(module: ModuleType, request: SceneRequest) -> Drawn:
    """One scene by `module`'s backend, with what it drew of the podium top and the shadow."""
    seen: dict[str, Any] = {}
    podium, shadow = module._podium, module._contact_shadow

    def podium_spy(img: np.ndarray, palette: dict[str, str], *args: Any) -> np.ndarray:
        blank = podium(np.zeros_like(img), palette, *args)
        floor = module._rgb(module.studio_colours(palette)["floor"])
        seen["top"] = np.all(blank == module._mix(floor, np.full(3, 255, np.float32), 0.3), axis=-1)
        return podium(img, palette, *args)

    def shadow_spy(*args: Any) -> np.ndarray:
        seen["shadow"] = shadow(*args)
        return seen["shadow"]

    module._podium, module._contact_shadow = podium_spy, shadow_spy
    try:
        result = module.StudioBackend().render(request)
    finally:
        module._podium, module._contact_shadow = podium, shadow
    footprint = base_footprint(result.product_layer, result.placement.box)
    covered = np.zeros(seen["shadow"].shape, bool)
    x0, y0, x1, y1 = result.placement.box
    covered[y0:y1, x0:x1] = np.asarray(result.product_layer)[..., 3] >= 128
    return Drawn(result.image, footprint, seen.get("top"), seen["shadow"], covered)


def gap_below(top: np.ndarray, x: int, y: int) -> float:
    """Rows from (x, y) down to the top surface in column x: 0 on it, negative when the point is
    below (in front of) it, inf when the column has no top surface at all."""
    rows = np.flatnonzero(top[:, x])
    if rows.size == 0:
        return float("inf")
    if rows.min() <= y <= rows.max():
        return 0.0
    return float(rows.min() - y) if rows.min() > y else float(rows.max() - y)


def podium_figures(d: Drawn) -> dict[str, float]:
    assert d.top is not None
    fp = d.footprint
    low = int(np.argmax(fp.ys))
    points = zip(fp.xs[fp.contact], fp.ys[fp.contact], strict=True)
    gaps = np.array([gap_below(d.top, int(x), int(y)) for x, y in points])
    return {
        "lowest_gap": gap_below(d.top, int(fp.xs[low]), int(fp.ys[low])),
        "base_gap": float(np.max(np.abs(gaps))),
        "off_share": float(np.mean(gaps != 0)),
    }


def shadow_figures(d: Drawn) -> dict[str, float]:
    fp = d.footprint
    h = d.shadow.shape[0]
    xs, ys = fp.xs[fp.contact], fp.ys[fp.contact]
    under = np.stack([d.shadow[np.clip(ys + k, 0, h - 1), xs] for k in range(1, 5)])
    band = d.shadow[min(fp.lowest + 2, h - 1)]
    cols = np.flatnonzero(band >= DARK)
    width = float(cols.max() - cols.min() + 1) if cols.size else 0.0
    # the dark shadow (alpha >= DARK where no product covers it) farther than DETACHED from
    # every footprint point: shadow cast where nothing stands reads as the product floating
    away = np.ones(d.shadow.shape, np.uint8)
    away[ys, xs] = 0
    distance = cv2.distanceTransform(away, cv2.DIST_L2, 5)
    visible = (d.shadow >= DARK) & ~d.covered
    reach = max(8.0, DETACHED * float(fp.xs.max() - fp.xs.min() + 1))
    detached = float(np.mean(distance[visible] > reach)) if visible.any() else 0.0
    return {
        "shadow_at_base": float(under.mean()),
        "spread": width / float(xs.max() - xs.min() + 1),
        "detached": detached,
    }


def products() -> dict[str, Image.Image]:
    """Usable packshots by 'listing/file', cut out; photos seen before (same bytes) are skipped."""
    out: dict[str, Image.Image] = {}
    seen: set[str] = set()
    for folder in SOURCES:
        for path in sorted(folder.glob("*/*.jpg")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            img = load_product_image(path)
            mask = product_mask(img)
            if triage_packshot(img, mask).usable:
                out[f"{path.parent.name}/{path.name}"] = cutout(img, mask)
    return out


def summarise(rows: list[dict[str, Any]], key: str, pick: Callable[[np.ndarray], float]) -> str:
    values = np.array([r[key] for r in rows], dtype=np.float64)
    return f"{pick(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the 'before' studio.py")
    parser.add_argument("--save", type=Path, help="write each podium scene, before|after, as PNG here")
    args = parser.parse_args()
    before = load_version(args.baseline)
    brand = load_brand(ROOT / "brand_guides" / "halden")
    palette = brand.palette.all_colours()
    with Image.open(brand.logo_path) as logo:
        logo_aspect = logo.width / logo.height
    cutouts = products()
    print(f"{len(cutouts)} usable packshots ({', '.join(cutouts)}), {len(brand.formats)} formats")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; baseline studio.py at {args.baseline}")
    rows: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for name, cut in cutouts.items():
        for fmt in brand.formats:
            layout = plan_layout(
                fmt,
                locale_info("en-US"),
                logo_aspect=logo_aspect,
                logo_min_width=brand.logo.min_width_px,
                clear_space=brand.logo.clear_space,
            )
            pictures = []
            for label, module in (("before", before), ("after", studio)):
                podium = render(module, SceneRequest(fmt.size, cut, layout.product, palette, "podium", 1))
                sweep = render(module, SceneRequest(fmt.size, cut, layout.product, palette, "sweep", 1))
                row = {"case": f"{name} {fmt.id}", **podium_figures(podium), **shadow_figures(sweep)}
                rows[label].append(row)
                pictures.append(podium.image)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                pair = Image.new("RGB", (fmt.width * 2, fmt.height))
                pair.paste(pictures[0], (0, 0))
                pair.paste(pictures[1], (fmt.width, 0))
                pair.save(args.save / f"{name.replace('/', '_')}_{fmt.id}.png")
    print(f"\n{len(rows['after'])} cases (packshot x format); podium style for gaps, sweep for the shadow\n")
    print("| figure | before: median | before: worst | after: median | after: worst |")
    print("|---|---|---|---|---|")
    figures = (
        ("lowest opaque pixel to podium top (px)", "lowest_gap", max),
        ("footprint to podium top, largest gap (px)", "base_gap", max),
        ("footprint columns off the top surface", "off_share", max),
        ("shadow alpha just below the footprint", "shadow_at_base", min),
        ("shadow width / footprint width", "spread", max),
        ("dark shadow farther than 3 % of the product's width from the footprint", "detached", max),
    )
    for title, key, worst in figures:
        cells = [summarise(rows[v], key, f) for v in ("before", "after") for f in (np.median, worst)]
        print(f"| {title} | " + " | ".join(cells) + " |")
    print("\nper case, before -> after: base gap (px), shadow spread, detached shadow")
    for b, a in zip(rows["before"], rows["after"], strict=True):
        print(
            f"  {a['case']:<40} {b['base_gap']:5.1f} -> {a['base_gap']:4.1f}   {b['spread']:5.2f} -> "
            f"{a['spread']:4.2f}   {b['detached']:5.2f} -> {a['detached']:4.2f}"
        )


if __name__ == "__main__":
    main()

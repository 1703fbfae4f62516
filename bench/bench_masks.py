"""Product cut-out accuracy (issue 3): `product_mask` against known ground-truth alpha.

    .venv/bin/python bench/bench_masks.py [--quick] [--markdown]

The evaluation set is generated in memory, deterministically (fixed seeds, nothing written):

* synthetic objects with exact alpha, drawn at 4x and box-filtered (anti-aliased edges):
  a white bulb with a light grey outline, a dark bag with a handle hole, a coloured bottle with
  a white label, a lamp with thin structures (3 px stand, 2 px wire), a soft-edged plush disc;
* real demo packshots: their cut-out (``product_mask`` + ``cutout`` on the original photo, its
  alpha taken as ground truth) re-composited on new backgrounds. These measure robustness to
  the background, not the accuracy of the original cut-out (which has no human ground truth).

Every object is composited on six near-white studio backgrounds: pure white, off-white
#F7F7F5, a slight vertical gradient, white + JPEG q=90, white + a soft contact shadow under the
object (the shadow is background: not in the ground truth), off-white + mild sensor noise; and on
two mid-grey (128) backdrops with the light falloff a studio photo has, +-6 levels: a linear one
(left to right) and a radial one (brightest in the middle, falling off linearly with the
distance, so no quadratic fitted to the border alone predicts the middle).

Metrics per case: IoU of ``alpha >= 128``; boundary F-score at 2 px tolerance (BF@2); mean
symmetric boundary distance in px (edge); confidence; milliseconds per `product_mask` call.

Calibration: a variant goes to review when its cut-out's confidence is below 0.8
(``pipeline.render.MIN_MASK_CONFIDENCE``). The confusion table counts, per IoU bucket
(< 0.90 bad, 0.90-0.95 fair, >= 0.95 good), the cases reported confident and not: every bad
case should be not confident, and (almost) every good one confident.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.imaging.imageio import load_product_image, to_array  # noqa: E402
from pipeline.imaging.masks import cutout, product_mask  # noqa: E402

SIZE = 480  # synthetic canvas side, px
SS = 4  # supersampling factor for synthetic drawings
REAL_MAX_SIDE = 640  # real cut-outs are re-composited at most this big
DEMO = ROOT / "demo" / "products"
REAL = ("B074M5HPBD/dcace9b5.jpg", "B0799CK52K/528c608a.jpg", "B0799CK52K/d80a51d3.jpg", "B07GTFSCHB/844a1cce.jpg")
REVIEW_BELOW = 0.5  # pipeline.imaging.triage._MIN_CONFIDENCE: below this the photo is not used at all
CONFIDENT_AT = 0.8  # pipeline.render.MIN_MASK_CONFIDENCE: below this a variant goes to review
BUCKETS = (("IoU < 0.90", 0.0, 0.90), ("0.90 <= IoU < 0.95", 0.90, 0.95), ("IoU >= 0.95", 0.95, 1.01))


# --- ground-truth objects: (RGB float HxWx3, alpha float HxW in 0..1) -------------------------
Object = tuple[np.ndarray, np.ndarray]


def _draw(fn: Callable[[ImageDraw.ImageDraw, Callable[[float], int]], None], size: int = SIZE) -> Object:
    """Draw RGBA at SS x on transparent, shrink with premultiplied box filter."""
    big = Image.new("RGBA", (size * SS, size * SS), (0, 0, 0, 0))
    fn(ImageDraw.Draw(big), lambda v: int(round(v * SS)))
    small = np.asarray(big.resize((size, size), Image.Resampling.BOX), dtype=np.float32)
    return small[:, :, :3], small[:, :, 3] / 255.0


def obj_white_bulb() -> Object:
    def fn(d: ImageDraw.ImageDraw, s: Callable[[float], int]) -> None:
        d.ellipse([s(150), s(70), s(330), s(260)], fill=(253, 253, 252, 255), outline=(205, 205, 200, 255), width=s(2))
        d.polygon([(s(190), s(235)), (s(290), s(235)), (s(275), s(320)), (s(205), s(320))], fill=(252, 252, 251, 255))
        d.line([(s(190), s(235)), (s(205), s(320))], fill=(205, 205, 200, 255), width=s(2))
        d.line([(s(290), s(235)), (s(275), s(320))], fill=(205, 205, 200, 255), width=s(2))
        d.rectangle([s(205), s(320), s(275), s(385)], fill=(170, 168, 160, 255))
        for y in range(330, 380, 10):
            d.line([(s(205), s(y)), (s(275), s(y + 4))], fill=(120, 118, 110, 255), width=s(2))
        d.ellipse([s(225), s(380), s(255), s(400)], fill=(40, 40, 40, 255))

    return _draw(fn)


def obj_dark_bag() -> Object:
    def fn(d: ImageDraw.ImageDraw, s: Callable[[float], int]) -> None:
        d.ellipse([s(160), s(50), s(320), s(230)], outline=(55, 38, 28, 255), width=s(16))  # handle
        d.polygon([(s(110), s(170)), (s(370), s(170)), (s(395), s(420)), (s(85), s(420))], fill=(62, 42, 30, 255))
        d.rectangle([s(220), s(240), s(260), s(262)], fill=(200, 170, 90, 255))  # clasp

    return _draw(fn)


def obj_bottle() -> Object:
    def fn(d: ImageDraw.ImageDraw, s: Callable[[float], int]) -> None:
        d.rounded_rectangle([s(170), s(150), s(310), s(430)], radius=s(28), fill=(30, 120, 70, 255))
        d.polygon([(s(205), s(150)), (s(275), s(150)), (s(260), s(95)), (s(220), s(95))], fill=(30, 120, 70, 255))
        d.rectangle([s(215), s(55), s(265), s(98)], fill=(200, 30, 40, 255))  # cap
        d.rectangle([s(170), s(250), s(310), s(340)], fill=(250, 250, 248, 255))  # white label, full width
        for i, y in enumerate(range(265, 330, 16)):
            d.text((s(185), s(y)), "o AQUA o" if i % 2 else "MINERAL", fill=(20, 20, 20, 255))
            d.line([(s(185), s(y + 8)), (s(290 - 10 * i), s(y + 8))], fill=(20, 20, 20, 255), width=s(2))

    return _draw(fn)


def obj_thin_lamp() -> Object:
    def fn(d: ImageDraw.ImageDraw, s: Callable[[float], int]) -> None:
        d.pieslice([s(150), s(60), s(330), s(240)], 180, 360, fill=(220, 140, 30, 255))  # shade
        d.line([(s(240), s(150)), (s(240), s(400))], fill=(50, 50, 55, 255), width=s(3))  # stand
        d.line([(s(240), s(300)), (s(330), s(250)), (s(360), s(330))], fill=(50, 50, 55, 255), width=s(2))  # arm
        d.line([(s(160), s(410)), (s(320), s(410))], fill=(50, 50, 55, 255), width=s(8))  # base
        d.arc([s(80), s(330), s(240), s(430)], 90, 270, fill=(20, 20, 20, 255), width=s(2))  # cable

    return _draw(fn)


def obj_soft_plush() -> Object:
    def fn(d: ImageDraw.ImageDraw, s: Callable[[float], int]) -> None:
        d.ellipse([s(120), s(110), s(360), s(390)], fill=(200, 90, 120, 255))
        d.ellipse([s(130), s(70), s(200), s(150)], fill=(200, 90, 120, 255))
        d.ellipse([s(280), s(70), s(350), s(150)], fill=(200, 90, 120, 255))
        d.ellipse([s(200), s(200), s(220), s(222)], fill=(20, 20, 20, 255))
        d.ellipse([s(260), s(200), s(280), s(222)], fill=(20, 20, 20, 255))

    rgb, alpha = _draw(fn)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 2.5)  # fuzzy fur edge, ~8 px ramp
    return rgb, alpha


SYNTHETIC: dict[str, Callable[[], Object]] = {
    "white-bulb": obj_white_bulb,
    "dark-bag": obj_dark_bag,
    "bottle": obj_bottle,
    "thin-lamp": obj_thin_lamp,
    "soft-plush": obj_soft_plush,
}


def obj_real(rel: str) -> Object:
    """A demo packshot's own cut-out on a canvas with an 8% margin, at most REAL_MAX_SIDE."""
    img = load_product_image(DEMO / rel)
    cut = cutout(img, product_mask(img))
    scale = min(1.0, REAL_MAX_SIDE / (max(cut.size) * 1.16))
    if scale < 1.0:
        cut = cut.resize((round(cut.width * scale), round(cut.height * scale)), Image.Resampling.LANCZOS)
    arr = to_array(cut).astype(np.float32)
    pad_x, pad_y = round(cut.width * 0.08) + 4, round(cut.height * 0.08) + 4
    h, w = cut.height + 2 * pad_y, cut.width + 2 * pad_x
    rgb = np.zeros((h, w, 3), np.float32)
    alpha = np.zeros((h, w), np.float32)
    rgb[pad_y : pad_y + cut.height, pad_x : pad_x + cut.width] = arr[:, :, :3]
    alpha[pad_y : pad_y + cut.height, pad_x : pad_x + cut.width] = arr[:, :, 3] / 255.0
    return rgb, alpha


# --- studio backgrounds: (object) -> composited RGB uint8 -----------------------------------
def _flat(h: int, w: int, colour: tuple[int, int, int]) -> np.ndarray:
    return np.broadcast_to(np.array(colour, np.float32), (h, w, 3)).copy()


def _over(obj: Object, bg: np.ndarray) -> np.ndarray:
    rgb, alpha = obj
    a = alpha[:, :, None]
    return rgb * a + bg * (1.0 - a)


def _u8(arr: np.ndarray) -> np.ndarray:
    return np.clip(np.round(arr), 0, 255).astype(np.uint8)


def bg_white(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    return _u8(_over(obj, _flat(h, w, (255, 255, 255))))


def bg_offwhite(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    return _u8(_over(obj, _flat(h, w, (0xF7, 0xF7, 0xF5))))


def bg_gradient(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    ramp = np.linspace(253.0, 241.0, h, dtype=np.float32)[:, None, None]  # slight, top to bottom
    return _u8(_over(obj, np.broadcast_to(ramp, (h, w, 3)).copy()))


def bg_jpeg90(obj: Object) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(bg_white(obj)).save(buf, "JPEG", quality=90)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def bg_shadow(obj: Object) -> np.ndarray:
    """A soft grey contact shadow under the object's lowest row (background, not product)."""
    h, w = obj[1].shape
    solid = obj[1] >= 0.5
    rows, cols = np.flatnonzero(solid.any(axis=1)), np.flatnonzero(solid.any(axis=0))
    bottom, left, right = int(rows[-1]), int(cols[0]), int(cols[-1])
    shade = np.zeros((h, w), np.float32)
    cx, half = (left + right) / 2.0, max(8.0, (right - left) * 0.45)
    cv2.ellipse(shade, (round(cx), bottom), (round(half), max(3, round(h * 0.012))), 0, 0, 360, 1.0, -1)
    shade = cv2.GaussianBlur(shade, (0, 0), max(2.0, h * 0.01)) * 0.28  # up to ~28% darker
    bg = _flat(h, w, (255, 255, 255)) * (1.0 - shade[:, :, None])
    return _u8(_over(obj, bg))


def bg_noise(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    img = _over(obj, _flat(h, w, (0xF7, 0xF7, 0xF5)))
    noise = np.random.default_rng(1234).normal(0.0, 2.0, img.shape).astype(np.float32)  # mild sensor noise
    return _u8(img + noise)


def _falloff(h: int, w: int, radial: bool) -> np.ndarray:
    """-1..1 over the frame: left to right, or from the corners to the middle."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if radial:
        return 1.0 - 2.0 * np.hypot(xs - w / 2, ys - h / 2) / float(np.hypot(w / 2, h / 2))
    return 2.0 * xs / max(w - 1, 1) - 1.0


def bg_grey_linear(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    return _u8(_over(obj, np.repeat((128.0 + 6.0 * _falloff(h, w, radial=False))[:, :, None], 3, axis=2)))


def bg_grey_radial(obj: Object) -> np.ndarray:
    h, w = obj[1].shape
    return _u8(_over(obj, np.repeat((128.0 + 6.0 * _falloff(h, w, radial=True))[:, :, None], 3, axis=2)))


BACKGROUNDS: dict[str, Callable[[Object], np.ndarray]] = {
    "white": bg_white,
    "off-white": bg_offwhite,
    "gradient": bg_gradient,
    "jpeg90": bg_jpeg90,
    "shadow": bg_shadow,
    "noise": bg_noise,
    "grey-linear": bg_grey_linear,
    "grey-radial": bg_grey_radial,
}
#: Clean packshots: a flat light background, no compression, noise or shadow.
CLEAN_BACKGROUNDS = ("white", "off-white")
#: Plain grey backdrops, unevenly lit.
GREY_BACKGROUNDS = ("grey-linear", "grey-radial")


# --- metrics --------------------------------------------------------------------------------
def _boundary(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8))).astype(bool)


def mask_metrics(pred_alpha: np.ndarray, gt_alpha: np.ndarray, tol: float = 2.0) -> dict[str, float]:
    """IoU (alpha >= 128), boundary F-score at ``tol`` px, mean symmetric boundary distance."""
    pred, gt = pred_alpha >= 128, gt_alpha >= 0.5
    union = np.count_nonzero(pred | gt)
    iou = np.count_nonzero(pred & gt) / union if union else 1.0
    bp, bg = _boundary(pred), _boundary(gt)
    if not bp.any() or not bg.any():
        return {"iou": iou, "bf": 0.0, "edge": float("inf")}
    d_to_gt = cv2.distanceTransform((~bg).astype(np.uint8), cv2.DIST_L2, 5)
    d_to_pred = cv2.distanceTransform((~bp).astype(np.uint8), cv2.DIST_L2, 5)
    dp, dg = d_to_gt[bp], d_to_pred[bg]
    precision, recall = float((dp <= tol).mean()), float((dg <= tol).mean())
    bf = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    edge = (float(dp.sum()) + float(dg.sum())) / (dp.size + dg.size)
    return {"iou": iou, "bf": bf, "edge": edge}


@dataclass
class Result:
    obj: str
    background: str
    synthetic: bool
    iou: float
    bf: float
    edge: float
    confidence: float
    ms: float
    notes: tuple[str, ...]

    @property
    def review(self) -> bool:
        return self.confidence < REVIEW_BELOW

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT_AT


def objects(names: list[str] | None = None, real: bool = True) -> dict[str, tuple[bool, Object]]:
    out: dict[str, tuple[bool, Object]] = {}
    for name, make in SYNTHETIC.items():
        if names is None or name in names:
            out[name] = (True, make())
    if real and DEMO.is_dir():
        for rel in REAL:
            if (DEMO / rel).exists() and (names is None or rel in names):
                out[rel] = (False, obj_real(rel))
    return out


def run_cases(objs: dict[str, tuple[bool, Object]], backgrounds: list[str] | None = None) -> list[Result]:
    results = []
    for name, (synthetic, obj) in objs.items():
        for bg_name, make_bg in BACKGROUNDS.items():
            if backgrounds is not None and bg_name not in backgrounds:
                continue
            img = Image.fromarray(make_bg(obj), "RGB")
            t0 = time.perf_counter()
            mask = product_mask(img)
            ms = (time.perf_counter() - t0) * 1000.0
            m = mask_metrics(np.asarray(mask.alpha), obj[1])
            results.append(
                Result(name, bg_name, synthetic, m["iou"], m["bf"], m["edge"], mask.confidence, ms, mask.notes)
            )
    return results


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def summary(results: list[Result]) -> list[tuple[str, list[Result]]]:
    return [
        ("all cases", results),
        (
            "synthetic, clean (white, off-white)",
            [r for r in results if r.synthetic and r.background in CLEAN_BACKGROUNDS],
        ),
        ("synthetic, all backgrounds", [r for r in results if r.synthetic]),
        ("real re-composited, all backgrounds", [r for r in results if not r.synthetic]),
        ("grey backdrops with light falloff", [r for r in results if r.background in GREY_BACKGROUNDS]),
    ]


def confusion(results: list[Result]) -> list[tuple[str, int, int]]:
    """Per IoU bucket: (label, confident cases, not confident cases)."""
    rows = []
    for label, low, high in BUCKETS:
        bucket = [r for r in results if low <= r.iou < high]
        rows.append((label, sum(r.confident for r in bucket), sum(not r.confident for r in bucket)))
    return rows


def markdown(results: list[Result]) -> str:
    lines = [
        "| object | background | IoU | BF@2px | edge px | confidence | confident | review | ms | notes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.obj} | {r.background} | {r.iou:.4f} | {r.bf:.3f} | {r.edge:.2f} | {r.confidence:.2f} | "
            f"{'yes' if r.confident else 'no'} | {'yes' if r.review else ''} | {r.ms:.0f} | {'; '.join(r.notes)} |"
        )
    lines += [
        "",
        f"| subset | cases | mean IoU | min IoU | mean BF@2px | mean edge px | confidence < {REVIEW_BELOW} |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, rs in summary(results):
        if rs:
            lines.append(
                f"| {label} | {len(rs)} | {_mean([r.iou for r in rs]):.4f} | {min(r.iou for r in rs):.4f} | "
                f"{_mean([r.bf for r in rs]):.3f} | {_mean([r.edge for r in rs]):.2f} | {sum(r.review for r in rs)} |"
            )
    lines += ["", f"| IoU bucket | confident (>= {CONFIDENT_AT}) | not confident |", "|---|---|---|"]
    lines += [f"| {label} | {yes} | {no} |" for label, yes, no in confusion(results)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="synthetic objects only")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables")
    args = parser.parse_args()
    results = run_cases(objects(real=not args.quick))
    if args.markdown:
        print(markdown(results))
    else:
        print(f"{'object':26} {'background':10} {'IoU':>7} {'BF@2':>6} {'edge':>6} {'conf':>5} {'ms':>5}  notes")
        for r in results:
            print(
                f"{r.obj:26} {r.background:10} {r.iou:7.4f} {r.bf:6.3f} {r.edge:6.2f} {r.confidence:5.2f} "
                f"{r.ms:5.0f}  {'' if r.confident else 'LOW '}{'REVIEW ' if r.review else ''}{'; '.join(r.notes)}"
            )
        for label, rs in summary(results):
            if rs:
                print(
                    f"{label:38} n={len(rs):2d} mean IoU {_mean([r.iou for r in rs]):.4f} "
                    f"min {min(r.iou for r in rs):.4f} BF@2 {_mean([r.bf for r in rs]):.3f} "
                    f"edge {_mean([r.edge for r in rs]):.2f} px, {sum(r.review for r in rs)} below {REVIEW_BELOW}"
                )
        print(f"{'IoU bucket':20} {'confident':>9} {'not confident':>13}   (confident = confidence >= {CONFIDENT_AT})")
        for label, yes, no in confusion(results):
            print(f"{label:20} {yes:9d} {no:13d}")
    print(
        f"# {platform.machine()} {platform.python_version()}, numpy {np.__version__}, opencv {cv2.__version__}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()

"""Stray text, `image.stray_text`: words in the background outside the designed text, the logo and
the product (watermarks, stock-photo marks, lettering a generator painted), read by Tesseract.

A fast path (`_text_candidates`: stroke-like marks grouped into lines) finds text-like regions
first; a smooth studio backdrop has none and costs no OCR at all. Tesseract reads only those
regions, within a budget of calls spent breadth first. When Tesseract is missing, marks that were
found ask for review with the reason instead of failing.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import (
    Frame,
    as_frame,
    box_area,
    clip_box,
    designed_mask,
    expand,
    fit_context,
    fmt_box,
    result,
)
from pipeline.checks.results import CheckResult, Verdict
from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide

__all__ = ["check_stray_text", "stray_text_on"]


def _text_candidates(frame: Frame, ctx: ImageContext, logo_box: Box | None = None) -> list[tuple[Box, int]]:
    """Text-like regions of the background (outside designed text, logo, product): the fast path.

    At half resolution: morphological gradient (3x3) above 14 grey levels marks strokes, except
    where the edge runs within ~18 degrees of horizontal (rims, table and shadow edges); stroke
    pieces larger than a letter (over 120 x 80 half-px: podium rims, table edges, plates, product
    outlines) are dropped; the rest are joined along lines (closing 1 x 7, then groups on one line
    less than 0.8 x their height apart); a line counts as text-like when it is 5-70 px tall
    (10-140 px at full size), at least 1.2 times as wide as tall, made of at least 3 separate
    stroke pieces, and its strokes fill 12-75 % of its box.
    Smooth studio backdrops, contact shadows, podium and table edges give none, so OCR is skipped.
    Returns (box, median stroke-piece height) per line, both in full-resolution px.
    """
    g = frame.gray
    half = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
    grad = cv2.morphologyEx(half, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    gx = np.abs(cv2.Sobel(half, cv2.CV_16S, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(half, cv2.CV_16S, 0, 1, ksize=3))
    # near-horizontal edges (podium rims, table and shadow edges, a horizon) are not strokes
    strokes = ((grad > 14) & (gx * 3 >= gy)).astype(np.uint8)
    designed = designed_mask(ctx, frame.size, 2, logo_box)[: strokes.shape[0], : strokes.shape[1]]
    strokes[designed] = 0
    if int(strokes.sum()) < 30:
        return []
    n, pieces, pst, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    too_big = (pst[:, 2] > 120) | (pst[:, 3] > 80)
    too_big[0] = False
    if too_big.any():
        strokes[too_big[pieces]] = 0
    joined = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((1, 7), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    _, piece_ids, piece_stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    # groups on one text line: vertical overlap >= half the smaller height, gap <= 0.8 x height
    groups: list[list[Any]] = []  # x0, y0, x1, y1, stroke px, piece heights
    for i in range(1, n):
        x, y, w, h, _a = (int(v) for v in stats[i])
        if not 5 <= h <= 70:
            continue
        sel = labels[y : y + h, x : x + w] == i
        ink = int(strokes[y : y + h, x : x + w][sel].sum())
        ids = np.unique(piece_ids[y : y + h, x : x + w][sel & (strokes[y : y + h, x : x + w] > 0)])
        groups.append([x, y, x + w, y + h, ink, [int(v) for v in piece_stats[ids, 3]]])
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                a, b = groups[i], groups[j]
                ha, hb = a[3] - a[1], b[3] - b[1]
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if overlap >= 0.5 * min(ha, hb) and gap <= 0.8 * max(ha, hb) and max(ha, hb) <= 2 * min(ha, hb):
                    groups[i] = [
                        min(a[0], b[0]),
                        min(a[1], b[1]),
                        max(a[2], b[2]),
                        max(a[3], b[3]),
                        a[4] + b[4],
                        a[5] + b[5],
                    ]
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    out = []
    for x0, y0, x1, y1, ink, heights in groups:
        w, h = x1 - x0, y1 - y0
        if w < 1.2 * h or w < 10 or len(heights) < 3 or not 0.12 <= ink / (w * h) <= 0.75:
            continue
        out.append(((2 * x0, 2 * y0, 2 * x1, 2 * y1), 2 * int(np.median(heights))))
    return out


def _ocr_words(gray: np.ndarray, offset: tuple[int, int], sign: int, f: float) -> list[tuple[str, float, Box]]:
    """Tesseract words of a grey crop scaled by `f`. The crop is turned into dark-on-white for one
    polarity: deviation from its median (the backdrop) in direction `sign` (-1: darker text, +1:
    lighter text), stretched to its 99th percentile (faint watermarks become black), the other
    direction clipped to white (a shadow next to light lettering disappears). A line-shaped crop
    is read as one line (--psm 7), else as a block (--psm 6)."""
    import pytesseract

    h, w = gray.shape
    g: np.ndarray = gray.astype(np.float32)
    if f != 1.0:
        g = cv2.resize(g, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    dev = (g - float(np.median(g))) * sign
    top = max(float(np.percentile(dev, 99)), 8.0)
    img: np.ndarray = (255 - np.clip(dev * (255.0 / top), 0, 255)).astype(np.uint8)
    img = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    psm = 7 if w > 2.5 * h else 6
    data = pytesseract.image_to_data(img, lang="eng", config=f"--psm {psm}", output_type=pytesseract.Output.DICT)
    words = []
    rows = zip(data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"], strict=False)
    for text, conf, x, y, w, hh in rows:
        text = str(text).strip()
        try:
            c = float(conf)
        except (TypeError, ValueError):
            continue
        if not text or c < 0:
            continue
        box = (
            offset[0] + round((x - 20) / f),
            offset[1] + round((y - 20) / f),
            offset[0] + round((x - 20 + w) / f),
            offset[1] + round((y - 20 + hh) / f),
        )
        words.append((text, c, box))
    return words


_MAX_OCR_CALLS = 8  # Tesseract calls per image (~0.1-0.3 s each); only images with text-like marks pay


def _is_word(text: str, conf: float, settings: ImageCheckSettings) -> bool:
    """A real word: confident enough, and short ones (2-3 letters) more so. Tesseract reads 'wa' or
    'Gra' at ~70 % into podium rims and shadows (two demo banners); real watermarks and generated
    lettering are longer or read far more confidently."""
    letters = sum(ch.isalnum() for ch in text)
    need = settings.stray_text_min_confidence if letters >= 4 else max(settings.stray_text_min_confidence, 85.0)
    return letters >= 2 and conf >= need


def check_stray_text(
    image: Image.Image,
    brand: BrandGuide | None,
    ctx: ImageContext,
    settings: ImageCheckSettings,
    *,
    logo_box: Box | None = None,
) -> list[CheckResult]:
    """Words in the background outside the designed text, the logo and the product: watermarks,
    stock-photo marks, signs a generator painted. Tesseract reads only the text-like regions the
    fast path (`_text_candidates`) finds; no such region means no OCR at all. A word counts with
    Tesseract confidence >= `stray_text_min_confidence` and at least two letters or digits."""
    frame = as_frame(image)
    return stray_text_on(frame, fit_context(ctx, frame.size), settings, logo_box)


def stray_text_on(
    frame: Frame, ctx: ImageContext, settings: ImageCheckSettings, logo_box: Box | None
) -> list[CheckResult]:
    """`check_stray_text` on an image already converted, the context in its grid; `logo_box`: where the
    logo check found the logo (its letters are not stray text)."""
    cid = "image.stray_text"
    candidates = _text_candidates(frame, ctx, logo_box)
    if not candidates:
        return [
            result(
                cid,
                Verdict.PASSED,
                "stray_text.none",
                "no text-like marks in the background outside the designed text, logo and product (OCR not needed)",
            )
        ]
    candidates.sort(key=lambda c: -box_area(c[0]))
    boxes = [b for b, _ in candidates]
    designed = designed_mask(ctx, frame.size, 1, logo_box)

    def stray(word: tuple[str, float, Box]) -> bool:
        """A real word, mostly outside the designed text, logo and product."""
        t, c, (bx0, by0, bx1, by1) = word
        inside = designed[max(0, by0) : max(0, by1), max(0, bx0) : max(0, bx1)]
        # under 6 px tall nothing is legible: such "words" are Tesseract reading edges (a 7x4 px
        # 'Gra' at the corner of a leaderboard's logo in the demo)
        return _is_word(t, c, settings) and by1 - by0 >= 6 and (inside.size == 0 or float(inside.mean()) < 0.5)

    words: list[tuple[str, float, Box]] = []
    calls = 0
    try:
        # Breadth first: one read of each candidate region (largest first), then the further looks
        # (other scale / polarity), so a busy backdrop cannot spend the budget on its first region.
        plans = []
        for box, letter_h in candidates[:8]:
            x0, y0, x1, y1 = clip_box(expand(box, max(6, round(0.3 * letter_h))), frame.size)
            crop = frame.gray[y0:y1, x0:x1]
            dev = crop.astype(np.float32) - float(np.median(crop))
            strong = np.abs(dev) > 0.5 * max(float(np.abs(dev).max()), 1.0)
            first = 1 if float(dev[strong].sum()) > 0 else -1  # the polarity most strokes have
            # Tesseract reads best with letters ~28 px tall and its confidence swings with the exact
            # scale: further looks at 0.8x, in the other polarity and at 2x
            f = float(np.clip(28 / max(letter_h, 1), 0.25, 3.0))
            looks = ((first, f), (first, 0.8 * f), (-first, f), (first, 2 * f), (-first, 2 * f))
            plans.append((crop, (x0, y0), looks))
        found_stray = False
        for attempt in range(5):
            for crop, origin, looks in plans:
                if calls >= _MAX_OCR_CALLS or found_stray:
                    break
                sign, scale = looks[attempt]
                found = _ocr_words(crop, origin, sign, scale)
                calls += 1
                words += found
                found_stray = any(stray(w) for w in found)
    except Exception as exc:  # Tesseract missing
        return [
            result(
                cid,
                Verdict.NEEDS_REVIEW,
                "stray_text.unverified",
                f"{len(candidates)} text-like marks in the background at "
                f"{', '.join(fmt_box(b) for b in boxes[:3])} could not be read "
                f"(OCR unavailable: {type(exc).__name__}); check them by eye",
                box=boxes[0],
            )
        ]
    real = [w for w in words if stray(w)]
    if not real:
        return [
            result(
                cid,
                Verdict.PASSED,
                "stray_text.none",
                f"{len(candidates)} text-like marks in the background, none read as a word with confidence >= "
                f"{settings.stray_text_min_confidence:g}",
            )
        ]
    real.sort(key=lambda w: -w[1])
    shown = ", ".join(f"'{t}' ({c:.0f}%) at {fmt_box(b)}" for t, c, b in real[:5])
    x0 = min(b[0] for _, _, b in real)
    y0 = min(b[1] for _, _, b in real)
    x1 = max(b[2] for _, _, b in real)
    y1 = max(b[3] for _, _, b in real)
    return [
        result(
            cid,
            Verdict.NEEDS_REVIEW,
            "stray_text.found",
            f"text in the background that is not part of the design: {shown}; a watermark or generated "
            f"lettering must be removed (regenerate or retouch)",
            score=real[0][1],
            box=(x0, y0, x1, y1),
        )
    ]

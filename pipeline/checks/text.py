"""Rendered-text checks: WCAG contrast, fit, glyph coverage and the OCR round trip."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image

from pipeline.checks.copy import _shown
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.imaging.color import contrast_ratio, relative_luminance
from pipeline.model.brand import BrandGuide, hex_to_rgb
from pipeline.model.locales import LocaleInfo

if TYPE_CHECKING:  # pipeline.checks.ocr loads HarfBuzz and the text stack: imported when OCR runs
    from pipeline.checks.ocr import TextReader

# --- text contrast (WCAG 2.x) -------------------------------------------------------------------


def check_text_contrast(image: Image.Image, blocks: Iterable[Any], brand: BrandGuide) -> list[CheckResult]:
    """Contrast of each text block against the ring of background right around its glyphs.

    The 10th percentile of the ring's contrast is used, not the mean: text is unreadable where
    it is worst, and a bright highlight next to a dark one averages out.
    """
    arr = np.asarray(image.convert("RGB"))
    out = []
    kernel = np.ones((7, 7), np.uint8)
    for block in blocks:
        x0, y0, x1, y1 = block.box
        pad = 6
        bx0, by0 = max(x0 - pad, 0), max(y0 - pad, 0)
        bx1, by1 = min(x1 + pad, arr.shape[1]), min(y1 + pad, arr.shape[0])
        glyphs = block.glyph_mask[by0:by1, bx0:bx1].astype(np.uint8)
        if not glyphs.any():
            out.append(
                CheckResult(
                    f"text.contrast.{block.role}",
                    Verdict.BLOCKED,
                    "text.missing",
                    f"{block.role} text was not drawn",
                    box=block.box,
                )
            )
            continue
        ring = cv2.dilate(glyphs, kernel).astype(bool) & ~glyphs.astype(bool)
        ring_lum = relative_luminance(arr[by0:by1, bx0:bx1][ring])
        text_lum = relative_luminance(np.array(hex_to_rgb(block.color), dtype=np.uint8))
        ratio = float(np.percentile(contrast_ratio(text_lum, ring_lum), 10)) if ring_lum.size else 21.0
        need = brand.checks.min_contrast_large if block.large else brand.checks.min_contrast_normal
        kind = "large" if block.large else "normal"
        if ratio < need:
            out.append(
                CheckResult(
                    f"text.contrast.{block.role}",
                    Verdict.BLOCKED,
                    "contrast.too_low",
                    f"{block.role} contrast {ratio:.2f}:1 is below {need}:1 for {kind} text",
                    score=ratio,
                    box=block.box,
                )
            )
        else:
            out.append(
                CheckResult(
                    f"text.contrast.{block.role}",
                    Verdict.PASSED,
                    "contrast.ok",
                    f"{block.role} contrast {ratio:.2f}:1 (needs {need}:1)",
                    score=ratio,
                    box=block.box,
                )
            )
    return out


def check_layout(problems: Iterable[str]) -> list[CheckResult]:
    """Composition problems (copy that does not fit, blocks that had to be left out) block."""
    found = [CheckResult("layout.fit", Verdict.BLOCKED, "layout.copy_does_not_fit", p) for p in problems]
    return found or [CheckResult("layout.fit", Verdict.PASSED, "layout.ok", "all copy fits its boxes")]


# --- rendered text: glyph coverage and OCR round trip -------------------------------------------

NUMERIC_ROLES = ("price", "prior_price", "discount")


def check_glyph_coverage(blocks: Iterable[Any]) -> list[CheckResult]:
    """Every drawn character has a real glyph (HarfBuzz: glyph id 0 is .notdef, a box)."""
    from pipeline.checks.ocr import missing_glyphs

    out: list[CheckResult] = []
    checked = 0
    for block in blocks:
        fit = getattr(block, "fit", None)
        if fit is None:
            continue
        checked += 1
        missing = sorted({ch for line in fit.lines for ch in missing_glyphs(line, fit.stack)})
        if missing:
            shown = ", ".join(f"{c!r} U+{ord(c):04X}" for c in missing)
            out.append(
                CheckResult(
                    f"text.glyphs.{block.role}",
                    Verdict.BLOCKED,
                    "glyphs.notdef",
                    f"{block.role} renders {shown} as .notdef (a box) in {', '.join(fit.stack.names)}",
                    box=block.box,
                )
            )
    if not checked:
        return [not_applicable("text.glyphs", "glyphs.no_text", "no rendered text blocks to check")]
    if not out:
        out.append(CheckResult("text.glyphs", Verdict.PASSED, "glyphs.ok", "every character has a glyph"))
    return out


#: A hyphen at a line break, read back as "Wanderausrüs- tungs..." or "...rüs‐\ntungs...".
_BREAK_HYPHEN = re.compile(r"(?<=\w)[\u2010-]\s+(?=\w)")


def _closed_up(lines: tuple[str, ...], read: str) -> str:
    """The reading of a block the layout hyphenated, with its line-break hyphens closed up again, so
    it compares with the copy as written; a block drawn without breaks inside words is read as is."""
    if any(line.endswith(("\u2010", "-")) for line in lines[:-1]):
        return _BREAK_HYPHEN.sub("", read)
    return read


def check_text_ocr(blocks: Iterable[Any], locale: LocaleInfo, reader: TextReader | None = None) -> list[CheckResult]:
    """Read each drawn block back with Tesseract and compare it with the intended copy.

    Figures (price, prior price, discount) are read with a digit/currency whitelist and must match
    digit for digit, by value in whichever digit system they are drawn (`pipeline.checks.figures`);
    figures in digits no Tesseract model reads (Arabic-Indic) are not applicable, saying so. Other
    text must read back within the script's character error rate (`CER_THRESHOLDS`). A mismatch
    asks for review: OCR is evidence, not proof, so it never blocks on its own. For scripts
    Tesseract cannot read reliably (`NUMBERS_ONLY_SCRIPTS`: Arabic) the figures are verified the
    same way, but the full text is not applicable: a mismatch there would not tell a misrender
    from a misreading (its glyphs are still checked by `text.glyphs`). No Tesseract: one
    needs_review reason for the variant, not a crash. `reader` defaults to the process-wide cached
    reader; a run passes one with a persistent cache (``TextReader(cache=store.reading_cache())``)
    so that unchanged blocks are never read again.
    """
    from pipeline.checks.figures import figure_value, numeric_part, unreadable_figures
    from pipeline.checks.ocr import CER_THRESHOLDS, NUMBERS_ONLY_SCRIPTS, cer, default_reader

    reader = reader if reader is not None else default_reader()
    numbers_only = locale.script in NUMBERS_ONLY_SCRIPTS
    reason = reader.unavailable_reason(locale, numeric_only=numbers_only)
    if reason:
        return [
            CheckResult(
                "text.ocr", Verdict.NEEDS_REVIEW, "ocr.unavailable", f"rendered text not verified by OCR: {reason}"
            )
        ]
    limit = CER_THRESHOLDS.get(locale.script, 0.1)
    out: list[CheckResult] = []
    verified: list[str] = []  # roles that read back as intended
    unverifiable: list[str] = []  # roles whose full text OCR cannot verify in this script
    unread_figures: dict[str, list[str]] = {}  # why figures cannot be read (their digits) -> roles
    for block in blocks:
        fit = getattr(block, "fit", None)
        if fit is None:
            continue
        numeric = block.text if block.role in NUMERIC_ROLES else None
        if numeric is None and numbers_only:
            unverifiable.append(block.role)
            continue
        if numeric is not None and (why := unreadable_figures(fit.lines)):
            unread_figures.setdefault(why, []).append(block.role)
            continue
        # the whitelisted pass is the verdict for figures: their full-text reading is not needed
        reading = reader.read(fit, block.color, block.background, numeric=numeric, full_text=numeric is None)
        if reading.unavailable:
            out.append(
                CheckResult(
                    f"text.ocr.{block.role}",
                    Verdict.NEEDS_REVIEW,
                    "ocr.unavailable",
                    f"{block.role} not verified by OCR: {reading.unavailable}",
                    box=block.box,
                )
            )
        elif numeric is not None:
            # by value: digits of any system as 0-9, Arabic separators as Western ones, both sides
            if figure_value(numeric) == figure_value(reading.numeric or ""):
                verified.append(block.role)
            else:
                out.append(
                    CheckResult(
                        f"text.ocr.{block.role}",
                        Verdict.NEEDS_REVIEW,
                        "ocr.numbers_mismatch",
                        f"{block.role} '{_shown(block.text)}': digits and currency read back as "
                        f"'{numeric_part(reading.numeric or '')}', expected '{numeric_part(numeric)}'",
                        score=0.0,
                        box=block.box,
                    )
                )
        elif (rate := cer(block.text, _closed_up(fit.lines, reading.text))) > limit:
            out.append(
                CheckResult(
                    f"text.ocr.{block.role}",
                    Verdict.NEEDS_REVIEW,
                    "ocr.mismatch",
                    f"{block.role} reads back as '{_shown(reading.text)}' ({rate:.0%} character errors, "
                    f"limit {limit:.0%} for {locale.script})",
                    score=1 - rate,
                    box=block.box,
                )
            )
        else:
            verified.append(block.role)
    if verified and not out:
        out.append(
            CheckResult(
                "text.ocr",
                Verdict.PASSED,
                "ocr.ok",
                f"the figures ({', '.join(verified)}) read back digit for digit"
                if numbers_only
                else f"every text block reads back within the {locale.script} error limit ({limit:.0%})",
            )
        )
    # what OCR cannot verify, in one not-applicable result (every glyph is still checked by text.glyphs)
    reasons = [f"{', '.join(roles)}: {why}" for why, roles in unread_figures.items()]
    if unverifiable:
        reasons.insert(
            0,
            f"{', '.join(unverifiable)}: not verified by OCR, which misreads correct {locale.script} text too "
            f"often for a mismatch to mean a misrender",
        )
    if reasons:
        out.append(
            not_applicable(
                "text.ocr", "ocr.not_verifiable", "; ".join(reasons) + " (every glyph is still checked by text.glyphs)"
            )
        )
    elif not verified and not out:
        out.append(not_applicable("text.ocr", "ocr.no_text", "no rendered text blocks to read back"))
    return out

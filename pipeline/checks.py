"""Checks: each returns CheckResults with a verdict, a machine code and a plain-language reason.

A variant's verdict is the worst of its checks. Checks here must be able to fail: each one
compares the variant against data (product pixels, palette, thresholds, price history, the
claims library), not against itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Iterable

import cv2
import numpy as np
from PIL import Image

from pipeline.brand import BrandGuide, hex_to_rgb
from pipeline.catalog import CatalogItem, prior_price
from pipeline.color import contrast_ratio, relative_luminance
from pipeline.generate import Placement, product_pixels_unchanged
from pipeline.locales import LocaleInfo

__all__ = [
    "Verdict",
    "CheckResult",
    "worst",
    "check_product_pixels",
    "check_product_fidelity",
    "CheckReport",
    "build_report",
    "check_text_contrast",
    "check_layout",
    "check_copy",
    "check_price_reduction",
    "contrast_ratio",
    "check_glyph_coverage",
    "check_text_ocr",
]


class Verdict(str, Enum):
    PASSED = "passed"
    NEEDS_REVIEW = "needs_review"
    BLOCKED = "blocked"

    @property
    def rank(self) -> int:
        return {"passed": 0, "needs_review": 1, "blocked": 2}[self.value]


@dataclass(frozen=True)
class CheckResult:
    check: str  # check id, e.g. "product.pixels"
    verdict: Verdict
    code: str  # machine-readable reason, e.g. "contrast.too_low"
    message: str  # what a designer reads
    score: float | None = None
    box: tuple[int, int, int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        box = d.get("box")
        return cls(d["check"], Verdict(d["verdict"]), d["code"], d["message"], d.get("score"),
                   tuple(box) if box else None)  # type: ignore[arg-type]


def worst(results: Iterable[CheckResult]) -> Verdict:
    verdict = Verdict.PASSED
    for r in results:
        if r.verdict.rank > verdict.rank:
            verdict = r.verdict
    return verdict


@dataclass(frozen=True)
class CheckReport:
    """What a designer (and the DAM) gets per variant: the verdict, every result, and a brand score.

    The brand score is the share of applicable rules passed: results are grouped by the check
    they belong to (pipeline.check_registry), a rule passes when all its results pass, and rules
    the brand disabled are not applicable.
    """

    verdict: Verdict
    results: tuple[CheckResult, ...]
    disabled: tuple[str, ...] = ()

    @cached_property
    def rules(self) -> dict[str, Verdict]:
        from pipeline.check_registry import spec_for

        rules: dict[str, Verdict] = {}
        for r in self.results:
            spec = spec_for(r.check)
            key = spec.id if spec else r.check
            if key not in rules or r.verdict.rank > rules[key].rank:
                rules[key] = r.verdict
        return rules

    @property
    def brand_score(self) -> float:
        rules = self.rules
        return round(sum(v is Verdict.PASSED for v in rules.values()) / len(rules), 3) if rules else 1.0

    def to_dict(self) -> dict[str, Any]:
        from pipeline.check_registry import spec_for

        rules = self.rules
        by_category: dict[str, list[str]] = {}
        for rule in rules:
            spec = spec_for(rule)
            by_category.setdefault(spec.category if spec else "other", []).append(rule)
        return {
            "verdict": self.verdict.value,
            "brand_score": self.brand_score,
            "rules": {"applicable": len(rules), "passed": sum(v is Verdict.PASSED for v in rules.values()),
                      "failed": sorted(k for k, v in rules.items() if v is not Verdict.PASSED),
                      "disabled": list(self.disabled)},
            "categories": {c: {"applicable": len(ids), "passed": sum(rules[i] is Verdict.PASSED for i in ids)}
                           for c, ids in sorted(by_category.items())},
            "results": [r.to_dict() for r in self.results],
        }


def build_report(results: Iterable[CheckResult], disabled: Iterable[str] = ()) -> CheckReport:
    results = tuple(results)
    return CheckReport(worst(results), results, tuple(disabled))


# --- product fidelity ---------------------------------------------------------------------------


def check_product_pixels(image: Image.Image, layer: Image.Image, placement: Placement) -> CheckResult:
    """Every opaque product pixel in the banner equals the placed product layer, byte for byte."""
    total, differing = product_pixels_unchanged(image, layer, placement)
    if total == 0:
        return CheckResult("product.pixels", Verdict.BLOCKED, "product.empty", "no opaque product pixels to verify", box=placement.box)
    if differing:
        return CheckResult(
            "product.pixels", Verdict.BLOCKED, "product.altered",
            f"{differing} of {total} product pixels were changed (text, logo or scene drawn over the product)",
            score=1 - differing / total, box=placement.box,
        )
    return CheckResult("product.pixels", Verdict.PASSED, "product.intact", f"all {total} product pixels intact", score=1.0)


def check_product_fidelity(layer: Image.Image, cutout: Image.Image, *, min_ssim: float, max_delta_e: float) -> CheckResult:
    """The placed (resized) product still looks like the source packshot: same aspect, colours
    and structure. The layer is compared with an independent area-average resize of the cut-out,
    at most 256 px on its long side (a sanity check of the resampling, not of single pixels:
    product.pixels does that)."""
    from skimage.color import deltaE_ciede2000, rgb2lab
    from skimage.metrics import structural_similarity

    cid = "product.fidelity"
    src_aspect, got_aspect = cutout.width / cutout.height, layer.width / layer.height
    # rounding to whole pixels moves the aspect by at most one pixel's worth
    if abs(src_aspect - got_aspect) > src_aspect * (1 / min(layer.size) + 1 / min(cutout.size)) + 1e-9:
        return CheckResult(cid, Verdict.BLOCKED, "product.distorted",
                           f"product aspect changed from {src_aspect:.3f} to {got_aspect:.3f} (stretched or squashed)")
    factor = min(1.0, 256 / max(layer.size))
    size = (max(8, round(layer.width * factor)), max(8, round(layer.height * factor)))
    got = np.asarray(layer.convert("RGBA").resize(size, Image.Resampling.BOX), dtype=np.float32) / 255
    want = cv2.resize(np.asarray(cutout.convert("RGBA"), dtype=np.float32) / 255, size, interpolation=cv2.INTER_AREA)
    solid = (got[..., 3] > 0.99) & (want[..., 3] > 0.99)
    if solid.sum() < 16:
        return CheckResult(cid, Verdict.BLOCKED, "product.empty", "no opaque product pixels to compare with the packshot")
    delta = float(deltaE_ciede2000(rgb2lab(got[..., :3][solid]), rgb2lab(want[..., :3][solid])).mean())
    gray = lambda a: (a[..., :3] @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)) * a[..., 3]  # noqa: E731
    ssim = float(structural_similarity(gray(got), gray(want), data_range=1.0, win_size=7))
    if delta > max_delta_e or ssim < min_ssim:
        return CheckResult(cid, Verdict.BLOCKED, "product.colour_or_structure_changed",
                           f"placed product differs from the packshot: mean colour difference ΔE2000 {delta:.2f} "
                           f"(allowed {max_delta_e}), structural similarity {ssim:.3f} (needs {min_ssim})",
                           score=ssim)
    return CheckResult(cid, Verdict.PASSED, "product.faithful",
                       f"placed product matches the packshot: ΔE2000 {delta:.2f}, SSIM {ssim:.3f}", score=ssim)


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
            out.append(CheckResult(f"text.contrast.{block.role}", Verdict.BLOCKED, "text.missing",
                                   f"{block.role} text was not drawn", box=block.box))
            continue
        ring = cv2.dilate(glyphs, kernel).astype(bool) & ~glyphs.astype(bool)
        ring_lum = relative_luminance(arr[by0:by1, bx0:bx1][ring])
        text_lum = relative_luminance(np.array(hex_to_rgb(block.color), dtype=np.uint8))
        ratio = float(np.percentile(contrast_ratio(text_lum, ring_lum), 10)) if ring_lum.size else 21.0
        need = brand.checks.min_contrast_large if block.large else brand.checks.min_contrast_normal
        kind = "large" if block.large else "normal"
        if ratio < need:
            out.append(CheckResult(
                f"text.contrast.{block.role}", Verdict.BLOCKED, "contrast.too_low",
                f"{block.role} contrast {ratio:.2f}:1 is below {need}:1 for {kind} text", score=ratio, box=block.box,
            ))
        else:
            out.append(CheckResult(f"text.contrast.{block.role}", Verdict.PASSED, "contrast.ok",
                                   f"{block.role} contrast {ratio:.2f}:1 (needs {need}:1)", score=ratio, box=block.box))
    return out


def check_layout(problems: Iterable[str]) -> list[CheckResult]:
    """Composition problems (copy that does not fit, blocks that had to be left out) block."""
    found = [CheckResult("layout.fit", Verdict.BLOCKED, "layout.copy_does_not_fit", p) for p in problems]
    return found or [CheckResult("layout.fit", Verdict.PASSED, "layout.ok", "all copy fits its boxes")]


# --- copy: tone of voice and claims -------------------------------------------------------------

# Zero-width and bidi control marks: invisible to a reader, so left out of the messages they read.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None
)

COPY_FIELDS = ("headline", "subline", "cta", "legal")


def check_copy(texts: dict[str, str], locale: LocaleInfo, brand: BrandGuide, *, sku: str | None, on: date,
               item: CatalogItem | None = None, campaign_ends: date | None = None) -> list[CheckResult]:
    """The banner's copy against the brand's tone, the market's disclaimer and the claims engine
    (pipeline.claims: prices stated in the text, urgency, stock, free offers, green, health,
    superlative and origin claims against the claims library and the catalog).

    The fields are checked as one text, as a reader sees the banner: a "free" offer's conditions
    may sit in the legal line. The brief's own announced reduction is `price.reduction`'s job.
    """
    from pipeline.claims import CopyContext, find_claims, normalise

    out: list[CheckResult] = []
    disclaimer = brand.tone.disclaimers.get(locale.code)
    if disclaimer and normalise(disclaimer)[0] not in normalise(texts.get("legal", ""))[0]:
        out.append(CheckResult("copy.disclaimer", Verdict.BLOCKED, "disclaimer.missing",
                               f"required {locale.code} disclaimer is missing: {disclaimer!r}"))
    parts: list[tuple[str, int, int]] = []  # field, start, end in the joined text
    joined = ""
    for name in COPY_FIELDS:
        value = texts.get(name) or ""
        if value:
            if joined:
                joined += "\n"
            parts.append((name, len(joined), len(joined) + len(value)))
            joined += value
    banned = tuple(brand.tone.banned_words) + tuple(brand.tone.banned_words_by_locale.get(locale.code, []))
    ctx = CopyContext(locale=locale, on=on, claims=tuple(brand.claims), banned_words=banned, sku=sku, item=item,
                      campaign_ends=campaign_ends)
    for f in find_claims(joined, ctx):
        field = next((n for n, a, b in parts if a <= f.span[0] < b), "copy")
        check_id = "copy.tone" if f.category == "tone" else f"copy.claims.{f.category}"
        out.append(CheckResult(check_id, f.severity, f.rule, f"{field} {_shown(f.matched)!r}: {f.message}"))
    if not out:
        out.append(CheckResult("copy.claims", Verdict.PASSED, "copy.ok",
                               "copy passes tone, disclaimer and claim rules"))
    return out


def check_price_reduction(item: CatalogItem, announced_percent: int | None, starts: date) -> tuple[CheckResult, Decimal | None]:
    """An announced reduction needs a prior price (lowest of the 30 days before) that supports it.

    Returns the result and the prior price to show on the banner (None when none may be shown).
    """
    if announced_percent is None:
        return CheckResult("price.reduction", Verdict.PASSED, "price.no_reduction", "no reduction announced"), None
    prior = prior_price(item, starts)
    if prior is None:
        return CheckResult(
            "price.reduction", Verdict.BLOCKED, "price.no_history",
            f"-{announced_percent}% announced but {item.sku}/{item.market} has no price history covering "
            f"the 30 days before {starts.isoformat()}",
        ), None
    if prior <= 0:
        return CheckResult("price.reduction", Verdict.BLOCKED, "price.bad_history", f"prior price {prior} is not positive"), None
    real = (prior - item.price) / prior * 100
    if real + Decimal("1e-9") < announced_percent:
        return CheckResult(
            "price.reduction", Verdict.BLOCKED, "price.reduction_overstated",
            f"-{announced_percent}% announced but the price {item.price} {item.currency} is only "
            f"{real.quantize(Decimal('0.1'))}% below the lowest price of the previous 30 days "
            f"({prior} {item.currency})",
            score=float(real),
        ), prior
    return CheckResult(
        "price.reduction", Verdict.PASSED, "price.reduction_ok",
        f"-{announced_percent}% holds: {item.price} vs lowest 30-day price {prior} {item.currency} "
        f"({real.quantize(Decimal('0.1'))}% off)", score=float(real),
    ), prior


# --- rendered text: glyph coverage and OCR round trip -------------------------------------------

NUMERIC_ROLES = ("price", "prior_price", "discount")


def check_glyph_coverage(blocks: Iterable[Any]) -> list[CheckResult]:
    """Every drawn character has a real glyph (HarfBuzz: glyph id 0 is .notdef, a box)."""
    from pipeline.ocr import missing_glyphs

    out: list[CheckResult] = []
    for block in blocks:
        fit = getattr(block, "fit", None)
        if fit is None:
            continue
        missing = sorted({ch for line in fit.lines for ch in missing_glyphs(line, fit.stack)})
        if missing:
            shown = ", ".join(f"{c!r} U+{ord(c):04X}" for c in missing)
            out.append(CheckResult(f"text.glyphs.{block.role}", Verdict.BLOCKED, "glyphs.notdef",
                                   f"{block.role} renders {shown} as .notdef (a box) in {', '.join(fit.stack.names)}",
                                   box=block.box))
    if not out:
        out.append(CheckResult("text.glyphs", Verdict.PASSED, "glyphs.ok", "every character has a glyph"))
    return out


def _shown(text: str) -> str:
    """Text as a designer should read it in a message: no bidi marks, plain spaces."""
    return " ".join(text.translate(_INVISIBLE).split())


def check_text_ocr(blocks: Iterable[Any], locale: LocaleInfo, reader: Any = None) -> list[CheckResult]:
    """Read each drawn block back with Tesseract and compare it with the intended copy.

    A character error rate above the script's threshold, or a price whose digits and currency
    read back differently (whitelisted pass), asks for review: OCR is evidence, not proof, so it
    never blocks on its own. Arabic readings are advisory. No Tesseract: one needs_review
    reason for the variant, not a crash. `reader` defaults to the process-wide cached reader.
    """
    from pipeline.ocr import ADVISORY_SCRIPTS, CER_THRESHOLDS, cer, default_reader, numeric_part

    reader = reader or default_reader()
    reason = reader.unavailable_reason(locale)
    if reason:
        return [CheckResult("text.ocr", Verdict.NEEDS_REVIEW, "ocr.unavailable",
                            f"rendered text not verified by OCR: {reason}")]
    limit = CER_THRESHOLDS.get(locale.script, 0.1)
    advisory = locale.script in ADVISORY_SCRIPTS
    out: list[CheckResult] = []
    for block in blocks:
        fit = getattr(block, "fit", None)
        if fit is None:
            continue
        numeric = block.text if block.role in NUMERIC_ROLES else None
        reading = reader.read(fit, block.color, block.background, numeric=numeric)
        if reading.unavailable:
            out.append(CheckResult(f"text.ocr.{block.role}", Verdict.NEEDS_REVIEW, "ocr.unavailable",
                                   f"{block.role} not verified by OCR: {reading.unavailable}", box=block.box))
            continue
        if numeric is not None:
            want, got = numeric_part(numeric), numeric_part(reading.numeric or "")
            if want != got:
                # Advisory scripts (Arabic) report what OCR saw without holding the variant back.
                out.append(CheckResult(
                    f"text.ocr.{block.role}", Verdict.PASSED if advisory else Verdict.NEEDS_REVIEW,
                    "ocr.advisory" if advisory else "ocr.numbers_mismatch",
                    f"{'advisory: ' if advisory else ''}{block.role} '{_shown(block.text)}': digits and currency "
                    f"read back as '{got}', expected '{want}'",
                    score=0.0, box=block.box))
            continue  # the whitelisted pass is the verdict for figures
        rate = cer(block.text, reading.text)
        if rate > limit:
            out.append(CheckResult(
                f"text.ocr.{block.role}", Verdict.PASSED if advisory else Verdict.NEEDS_REVIEW,
                "ocr.advisory" if advisory else "ocr.mismatch",
                f"{'advisory: ' if advisory else ''}{block.role} reads back as '{_shown(reading.text)}' "
                f"({rate:.0%} character errors, limit {limit:.0%} for {locale.script})", score=1 - rate, box=block.box))
    if not out:
        out.append(CheckResult("text.ocr", Verdict.PASSED, "ocr.ok",
                               f"every text block reads back within the {locale.script} error limit ({limit:.0%})"))
    return out

"""The checks Vitrina knows: id, category, what each needs, and whether a brand may turn it off.

This is data, kept free of heavy imports so the brand guide can validate `checks.disabled`
against it. A check's results carry ids that start with its spec id ("text.contrast.headline"
belongs to "text.contrast"), which is how results are grouped for the brand score.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckSpec", "CHECKS", "spec_for", "CATEGORIES", "NEVER_WAIVED", "can_be_waived"]

CATEGORIES = ("fidelity", "layout", "text", "brand", "claims", "safety", "quality")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    category: str
    needs: tuple[str, ...]  # what the check reads: banner, scene, product, layout, copy, catalog, logo, ocr
    description: str
    mandatory: bool = False  # a brand guide cannot disable it


_SPECS = (
    CheckSpec(
        "product.pixels",
        "fidelity",
        ("banner", "product"),
        "every opaque product pixel in the banner equals the placed cut-out, byte for byte",
        mandatory=True,
    ),
    CheckSpec(
        "product.fidelity",
        "fidelity",
        ("product",),
        "the placed (resized) product keeps the source packshot's colour and structure (CIEDE2000, SSIM)",
    ),
    CheckSpec(
        "product.mask",
        "fidelity",
        ("product",),
        "the cut-out is confident; an uncertain mask goes to review instead of guessing",
    ),
    CheckSpec(
        "layout.fit",
        "layout",
        ("layout",),
        "all copy fits its boxes at or above the format's minimum size",
        mandatory=True,
    ),
    CheckSpec(
        "text.contrast",
        "text",
        ("banner", "layout"),
        "WCAG 2.x contrast of each text block against the ring of background around its glyphs",
    ),
    CheckSpec(
        "text.glyphs", "text", ("layout",), "every drawn character has a glyph (no .notdef boxes)", mandatory=True
    ),
    CheckSpec(
        "text.digits",
        "text",
        ("layout",),
        "every digit on the banner is in one numbering system: the brand's `numbering` for the locale, else "
        "the locale's CLDR default",
    ),
    CheckSpec(
        "text.ocr",
        "text",
        ("banner", "ocr"),
        "each text block reads back by OCR within the script's error limit; prices digit for digit "
        "(Arabic: prices only, its full text is not verifiable by OCR)",
    ),
    CheckSpec(
        "image.text.contrast",
        "text",
        ("banner", "layout"),
        "WCAG contrast of each text block estimated from pixels inside its box (`vitrina check image`; "
        "banners Vitrina composes use text.contrast on the exact glyphs)",
    ),
    CheckSpec(
        "image.palette.overlay", "brand", ("layout",), "text and button colours come exactly from the brand palette"
    ),
    CheckSpec(
        "image.palette.background",
        "brand",
        ("scene",),
        "the scene's dominant colours are near the brand palette and away from forbidden colours (CIEDE2000)",
    ),
    CheckSpec(
        "image.logo",
        "brand",
        ("banner", "logo"),
        "the logo is present, unaltered, at least its minimum width, with its clear space free",
    ),
    CheckSpec("image.safe_zone", "layout", ("layout", "format"), "text and logo stay inside the format's safe zone"),
    CheckSpec("copy.tone", "claims", ("copy",), "no banned words (case, Unicode, light obfuscation and inflection)"),
    CheckSpec("copy.disclaimer", "claims", ("copy",), "the market's required disclaimer is on the banner"),
    CheckSpec(
        "copy.claims",
        "claims",
        ("copy", "catalog"),
        "price, reference price, urgency, scarcity, free, green, health, superlative, origin and guarantee claims "
        "hold against the claims library, price history, stock and campaign dates",
    ),
    CheckSpec(
        "price.reduction",
        "claims",
        ("catalog",),
        "an announced reduction is computed from the lowest price of the 30 days before it",
        mandatory=True,
    ),
    CheckSpec("image.nudity", "safety", ("banner",), "no nudity (NudeNet, thresholds per class)"),
    CheckSpec(
        "image.people", "safety", ("scene",), "people or faces in a generated background follow the brand policy"
    ),
    CheckSpec(
        "image.stray_text",
        "safety",
        ("scene", "ocr"),
        "no stray text, fake logos or watermarks in the background (OCR outside the designed text)",
    ),
    CheckSpec("image.quality.sharpness", "quality", ("banner", "product"), "the product is not blurred"),
    CheckSpec("image.quality.resolution", "quality", ("banner", "format"), "the image is at least the format's size"),
    CheckSpec("image.quality.jpeg", "quality", ("banner",), "JPEG files are not over-compressed"),
)

CHECKS: dict[str, CheckSpec] = {s.id: s for s in _SPECS}


def spec_for(check_id: str) -> CheckSpec | None:
    """The spec a result id belongs to: the longest spec id that is the id or a dotted prefix of it."""
    best: CheckSpec | None = None
    for spec in _SPECS:
        if (check_id == spec.id or check_id.startswith(spec.id + ".")) and (
            best is None or len(spec.id) > len(best.id)
        ):
            best = spec
    return best


#: Results no reviewer may waive, whatever the brand guide says: the product's own pixels and its
#: fidelity to the packshot, the legal price rules (a reduction measured against the 30-day low,
#: price claims), copy that does not fit or has no glyphs.
NEVER_WAIVED = ("product", "price", "copy.claims.price", "layout.fit", "text.glyphs")


def can_be_waived(check_id: str) -> bool:
    """Whether a brand guide may let reviewers waive results with this id (`NEVER_WAIVED`)."""
    return not any(check_id == p or check_id.startswith(p + ".") for p in NEVER_WAIVED)

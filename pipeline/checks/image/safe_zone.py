"""Safe zones, `image.safe_zone`: every text block and the logo inside the format's safe area
(the canvas minus the insets platform chrome covers: a story's top bar, a feed's buttons).
"""

from __future__ import annotations

from PIL import Image

from pipeline.checks.image.context import ImageCheckSettings, ImageContext
from pipeline.checks.image.frame import box_area, expand, fmt_box, intersection, result
from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.imaging.geometry import Box
from pipeline.model.brand import BrandGuide

__all__ = ["check_safe_zones"]


def check_safe_zones(
    image: Image.Image | None,
    brand: BrandGuide,
    ctx: ImageContext,
    settings: ImageCheckSettings | None = None,
    *,
    logo_box: Box | None = None,
) -> list[CheckResult]:
    """Every text block and the logo inside the format's safe area (canvas minus safe-zone insets).

    Without a known format, the brand format of exactly the image's size is used. Boxes are in
    the designed canvas; `logo_box` (where the logo check found the logo) overrides ctx.logo_box
    and, being measured, is given 2 px of tolerance (template matching is exact to about 1 px).
    """
    cid = "image.safe_zone"
    fmt = ctx.format
    if fmt is None and image is not None:
        fmt = next((f for f in brand.formats if f.size == image.size), None)
    if fmt is None:
        return [
            not_applicable(
                cid,
                "safe_zone.unknown_format",
                "the channel format is unknown (no sidecar, no brand format of this size), so there "
                "is no safe zone to check",
            )
        ]
    sz = fmt.safe_zone
    safe = (sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom)
    items: list[tuple[str, Box, int]] = [(f"{b.role} text", b.box, 0) for b in ctx.text_blocks]
    if logo_box is not None:
        items.append(("logo", logo_box, 2))
    elif ctx.logo_box is not None:
        items.append(("logo", ctx.logo_box, 0))
    out = []
    for what, box, tolerance in items:
        outside = box_area(box) - box_area(intersection(box, expand(safe, tolerance)))
        if outside > 0:
            sides = [
                name
                for name, cond in (
                    ("top", box[1] < safe[1]),
                    ("bottom", box[3] > safe[3]),
                    ("left", box[0] < safe[0]),
                    ("right", box[2] > safe[2]),
                )
                if cond
            ]
            depth = max(safe[1] - box[1], box[3] - safe[3], safe[0] - box[0], box[2] - safe[2])
            out.append(
                result(
                    cid,
                    Verdict.BLOCKED,
                    "safe_zone.outside",
                    f"{what} at {fmt_box(box)} reaches {depth} px into the {'/'.join(sides)} margin of the {fmt.name} "
                    f"safe zone ({outside} px² outside {fmt_box(safe)}, where platform chrome covers it); move it "
                    f"inside",
                    score=float(outside),
                    box=box,
                )
            )
    if not out:
        out.append(
            result(
                cid,
                Verdict.PASSED,
                "safe_zone.ok",
                f"{len(items)} text and logo boxes lie inside the {fmt.name} safe area {fmt_box(safe)}",
            )
        )
    return out

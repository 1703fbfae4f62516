"""How one banner was made, as `pipeline.render.render_variant` records it: the typed lineage.

The lineage travels in every sidecar (`pipeline.storage.sidecar`) and in the catalog database, and
it is what `vitrina verify` rebuilds the product layer from. Typing it here means the one writer
and its readers (verification, publication, review, the image checks) agree on every key, and a
sidecar edited by hand or written by another tool fails on load, naming the field, instead of
deep inside a check.

Models are frozen (a lineage is a record, not a work area) and refuse unknown keys, except
`GenerationLineage`: each scene backend records its own settings (model, scheduler, LoRA, ...)
next to the keys every backend shares.

The JSON is the one `render_variant` wrote before the lineage was typed: same keys, boxes and
sizes as ``[x0, y0, x1, y1]`` / ``[w, h]`` lists, prices as decimal strings.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from pipeline.imaging.geometry import Box

__all__ = [
    "Sha256",
    "PlacementBox",
    "FormatLineage",
    "ProductLineage",
    "GenerationLineage",
    "LayoutLineage",
    "CopyLineage",
    "PriceLineage",
    "TextBlockLineage",
    "Lineage",
    "RESAMPLE",
]

#: The only resampling the pipeline uses to place a product (`pipeline.imaging.placement.place_product`).
RESAMPLE: Literal["lanczos"] = "lanczos"

#: Lower-case hex SHA-256, as `hashlib` and `pipeline.imaging.imageio.image_sha256` write it.
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _non_empty(box: Box) -> Box:
    """A placement box with no area cannot hold a product: say so at load, not at verification."""
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"{list(box)} is not a box [x0, y0, x1, y1] with x1 > x0 and y1 > y0")
    return box


PlacementBox = Annotated[Box, AfterValidator(_non_empty)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FormatLineage(_Record):
    """The channel format the banner was made for (`ChannelFormat.id` and its pixel size)."""

    id: str
    size: tuple[int, int]


class ProductLineage(_Record):
    """The product's way from catalog photo to banner pixels: what `vitrina verify` checks.

    ``cutout_sha256`` names the cut-out (pixels hashed with `image_sha256`); the cut-out resampled
    once with ``resample`` to the ``placement_box`` size hashes to ``layer_sha256``.
    """

    source: str  # the catalog photo's path
    source_sha256: Sha256  # of the photo file's bytes
    cutout_sha256: Sha256
    mask_sha256: Sha256
    mask_method: str
    mask_confidence: float = Field(ge=0, le=1)
    layer_sha256: Sha256
    placement_box: PlacementBox
    scale: float = Field(gt=0)
    resample: Literal["lanczos"] = RESAMPLE


class GenerationLineage(BaseModel):
    """How the scene was made: the backend's own record plus the prompt and seed it was given.

    Extra keys are allowed (and kept): each backend records its own settings (the diffusion
    backend: model, scheduler, steps, LoRA, bucket, ...); the keys below are common to all.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    backend: str
    prompt: str
    negative_prompt: str
    seed: int


class LayoutLineage(_Record):
    """`pipeline.banner.layout.Layout`, field for field: the boxes text and logo were drawn into."""

    canvas: tuple[int, int]
    product: Box
    headline: Box
    subline: Box | None
    price: Box
    cta: Box
    logo: Box
    legal: Box | None
    rtl: bool
    family: str
    omits: tuple[str, ...] = ()


class CopyLineage(_Record):
    """The localized text as drawn (messages filled in, prices formatted for the locale)."""

    headline: str
    subline: str
    cta: str
    price: str
    prior_price: str | None
    discount: str | None
    legal: str


class PriceLineage(_Record):
    """The catalog price behind the copy, as decimal strings (never floats)."""

    amount: str
    currency: str
    market: str
    prior_price: str | None


class TextBlockLineage(_Record):
    """One drawn text block (`pipeline.banner.compose.TextBlock` without its pixels)."""

    role: str
    text: str
    box: Box
    size_px: int
    color: str
    background: str | None
    large: bool


class Lineage(_Record):
    """Everything needed to say how a banner was made and to verify its product pixels."""

    vitrina_version: str
    campaign_id: str
    sku: str
    scene: str
    format: FormatLineage
    locale: str
    product: ProductLineage
    generation: GenerationLineage
    layout: LayoutLineage
    copy_: CopyLineage = Field(alias="copy")
    price: PriceLineage
    text_blocks: tuple[TextBlockLineage, ...]
    image_sha256: Sha256  # of the whole banner's pixels

    # "copy" would shadow `BaseModel.copy`: the attribute is `copy_`, the JSON key stays "copy".
    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

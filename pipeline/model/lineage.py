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

Since sidecar schema 2 a lineage is *auditor-complete* (`Lineage.missing_for_audit` is empty):
the packshot's path relative to the catalog, where the cut-out was cropped from the normalised
photo, the exact resampler (`ResamplerLineage`), the inputs a re-render needs (`InputsLineage`:
brand folder and its content hash) and the library versions that made the pixels
(`EnvironmentLineage`). Those sections are optional in the model only so that catalog rows of an
older Vitrina still load; the sidecar (`pipeline.storage.sidecar`) requires them.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from pipeline.imaging.geometry import Box

__all__ = [
    "Sha256",
    "PlacementBox",
    "FormatLineage",
    "ProductLineage",
    "GenerationLineage",
    "ModelProvenance",
    "LayoutLineage",
    "CopyLineage",
    "PriceLineage",
    "TextBlockLineage",
    "Lineage",
    "ResamplerLineage",
    "InputsLineage",
    "EnvironmentLineage",
    "RESAMPLE",
    "NORMALISATION",
    "COMPOSITE",
]

#: The only resampling the pipeline uses to place a product (`pipeline.imaging.placement.place_product`).
RESAMPLE: Literal["lanczos"] = "lanczos"

#: How a catalog photo becomes the image the cut-out is cropped from
#: (`pipeline.imaging.imageio.load_product_image`).
NORMALISATION = (
    "EXIF orientation applied (PIL.ImageOps.exif_transpose); an embedded ICC profile converted to sRGB "
    "(PIL.ImageCms, the profile's default rendering intent); 16-bit grey scaled by 1/257; converted to RGBA"
)

#: How the product layer is put on the scene (`pipeline.imaging.placement.composite_product`).
COMPOSITE = (
    "layer pasted at the placement box's top-left with its own alpha (PIL Image.paste), then every "
    "layer pixel with alpha 255 copied exactly (RGB)"
)

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


class ResamplerLineage(_Record):
    """Exactly how the cut-out was resized to the placement box (`place_product`): enough to do it
    again with Pillow alone. Pillow resizes an RGBA image premultiplied (as ``RGBa``) and converts
    back, so ``cutout.resize(size, Image.Resampling.LANCZOS)`` is the whole recipe. A cut-out
    already of the box's size is used as it is (no resampling)."""

    library: Literal["Pillow"] = "Pillow"
    version: str
    filter: Literal["LANCZOS"] = "LANCZOS"
    premultiplied_alpha: bool = True
    composite: str = COMPOSITE


class ProductLineage(_Record):
    """The product's way from catalog photo to banner pixels: what `vitrina verify` checks.

    ``cutout_sha256`` names the cut-out (pixels hashed with `image_sha256`); the cut-out resampled
    once with ``resample`` to the ``placement_box`` size hashes to ``layer_sha256``.

    ``source`` is the photo's path relative to the catalog CSV's folder (POSIX separators); an
    older Vitrina wrote the producing machine's absolute path. ``crop_box`` is where the cut-out
    was cut from the photo after ``normalisation`` (a ``source_size`` image).
    """

    source: str  # the catalog photo's path, relative to the catalog CSV's folder
    source_sha256: Sha256  # of the photo file's bytes
    cutout_sha256: Sha256
    mask_sha256: Sha256
    mask_method: str
    mask_confidence: float = Field(ge=0, le=1)
    layer_sha256: Sha256
    placement_box: PlacementBox
    scale: float = Field(gt=0)
    resample: Literal["lanczos"] = RESAMPLE
    source_size: tuple[int, int] | None = None  # the normalised photo's size
    crop_box: Box | None = None  # the cut-out's box in the normalised photo
    normalisation: str | None = None
    resampler: ResamplerLineage | None = None


class InputsLineage(_Record):
    """The input files a re-render needs besides the stored cut-out, as the brief names them.

    ``brand`` and ``catalog`` are relative to the brief's folder (as written in the brief);
    ``brand_sha256`` is `pipeline.digests.folder_digest` of the brand folder (every file's bytes:
    brand.yaml, fonts, logo), so `vitrina regenerate` can tell a changed brand guide from a
    changed library."""

    brand: str
    brand_sha256: Sha256
    catalog: str


class EnvironmentLineage(_Record):
    """The library versions that made the pixels (None: not installed). Studio scenes depend on
    Pillow, numpy and OpenCV; text on FreeType and raqm; the PNG bytes on zlib; diffusion scenes
    on torch and diffusers too, and on the hardware (``machine``; the GPU is in the generation)."""

    python: str
    pillow: str
    numpy: str
    opencv: str | None
    freetype: str | None
    raqm: str | None
    zlib: str | None
    torch: str | None
    diffusers: str | None
    transformers: str | None
    machine: str


class ModelProvenance(_Record):
    """The diffusion model a scene was painted with (``generation.model``), as
    `pipeline.scene.diffusion_models.resolve_model` identified it: the SHA-256 of the bytes of every
    file loading read (``weights_sha256``) and of each weight file (``weights``), the family whose
    generation profile applied and the weight variant loaded. Checked when a sidecar is read, so a
    hand-edited hash fails on load."""

    id: str
    revision: str | None = None  # hub snapshot commit, for a hub id
    weights_sha256: Sha256
    weights: dict[str, Sha256] = Field(default_factory=dict)
    family: str | None = None  # None: written before generation profiles
    pipeline_class: str | None = None
    variant: str | None = None


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

    @model_validator(mode="after")
    def _diffusion_model_is_provenance(self) -> Self:
        """A diffusion scene's ``model`` record must be a `ModelProvenance` (kept as written)."""
        extra = self.model_extra or {}
        if self.backend == "diffusion" and "model" in extra:
            try:
                ModelProvenance.model_validate(extra["model"])
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in ("model", *err["loc"]))
                raise ValueError(f"{where}: {err['msg']}") from None
        return self


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
    inputs: InputsLineage | None = None  # required in sidecars of schema 2
    environment: EnvironmentLineage | None = None  # required in sidecars of schema 2

    # "copy" would shadow `BaseModel.copy`: the attribute is `copy_`, the JSON key stays "copy".
    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    def missing_for_audit(self) -> list[str]:
        """The fields an auditor or `vitrina regenerate` needs that this lineage lacks (a lineage
        written by a Vitrina older than sidecar schema 2); empty when it is complete."""
        product = self.product
        wanted = {
            "product.source_size": product.source_size,
            "product.crop_box": product.crop_box,
            "product.normalisation": product.normalisation,
            "product.resampler": product.resampler,
            "inputs": self.inputs,
            "environment": self.environment,
        }
        missing = [name for name, value in wanted.items() if value is None]
        if product.source.startswith("/") or ":\\" in product.source:
            missing.append("product.source (an absolute path, not relative to the catalog)")
        return missing

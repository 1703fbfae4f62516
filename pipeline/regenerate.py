"""Rebuild a stored variant from its lineage and say whether the result is byte-identical.

What a rebuild uses: the variant's lineage (layout boxes, drawn copy, scene settings, seed,
prompts), the product cut-out the store keeps (``cutouts/sha256/ab/<sha>.png``) and the brand guide
folder the lineage names (``inputs.brand``, relative to the brief; its content hash is
``inputs.brand_sha256``). The brief and the catalog are not read again: everything the banner took
from them is in the lineage.

The rebuild runs the same steps as `pipeline.render.render_variant`: the scene backend renders the
recorded request (studio: drawn from the palette; diffusion: the recorded model and its weight
variant, steps, guidance, LoRA, device and dtype), `compose_banner` draws the recorded copy into
the recorded layout, and the PNG is encoded as a run encodes it. The report names the first
difference in this order: a lineage field the rebuild did not reproduce (``inputs.brand_sha256``,
``generation.model``, ...), then the first differing pixel and the box around all of them, then the
PNG bytes (same pixels, different encoder). Library versions that differ from the recorded ones are
always listed: studio scenes are identical whenever they match; diffusion scenes also need the same
hardware, and a scene made in a batch of several may differ by float rounding when made again
alone.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pipeline.banner.compose import BannerCopy, compose_banner
from pipeline.banner.layout import Layout
from pipeline.digests import folder_digest
from pipeline.errors import InputError, shown
from pipeline.imaging.geometry import Box
from pipeline.imaging.imageio import decode_image, image_sha256, open_image
from pipeline.model.brand import BrandGuide, load_brand
from pipeline.model.lineage import Lineage, TextBlockLineage
from pipeline.model.locales import locale_info
from pipeline.render import current_environment, encode_banner_png
from pipeline.scene.base import Backend, SceneRequest
from pipeline.storage.store import Store

__all__ = ["RegenerateReport", "backend_for", "regenerate_variant", "regenerate_stored", "brand_folder"]

#: Generation keys that are inputs (compared through the pixels) or bookkeeping, not settings.
_NOT_SETTINGS = frozenset({"prompt", "negative_prompt", "seed", "batch_size"})
#: Environment fields a studio banner does not depend on.
_DIFFUSION_ONLY = frozenset({"torch", "diffusers", "transformers"})


@dataclass(frozen=True)
class RegenerateReport:
    """What `regenerate_variant` found. ``identical``: the rebuilt PNG's bytes are the stored ones."""

    variant_id: str
    backend: str
    identical: bool
    first_difference: str | None
    field_differences: list[str]
    differing_pixels: int
    first_pixel: tuple[int, int] | None
    differing_box: Box | None
    versions_differ: dict[str, tuple[str | None, str | None]]  # name -> (recorded, here)
    notes: list[str] = field(default_factory=list)
    png: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("png")
        out["versions_differ"] = {k: {"recorded": a, "here": b} for k, (a, b) in self.versions_differ.items()}
        for key in ("first_pixel", "differing_box"):
            if out[key] is not None:
                out[key] = list(out[key])
        return out

    def summary(self) -> str:
        """One line a person can read."""
        if self.identical:
            but = f" (though {self.field_differences[0].split(':')[0]} differs)" if self.field_differences else ""
            return f"identical: {self.backend} variant {self.variant_id} rebuilt byte for byte{but}"
        return f"NOT identical: {self.first_difference}"


def _plain(value: Any) -> Any:
    """A value as it reads back from JSON (tuples become lists), for comparing with recorded ones."""
    return json.loads(json.dumps(value, default=str))


def backend_for(lineage: Lineage, brand_root: Path) -> Backend:
    """The scene backend the lineage records, configured as recorded. A diffusion model or LoRA path
    relative to the brand folder is looked up there first (as a run does), then in the working folder."""
    gen = lineage.generation
    if gen.backend == "studio":
        from pipeline.scene.studio import StudioBackend

        return StudioBackend()
    if gen.backend == "diffusion":
        from pipeline.scene.diffusion import DiffusionBackend, DiffusionSettings

        extra = gen.model_extra or {}
        try:
            model = extra["model"]
            lora = extra.get("lora")
            settings = DiffusionSettings(
                model=str(model["id"]),
                steps=int(extra["steps"]),
                guidance=float(extra["guidance"]),
                lora=str(lora["path"]) if lora else None,
                lora_scale=float(lora["scale"]) if lora else 0.8,
                max_batch=1,
                device=str(extra["device"]),
                dtype=str(extra["dtype"]),
                # the recorded weight files: a folder with plain and fp16 files loads the plain ones unasked
                variant=model.get("variant"),
                base_dir=brand_root,
                lora_base_dir=brand_root,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"lineage generation: the diffusion settings are incomplete ({exc})") from None
        return DiffusionBackend(settings)
    raise InputError(f"lineage generation.backend {shown(gen.backend)} is not one this Vitrina can rebuild")


def _version_differences(lineage: Lineage) -> dict[str, tuple[str | None, str | None]]:
    recorded, here = lineage.environment, current_environment()
    if recorded is None:
        return {}
    skip = _DIFFUSION_ONLY if lineage.generation.backend == "studio" else frozenset()
    return {
        name: (getattr(recorded, name), getattr(here, name))
        for name in type(here).model_fields
        if name not in skip and getattr(recorded, name) != getattr(here, name)
    }


def _pixel_difference(stored: Image.Image, rebuilt: Image.Image) -> tuple[int, tuple[int, int] | None, Box | None]:
    """(differing pixels, first one in raster order as (x, y), box around all of them)."""
    if stored.size != rebuilt.size:
        w, h = max(stored.width, rebuilt.width), max(stored.height, rebuilt.height)
        return w * h, (0, 0), (0, 0, w, h)
    bad = np.any(np.asarray(stored.convert("RGB")) != np.asarray(rebuilt.convert("RGB")), axis=-1)
    count = int(bad.sum())
    if not count:
        return 0, None, None
    ys, xs = np.nonzero(bad)
    first = (int(xs[0]), int(ys[0]))
    return count, first, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def regenerate_variant(
    variant_id: str, lineage: Lineage, stored_png: bytes, cutout: Image.Image, brand: BrandGuide, backend: Backend
) -> RegenerateReport:
    """Rebuild the banner `lineage` describes and compare it with `stored_png` (see module doc).

    Raises `InputError` when the lineage is of an older Vitrina (not auditor-complete), the
    cut-out is not the recorded one, or the brand guide lacks the recorded format."""
    missing = lineage.missing_for_audit()
    if missing:
        raise InputError(
            f"{variant_id}: its lineage was written by an older Vitrina and lacks {', '.join(missing)}; "
            "run the campaign again (`vitrina run BRIEF --out DIR`) and regenerate the new variant"
        )
    assert lineage.inputs is not None  # missing_for_audit checked it
    product, gen = lineage.product, lineage.generation
    cutout = cutout if cutout.mode == "RGBA" else cutout.convert("RGBA")
    if image_sha256(cutout) != product.cutout_sha256:
        raise InputError(
            f"{variant_id}: the cut-out's pixels hash to {image_sha256(cutout)}, the lineage records "
            f"{product.cutout_sha256}"
        )
    fmt = brand.format_by_id.get(lineage.format.id)
    if fmt is None:
        raise InputError(f"{variant_id}: the brand guide {brand.root} has no format {shown(lineage.format.id)}")

    fields: list[str] = []
    brand_sha = folder_digest(brand.root)
    if brand_sha != lineage.inputs.brand_sha256:
        fields.append(
            f"inputs.brand_sha256: the brand guide {brand.root} hashes to {brand_sha}, "
            f"the lineage records {lineage.inputs.brand_sha256}"
        )
    if fmt.size != lineage.format.size:
        fields.append(f"format.size: the brand's {fmt.id} is {list(fmt.size)}, recorded {list(lineage.format.size)}")

    layout = Layout(**lineage.layout.model_dump())
    extra = gen.model_extra or {}
    style = str(extra.get("style", brand.imagery.studio_style))
    request = SceneRequest(
        lineage.format.size,
        cutout,
        layout.product,
        brand.palette.all_colours(),
        style,
        gen.seed,
        gen.prompt,
        gen.negative_prompt,
    )
    scene = backend.render(request)
    for key, value in scene.lineage.items():
        if key not in _NOT_SETTINGS and _plain(value) != _plain(extra.get(key, getattr(gen, key, None))):
            fields.append(f"generation.{key}: rebuilt {shown(_plain(value))}, recorded {shown(extra.get(key))}")
    if scene.placement.box != product.placement_box:
        fields.append(
            f"product.placement_box: rebuilt {list(scene.placement.box)}, recorded {list(product.placement_box)}"
        )
    if image_sha256(scene.product_layer) != product.layer_sha256:
        fields.append(
            f"product.layer_sha256: rebuilt {image_sha256(scene.product_layer)}, recorded {product.layer_sha256}"
        )

    copy = lineage.copy_
    banner = compose_banner(
        scene.image,
        layout,
        BannerCopy(
            headline=copy.headline,
            subline=copy.subline,
            cta=copy.cta,
            price=copy.price,
            prior_price=copy.prior_price,
            discount_label=copy.discount,
            legal=copy.legal,
        ),
        brand,
        locale_info(lineage.locale),
        min_text_px=fmt.min_text_px,
        logo=open_image(brand.logo_path, "logo").convert("RGBA"),
    )
    blocks = tuple(
        TextBlockLineage(
            role=b.role,
            text=b.text,
            box=b.box,
            size_px=b.size_px,
            color=b.color,
            background=b.background,
            large=b.large,
        )
        for b in banner.blocks
    )
    if blocks != lineage.text_blocks:
        first = next((f"{a.role}" for a, b in zip(blocks, lineage.text_blocks, strict=False) if a != b), "count")
        fields.append(f"text_blocks: the {first} block was drawn differently")
    png = encode_banner_png(banner.image, lineage.campaign_id, lineage.sku, image_sha256(banner.image))

    stored = decode_image(stored_png, "stored banner")
    count, first_pixel, box = _pixel_difference(stored, banner.image)
    identical = png == stored_png
    first_difference: str | None = None
    if not identical:
        if fields:
            first_difference = fields[0]
        elif count:
            assert first_pixel is not None and box is not None
            first_difference = (
                f"{count} pixels differ, the first at ({first_pixel[0]}, {first_pixel[1]}), all within "
                f"({box[0]}, {box[1]})-({box[2]}, {box[3]})"
            )
        else:
            first_difference = "same pixels, different PNG bytes (another PNG encoder or zlib)"
    versions = _version_differences(lineage)
    notes: list[str] = []
    batch = extra.get("batch_size")
    if gen.backend == "diffusion" and isinstance(batch, int) and batch > 1:
        notes.append(f"the scene was made in a batch of {batch} and rebuilt alone: batched kernels round differently")
    if versions and not identical:
        listed = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in versions.items())
        notes.append(f"library versions differ from the recorded ones: {listed}")
    return RegenerateReport(
        variant_id, gen.backend, identical, first_difference, fields, count, first_pixel, box, versions, notes, png
    )


def brand_folder(store: Store, variant_id: str) -> Path:
    """The brand guide folder a stored variant names: ``inputs.brand`` relative to its run's brief."""
    record = store.variant(variant_id)
    inputs = record.lineage.inputs
    if inputs is None:
        raise InputError(
            f"{variant_id}: its lineage was written by an older Vitrina and names no brand guide; "
            "run the campaign again (`vitrina run BRIEF --out DIR`)"
        )
    run = next((r for r in store.runs() if r.run_id == record.run_id), None)
    if run is None:
        raise InputError(f"{variant_id}: its run {shown(record.run_id)} is not in {store.catalog}; pass --brand DIR")
    return Path(run.brief).parent / inputs.brand


def regenerate_stored(
    store: Store, variant_id: str, *, brand_dir: Path | None = None, backend: Backend | None = None
) -> RegenerateReport:
    """`regenerate_variant` for a variant of `store`: its lineage from the catalog, its PNG and
    cut-out from the store, its brand guide from `brand_dir` (default: `brand_folder`)."""
    record = store.variant(variant_id)
    lineage = record.lineage
    missing = lineage.missing_for_audit()
    if missing:
        raise InputError(
            f"{variant_id}: its lineage was written by an older Vitrina and lacks {', '.join(missing)}; "
            "run the campaign again (`vitrina run BRIEF --out DIR`) and regenerate the new variant"
        )
    folder = brand_dir if brand_dir is not None else brand_folder(store, variant_id)
    brand = load_brand(folder)
    cutout_path = store.cutout_path(lineage.product.cutout_sha256)
    if not cutout_path.is_file():
        raise InputError(f"{variant_id}: its cut-out is not in the store (looked for {cutout_path})")
    cutout = open_image(cutout_path, "cut-out")
    blob = store.blob_path(record.blob_sha)
    try:
        stored_png = blob.read_bytes()
    except OSError as exc:
        raise InputError(f"{variant_id}: its PNG {blob} cannot be read: {exc.strerror}") from None
    chosen = backend if backend is not None else backend_for(lineage, brand.root)
    return regenerate_variant(variant_id, lineage, stored_png, cutout, brand, chosen)

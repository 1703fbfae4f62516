"""Plan and render variants: SKU x scene x channel format x locale.

`render_variant` is one banner from start to verdict, in numbered steps: check the inputs, plan
the layout, generate the scene around the untouched product, write the copy, compose the banner,
run the checks, record the typed lineage (`pipeline.model.lineage`) and encode the PNG. It is
pure: the caller stores what it returns (`pipeline.storage.store.Store.keep_variant`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import PIL
from PIL import Image
from PIL import features as pil_features

from pipeline.banner.compose import BannerCopy, ComposedBanner, compose_banner
from pipeline.banner.layout import Layout, plan_layout
from pipeline.banner.messages import render_message
from pipeline.banner.money import format_percent_off, format_price
from pipeline.checks.copy import check_copy, check_price_reduction
from pipeline.checks.digits import check_digit_system
from pipeline.checks.image import (
    IMAGE_CHECKS,
    DesignedText,
    ImageContext,
    run_image_checks,
    settings_from_policy,
)
from pipeline.checks.image.context import model_nsfw_reason
from pipeline.checks.ocr import TextReader
from pipeline.checks.product import check_product_fidelity, check_product_pixels
from pipeline.checks.registry import spec_for
from pipeline.checks.results import CheckReport, CheckResult, Verdict, build_report
from pipeline.checks.text import (
    check_glyph_coverage,
    check_layout,
    check_text_contrast,
    check_text_ocr,
)
from pipeline.digests import folder_digest
from pipeline.errors import InputError, shown
from pipeline.imaging.imageio import encode_png, image_sha256
from pipeline.imaging.products import MIN_MASK_CONFIDENCE, PreparedProduct
from pipeline.model.brand import BrandGuide, ChannelFormat, CheckPolicy
from pipeline.model.campaign import TEMPLATE_FIELDS, Campaign, Scene, render_scene_template
from pipeline.model.catalog import CatalogItem
from pipeline.model.lineage import (
    NORMALISATION,
    RESAMPLE,
    CopyLineage,
    EnvironmentLineage,
    FormatLineage,
    GenerationLineage,
    InputsLineage,
    LayoutLineage,
    Lineage,
    PriceLineage,
    ProductLineage,
    ResamplerLineage,
    TextBlockLineage,
)
from pipeline.model.locales import LocaleInfo, locale_info
from pipeline.scene.base import Backend, SceneRequest, SceneResult

__all__ = [
    "PreparedProduct",
    "VariantPlan",
    "RenderedVariant",
    "plan_variants",
    "render_variant",
    "scene_prompt",
    "scene_request",
    "current_environment",
    "catalog_relative",
    "encode_banner_png",
]

try:  # the installed distribution's version goes into every lineage record
    VITRINA_VERSION = importlib.metadata.version("vitrina")
except importlib.metadata.PackageNotFoundError:  # running from a bare checkout
    VITRINA_VERSION = "0+unknown"


@dataclass(frozen=True)
class VariantPlan:
    sku: str
    scene: Scene
    format_id: str
    locale: str
    item: CatalogItem


@dataclass(frozen=True)
class RenderedVariant:
    plan: VariantPlan
    png: bytes
    report: CheckReport
    lineage: Lineage

    @property
    def verdict(self) -> Verdict:
        return self.report.verdict

    @property
    def checks(self) -> list[CheckResult]:
        return list(self.report.results)

    @property
    def reasons(self) -> list[str]:
        return [c.message for c in self.checks if c.verdict.failed]


def plan_variants(campaign: Campaign, sku: str) -> tuple[list[VariantPlan], list[str]]:
    """The SKU's variants, and the locales skipped because the SKU is not listed in their market
    (or is out of stock there, when the brand retires out-of-stock SKUs)."""
    plans, skipped = [], []
    for locale in campaign.brief.locales:
        market = locale_info(locale).market
        item = campaign.catalog.item(sku, market)
        if item is None:
            skipped.append(f"{locale}: {sku} is not listed for market {market}")
            continue
        if item.stock == 0 and campaign.brand.retire_out_of_stock:
            skipped.append(f"{locale}: {sku} is out of stock in market {market} (the brand retires those)")
            continue
        for scene in campaign.brief.scenes:
            for fmt in campaign.brief.formats:
                plans.append(VariantPlan(sku, scene, fmt, locale, item))
    return plans, skipped


def scene_prompt(campaign: Campaign, scene: Scene, item: CatalogItem) -> tuple[str, str]:
    """Prompt and negative prompt: the scene template (rendered in the sandbox, see
    `render_scene_template`) merged with the brand's imagery style."""
    text = render_scene_template(campaign.prompts_dir, scene, item.title, campaign.brand)
    parts = [" ".join(text.split()), campaign.brand.imagery.description]
    return ", ".join(p for p in parts if p), campaign.brand.imagery.negative_prompt


def _seed(base: int, sku: str, scene_id: str) -> int:
    """Same SKU and scene -> same look in every format and locale."""
    digest = hashlib.sha256(f"{base}|{sku}|{scene_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def encode_banner_png(image: Image.Image, campaign_id: str, sku: str, image_sha: str) -> bytes:
    """The banner's PNG bytes: pixels plus text chunks naming the campaign, the SKU and the pixels'
    hash (what `render_variant` returns and `pipeline.regenerate` rebuilds)."""
    return encode_png(image, {"vitrina:campaign": campaign_id, "vitrina:sku": sku, "vitrina:image_sha256": image_sha})


def _installed(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def current_environment() -> EnvironmentLineage:
    """The versions of the libraries that make a banner's pixels in this process (read from the
    installed distributions: torch and diffusers are not imported for this)."""
    return EnvironmentLineage(
        python=platform.python_version(),
        pillow=PIL.__version__,
        numpy=np.__version__,
        opencv=_installed("opencv-python-headless") or _installed("opencv-python"),
        freetype=pil_features.version("freetype2"),
        raqm=pil_features.version("raqm"),
        zlib=pil_features.version("zlib"),
        torch=_installed("torch"),
        diffusers=_installed("diffusers"),
        transformers=_installed("transformers"),
        machine=platform.machine(),
    )


def catalog_relative(source: Path, catalog_csv: Path) -> str:
    """The photo's path relative to the catalog CSV's folder, with POSIX separators (what lineage
    records as ``product.source``: the producing machine's folders are nobody else's business)."""
    return Path(os.path.relpath(Path(source).resolve(), Path(catalog_csv).resolve().parent)).as_posix()


def _mask_check(product: PreparedProduct) -> CheckResult:
    if product.mask_confidence < MIN_MASK_CONFIDENCE:
        notes = "; ".join(product.mask_notes) or "uncertain edges"
        return CheckResult(
            "product.mask",
            Verdict.NEEDS_REVIEW,
            "mask.low_confidence",
            f"cut-out confidence {product.mask_confidence:.2f} is below {MIN_MASK_CONFIDENCE}: {notes}",
            score=product.mask_confidence,
        )
    return CheckResult(
        "product.mask",
        Verdict.PASSED,
        "mask.ok",
        f"cut-out confidence {product.mask_confidence:.2f} ({product.mask_method})",
        score=product.mask_confidence,
    )


def _plan_layout(campaign: Campaign, fmt: ChannelFormat, loc: LocaleInfo, logo: Image.Image) -> Layout:
    brand = campaign.brand
    return plan_layout(
        fmt,
        loc,
        logo_aspect=logo.width / logo.height,
        logo_min_width=brand.logo.min_width_px,
        clear_space=brand.logo.clear_space,
    )


def _scene_request(
    campaign: Campaign, product: PreparedProduct, plan: VariantPlan, fmt: ChannelFormat, layout: Layout
) -> SceneRequest:
    brand = campaign.brand
    prompt, negative = scene_prompt(campaign, plan.scene, plan.item)
    return SceneRequest(
        fmt.size,
        product.cutout,
        layout.product,
        brand.palette.all_colours(),
        plan.scene.style or brand.imagery.studio_style,
        _seed(campaign.brief.seed, plan.sku, plan.scene.id),
        prompt,
        negative,
    )


def scene_request(campaign: Campaign, product: PreparedProduct, plan: VariantPlan, logo: Image.Image) -> SceneRequest:
    """What the backend is asked to make for one variant (layout area, prompt, seed)."""
    fmt, loc = _check_inputs(campaign, product, plan, logo)
    return _scene_request(campaign, product, plan, fmt, _plan_layout(campaign, fmt, loc, logo))


def _check_inputs(
    campaign: Campaign, product: PreparedProduct, plan: VariantPlan, logo: Image.Image
) -> tuple[ChannelFormat, LocaleInfo]:
    """The plan's format and locale, once everything a variant needs is known to be there.

    Raises `InputError` naming the offending value, before any pixel is made.
    """
    brand = campaign.brand
    fmt = brand.format_by_id.get(plan.format_id)
    if fmt is None:
        raise InputError(
            f"format {shown(plan.format_id)} is not one of the brand's formats ({', '.join(brand.format_by_id)})"
        )
    loc = locale_info(plan.locale)
    if plan.locale not in campaign.brief.copy_:
        raise InputError(
            f"locale {shown(plan.locale)} has no copy in the brief "
            f"(copy is given for {', '.join(campaign.brief.copy_)})"
        )
    if logo.mode != "RGBA" or logo.width < 1 or logo.height < 1:
        raise InputError(f"the logo must be a non-empty RGBA image, got a {logo.width}x{logo.height} {logo.mode} image")
    if product.cutout.mode != "RGBA":
        raise InputError(f"{product.sku}: the cut-out must be an RGBA image, got mode {product.cutout.mode}")
    return fmt, loc


def render_variant(
    campaign: Campaign,
    product: PreparedProduct,
    plan: VariantPlan,
    backend: Backend,
    logo: Image.Image,
    scene: SceneResult | None = None,
    reader: TextReader | None = None,
) -> RenderedVariant:
    """One banner from scene to verdict. `logo` is the brand's logo, loaded once by the caller (RGBA);
    `scene`, when given, was rendered beforehand (in a batch, `Backend.render_batch`) or stored by an
    earlier run (its text is composed again); `reader`: the OCR reader (default: the process's).

    Raises `InputError` (a plan the campaign cannot make, a logo or cut-out of the wrong mode, a
    scene of the wrong size) and `LayoutError` (the copy or logo does not fit the format).
    """
    brand, brief, policy = campaign.brand, campaign.brief, campaign.brand.checks

    # 1. Check inputs
    fmt, loc = _check_inputs(campaign, product, plan, logo)
    if scene is not None and scene.image.size != fmt.size:
        raise InputError(
            f"the scene given for {plan.format_id} is {scene.image.width}x{scene.image.height}, "
            f"the format is {fmt.width}x{fmt.height}"
        )

    # 2. Plan the layout: boxes for product, text and logo in this format and reading direction
    layout = _plan_layout(campaign, fmt, loc, logo)

    # 3. Scene: the product is placed first and the scene made around it, its pixels untouched
    request = _scene_request(campaign, product, plan, fmt, layout)
    if scene is None:
        scene = backend.render(request)

    # 4. Copy: message templates filled from data ({stock}, {percent}) with CLDR plural forms,
    #    prices formatted for the locale; a prior price only when the reduction is shown
    announced = brief.discount.percent if brief.discount else None
    price_check, prior = check_price_reduction(plan.item, announced, brief.starts)
    values: dict[str, int] = {"stock": plan.item.stock}
    if announced is not None:
        values["percent"] = announced
    numbering = brand.numbering.get(plan.locale)  # None: the locale's own digits (pipeline/checks/digits.py)
    texts = {
        name: render_message(getattr(brief.copy_[plan.locale], name), values, loc, numbering)
        for name in TEMPLATE_FIELDS
    }
    banner_copy = BannerCopy(
        headline=texts["headline"],
        subline=texts["subline"],
        cta=texts["cta"],
        price=format_price(plan.item.price, plan.item.currency, loc, numbering),
        prior_price=format_price(prior, plan.item.currency, loc, numbering) if prior is not None else None,
        discount_label=format_percent_off(announced, loc, numbering) if announced and prior is not None else None,
        legal=brand.tone.disclaimers.get(plan.locale, ""),
        headline_short=texts["headline_short"],
        subline_short=texts["subline_short"],
    )

    # 5. Compose the banner over the scene
    banner = compose_banner(scene.image, layout, banner_copy, brand, loc, min_text_px=fmt.min_text_px, logo=logo)
    drawn = {b.role: b.text for b in banner.blocks}

    # 6. Check: each entry runs only when the brand guide does not disable it (mandatory ones always run)
    planned: list[tuple[str, Callable[[], CheckResult | list[CheckResult]]]] = [
        ("product.pixels", lambda: check_product_pixels(banner.image, scene.product_layer, scene.placement)),
        (
            "product.fidelity",
            lambda: check_product_fidelity(
                scene.product_layer,
                product.cutout,
                min_ssim=policy.product_min_ssim,
                max_delta_e=policy.product_max_delta_e,
            ),
        ),
        ("product.mask", lambda: _mask_check(product)),
        ("layout.fit", lambda: check_layout(banner.problems)),
        ("text.contrast", lambda: check_text_contrast(banner.image, banner.blocks, brand)),
        ("text.glyphs", lambda: check_glyph_coverage(banner.blocks)),
        ("text.digits", lambda: check_digit_system(banner.blocks, loc, brand)),
        ("text.ocr", lambda: check_text_ocr(banner.blocks, loc, reader=reader)),  # readings cached
        (
            "copy",
            lambda: check_copy(
                {**texts, "legal": banner_copy.legal},  # the short copy too: it may be drawn
                loc,
                brand,
                sku=plan.sku,
                on=brief.starts,
                item=plan.item,
                campaign_ends=brief.ends,
            ),
        ),
        ("price.reduction", lambda: price_check),
        ("image", lambda: _image_checks(banner, scene, fmt, brand, logo, generated=backend.name != "studio")),
    ]
    checks: list[CheckResult] = []
    for check_id, run in planned:
        if policy.runs(check_id):
            found = run()
            # "copy" and "image" are groups (not check ids): each of their results is kept only
            # when the brand runs the check it belongs to
            checks.extend(r for r in (found if isinstance(found, list) else [found]) if _runs(policy, r.check))
    report = build_report(checks, policy.disabled)

    # 7. Lineage: how the banner was made, enough to verify its product pixels later
    lineage = Lineage(
        vitrina_version=VITRINA_VERSION,
        campaign_id=brief.campaign_id,
        sku=plan.sku,
        scene=plan.scene.id,
        format=FormatLineage(id=fmt.id, size=fmt.size),
        locale=plan.locale,
        product=ProductLineage(
            source=catalog_relative(product.source, campaign.catalog.path),
            source_sha256=product.source_sha256,
            cutout_sha256=product.cutout_sha256,
            mask_sha256=product.mask_sha256,
            mask_method=product.mask_method,
            mask_confidence=round(product.mask_confidence, 4),
            layer_sha256=image_sha256(scene.product_layer),
            placement_box=scene.placement.box,
            scale=round(scene.placement.scale, 6),
            resample=RESAMPLE,
            source_size=product.source_size,
            crop_box=product.crop_box,
            normalisation=NORMALISATION,
            resampler=ResamplerLineage(version=PIL.__version__),
        ),
        generation=GenerationLineage.model_validate(
            {
                **scene.lineage,
                "prompt": request.prompt,
                "negative_prompt": request.negative_prompt,
                "seed": request.seed,
            }
        ),
        layout=LayoutLineage.model_validate(asdict(layout)),
        copy=CopyLineage(  # as drawn: the short headline where it was (so `regenerate` draws it again)
            headline=drawn.get("headline", texts["headline"]),
            subline=drawn.get("subline", texts["subline"]),
            cta=texts["cta"],
            price=banner_copy.price,
            prior_price=banner_copy.prior_price,
            discount=banner_copy.discount_label,
            legal=banner_copy.legal,
        ),
        price=PriceLineage(
            amount=str(plan.item.price),
            currency=plan.item.currency,
            market=plan.item.market,
            prior_price=str(prior) if prior is not None else None,
        ),
        text_blocks=tuple(
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
        ),
        image_sha256=image_sha256(banner.image),
        inputs=InputsLineage(brand=brief.brand, brand_sha256=folder_digest(brand.root), catalog=brief.catalog),
        environment=current_environment(),
    )

    # 8. Encode the PNG, naming the campaign, the SKU and the pixels' hash in its text chunks
    png = encode_banner_png(banner.image, brief.campaign_id, plan.sku, lineage.image_sha256)
    return RenderedVariant(plan, png, report, lineage)


def _runs(policy: CheckPolicy, result_id: str) -> bool:
    spec = spec_for(result_id)
    return spec is None or policy.runs(spec.id)


def _image_checks(
    banner: ComposedBanner,
    scene: SceneResult,
    fmt: ChannelFormat,
    brand: BrandGuide,
    logo: Image.Image,
    *,
    generated: bool,
) -> list[CheckResult]:
    """Brand, safety and quality checks on the composed pixels, told exactly how the banner was made.
    Text contrast is left to `text.contrast`, which measures the real glyphs rather than estimating them."""
    x0, y0, x1, y1 = scene.placement.box
    product_mask = np.zeros((fmt.height, fmt.width), bool)
    product_mask[y0:y1, x0:x1] = np.asarray(scene.product_layer)[..., 3] == 255
    ctx = ImageContext(
        format=fmt,
        text_blocks=tuple(DesignedText(b.role, b.box, b.color, b.large, b.background, b.text) for b in banner.blocks),
        logo_box=banner.logo_box,
        product_box=scene.placement.box,
        product_mask=product_mask,
        scene=banner.background,
        overlay_mask=banner.overlay_mask,
        generated_background=generated,
        source_format="PNG",
        model_flag=model_nsfw_reason(scene.lineage),
    )
    enabled = [c.id for c in IMAGE_CHECKS if c.id != "image.text.contrast" and brand.checks.runs(c.id)]
    return run_image_checks(
        banner.image, brand, ctx, settings_from_policy(brand.checks.image), logo=logo, enabled=enabled
    )

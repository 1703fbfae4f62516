"""The brand guide: a validated, typed model loaded from `brand_guides/<name>/brand.yaml`.

Files named in the guide (logo, fonts) are resolved relative to the brand folder; fonts may also
name a file of the system's font folders (e.g. Debian's Noto CJK) so large fonts need not be
copied into every brand. `brand_json_schema()` exports the schema for editors.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from pipeline.errors import ConfigError, ImageRejected, shown
from pipeline.model.config import NAME_MAX, SafeText, read_yaml, relative_file, validate_model
from pipeline.model.formats import BLOCKS, Block, catalog, default_formats, resolve_format_entry
from pipeline.model.locales import SUPPORTED_LOCALES, NumberingSystem, check_numbering

__all__ = [
    "BrandGuide",
    "Palette",
    "FontSpec",
    "Typography",
    "LogoSpec",
    "ToneOfVoice",
    "Claim",
    "Insets",
    "ChannelFormat",
    "ImageryStyle",
    "CheckPolicy",
    "ImageCheckPolicy",
    "load_brand",
    "brand_json_schema",
    "hex_to_rgb",
    "SYSTEM_FONT_DIRS",
    "STUDIO_STYLES",
    "StudioStyle",
]

SYSTEM_FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

#: The backdrops the model-free studio backend draws (`pipeline.scene.studio`). Listed here, in the
#: lower layer, once: the brand schema, the brief's scene styles and the backend all read it.
StudioStyle = Literal["sweep", "gradient", "surface", "podium"]
STUDIO_STYLES: tuple[StudioStyle, ...] = get_args(StudioStyle)
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _check_hex(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError("not a colour: use #RRGGBB hex")
    return value.upper()


def _check_currency(value: str) -> str:
    from babel.numbers import is_currency

    if not is_currency(value):
        raise ValueError("not an ISO 4217 currency code")
    return value


def _check_locale(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise ValueError(f"unknown locale; supported: {', '.join(SUPPORTED_LOCALES)}")
    return value


Hex = Annotated[str, AfterValidator(_check_hex)]
LocaleCode = Annotated[str, AfterValidator(_check_locale)]
Market = Annotated[str, Field(pattern=r"^[A-Z]{2}$|^\*$")]
CurrencyCode = Annotated[str, AfterValidator(_check_currency)]


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Palette(_Strict):
    """Brand colours by role. Overlays (text, buttons, shapes) may only use these."""

    primary: Hex
    accent: Hex
    text: Hex
    background: Hex
    on_primary: Hex = Field(default="#FFFFFF", description="text drawn on primary-coloured surfaces")
    floor: Hex | None = Field(
        default=None,
        description="studio backdrops: the floor, tabletop and podium colour (default: extra.sand if the "
        "brand names one, else `background`)",
    )
    wash: Hex | None = Field(
        default=None,
        description="studio backdrops: the second colour of the 'gradient' style (default: extra.mist if "
        "the brand names one, else `background`)",
    )
    extra: dict[str, Hex] = Field(default_factory=dict, description="further named brand colours")
    forbidden: list[Hex] = Field(default_factory=list, description="colours a scene must stay away from")

    def all_colours(self) -> dict[str, str]:
        roles = {k: getattr(self, k) for k in ("primary", "accent", "text", "background", "on_primary")}
        studio = {k: v for k in ("floor", "wash") if (v := getattr(self, k)) is not None}
        return {**roles, **studio, **self.extra}


class FontSpec(_Strict):
    file: str = Field(description="font file, relative to the brand folder or a system font file name")
    face_index: int = Field(default=0, ge=0, description="face inside a .ttc collection")


class Typography(_Strict):
    headline: FontSpec
    body: FontSpec
    fallbacks: list[FontSpec] = Field(
        default_factory=list,
        description="tried in order, per character run, when the headline font lacks a glyph",
    )
    body_fallbacks: list[FontSpec] | None = Field(
        default=None, description="the same for body text (sublines, legal lines); default: `fallbacks`"
    )

    def stack(self, role: str) -> list[FontSpec]:
        """The fonts tried, in order, for headline or body text."""
        if role == "headline":
            return [self.headline, *self.fallbacks]
        body_fallbacks = self.fallbacks if self.body_fallbacks is None else self.body_fallbacks
        return [self.body, *body_fallbacks]


class LogoSpec(_Strict):
    file: str
    min_width_px: int = Field(gt=0, description="the logo is never drawn narrower than this")
    clear_space: float = Field(
        ge=0, le=2, description="free margin around the logo, as a fraction of the logo's height"
    )


class ToneOfVoice(_Strict):
    description: str = ""
    banned_words: list[str] = Field(default_factory=list, description="banned in every locale")
    banned_words_by_locale: dict[LocaleCode, list[str]] = Field(default_factory=dict)
    disclaimers: dict[LocaleCode, SafeText] = Field(
        default_factory=dict,
        description="legal line each banner of that locale must carry (the market's required disclaimer)",
    )


ClaimCategory = Literal[
    "price", "urgency", "free", "environmental", "health", "superlative", "origin", "performance", "guarantee"
]


class Claim(_Strict):
    """An approved claim with its evidence; it substantiates copy only in its markets and dates."""

    id: str
    category: ClaimCategory
    text: str = Field(description="the approved wording (matching ignores case)")
    evidence: str = Field(min_length=3, description="where the proof lives (document, test report)")
    markets: list[Market] = Field(min_length=1)
    skus: list[str] = Field(default_factory=lambda: ["*"])
    valid_from: date | None = None
    expires: date

    def applies(self, market: str, sku: str | None, on: date) -> bool:
        in_market = "*" in self.markets or market in self.markets
        for_sku = "*" in self.skus or sku is None or sku in self.skus
        current = (self.valid_from is None or self.valid_from <= on) and on <= self.expires
        return in_market and for_sku and current


class Insets(_Strict):
    top: int = Field(default=0, ge=0)
    right: int = Field(default=0, ge=0)
    bottom: int = Field(default=0, ge=0)
    left: int = Field(default=0, ge=0)


class ChannelFormat(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=NAME_MAX)
    name: str
    width: int = Field(ge=64, le=8192)
    height: int = Field(ge=64, le=8192)
    safe_zone: Insets = Field(default_factory=Insets, description="px kept free of text and logo")
    min_text_px: int = Field(default=18, ge=6, description="smallest text size allowed on this format")
    blocks: list[Block] = Field(
        default_factory=lambda: list(BLOCKS),
        description="blocks the format carries; a legal line the format cannot carry blocks the variant",
    )

    @model_validator(mode="after")
    def _safe_zone_fits(self) -> ChannelFormat:
        sz = self.safe_zone
        if sz.left + sz.right >= self.width * 0.8 or sz.top + sz.bottom >= self.height * 0.8:
            raise ValueError("safe zone leaves less than 20 % of the canvas")
        missing = {"headline", "price", "cta", "logo"} - set(self.blocks)
        if missing:
            raise ValueError(f"blocks must include {sorted(missing)} (every banner carries them)")
        return self

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def aspect(self) -> float:
        return self.width / self.height


class ImageryStyle(_Strict):
    description: str = Field(default="", description="merged into every scene prompt")
    negative_prompt: str = ""
    studio_style: StudioStyle = "sweep"
    # The diffusion backend (`vitrina run --backend diffusion`); --model / --steps override these.
    model: str | None = Field(
        default=None,
        description="diffusers inpainting model: a folder (relative to the brand "
        "folder) or a hub id already in the local Hugging Face cache; nothing is downloaded",
    )
    steps: int = Field(default=30, ge=1, le=200, description="denoising steps")
    guidance: float = Field(default=7.5, ge=0, le=30, description="classifier-free guidance scale")
    lora: str | None = Field(default=None, description="brand style LoRA (.safetensors), relative to the brand folder")
    lora_scale: float = Field(default=0.8, ge=0, le=2, description="LoRA strength")


class ImageCheckPolicy(_Strict):
    """Thresholds of the image checks; a field left out keeps Vitrina's calibrated default
    (pipeline.checks.image.ImageCheckSettings, where each default's reason is written down)."""

    people_policy: Literal["review", "allow", "block"] | None = Field(
        default=None, description="people or faces in a generated background: review (default), allow or block"
    )
    palette_max_delta_e: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="CIEDE2000 distance from the nearest "
        "brand colour for a background colour to count as on-palette (10)",
    )
    forbidden_min_delta_e: float | None = Field(
        default=None, gt=0, le=100, description="background colours closer than this to a forbidden colour block (12)"
    )
    dominant_min_share: float | None = Field(
        default=None, gt=0, lt=1, description="off-palette colours covering less of the background are ignored (0.04)"
    )
    nudity_thresholds: dict[str, float] | None = Field(
        default=None,
        description="NudeNet class -> score from which it blocks (default: the exposed classes, 0.35-0.45)",
    )
    stray_text_min_confidence: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Tesseract word confidence from which a word in the background is reported (70)",
    )
    min_sharpness: float | None = Field(
        default=None, gt=0, description="product sharpness below which it asks for review (1.3)"
    )
    min_jpeg_quality: int | None = Field(
        default=None, ge=1, le=100, description="estimated JPEG quality below which it asks for review (80)"
    )
    logo_min_similarity: float | None = Field(
        default=None, gt=0, le=1, description="logo shape similarity to the brand logo below which it blocks (0.82)"
    )


class CheckPolicy(_Strict):
    """Which checks run for this brand and their thresholds (check ids: `vitrina check list`)."""

    disabled: list[str] = Field(
        default_factory=list,
        description="check ids this brand does not run "
        "(product.pixels, layout.fit, text.glyphs and price.reduction cannot be disabled)",
    )
    min_contrast_normal: float = Field(default=4.5, ge=1, le=21, description="WCAG ratio for normal text (AA: 4.5)")
    min_contrast_large: float = Field(default=3.0, ge=1, le=21, description="WCAG ratio for large text (AA: 3.0)")
    product_min_ssim: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="product.fidelity: structural similarity of "
        "the placed product to the source packshot at the same size",
    )
    product_max_delta_e: float = Field(
        default=2.0,
        gt=0,
        le=50,
        description="product.fidelity: mean CIEDE2000 colour "
        "difference allowed between the placed product and the source packshot",
    )
    image: ImageCheckPolicy = Field(default_factory=ImageCheckPolicy, description="image check thresholds")
    waivable: list[str] = Field(
        default_factory=list,
        description="check ids (or result ids under one, e.g. copy.claims.superlative) a reviewer may waive "
        "with a justification in the review app; product.*, price.*, copy.claims.price, layout.fit and "
        "text.glyphs never can",
    )

    @field_validator("waivable")
    @classmethod
    def _waivable_checks(cls, ids: list[str]) -> list[str]:
        from pipeline.checks.registry import can_be_waived, spec_for

        for check_id in ids:
            if spec_for(check_id) is None:
                raise ValueError(f"unknown check id {shown(check_id)} (see `vitrina check list`)")
            if not can_be_waived(check_id):
                raise ValueError(
                    f"check {shown(check_id)} can never be waived: it protects the product or the price rules"
                )
        return ids

    @field_validator("disabled")
    @classmethod
    def _known_checks(cls, ids: list[str]) -> list[str]:
        from pipeline.checks.registry import CHECKS

        for check_id in ids:
            if check_id not in CHECKS:
                raise ValueError(f"unknown check id {shown(check_id)}; known: {', '.join(CHECKS)}")
            if CHECKS[check_id].mandatory:
                raise ValueError(f"check {shown(check_id)} cannot be disabled: {CHECKS[check_id].description}")
        return ids

    def runs(self, check_id: str) -> bool:
        return check_id not in self.disabled


class BrandGuide(_Strict):
    name: str = Field(min_length=1)
    palette: Palette
    typography: Typography
    logo: LogoSpec
    tone: ToneOfVoice = Field(default_factory=ToneOfVoice)
    claims: list[Claim] = Field(default_factory=list)
    locales: list[LocaleCode] = Field(min_length=1)
    extra_currencies: dict[Market, list[CurrencyCode]] = Field(
        default_factory=dict,
        description="currencies a market's catalog prices may use besides that market's own "
        "(its CLDR territory currencies, e.g. EUR for DE), by market (ISO 3166 code, or * for every "
        "market): {AE: [USD]}",
    )
    formats: list[ChannelFormat] = Field(
        default_factory=lambda: [ChannelFormat(**f) for f in default_formats()],
        min_length=1,
        description="catalog ids (pipeline/formats.yaml), ids with overridden fields, or complete formats",
    )
    imagery: ImageryStyle = Field(default_factory=ImageryStyle)
    checks: CheckPolicy = Field(default_factory=CheckPolicy)
    numbering: dict[LocaleCode, NumberingSystem] = Field(
        default_factory=dict,
        description="the digits a locale's banners are written in, by locale: a CLDR numbering system "
        "the locale uses (its default or its native one: ar-AE latn or arab, hi-IN latn or deva); default: "
        "the locale's CLDR default (latn, 0-9, for every shipped locale). Vitrina writes prices, discounts "
        "and counts in it, and the text.digits check asks every digit on the banner to match",
    )
    retire_out_of_stock: bool = Field(
        default=False,
        description="true: a SKU whose catalog stock in a market is 0 gets no banners there, and the "
        "banners it had are retired (the next publish retracts them); false: out-of-stock SKUs are "
        "still rendered",
    )
    root: Path = Field(default=Path("."), exclude=True, description="brand folder (set by the loader)")

    @field_validator("formats", mode="before")
    @classmethod
    def _from_catalog(cls, formats: object) -> object:
        if not isinstance(formats, list):
            return formats
        out = []
        for entry in formats:
            if isinstance(entry, str) and entry not in catalog():
                raise ValueError(
                    f"format id {shown(entry)} is not in the catalog ({', '.join(catalog())}); "
                    "give width, height and name for a format of your own"
                )
            out.append(resolve_format_entry(entry))
        return out

    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, formats: list[ChannelFormat]) -> list[ChannelFormat]:
        seen: set[str] = set()
        for f in formats:
            if f.id in seen:
                raise ValueError(f"format id {shown(f.id)} appears twice")
            seen.add(f.id)
        return formats

    @field_validator("claims")
    @classmethod
    def _unique_claims(cls, claims: list[Claim]) -> list[Claim]:
        ids = [c.id for c in claims]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"claim ids appear twice: {shown(sorted(dupes))}")
        return claims

    @field_validator("numbering")
    @classmethod
    def _numbering_the_locale_uses(cls, numbering: dict[str, str]) -> dict[str, str]:
        for code, system in numbering.items():
            check_numbering(code, system)
        return numbering

    def allowed_currencies(self, market: str) -> frozenset[str]:
        """Currencies this brand allows in `market` besides the market's own (`extra_currencies`)."""
        return frozenset(self.extra_currencies.get(market, [])) | frozenset(self.extra_currencies.get("*", []))

    @cached_property
    def format_by_id(self) -> dict[str, ChannelFormat]:
        return {f.id: f for f in self.formats}

    @property
    def logo_path(self) -> Path:
        return self.root / self.logo.file

    def font_path(self, spec: FontSpec) -> Path:
        path = find_font(self.root, spec.file)
        assert path is not None, "validated by load_brand"
        return path


def find_font(brand_root: Path, name: str, system_dirs: tuple[Path, ...] = SYSTEM_FONT_DIRS) -> Path | None:
    """A font file in the brand folder, else a system font file with that file name."""
    local = brand_root / name
    if local.is_file():
        return local.resolve()
    base = Path(name).name
    for folder in system_dirs:
        if folder.is_dir():
            for hit in sorted(folder.rglob(base)):
                return hit
    return None


def load_brand(folder: Path) -> BrandGuide:
    """Load and validate `folder/brand.yaml`, checking that every file it names exists."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(folder, "(folder)", str(folder), "brand folder not found")
    path = folder / "brand.yaml"
    data = read_yaml(path)
    brand = validate_model(BrandGuide, data, path)
    brand = brand.model_copy(update={"root": folder.resolve()})
    relative_file(folder, brand.logo.file, path, "logo.file")
    fonts = [("typography.headline", brand.typography.headline), ("typography.body", brand.typography.body)]
    fonts += [(f"typography.fallbacks[{i}]", f) for i, f in enumerate(brand.typography.fallbacks)]
    fonts += [(f"typography.body_fallbacks[{i}]", f) for i, f in enumerate(brand.typography.body_fallbacks or [])]
    for field, spec in fonts:
        if find_font(folder, spec.file) is None:
            raise ConfigError(
                path,
                f"{field}.file",
                spec.file,
                "font not found in the brand folder or the system fonts "
                "(Noto fonts come with Debian's fonts-noto-core and fonts-noto-cjk)",
            )
    _check_logo(brand, path)
    return brand


def _check_logo(brand: BrandGuide, path: Path) -> None:
    from pipeline.imaging.imageio import open_image

    try:
        logo = open_image(brand.logo_path)
    except ImageRejected as exc:
        raise ConfigError(path, "logo.file", brand.logo.file, exc.reason) from None
    width = logo.width
    has_alpha = "A" in logo.getbands() or "transparency" in logo.info
    if width < brand.logo.min_width_px:
        raise ConfigError(
            path,
            "logo.file",
            brand.logo.file,
            f"logo is {width} px wide, below its own minimum of {brand.logo.min_width_px} px",
        )
    if not has_alpha:
        raise ConfigError(path, "logo.file", brand.logo.file, "logo needs a transparent background (PNG with alpha)")
    _check_logo_fits(brand, path, logo.width / logo.height)


def _check_logo_fits(brand: BrandGuide, path: Path, aspect: float) -> None:
    """Every format of the brand can carry the logo at its minimum width, with the price, the CTA
    and the legal line: said now, not by a run whose variants of that format all fail."""
    from pipeline.banner.layout import explain_omits  # the layout's own plan: one source of truth
    from pipeline.errors import LayoutError

    for i, fmt in enumerate(brand.formats):
        try:
            explain_omits(
                fmt, logo_aspect=aspect, logo_min_width=brand.logo.min_width_px, clear_space=brand.logo.clear_space
            )
        except LayoutError as exc:
            raise ConfigError(path, f"formats[{i}]", fmt.id, f"cannot be laid out with this logo: {exc}") from None


def brand_json_schema() -> dict[str, Any]:
    """JSON Schema of brand.yaml, for editor completion and validation."""
    schema = BrandGuide.model_json_schema(mode="validation")
    schema["properties"].pop("root", None)
    # A format entry may also be a catalog id, or a catalog id with the fields it overrides.
    ids = list(catalog())
    full = schema["properties"]["formats"]["items"]
    override = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {**schema["$defs"]["ChannelFormat"]["properties"], "id": {"enum": ids}},
        "description": "a catalog format with the fields it overrides (safe_zone merges per side)",
    }
    schema["properties"]["formats"]["items"] = {
        "anyOf": [{"type": "string", "enum": ids, "description": "a format from the shipped catalog"}, override, full]
    }
    schema["title"] = "Vitrina brand guide"
    return schema

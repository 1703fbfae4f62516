"""The campaign brief: what to make (scenes x formats x locales) and the copy per locale.

A brief names its brand folder and catalog relative to the brief file. `load_campaign` loads and
cross-checks everything (brand, catalog, prompt templates) so a run can refuse bad input before
writing anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.banner.messages import KNOWN_VARIABLES, validate_message, variables_of
from pipeline.errors import ConfigError, InputError
from pipeline.model.brand import STUDIO_STYLES, BrandGuide, LocaleCode, load_brand
from pipeline.model.catalog import Catalog, load_catalog
from pipeline.model.config import read_yaml, validate_model
from pipeline.model.locales import locale_info

__all__ = ["DEFAULT_PROMPTS", "Scene", "LocalizedCopy", "Discount", "Brief", "Campaign", "load_campaign"]


#: The prompt templates shipped with the project (a brief's `prompts:` folder overrides them).
DEFAULT_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scene(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    template: str = Field(description="Jinja2 template file in the prompts folder")
    style: str | None = Field(default=None, description="studio backdrop style; default: the brand's")
    mood: str = ""


class LocalizedCopy(_Strict):
    """Copy for one locale. Each field is a message template (pipeline.messages): plain text, or
    ICU plural syntax over `stock` and `percent`, e.g. `{stock, plural, one {Only # left} other
    {Only # left}}`, rendered per variant with CLDR plural rules and the locale's digits."""

    # Caps on the template source (a plural template repeats its text per form); whether the
    # rendered copy fits is the layout's job, per format and locale.
    headline: str = Field(min_length=1, max_length=300)
    cta: str = Field(min_length=1, max_length=160)
    subline: str = Field(default="", max_length=400)


class Discount(_Strict):
    percent: int = Field(gt=0, lt=100, description="announced reduction; checked against price history")


class Brief(_Strict):
    campaign_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = ""
    brand: str = Field(description="brand folder, relative to the brief")
    catalog: str = Field(description="catalog CSV, relative to the brief")
    price_history: str | None = Field(default=None, description="price history CSV, relative to the brief")
    prompts: str | None = Field(default=None, description="prompt template folder, relative to the brief")
    starts: date
    ends: date
    skus: list[str] | None = Field(default=None, description="subset of the catalog; default: every SKU")
    scenes: list[Scene] = Field(min_length=1)
    formats: list[str] = Field(min_length=1)
    locales: list[LocaleCode] = Field(min_length=1)
    copy_: dict[LocaleCode, LocalizedCopy] = Field(alias="copy")
    discount: Discount | None = None
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Brief:
        if self.ends < self.starts:
            raise ValueError(f"ends {self.ends} is before starts {self.starts}")
        return self


@dataclass(frozen=True)
class Campaign:
    """Everything a run needs, loaded and cross-checked."""

    brief_path: Path
    brief: Brief
    brand: BrandGuide
    catalog: Catalog
    prompts_dir: Path

    @property
    def skus(self) -> list[str]:
        return self.brief.skus if self.brief.skus is not None else self.catalog.skus


# The copy fields written as message templates (the legal line is plain text).
TEMPLATE_FIELDS = ("headline", "subline", "cta")


def _check_copy_templates(brief: Brief, brief_path: Path) -> None:
    """Every copy field parses as a message template for its locale (pipeline.messages)."""
    variables = KNOWN_VARIABLES if brief.discount else KNOWN_VARIABLES - {"percent"}
    for loc, copy in brief.copy_.items():
        for name in TEMPLATE_FIELDS:
            template = getattr(copy, name)
            field = f"copy.{loc}.{name}"
            try:
                validate_message(template, locale_info(loc), variables)
            except InputError as e:
                problem = str(e)
                if brief.discount is None and "percent" in _names(template):
                    problem = "{percent} needs an announced discount in the brief (discount: {percent: N})"
                raise ConfigError(brief_path, field, template, problem) from None


def _names(template: str) -> frozenset[str]:
    try:
        return variables_of(template)
    except InputError:
        return frozenset()


def load_campaign(brief_path: Path, default_prompts_dir: Path) -> Campaign:
    """Load the brief and all it references; raise ConfigError on the first problem."""
    brief_path = Path(brief_path)
    brief = validate_model(Brief, read_yaml(brief_path), brief_path)
    base = brief_path.parent

    def near_brief(relative: str) -> Path:  # "demo/../brand" -> "brand": errors name clean paths
        return Path(os.path.normpath(base / relative))

    brand = load_brand(near_brief(brief.brand))

    for i, fmt in enumerate(brief.formats):
        if fmt not in brand.format_by_id:
            known = ", ".join(brand.format_by_id)
            raise ConfigError(brief_path, f"formats[{i}]", fmt, f"unknown format; the brand defines: {known}")
    for i, loc in enumerate(brief.locales):
        if loc not in brand.locales:
            raise ConfigError(brief_path, f"locales[{i}]", loc, f"not a locale of brand {brand.name!r}")
        if loc not in brief.copy_:
            raise ConfigError(brief_path, "copy", loc, "no headline/CTA for this campaign locale")
    _check_copy_templates(brief, brief_path)

    prompts_dir = near_brief(brief.prompts) if brief.prompts else default_prompts_dir
    for i, scene in enumerate(brief.scenes):
        if not (prompts_dir / scene.template).is_file():
            raise ConfigError(
                brief_path, f"scenes[{i}].template", scene.template, f"template not found in {prompts_dir}"
            )
        if scene.style is not None and scene.style not in STUDIO_STYLES:
            styles = ", ".join(STUDIO_STYLES[:-1]) + f" or {STUDIO_STYLES[-1]}"
            raise ConfigError(brief_path, f"scenes[{i}].style", scene.style, f"unknown style: {styles}")

    catalog = load_catalog(near_brief(brief.catalog), near_brief(brief.price_history) if brief.price_history else None)
    if brief.skus is not None:
        for i, sku in enumerate(brief.skus):
            if sku not in catalog.skus:
                raise ConfigError(brief_path, f"skus[{i}]", sku, f"not in the catalog {catalog.path.name}")
    return Campaign(brief_path.resolve(), brief, brand, catalog, prompts_dir)

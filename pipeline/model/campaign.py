"""The campaign brief: what to make (scenes x formats x locales) and the copy per locale.

A brief names its brand folder and catalog relative to the brief file. `load_campaign` loads and
cross-checks everything (brand, catalog, prompt templates) so a run can refuse bad input before
writing anything.

Scene prompt templates are code a brief brings along: they are rendered only in Jinja2's
immutable sandbox (`prompt_environment`), and every template a brief names must resolve inside
its prompts folder and compile there, checked at load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.banner.messages import KNOWN_VARIABLES, render_message, validate_message, variables_of
from pipeline.errors import ConfigError, InputError, one_line, shown
from pipeline.model.brand import STUDIO_STYLES, BrandGuide, LocaleCode, load_brand
from pipeline.model.catalog import Catalog, load_catalog
from pipeline.model.config import NAME_MAX, SafeName, SafeText, inside, read_yaml, validate_model
from pipeline.model.locales import locale_info

__all__ = [
    "DEFAULT_PROMPTS",
    "Scene",
    "LocalizedCopy",
    "Discount",
    "Brief",
    "Campaign",
    "load_campaign",
    "prompt_environment",
]


#: The prompt templates shipped with the project (a brief's `prompts:` folder overrides them).
DEFAULT_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scene(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=NAME_MAX)
    template: str = Field(description="Jinja2 template file in the prompts folder")
    style: str | None = Field(default=None, description="studio backdrop style; default: the brand's")
    mood: str = ""


class LocalizedCopy(_Strict):
    """Copy for one locale. Each field is a message template (pipeline.messages): plain text, or
    ICU plural syntax over `stock` and `percent`, e.g. `{stock, plural, one {Only # left} other
    {Only # left}}`, rendered per variant with CLDR plural rules and the locale's digits."""

    # Caps on the template source (a plural template repeats its text per form); whether the
    # rendered copy fits is the layout's job, per format and locale.
    headline: SafeText = Field(min_length=1, max_length=300)
    cta: SafeText = Field(min_length=1, max_length=160)
    subline: SafeText = Field(default="", max_length=400)
    # Per-format copy: drawn in the formats where the copy above does not fit whole (before any
    # word of it is hyphenated); checked like it (templates, claims).
    headline_short: SafeText = Field(
        default="", max_length=300, description="drawn where the headline does not fit (small display formats)"
    )
    subline_short: SafeText = Field(default="", max_length=400, description="drawn where the subline does not fit")


class Discount(_Strict):
    percent: int = Field(gt=0, lt=100, description="announced reduction; checked against price history")


class Brief(_Strict):
    campaign_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=NAME_MAX)
    name: str = ""
    brand: str = Field(description="brand folder, relative to the brief")
    catalog: str = Field(description="catalog CSV, relative to the brief")
    price_history: str | None = Field(default=None, description="price history CSV, relative to the brief")
    prompts: str | None = Field(default=None, description="prompt template folder, relative to the brief")
    images_root: str | None = Field(
        default=None,
        description="folder the catalog's image paths must stay inside, relative to the brief; "
        "default: the catalog CSV's folder",
    )
    starts: date
    ends: date
    skus: list[SafeName] | None = Field(default=None, description="subset of the catalog; default: every SKU")
    scenes: list[Scene] = Field(min_length=1)
    formats: list[str] = Field(min_length=1)
    locales: list[LocaleCode] = Field(min_length=1)
    copy_: dict[LocaleCode, LocalizedCopy] = Field(alias="copy")
    discount: Discount | None = None
    seed: int = Field(default=0, ge=0)

    @field_validator("skus")
    @classmethod
    def _some_skus(cls, skus: list[str] | None) -> list[str] | None:
        if skus is not None and not skus:
            raise ValueError("an empty list selects no SKU; leave skus out to make every SKU of the catalog")
        if skus is not None and len(set(skus)) != len(skus):
            twice = sorted({s for s in skus if skus.count(s) > 1})
            raise ValueError(f"SKUs listed twice: {', '.join(twice)}")
        return skus

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
    #: One line each (file, field, value, problem): copy that fits some formats or none (a run
    #: would block those variants), for the CLI to show before it runs.
    warnings: tuple[str, ...] = ()

    @property
    def skus(self) -> list[str]:
        return self.brief.skus if self.brief.skus is not None else self.catalog.skus


# The copy fields written as message templates (the legal line is plain text).
TEMPLATE_FIELDS = ("headline", "subline", "cta", "headline_short", "subline_short")


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
        if copy.subline_short and not copy.subline:
            raise ConfigError(
                brief_path, f"copy.{loc}.subline_short", copy.subline_short, "a short subline needs a subline"
            )


#: Stock counts that reach every CLDR plural category of the shipped locales (zero, one, two,
#: few, many, other), so that each plural form of the copy is tried.
SAMPLE_STOCK = (0, 1, 2, 3, 11, 100, 1000)


def copy_fit_warnings(brief: Brief, brief_path: Path, brand: BrandGuide) -> tuple[str, ...]:
    """A line for each locale's headline or subline that fits some of the brief's formats or none
    at their smallest text size, not even as its short form or hyphenated: a run would leave its
    slot empty and block those variants. Warnings, not errors: the other formats are still made."""
    from pipeline.banner.text import FontStack, MissingGlyphError
    from pipeline.banner.text.preflight import formats_without_fit, text_boxes, words_too_wide
    from pipeline.imaging.imageio import open_image

    logo = open_image(brand.logo_path, "logo")  # load_brand opened it already: it decodes
    aspect = logo.width / logo.height
    stacks = {"headline": FontStack.for_brand(brand, "headline"), "subline": FontStack.for_brand(brand, "body")}
    extra = {"percent": brief.discount.percent} if brief.discount else {}
    warnings: list[str] = []
    for loc in brief.locales:
        info, copy = locale_info(loc), brief.copy_[loc]
        for role in ("headline", "subline"):
            template, short = getattr(copy, role), getattr(copy, f"{role}_short")
            if not template:
                continue
            renderings = list(
                dict.fromkeys(
                    tuple(render_message(t, {"stock": n, **extra}, info) for t in (template, short) if t)
                    for n in SAMPLE_STOCK
                )
            )
            boxes = text_boxes(brand, brief.formats, info, role, aspect)
            try:
                unfit = formats_without_fit(renderings, stacks[role], boxes, info)
            except MissingGlyphError as exc:
                warnings.append(str(ConfigError(brief_path, f"copy.{loc}.{role}", template, str(exc))))
                continue
            if not unfit:
                continue
            if len(unfit) < len(boxes):
                where = f"does not fit {', '.join(unfit)}"
            else:
                words = words_too_wide(renderings[0][0], stacks[role], boxes, info)
                where = "fits no format of the brief" + (
                    f" ({shown(words[0])} is wider than every {role} box)" if words else ""
                )
            fix = f"shorten {role}_short" if short else f"add a {role}_short that fits"
            problem = f"{where} at the smallest text size, not even hyphenated: those variants will be blocked ({fix})"
            warnings.append(str(ConfigError(brief_path, f"copy.{loc}.{role}", template, problem)))
    return tuple(warnings)


@lru_cache(maxsize=8)
def prompt_environment(prompts_dir: Path) -> ImmutableSandboxedEnvironment:
    """The one Jinja2 environment scene prompts render in: sandboxed (no attribute games, no
    mutation of the objects a template is given), strict about undefined names."""
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(prompts_dir), undefined=jinja2.StrictUndefined, autoescape=False
    )


#: Longest scene prompt a template may produce (a diffusion prompt is read up to 77 tokens).
MAX_PROMPT_CHARS = 4000


def render_scene_template(prompts_dir: Path, scene: Scene, product: str, brand: BrandGuide) -> str:
    """A scene's prompt template rendered in the immutable sandbox (`prompt_environment`).

    What a template may not do (reach Python internals, mutate what it is given, name an
    undefined variable, run past MAX_PROMPT_CHARS) is an `InputError` naming the template.
    """
    style = scene.style or brand.imagery.studio_style
    chunks: list[str] = []
    size = 0
    try:
        template = prompt_environment(prompts_dir).get_template(scene.template)
        for chunk in template.generate(product=product, scene=scene, style=style, brand=brand):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_PROMPT_CHARS:
                raise InputError(f"{prompts_dir / scene.template}: prompt longer than {MAX_PROMPT_CHARS} characters")
    except jinja2.TemplateError as exc:
        problem = one_line(str(exc.message or type(exc).__name__), 200)
        raise InputError(f"{prompts_dir / scene.template}: template refused: {problem}") from None
    return "".join(chunks)


def _trial_render(campaign: Campaign) -> None:
    """Render every scene template once for the first SKU, so a template the sandbox refuses
    (or one naming an undefined variable) stops the run at load, before anything is written."""
    first = next((i for i in campaign.catalog.items if i.sku in campaign.skus), None)
    if first is None:
        return
    for i, scene in enumerate(campaign.brief.scenes):
        try:
            render_scene_template(campaign.prompts_dir, scene, first.title, campaign.brand)
        except InputError as exc:
            raise ConfigError(campaign.brief_path, f"scenes[{i}].template", scene.template, str(exc)) from None


def _check_templates(brief: Brief, brief_path: Path, prompts_dir: Path) -> None:
    """Each scene's template is a file inside the prompts folder that compiles."""
    for i, scene in enumerate(brief.scenes):
        field = f"scenes[{i}].template"
        if inside(prompts_dir / scene.template, prompts_dir) is None:
            raise ConfigError(brief_path, field, scene.template, f"resolves outside the prompts folder {prompts_dir}")
        if not (prompts_dir / scene.template).is_file():
            raise ConfigError(brief_path, field, scene.template, f"template not found in {prompts_dir}")
        try:
            prompt_environment(prompts_dir).get_template(scene.template)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                brief_path, field, scene.template, f"template error at line {exc.lineno}: {exc.message}"
            ) from None
        except (jinja2.TemplateError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(brief_path, field, scene.template, f"template cannot be read: {exc}") from None


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
    _check_templates(brief, brief_path, prompts_dir)
    first_scene: dict[str, int] = {}
    for i, scene in enumerate(brief.scenes):
        if scene.id in first_scene:
            raise ConfigError(
                brief_path,
                f"scenes[{i}].id",
                scene.id,
                f"scene id used twice (first in scenes[{first_scene[scene.id]}])",
            )
        first_scene[scene.id] = i
        if scene.style is not None and scene.style not in STUDIO_STYLES:
            styles = ", ".join(STUDIO_STYLES[:-1]) + f" or {STUDIO_STYLES[-1]}"
            raise ConfigError(brief_path, f"scenes[{i}].style", scene.style, f"unknown style: {styles}")

    images_root = near_brief(brief.images_root) if brief.images_root else None
    if images_root is not None and not images_root.is_dir():
        raise ConfigError(brief_path, "images_root", brief.images_root, f"folder not found ({images_root})")
    catalog = load_catalog(
        near_brief(brief.catalog),
        near_brief(brief.price_history) if brief.price_history else None,
        images_root=images_root,
        extra_currencies=brand.extra_currencies,
        dates=(brief.starts, brief.ends),
    )
    if brief.skus is not None:
        for i, sku in enumerate(brief.skus):
            if not catalog.has_sku(sku):
                raise ConfigError(brief_path, f"skus[{i}]", sku, f"not in the catalog {catalog.path.name}")
    campaign = Campaign(
        brief_path.resolve(), brief, brand, catalog, prompts_dir, warnings=copy_fit_warnings(brief, brief_path, brand)
    )
    _trial_render(campaign)
    return campaign

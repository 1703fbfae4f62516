"""Per-format copy in the brief (headline_short, subline_short) and the load-time warning for copy
that can fit no format."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.errors import ConfigError
from pipeline.model.campaign import load_campaign
from tests.helpers import PROMPTS, copy_demo, edit_yaml

COMPOUND = "Wanderausrüstungsschnäppchenwochen"
# one Arabic "word" longer than the medium rectangle's headline box at 10 px (Arabic is never hyphenated)
AR_LONG = "بالاستراتيجياتوالمستلزماتالشتويةالدافئة"


def with_copy(tmp_path: Path, loc: str, **fields: str) -> Path:
    brief = copy_demo(tmp_path)
    edit_yaml(brief, lambda d: d["copy"][loc].update(fields))
    return brief


def test_short_copy_loads_and_the_demo_brief_loads_without_warnings(tmp_path: Path):
    brief = with_copy(tmp_path, "de-DE", headline_short="Winterlieblinge", subline_short="Für kalte Tage")
    campaign = load_campaign(brief, PROMPTS)
    assert campaign.brief.copy_["de-DE"].headline_short == "Winterlieblinge"
    assert campaign.warnings == ()


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"headline_short": "{stock, plural, one {Nur #}}"}, "headline_short", "no 'other' branch"),
        ({"subline_short": "Nur {stok} Stück"}, "subline_short", "unknown variable {stok}"),
        ({"subline": "", "subline_short": "Für kalte Tage"}, "subline_short", "needs a subline"),
    ],
)
def test_bad_short_copy_is_a_one_line_config_error(tmp_path: Path, fields, field, problem):
    brief = with_copy(tmp_path, "de-DE", **fields)
    with pytest.raises(ConfigError) as info:
        load_campaign(brief, PROMPTS)
    assert (info.value.file, info.value.field) == (str(brief), f"copy.de-DE.{field}")
    assert problem in info.value.problem and "\n" not in str(info.value)


def test_copy_that_fits_some_formats_only_is_a_warning_naming_them(tmp_path: Path):
    brief = with_copy(tmp_path, "ar-AE", headline=AR_LONG)
    (warning,) = load_campaign(brief, PROMPTS).warnings
    assert warning.startswith(f"{brief}: copy.ar-AE.headline: '{AR_LONG}': does not fit medium-rectangle ")
    assert "add a headline_short that fits" in warning and "\n" not in warning


def test_copy_that_fits_no_format_names_the_word_too_wide(tmp_path: Path):
    word = "冬" * 60  # one BudouX phrase: Japanese breaks between phrases only
    brief = with_copy(tmp_path, "ja-JP", headline=word, headline_short=word)
    (warning,) = load_campaign(brief, PROMPTS).warnings
    assert f"copy.ja-JP.headline: '{word}': fits no format of the brief ('{word}' is wider than every" in warning
    assert "shorten headline_short" in warning


def test_a_short_headline_that_fits_silences_the_warning(tmp_path: Path):
    brief = with_copy(tmp_path, "ar-AE", headline=AR_LONG, headline_short="أساسيات الشتاء")
    assert load_campaign(brief, PROMPTS).warnings == ()


def test_a_compound_that_hyphenates_everywhere_needs_no_warning(tmp_path: Path):
    brief = with_copy(tmp_path, "de-DE", headline=COMPOUND)
    assert load_campaign(brief, PROMPTS).warnings == ()


@pytest.mark.slow
def test_the_short_headline_is_drawn_recorded_and_claim_checked(tmp_path: Path):
    from pipeline.imaging.products import prepare_product
    from pipeline.regenerate import regenerate_variant
    from pipeline.render import plan_variants, render_variant
    from pipeline.scene.studio import StudioBackend

    # "Schnäppchen" is a banned word of the demo brand in de-DE: the short copy is checked too
    brief = with_copy(tmp_path, "de-DE", headline=COMPOUND, headline_short="Schnäppchenwochen")
    campaign = load_campaign(brief, PROMPTS)
    logo = Image.open(campaign.brand.logo_path).convert("RGBA")
    product, _ = prepare_product("B07GTFSCHB", campaign.catalog.images("B07GTFSCHB"))
    assert product is not None
    plans, _ = plan_variants(campaign, "B07GTFSCHB")
    for fmt, drawn in (("medium-rectangle", "Schnäppchenwochen"), ("square", COMPOUND)):
        plan = next(p for p in plans if p.locale == "de-DE" and p.format_id == fmt)
        variant = render_variant(campaign, product, plan, StudioBackend(), logo)
        assert variant.lineage.copy_.headline == drawn
        assert [b.text for b in variant.lineage.text_blocks if b.role == "headline"] == [drawn]
        tone = [r for r in variant.report.results if r.check == "copy.tone"]
        assert any("headline_short" in r.message and "Schnäppchen" in r.message for r in tone)
        # the lineage alone rebuilds it: the drawn headline is recorded, whichever was drawn
        rebuilt = regenerate_variant(fmt, variant.lineage, variant.png, product.cutout, campaign.brand, StudioBackend())
        assert rebuilt.identical, rebuilt.summary()


def test_the_copy_checks_read_the_short_copy_too():
    from datetime import date

    from pipeline.checks.copy import check_copy
    from pipeline.model.brand import load_brand
    from pipeline.model.locales import locale_info
    from tests.helpers import DEMO_BRAND

    brand = load_brand(DEMO_BRAND)
    de = locale_info("de-DE")
    texts = {"headline": COMPOUND, "headline_short": "Schnäppchenwochen", "cta": "Jetzt entdecken"}
    results = check_copy({**texts, "legal": brand.tone.disclaimers["de-DE"]}, de, brand, sku=None, on=date(2026, 12, 1))
    assert any(r.check == "copy.tone" and r.message.startswith("headline_short 'Schnäppchen") for r in results)

"""The channel format catalog and the display-unit layouts (leaderboard, medium rectangle)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.banner.compose import compose_banner
from pipeline.banner.layout import aspect_family
from pipeline.model.brand import BrandGuide, ChannelFormat
from pipeline.model.formats import catalog, resolve_format_entry
from pipeline.model.locales import locale_info
from tests.pipeline.banner.test_compose import (
    BRAND,
    LOGO,
    banner_copy,
    layout_for,
    scene_for,
)

ISSUE_SIZES = {(1080, 1080), (1080, 1350), (1080, 1920), (1920, 600), (728, 90), (300, 250), (1200, 628)}


def fmt(fid: str, **override) -> ChannelFormat:
    return ChannelFormat(**resolve_format_entry({"id": fid, **override}))


def test_catalog_ships_every_format_of_the_issue_as_valid_formats():
    formats = [ChannelFormat(**entry) for entry in catalog().values()]
    assert {f.size for f in formats} >= ISSUE_SIZES
    story = fmt("story")
    assert story.safe_zone.top >= 0.14 * 1920 and story.safe_zone.bottom >= 0.2 * 1920
    assert "legal" in fmt("leaderboard").blocks and "subline" not in fmt("leaderboard").blocks


def test_brand_references_catalog_ids_and_overrides_fields():
    data = BRAND.model_dump(exclude={"root"})
    data["formats"] = [
        "square",
        {"id": "story", "min_text_px": 32, "safe_zone": {"top": 300}},
        {"id": "mine", "name": "Own", "width": 640, "height": 640},
    ]
    brand = BrandGuide.model_validate(data)
    story = brand.format_by_id["story"]
    assert story.min_text_px == 32 and story.safe_zone.top == 300 and story.safe_zone.bottom == 384
    assert brand.format_by_id["square"].size == (1080, 1080)
    assert brand.format_by_id["mine"].size == (640, 640)
    assert {"square", "portrait", "story", "hero", "leaderboard"} <= set(BRAND.format_by_id)


def test_unknown_catalog_id_and_bad_blocks_are_refused_with_the_value():
    data = BRAND.model_dump(exclude={"root"})
    with pytest.raises(ValidationError, match="'skyscraper' is not in the catalog"):
        BrandGuide.model_validate({**data, "formats": ["skyscraper"]})
    with pytest.raises(ValidationError, match="blocks must include"):
        fmt("square", blocks=["headline", "logo"])


@pytest.mark.parametrize(
    "fid,family",
    [
        ("leaderboard", "flat"),
        ("medium-rectangle", "small"),
        ("landscape", "wide"),
        ("square", "square"),
        ("story", "tall"),
    ],
)
@pytest.mark.parametrize("code", ["en-US", "ar-AE", "ja-JP"])
def test_display_units_lay_out_and_show_price_prior_price_and_legal(fid, family, code):
    f = fmt(fid)
    assert aspect_family(f) == family
    layout = layout_for(f, code)
    banner = compose_banner(
        scene_for(layout), layout, banner_copy(code), BRAND, locale_info(code), min_text_px=f.min_text_px, logo=LOGO
    )
    assert banner.problems == ()
    roles = {b.role for b in banner.blocks}
    assert {"headline", "price", "prior_price", "discount", "cta", "legal"} <= roles
    assert all(b.size_px >= f.min_text_px for b in banner.blocks)


def test_a_format_without_a_legal_line_blocks_instead_of_dropping_it():
    f = fmt("leaderboard", blocks=["headline", "price", "cta", "logo"])
    layout = layout_for(f, "en-US")
    assert layout.legal is None and "legal" in layout.omits
    banner = compose_banner(
        scene_for(layout),
        layout,
        banner_copy("en-US"),
        BRAND,
        locale_info("en-US"),
        min_text_px=f.min_text_px,
        logo=LOGO,
    )
    assert any("carries no legal line" in p for p in banner.problems)
    # the subline is left out by design on display units: no problem for it
    assert not any("subline" in p for p in banner.problems)

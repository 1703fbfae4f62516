"""Layouts keep copy and logo in the safe zone, off the product, clear of the logo's space."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from pipeline.banner.layout import (
    expand,
    explain_omits,
    inside,
    mirror,
    overlaps,
    plan_layout,
    plan_layout_explained,
    type_scale,
)
from pipeline.errors import ConfigError, LayoutError
from pipeline.model.brand import ChannelFormat, load_brand
from pipeline.model.formats import family_rules
from pipeline.model.locales import locale_info
from tests.helpers import REPO
from tests.pipeline.banner.logos import make_logo

BRAND = load_brand(Path(__file__).resolve().parents[3] / "brand_guides" / "halden")
with Image.open(BRAND.logo_path) as _logo:
    LOGO_ASPECT = _logo.width / _logo.height


def plan(fmt, code):
    return plan_layout(
        fmt,
        locale_info(code),
        logo_aspect=LOGO_ASPECT,
        logo_min_width=BRAND.logo.min_width_px,
        clear_space=BRAND.logo.clear_space,
    )


def safe_rect(fmt):
    sz = fmt.safe_zone
    return sz.left, sz.top, fmt.width - sz.right, fmt.height - sz.bottom


CASES = [(f, code) for f in BRAND.formats for code in ("en-US", "ar-AE")]
IDS = [f"{f.id}-{code}" for f, code in CASES]


@pytest.mark.parametrize(("fmt", "code"), CASES, ids=IDS)
def test_copy_and_logo_stay_in_the_safe_zone_and_off_the_product(fmt, code):
    layout = plan(fmt, code)
    assert layout.canvas == fmt.size
    boxes = layout.overlay_boxes()
    assert {"headline", "price", "cta", "logo"} <= set(boxes)
    for role, box in boxes.items():
        assert inside(box, safe_rect(fmt)), (role, box)
        assert not overlaps(box, layout.product), (role, box, layout.product)
    roles = list(boxes)
    for i, a in enumerate(roles):
        for b in roles[i + 1 :]:
            assert not overlaps(boxes[a], boxes[b]), (a, b)
    assert inside(layout.product, (0, 0, *fmt.size))


@pytest.mark.parametrize(("fmt", "code"), CASES, ids=IDS)
def test_logo_has_its_minimum_width_and_clear_space(fmt, code):
    layout = plan(fmt, code)
    x0, y0, x1, y1 = layout.logo
    assert x1 - x0 >= BRAND.logo.min_width_px
    clear = round(BRAND.logo.clear_space * (y1 - y0))
    keep_out = expand(layout.logo, clear)
    for role, box in {**layout.overlay_boxes(), "product": layout.product}.items():
        if role != "logo":
            assert not overlaps(box, keep_out), role


@pytest.mark.parametrize("fmt", BRAND.formats, ids=[f.id for f in BRAND.formats])
def test_right_to_left_mirrors_the_layout(fmt):
    ltr, rtl = plan(fmt, "en-US"), plan(fmt, "ar-AE")
    assert not ltr.rtl and rtl.rtl
    for role in ("product", "headline", "subline", "price", "cta", "logo", "legal"):
        a, b = getattr(ltr, role), getattr(rtl, role)
        assert (a is None and b is None) or mirror(a, fmt.width) == b, role
    assert ltr.logo[0] < fmt.width / 2 < rtl.logo[2]  # the logo starts where reading starts


def test_each_format_gets_its_aspect_family():
    families = {f.id: plan(f, "en-US").family for f in BRAND.formats}
    assert families == {
        "square": "square",
        "portrait": "portrait",
        "story": "tall",
        "hero": "wide",
        "landscape": "wide",
        "leaderboard": "flat",
        "medium-rectangle": "small",
    }


def test_story_keeps_everything_out_of_the_app_chrome():
    story = BRAND.format_by_id["story"]
    layout = plan(story, "en-US")
    for box in layout.overlay_boxes().values():
        assert box[1] >= 0.14 * story.height and box[3] <= 0.8 * story.height


def test_wide_hero_puts_product_and_copy_side_by_side():
    hero = BRAND.format_by_id["hero"]
    ltr, rtl = plan(hero, "en-US"), plan(hero, "ar-AE")
    assert ltr.product[0] > max(b[2] for b in ltr.overlay_boxes().values())
    assert rtl.product[2] < min(b[0] for b in rtl.overlay_boxes().values())
    assert ltr.product[3] - ltr.product[1] >= 0.8 * hero.height


def test_a_format_too_small_for_the_logo_is_refused():
    tiny = ChannelFormat(id="tiny", name="tiny", width=100, height=100, min_text_px=12)
    with pytest.raises(LayoutError, match="tiny"):
        plan(tiny, "en-US")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"logo_aspect": 0}, "aspect"), ({"logo_min_width": 0}, "minimum width"), ({"clear_space": 3}, "clear space")],
)
def test_bad_logo_parameters_are_refused(kwargs, message):
    args = dict(logo_aspect=LOGO_ASPECT, logo_min_width=120, clear_space=0.25) | kwargs
    with pytest.raises(LayoutError, match=message):
        plan_layout(BRAND.formats[0], locale_info("en-US"), **args)


# --------------------------------------------------------------------------- logo sizing, rhythm, priority


@pytest.mark.parametrize("fmt", BRAND.formats, ids=[f.id for f in BRAND.formats])
@pytest.mark.parametrize("aspect", [1.0, 2.0, 4.45, 6.0])
def test_the_logo_box_is_its_drawn_size_never_below_the_minimum(fmt, aspect):
    """Reserved at the logo's aspect (height rounded to whole pixels) and at least the brand's
    minimum width: the second brand's 4.45:1 logo was fitted by height and drawn 135 px for 140."""
    for minimum in (120, 130, 140):
        try:
            layout = plan_layout(
                fmt, locale_info("en-US"), logo_aspect=aspect, logo_min_width=minimum, clear_space=0.25
            )
        except LayoutError as exc:
            assert aspect == 1.0 and fmt.id in ("leaderboard", "medium-rectangle"), exc
            continue
        x0, y0, x1, y1 = layout.logo
        assert x1 - x0 >= minimum
        assert abs((y1 - y0) - (x1 - x0) / aspect) <= 0.5


TEXT_STACKS = [f for f in BRAND.formats if f.id in ("square", "portrait", "story", "hero", "landscape")]


@pytest.mark.parametrize("fmt", TEXT_STACKS, ids=[f.id for f in TEXT_STACKS])
def test_vertical_gaps_are_the_type_scales_rhythm_unit(fmt):
    layout = plan(fmt, "en-US")
    scale = type_scale(layout.family, layout.canvas, fmt.min_text_px)
    assert layout.subline[1] - layout.headline[3] == scale.rhythm == round(0.8 * scale.subline)
    assert layout.legal[1] - max(layout.price[3], layout.cta[3]) == scale.rhythm


def test_the_rhythm_is_the_same_share_of_the_type_in_every_format():
    shares = set()
    for fmt in BRAND.formats:
        scale = type_scale(plan(fmt, "en-US").family, fmt.size, fmt.min_text_px)
        shares.add(round(scale.rhythm / scale.subline, 1))
    assert shares == {0.8}


def test_a_tall_logo_drops_the_subline_of_a_hero_with_the_reason():
    hero = BRAND.format_by_id["hero"]
    layout, reasons = plan_layout_explained(
        hero, locale_info("en-US"), logo_aspect=1.0, logo_min_width=160, clear_space=0.25
    )
    assert layout.omits == ("subline",) and layout.subline is None
    assert reasons["subline"].startswith("left out first by the wide layout (drop_order: subline)")
    assert "px" in reasons["subline"]
    full = plan(hero, "en-US")
    assert full.omits == () and layout.headline[3] - layout.headline[1] > 0


def test_a_medium_rectangle_drops_by_its_declared_order_and_says_why():
    mr = BRAND.format_by_id["medium-rectangle"]
    assert family_rules("small").drop_order == ("subline", "headline")
    reasons = explain_omits(mr, logo_aspect=LOGO_ASPECT, logo_min_width=120, clear_space=0.25)
    assert reasons == {"subline": "the format does not carry it (its `blocks`)"}
    reasons = explain_omits(mr, logo_aspect=1.0, logo_min_width=100, clear_space=0.25)
    assert set(reasons) == {"subline", "headline"}
    assert reasons["headline"].startswith("left out first by the small layout (drop_order: subline, headline): the ")
    layout = plan_layout(mr, locale_info("ar-AE"), logo_aspect=1.0, logo_min_width=100, clear_space=0.25)
    assert "headline" not in layout.overlay_boxes() and layout.headline[0] == layout.headline[2]


def test_only_the_headline_and_subline_are_ever_dropped():
    for family in ("square", "portrait", "tall", "wide", "flat", "small"):
        assert set(family_rules(family).drop_order) <= {"headline", "subline"}


def test_a_required_legal_line_that_cannot_fit_refuses_the_format_with_the_reason():
    """A 400x64 strip has room for logo, product, price and CTA, but not for the legal line a
    market requires: the layout says so instead of dropping it. Without a legal line it drops the
    subline and then the headline, by its family's declared order, and says why."""
    inset = {"top": 4, "right": 4, "bottom": 4, "left": 4}
    strip = ChannelFormat(id="strip", name="Strip 400x64", width=400, height=64, safe_zone=inset, min_text_px=10)
    short = r"'strip' \(400x64, flat\): the legal line gets \d+ px, it needs at least 200 px wide"
    with pytest.raises(LayoutError, match=short):
        plan(strip, "en-US")
    without_legal = strip.model_copy(update={"blocks": ["headline", "price", "cta", "logo"]})
    layout, reasons = plan_layout_explained(
        without_legal, locale_info("en-US"), logo_aspect=LOGO_ASPECT, logo_min_width=120, clear_space=0.25
    )
    assert layout.omits == ("headline", "subline", "legal")
    assert reasons["legal"] == "the format does not carry it (its `blocks`)"
    assert reasons["headline"].startswith("left out first by the flat layout (drop_order: subline, headline)")
    assert {"price", "cta", "logo"} == set(layout.overlay_boxes())


def test_a_brand_whose_logo_cannot_fit_a_format_is_refused_when_it_loads(tmp_path):
    """Said before any run, naming the format, the logo's size and what to change."""
    brand = tmp_path / "brand"
    shutil.copytree(REPO / "brand_guides" / "halden", brand)
    make_logo(1.0, "mark").save(brand / "logo.png")
    with pytest.raises(ConfigError) as caught:
        load_brand(brand)
    message = str(caught.value)
    assert "brand.yaml: formats[5]: 'leaderboard': cannot be laid out with this logo" in message
    assert "the logo at its minimum width 120 px is 120x120 px, larger than the 716x82 px safe area" in message
    assert "lower logo.min_width_px or leave the format out" in message

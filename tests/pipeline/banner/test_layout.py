"""Layouts keep copy and logo in the safe zone, off the product, clear of the logo's space."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.banner.layout import expand, inside, mirror, overlaps, plan_layout
from pipeline.errors import LayoutError
from pipeline.model.brand import ChannelFormat, load_brand
from pipeline.model.locales import locale_info

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

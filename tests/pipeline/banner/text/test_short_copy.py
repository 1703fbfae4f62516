"""Per-format copy: the short headline is drawn where the headline itself does not fit."""

from __future__ import annotations

from decimal import Decimal

from PIL import Image

from pipeline.banner.compose import BannerCopy, compose_banner
from pipeline.banner.layout import plan_layout
from pipeline.banner.money import format_price
from pipeline.banner.text import fit_text
from pipeline.model.brand import hex_to_rgb
from pipeline.model.locales import LocaleInfo, locale_info

DE = locale_info("de-DE")
FI = LocaleInfo("fi-FI", "fi", "Latn", "ltr", "FI")  # no Finnish hyphenation dictionary
COMPOUND = "Wanderausrüstungsschnäppchenwochen"


def fit(text, stack, shorter, locale=DE):
    return fit_text(text, stack, 144, 66, max_px=22, min_px=10, locale=locale, max_lines=3, shorter=shorter)


def test_the_copy_itself_is_kept_when_it_fits(head):
    f = fit("Warme Wintertage", head, ["Warm"])
    assert f is not None and f.text == "Warme Wintertage"


def test_the_short_copy_is_preferred_to_hyphenating_the_long_one(head):
    f = fit(COMPOUND, head, ["Wanderwochen"])
    assert f is not None and f.text == "Wanderwochen" and f.lines == ("Wanderwochen",)


def test_without_short_copy_the_long_one_is_hyphenated(head):
    f = fit(COMPOUND, head, [""])  # a blank alternative is no alternative
    assert f is not None and f.text == COMPOUND and len(f.lines) > 1


def test_copy_that_fits_neither_way_is_none(head):
    assert fit("Retkeilyvarusteidenkevätalennusmyynti", head, ["Talvikaudenalennusmyyntivarusteet"], FI) is None


def test_the_banner_draws_the_short_headline_and_records_it_as_drawn(brand):
    with Image.open(brand.logo_path) as f:
        logo = f.convert("RGBA")
    fi_short = "Talvialennus"
    copy = BannerCopy(
        headline="Retkeilyvarusteidenkevätalennusmyynti",
        headline_short=fi_short,
        cta="Osta",
        price=format_price(Decimal("24.99"), "EUR", FI),
    )
    for fmt_id, drawn in (("medium-rectangle", fi_short), ("square", copy.headline)):
        fmt = brand.format_by_id[fmt_id]
        layout = plan_layout(
            fmt,
            FI,
            logo_aspect=logo.width / logo.height,
            logo_min_width=brand.logo.min_width_px,
            clear_space=brand.logo.clear_space,
        )
        scene = Image.new("RGB", fmt.size, hex_to_rgb(brand.palette.background))
        banner = compose_banner(scene, layout, copy, brand, FI, min_text_px=fmt.min_text_px, logo=logo)
        block = banner.block("headline")
        assert block is not None and block.text == drawn, fmt_id
        assert not any("headline" in p for p in banner.problems)

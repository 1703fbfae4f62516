"""Text renders right in every script: no boxes, joined right-to-left Arabic, sensible breaks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import budoux
import numpy as np
import pytest
import uharfbuzz as hb
from PIL import Image, ImageDraw, ImageFont, features

from pipeline.banner.money import format_price
from pipeline.banner.text import (
    FontStack,
    MissingGlyphError,
    bidi_levels,
    draw_fit,
    fit_text,
    split_units,
    text_covered,
    wrap_text,
)
from pipeline.errors import FontError
from pipeline.model.brand import load_brand
from pipeline.model.locales import locale_info

BRAND_DIR = Path(__file__).resolve().parents[3] / "brand_guides" / "halden"
INK = (27, 27, 27)

# headline + price per locale; he-IL on purpose mixes Hebrew letters (Hebrew font) with digits
# (which NotoSansHebrew lacks).
SAMPLES = {
    "en-US": ("Winter essentials, warmly priced", "24.99", "USD"),
    "de-DE": ("Winterlieblinge zum kleinen Preis", "7.99", "EUR"),
    "fr-FR": ("Les essentiels de l'hiver à petit prix", "12.50", "EUR"),
    "ar-AE": ("أساسيات الشتاء بأسعار دافئة", "99", "AED"),
    "he-IL": ("מבצע חורף: 20% הנחה על הכל", "99.90", "ILS"),
    "ja-JP": ("冬の定番を、うれしい価格で", "2980", "JPY"),
    "zh-CN": ("冬季必备，温暖价格", "199", "CNY"),
    "ko-KR": ("겨울 필수품을 따뜻한 가격에", "29000", "KRW"),
    "hi-IN": ("सर्दियों की ज़रूरतें, गर्म कीमतों पर", "1299", "INR"),
}


@pytest.fixture(scope="module")
def brand():
    return load_brand(BRAND_DIR)


@pytest.fixture(scope="module")
def head(brand):
    return FontStack.for_brand(brand, "headline")


def canvas(w=1000, h=300):
    return Image.new("RGB", (w, h), (244, 241, 234))


def test_pillow_has_raqm():
    assert features.check("raqm"), "Pillow needs libraqm + FriBiDi for Arabic, Hebrew and Indic text"


# --------------------------------------------------------------------------- coverage / .notdef


@pytest.mark.parametrize("code", list(SAMPLES))
def test_headline_and_price_render_without_a_missing_glyph(head, code):
    locale = locale_info(code)
    headline, amount, currency = SAMPLES[code]
    text = f"{headline} {format_price(Decimal(amount), currency, locale)}"
    assert text_covered(text, head)

    # every run shaped by HarfBuzz with its own font: no glyph 0 (.notdef, drawn as a box)
    for run, index in head.split_runs(text):
        path, face = head.fonts[index]
        font = hb.Font(hb.Face(hb.Blob.from_file_path(str(path)), face))
        buf = hb.Buffer()
        buf.add_str(run)
        buf.guess_segment_properties()
        hb.shape(font, buf)
        assert all(g.codepoint != 0 for g in buf.glyph_infos), (code, run, path.name)

    fit = fit_text(text, head, 900, 260, max_px=64, min_px=16, locale=locale, max_lines=3)
    assert fit is not None
    _, mask = draw_fit(canvas(), fit, (50, 20, 950, 280), INK, align="start", locale=locale)
    assert mask.sum() > 1000


def test_hebrew_digits_fall_back_to_a_font_that_has_them(head):
    runs = head.split_runs("מבצע 20% הנחה")
    fonts = {text.strip(): head.fonts[i][0].name for text, i in runs}
    assert fonts["מבצע"] == "NotoSansHebrew-Bold.ttf"
    digits = next(name for text, name in fonts.items() if "20" in text)
    assert digits != "NotoSansHebrew-Bold.ttf"
    assert "".join(t for t, _ in runs) == "מבצע 20% הנחה"


def test_spaces_and_punctuation_stay_in_the_surrounding_run(head):
    assert len(head.split_runs("冬の定番を、うれしい価格で")) == 1
    assert len(head.split_runs("أساسيات الشتاء، بأسعار دافئة")) == 1


def test_a_character_no_font_has_is_an_error_naming_it(brand):
    latin_only = FontStack([(brand.font_path(brand.typography.headline), 0)])
    with pytest.raises(MissingGlyphError) as err:
        latin_only.split_runs("Sale 日本")
    assert "'日'" in str(err.value) and "NotoSans-Bold.ttf" in str(err.value)
    assert not text_covered("สวัสดี", FontStack.for_brand(brand, "headline"))


def test_a_bad_font_file_or_face_is_refused(tmp_path, brand):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("hello")
    with pytest.raises(FontError, match="not a font"):
        FontStack([(not_a_font, 0)])
    with pytest.raises(FontError, match="face_index 3"):
        FontStack([(brand.font_path(brand.typography.headline), 3)])
    with pytest.raises(FontError, match="font file not found"):
        FontStack([(tmp_path / "missing.ttf", 0)])


# --------------------------------------------------------------------------- right to left


def test_arabic_is_shaped_and_drawn_right_to_left(head):
    ar = locale_info("ar-AE")
    text = "أساسيات الشتاء"
    box = (20, 20, 980, 180)
    fit = fit_text(text, head, 960, 160, max_px=90, min_px=20, locale=ar, max_lines=1)
    assert fit is not None
    raqm_img, mask = draw_fit(canvas(1000, 200), fit, box, INK, align="start", locale=ar)
    assert mask.any()

    # Pillow's BASIC engine neither joins nor reorders: the proper rendering must differ
    arabic_font = head.fonts[head.split_runs(text)[0][1]][0]
    basic = ImageFont.truetype(str(arabic_font), fit.size_px, layout_engine=ImageFont.Layout.BASIC)
    basic_img = canvas(1000, 200)
    ImageDraw.Draw(basic_img).text((980, 100), text, font=basic, fill=INK, anchor="rs")
    assert not np.array_equal(np.asarray(raqm_img), np.asarray(basic_img))

    # 'start' is the right edge, and the first logical word is the rightmost one
    xs = np.nonzero(mask.any(axis=0))[0]
    assert 960 <= xs.max() < 980 and xs.min() > 300
    first = fit_text("أساسيات", head, 960, 160, max_px=fit.size_px, min_px=fit.size_px, locale=ar, max_lines=1)
    _, first_mask = draw_fit(canvas(1000, 200), first, box, INK, align="start", locale=ar)
    fx = np.nonzero(first_mask.any(axis=0))[0]
    assert fx.max() >= xs.max() - 2 and fx.min() > xs.min() + 150  # the right part of the line
    region = mask[:, fx.min() : fx.max() + 1]
    overlap = (region & first_mask[:, fx.min() : fx.max() + 1]).sum() / first_mask.sum()
    assert overlap > 0.9


def _left_aligned_mask(text, stack, code, size):
    locale = locale_info(code)
    fit = fit_text(text, stack, 960, 160, max_px=size, min_px=size, locale=locale, max_lines=1)
    assert fit is not None
    align = "end" if locale.rtl else "start"  # both: flush left
    return draw_fit(canvas(1000, 200), fit, (20, 20, 980, 180), INK, align=align, locale=locale)[1]


@pytest.mark.parametrize(
    ("code", "line", "left_part"),
    [
        ("ar-AE", "خصم HALDEN", "HALDEN"),  # two fonts: Latin brand name inside Arabic
        ("he-IL", "מבצע 20%", "20%"),  # Hebrew font + digits from the next font
    ],
)
def test_mixed_font_line_is_laid_out_in_visual_order(head, code, line, left_part):
    assert len(head.split_runs(line)) > 1
    full = _left_aligned_mask(line, head, code, 60)
    part = _left_aligned_mask(left_part, head, "en-US", 60)
    assert (full & part).sum() / part.sum() > 0.9


def test_bidi_levels_follow_the_unicode_algorithm():
    assert bidi_levels("abc אבג", 0) == [0, 0, 0, 0, 1, 1, 1]
    assert bidi_levels("אבג 123", 1) == [1, 1, 1, 1, 2, 2, 2]
    assert bidi_levels("عرض ١٢", 1) == [1, 1, 1, 1, 2, 2]
    assert bidi_levels("-20%", 1) == [1, 2, 2, 2]


def test_number_only_label_keeps_its_minus_sign_in_front_in_rtl(head):
    rtl = _left_aligned_mask("-20%", head, "ar-AE", 60)
    ltr = _left_aligned_mask("-20%", head, "en-US", 60)
    assert np.array_equal(rtl, ltr)


# --------------------------------------------------------------------------- line breaking


def test_japanese_wraps_at_budoux_phrase_boundaries(head):
    ja = locale_info("ja-JP")
    text = "冬の定番を、うれしい価格で"
    phrases = budoux.load_default_japanese_parser().parse(text)
    boundaries = set(np.cumsum([len(p) for p in phrases]).tolist())
    fit = fit_text(text, head, 330, 600, max_px=60, min_px=60, locale=ja, max_lines=5)
    assert fit is not None and len(fit.lines) >= 2
    assert "".join(fit.lines) == text
    ends = np.cumsum([len(line) for line in fit.lines]).tolist()
    assert set(ends) <= boundaries


def test_korean_and_alphabetic_scripts_wrap_at_spaces_only(head):
    for code, text in [("ko-KR", "겨울 필수품을 따뜻한 가격에"), ("de-DE", "Winterlieblinge zum kleinen Preis")]:
        locale = locale_info(code)
        lines = wrap_text(text, head, 48, 420, locale)
        assert lines is not None and len(lines) >= 2
        assert " ".join(lines) == text


def test_no_break_space_in_a_price_is_never_broken(head):
    de = locale_info("de-DE")
    text = f"Nur {format_price(Decimal('1234.50'), 'EUR', de)}"
    units = split_units(text, de)
    assert units == ["Nur ", "1.234,50\xa0€"]


def test_a_word_wider_than_the_box_is_never_cut_only_hyphenated_where_a_dictionary_allows(head):
    en, ar = locale_info("en-US"), locale_info("ar-AE")
    assert wrap_text("Unbreakableword", head, 48, 100, en) is None  # not asked to hyphenate: no break
    fit = fit_text("Supercalifragilistic", head, 120, 400, max_px=40, min_px=30, locale=en, max_lines=4)
    assert fit is not None and len(fit.lines) > 1
    assert all(line.endswith("\u2010") for line in fit.lines[:-1])
    assert "".join(line.rstrip("\u2010") for line in fit.lines) == "Supercalifragilistic"
    # Arabic has no hyphenation: a word wider than the box does not fit
    assert fit_text("بالاستراتيجيات", head, 60, 400, max_px=40, min_px=30, locale=ar, max_lines=4) is None


def test_absurdly_long_copy_does_not_fit(head):
    en = locale_info("en-US")
    assert fit_text("warm " * 400, head, 600, 200, max_px=80, min_px=20, locale=en, max_lines=3) is None


def test_fit_is_the_largest_size_that_fits_and_stays_inside_the_box(head):
    en = locale_info("en-US")
    fit = fit_text("Winter essentials, warmly priced", head, 500, 220, max_px=120, min_px=12, locale=en, max_lines=3)
    assert fit is not None and 12 < fit.size_px < 120
    assert fit.width <= 500 and fit.height <= 220 and len(fit.lines) <= 3
    assert (
        fit_text(
            "Winter essentials, warmly priced",
            head,
            500,
            220,
            max_px=fit.size_px + 4,
            min_px=fit.size_px + 1,
            locale=en,
            max_lines=3,
        )
        is None
    )


def test_balanced_headline_has_no_orphan(head):
    ar = locale_info("ar-AE")
    fit = fit_text(
        "أساسيات الشتاء بأسعار دافئة", head, 952, 215, max_px=96, min_px=28, locale=ar, max_lines=3, balance=True
    )
    assert fit is not None and len(fit.lines) == 2
    assert all(len(line.split()) == 2 for line in fit.lines)


# --------------------------------------------------------------------------- drawing


def test_glyphs_get_the_exact_colour_and_stay_in_the_box(head):
    en = locale_info("en-US")
    fit = fit_text("Shop now", head, 400, 120, max_px=80, min_px=20, locale=en, max_lines=1)
    box = (100, 50, 500, 170)
    img, mask = draw_fit(canvas(600, 220), fit, box, (31, 78, 95), align="center", locale=en)
    pixels = np.asarray(img)[mask]
    exact = np.all(pixels == (31, 78, 95), axis=1).mean()
    assert exact > 0.5  # the glyph interiors; the rest is anti-aliasing
    ys, xs = np.nonzero(mask)
    assert box[0] <= xs.min() and xs.max() < box[2] and box[1] <= ys.min() and ys.max() < box[3]
    outside = np.asarray(img).copy()
    outside[mask] = (244, 241, 234)
    assert np.all(outside == (244, 241, 234))  # nothing drawn except the glyphs


def test_draw_refuses_a_box_the_text_was_not_fitted_to(head):
    en = locale_info("en-US")
    fit = fit_text("Shop now", head, 400, 120, max_px=80, min_px=20, locale=en, max_lines=1)
    with pytest.raises(ValueError, match="does not fit"):
        draw_fit(canvas(), fit, (0, 0, 100, 40), INK, align="start", locale=en)

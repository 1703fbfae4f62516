"""The misleading-claims copy checker, as a designer meets it: what is held back, why, and what passes."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.checks.claims import (
    CATEGORIES,
    ClaimFinding,
    CopyContext,
    find_claims,
    normalise,
)
from pipeline.checks.results import Verdict
from pipeline.model.brand import Claim
from pipeline.model.catalog import CatalogItem, PricePoint
from pipeline.model.locales import locale_info

ON = date(2025, 11, 20)  # a Thursday
REPO = Path(__file__).resolve().parents[4]


def ctx(code: str = "en-GB", **kw) -> CopyContext:
    return CopyContext(locale=locale_info(code), on=kw.pop("on", ON), **kw)


def item(
    price: str = "80.00",
    prior: str | None = "100.00",
    stock: int = 50,
    since: date = date(2025, 9, 1),
    market: str = "GB",
) -> CatalogItem:
    history = (PricePoint(since, Decimal(prior)),) if prior else ()
    return CatalogItem("MUG-1", market, "Mug", Decimal(price), "EUR", stock, (), history)


def claim(category: str, text: str, markets=("*",), expires=date(2099, 1, 1), **kw) -> Claim:
    return Claim(
        id=f"c-{category}",
        category=category,
        text=text,
        evidence="report.pdf",
        markets=list(markets),
        expires=expires,
        **kw,
    )


def rules(text: str, c: CopyContext | None = None) -> list[str]:
    return [f.rule for f in find_claims(text, c or ctx())]


def cats(text: str, c: CopyContext | None = None) -> set[str]:
    return {f.category for f in find_claims(text, c or ctx())}


def only(text: str, c: CopyContext | None = None) -> ClaimFinding:
    found = find_claims(text, c or ctx())
    assert len(found) == 1, found
    return found[0]


# --- normalisation and spans ------------------------------------------------------------------


def test_normalise_unifies_lookalikes_and_maps_back():
    text = "ＣＯ₂\u00a0neutral eco\u2011friendly\u200b \u0661\u0662\u066a"
    norm, index = normalise(text)
    assert norm == "co2 neutral eco-friendly 12%"
    assert len(index) == len(norm) + 1 and index[-1] == len(text)
    assert text[index[norm.index("eco")] :].startswith("eco")


def test_normalise_strips_harakat_niqqud_tatweel_and_soft_hyphens():
    assert normalise("مُقَوٍّ لِلْمَنَاعَة")[0] == "مقو للمناعة"
    assert normalise("صديـــق")[0] == "صديق"
    assert normalise("מְחַזֵּק")[0] == "מחזק"
    assert normalise("Klima\u00adneutral")[0] == "klimaneutral"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Our new \uff25\uff43\uff4f\uff0d\uff46\uff52\uff49\uff45\uff4e\uff44\uff4c\uff59 mug",
            "\uff25\uff43\uff4f\uff0d\uff46\uff52\uff49\uff45\uff4e\uff44\uff4c\uff59",
        ),
        ("Now \u200bfree\u200b shipping!", "free"),
        ("CO\u2082-neutral shipping", "CO\u2082-neutral"),
        ("So e\u0301cologique !", "e\u0301cologique"),  # decomposed accent
    ],
)
def test_spans_point_at_the_original_text(text, expected):
    f = find_claims(text, ctx("fr-FR" if "cologique" in text else "en-GB"))[0]
    assert text[f.span[0] : f.span[1]] == f.matched == expected


def test_every_finding_is_well_formed():
    text = "SALE -30% · Free shipping · Only 2 left · Ends Sunday · Eco-friendly · #1 · Made in Italy · Detox"
    found = find_claims(text, ctx())
    assert {f.category for f in found} >= {
        "price",
        "free",
        "scarcity",
        "urgency",
        "environmental",
        "superlative",
        "origin",
        "health",
    }
    for f in found:
        assert f.category in CATEGORIES and f.severity in (Verdict.NEEDS_REVIEW, Verdict.BLOCKED)
        assert f.message.endswith(".") and "\n" not in f.message and f.matched in f.message
        assert text[f.span[0] : f.span[1]] == f.matched


def test_clean_copy_passes_and_empty_copy_is_fine():
    assert find_claims("Soft linen for long summer nights", ctx()) == []
    assert find_claims("", ctx()) == []


# --- price: announced reductions against the 30-day prior price -------------------------------


def test_reduction_without_catalog_item_or_history_is_blocked():
    f = only("-20% on all mugs")
    assert (f.rule, f.severity, f.matched) == ("price.no_history", Verdict.BLOCKED, "-20%")
    assert only("-20% on all mugs", ctx(item=item(prior=None), sku="MUG-1")).rule == "price.no_history"
    short = item(since=date(2025, 11, 1))  # history starts inside the 30-day window
    assert only("20 % Rabatt", ctx("de-DE", item=short)).rule == "price.no_history"


def test_reduction_is_checked_against_the_prior_price():
    assert rules("-20% on all mugs", ctx(item=item("80.00"))) == []
    f = only("Save 30% on mugs", ctx(item=item("80.00")))
    assert f.rule == "price.reduction_overstated" and "20.0 %" in f.message
    assert rules("Up to 40% off", ctx(item=item("80.00"))) == ["price.reduction_overstated"]
    assert rules("20% off everything", ctx(item=item("100.00"))) == ["price.no_reduction"]
    assert rules("Sale", ctx(item=item("90.00"))) == []


def test_reduction_from_the_brief_is_checked_too():
    f = only("Winter warmers", ctx(item=item("80.00"), announced_percent=30))
    assert f.rule == "price.reduction_overstated" and f.span == (0, 0)


@pytest.mark.parametrize(
    "text, code",
    [
        ("20\u202f% Rabatt auf alles", "de-DE"),
        ("Jusqu'\u00e0 -30\u00a0% sur la literie", "fr-FR"),
        ("Rebajas de invierno", "es-ES"),
        ("\u5168\u54c120%OFF", "ja-JP"),
        ("\u062e\u0635\u0645 \u0662\u0660\u066a", "ar-AE"),
        ("\u5168\u573a8\u6298", "zh-CN"),
        ("20% \ud560\uc778", "ko-KR"),
        ("20% \u05d4\u05e0\u05d7\u05d4", "he-IL"),
        ("20% \u091b\u0942\u091f", "hi-IN"),
        ("\uff53\uff41\uff56\uff45 \uff12\uff10\uff05", "en-US"),
    ],
)
def test_reductions_in_every_language_need_history(text, code):
    assert "price" in cats(text, ctx(code))


def test_percentages_that_are_not_reductions_pass():
    for text in (
        "100% cotton, 0% compromise",
        "30% more coffee",
        "Made from 70% recycled wool",
        "Bis zu 50 % schneller trocken",
        "Save time with our one-pot pan",
        "\u00c9conomisez du temps",
    ):
        assert rules(text, ctx("fr-FR" if "\u00c9co" in text else "de-DE" if "Bis" in text else "en-GB")) == [], text


# --- reference prices -------------------------------------------------------------------------


def test_reference_price_must_equal_the_prior_price():
    assert rules("Was \u20ac49, now \u20ac29", ctx(item=item("29.00", "49.00"))) == []
    f = only("Was \u20ac49, now \u20ac29", ctx(item=item("29.00", "39.00")))
    assert f.rule == "reference_price.mismatch" and "39.00" in f.message
    assert rules("Statt 49,99\u00a0\u20ac nur 29,99\u00a0\u20ac", ctx("de-DE", item=item("29.99", "49.99"))) == []
    assert rules("Was \u20ac49, now \u20ac25", ctx(item=item("29.00", "49.00"))) == ["reference_price.current_mismatch"]


def test_reference_price_without_data_is_blocked_and_rrp_goes_to_review():
    assert rules("Au lieu de 59\u00a0\u20ac", ctx("fr-FR")) == ["reference_price.no_history"]
    f = only("RRP \u00a380 \u2013 now \u00a349", ctx(item=item("49.00", "80.00")))
    assert (f.rule, f.severity) == ("reference_price.rrp", Verdict.NEEDS_REVIEW)
    assert rules("It was love at first sip") == []


# --- urgency ----------------------------------------------------------------------------------


def test_deadline_after_campaign_end_is_blocked():
    f = only("Offer ends 7 December", ctx(campaign_ends=date(2025, 11, 30)))
    assert (f.rule, f.severity, f.matched) == ("urgency.deadline_after_campaign", Verdict.BLOCKED, "ends 7 December")
    assert rules("Jusqu'au 7 d\u00e9cembre", ctx("fr-FR", campaign_ends=date(2025, 11, 30))) == [
        "urgency.deadline_after_campaign"
    ]
    assert rules("Until 12/15", ctx("en-US", campaign_ends=date(2025, 11, 30))) == ["urgency.deadline_after_campaign"]
    assert rules("12\u670815\u65e5\u307e\u3067", ctx("ja-JP", campaign_ends=date(2025, 11, 30))) == [
        "urgency.deadline_after_campaign"
    ]


def test_real_deadlines_pass():
    ends = date(2025, 11, 30)
    for text, code in [
        ("Offer ends 30 November", "en-GB"),
        ("Nur bis 30.11.", "de-DE"),
        ("Hasta el domingo 30 de noviembre", "es-ES"),
        ("\u062d\u062a\u0649 30 \u0646\u0648\u0641\u0645\u0628\u0631", "ar-AE"),
        ("11\u670830\u65e5\u307e\u3067", "ja-JP"),
    ]:
        assert rules(text, ctx(code, campaign_ends=ends)) == [], text
    assert rules("Ends Sunday", ctx(campaign_ends=date(2025, 11, 23))) == []


def test_unverifiable_or_misleading_urgency_goes_to_review():
    assert rules("Last chance!") == ["urgency.unverified"]
    assert rules("Nur heute!", ctx("de-DE")) == ["urgency.no_campaign_end"]
    assert rules("Today only", ctx(campaign_ends=date(2025, 11, 30))) == ["urgency.deadline_before_campaign_end"]
    assert rules("Last chance", ctx(campaign_ends=date(2026, 1, 30))) == ["urgency.not_imminent"]
    assert rules("Last chance", ctx(campaign_ends=date(2025, 11, 22))) == []
    assert rules("For a limited time", ctx(campaign_ends=date(2026, 1, 30))) == []
    assert rules("Deal ends at midnight \u2014 every day", ctx(campaign_ends=date(2025, 11, 30))) == [
        "urgency.recurring"
    ]
    assert rules("Ends in 3 days", ctx(campaign_ends=date(2025, 11, 23))) == []


# --- scarcity ---------------------------------------------------------------------------------


def test_stock_claims_must_match_live_stock():
    f = only("Only 3 left!", ctx(item=item(stock=25)))
    assert (f.rule, f.severity) == ("scarcity.stock_mismatch", Verdict.BLOCKED) and "25" in f.message
    assert rules("Only 3 left!", ctx(item=item(stock=3))) == []
    assert rules("Only 3 left!") == ["scarcity.no_stock"]
    assert rules("Only 5 left", ctx(item=item(stock=0))) == ["scarcity.sold_out"]
    assert rules("Nur noch 2 St\u00fcck", ctx("de-DE", item=item(stock=12))) == ["scarcity.stock_mismatch"]
    assert rules("\u6b8b\u308a3\u70b9", ctx("ja-JP", item=item(stock=10))) == ["scarcity.stock_mismatch"]
    assert rules("only THREE left", ctx(item=item(stock=10))) == ["scarcity.stock_mismatch"]


def test_vague_scarcity_needs_low_stock():
    assert rules("Selling fast") == ["scarcity.unverified"]
    assert rules("Selling fast", ctx(item=item(stock=5))) == []
    assert rules("Almost gone", ctx(item=item(stock=40))) == ["scarcity.not_low"]
    for text in ("Limited edition colours", "While stocks last", "Only 3 ingredients", "Left-handed? We've got you."):
        assert rules(text) == [], text


# --- free -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("Free shipping", "en-GB"),
        ("Fr33 shipping", "en-GB"),
        ("F R E E shipping", "en-GB"),
        ("\uff46\uff52\uff45\uff45 shipping", "en-US"),
        ("Shipping's on us", "en-US"),
        ("Kostenloser Versand", "de-DE"),
        ("Versandkostenfrei", "de-DE"),
        ("Livraison offerte", "fr-FR"),
        ("Env\u00edo gratis", "es-ES"),
        ("\u9001\u6599\u7121\u6599", "ja-JP"),
        ("\u514d\u8d39\u9001\u8d27", "zh-CN"),
        ("\ubb34\ub8cc \ubc30\uc1a1", "ko-KR"),
        ("\u0634\u062d\u0646 \u0645\u062c\u0627\u0646\u064a", "ar-AE"),
        ("\u05de\u05e9\u05dc\u05d5\u05d7 \u05d7\u05d9\u05e0\u05dd", "he-IL"),
        ("\u092e\u0941\u092b\u093c\u094d\u0924 \u0921\u093f\u0932\u0940\u0935\u0930\u0940", "hi-IN"),
    ],
)
def test_free_offers_need_conditions_on_the_banner(text, code):
    assert rules(text, ctx(code)) == ["free.no_conditions"]


def test_free_with_conditions_passes_and_terms_apply_is_not_a_condition():
    for text, code in [
        ("Free shipping on orders over \u20ac50", "en-GB"),
        ("Free returns within 30 days", "en-GB"),
        ("Buy 2, get 1 free", "en-US"),
        ("Kostenloser Versand ab 50\u00a0\u20ac", "de-DE"),
        ("Livraison gratuite d\u00e8s 60\u00a0\u20ac", "fr-FR"),
        ("\u9001\u6599\u7121\u6599\uff085,000\u5186\u4ee5\u4e0a\uff09", "ja-JP"),
        (
            "شحن مجاني للطلبات فوق 200 درهم",
            "ar-AE",
        ),
    ]:
        assert rules(text, ctx(code)) == [], text
    f = only("FREE delivery* *T&Cs apply")
    assert f.rule == "free.no_conditions" and "not enough" in f.message


@pytest.mark.parametrize(
    "text, code",
    [
        ("Free your evenings", "en-GB"),
        ("Sugar-free and delicious", "en-GB"),
        ("Gluten free, full of flavour", "en-GB"),
        ("Hands-free cooking", "en-US"),
        ("Feel free to mix and match", "en-GB"),
        ("Carefree summer days", "en-GB"),
        ("Freedom to move", "en-US"),
        ("Set yourself free", "en-GB"),
        ("Free-standing lamp", "en-GB"),
        ("Frei von Parabenen", "de-DE"),
        ("Zuckerfrei", "de-DE"),
        ("Tiempo libre para ti", "es-ES"),
        ("\u30d7\u30ec\u30bc\u30f3\u30c8\u306b\u6700\u9069", "ja-JP"),
    ],
)
def test_innocent_free_never_fires(text, code):
    assert rules(text, ctx(code)) == []


# --- environmental ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("Eco-friendly packaging", "en-GB"),
        ("eco\u2011friendly refills", "en-GB"),
        ("E C O-friendly refills", "en-GB"),
        ("3co-friendly bottles", "en-US"),
        ("C02 neutral", "en-GB"),
        ("CO\u2082-neutral shipping", "en-GB"),
        ("Sus-tain-able cotton", "en-GB"),
        ("Better for the planet", "en-GB"),
        ("100% natural ingredients", "en-GB"),
        ("KLIMANEUTRAL", "de-DE"),
        ("umweltfreundliche Verpackung", "de-DE"),
        ("Emballages \u00e9cologiques", "fr-FR"),
        ("Mode durable", "fr-FR"),
        ("Materiales sostenibles", "es-ES"),
        ("\u74b0\u5883\u306b\u3084\u3055\u3057\u3044", "ja-JP"),
        ("\u78b3\u4e2d\u548c", "zh-CN"),
        ("\uce5c\ud658\uacbd \ud3ec\uc7a5", "ko-KR"),
        ("\u0635\u062f\u064a\u0642\u0629 \u0644\u0644\u0628\u064a\u0626\u0629", "ar-AE"),
        ("\u05d9\u05d3\u05d9\u05d3\u05d5\u05ea\u05d9 \u05dc\u05e1\u05d1\u05d9\u05d1\u05d4", "he-IL"),
        ("\u092a\u0930\u094d\u092f\u093e\u0935\u0930\u0923 \u0915\u0947 \u0905\u0928\u0941\u0915\u0942\u0932", "hi-IN"),
    ],
)
def test_generic_environmental_claims_are_blocked(text, code):
    found = find_claims(text, ctx(code))
    assert found and all(f.category == "environmental" and f.severity is Verdict.BLOCKED for f in found)


@pytest.mark.parametrize(
    "text, code",
    [
        ("Green colourway, back for winter", "en-GB"),
        ("Forest green and oat", "en-GB"),
        ("Green tea & mint", "en-US"),
        ("Grown in our greenhouse", "en-GB"),
        ("Natural light, all day", "en-GB"),
        ("Natural wood finish", "en-US"),
        ("Un sac solide et durable", "fr-FR"),
        ("Waldgr\u00fcn und Sand", "de-DE"),
        ("Dishwasher with eco mode", "en-GB"),
        ("Recyclable packaging \u2014 check locally", "en-US"),
        ("Organic cotton tee", "en-US"),
    ],
)
def test_colours_descriptions_and_qualified_claims_pass(text, code):
    assert rules(text, ctx(code)) == []


def test_library_claim_substantiates_only_in_its_market_and_dates():
    ok = ctx("en-US", claims=(claim("environmental", "eco-friendly packaging", ["US"]),))
    assert rules("Eco-friendly packaging", ok) == []
    f = only(
        "Eco-friendly packaging", ctx("en-US", claims=(claim("environmental", "eco-friendly packaging", ["DE", "FR"]),))
    )
    assert "approved for DE, FR only" in f.message
    f = only("Klimaneutral", ctx("de-DE", claims=(claim("environmental", "klimaneutral", ["DE"], date(2025, 6, 30)),)))
    assert "expired on 2025-06-30" in f.message
    f = only("Umweltfreundlich", ctx("de-DE", claims=(claim("environmental", "klimaneutral", ["DE"]),)))
    assert "wording differs" in f.message
    wrong_category = ctx("en-US", claims=(claim("superlative", "eco-friendly packaging", ["US"]),))
    assert rules("Eco-friendly packaging", wrong_category) == ["environmental.generic"]
    other_sku = ctx(
        "en-US", sku="MUG-9", claims=(claim("environmental", "eco-friendly packaging", ["US"], skus=["MUG-1"]),)
    )
    assert "SKU MUG-1 only" in only("Eco-friendly packaging", other_sku).message


def test_offset_based_neutrality_is_blocked_in_the_eu_even_when_approved():
    approved = (claim("environmental", "klimaneutral", ["DE"]),)
    assert rules("Klimaneutral", ctx("de-DE", claims=approved)) == []
    found = rules("Klimaneutral durch Kompensation", ctx("de-DE", claims=approved))
    assert found and set(found) == {"environmental.offset_neutrality"}
    footnote = "Climate neutral*\n*through certified offset projects"
    assert set(rules(footnote, ctx("de-DE", claims=(claim("environmental", "climate neutral", ["DE"]),)))) == {
        "environmental.offset_neutrality"
    }
    # outside the EU the offsetting statement is an ordinary claim: it needs its own approved wording
    assert rules(footnote, ctx("en-US", claims=(claim("environmental", "climate neutral", ["US"]),))) == [
        "environmental.offset"
    ]
    us_claims = (
        claim("environmental", "climate neutral", ["US"]),
        claim("environmental", "through certified offset projects", ["US"]),
    )
    assert rules(footnote, ctx("en-US", claims=us_claims)) == []


def test_unqualified_recyclable_is_blocked_in_the_us():
    assert rules("Recyclable packaging", ctx("en-US")) == ["environmental.recyclable"]


# --- health -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("Boosts your immune system", "en-GB"),
        ("Clinically proven to reduce wrinkles", "en-US"),
        ("d3tox t3a", "en-GB"),
        ("Doctor recommended", "en-US"),
        ("Kills 99.9% of germs", "en-GB"),
        ("St\u00e4rkt das Immunsystem", "de-DE"),
        ("Renforce l'immunit\u00e9", "fr-FR"),
        ("Refuerza el sistema inmunitario", "es-ES"),
        ("\u514d\u75ab\u529b\u3092\u9ad8\u3081\u308b", "ja-JP"),
        ("\u589e\u5f3a\u514d\u75ab\u529b", "zh-CN"),
        ("\uba74\uc5ed\ub825 \uac15\ud654", "ko-KR"),
        (
            "مُقَوِّي لِلْمَنَاعَة",
            "ar-AE",
        ),
        (
            "\u05de\u05d7\u05d6\u05e7 \u05d0\u05ea \u05de\u05e2\u05e8\u05db\u05ea \u05d4\u05d7\u05d9\u05e1\u05d5\u05df",
            "he-IL",
        ),
        (
            "रोग प्रतिरोधक क्षमता",
            "hi-IN",
        ),
    ],
)
def test_health_claims_are_blocked(text, code):
    assert "health" in cats(text, ctx(code))


def test_health_claim_passes_with_its_authorised_wording_and_treats_are_fine():
    wording = "Vitamin C contributes to the normal function of the immune system"
    assert rules(wording, ctx(claims=(claim("health", wording, ["GB"]),))) == []
    assert rules("Boosts immunity", ctx(claims=(claim("health", "boosts immunity", ["GB"], date(2025, 1, 31)),))) == [
        "health.immune"
    ]
    for text in (
        "Treat yourself",
        "A sweet treat for cold nights",
        "Immune to boring mornings",
        "The perfect cure for Monday mornings",
    ):
        assert rules(text) == [], text


# --- superlatives and origin ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("#1 best-selling mug", "en-GB"),
        ("\uff03\uff11 bestseller", "en-GB"),
        ("Award-winning coffee", "en-GB"),
        ("The best coffee in the world", "en-US"),
        ("Nr.\u00a01 in Deutschland", "de-DE"),
        ("Le moins cher du march\u00e9", "fr-FR"),
        ("El m\u00e1s vendido", "es-ES"),
        ("\u58f2\u4e0aNo.1", "ja-JP"),
        ("\u9500\u91cf\u7b2c\u4e00", "zh-CN"),
        ("\ucd5c\uc800\uac00", "ko-KR"),
        ("\u0627\u0644\u0623\u0643\u062b\u0631 \u0645\u0628\u064a\u0639\u0627\u064b", "ar-AE"),
        ("\u05e8\u05d1 \u05de\u05db\u05e8", "he-IL"),
        ("\u0938\u092c\u0938\u0947 \u0938\u0938\u094d\u0924\u093e", "hi-IN"),
    ],
)
def test_objective_superlatives_need_a_claim(text, code):
    assert "superlative" in cats(text, ctx(code))


def test_puffery_passes():
    for text in (
        "Deliciously soft",
        "Our softest ever",
        "The best way to start your day",
        "Your new best friend",
        "Number one fan of lazy Sundays",
        "Beautifully made",
        "Our first-ever pop-up store",
    ):
        assert rules(text) == [], text
    assert rules("Der beste Start in den Tag", ctx("de-DE")) == []


def test_origin_claims_and_innocent_made():
    for text, code in [
        ("Made in Italy", "en-GB"),
        ("MADE IN GERMANY", "en-GB"),
        ("Made in Berlin", "en-GB"),
        ("Hergestellt in Deutschland", "de-DE"),
        ("Fabriqu\u00e9 au Portugal", "fr-FR"),
        ("Hecho en Espa\u00f1a", "es-ES"),
        ("\u65e5\u672c\u88fd", "ja-JP"),
        ("\u0635\u0646\u0639 \u0641\u064a \u0627\u0644\u0625\u0645\u0627\u0631\u0627\u062a", "ar-AE"),
        ("\u4e2d\u56fd\u5236\u9020", "zh-CN"),
    ]:
        assert "origin" in cats(text, ctx(code)), text
    for text, code in [
        ("Made for you", "en-GB"),
        ("Made with love", "en-GB"),
        ("Made in minutes", "en-US"),
        ("MADE IN MINUTES", "en-GB"),
        ("Made In Minutes", "en-GB"),
        ("Hergestellt in Handarbeit", "de-DE"),
        ("Hecho en casa", "es-ES"),
    ]:
        assert rules(text, ctx(code)) == [], text
    assert rules("Made in Italy", ctx(claims=(claim("origin", "Made in Italy"),))) == []


# --- tone -------------------------------------------------------------------------------------


def test_banned_words_survive_obfuscation_and_inflection_but_stay_whole_words():
    cheap = ctx(banned_words=("cheap",))
    for text in ("Cheap and cheerful", "CHEAP!!!", "So ch.e.a.p", "che4p thrills", "Soooo cheeeap", "Cheapest ever"):
        assert "tone.banned_word" in rules(text, cheap), text
    assert rules("Billige Preise", ctx("de-DE", banned_words=("billig",))) == ["tone.banned_word"]
    assert rules("Muy baratas", ctx("es-ES", banned_words=("barato",))) == ["tone.banned_word"]
    assert rules("First class, every time", ctx(banned_words=("ass",))) == []
    assert rules("Hello winter, shell pink", ctx(banned_words=("hell",))) == []


# --- the corpus: the accuracy goals as a regression guard ---------------------------------------


def _bench():
    spec = importlib.util.spec_from_file_location("bench_claims", REPO / "bench" / "bench_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["corpus", "holdout"])
def test_labelled_copy_meets_the_accuracy_goals(name):
    bench = _bench()
    res = bench.evaluate(bench.load(bench.SETS[name]))
    assert res["lines"] >= (200 if name == "corpus" else 60)
    assert res["recall"] >= 0.95, res["misses"]
    assert res["false_flag_rate"] <= 0.05, res["false_flags"]


def test_numbers_and_compounds_do_not_trigger_other_families():
    assert cats("\u901a\u5e38\u4fa1\u683c5,000\u5186\u21923,980\u5186", ctx("ja-JP")) == {
        "reference_price"
    }  # not "0円" = free
    assert cats("CO\u2082-reduziert", ctx("de-DE")) == {"environmental"}  # not a price reduction
    assert rules("No sale, just fair prices") == [] and rules("Rabatt? Nein: faire Preise", ctx("de-DE")) == []
    assert rules("Kills 99.9% of germs") == ["health.cosmetic"]  # a percentage, but no reduction


def test_everyday_adjective_next_to_a_real_deadline_is_not_a_recurring_countdown():
    """The demo's ja-JP copy: 'everyday favourites' (毎日の) and a deadline inside the campaign."""
    ctx = CopyContext(locale=locale_info("ja-JP"), on=date(2026, 12, 1), campaign_ends=date(2026, 12, 24))
    text = "冬の定番を、うれしい価格で\nぬくもりの季節に、毎日のお気に入りを\n価格は税込です。2026年12月24日まで。"
    assert find_claims(text, ctx) == []
    assert any(f.rule == "urgency.recurring" for f in find_claims("毎日終わるセール、12月24日まで", ctx))


def _ctx(locale: str, **kw) -> CopyContext:
    return CopyContext(locale=locale_info(locale), on=date(2026, 12, 1), campaign_ends=date(2026, 12, 24), **kw)


def test_gaps_found_by_the_first_blind_set_are_closed_as_families():
    """Each was missed by the engine on copy written by someone who never saw it (copy_blind.jsonl)."""
    cats = lambda text, loc, **kw: {f.category for f in find_claims(text, _ctx(loc, **kw))}  # noqa: E731
    assert "environmental" in cats("Klima-\nneutral produziert", "de-DE")  # hyphenated across a line break
    assert "superlative" in cats("Nobody sells it for less", "en-GB")
    assert "superlative" in cats("Nirgendwo günstiger!", "de-DE")
    assert "superlative" in cats("La batería de carga más rápida del mundo", "es-ES")
    assert "health" in cats("Ayuda a reducir el colesterol", "es-ES")
    assert "tone" in cats("Results that feel miraculous", "en-US", banned_words=("miracle",))
    # short nouns do not head compounds: "Wundercreme" is a known miss, "Wunderkerzen" stays innocent
    assert "tone" not in cats("Wunderkerzen für Silvester", "de-DE", banned_words=("Wunder",))
    assert "tone" not in cats("Die Wunde heilt", "de-DE", banned_words=("Wunder",))


def test_a_delivery_cut_off_before_the_campaign_end_is_not_false_urgency():
    for text, loc in [
        ("Order by 18 December for Christmas delivery", "en-GB"),
        ("Bis 20. Dezember bestellen – Lieferung vor Heiligabend", "de-DE"),
        ("Commandez avant le 19 décembre pour une livraison avant Noël", "fr-FR"),
    ]:
        assert find_claims(text, _ctx(loc)) == [], text
    assert any(
        f.rule == "urgency.deadline_before_campaign_end" for f in find_claims("Offer ends 18 December", _ctx("en-GB"))
    )


def test_gaps_found_by_the_second_blind_set_are_closed_as_families():
    cats = lambda text, loc, **kw: {f.category for f in find_claims(text, _ctx(loc, **kw))}  # noqa: E731
    assert "superlative" in cats("Now charges twice as fast as before", "en-US")
    assert "superlative" in cats("Doppelt so schnell geladen", "de-DE")
    assert "health" in cats("Supports your natural glow from within, collagen gummies", "en-US")
    assert "urgency" in cats("Nur bis So.! 20 % auf Beauty-Sets", "de-DE")
    assert "price" in cats("2ª unidad al 50 % en perfumes", "es-ES")
    assert "tone" in cats("SCHNAEPPCHEN der Woche", "de-DE", banned_words=("Schnäppchen",))
    assert "tone" in cats("Schnäppchenalarm bei Kopfhörern", "de-DE", banned_words=("Schnäppchen",))
    # innocent
    assert cats("Wunderschön warm: Strickmützen", "de-DE", banned_words=("Wunder",)) == set()
    assert cats("Detox your closet: trade in old denim", "en-US") == set()
    assert cats("Tarjetas de regalo desde 20 €", "es-ES") == set()
    item = CatalogItem("SKU-1", "DE", "", Decimal("10"), "EUR", 420, ())
    assert cats("Über 400 Stück auf Lager – sofort lieferbar", "de-DE", item=item) == set()
    assert cats("Bis 18.12. bestellen – pünktlich zu Weihnachten geliefert", "de-DE") == set()


def test_gaps_found_by_the_third_blind_set_are_closed_as_families():
    cats = lambda text, loc, **kw: {f.category for f in find_claims(text, _ctx(loc, **kw))}  # noqa: E731
    for text, loc in [
        ("⅓ off every dog bed", "en-GB"),
        ("1/2 price puppy food", "en-GB"),
        ("BOGOF on protein bars", "en-GB"),
        ("Heute zum halben Preis", "de-DE"),
        ("2x1 en pañales", "es-ES"),
        ("全场五折", "zh-CN"),
    ]:
        assert "price" in cats(text, loc), text
    assert "health" in cats("For healthy joints on every trail", "en-GB")
    assert "superlative" in cats("Unrivalled battery life", "en-US")
    assert "superlative" in cats("Une autonomie inégalée", "fr-FR")
    assert cats("Pay 1/2 now, 1/2 on delivery", "en-GB") == set()


# --- issue 15: guarantees, CJK word boundaries, deadlines on the run day ------------------------


@pytest.mark.parametrize(
    "text, code, rule",
    [
        ("Satisfaction guaranteed on all bedding", "en-GB", "guarantee.satisfaction"),
        ("Money-back guarantee, no questions asked", "en-US", "guarantee.money_back"),
        ("Lifetime warranty on every frame", "en-US", "guarantee.lifetime"),
        ("Order risk-free today", "en-GB", "guarantee.risk_free"),
        ("Softer skin, 100% guaranteed", "en-GB", "guarantee.absolute"),
        ("Geld-zurück-Garantie für 30 Tage", "de-DE", "guarantee.money_back"),
        ("Garantie auf Lebenszeit", "de-DE", "guarantee.lifetime"),
        ("Satisfait ou remboursé pendant 30 jours", "fr-FR", "guarantee.money_back"),
        ("Garantía de por vida en mochilas", "es-ES", "guarantee.lifetime"),
        ("Satisfacción garantizada", "es-ES", "guarantee.satisfaction"),
        ("返金保証つき", "ja-JP", "guarantee.money_back"),
        ("평생 보증", "ko-KR", "guarantee.lifetime"),
        ("终身质保", "zh-CN", "guarantee.lifetime"),
        ("ללא סיכון", "he-IL", "guarantee.risk_free"),
        ("رضاك مضمون", "ar-AE", "guarantee.satisfaction"),
        ("आजीवन वारंटी", "hi-IN", "guarantee.lifetime"),
    ],
)
def test_guarantee_claims_are_blocked_with_what_to_do(text, code, rule):
    found = [f for f in find_claims(text, ctx(code)) if f.category == "guarantee"]
    assert [f.rule for f in found] == [rule], found
    f = found[0]
    assert f.severity is Verdict.BLOCKED
    assert text[f.span[0] : f.span[1]] == f.matched
    assert "no approved guarantee claim" in f.message
    assert "add the guarantee with its terms" in f.message and "or remove the promise" in f.message


def _guarantee_claim(text: str, markets=("*",)) -> Claim:
    return Claim(
        id="c-guarantee",
        category="guarantee",
        text=text,
        evidence="guarantee terms 2025",
        markets=list(markets),
        skus=["*"],
        expires=date(2099, 1, 1),
    )


def test_an_approved_guarantee_claim_lets_its_wording_pass_in_its_market_only():
    approved = (_guarantee_claim("30-day money-back guarantee", ["GB"]),)
    assert find_claims("30-day money-back guarantee", ctx("en-GB", claims=approved)) == []
    f = only("30-day money-back guarantee", ctx("en-US", claims=approved))
    assert f.rule == "guarantee.money_back" and "approved for GB only" in f.message
    other_category = (claim("superlative", "30-day money-back guarantee"),)
    assert rules("30-day money-back guarantee", ctx("en-GB", claims=other_category)) == ["guarantee.money_back"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("Every kettle comes with a 2-year warranty", "en-GB"),
        ("3 Jahre Garantie auf alle Fahrräder", "de-DE"),
        ("Garantie 2 ans", "fr-FR"),
        ("2 años de garantía", "es-ES"),
        ("1年保証", "ja-JP"),
        ("一年保修", "zh-CN"),
        ("Guaranteed to arrive before Christmas when you order by 18 Dec", "en-GB"),
        ("Zero risk of spills with the sealed lid", "en-GB"),
        ("Sin riesgo para tu piel", "es-ES"),
    ],
)
def test_a_stated_warranty_term_and_other_innocent_wording_is_not_a_guarantee(text, code):
    assert "guarantee" not in cats(text, ctx(code))


@pytest.mark.parametrize(
    "text, code",
    [
        ("FREEお届け", "ja-JP"),
        ("送料FREE", "ja-JP"),
        ("送料ＦＲＥＥ", "ja-JP"),
        ("FREE배송", "ko-KR"),
        ("包装FREE", "zh-CN"),
    ],
)
def test_free_touching_kana_han_or_hangul_is_an_offer(text, code):
    f = only(text, ctx(code))
    assert f.rule == "free.no_conditions" and f.matched.upper() in ("FREE", "ＦＲＥＥ")
    assert "print them on the banner" in f.message


def test_cjk_boundaries_add_no_word_edges_inside_latin_words_or_after_digits():
    assert rules("Carefree cotton for carefree days") == []
    assert rules("送料FREE（5,000円以上のご購入で）", ctx("ja-JP")) == []  # its condition is on the banner
    assert "free" not in cats("FREEDOMセール", ctx("ja-JP"))  # "freedom" stays one word next to kana


@pytest.mark.parametrize(
    "text, code",
    [
        ("The offer ends tonight", "en-GB"),
        ("Our offer closes at midnight", "en-US"),
        ("La oferta termina esta noche", "es-ES"),
        ("Válido hasta medianoche", "es-ES"),
        ("Das Angebot endet heute Nacht", "de-DE"),
        ("Nur bis Mitternacht", "de-DE"),
        ("L'offre se termine ce soir", "fr-FR"),
        ("Jusqu'à minuit seulement", "fr-FR"),
        ("今夜まで", "ja-JP"),
        ("오늘 밤까지", "ko-KR"),
        ("仅限今晚", "zh-CN"),
        ("מסתיים הלילה", "he-IL"),
        ("ينتهي العرض الليلة", "ar-AE"),
        ("आज रात तक", "hi-IN"),
    ],
)
def test_deadline_tonight_or_at_midnight_is_judged_against_the_campaign_end(text, code):
    runs_on = ctx(code, campaign_ends=date(2025, 12, 5))
    f = only(text, runs_on)
    assert f.rule == "urgency.deadline_before_campaign_end" and f.severity is Verdict.NEEDS_REVIEW
    assert "2025-11-20" in f.message and "2025-12-05" in f.message
    assert find_claims(text, ctx(code, campaign_ends=ON)) == []  # true when the campaign ends that day
    assert only(text, ctx(code)).rule == "urgency.no_campaign_end"


def test_guarantee_is_a_category_before_tone():
    assert CATEGORIES[-2:] == ("guarantee", "tone")
    assert CATEGORIES[:9] == (
        "price", "reference_price", "urgency", "scarcity", "free", "environmental", "health", "superlative", "origin"
    )  # fmt: skip

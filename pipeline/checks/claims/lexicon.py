"""The loaded pattern tables, and the Python checks their rows name with `keep:`.

The tables under `tables/` are loaded and checked once, when this module is imported (a broken
table fails the import with `tables/<file>.yaml:<line>` and the problem). Some matches need code to
tell a claim from an innocent phrase ("number one fan", "feel free", "Made in Minutes"): those
checks live here, in `KEEPS`, and a table row names one with `keep: <name>`; a check returns True
to keep the match as a candidate claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from pipeline.checks.claims.document import Doc, Hit
from pipeline.checks.claims.normalise import fold_pattern, fold_text
from pipeline.checks.claims.table_format import KeepCheck, Rule, Table, load_tables

__all__ = [
    "KEEPS",
    "TABLE_DIR",
    "COMMON",
    "LANGUAGES",
    "tables_for",
    "rules",
    "patterns",
    "place_names",
    "origin_rules",
    "number",
]

TABLE_DIR = Path(__file__).resolve().parent / "tables"


# --------------------------------------------------------------------------------------------
# Keep checks
# --------------------------------------------------------------------------------------------


def _near(h: Hit, pattern: str, before: int = 40, after: int = 40) -> bool:
    window = h.view[max(0, h.m.start() - before) : h.m.end() + after]
    return re.search(fold_pattern(pattern), window) is not None


def _durable_means_sustainable(doc: Doc, h: Hit) -> bool:
    """French 'durable' is 'sustainable' unless robustness words stand next to it ('solide et durable')."""
    return not _near(h, r"solide|résistant|robuste|qui dure|longue durée|longtemps|usure|des années|inusable")


def _recyclable_unqualified(doc: Doc, h: Hit) -> bool:
    """In the US a recyclability claim is fine when qualified (FTC Green Guides 260.12): 'check locally'."""
    if doc.market != "US":
        return True
    qualified = (
        r"check locally|check (?:with )?(?:your )?local|where (?:facilities|recycling) (?:exist|is available)|"
        r"may not be recyclable|not recyclable in all|in (?:some|many|most) communities|where accepted|"
        r"store drop-?off|recycling facilities|recycling programs? (?:exist|are available)|"
        r"\d+ ?% of (?:us |u\.s\. )?(?:communities|households|consumers)"
    )
    return not re.search(fold_pattern(qualified), doc.view)


def _number_one_is_a_rank(doc: Doc, h: Hit) -> bool:
    """'#1' is a rank claim, but 'number one fan' or 'no. 1 rule' is puffery."""
    after = h.view[h.m.end() : h.m.end() + 14]
    return not re.match(
        r"\s*(?:fan|fans|priority|priorities|rule|tip|reason|question|thing|job|goal|"
        r"(?:on|in|of) (?:our|my|your|their|his|her) )",
        after,
    )


def _made_in_a_place(doc: Doc, h: Hit) -> bool:
    """'made in <Word>': a place when the word is capitalised in copy that is not all caps/title case."""
    word = h.m.group("w")
    if word in _doc_place_set(doc):
        return True
    if word in _not_places(doc.ctx.locale.language) | _not_places("en"):
        return False
    ws = h.start + h.m.start("w") - h.m.start()
    a, _ = doc.orig_span(ws, ws + 1)
    first = doc.text[a : a + 1]
    if not first.isupper():
        return False
    letters = [c for c in doc.text if c.isalpha() and c.isascii()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return False  # ALL CAPS copy: capitals tell nothing
    # Title Case headline ("Made In Minutes"): the preposition itself is capitalised
    pa, _ = doc.orig_span(h.start + h.m.start("prep") - h.m.start(), h.start + h.m.start("prep") - h.m.start() + 1)
    return not doc.text[pa : pa + 1].isupper()


def _doc_place_set(doc: Doc) -> set[str]:
    out: set[str] = set()
    for lang in doc.langs:
        out.update(place_names(lang))
    return out


def _not_places(lang: str) -> set[str]:
    # compared with the folded word as it stands (a listed word with accents never matches)
    table = LANGUAGES.get(lang)
    return set(table.words.get("not_places", ())) if table is not None else set()


# English 'free' that is not an offer: "feel free", "sugar free", "set yourself free", "free-standing"
_FREE_PREV_INNOCENT = set(
    """
feel set sets setting break breaks breaking broke run runs running roam roams roaming born wild spirit spirits stay
breathe ride rides fly flies flying move moves moving swing swings hang hangs toll sugar gluten lactose dairy fat
alcohol caffeine bpa paraben parabens fragrance scent perfume cruelty plastic hands nut soy egg wheat meat toxin
chemical chemicals tax duty interest stress worry hassle fuss care crease wrinkle iron drip lint rust maintenance
smoke tangle clutter guilt pain latex nickel lead pvc phthalate phthalates silicone silicones sulfate sulfates
sulphate sulphates oil allergen grain carb carbs glare flicker noise cable cord wire key touch mess spill scratch
odour odor risk ad ads royalty cage gmo preservative preservatives animal dye palm mineral waste emission emissions
carbon hormone antibiotic pesticide additive additives spam calorie calories salt gelatin yeast nitrate nitrates
sulphite sulphites sulfite sulfites frizz streak lump clump smudge snag pill bleach chlorine fluoride micro
""".split()
)
_FREE_PRONOUNS = {
    "yourself",
    "yourselves",
    "myself",
    "themselves",
    "ourselves",
    "and",
    "them",
    "you",
    "me",
    "us",
    "her",
    "him",
    "it",
    "your",
    "my",
    "our",
    "their",
    "mind",
    "soul",
}
_FREE_NEXT_INNOCENT = re.compile(
    r"\s?(?:as (?:in|a|an|the)\b|-\s?(?!shipping|delivery|returns?|gift|trial|sample|postage|p&p)\w|"
    r"(?:your|yourself|yourselves|you|from|up|time|"
    r"spirit|spirits|spirited|will|hand|hands|fall|kick|kicks|throw|throws|radicals?|agents?|range|standing|flowing|"
    r"weights?|ride|riding|running|thinking|thinker|speech|press|market|world|form|style|size|flow|space|zone|period|"
    r"verse|wheel|wheeling|diving|skating|people|man|men|country|state|reign|rein|the (?:mind|soul|body)|and easy|"
    r"as a bird|as the wind|to (?!you\b|all\b|members\b|customers\b|everyone\b|the first\b|new\b|join\b)\w+|"
    r"of (?!charge|cost)\w+)\b)"
)


def _free_is_an_offer(doc: Doc, h: Hit) -> bool:
    """English 'free' is an offer unless the words around it make it X-free, freedom or an idiom."""
    v = h.view
    s, e = h.m.start(), h.m.end()
    if s > 0 and v[s - 1] in "-/":
        return False
    words = re.findall(r"[\w']+", v[max(0, s - 40) : s])
    if words and words[-1] in _FREE_PREV_INNOCENT:
        return False
    if len(words) >= 2 and words[-2] in _FREE_PREV_INNOCENT and words[-1] in _FREE_PRONOUNS:
        return False  # "set yourself free", "wild and free", "break them free"
    if _FREE_NEXT_INNOCENT.match(v, e):
        return False
    return True


#: The checks a table row may name with `keep:`; `groups` are the named groups the check reads.
KEEPS: dict[str, KeepCheck] = {
    "durable_means_sustainable": KeepCheck(_durable_means_sustainable),
    "recyclable_unqualified": KeepCheck(_recyclable_unqualified),
    "number_one_is_a_rank": KeepCheck(_number_one_is_a_rank),
    "made_in_a_place": KeepCheck(_made_in_a_place, frozenset({"w", "prep"})),
    "free_is_an_offer": KeepCheck(_free_is_an_offer),
}

COMMON, LANGUAGES = load_tables(TABLE_DIR, KEEPS)


# --------------------------------------------------------------------------------------------
# Lookups
# --------------------------------------------------------------------------------------------


def tables_for(langs: Iterable[str]) -> list[Table]:
    """The tables of `langs` that have one, in that order (a language without a file adds none)."""
    return [LANGUAGES[lang] for lang in langs if lang in LANGUAGES]


def rules(name: str, langs: Iterable[str]) -> list[Rule]:
    """The rows of rules table `name` for `langs`, in order."""
    return [row for t in tables_for(langs) for row in t.rules.get(name, ())]


def patterns(name: str, langs: Iterable[str]) -> list[str]:
    """The patterns of list table `name` for `langs`, in order."""
    return [p for t in tables_for(langs) for p in t.patterns.get(name, ())]


_BAD_TERRITORIES = {"XA", "XB", "ZZ", "QO"}


@cache
def place_names(lang: str) -> tuple[str, ...]:
    """Folded country/region names of `lang` (Babel) plus the table's `place_names`, longest first."""
    names: set[str] = set()
    terr: Mapping[str, str]
    try:
        from babel import Locale

        terr = Locale.parse(lang).territories
    except Exception:  # noqa: BLE001 - a language Babel lacks just has fewer place names
        terr = {}
    for code, name in terr.items():
        if (len(code) == 2 and code.isalpha() and code not in _BAD_TERRITORIES) or code in ("EU", "150"):
            names.add(name)
    table = LANGUAGES.get(lang)
    names.update(table.words.get("place_names", ()) if table is not None else ())
    folded = {fold_text(n) for n in names}
    return tuple(sorted((f for f in folded if f), key=len, reverse=True))


@cache
def _places(lang: str) -> str:
    return "(?:" + "|".join(re.escape(n) for n in place_names(lang)) + ")"


@cache
def origin_rules(lang: str) -> tuple[Rule, ...]:
    """The origin rows of `lang` with {{places}} filled in (its own place names and English ones)."""
    table = LANGUAGES.get(lang)
    if table is None:
        return ()
    places = _places(lang) if lang == "en" else "(?:" + _places(lang)[3:-1] + "|" + _places("en")[3:-1] + ")"
    return tuple(
        Rule(r.rule, r.pattern.replace("{{places}}", places), r.keep, r.keep_name)
        for r in table.rules.get("origin", ())
    )


def number(raw: str) -> int | None:
    """A stock or countdown number: digits or a number word of `number_words`."""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    return COMMON.numbers["number_words"].get(raw)

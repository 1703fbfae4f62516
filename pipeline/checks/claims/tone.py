"""Tone of voice: the brand's banned words, found however they are disguised.

A banned word is matched as a whole word, inflected ('cheap' -> 'cheaper'), in leetspeak
('che4p'), spaced out ('c.h.e.a.p') or with repeated letters ('cheeeap'); long German nouns also
head compounds ('Schnäppchenalarm') and English '-cle' nouns their adjective ('miraculous').
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.checks.claims.document import ClaimFinding, Doc, finding
from pipeline.checks.claims.lexicon import LANGUAGES
from pipeline.checks.claims.normalise import fold_text
from pipeline.checks.results import Verdict

__all__ = ["tone"]

_LEET_CLASS = {
    "a": "a4@",
    "b": "b8",
    "e": "e3€",
    "g": "g9",
    "i": "i1!|l",
    "l": "l1|i",
    "o": "o0",
    "s": "s5$z",
    "t": "t7+",
    "z": "z2",
}


def _suffixes(lang: str) -> str:
    """Endings a banned word may take in `lang` (its table's banned_word_suffixes, else s|es)."""
    table = LANGUAGES.get(lang)
    return table.pattern.get("banned_word_suffixes", "s|es") if table is not None else "s|es"


_UMLAUT_ASCII = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


@lru_cache(maxsize=1024)
def _banned_rx(word: str, langs: tuple[str, ...] = ("en",)) -> re.Pattern[str] | None:
    """Whole-word, inflection-, leetspeak-, spacing- and letter-repeat-tolerant pattern for a banned word."""
    w = fold_text(word).strip()
    if not w:
        return None
    if not re.search(r"[a-z]", w):
        return re.compile(re.escape(w))  # CJK, Arabic...: plain substring
    suffixes = "|".join(_suffixes(lang) for lang in langs)
    stem_swap = ""
    if any(lang in ("es", "fr") for lang in langs) and w[-1] in "oa" and len(w) > 3:
        w, stem_swap = w[:-1], "[oa]"
    sep = r"[\s.\-_*·•'/]?"
    parts = []
    for ch in w:
        if ch == " ":
            parts.append(r"[\s\W_]+")
            continue
        cls = _LEET_CLASS.get(ch)
        atom = f"[{re.escape(cls)}]" if cls else re.escape(ch)
        parts.append(atom + "+")
    body = ""
    for k, p in enumerate(parts):
        body += p
        if k + 1 < len(parts) and p != r"[\s\W_]+" and parts[k + 1] != r"[\s\W_]+":
            body += sep
    return re.compile(rf"(?<![a-z0-9]){body}{stem_swap}(?:{suffixes})?(?![a-z0-9])")


def _banned_patterns(word: str, langs: tuple[str, ...]) -> list[re.Pattern[str]]:
    """The banned word's pattern, plus its derived forms: a long German noun heading a compound
    ("Schnäppchen" -> "Schnäppchenalarm") and English -cle adjectives ("miracle" -> "miraculous")."""
    rx = _banned_rx(word, langs)
    if rx is None:
        return []
    out = [rx]
    # only long nouns: short ones head unrelated compounds ("Wunder" -> "wunderschön", "Wunderkerzen")
    if "de" in langs and word[:1].isupper() and " " not in word and len(word) >= 8:
        end = "(?![a-z0-9])"
        if rx.pattern.endswith(end):
            out.append(re.compile(rx.pattern[: -len(end)] + r"[a-zäöüß]{3,}"))
    if any(ch in word.lower() for ch in _UMLAUT_ASCII):  # "Schnaeppchen": typed without umlauts
        plain = "".join(_UMLAUT_ASCII.get(ch, ch) for ch in word.lower())
        translit = _banned_rx(plain, langs)
        if translit is not None:
            out.append(translit)
    if "en" in langs and word.lower().endswith("cle") and len(word) >= 6:
        derived = _banned_rx(word[:-3] + "culous", ("en",))
        if derived is not None:
            out.append(derived)
    return out


def tone(doc: Doc) -> list[ClaimFinding]:
    """The brand's banned words, however disguised (BLOCKED)."""
    out: list[ClaimFinding] = []
    taken: list[tuple[int, int]] = []
    for word in doc.ctx.banned_words:
        for rx in _banned_patterns(word, doc.langs):
            for m in rx.finditer(doc.view):
                s, e = m.start(), m.end()
                if any(s < b and a < e for a, b in taken):
                    continue
                taken.append((s, e))
                out.append(
                    finding(
                        doc,
                        "tone.banned_word",
                        "tone",
                        s,
                        e,
                        Verdict.BLOCKED,
                        f"'{doc.matched(s, e)}' is the banned word '{word}' from the brand's tone of "
                        "voice; rephrase without it.",
                    )
                )
    return out

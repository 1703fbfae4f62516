"""Figures (prices, prior prices, discount badges) as the OCR check reads and compares them, in
every digit system a banner may write them in (`pipeline.model.locales.DIGIT_SYSTEMS`).

What is compared: `numeric_part`, the digits, signs, `%` and currency symbols in order, plus the
separators between two digits. Two figures are the same when they have the same *value*
(`figure_value`): every digit is folded to 0-9 by its Unicode decimal value and the Arabic
separators to the ones the same locale writes with Western digits (`٫` decimal -> `.`, `٬`
group -> `,`), on both sides. So `٣٩٫٢٠` read back matches an expected `39.20`, and a wrong
digit in any system still mismatches. Which system a block is in says which Tesseract model
reads it (`FIGURE_MODELS`), measured per system (BENCHMARKS.md, "OCR of figures in every
locale"):

- Western digits: `eng`, with a digit/currency whitelist.
- Devanagari digits (०-९): the `Devanagari` script model (Debian `tesseract-ocr-script-deva`).
  Drawn as the check draws native figures (`pipeline.checks.ocr._numeric_fit`), it read 115 of
  120 correct hi-IN prices and badges at 11-32 px (every price), the `hin` language model 107;
  neither accepted any of 120 wrongly drawn ones (bench/bench_ocr_digit_models.py).
- Arabic-Indic digits (٠-٩): no Tesseract model reads them. The `ara` model has only ٠ and ١
  in its character set (0 of 120 read); the `Arabic` script model has all ten but read 3 of 120
  correct ar-AE prices and badges (mostly as Persian ۰-۹, or not at all). Such figures are
  reported as not verified (`unreadable_figures`), never as passed or as a mismatch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.model.locales import DIGIT_SYSTEMS, digit_system_of

__all__ = [
    "BIDI_MARKS",
    "DASHES",
    "UNREAD_CURRENCY_SIGNS",
    "READ_CURRENCY_SIGNS",
    "FIGURE_MODELS",
    "MODEL_PACKAGES",
    "numeric_part",
    "figure_value",
    "figures_only",
    "drawn_systems",
    "unreadable_figures",
    "figure_model",
    "figure_whitelist",
]

BIDI_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\u00ad"),
    None,
)
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
SEPARATORS = ".,'\u066b\u066c"

#: Currency signs that Tesseract's models never read back (measured: `eng` drops ₪ and ₹ at every
#: size, as does `₩`, so every he-IL, hi-IN and ko-KR price was a false alarm). They are left out of the figures
#: compared, on both sides: the digits, separators and sign of the price are still verified digit
#: for digit, a different sign read in their place (a `$` for a `₪`) still mismatches, and that the
#: sign itself was drawn (not a .notdef box) is the glyph check's job (`text.glyphs`).
UNREAD_CURRENCY_SIGNS = "₪₹₩"
#: The signs it does read (at 14-40 px in the shipped fonts): allowed where an unread one stands.
READ_CURRENCY_SIGNS = "$€£¥"
_UNREAD = dict.fromkeys(map(ord, UNREAD_CURRENCY_SIGNS))

#: The Tesseract model that reads the figures of each digit system (see the module's doc).
FIGURE_MODELS: dict[str, str] = {"latn": "eng", "deva": "Devanagari"}
#: The Debian package of each model that is not a language pack of its own name.
MODEL_PACKAGES: dict[str, str] = {"Devanagari": "tesseract-ocr-script-deva"}
# The Arabic decimal and group separators, as the same locale writes them with Western digits.
_WESTERN_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})


def numeric_part(text: str) -> str:
    """Digits, signs, % and currency symbols in order, plus the separators that sit between two
    digits (NFKC): `1.234,50 €` -> `1.234,50€`; the dots of a currency abbreviation are dropped.
    Digits stay in their own system (`٣٩٫٢٠`): this is what a message shows. Every dash and minus
    (`−` U+2212, `–`, `‑`) is the sign `-`, so a typographic minus is verified like a hyphen (it
    used to be dropped on both sides, so a lost minus went unseen); `UNREAD_CURRENCY_SIGNS` are
    left out."""
    t = unicodedata.normalize("NFKC", text).translate(BIDI_MARKS).translate(DASHES).translate(_UNREAD)
    t = re.sub(r"\s+", "", t)
    out = []
    for i, ch in enumerate(t):
        if ch.isdigit() or ch in "%-+" or unicodedata.category(ch) == "Sc":
            out.append(ch)
        elif ch in SEPARATORS and 0 < i < len(t) - 1 and t[i - 1].isdigit() and t[i + 1].isdigit():
            out.append(ch)
    return "".join(out)


def figure_value(text: str) -> str:
    """`numeric_part` with every decimal digit written 0-9 by its value and the Arabic separators
    as Western ones: what two figures are compared on (`٣٩٫٢٠` and `39.20` are both `39.20`).
    A superscript or other non-decimal digit keeps its own character (it is not a figure's digit)."""
    out = []
    for ch in numeric_part(text):
        value = unicodedata.decimal(ch, None)
        out.append(str(value) if value is not None else ch)
    return "".join(out).translate(_WESTERN_SEPARATORS)


def figures_only(line: str, drop: str = "") -> str:
    """The line with every character `numeric_part` would drop (letters of a currency
    abbreviation, other punctuation), and the signs in `drop`, replaced by a space; digits, signs,
    currency symbols, separators between digits, spaces and invisible marks stay in place."""
    out = []
    for i, ch in enumerate(line):
        keep = ch not in drop and (
            ch.isdigit()
            or ch in "%-+"
            or ord(ch) in DASHES  # a typographic minus is drawn as it is, and read as `-`
            or ch.isspace()
            or unicodedata.category(ch) in ("Sc", "Cf")
            or (ch in SEPARATORS and 0 < i < len(line) - 1 and line[i - 1].isdigit() and line[i + 1].isdigit())
        )
        out.append(ch if keep else " ")
    return "".join(out)


def drawn_systems(lines: Iterable[str]) -> tuple[str, ...]:
    """The digit systems of the digits in `lines`, in order of first appearance ("latn", "deva")."""
    systems = (digit_system_of(ch) for line in lines for ch in line)
    return tuple(dict.fromkeys(s for s in systems if s is not None))


def _named(system: str) -> str:
    known = DIGIT_SYSTEMS.get(system)
    return str(known) if known is not None else f"{system} digits"


def unreadable_figures(lines: Iterable[str]) -> str | None:
    """Why figures drawn as `lines` cannot be verified by OCR (`figures not verified by OCR in
    Arabic-Indic digits (٠-٩) ...`): they have digits of a system no model reads
    (`FIGURE_MODELS`); else None."""
    unread = [s for s in drawn_systems(lines) if s not in FIGURE_MODELS]
    if unread:
        return f"figures not verified by OCR in {' and '.join(map(_named, unread))}, which Tesseract cannot read"
    return None


def figure_model(lines: Iterable[str]) -> str:
    """The Tesseract model that reads the figures drawn as `lines` (`unreadable_figures` is None):
    the one of their native digit system when they have one (Devanagari is the only native system
    read), else `eng`."""
    native = [s for s in drawn_systems(lines) if s != "latn"]
    return FIGURE_MODELS[native[0]] if native else FIGURE_MODELS["latn"]


def figure_whitelist(expected: str, lines: Iterable[str]) -> str:
    """The characters the numeric pass may read: the ten digits of each system drawn (0-9 when
    none is), and the signs, separators and currency symbols of the `expected` figures. Only the
    drawn systems' digits: a Western `8` allowed beside Devanagari digits would be one more way
    to misread them."""
    systems = [s for s in drawn_systems(lines) if s in DIGIT_SYSTEMS] or ["latn"]
    signs = [ch for ch in numeric_part(expected) if unicodedata.decimal(ch, None) is None]
    return "".join(sorted(set("".join(DIGIT_SYSTEMS[s].digits for s in systems) + "".join(signs))))

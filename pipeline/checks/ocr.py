"""Reading rendered banner text back: glyph coverage (HarfBuzz) and an OCR round trip (Tesseract).

We render banner text ourselves, so two questions can be answered without trusting the renderer:

1. Coverage: shaping each font run with HarfBuzz gives glyph id 0 (.notdef, a box on the banner)
   where the font lacks a character. That is deterministic: `missing_glyphs`.
2. Round trip: the fitted lines are drawn again, alone, dark on light, and read by Tesseract
   (`TextReader.read`). The character error rate (CER) against the intended string catches lost
   characters, wrong bidi order, broken shaping or a wrong font run. Prices, prior prices and
   discount badges are read instead with a character whitelist (digits, the separators and
   currency signs of the expected string) and must have its value, in whichever digit system
   they are drawn (`pipeline.checks.figures`: Western digits by `eng`, Devanagari ones by the
   `Devanagari` script model; Arabic-Indic ones, which no model reads, are not verified). For
   scripts Tesseract cannot read reliably (`NUMBERS_ONLY_SCRIPTS`: Arabic) only figures are verified.

Figures are small on display formats (11-22 px on a 300x250 medium rectangle), where one pass of
Tesseract misreads some of them (`26,39 €` as `26,59€`). The whitelisted pass therefore reads
figures the way that works at those sizes: drawn at the banner's own pixel size, then scaled with
Lanczos so the cap height is about `OCR_CAP_PX`, with half an em of padding; letters in the price
(an Arabic `د.إ.`, a `CHF`) are left out of that drawing, because a digit whitelist turns them into
stray digits. Up to three deterministic readings are made (`NUMERIC_TRIES`: cap height 48 px,
then the em at 48 px as the full pass reads text, then one-word mode), stopping at the first whose
figures equal the expected ones. This cannot make the check unable to fail: every try reads the
same drawn glyphs, and a try only counts when it yields exactly the expected digits, separators
and signs. A wrongly drawn price (`26,59 €` drawn, `26,39 €` expected) passes only if Tesseract
misreads each wrong glyph into precisely the expected one. That does happen now and then (a
Noto Sans Regular `7` read as `1` at 32 px), and each extra try is one more chance of it, which is
why the tries are few and were chosen by counting such false accepts, not only misreads (see
`NUMERIC_TRIES`); tests/pipeline/checks/test_ocr.py checks that wrong prices are flagged at small sizes.
A correct price costs one numeric read in almost all cases; only a mismatch costs every try.

What the OCR sees is the text block alone, not the scene behind it: legibility against the scene
is the contrast check's job. Because of that, the reading depends only on the block's lines,
fonts, size and colours, and `TextReader` caches it under exactly that key, so a headline that
appears in 24 variants is read once. That cache lives in the `TextReader` object, i.e. per process
(the module-level `default_reader()` is shared by every variant rendered in the process; separate
processes or worker pools each read once). It is thread-safe. The full text does not even depend
on the size: it is drawn again at one size (`_render`), so the same lines in seven formats are one
image, read once (the reader also keeps Tesseract's outputs by `reading_key`).

Below it, a `TextReader` given a `ReadingCache` (the store's `reading_cache()`, a table of the
catalog) keeps every Tesseract output across processes and runs, under `reading_key`: the SHA-256
of exactly what Tesseract was given (the image's mode, size and pixels, the language, the options)
plus the Tesseract version and `READING_VERSION`. So a re-run, another worker or another machine
sharing the catalog never runs Tesseract again on an image it has read, and a change to how the
images are drawn changes the pixels and so the key: a stale reading cannot be returned. Bump
`READING_VERSION` when the reading itself changes in a way the pixels do not show (how Tesseract's
output is post-processed before it is stored).

Tesseract is a system binary: when it (or a language's traineddata) is missing, `read` returns a
reading with `unavailable` set to one clear reason instead of raising.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import uharfbuzz as hb
from PIL import Image

from pipeline.banner.text import (
    FontStack,
    MissingGlyphError,
    TextFit,
    draw_fit,
    fit_text,
)
from pipeline.banner.text.fit import _layout  # the same lines at another size (no public name yet)
from pipeline.checks.figures import (
    BIDI_MARKS,
    DASHES,
    MODEL_PACKAGES,
    READ_CURRENCY_SIGNS,
    UNREAD_CURRENCY_SIGNS,
    drawn_systems,
    figure_model,
    figure_value,
    figure_whitelist,
    figures_only,
    numeric_part,
    unreadable_figures,
)
from pipeline.imaging.color import relative_luminance
from pipeline.model.locales import LocaleInfo

__all__ = [
    "OcrReading",
    "ReadingCache",
    "TextReader",
    "reading_key",
    "READING_VERSION",
    "default_reader",
    "missing_glyphs",
    "cer",
    "comparable",
    "numeric_part",
    "UNREAD_CURRENCY_SIGNS",
    "TESSERACT_LANGS",
    "NUMERIC_TRIES",
    "CER_THRESHOLDS",
    "NUMBERS_ONLY_SCRIPTS",
]

# locale language -> Tesseract traineddata
TESSERACT_LANGS: dict[str, str] = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "ar": "ara",
    "he": "heb",
    "ja": "jpn",
    "zh": "chi_sim",
    "ko": "kor",
    "hi": "hin",
}
# Highest character error rate accepted per script. Tesseract reads our clean Latin renders
# exactly (docs/facts.md, section 3); CJK, Hebrew and Devanagari get some slack for look-alike glyphs.
CER_THRESHOLDS: dict[str, float] = {
    "Latn": 0.05,
    "Jpan": 0.15,
    "Hans": 0.15,
    "Kore": 0.15,
    "Hebr": 0.15,
    "Deva": 0.15,
}
# Scripts whose full text Tesseract cannot verify. On the 42 demo ar-AE banners, all rendered
# correctly, it drops the shadda (تسوّق read as تسؤق, CER 0.22-0.33), misreads the legal line's
# Arabic-Indic digits (0.12-0.14) and loses a line of a wrapped subline (0.61): even the old 25 %
# limit failed 12 of 168 correct blocks, and a limit loose enough to pass them all would pass text
# with a quarter of its letters wrong. So a mismatch cannot tell a misrender from a misreading, and
# the full text is reported not applicable. Figures (prices, prior prices, badges) are read by the
# whitelisted numeric pass as in any script: it read all 126 figure blocks of those banners
# exactly, and misread none of 209 Arabic price prints at 10-40 px (BENCHMARKS.md). That is in
# Western digits: figures in Arabic-Indic digits are not read at all (`pipeline.checks.figures`).
NUMBERS_ONLY_SCRIPTS = frozenset({"Arab"})

OCR_TARGET_PX = 48  # the full-text pass draws text at this em before Tesseract reads it
_PAD = 16
OCR_CAP_PX = 48  # figures (numeric pass) are scaled so their cap height is about this tall
_CAP_EM = 0.714  # cap height / em of the Noto Sans family (digits are cap height)
# The numeric pass's tries, in order: (cap height in px, largest upscale, Tesseract page
# segmentation mode). Measured on the demo's prices, prior prices and badges in every demo
# locale at 10-40 px: either of the first two alone misreads 2 of 1045 correct prints, together
# none; no try accepted any of 585 prints with one digit drawn wrong. Left out on that evidence:
# binarising at the midpoint of the known colours (misread 18 of the 10 px prints, and accepted
# 2 wrongly drawn prices) and a 40 px cap height (accepted 1).
NUMERIC_TRIES: tuple[tuple[float, float, int], ...] = (
    (OCR_CAP_PX, 12.0, 7),
    (_CAP_EM * OCR_TARGET_PX, 3.0, 7),
    (OCR_CAP_PX, 12.0, 8),
)
#: Part of every `reading_key`: bump it when what is stored for an image changes without its
#: pixels, language or options changing (the raw Tesseract output is stored, so rarely).
READING_VERSION = "1"


# --------------------------------------------------------------------------- coverage


@lru_cache(maxsize=64)
def _hb_font(path: str, face_index: int) -> hb.Font:
    blob = hb.Blob.from_file_path(path)
    return hb.Font(hb.Face(blob, face_index))


def missing_glyphs(text: str, stack: FontStack) -> list[str]:
    """Characters of `text` that shape to .notdef (glyph 0) in the font the stack assigns them.

    Empty when every character has a real glyph. A character no font of the stack has at all is
    reported as well (the stack cannot even assign a font).
    """
    try:
        runs = stack.split_runs(text)
    except MissingGlyphError as e:
        return [getattr(e, "char", "?")]
    missing: list[str] = []
    for run, index in runs:
        path, face = stack.fonts[index]
        buf = hb.Buffer()
        buf.add_str(run)
        buf.guess_segment_properties()
        hb.shape(_hb_font(str(path), face), buf, {})
        for info in buf.glyph_infos:
            if info.codepoint == 0:
                ch = run[info.cluster] if info.cluster < len(run) else "?"
                if not unicodedata.category(ch).startswith(("Z", "C")):
                    missing.append(ch)
    return missing


# --------------------------------------------------------------------------- comparing strings

_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032`´"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u00ab\u00bb"), '"'
)


def comparable(text: str) -> str:
    """What OCR can be held to: NFKC, case-folded, no whitespace or invisible marks, one kind of
    dash and quote (OCR does not see spaces between CJK characters, nor bidi marks)."""
    t = unicodedata.normalize("NFKC", text).translate(BIDI_MARKS).translate(DASHES).translate(_QUOTES)
    return re.sub(r"\s+", "", t.casefold())


def cer(expected: str, read: str) -> float:
    """Character error rate: Levenshtein distance / len(expected), on `comparable` strings."""
    a, b = comparable(expected), comparable(read)
    if not a:
        return 0.0 if not b else 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / len(a)


def _numeric_fit(fit: TextFit) -> TextFit:
    """What the whitelisted pass reads: the fit without its letters (see `figures_only`), drawn
    in the same font at the same size. Figures in native digits come from another font than their
    signs and are read by a model that loses some of those signs, so they are drawn in the whole
    stack, without the currency signs Tesseract never reads (`₹७.४९` was read as `२७.४९`), and
    with every dash and minus as `-`, the sign both sides are compared on (the Devanagari model
    read 101 of 120 correct prints drawn as they are, 115 drawn so; a lost minus is still flagged).
    Otherwise unchanged when there are no letters, when the text is more than one line, or when
    it mixes fonts (the blanked text could not keep them)."""
    if len(fit.lines) != 1:
        return fit
    line = fit.lines[0]
    native = any(system != "latn" for system in drawn_systems(fit.lines))
    blanked = figures_only(line, UNREAD_CURRENCY_SIGNS).translate(DASHES) if native else figures_only(line)
    if blanked == line or not blanked.strip():
        return fit
    runs = fit.stack.split_runs(line)
    if len(runs) == 1:
        stack = FontStack([fit.stack.fonts[runs[0][1]]])
    elif native:
        stack = fit.stack
    else:
        return fit
    try:
        figures = fit_text(
            blanked, stack, 1 << 16, 1 << 16, max_px=fit.size_px, min_px=fit.size_px, locale=fit.locale, max_lines=1
        )
    except (ValueError, MissingGlyphError):
        return fit
    return figures or fit


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class OcrReading:
    text: str  # what Tesseract read (full language model); "" when unavailable
    numeric: str | None  # what the whitelisted numeric pass read (price blocks), else None
    lang: str
    unavailable: str | None = None  # why no reading was possible (no binary, no language)
    numeric_reads: tuple[str, ...] = ()  # every numeric try, in order (the last matched, if any did)


def _render(fit: TextFit, fg: tuple[int, int, int], bg: tuple[int, int, int]) -> Image.Image:
    """The fitted lines alone on a plain canvas, laid out again at OCR_TARGET_PX (same lines, fonts,
    line spacing and direction) instead of drawn at the banner's size and scaled.

    What the full-text pass verifies (lost characters, bidi order, shaping, the font of each run)
    does not depend on the pixel size, so the same lines give the same image in every format and
    are read once (`reading_key`), where drawing at the banner's size gave one image per size.
    Measured on the demo copy (en, de, fr, ja; headline, subline, cta at 11-56 px, 84 blocks):
    84 distinct images became 12, and neither drawing read any correct block over its CER limit;
    small text is read better (an 11 px block was upscaled 3x to a 33 px em, now drawn at 48)."""
    at = fit
    if fit.size_px != OCR_TARGET_PX:
        spacing = fit.line_pitch / fit.size_px
        at = _layout(fit.lines, fit.stack, OCR_TARGET_PX, fit.locale, spacing, fit.direction)
    w, h = at.width + 2 * _PAD, at.height + 2 * _PAD
    canvas = Image.new("RGB", (w, h), bg)
    image, _ = draw_fit(canvas, at, (_PAD, _PAD, w - _PAD, h - _PAD), fg, align="start", locale=at.locale, valign="top")
    return image.convert("L")


def _render_figures(fit: TextFit, fg: tuple[int, int, int], bg: tuple[int, int, int]) -> Image.Image:
    """The fit drawn at its own pixel size, half an em of padding, dark on light, greyscale:
    the small image the numeric tries scale up."""
    pad = max(4, round(0.5 * fit.size_px))
    w, h = fit.width + 2 * pad, fit.height + 2 * pad
    canvas = Image.new("RGB", (w, h), bg)
    image, _ = draw_fit(canvas, fit, (pad, pad, w - pad, h - pad), fg, align="start", locale=fit.locale, valign="top")
    grey = image.convert("L")
    if _luminance(fg) > _luminance(bg):
        grey = Image.eval(grey, lambda v: 255 - v)
    return grey


def _numeric_image(small: Image.Image, size_px: int, cap_px: float, max_scale: float) -> Image.Image:
    """`small` scaled with Lanczos so the cap height is about `cap_px` (at most `max_scale` x)."""
    scale = min(max_scale, max(0.5, cap_px / (_CAP_EM * size_px)))
    if abs(scale - 1) <= 0.05:
        return small
    return small.resize(
        (max(1, round(small.width * scale)), max(1, round(small.height * scale))), Image.Resampling.LANCZOS
    )


def _luminance(rgb: tuple[int, int, int]) -> float:
    return float(relative_luminance(rgb))


class ReadingCache(Protocol):
    """Where Tesseract's raw outputs are kept by `reading_key` (the store's `reading_cache()`).

    `put` of a key that is already there keeps the first value: the same key means the same image
    read the same way by the same Tesseract, so either output is the reading."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


def reading_key(image: Image.Image, lang: str, config: str, engine: str) -> str:
    """SHA-256 of everything one Tesseract call depends on: the image exactly as given (mode, size,
    raw pixels), the language, the options, the Tesseract `engine` version and `READING_VERSION`."""
    digest = hashlib.sha256(f"vitrina-ocr-v{READING_VERSION}\0{engine}\0{lang}\0{config}\0".encode())
    digest.update(f"{image.mode}\0{image.width}x{image.height}\0".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


class TextReader:
    """Tesseract via pytesseract, with a per-process cache of readings and, when given, a
    persistent `ReadingCache` of Tesseract outputs (see the module's doc).

    `read(fit, colour, plate, numeric=...)` renders the fit in its colours (dark-on-light order
    restored for Tesseract), reads it once per key `(lines, fonts, size, colour, plate, lang,
    numeric)` and returns the cached reading afterwards. `calls` counts real Tesseract runs,
    `hits` readings answered by the per-process cache, `disk_hits` Tesseract calls answered by the
    persistent cache.
    """

    def __init__(self, tesseract_cmd: str | None = None, *, cache: ReadingCache | None = None) -> None:
        self._cmd = tesseract_cmd
        self._store = cache
        self._engine: str | None = None
        self._cache: dict[Hashable, OcrReading] = {}
        self._outputs: dict[str, str] = {}  # reading_key -> Tesseract output, this reader's own
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self._langs: frozenset[str] | None = None
        self._missing: str | None = None
        self.calls = 0
        self.hits = 0
        self.disk_hits = 0

    # availability -------------------------------------------------------------------------
    def _available_langs(self) -> frozenset[str]:
        if self._langs is None:
            try:
                import pytesseract
            except ImportError:
                self._missing = "pytesseract is not installed (pip install pytesseract)"
                self._langs = frozenset()
                return self._langs
            cmd = self._cmd or shutil.which("tesseract")
            if cmd is None or not Path(cmd).exists() and shutil.which(cmd) is None:
                self._missing = (
                    "the tesseract binary is not installed (Debian: apt-get install "
                    "tesseract-ocr; see scripts/system-deps.sh)"
                )
                self._langs = frozenset()
                return self._langs
            pytesseract.pytesseract.tesseract_cmd = cmd
            try:
                self._langs = _languages(cmd)
                self._engine = _engine_version(cmd)
            except (OSError, subprocess.SubprocessError, RuntimeError, pytesseract.TesseractError) as e:
                self._missing = f"tesseract cannot run: {e}"
                self._langs = frozenset()
        return self._langs

    def unavailable_reason(self, locale: LocaleInfo, *, numeric_only: bool = False) -> str | None:
        """Why `locale` cannot be read here (no Tesseract, no language data), else None.
        `numeric_only`: only figures will be read, which needs the 'eng' data alone."""
        langs = self._available_langs()
        if self._missing:
            return self._missing
        if numeric_only:
            return None if "eng" in langs else "Tesseract language data 'eng' (used for prices) is not installed"
        lang = TESSERACT_LANGS.get(locale.language)
        if lang is None:
            return f"no Tesseract language is mapped for {locale.code}"
        if lang not in langs:
            return (
                f"Tesseract language data {lang!r} for {locale.code} is not installed "
                f"(Debian: tesseract-ocr-{lang.replace('_', '-')})"
            )
        if "eng" not in langs:
            return "Tesseract language data 'eng' (used for prices) is not installed"
        return None

    # reading ------------------------------------------------------------------------------
    def read(
        self, fit: TextFit, colour: str, plate: str | None, *, numeric: str | None = None, full_text: bool = True
    ) -> OcrReading:
        """Read a fitted text block. `numeric`: the expected string of a price block, whose
        digits, separators and currency signs are read with a whitelist. `full_text=False`
        reads only those figures (`text` stays ""): what a price block is judged on."""
        if not full_text and numeric is None:
            raise ValueError("read(full_text=False) needs the expected figures (numeric=...)")
        lang = TESSERACT_LANGS.get(fit.locale.language, "eng")
        key = (fit.lines, fit.stack.names, fit.size_px, colour, plate, fit.direction, lang, numeric, full_text)
        with self._guard:
            if key in self._cache:
                self.hits += 1
                return self._cache[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._cache:
                    self.hits += 1
                    return self._cache[key]
            reading = self._read_uncached(fit, colour, plate, lang, numeric, full_text)
            with self._guard:
                self._cache[key] = reading
                self._locks.pop(key, None)
            return reading

    def _read_uncached(
        self, fit: TextFit, colour: str, plate: str | None, lang: str, numeric: str | None, full_text: bool
    ) -> OcrReading:
        reason = self.unavailable_reason(fit.locale, numeric_only=not full_text)
        if reason:
            return OcrReading("", None, lang, unavailable=reason)
        if numeric is not None and (why := self._figures_unreadable(fit)):
            return OcrReading("", None, lang, unavailable=why)
        import pytesseract

        fg = _hex(colour)
        bg = _hex(plate) if plate else ((255, 255, 255) if _luminance(fg) < 0.18 else (0, 0, 0))
        try:
            text = self._read_text(fit, fg, bg, lang) if full_text else ""
            num, tries = (None, ()) if numeric is None else self._read_figures(fit, fg, bg, numeric)
        except (OSError, RuntimeError, pytesseract.TesseractError) as e:
            return OcrReading("", None, lang, unavailable=f"tesseract failed: {e}")
        return OcrReading(text, num, lang, numeric_reads=tries)

    def _figures_unreadable(self, fit: TextFit) -> str | None:
        """Why the figures drawn in `fit` cannot be read here: digits no model reads
        (`unreadable_figures`), or their model's data is not installed."""
        if why := unreadable_figures(fit.lines):
            return why
        model = figure_model(fit.lines)
        if model in self._available_langs():
            return None
        package = MODEL_PACKAGES.get(model, f"tesseract-ocr-{model}")
        return f"Tesseract model {model!r}, which reads these figures' digits, is not installed (Debian: {package})"

    def _read_text(self, fit: TextFit, fg: tuple[int, int, int], bg: tuple[int, int, int], lang: str) -> str:
        """The full-text reading: the block drawn alone, dark on light, read with its language's model."""
        image = _render(fit, fg, bg)
        if _luminance(fg) > _luminance(bg):  # Tesseract reads dark on light best
            image = Image.eval(image, lambda v: 255 - v)
        psm = 7 if len(fit.lines) == 1 else 6
        return self._tesseract(image, lang, f"--psm {psm}").strip()

    def _read_figures(
        self, fit: TextFit, fg: tuple[int, int, int], bg: tuple[int, int, int], expected: str
    ) -> tuple[str, tuple[str, ...]]:
        """The whitelisted reading of a price block: the first of NUMERIC_TRIES whose figures have
        `expected`'s value (`figure_value`), else the first try's reading (what is reported as
        read). Each try reads the same drawn glyphs; none is accepted unless it yields exactly the
        expected digits, separators and signs. The model is the one of the drawn digit system
        (`figure_model`)."""
        lang = figure_model(fit.lines)
        want = figure_value(expected)
        allowed = figure_whitelist(expected, fit.lines)
        # A sign Tesseract cannot read is not compared; the signs it can read are allowed in its
        # place, so that a wrong sign drawn there (a `$` for a `₪`) shows up as a mismatch.
        if lang == "eng" and any(ch in UNREAD_CURRENCY_SIGNS for ch in expected):
            allowed = "".join(sorted(set(allowed + READ_CURRENCY_SIGNS)))
        config = f"-c tessedit_char_whitelist={shlex.quote(allowed)}"
        figures = _numeric_fit(fit)
        small = _render_figures(figures, fg, bg)
        reads: list[str] = []
        for cap_px, max_scale, psm in NUMERIC_TRIES:
            image = _numeric_image(small, figures.size_px, cap_px, max_scale)
            got = self._tesseract(image, lang, f"--psm {psm} {config}").strip()
            reads.append(got)
            if figure_value(got) == want:
                return got, tuple(reads)
        return reads[0], tuple(reads)

    def _tesseract(self, image: Image.Image, lang: str, config: str) -> str:
        """Tesseract's raw output for `image`: from this reader's memory or the persistent cache when
        either holds this exact image read this way, else one Tesseract run (counted in `calls`),
        then kept in both."""
        import pytesseract

        key = reading_key(image, lang, config, self._engine or "")
        with self._guard:
            if key in self._outputs:  # the same image from another block key (another size)
                return self._outputs[key]
        text = self._store.get(key) if self._store is not None else None
        if text is not None:
            with self._guard:
                self.disk_hits += 1
        else:
            with self._guard:
                self.calls += 1
            text = str(pytesseract.image_to_string(image, lang=lang, config=config))
            if self._store is not None:
                self._store.put(key, text)
        with self._guard:
            self._outputs[key] = text
        return text

    def clear(self) -> None:
        """Forget the per-process readings (the persistent cache keeps its own)."""
        with self._guard:
            self._cache.clear()
            self._outputs.clear()
            self.calls = self.hits = self.disk_hits = 0


def _languages(cmd: str) -> frozenset[str]:
    """The models `tesseract --list-langs` names, script models (`Devanagari`) included:
    pytesseract's `get_languages` keeps only lower-case names and so drops those."""
    done = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`{cmd} --list-langs` exited with {done.returncode}: {done.stderr.strip()[:200]}")
    return frozenset(line.strip() for line in done.stdout.splitlines() if re.fullmatch(r"[\w/.-]+", line.strip()))


@lru_cache(maxsize=8)
def _engine_version(cmd: str) -> str:
    """`tesseract --version` (Tesseract's and its libraries' versions), asked once per process and
    binary (a run makes a reader per SKU): a reading kept by another Tesseract is not reused.
    "" when it cannot be asked (the reading then still depends on the pixels, language and options)."""
    try:
        done = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (done.stdout + done.stderr).strip()


def _hex(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


_DEFAULT: TextReader | None = None
_DEFAULT_GUARD = threading.Lock()


def default_reader() -> TextReader:
    """The process-wide reader (and so the process-wide cache) used by `render_variant`."""
    global _DEFAULT
    with _DEFAULT_GUARD:
        if _DEFAULT is None:
            _DEFAULT = TextReader()
        return _DEFAULT

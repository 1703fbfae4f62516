"""Every error Vitrina raises on purpose, in one tree (modelled on httpx's `_exceptions.py`).

VitrinaError                 base: catch this and only this to handle "Vitrina said no"
├── ConfigError              a brand guide, brief or catalog is invalid: file, field, value, problem
├── InputError               a value Vitrina cannot use (unknown locale or currency, negative price)
│   ├── ImageRejected        a product image that cannot be used (corrupt, bomb, not a packshot)
│   ├── LayoutError          the copy or the logo cannot be laid out in a channel format
│   └── FontError            a font file that cannot be read or lacks a glyph
│       └── MissingGlyphError  no font of the stack draws a character: it would render as a box
├── ModelError               a model cannot run as configured (diffusion backend, bundled detector)
│   ├── ModelNotFoundError   the model is not on this machine (nothing is ever downloaded)
│   ├── LoraNotFoundError    the brand's style LoRA file does not exist
│   └── DetectorUnavailable  a bundled detection model cannot load here (missing, corrupt, no runtime)
├── ReviewError              a review decision that cannot be taken (unknown id, blocked variant)
├── DamError                 a DAM operation failed (endpoint, credentials, bucket, key)
└── VerifyError              product-pixel verification cannot compare its inputs

Rules:
- Messages are one line a user can act on and name the offending value (shortened by `shown`).
- Library errors (pydantic, PIL, botocore, OSError) are mapped to these at the boundary where
  they enter Vitrina, so callers (flows, CLI, web app) catch `VitrinaError` only; anything else
  that escapes is a bug and is reported as one.
- `InputError` also derives from `ValueError`: code that passed a bad value to a plain function
  (e.g. `format_price`) may keep treating it as one.
"""

from __future__ import annotations

import reprlib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "VitrinaError",
    "ConfigError",
    "InputError",
    "ImageRejected",
    "LayoutError",
    "FontError",
    "MissingGlyphError",
    "ModelError",
    "ModelNotFoundError",
    "LoraNotFoundError",
    "DetectorUnavailable",
    "ReviewError",
    "DamError",
    "VerifyError",
    "shown",
    "one_line",
]

#: Longest value an error message prints: a hostile input must not flood a terminal or a log.
MAX_SHOWN = 100


#: Longest problem sentence a ConfigError prints (it may quote values inside its sentence).
MAX_PROBLEM = 300


def _bounded_repr(limit: int) -> reprlib.Repr:
    r = reprlib.Repr()
    r.maxlevel = 3
    r.maxdict = r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = r.maxdeque = r.maxarray = 8
    r.maxstring = r.maxother = r.maxlong = limit
    return r


_REPR = _bounded_repr(MAX_SHOWN)


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """`repr(value)` cut to `limit` characters (with "..."), for error messages.

    The repr itself is bounded too: a long string is cut before it is repr-ed and a container
    shows its first few items only, so a huge (or hostile, e.g. YAML-alias-expanded) value costs
    no more to show than a short one.
    """
    if isinstance(value, str | bytes):
        text = repr(value[: limit + 1])
    else:
        try:
            text = (_REPR if limit == MAX_SHOWN else _bounded_repr(limit)).repr(value)
        except ValueError:  # e.g. an int with more digits than Python will convert
            text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: str, limit: int = MAX_PROBLEM) -> str:
    """`text` with every run of whitespace (newlines included) made one space, cut to `limit`."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class VitrinaError(Exception):
    """Base of every error Vitrina raises on purpose."""


class ConfigError(VitrinaError):
    """Invalid input configuration; the message is one line: file, field, value, problem."""

    def __init__(self, file: Path | str, field: str, value: Any, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.value = value
        self.problem = one_line(problem)
        super().__init__(f"{one_line(self.file)}: {one_line(field, MAX_SHOWN)}: {shown(value)}: {self.problem}")


class InputError(VitrinaError, ValueError):
    """A value Vitrina cannot use, named in the message."""


class ImageRejected(InputError):
    """A product image Vitrina will not use, with the reason a user can act on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class LayoutError(InputError):
    """The banner cannot be laid out in a format (copy or logo does not fit, a rule is broken)."""


class FontError(InputError):
    """A font that cannot be used: not a font file, a missing face, or a missing glyph."""


class MissingGlyphError(FontError):
    """No font of the stack has a glyph for a character: it would render as a box."""

    def __init__(self, text: str, char: str, fonts: Iterable[str]) -> None:
        self.text = text
        self.char = char
        self.fonts = tuple(fonts)
        name = unicodedata.name(char, "unnamed")
        super().__init__(
            f"no font covers {char!r} (U+{ord(char):04X} {name}) in {shown(text)}; tried: {', '.join(self.fonts)}"
        )


class ModelError(VitrinaError):
    """A model cannot run as configured: the diffusion backend or a bundled detector."""


class ModelNotFoundError(ModelError):
    """The configured diffusion model is not on this machine (nothing is downloaded)."""


class LoraNotFoundError(ModelError):
    """The brand's style LoRA file configured in imagery.lora does not exist."""


class DetectorUnavailable(ModelError):
    """A bundled detection model cannot load here: its file is missing or corrupt, or its runtime
    is not installed. Nothing is downloaded; the checks that need it refuse rather than pass."""


class ReviewError(VitrinaError):
    """A review decision that cannot be taken (unknown id, blocked variant, missing reason)."""


class DamError(VitrinaError):
    """A DAM operation failed; ``str(err)`` is one line a user can act on.

    ``uri`` is the DAM the connector talks to and ``key`` the asset key involved (either may be
    None). Newlines in embedded library messages are flattened so logs and CLI output stay one
    line per failure.
    """

    def __init__(self, message: str, *, uri: str | None = None, key: str | None = None) -> None:
        flat = " ".join(str(message).split())
        super().__init__(flat)
        self.uri = uri
        self.key = key


class VerifyError(VitrinaError):
    """The inputs of a product-pixel verification cannot be compared (a sidecar without product
    lineage, a placement outside the banner, a cut-out of the wrong mode, an unreadable file)."""

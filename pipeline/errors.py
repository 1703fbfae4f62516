"""One exception tree for the whole library.

VitrinaError
├── ConfigError      bad brand guide, brief or catalog: names the file, the field and the value
└── ImageRejected    a product image that cannot be used (corrupt, truncated, bomb, not a packshot)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["VitrinaError", "ConfigError", "ImageRejected"]


class VitrinaError(Exception):
    """Base of every error Vitrina raises on purpose."""


class ConfigError(VitrinaError):
    """Invalid input configuration; the message is one line: file, field, value, problem."""

    def __init__(self, file: Path | str, field: str, value: Any, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.value = value
        self.problem = problem
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{self.file}: {field}: {shown}: {problem}")


class ImageRejected(VitrinaError):
    """A product image Vitrina will not use, with the reason a user can act on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

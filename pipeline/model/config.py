"""Shared loading helpers: YAML files into pydantic models, with one-line errors.

Every configuration error names the file, the field (dotted path) and the offending value, so
`vitrina run` can print one line and stop before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import ConfigError

__all__ = ["read_yaml", "validate_model", "field_path", "relative_file"]

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping; a missing file, bad YAML or a non-mapping is a ConfigError."""
    if not path.is_file():
        raise ConfigError(path, "(file)", str(path), "file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(path, "(yaml)", where, f"invalid YAML: {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "(yaml)", type(exc).__name__, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", type(data).__name__, "expected a mapping of fields")
    return data


def field_path(loc: tuple[int | str, ...]) -> str:
    """('formats', 2, 'width') -> 'formats[2].width'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def validate_model(model: type[M], data: dict[str, Any], path: Path, **context: Any) -> M:
    """Validate `data` into `model`; the first error becomes a one-line ConfigError."""
    try:
        return model.model_validate(data, context={"file": path, **context})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if err["type"] == "missing":
            value = None
            msg = "required field is missing"
        raise ConfigError(path, field_path(loc), value, msg) from None


def relative_file(base: Path, value: str, file: Path, field: str) -> Path:
    """Resolve a path written in a config file relative to that file's folder; must exist."""
    resolved = (base / value).resolve()
    if not resolved.is_file():
        raise ConfigError(file, field, value, f"file not found ({resolved})")
    return resolved

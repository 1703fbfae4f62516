"""Shared loading helpers: YAML files into pydantic models, with one-line errors.

Every configuration error names the file, the field (dotted path) and the offending value, so
`vitrina run` can print one line and stop before anything is written.

Every user YAML file (brand guide, brief, the format catalog) is read by one loader,
`read_yaml`: PyYAML's safe loader that also refuses anchors and aliases (an alias "bomb" of a
kilobyte expands to gigabytes) and duplicate keys (YAML would silently keep the last one), each
with its line. The same module holds the checks for user text that becomes a file name or an
object key (`check_name`) or is printed on a banner (`check_text`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError

from pipeline.errors import ConfigError

__all__ = [
    "read_yaml",
    "validate_model",
    "field_path",
    "relative_file",
    "inside",
    "check_name",
    "check_text",
    "SafeName",
    "SafeText",
    "NAME_MAX",
    "YAML_MAX_BYTES",
]

M = TypeVar("M", bound=BaseModel)

#: Largest YAML file read (a brand guide with a big claims library is a few kB).
YAML_MAX_BYTES = 4 * 1024 * 1024


class StrictYamlLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses anchors, aliases and duplicate mapping keys (with their line)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:  # an alias (*x) or a node that defines an anchor (&x)
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise yaml.composer.ComposerError(
                None, None, f"{sign}{anchor}: anchors and aliases are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<": merged by the base class
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # unhashable: the base class reports it with its line
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {_short(key)} (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep)


def _short(value: Any) -> str:
    from pipeline.errors import shown

    return shown(value, 60)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping; a missing file, bad YAML or a non-mapping is a ConfigError.

    Anchors/aliases and duplicate keys are bad YAML here (see `StrictYamlLoader`).
    """
    if not path.is_file():
        raise ConfigError(path, "(file)", str(path), "file not found")
    size = path.stat().st_size
    if size > YAML_MAX_BYTES:
        raise ConfigError(path, "(file)", size, f"file is larger than {YAML_MAX_BYTES // 1024 // 1024} MiB")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "(yaml)", f"byte {exc.start}", "not UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=StrictYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(path, "(yaml)", where, f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, "(yaml)", type(exc).__name__, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(path, "(yaml)", "nesting", "invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(path, "(top level)", type(data).__name__, "expected a mapping of fields")
    return data


#: Longest name (SKU, scene id, format id, campaign id) that becomes a path or an object key.
NAME_MAX = 64
_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{NAME_MAX - 1}}}")


def check_name(value: str) -> str:
    """A name that becomes a file name or a DAM object key: letters, digits, '.', '_' and '-',
    starting with a letter or digit, at most `NAME_MAX` characters, no '..'. ValueError if not."""
    if len(value) > NAME_MAX:
        raise ValueError(f"longer than {NAME_MAX} characters (it becomes a file name and an object key)")
    if not _NAME.fullmatch(value) or ".." in value:
        raise ValueError(
            "not a safe name: use letters, digits, '.', '_' and '-', starting with a letter or digit, "
            "no '..' (it becomes a file name and an object key)"
        )
    return value


#: Bidi embeddings, overrides (U+202A-202E) and isolates (U+2066-2069): they reorder what a
#: reviewer reads without being visible. The marks LRM, RLM (U+200E/200F) and ALM (U+061C) are
#: allowed: they only set the direction of neutral characters next to them (a price or a "!"
#: at the end of Arabic or Hebrew copy) and are the standard way to get such copy right.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def check_text(value: str) -> str:
    """Copy or a product title: no control characters (C0/C1, newlines and tabs included), no
    line/paragraph separators, no bidi embeddings/overrides/isolates. ValueError if not."""
    for i, ch in enumerate(value):
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS or category in ("Cc", "Zl", "Zp"):
            name = unicodedata.name(ch, "control character")
            kind = "bidi embedding/override/isolate" if ch in BIDI_CONTROLS else "control character"
            raise ValueError(
                f"contains U+{ord(ch):04X} {name} at position {i}: a {kind} is not allowed in copy "
                "(LRM, RLM and ALM marks are)"
            )
    return value


SafeName = Annotated[str, AfterValidator(check_name)]
SafeText = Annotated[str, AfterValidator(check_text)]


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


def inside(path: Path, root: Path) -> Path | None:
    """`path` resolved (symlinks followed), or None when it lies outside `root`."""
    resolved = path.resolve()
    return resolved if resolved.is_relative_to(root.resolve()) else None

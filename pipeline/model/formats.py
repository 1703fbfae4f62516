"""The channel format catalog: shipped defaults (`formats.yaml`) that brands reference by id.

A brand's `formats` list may name a catalog format by id alone (`leaderboard`) or give an id with
the fields it overrides (`{id: square, min_text_px: 26}`; `safe_zone` merges per side). An entry
whose id is not in the catalog must be complete (name, width, height). A brand that lists no
formats gets the whole catalog. Validation (sizes, safe zones, blocks) is `ChannelFormat`'s job.

The same file declares the layout families (`families`): how large the logo is drawn and which
blocks a family's layout leaves out first when room is short (`family_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pipeline.errors import ConfigError
from pipeline.model.config import read_yaml

__all__ = [
    "CATALOG_PATH",
    "Block",
    "BLOCKS",
    "DROPPABLE",
    "FAMILIES",
    "FamilyRules",
    "catalog",
    "resolve_format_entry",
    "default_formats",
    "family_of",
    "family_rules",
]

CATALOG_PATH = Path(__file__).with_name("formats.yaml")
#: What a banner is made of; a format may leave out the subline and the legal line.
Block = Literal["headline", "subline", "price", "cta", "logo", "legal"]
BLOCKS: tuple[Block, ...] = get_args(Block)
#: The blocks a family's layout may leave out when room is short; the others are required.
DROPPABLE: tuple[Block, ...] = ("subline", "headline")
FAMILIES = ("square", "portrait", "tall", "wide", "flat", "small")


@dataclass(frozen=True)
class FamilyRules:
    """How a layout family sizes the logo and what it leaves out first (formats.yaml `families`)."""

    logo_width: float  # share of the canvas width
    logo_height: float  # most of the safe area's height the logo takes at that width
    drop_order: tuple[Block, ...]


def family_of(width: int, height: int) -> str:
    """The layout family of a width x height format: flat (4:1 and flatter, e.g. the 728x90
    leaderboard), small (display units under 600 px on both sides, e.g. the 300x250 medium
    rectangle), wide (web heroes, 1.91:1 links), square (about 1:1), portrait (4:5) or tall (9:16)."""
    a = width / height
    if a >= 4:
        return "flat"
    if max(width, height) < 600 and a >= 0.9:
        return "small"
    if a >= 1.5:
        return "wide"
    if a >= 0.9:
        return "square"
    if a >= 0.65:
        return "portrait"
    return "tall"


def family_rules(family: str) -> FamilyRules:
    """The declared rules of a layout family."""
    return _families()[family]


@lru_cache(maxsize=1)
def _families() -> dict[str, FamilyRules]:
    entries = read_yaml(CATALOG_PATH).get("families") or {}
    out = {}
    for name in FAMILIES:
        entry = entries.get(name)
        field = f"families.{name}"
        if not isinstance(entry, dict) or set(entry) != {"logo_width", "logo_height", "drop_order"}:
            raise ConfigError(CATALOG_PATH, field, entry, "needs logo_width, logo_height and drop_order")
        for key in ("logo_width", "logo_height"):
            if not isinstance(entry[key], (int, float)) or not 0 < entry[key] <= 1:
                raise ConfigError(CATALOG_PATH, f"{field}.{key}", entry[key], "must be a share in (0, 1]")
        order = entry["drop_order"]
        if not isinstance(order, list) or any(b not in DROPPABLE for b in order) or len(set(order)) != len(order):
            raise ConfigError(
                CATALOG_PATH, f"{field}.drop_order", order, f"must list distinct blocks of {', '.join(DROPPABLE)}"
            )
        out[name] = FamilyRules(float(entry["logo_width"]), float(entry["logo_height"]), tuple(order))
    return out


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, Any]]:
    data = read_yaml(CATALOG_PATH)  # the one YAML loader (no aliases, no duplicate keys)
    return {entry["id"]: entry for entry in data["formats"]}


def catalog() -> dict[str, dict[str, Any]]:
    """Catalog entries by id (plain dicts, copies: safe to change)."""
    return {k: _copy(v) for k, v in _catalog().items()}


def _copy(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v) for k, v in entry.items()}


def resolve_format_entry(entry: Any) -> Any:
    """A brand's format entry with the catalog defaults for its id filled in.

    Strings are catalog ids; a dict's fields override the catalog's. Anything else (or an
    unknown id given as a string) is returned for the model to reject with its own message.
    """
    base = _catalog()
    if isinstance(entry, str):
        return _copy(base[entry]) if entry in base else entry
    if isinstance(entry, dict) and entry.get("id") in base:
        merged = _copy(base[entry["id"]])
        for key, value in entry.items():
            if key == "safe_zone" and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        return merged
    return entry


def default_formats() -> list[dict[str, Any]]:
    """Every catalog format, for a brand that lists none."""
    return [_copy(v) for v in _catalog().values()]

"""The channel format catalog: shipped defaults (`formats.yaml`) that brands reference by id.

A brand's `formats` list may name a catalog format by id alone (`leaderboard`) or give an id with
the fields it overrides (`{id: square, min_text_px: 26}`; `safe_zone` merges per side). An entry
whose id is not in the catalog must be complete (name, width, height). A brand that lists no
formats gets the whole catalog. Validation (sizes, safe zones, blocks) is `ChannelFormat`'s job.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pipeline.model.config import read_yaml

__all__ = ["CATALOG_PATH", "Block", "BLOCKS", "catalog", "resolve_format_entry", "default_formats"]

CATALOG_PATH = Path(__file__).with_name("formats.yaml")
#: What a banner is made of; a format may leave out the subline and the legal line.
Block = Literal["headline", "subline", "price", "cta", "logo", "legal"]
BLOCKS: tuple[Block, ...] = get_args(Block)


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

"""The format of the claims checker's pattern tables (YAML files under `tables/`) and their loader.

The words and phrases that *find* a candidate claim are data a linguist can read and extend;
whether a claim may stand is decided in code (the family modules). One file per language
(`en.yaml`, `de.yaml`, ...; the name is the ISO 639-1 code) plus `common.yaml` for patterns that
serve every language (percentages, amounts, currency symbols, number words, negation).

Format of a file: a mapping of table names to tables. The known tables and their shapes are in
`LANGUAGE_TABLES` and `COMMON_TABLES` below; an unknown name is an error.

- A *pattern* is a Python regex written in lower case with its natural accents and letters (they are
  folded like the copy: é -> e, ß -> ss, أ -> ا). It is either one string or a list of alternatives
  that are joined with "|" (one alternative per line keeps long patterns readable).
- `{{name}}` inserts a fragment: one of `fragments:` in the same file (defined before use) or in
  `common.yaml`. A fragment written as a list becomes one group, "(?:a|b|c)", so it can go
  anywhere. `{{places}}` (origin rules only) is filled in at run time with the country and region
  names of the copy's language (Babel) plus `place_names`.
- A *rules* table (environmental, health, superlative, origin, free, guarantee) is a list of entries
  `{rule: <family>.<rule>, pattern: ..., keep: <check>}`; `rule` must be one of `RULE_IDS` (the
  code words its message by it) and the optional `keep` names a Python check in
  `pipeline/checks/claims/lexicon.py` (`KEEPS`) that decides whether a match is really a claim
  ("number one fan" is not a rank).
- `urgency_relative` entries are `{pattern, days}` (`days`: a number of days after the run day, or
  `sunday` for the coming Sunday); `urgency_vague` entries are `{pattern, kind}` (`limited` or
  `imminent`); word lists are lists of plain strings; number tables map words to numbers.

Everything is checked when the package is imported: YAML anchors/aliases and duplicate keys are
refused, rule ids, keep names and fragment names must exist, every regex must compile (and carry the
named groups the code reads). A failure is a `ConfigError` whose file is `tables/<name>.yaml:<line>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import yaml

from pipeline.checks.claims.normalise import cjk_aware, fold_pattern
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.checks.claims.document import Doc, Hit

__all__ = [
    "RULE_IDS",
    "LANGUAGE_TABLES",
    "COMMON_TABLES",
    "KeepCheck",
    "Rule",
    "Table",
    "load_table",
    "load_tables",
]

KeepFn: TypeAlias = "Callable[[Doc, Hit], bool]"

#: Rule ids per rules table; the code words its findings by them (see library.py).
RULE_IDS: Mapping[str, tuple[str, ...]] = {
    "environmental": ("generic", "neutrality", "biodegradable", "recyclable", "natural", "offset"),
    "health": ("medical", "immune", "detox", "evidence", "endorsement", "weight", "cosmetic", "body"),
    "superlative": ("sales", "rank", "award", "price", "performance"),
    "origin": ("made_in",),
    "free": ("offer",),
    "guarantee": ("satisfaction", "money_back", "lifetime", "risk_free", "absolute"),
}

Kind = Literal["fragments", "rules", "patterns", "pattern", "words", "numbers", "deadlines", "vague"]

#: Tables a language file may hold, and their kind.
LANGUAGE_TABLES: Mapping[str, Kind] = {
    "fragments": "fragments",
    "environmental": "rules",
    "health": "rules",
    "superlative": "rules",
    "origin": "rules",
    "free": "rules",
    "guarantee": "rules",
    "free_conditions": "patterns",
    "scarcity_count": "patterns",
    "scarcity_vague": "patterns",
    "urgency_cue_before": "pattern",
    "urgency_cue_after": "pattern",
    "urgency_relative": "deadlines",
    "urgency_countdown": "patterns",
    "urgency_vague": "vague",
    "urgency_recurring": "pattern",
    "shipping_cutoff": "pattern",
    "reduction_words": "pattern",
    "generic_reduction": "pattern",
    "reference_cues": "pattern",
    "place_names": "words",
    "not_places": "words",
    "month_names": "numbers",
    "weekday_names": "numbers",
    "banned_word_suffixes": "pattern",
}

#: Tables of common.yaml, and their kind.
COMMON_TABLES: Mapping[str, Kind] = {
    "fragments": "fragments",
    "number_words": "numbers",
    "percent": "pattern",
    "percent_not_reduction": "pattern",
    "half_price": "pattern",
    "amount_off": "patterns",
    "rrp_cues": "pattern",
    "now_cues": "pattern",
    "offsetting_anywhere": "pattern",
    "terms_and_conditions": "pattern",
    "more_than_before": "pattern",
    "negation_before": "pattern",
    "negation_after": "pattern",
}

#: Named groups the code reads from a table's matches.
REQUIRED_GROUPS: Mapping[str, frozenset[str]] = {
    "scarcity_count": frozenset({"n"}),
    "urgency_countdown": frozenset({"n", "ud", "uh"}),
    "percent": frozenset({"pct"}),
    "amount_off": frozenset({"amt"}),
}

#: Fragments filled in at run time, and what stands in for them when a pattern is test-compiled.
RUNTIME_FRAGMENTS: Mapping[str, str] = {"places": "(?:x)"}
_RUNTIME_TABLES = {"places": ("origin",)}

_FRAGMENT_REF = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
_FRAGMENT_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LANGUAGE_FILE = re.compile(r"[a-z]{2,3}")
_STR = "tag:yaml.org,2002:str"
# the C parser (libyaml) when PyYAML has it: 15x faster, same events, nodes and line marks
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"


@dataclass(frozen=True)
class KeepCheck:
    """A Python check a rule can name with `keep:`; `groups` are the named groups it reads."""

    check: KeepFn
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """One row of a rules table: the finding's rule id, its regex and an optional keep check."""

    rule: str
    pattern: str
    keep: KeepFn | None = None
    keep_name: str | None = None


@dataclass(frozen=True)
class Table:
    """One loaded file; each mapping holds the tables of one kind, by table name."""

    name: str
    fragments: Mapping[str, str] = field(default_factory=dict)
    rules: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    numbers: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    deadlines: Mapping[str, tuple[tuple[str, int | Literal["sunday"]], ...]] = field(default_factory=dict)
    vague: Mapping[str, tuple[tuple[str, Literal["limited", "imminent"]], ...]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# YAML with line numbers, no aliases, no duplicate keys
# --------------------------------------------------------------------------------------------


class _File:
    """Error reporting for one table file: every problem names `tables/<file>:<line>`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = f"{path.parent.name}/{path.name}"

    def error(self, node_or_line: Any, where: str, value: Any, problem: str) -> ConfigError:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        return ConfigError(f"{self.shown}:{line}", where, value, problem)

    def compose(self, text: str) -> Any:
        """The YAML node tree of `text`, refusing anchors and aliases (a shared entry is a trap)."""
        try:
            for event in yaml.parse(text, Loader=_LOADER):
                if isinstance(event, yaml.AliasEvent):
                    raise self.error(
                        event, "(yaml)", f"*{event.anchor}", "aliases are not allowed; write the entry out"
                    )
                anchor = getattr(event, "anchor", None)
                if anchor is not None:
                    raise self.error(event, "(yaml)", f"&{anchor}", "anchors are not allowed; write each entry out")
            return yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            lines = text.splitlines()
            shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            raise self.error(line, "(yaml)", shown, f"invalid YAML: {exc.problem}") from None

    def mapping(self, node: Any, where: str) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping node; keys are strings and appear once."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, where, _value(node), "expected a mapping (key: value)")
        out: list[tuple[str, Any, Any]] = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise self.error(key_node, where, _value(key_node), "keys must be plain text")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise self.error(line, where, key, f"duplicate key (first at line {seen[key]})")
            seen[key] = line
            out.append((key, key_node, value_node))
        return out

    def sequence(self, node: Any, where: str) -> list[Any]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, where, _value(node), "expected a list")
        if not node.value:
            raise self.error(node, where, [], "expected a non-empty list")
        return list(node.value)

    def text(self, node: Any, where: str) -> str:
        """A non-empty string scalar; YAML's yes/no/numbers are refused so a word is never misread."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR or not node.value:
            raise self.error(
                node,
                where,
                _value(node),
                "expected non-empty text (quote it if YAML reads it as a number, yes/no or null)",
            )
        return str(node.value)

    def integer(self, node: Any, where: str) -> int:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
            raise self.error(node, where, _value(node), "expected a whole number")
        try:
            return int(node.value)
        except ValueError:
            raise self.error(node, where, node.value, "expected a decimal whole number") from None


def _value(node: Any) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return "[...]"
    if isinstance(node, yaml.MappingNode):
        return "{...}"
    return node


# --------------------------------------------------------------------------------------------
# Patterns and fragments
# --------------------------------------------------------------------------------------------


def _probe(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled as the checker will compile it, with stand-ins for run-time fragments."""
    for name, stand_in in RUNTIME_FRAGMENTS.items():
        pattern = pattern.replace("{{" + name + "}}", stand_in)
    rx = re.compile(fold_pattern(pattern))
    cjk_aware(rx)  # the form used on copy where Latin touches CJK must compile too
    return rx


class _Patterns:
    """Reads patterns of one file: joins alternatives, fills in fragments, compiles to check."""

    def __init__(self, f: _File, common: Mapping[str, str]) -> None:
        self.f = f
        self.common = dict(common)
        self.local: dict[str, str] = {}
        self.used: set[str] = set()

    def raw(self, node: Any, where: str) -> tuple[str, list[tuple[Any, str]]]:
        """The pattern text (alternatives joined with "|") and its parts with their nodes."""
        if isinstance(node, yaml.SequenceNode):
            parts = [(item, self.f.text(item, f"{where}[{k}]")) for k, item in enumerate(self.f.sequence(node, where))]
            return "|".join(p for _, p in parts), parts
        text = self.f.text(node, where)
        return text, [(node, text)]

    def fill(self, node: Any, where: str, text: str, runtime: tuple[str, ...] = ()) -> str:
        """`text` with every {{fragment}} replaced; runtime fragments stay as they are."""

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in runtime:
                return m.group(0)
            if name in self.local:
                self.used.add(name)
                return self.local[name]
            if name in self.common:
                return self.common[name]
            if name in RUNTIME_FRAGMENTS:
                allowed = ", ".join(_RUNTIME_TABLES[name])
                raise self.f.error(node, where, m.group(0), f"{{{{{name}}}}} is only available in: {allowed}")
            known = ", ".join(sorted({*self.local, *self.common})) or "none"
            raise self.f.error(node, where, m.group(0), f"unknown fragment {name!r} (defined so far: {known})")

        return _FRAGMENT_REF.sub(sub, text)

    def compiled(
        self, node: Any, where: str, parts: list[tuple[Any, str]], pattern: str, groups: frozenset[str] = frozenset()
    ) -> str:
        """Check that `pattern` compiles (as the checker will compile it) and has `groups`."""
        try:
            rx = _probe(pattern)
        except re.error as exc:
            bad, shown = node, pattern
            for part_node, part in parts:  # point at the alternative that is wrong, if one is
                try:
                    _probe(self.fill(part_node, where, part, tuple(RUNTIME_FRAGMENTS)))
                except re.error:
                    bad, shown = part_node, part
                    break
            raise self.f.error(bad, where, shown, f"regex does not compile: {exc}") from None
        missing = groups - set(rx.groupindex)
        if missing:
            names = ", ".join(f"(?P<{g}>...)" for g in sorted(missing))
            raise self.f.error(
                node, where, pattern, f"the code reads the named group(s) {names}; the pattern lacks them"
            )
        return pattern

    def pattern(
        self, node: Any, where: str, groups: frozenset[str] = frozenset(), runtime: tuple[str, ...] = ()
    ) -> str:
        """A checked pattern (one string or a list of alternatives) with its fragments filled in."""
        text, parts = self.raw(node, where)
        filled = self.fill(node, where, text, runtime)
        return self.compiled(node, where, parts, filled, groups)

    def define(self, key_node: Any, node: Any, name: str, where: str) -> None:
        """Add a fragment of this file; later patterns (and fragments) may use it as {{name}}."""
        if not _FRAGMENT_NAME.fullmatch(name):
            raise self.f.error(key_node, where, name, "fragment names are lower case letters, digits and _")
        if name in self.common or name in RUNTIME_FRAGMENTS:
            raise self.f.error(key_node, where, name, "this name is already a common fragment; choose another")
        text, parts = self.raw(node, where)
        if isinstance(node, yaml.SequenceNode):
            text = "(?:" + text + ")"
        self.local[name] = self.compiled(node, where, parts, self.fill(node, where, text))


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def load_table(path: Path, keeps: Mapping[str, KeepCheck], common: Table | None = None) -> Table:
    """Load and check one table file; `common` (the loaded common.yaml) lends its fragments.

    Without `common` the file is read as common.yaml itself.
    """
    f = _File(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f.shown, "(file)", str(path), f"cannot read the table: {exc}") from None
    root = f.compose(text)
    schema = COMMON_TABLES if common is None else LANGUAGE_TABLES
    if root is None:
        return Table(path.stem)
    pats = _Patterns(f, common.fragments if common is not None else {})
    out: dict[str, dict[str, Any]] = {
        kind: {} for kind in ("rules", "patterns", "pattern", "words", "numbers", "deadlines", "vague")
    }
    fragments_node: Any = None
    for name, key_node, node in f.mapping(root, "(top level)"):
        kind = schema.get(name)
        if kind is None:
            raise f.error(key_node, name, name, f"unknown table; known: {', '.join(schema)}")
        groups = REQUIRED_GROUPS.get(name, frozenset())
        if kind == "fragments":
            fragments_node = node
            for frag, frag_key, frag_node in f.mapping(node, name):
                pats.define(frag_key, frag_node, frag, f"fragments.{frag}")
        elif kind == "rules":
            out["rules"][name] = tuple(
                _rule(f, pats, keeps, name, k, item) for k, item in enumerate(f.sequence(node, name))
            )
        elif kind == "patterns":
            out["patterns"][name] = tuple(
                pats.pattern(item, f"{name}[{k}]", groups) for k, item in enumerate(f.sequence(node, name))
            )
        elif kind == "pattern":
            out["pattern"][name] = pats.pattern(node, name, groups)
        elif kind == "words":
            out["words"][name] = tuple(f.text(item, f"{name}[{k}]") for k, item in enumerate(f.sequence(node, name)))
        elif kind == "numbers":
            out["numbers"][name] = {
                word: f.integer(value, f"{name}.{word}") for word, _, value in f.mapping(node, name)
            }
        elif kind == "deadlines":
            out["deadlines"][name] = tuple(
                _deadline(f, pats, name, k, item) for k, item in enumerate(f.sequence(node, name))
            )
        else:
            out["vague"][name] = tuple(_vague(f, pats, name, k, item) for k, item in enumerate(f.sequence(node, name)))
    unused = sorted(set(pats.local) - pats.used)
    if common is not None and unused:
        raise f.error(fragments_node, "fragments", unused[0], "fragment defined but never used")
    return Table(
        path.stem,
        fragments=pats.local,
        rules=out["rules"],
        patterns=out["patterns"],
        pattern=out["pattern"],
        words=out["words"],
        numbers=out["numbers"],
        deadlines=out["deadlines"],
        vague=out["vague"],
    )


def _entry(
    f: _File, node: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The values of a list entry's keys, refusing unknown and missing keys."""
    items: dict[str, Any] = {}
    for key, key_node, value in f.mapping(node, where):
        if key not in required and key not in optional:
            raise f.error(key_node, where, key, f"unknown key; an entry has {', '.join(required + optional)}")
        items[key] = value
    for key in required:
        if key not in items:
            raise f.error(node, where, None, f"missing {key!r}")
    return items


def _rule(f: _File, pats: _Patterns, keeps: Mapping[str, KeepCheck], table: str, k: int, node: Any) -> Rule:
    """One row of a rules table: a known rule id, a checked pattern and an optional keep check."""
    where = f"{table}[{k}]"
    items = _entry(f, node, where, ("rule", "pattern"), ("keep",))
    rule = f.text(items["rule"], f"{where}.rule")
    family, _, rule_id = rule.partition(".")
    if family != table or rule_id not in RULE_IDS[table]:
        known = ", ".join(f"{table}.{r}" for r in RULE_IDS[table])
        raise f.error(items["rule"], f"{where}.rule", rule, f"unknown rule for the {table} table; known: {known}")
    keep_name: str | None = None
    groups: frozenset[str] = frozenset()
    keep: KeepFn | None = None
    if "keep" in items:
        keep_name = f.text(items["keep"], f"{where}.keep")
        if keep_name not in keeps:
            raise f.error(
                items["keep"], f"{where}.keep", keep_name, f"unknown keep check; known: {', '.join(sorted(keeps))}"
            )
        keep, groups = keeps[keep_name].check, keeps[keep_name].groups
    runtime = tuple(n for n, tables in _RUNTIME_TABLES.items() if table in tables)
    pattern = pats.pattern(items["pattern"], f"{where}.pattern", groups, runtime)
    return Rule(rule, pattern, keep, keep_name)


def _deadline(f: _File, pats: _Patterns, table: str, k: int, node: Any) -> tuple[str, int | Literal["sunday"]]:
    """One urgency_relative entry: (pattern, days after the run day or 'sunday')."""
    where = f"{table}[{k}]"
    items = _entry(f, node, where, ("pattern", "days"))
    days_node = items["days"]
    days: int | Literal["sunday"]
    if isinstance(days_node, yaml.ScalarNode) and days_node.tag == _STR and days_node.value == "sunday":
        days = "sunday"
    else:
        days = f.integer(days_node, f"{where}.days")
        if not 0 <= days <= 366:
            raise f.error(days_node, f"{where}.days", days, "expected 0 to 366 days, or sunday")
    return pats.pattern(items["pattern"], f"{where}.pattern"), days


def _vague(f: _File, pats: _Patterns, table: str, k: int, node: Any) -> tuple[str, Literal["limited", "imminent"]]:
    """One urgency_vague entry: (pattern, 'limited' or 'imminent')."""
    where = f"{table}[{k}]"
    items = _entry(f, node, where, ("pattern", "kind"))
    kind = f.text(items["kind"], f"{where}.kind")
    if kind == "limited":
        return pats.pattern(items["pattern"], f"{where}.pattern"), "limited"
    if kind == "imminent":
        return pats.pattern(items["pattern"], f"{where}.pattern"), "imminent"
    raise f.error(
        items["kind"],
        f"{where}.kind",
        kind,
        "expected limited (needs a known campaign end) or imminent (ends within 7 days)",
    )


def load_tables(directory: Path, keeps: Mapping[str, KeepCheck]) -> tuple[Table, dict[str, Table]]:
    """common.yaml and every <language>.yaml of `directory`, checked; (common, by language)."""
    common = load_table(directory / "common.yaml", keeps)
    languages: dict[str, Table] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "common.yaml":
            continue
        if not _LANGUAGE_FILE.fullmatch(path.stem):
            raise ConfigError(
                f"{path.parent.name}/{path.name}",
                "(file)",
                path.name,
                "a table file is named after its language (de.yaml) or common.yaml",
            )
        languages[path.stem] = load_table(path, keeps, common)
    return common, languages

"""The pattern tables as a linguist meets them: a mistake names the file, the line and the problem."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.checks.claims.lexicon import COMMON, KEEPS, LANGUAGES, TABLE_DIR
from pipeline.checks.claims.table_format import RULE_IDS, load_table, load_tables
from pipeline.errors import ConfigError


def load_de(tmp_path: Path, text: str):
    path = tmp_path / "tables" / "de.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_table(path, KEEPS, COMMON)


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        load_de(tmp_path, text)
    return str(exc.value)


# --- the shipped tables -----------------------------------------------------------------------


def test_every_language_has_a_table_with_a_header_that_says_how_to_add_a_pattern():
    assert set(LANGUAGES) == {"en", "de", "fr", "es", "ja", "zh", "ko", "ar", "he", "hi"}
    for path in sorted(TABLE_DIR.glob("*.yaml")):
        head = path.read_text(encoding="utf-8").split("\n\n")[0]
        assert head.startswith("# ") and "To add a pattern" in head, path.name


def test_every_rule_id_in_the_tables_is_known_and_keep_checks_are_resolved():
    for table in LANGUAGES.values():
        for name, rows in table.rules.items():
            for row in rows:
                family, rule_id = row.rule.split(".")
                assert family == name and rule_id in RULE_IDS[name], row.rule
                assert (row.keep is None) == (row.keep_name is None)
                if row.keep_name is not None:
                    assert row.keep is KEEPS[row.keep_name].check


def test_a_good_table_loads_with_fragments_alternatives_and_keep_checks(tmp_path):
    table = load_de(
        tmp_path,
        (
            "fragments:\n"
            "  verbs: [heilt, lindert]\n"
            "health:\n"
            "  - rule: health.medical\n"
            "    pattern:\n"
            "      - \\b{{verbs}}\\b\n"
            "      - \\bheilmittel\\b\n"
            "superlative:\n"
            "  - rule: superlative.rank\n"
            "    pattern: \\bnr\\.? ?1\\b\n"
            "    keep: number_one_is_a_rank\n"
            "urgency_relative:\n"
            "  - {pattern: \\bnur heute\\b, days: 0}\n"
            "  - {pattern: \\bdieses wochenende\\b, days: sunday}\n"
        ),
    )
    assert [r.pattern for r in table.rules["health"]] == [r"\b(?:heilt|lindert)\b|\bheilmittel\b"]
    assert table.rules["superlative"][0].keep is KEEPS["number_one_is_a_rank"].check
    assert table.deadlines["urgency_relative"] == ((r"\bnur heute\b", 0), (r"\bdieses wochenende\b", "sunday"))


# --- mistakes name file:line and the problem ----------------------------------------------------


def test_a_regex_that_does_not_compile_names_its_line(tmp_path):
    msg = error_of(
        tmp_path,
        (
            "# header\n"
            "health:\n"
            "  - rule: health.detox\n"
            "    pattern:\n"
            "      - \\bentgift\\w*\n"
            "      - \\bentschlack(?:ung\n"
        ),
    )
    assert msg.startswith("tables/de.yaml:6: health[0].pattern:") and "regex does not compile" in msg


def test_an_unknown_rule_names_its_line_and_the_known_ones(tmp_path):
    msg = error_of(
        tmp_path, "health:\n  - rule: health.detox\n    pattern: \\bdetox\n  - rule: health.miracle\n    pattern: x\n"
    )
    assert msg.startswith("tables/de.yaml:4: health[1].rule: 'health.miracle': unknown rule")
    assert "health.detox" in msg
    assert "tables/de.yaml:1:" in error_of(tmp_path, "wellness:\n  - rule: health.detox\n    pattern: x\n")


def test_aliases_and_anchors_are_refused_with_their_line(tmp_path):
    msg = error_of(tmp_path, ("free_conditions:\n  - &cond \\bab \\d\nscarcity_vague:\n  - *cond\n"))
    assert msg.startswith("tables/de.yaml:2:") and "anchors are not allowed" in msg
    msg = error_of(tmp_path, "scarcity_vague:\n  - \\bfast weg\\b\n  - *cond\n")
    assert msg.startswith("tables/de.yaml:3:") and "aliases are not allowed" in msg


def test_a_duplicate_key_names_both_lines(tmp_path):
    msg = error_of(
        tmp_path, ("reduction_words: \\brabatt\ngeneric_reduction: \\bsale\\b\nreduction_words: \\bnachlass\n")
    )
    assert msg.startswith("tables/de.yaml:3: (top level): 'reduction_words': duplicate key (first at line 1)")
    msg = error_of(tmp_path, "health:\n  - rule: health.detox\n    pattern: x\n    rule: health.body\n")
    assert msg.startswith("tables/de.yaml:4: health[0]: 'rule': duplicate key (first at line 2)")


@pytest.mark.parametrize(
    "text, line, problem",
    [
        ("health:\n  - rule: health.detox\n    pattern: x\n    keep: magic\n", 4, "unknown keep check"),
        (
            "origin:\n  - rule: origin.made_in\n    pattern: made in {{word}}\n    keep: made_in_a_place\n",
            3,
            "(?P<prep>...)",
        ),
        ("scarcity_count:\n  - \\bnur noch \\d+\n", 2, "(?P<n>...)"),
        ("health:\n  - rule: health.detox\n    pattern: \\b{{detox_words}}\n", 3, "unknown fragment 'detox_words'"),
        ("health:\n  - rule: health.detox\n    pattern: '{{places}}'\n", 3, "only available in: origin"),
        ("fragments:\n  n: \\d+\n", 2, "already a common fragment"),
        ("fragments:\n  unused: [a, b]\n", 2, "never used"),
        ("not_places:\n  - minuten\n  - no\n", 3, "quote it"),
        ("month_names:\n  maerz: drei\n", 2, "expected a whole number"),
        ("urgency_vague:\n  - kind: soon\n    pattern: bald\n", 2, "expected limited"),
        ("urgency_relative:\n  - pattern: heute\n", 2, "missing 'days'"),
        ("health:\n  - rule: health.detox\n    patern: x\n", 3, "unknown key"),
        ("health: [\n", 2, "invalid YAML"),
    ],
)
def test_other_mistakes_name_their_line(tmp_path, text, line, problem):
    msg = error_of(tmp_path, text)
    assert msg.startswith(f"tables/de.yaml:{line}:") and problem in msg, msg


def test_a_broken_shipped_table_stops_the_load(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(TABLE_DIR, tables)
    de = tables / "de.yaml"
    lines = de.read_text(encoding="utf-8").split("\n")
    n = next(k for k, line in enumerate(lines) if re.match(r"\s+pattern: \\b", line))
    lines[n] = lines[n] + "("
    de.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^tables/de\.yaml:{n + 1}: .*regex does not compile"):
        load_tables(tables, KEEPS)
    (tables / "deutsch.yaml").write_text("", encoding="utf-8")
    de.unlink()
    with pytest.raises(ConfigError, match="named after its language"):
        load_tables(tables, KEEPS)

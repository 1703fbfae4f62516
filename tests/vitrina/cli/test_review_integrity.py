"""Review integrity in the CLI: user text is printed as written, bad names are one input error,
and `vitrina audit verify` finds a tampered audit log (issue 11, item 8).

Every string a user (or a brief, or OCR) supplies reaches a rich console; rich parses markup in
it (`[/b]` crashes it, `[red]` restyles it) and emoji codes (`:smile:`). The variant here is a
real demo variant stored the way a run stores it, with a hostile headline and check messages.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers import render_demo_variant

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina

HEADLINE = "Winter [/b] deals [bold red]now :smile:"
MESSAGE_TAIL = " [/] [link=http://x]OCR[/link]"
SHORT_MESSAGE = "[/] [i]OCR"  # short enough for one line of the checks table


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, str]:
    """(out, variant id): one stored variant whose headline and check messages hold markup."""
    from pipeline.storage.store import Store

    product, variant = render_demo_variant()
    lineage = variant.lineage.model_copy(
        update={"copy_": variant.lineage.copy_.model_copy(update={"headline": HEADLINE})}
    )
    results = tuple(
        dataclasses.replace(r, message=SHORT_MESSAGE if i == 0 else r.message + MESSAGE_TAIL)
        for i, r in enumerate(variant.report.results)
    )
    report = dataclasses.replace(variant.report, results=results)
    out = tmp_path / "out"
    store = Store(out)
    try:
        store.put_cutout(product.cutout)
        vid = store.keep_variant("r-test", variant.png, report, lineage)
    finally:
        store.close()
    return out, vid


def test_review_show_and_list_print_user_text_as_written(vitrina: Vitrina, hostile: tuple[Path, str]):
    out, vid = hostile
    rejected = vitrina("review", "reject", vid, "--by", "[/bold]eve", "--reason", "[/b] too dark :smile:", "--out", out)
    assert rejected.exit_code == 0, rejected.output

    shown = vitrina("review", "show", vid, "--out", out)
    assert shown.exit_code == 0, shown.output
    assert "rejected by [/bold]eve: [/b] too dark :smile:" in shown.stdout
    assert HEADLINE in shown.stdout
    assert SHORT_MESSAGE in shown.stdout  # a table cell

    listed = vitrina("review", "list", "--status", "all", "--out", out)
    assert listed.exit_code == 0, listed.output
    assert vid in listed.stdout and "rejected" in listed.stdout


def test_run_summary_and_progress_notes_print_user_text_as_written(capsys: pytest.CaptureFixture[str]):
    from vitrina.cli.main import RichReporter, print_run_summary

    summary = {
        "run_id": "r1",
        "variants": 1,
        "passed": 0,
        "needs_review": 0,
        "blocked": 1,
        "skipped": [
            {"subject": "[/b]SKU", "reason": "bad [red]photo[/red]", "fatal": True},
            {"subject": "x.jpg", "reason": "[/] :smile:", "fatal": False},
        ],
        "held_reasons": [("headline '[/i]' too long", 1)],  # Counter.most_common(): (reason, count)
        "out": "/tmp/[/b]out",
    }
    print_run_summary(summary)
    RichReporter(bar=False, notes=True).note("SKU [/b]: skipped, [bold]x")
    printed = capsys.readouterr()
    for text in ("[/b]SKU: bad [red]photo[/red]", "x.jpg: [/] :smile:", "headline '[/i]' too long", "/tmp/[/b]out"):
        assert text in printed.out
    assert "SKU [/b]: skipped, [bold]x" in printed.out + printed.err


BAD_NAMES = {
    "newline": "eve\napproved by the CEO",
    "zero-width-only": "\u200b\u200d",
    "too-long": "e" * 201,
    "escape-sequence": "eve\x1b[31m",
    "bidi-override": "\u202eevil",
}
BAD_TEXT_CASES = [
    *[(command, "--by", value) for command in ("approve", "reject") for value in BAD_NAMES.values()],
    ("approve", "--note", "fine\r\napproved by the CEO"),
    ("reject", "--reason", "too dark\napproved by the CEO"),
    ("reject", "--reason", "\u2060"),
]
BAD_TEXT_IDS = [
    *[f"{command}-by-{name}" for command in ("approve", "reject") for name in BAD_NAMES],
    "approve-note-newline",
    "reject-reason-newline",
    "reject-reason-invisible",
]


@pytest.mark.parametrize(("command", "option", "value"), BAD_TEXT_CASES, ids=BAD_TEXT_IDS)
def test_bad_reviewer_names_and_reasons_are_one_error_line_exit_2_and_change_nothing(
    vitrina: Vitrina, hostile: tuple[Path, str], command: str, option: str, value: str
):
    from pipeline.storage.store import Store

    out, vid = hostile
    args = {"--by": "eve", "--reason": "too dark"} if command == "reject" else {"--by": "eve"}
    args[option] = value
    before = Store.open_existing(out)
    audit_before, review_before = before.audit(), before.variant(vid).review
    before.close()

    result = vitrina("review", command, vid, *[x for kv in args.items() for x in kv], "--out", out)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == ""

    after = Store.open_existing(out)
    assert after.audit() == audit_before and after.variant(vid).review == review_before
    after.close()


def _decide_twice(vitrina: Vitrina, out: Path, vid: str) -> None:
    assert vitrina("review", "reject", vid, "--by", "sam", "--reason", "logo too close", "--out", out).exit_code == 0
    assert vitrina("review", "reject", vid, "--by", "dana", "--reason", "still too close", "--out", out).exit_code == 0


def test_audit_verify_says_intact_with_the_number_of_entries(vitrina: Vitrina, hostile: tuple[Path, str]):
    out, vid = hostile
    _decide_twice(vitrina, out, vid)
    result = vitrina("audit", "verify", "--out", out)
    assert result.exit_code == 0, result.output
    from pipeline.storage.store import Store

    store = Store.open_existing(out)
    entries = len(store.audit())
    store.close()
    assert entries >= 2 and result.stdout.strip() == f"audit log intact: {entries} entries"


@pytest.mark.parametrize(
    ("trigger", "tamper", "expected"),
    [
        ("audit_no_update", "UPDATE audit SET actor='mallory' WHERE seq=(SELECT MAX(seq) FROM audit)", "changed"),
        ("audit_no_delete", "DELETE FROM audit WHERE seq=(SELECT MAX(seq) - 1 FROM audit)", "missing"),
    ],
    ids=["changed-entry", "deleted-entry"],
)
def test_audit_verify_exits_1_naming_the_first_broken_entry(
    vitrina: Vitrina, hostile: tuple[Path, str], trigger: str, tamper: str, expected: str
):
    out, vid = hostile
    _decide_twice(vitrina, out, vid)
    db = sqlite3.connect(out / "catalog.sqlite")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(tamper)  # the triggers refuse it
        db.execute(f"DROP TRIGGER {trigger}")  # someone with the file and sqlite3 does not stop there
        db.execute(tamper)
        db.commit()
        last = db.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
    finally:
        db.close()

    result = vitrina("audit", "verify", "--out", out)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f"seq {last}" in lines[0] and expected in lines[0]
    assert "intact" not in result.stdout


def test_audit_verify_on_a_missing_output_folder_exits_2(vitrina: Vitrina, tmp_path: Path):
    result = vitrina("audit", "verify", "--out", tmp_path / "nothing")
    assert result.exit_code == 2 and "no Vitrina output here" in result.stderr

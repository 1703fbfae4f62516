"""`vitrina review show` and `review list` show what they promise (issue 15, item 8): the lineage,
a rule count that matches the table, the browsable copy under runs/, and columns that stay aligned
whatever the length of a format or scene name. The variants are real demo variants stored the
way a run stores them (`Store.keep_variant`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from rich.cells import cell_len

from tests.helpers import render_demo_variant

if TYPE_CHECKING:
    from tests.vitrina.cli.conftest import Vitrina

RUN = "r-review-show"
LONG_FORMAT = "leaderboard-extra-wide-728x90"
WIDE_SCENE = "冬の特集"  # two terminal cells per character


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, list[str], Any]:
    """(out, variant ids, the rendered variant): the demo variant under its own format, under a
    long format id, and under a CJK scene name."""
    from pipeline.model.lineage import FormatLineage
    from pipeline.storage.store import Store

    product, variant = render_demo_variant()
    lineage = variant.lineage
    lineages = [
        lineage,
        lineage.model_copy(update={"format": FormatLineage(id=LONG_FORMAT, size=(728, 90))}),
        lineage.model_copy(update={"scene": WIDE_SCENE}),
    ]
    out = tmp_path / "out"
    store = Store(out)
    try:
        store.put_cutout(product.cutout)
        ids = [store.keep_variant(RUN, variant.png, variant.report, lin) for lin in lineages]
    finally:
        store.close()
    return out, ids, variant


def test_review_show_prints_the_lineage(vitrina: Vitrina, stored: tuple[Path, list[str], Any]):
    out, ids, variant = stored
    lin = variant.lineage
    shown = vitrina("review", "show", ids[0], "--out", out)
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert f"photo:    {lin.product.source}  sha256 {lin.product.source_sha256[:12]}" in text
    assert f"cut-out:  sha256 {lin.product.cutout_sha256[:12]}, mask {lin.product.mask_method}" in text
    assert f"scene:    {lin.scene}: backend {lin.generation.backend}, seed {lin.generation.seed}" in text
    assert f"prompt:   {lin.generation.prompt}" in text
    assert f"price:    {lin.price.amount} {lin.price.currency}, market {lin.price.market}" in text
    assert lin.copy_.headline in text and lin.copy_.cta in text
    assert f"template: format {lin.format.id} {lin.format.size[0]}x{lin.format.size[1]}" in text
    assert f"layout {lin.layout.family}" in text
    assert lin.inputs is not None and lin.environment is not None
    assert f"brand:    {lin.inputs.brand}  sha256 {lin.inputs.brand_sha256[:12]}" in text
    assert f"versions: vitrina {lin.vitrina_version}, python {lin.environment.python}" in text
    assert f"pillow {lin.environment.pillow}" in text
    assert "missing:" not in text  # a lineage of this Vitrina is complete


def test_review_show_counts_the_rules_its_table_shows(vitrina: Vitrina, stored: tuple[Path, list[str], Any]):
    """The demo report has more results than rules (text.contrast has one per text block): the
    header counted rules, the table listed results, and the two did not agree."""
    out, ids, variant = stored
    shown = vitrina("review", "show", ids[0], "--out", out)
    header = re.search(r"\((\d+)/(\d+) rules passed, (\d+) not applicable\)", shown.stdout)
    title = re.search(r"checks: (\d+) rules \(one section each\), (\d+) results", shown.stdout)
    assert header and title, shown.stdout
    passed, applicable, not_applicable = map(int, header.groups())
    rules, results = map(int, title.groups())
    assert applicable + not_applicable == rules
    assert results == len(variant.report.results) > rules
    # One section of the table per rule: rules - 1 lines between them.
    assert sum(line.startswith("├") for line in shown.stdout.splitlines()) == rules - 1
    verdicts = re.findall(r"│ (passed|needs_review|blocked|not_applicable) +│", shown.stdout)
    assert len(verdicts) == results


def test_review_show_points_at_the_browsable_copy(vitrina: Vitrina, stored: tuple[Path, list[str], Any]):
    out, ids, variant = stored
    lin = variant.lineage
    shown = vitrina("review", "show", ids[0], "--out", out)
    lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in shown.stdout.splitlines() if ":" in line}
    browsable = out / "runs" / RUN / lin.sku / lin.scene / lin.format.id / f"{lin.locale}.png"
    assert lines["file"] == str(browsable) and browsable.is_file()
    assert "/blobs/sha256/" in lines["blob"] and Path(lines["blob"]).read_bytes() == browsable.read_bytes()
    assert lines["lineage"] == str(Path(lines["blob"]).with_suffix(".json"))


def test_review_list_columns_stay_aligned_for_long_names(vitrina: Vitrina, stored: tuple[Path, list[str], Any]):
    out, ids, variant = stored
    listed = vitrina("review", "list", "--status", "all", "--out", out)
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    header = next(line for line in lines if line.startswith("id "))
    rows = [next(line for line in lines if line.startswith(vid)) for vid in ids]
    assert any(LONG_FORMAT in row for row in rows) and any(WIDE_SCENE in row for row in rows)

    def column(line: str, word: str) -> int:  # where `word` starts, in terminal cells
        return cell_len(line[: line.index(word)])

    verdict = variant.report.verdict.value
    for row in rows:
        assert column(row, f"  {verdict} ") == column(header, "  verdict ")
        assert column(row, f"  {variant.lineage.locale} ") == column(header, "  locale ")
        assert row.rstrip().endswith("pending")

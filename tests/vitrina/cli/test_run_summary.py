"""The run summary a user reads after `vitrina run`."""

from __future__ import annotations

from collections import Counter

from vitrina.cli import main as cli_main
from vitrina.cli.console import out


def test_held_back_reasons_print_count_then_reason(tmp_path):
    """The summary names why variants were held back, most frequent first, as the flow counts them
    (a `Counter.most_common()` list of (reason, count)); markup in a reason is printed as written."""
    held = Counter(["price [b]too[/b] high"] * 14 + ["logo too small"] * 2).most_common()
    summary = {
        "run_id": "r1",
        "variants": 16,
        "passed": 0,
        "needs_review": 2,
        "blocked": 14,
        "reused": 0,
        "skipped": [],
        "held_reasons": held,
        "out": str(tmp_path),
    }
    with out.capture() as captured:
        cli_main.print_run_summary(summary)
    text = captured.get()
    assert "  14 x price [b]too[/b] high" in text
    assert "   2 x logo too small" in text
    assert text.index("14 x") < text.index("2 x logo")

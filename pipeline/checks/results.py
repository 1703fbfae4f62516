"""Check result types: a verdict per check, a report per variant, and the one place verdicts are
aggregated (`worst`, `build_report`). A leaf: it imports nothing of Vitrina but `Box`.

A check that cannot apply to a variant (a JPEG rule on a PNG master, the people policy on a scene
no generator made, a product too small to judge sharpness) says so with `Verdict.NOT_APPLICABLE`
and the reason, instead of "passed": it never counts as passed, never makes a variant worse, and
leaves the brand score's denominator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from pipeline.imaging.geometry import Box

__all__ = ["Verdict", "CheckResult", "CheckReport", "worst", "build_report", "not_applicable"]


class Verdict(StrEnum):
    NOT_APPLICABLE = "not_applicable"  # the check has nothing to judge on this variant (the reason says why)
    PASSED = "passed"
    NEEDS_REVIEW = "needs_review"
    BLOCKED = "blocked"

    @property
    def rank(self) -> int:
        """Order of severity: not applicable < passed < needs review < blocked."""
        return _RANK[self]

    @property
    def failed(self) -> bool:
        """A finding someone must act on (needs review or blocked); n/a and passed are not."""
        return self.rank > 0


_RANK = {Verdict.NOT_APPLICABLE: -1, Verdict.PASSED: 0, Verdict.NEEDS_REVIEW: 1, Verdict.BLOCKED: 2}


@dataclass(frozen=True)
class CheckResult:
    check: str  # check id, e.g. "product.pixels"
    verdict: Verdict
    code: str  # machine-readable reason, e.g. "contrast.too_low"
    message: str  # what a designer reads
    score: float | None = None
    box: Box | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        box = d.get("box")
        return cls(
            d["check"],
            Verdict(d["verdict"]),
            d["code"],
            d["message"],
            d.get("score"),
            (int(box[0]), int(box[1]), int(box[2]), int(box[3])) if box else None,
        )


def not_applicable(check: str, code: str, reason: str, box: Box | None = None) -> CheckResult:
    """A result saying the check has nothing to judge here, and why (what a designer reads as n/a)."""
    return CheckResult(check, Verdict.NOT_APPLICABLE, code, reason, box=box)


def worst(results: Iterable[CheckResult]) -> Verdict:
    """The variant's verdict: the most severe result; passed when nothing applicable was found
    (not-applicable results never make a variant worse, nor does a variant of only n/a results fail)."""
    verdict = Verdict.PASSED
    for r in results:
        if r.verdict.rank > verdict.rank:
            verdict = r.verdict
    return verdict


@dataclass(frozen=True)
class CheckReport:
    """What a designer (and the DAM) gets per variant: the verdict, every result, and a brand score.

    The brand score is the share of applicable rules passed: results are grouped by the check
    they belong to (pipeline.checks.registry), a rule passes when all its applicable results
    pass, a rule whose results are all not applicable is left out, and so are the rules the
    brand disabled.
    """

    verdict: Verdict
    results: tuple[CheckResult, ...]
    disabled: tuple[str, ...] = ()

    @cached_property
    def rules(self) -> dict[str, Verdict]:
        """Rule id -> its verdict (the most severe of its results; NOT_APPLICABLE when all are)."""
        from pipeline.checks.registry import spec_for

        groups: dict[str, list[CheckResult]] = {}
        for r in self.results:
            spec = spec_for(r.check)
            groups.setdefault(spec.id if spec else r.check, []).append(r)
        return {rule: _rule_verdict(found) for rule, found in groups.items()}

    @property
    def applicable(self) -> dict[str, Verdict]:
        """The rules the brand score counts: every rule with at least one applicable result."""
        return {k: v for k, v in self.rules.items() if v is not Verdict.NOT_APPLICABLE}

    @property
    def brand_score(self) -> float:
        rules = self.applicable
        return round(sum(v is Verdict.PASSED for v in rules.values()) / len(rules), 3) if rules else 1.0

    def to_dict(self) -> dict[str, Any]:
        from pipeline.checks.registry import spec_for

        rules = self.rules
        by_category: dict[str, list[str]] = {}
        for rule in rules:
            spec = spec_for(rule)
            by_category.setdefault(spec.category if spec else "other", []).append(rule)
        na = sorted(k for k, v in rules.items() if v is Verdict.NOT_APPLICABLE)
        return {
            "verdict": self.verdict.value,
            "brand_score": self.brand_score,
            "rules": {
                "applicable": len(rules) - len(na),
                "passed": _count_passed(rules),
                "failed": sorted(k for k, v in rules.items() if v.failed),
                "not_applicable": len(na),
                "not_applicable_rules": na,
                "disabled": list(self.disabled),
            },
            "categories": {
                c: {
                    "applicable": sum(rules[i] is not Verdict.NOT_APPLICABLE for i in ids),
                    "passed": _count_passed({i: rules[i] for i in ids}),
                    "not_applicable": sum(rules[i] is Verdict.NOT_APPLICABLE for i in ids),
                }
                for c, ids in sorted(by_category.items())
            },
            "results": [r.to_dict() for r in self.results],
        }


def _rule_verdict(results: list[CheckResult]) -> Verdict:
    """A rule's verdict: `worst` of its results, or NOT_APPLICABLE when none of them applies."""
    if all(r.verdict is Verdict.NOT_APPLICABLE for r in results):
        return Verdict.NOT_APPLICABLE
    return worst(results)


def _count_passed(rules: dict[str, Verdict]) -> int:
    return sum(v is Verdict.PASSED for v in rules.values())


def build_report(results: Iterable[CheckResult], disabled: Iterable[str] = ()) -> CheckReport:
    results = tuple(results)
    return CheckReport(worst(results), results, tuple(disabled))

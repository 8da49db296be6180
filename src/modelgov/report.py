"""The result of a run, as reporters see it: plain frozen data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from .engine import ModelResult
from .errors import EXIT_CLEAN, EXIT_FINDINGS
from .findings import FailOn, Finding, Severity, fail_threshold, sort_findings


class RuleMeta(NamedTuple):
    """What reporters may say about a rule (SARIF descriptors, docs links)."""

    id: str
    name: str
    severity: Severity
    summary: str
    doc: str


class Report(NamedTuple):
    version: str
    today: str
    policy_name: str
    policy_digest: str
    policy_chain: tuple[str, ...]
    fail_on: FailOn
    results: tuple[ModelResult, ...]
    extra: tuple[Finding, ...] = ()  # findings not tied to a model (missing declarations)
    rules: tuple[RuleMeta, ...] = ()
    root: str = ""

    @property
    def findings(self) -> list[Finding]:
        allf = [f for r in self.results for f in r.findings] + list(self.extra)
        return sort_findings(allf)

    def count(self, severity: Severity, *, waived: bool = False) -> int:
        return sum(1 for f in self.findings if f.severity == severity and f.active != waived)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if not f.active)

    def failing(self) -> list[Finding]:
        threshold = fail_threshold(self.fail_on)
        if threshold is None:
            return []
        return [f for f in self.findings if f.active and f.severity >= threshold]

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failing() else EXIT_CLEAN

    def status(self, result: ModelResult) -> str:
        threshold = fail_threshold(self.fail_on)
        worst = result.worst()
        if worst is not None and threshold is not None and worst >= threshold:
            return "fail"
        return "pass"

    def summary(self) -> dict[str, int]:
        return {
            "models": len(self.results),
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "notes": self.count(Severity.NOTE),
            "waived": self.waived,
            "exit_code": self.exit_code,
        }


def rule_metas(rules: Sequence[Any]) -> tuple[RuleMeta, ...]:
    return tuple(RuleMeta(r.id, r.name, r.severity, r.summary, r.doc) for r in rules)

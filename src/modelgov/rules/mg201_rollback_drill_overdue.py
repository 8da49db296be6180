"""The rollback was drilled recently enough for its tier.

A rollback procedure that has not been rehearsed fails when it is needed:
credentials expire, registries move, the previous artifact was garbage
collected.  ``rollback.last_tested`` must be within the tier's limit, and
not in the future.

Options:
    max_age_days: the oldest acceptable drill, in days (per risk tier)

Fails:
    risk_tier: high
    rollback:
      last_tested: 2025-06-01

Passes:
    risk_tier: high
    rollback:
      last_tested: 2026-10-12

Fix: Run a rollback drill following the procedure, then update `rollback.last_tested`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._dates import age_findings
from .base import Option, RuleContext

ID = "MG201"
NAME = "rollback-drill-overdue"
SEVERITY = Severity.ERROR
OPTIONS = {
    "max_age_days": Option(
        "days",
        {"low": 365, "medium": 180, "high": 90},
        "Oldest acceptable `rollback.last_tested`, in days.",
        per_tier=True,
        stricter="lower",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from age_findings(
        ctx,
        "/rollback/last_tested",
        "the last rollback drill",
        "Run a rollback drill following the procedure, then update `rollback.last_tested`.",
    )

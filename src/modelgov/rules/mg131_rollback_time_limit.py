"""Rolling back takes no longer than the policy allows for the tier.

A high-risk model that takes two hours to roll back keeps doing damage for
two hours.  ``rollback.max_minutes`` must be within the tier's limit.

Options:
    max_minutes: the longest acceptable rollback, in minutes (per risk tier)

Fails:
    risk_tier: high
    rollback:
      max_minutes: 120

Passes:
    risk_tier: high
    rollback:
      max_minutes: 15

Fix: Make the rollback faster (a registry alias or a feature flag), then record the drilled time.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import tier_model
from .base import Option, RuleContext

ID = "MG131"
NAME = "rollback-too-slow"
SEVERITY = Severity.ERROR
OPTIONS = {
    "max_minutes": Option(
        "int",
        {"low": 240, "medium": 60, "high": 30},
        "Longest acceptable rollback in minutes.",
        per_tier=True,
        stricter="lower",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    minutes = ctx.get("/rollback/max_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        return
    limit = ctx.options["max_minutes"]
    if minutes > limit:
        yield ctx.finding(
            "/rollback/max_minutes",
            f"rollback takes {minutes} minutes; the limit for {tier_model(ctx)} is {limit}",
            f"Bring the rollback within {limit} minutes (a registry alias or feature flag), "
            "drill it and record the time.",
        )

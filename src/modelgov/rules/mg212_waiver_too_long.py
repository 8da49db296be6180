"""No waiver runs longer than the policy allows.

A waiver that expires in three years is a permanent exception in disguise.
The policy caps how far after today a waiver may expire.

Options:
    max_days: the longest a waiver may run from today, in days (per risk tier)

Fails:
    waivers:
      - {rule: MG201, reason: later, approved_by: ops-lead@example.com, expires: 2030-01-01}

Passes:
    waivers:
      - {rule: MG201, reason: drill after freeze, approved_by: ops-lead@example.com, expires: 2027-01-15}

Fix: Shorten the waiver to the policy's maximum; renew it when it ends if it must go on.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG212"
NAME = "waiver-too-long"
SEVERITY = Severity.ERROR
OPTIONS = {
    "max_days": Option(
        "days",
        {"low": 90, "medium": 90, "high": 90},
        "Longest a waiver may run from today, in days.",
        per_tier=True,
        stricter="lower",
    ),
}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Report the waiver problems of kind 'too-long' (judged once by the engine)."""
    for verdict in ctx.facts.waivers:
        for problem in verdict.problems:
            if problem.kind == "too-long":
                yield ctx.finding(problem.pointer, problem.message, problem.hint)

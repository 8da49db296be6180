"""The owner does not approve waivers of their own model.

An exception approved by the person it exempts is no approval at all.

Fails:
    owner:
      email: dana.okafor@example.com
    waivers:
      - {rule: MG201, reason: busy, approved_by: dana.okafor@example.com, expires: 2027-01-15}

Passes:
    owner:
      email: dana.okafor@example.com
    waivers:
      - {rule: MG201, reason: drill after freeze, approved_by: ops-lead@example.com, expires: 2027-01-15}

Fix: Have someone other than the owner (reliability or compliance) approve the waiver.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG213"
NAME = "waiver-self-approved"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Report the waiver problems of kind 'self-approved' (judged once by the engine)."""
    for verdict in ctx.facts.waivers:
        for problem in verdict.problems:
            if problem.kind == "self-approved":
                yield ctx.finding(problem.pointer, problem.message, problem.hint)

"""Every waiver names a known rule, a reason, an approver and an expiry.

A waiver is a governed exception: without a reason nobody can judge it,
without an approver nobody owns it, without an expiry it is permanent, and
one that names an unknown rule waives nothing.  Rules that judge waivers
and loading problems cannot be waived.

Fails:
    waivers:
      - rule: MG999
        reason: later

Passes:
    waivers:
      - rule: MG201
        reason: drill scheduled for the January release freeze
        approved_by: ops-lead@example.com
        expires: 2027-01-15

Fix: Give the waiver a known rule id, a reason, approved_by and expires.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG210"
NAME = "waiver-invalid"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Report the waiver problems of kind 'invalid' (judged once by the engine)."""
    for verdict in ctx.facts.waivers:
        for problem in verdict.problems:
            if problem.kind == "invalid":
                yield ctx.finding(problem.pointer, problem.message, problem.hint)

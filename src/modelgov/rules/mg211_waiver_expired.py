"""No waiver has expired.

An expired waiver no longer silences anything: the finding it waived comes
back, and the expired entry itself is an error so that it is renewed (with
a fresh approval) or removed.

Fails:
    waivers:
      - {rule: MG201, reason: drill after freeze, approved_by: ops-lead@example.com, expires: 2026-01-15}

Passes:
    waivers:
      - {rule: MG201, reason: drill after freeze, approved_by: ops-lead@example.com, expires: 2027-01-15}

Fix: Fix what the waiver covered and remove it, or renew it with a fresh approval.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG211"
NAME = "waiver-expired"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Report the waiver problems of kind 'expired' (judged once by the engine)."""
    for verdict in ctx.facts.waivers:
        for problem in verdict.problems:
            if problem.kind == "expired":
                yield ctx.finding(problem.pointer, problem.message, problem.hint)

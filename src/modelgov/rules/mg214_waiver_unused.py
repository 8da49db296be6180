"""Every waiver silences something.

A waiver that matches no finding is left over from a problem that was fixed
(good: remove it) or is scoped wrongly (bad: the finding it was meant for is
still failing, or will be waived by accident later).

Fails:
    waivers:
      - {rule: MG131, reason: slow registry, approved_by: ops-lead@example.com, expires: 2027-01-15}
    # ...while rollback.max_minutes is within the limit

Passes:
    waivers: []

Fix: Remove the waiver, or correct its rule id or pointer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG214"
NAME = "waiver-unused"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    return iter(())


def check_after(ctx: RuleContext, findings: Sequence[Finding]) -> Iterator[Finding]:
    """Judged after waivers are applied: which valid waiver silenced nothing?"""
    used = {f.waived.source for f in findings if f.waived is not None}
    for verdict in ctx.facts.waivers:
        w = verdict.entry
        if verdict.valid and w.pointer not in used:
            yield ctx.finding(
                w.pointer, f"waiver of {w.rule or 'an unnamed rule'} silences nothing"
            )

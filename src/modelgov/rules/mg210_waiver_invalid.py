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
from ._util import is_email
from ._waivers import entries
from .base import Option, RuleContext

ID = "MG210"
NAME = "waiver-invalid"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    known: dict[str, bool] = ctx.model.extra.get("waivable_rules", {})
    for w in entries(ctx.data):
        problems = []
        if not w.rule:
            problems.append("names no rule")
        elif known and w.rule.lower() not in known:
            problems.append(f"names unknown rule {w.rule!r}")
        elif known and not known[w.rule.lower()]:
            problems.append(f"names rule {w.rule!r}, which cannot be waived")
        if not w.reason:
            problems.append("gives no reason")
        if not is_email(w.approved_by):
            problems.append("has no approver email")
        if w.expires is None:
            problems.append("has no valid expiry date")
        if w.scope and not w.scope.startswith("/"):
            problems.append(f"has a pointer {w.scope!r} that is not a JSON pointer")
        if problems:
            yield ctx.finding(
                w.pointer, f"waiver #{w.position + 1} {', '.join(problems)}; it waives nothing"
            )

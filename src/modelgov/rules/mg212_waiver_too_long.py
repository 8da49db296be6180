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

import datetime as _dt
from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import days
from ._waivers import entries
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
    limit = int(ctx.options["max_days"])
    for w in entries(ctx.data):
        if w.expires is None:
            continue
        ahead = (w.expires - ctx.today).days
        if ahead > limit:
            yield ctx.finding(
                f"{w.pointer}/expires",
                f"waiver of {w.rule or 'an unnamed rule'} expires {w.expires.isoformat()}, "
                f"{days(ahead)} from today; the policy allows at most {days(limit)}",
                f"Set `expires` no later than {_limit(ctx, limit)}.",
            )


def _limit(ctx: RuleContext, limit: int) -> str:
    return (ctx.today + _dt.timedelta(days=limit)).isoformat()

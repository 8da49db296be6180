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
from ._util import days
from ._waivers import entries
from .base import Option, RuleContext

ID = "MG211"
NAME = "waiver-expired"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    for w in entries(ctx.data):
        if w.expires is not None and w.expires < ctx.today:
            ago = (ctx.today - w.expires).days
            yield ctx.finding(
                f"{w.pointer}/expires"
                if "expires" in ctx.data["waivers"][w.position]
                else w.pointer,
                f"waiver of {w.rule or 'an unnamed rule'} expired on {w.expires.isoformat()} "
                f"({days(ago)} ago); the findings it waived count again",
            )

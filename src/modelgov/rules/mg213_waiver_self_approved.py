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
from ._util import norm_email
from ._waivers import entries
from .base import Option, RuleContext

ID = "MG213"
NAME = "waiver-self-approved"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    owner = norm_email(ctx.get("/owner/email"))
    if not owner:
        return
    for w in entries(ctx.data):
        if norm_email(w.approved_by) == owner:
            yield ctx.finding(
                f"{w.pointer}/approved_by",
                f"waiver of {w.rule or 'an unnamed rule'} is approved by the model's owner",
            )

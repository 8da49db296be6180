"""High-risk models name an escalation rotation.

When the primary does not answer, a high-risk model cannot wait until
morning.  ``on_call.escalation`` names who is paged next.  The tiers that
need it are set by the policy.

Options:
    required: whether ``on_call.escalation`` is required (per risk tier)

Fails:
    risk_tier: high
    on_call:
      rotation: payments-ml-primary
      provider: pagerduty

Passes:
    risk_tier: high
    on_call:
      rotation: payments-ml-primary
      provider: pagerduty
      escalation: payments-ml-secondary

Fix: Add `on_call.escalation` with the rotation paged when the primary does not answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext, is_missing

ID = "MG121"
NAME = "on-call-escalation"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required": Option(
        "bool",
        {"low": False, "medium": False, "high": True},
        "Require `on_call.escalation`.",
        per_tier=True,
        stricter="true",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    on_call = ctx.get("/on_call")
    if not isinstance(on_call, dict) or not ctx.options["required"]:
        return
    if is_missing(on_call.get("escalation")):
        yield ctx.finding(
            "/on_call/escalation",
            f"`on_call.escalation` is missing: a {ctx.tier}-risk model needs someone to page "
            "when the primary does not answer",
            at_key="escalation" in on_call,
        )

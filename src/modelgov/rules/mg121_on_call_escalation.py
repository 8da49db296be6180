"""Models of the tiers the policy names have an escalation rotation, not the primary again.

When the primary does not answer, a high-risk model cannot wait until
morning.  ``on_call.escalation`` names who is paged next.  The tiers that
need it are set by the policy (``required``); on those tiers an escalation
that is the primary rotation itself (compared without case and surrounding
blanks) is a finding too: when the primary does not answer, nobody new is
paged.  An escalation key left empty is reported on every tier (fill it in or
remove it), here rather than by MG010.

Options:
    required: whether ``on_call.escalation`` is required (per risk tier)

Fails:
    risk_tier: high
    on_call:
      rotation: payments-ml-primary
      provider: pagerduty
      escalation: payments-ml-primary    # the primary again

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

from ..document import MISSING
from ..findings import Finding, Severity
from ._util import tier_model
from .base import Option, RuleContext, is_missing

ID = "MG121"
NAME = "on-call-escalation"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required": Option(
        "bool",
        {"low": False, "medium": False, "high": True},
        "Require `on_call.escalation`, and that it is not the primary rotation.",
        per_tier=True,
        stricter="true",
    ),
}


def _same(a: object, b: object) -> bool:
    return (
        isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    on_call = ctx.get("/on_call")
    if not isinstance(on_call, dict):
        return  # MG120 reports a missing section; MG010 one of the wrong shape
    required = bool(ctx.options["required"])
    escalation = on_call.get("escalation", MISSING)
    why = f"{tier_model(ctx)} needs someone to page when the primary does not answer"
    if escalation is not MISSING and is_missing(escalation):
        yield ctx.finding(
            "/on_call/escalation",
            "`on_call.escalation` is empty"
            + (f": {why}" if required else ": name the rotation paged next, or remove the key"),
            at_key=True,
        )
        return
    if not required:
        return
    if escalation is MISSING:
        yield ctx.finding("/on_call/escalation", f"`on_call.escalation` is missing: {why}")
        return
    rotation = on_call.get("rotation")
    if _same(escalation, rotation):
        assert isinstance(escalation, str)
        yield ctx.finding(
            "/on_call/escalation",
            f"`on_call.escalation` {escalation.strip()!r} is the primary rotation again: when "
            f"the primary does not answer, nobody new is paged ({tier_model(ctx)} needs a "
            "second rotation)",
            "Name a different rotation in `on_call.escalation` (a secondary, or the team "
            "lead's), paged when the primary does not answer.",
        )

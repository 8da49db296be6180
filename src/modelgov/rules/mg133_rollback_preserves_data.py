"""Rolling back keeps the data the newer version wrote, on the tiers the policy says.

The bar for a rollback is to revert to a previous model version quickly,
safely and without losing data: a rollback that drops the predictions,
labels or features written since the deploy trades one incident for another.
``rollback.preserves_data`` states it; on the tiers where the policy requires
it (``required``; by default medium and high) it must be ``true``, and
``false`` or absent is a finding.  A key left empty (``preserves_data:``) is
reported on every tier.  A value that is not a boolean is MG010's; a missing
``rollback`` section MG130's.

Options:
    required: whether ``rollback.preserves_data`` must be true (per risk tier)

Fails:
    risk_tier: high
    rollback:
      strategy: redeploy-previous
      preserves_data: false

Passes:
    risk_tier: high
    rollback:
      strategy: registry-alias
      preserves_data: true

Fix: Make the rollback keep the data written since the deploy (versioned stores, backward-compatible schemas), drill it, and set `rollback.preserves_data: true`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import MISSING
from ..findings import Finding, Severity
from ._util import tier_model
from .base import Option, RuleContext, is_missing

ID = "MG133"
NAME = "rollback-loses-data"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required": Option(
        "bool",
        {"low": False, "medium": True, "high": True},
        "Require `rollback.preserves_data: true`.",
        per_tier=True,
        stricter="true",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    rollback = ctx.get("/rollback")
    if not isinstance(rollback, dict):
        return  # MG130 reports a missing section; MG010 one of the wrong shape
    value = rollback.get("preserves_data", MISSING)
    required = bool(ctx.options["required"])
    pointer = "/rollback/preserves_data"
    if value is not MISSING and is_missing(value):
        yield ctx.finding(
            pointer,
            "`rollback.preserves_data` is empty"
            + (f": {tier_model(ctx)} must roll back without losing data" if required else ""),
            at_key=True,
        )
    elif not required:
        return
    elif value is MISSING:
        yield ctx.finding(
            pointer,
            f"`rollback.preserves_data` is not declared: {tier_model(ctx)} must roll back "
            "without losing the data the newer version wrote",
        )
    elif value is False:
        yield ctx.finding(
            pointer,
            f"`rollback.preserves_data` is false: rolling back {tier_model(ctx)} loses the "
            "data the newer version wrote",
        )

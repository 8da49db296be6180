"""The model declares its risk tier.

Every threshold of the policy (review interval, drill interval, rollback time,
required approvers and monitors) depends on ``risk_tier``.  A model without a
tier would be judged by nothing, so it is an error.

Fails:
    name: fraud-scorer

Passes:
    name: fraud-scorer
    risk_tier: high

Fix: Add `risk_tier:` with low, medium or high.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import MISSING
from ..findings import Finding, Severity
from .base import Option, RuleContext, is_missing

ID = "MG102"
NAME = "risk-tier-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    if is_missing(value := ctx.get("/risk_tier")):
        shown = "is missing" if value is MISSING else "is empty"
        yield ctx.finding("/risk_tier", f"`risk_tier` {shown}: no threshold can apply", at_key=True)

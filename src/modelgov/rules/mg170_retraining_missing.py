"""Someone owns retraining, with a trigger.

When drift is detected, somebody must retrain: a model whose retraining has
no owner drifts forever.  The policy says which tiers must declare it (the
strict pack requires it for medium and high).

Options:
    required: whether ``retraining`` is required (per risk tier)

Fails:
    risk_tier: high

Passes:
    risk_tier: high
    retraining:
      owner: dana.okafor@example.com
      trigger: drift alert on input-distribution, or quarterly

Fix: Add a `retraining:` section with `owner` and `trigger`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import missing_fields, tier_model
from .base import Option, RuleContext

ID = "MG170"
NAME = "retraining-missing"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required": Option(
        "bool",
        {"low": False, "medium": False, "high": False},
        "Require a `retraining` section.",
        per_tier=True,
        stricter="true",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.options["required"]:
        return
    yield from missing_fields(
        ctx,
        "retraining",
        ("owner", "trigger"),
        what=f"nobody owns retraining of {tier_model(ctx, 'this')}",
        hints={"owner": "Name who retrains the model.", "trigger": "Say what starts a retraining."},
    )

"""Models of the tiers the policy names say who switches them off, how, and what decides meanwhile.

"Your model made a mistake that cost a customer money: walk me through the
next four hours."  If the answer is to convene a meeting to decide whether to
turn it off, there is no operating model.  ``override`` names who may switch
the model off or override it without a meeting (``decision_owner``: one
person's email or the on-call role; MG132 fails group aliases), the
``mechanism`` (kill-switch, feature-flag, manual-review or rules-fallback)
and the ``fallback`` that serves decisions while the model is off (a repo
path, a URL or one line of text).

The tiers that need it are set by the policy (``required``).  How severe a
missing override is per tier is the pack's ``tiers:`` setting, as for every
rule: the default pack requires it on medium (a warning) and high (an error)
tiers and not on low; the strict pack makes medium an error too.  A value
left empty is MG010's (the schema needs a non-empty string).

Options:
    required: whether ``override`` is required (per risk tier)

Fails:
    risk_tier: high
    override:
      mechanism: feature-flag

Passes:
    risk_tier: high
    override:
      decision_owner: on_call
      mechanism: feature-flag
      fallback: rules-based scoring (decline above the fixed limit)

Fix: Add an `override:` section with decision_owner, mechanism and fallback.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import MISSING
from ..findings import Finding, Severity
from ._util import tier_model
from .base import Option, RuleContext

ID = "MG193"
NAME = "override-missing"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required": Option(
        "bool",
        {"low": False, "medium": True, "high": True},
        "Require an `override` section with `decision_owner`, `mechanism` and `fallback`.",
        per_tier=True,
        stricter="true",
    ),
}

#: The fields judged: (name, why it matters, hint).
FIELDS = (
    (
        "decision_owner",
        "nobody is named who may switch the model off without a meeting",
        "Name who may switch the model off at 2am: the on-call role (`on_call`) or one "
        "person's email.",
    ),
    (
        "mechanism",
        "nobody knows how the model is switched off",
        "Name the mechanism: kill-switch, feature-flag, manual-review or rules-fallback.",
    ),
    (
        "fallback",
        "nothing is named to serve decisions while the model is off",
        "Name what serves decisions while the model is off: a repo path, a URL or one line.",
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.options["required"]:
        return
    override = ctx.get("/override")
    why = f"{tier_model(ctx)} that cannot be switched off without a meeting has no operating model"
    if override is MISSING or override == {}:
        shown = "is missing" if override is MISSING else "is empty"
        yield ctx.finding(
            "/override",
            f"`override` {shown}: {why}",
            at_key=override is not MISSING,
        )
        return
    if not isinstance(override, dict):
        return  # null or the wrong shape: MG010 reports it
    for name, what, hint in FIELDS:
        if name not in override:
            yield ctx.finding(
                f"/override/{name}", f"`override.{name}` is missing: {what} ({why})", hint
            )

"""The approvers cover the roles the tier requires.

A deploy of a high-risk model affects customers (product), the service
(reliability) and the organisation's obligations (compliance); each must
say yes.  The policy sets the required roles and the minimum number of
approvers per tier.  The owner does not count towards either (MG152).

Options:
    required_roles: roles that must each have an approver (per risk tier)
    min_approvers: minimum number of approvers other than the owner (per risk tier)

Fails:
    risk_tier: high
    deploy:
      approvers:
        - {email: priya.natarajan@example.com, role: product}

Passes:
    risk_tier: high
    deploy:
      approvers:
        - {email: priya.natarajan@example.com, role: product}
        - {email: ops-lead@example.com, role: reliability}
        - {email: counsel@example.com, role: compliance}

Fix: Add an approver for each missing role.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import listing, norm_email, tier_model
from .base import Option, RuleContext

ID = "MG151"
NAME = "deploy-roles"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required_roles": Option(
        "list[str]",
        {
            "low": [],
            "medium": ["product", "reliability"],
            "high": ["product", "reliability", "compliance"],
        },
        "Roles that must each have an approver other than the owner.",
        per_tier=True,
        stricter="superset",
    ),
    "min_approvers": Option(
        "int",
        {"low": 1, "medium": 2, "high": 3},
        "Minimum approvers other than the owner.",
        per_tier=True,
        stricter="higher",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    approvers = ctx.get("/deploy/approvers")
    if not isinstance(approvers, list) or not approvers:
        return  # MG150
    owner = norm_email(ctx.get("/owner/email"))
    roles: set[str] = set()
    people: set[str] = set()
    for approver in approvers:
        if not isinstance(approver, dict):
            continue
        email = norm_email(approver.get("email"))
        if not email or email == owner:
            continue
        people.add(email)
        if isinstance(approver.get("role"), str):
            roles.add(approver["role"].strip().lower())
    missing = [r for r in ctx.options["required_roles"] if r.lower() not in roles]
    if missing:
        yield ctx.finding(
            "/deploy/approvers",
            f"no {listing(missing, 'or')} approver: a deploy of {tier_model(ctx)} needs "
            f"{listing(ctx.options['required_roles'])}",
            f"Add an approver (not the owner) with role {listing(missing, 'or')}.",
        )
    need = int(ctx.options["min_approvers"])
    if len(people) < need:
        yield ctx.finding(
            "/deploy/approvers",
            f"{len(people)} approver{'s' if len(people) != 1 else ''} other than the owner; "
            f"a deploy of {tier_model(ctx)} needs at least {need}",
            "Add approvers who did not build the model.",
        )

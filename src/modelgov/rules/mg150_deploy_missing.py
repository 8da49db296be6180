"""Deploys are approved by named people, each with a role.

The decision to deploy is separate from the decision to build: somebody
other than the builders says yes.  Each approver has an email and the role
they speak for.

Fails:
    deploy:
      approvers: []

Passes:
    deploy:
      approvers:
        - email: priya.natarajan@example.com
          role: product

Fix: Add `deploy.approvers` with the email and role of each approver.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..findings import Finding, Severity
from ._util import missing_fields
from .base import Option, RuleContext, is_missing

ID = "MG150"
NAME = "deploy-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from missing_fields(
        ctx,
        "deploy",
        ("approvers",),
        what="nobody approves a deploy",
        hints={
            "approvers": "List the approvers with email and role (product, reliability, compliance)."
        },
    )
    approvers = ctx.get("/deploy/approvers")
    if not isinstance(approvers, list):
        return
    for i, approver in enumerate(approvers):
        if not isinstance(approver, dict):
            continue
        for name in ("email", "role"):
            if is_missing(approver.get(name)):
                yield ctx.finding(
                    join_pointer(join_pointer("/deploy/approvers", i), name),
                    f"deploy approver #{i + 1} has no `{name}`",
                    "Each approver needs an email and a role.",
                    at_key=name in approver,
                )

"""The owner never approves their own model alone.

Building and deploying are separate decisions.  If the owner is the only
approver, nobody but the builder has said yes.  The owner may be listed, but
never counts towards the roles and numbers the tier requires (MG151).

Fails:
    owner:
      email: dana.okafor@example.com
    deploy:
      approvers:
        - {email: dana.okafor@example.com, role: product}

Passes:
    owner:
      email: dana.okafor@example.com
    deploy:
      approvers:
        - {email: priya.natarajan@example.com, role: product}

Fix: Add approvers who did not build the model; the owner's approval does not count.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..findings import Finding, Severity
from ._util import norm_email
from .base import Option, RuleContext

ID = "MG152"
NAME = "deploy-self-approval"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    approvers = ctx.get("/deploy/approvers")
    owner = norm_email(ctx.get("/owner/email"))
    if not isinstance(approvers, list) or not approvers or not owner:
        return
    emails = [norm_email(a.get("email")) if isinstance(a, dict) else "" for a in approvers]
    others = [e for e in emails if e and e != owner]
    if owner in emails and not others:
        yield ctx.finding(
            join_pointer("/deploy/approvers", emails.index(owner)),
            "the owner is the only deploy approver: the model's builder approves their own deploy",
        )

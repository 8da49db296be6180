"""An approval record that does not count: forged, edited, or signed by the wrong person.

A record in `approvals/` counts only when its SSH signature verifies, for the
signer's email, against the allowed signers file the config names (git's
format); when it approves this model; when its signer is listed in
`deploy.approvers` with the role it claims; and when its signer is not the
owner (building and deploying are separate decisions, so the owner's
signature never counts).  A record edited after it was signed, signed by a
key the file does not list for that email, unreadable, or dated in the
future is reported here, at the record, whether or not the role has another
valid approval: a forged approval is worth a look.  Off unless a pack sets
`require_signed_approvals` for the tier (`strict`: high).

Options:
    require_signed_approvals: require signed approvals for this tier (per risk tier)

Fails:
    owner:
      email: dana.okafor@example.com
    deploy:
      version: "7"
      approvers:
        - {email: dana.okafor@example.com, role: compliance}
    # approvals/compliance-dana.okafor@example.com.yaml: signed by the owner

Passes:
    owner:
      email: dana.okafor@example.com
    deploy:
      version: "7"
      approvers:
        - {email: counsel@example.com, role: compliance}
    # approvals/compliance-counsel@example.com.yaml: signed by counsel@example.com,
    # whose key the allowed signers file lists

Fix: Remove the record; the approver listed for the role runs `modelgov approve` again with their own key (listed in the allowed signers file) and commits the record unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location, Severity
from ._approvals import REQUIRE, record_finding
from .base import RuleContext

ID = "MG154"
NAME = "approval-invalid"
SEVERITY = Severity.ERROR
USES = frozenset({"approvals"})
ENABLED_BY = "require_signed_approvals"
OPTIONS = {"require_signed_approvals": REQUIRE}


def check(ctx: RuleContext) -> Iterator[Finding]:
    approvals = ctx.facts.approvals
    if approvals is None:
        return
    for verdict in approvals.verdicts:
        if verdict.status != "invalid":
            continue
        yield record_finding(
            ctx, verdict, f"approval record does not count: {verdict.reason}", _hint(verdict.reason)
        )
    if approvals.skipped:
        first = approvals.skipped[0]
        yield Finding(
            rule=ID,
            severity=ctx.severity,
            location=Location(first, 1, 1, ""),
            message=(
                f"{approvals.folder} holds more than {len(approvals.verdicts)} approval records; "
                f"{len(approvals.skipped)} were not read, this one first"
            ),
            hint="Remove the records of earlier versions (git keeps them in the history).",
            model=ctx.facts.name,
            key=f"{ID}:{first}:",
        )


def _hint(reason: str) -> str:
    if "owner" in reason:
        return "Remove the record: an approver who did not build the model signs instead."
    if "allowed signers" in reason:
        return (
            "Sign with the key the allowed signers file lists for that email, or have the file's "
            "keeper add the approver's public key; then run `modelgov approve` again."
        )
    if "deploy.approvers" in reason:
        return "List the signer in deploy.approvers with that role, or remove the record."
    return ""

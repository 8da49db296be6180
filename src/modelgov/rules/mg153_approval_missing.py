"""Every role the tier requires has signed an approval of this version.

`deploy.approvers` says who *may* approve; anyone who can edit model.yaml can
write three names there.  A signed approval is evidence that the person
approved *this* version deployed *this* way: `modelgov approve` writes a
record into the `approvals/` folder beside the model.yaml, signed with the
approver's SSH key, naming `deploy.version` and a digest of `risk_tier`,
`deploy`, `rollback` and `drift`.  This rule fails when a role the tier
requires has no valid, current approval: no record, or only records that
do not count (MG154).  A role whose approval is out of date is MG155's
finding.  Signatures are verified against the allowed signers file named
by `allowed_signers:` in the config (docs/approvals.md).  Off unless a pack
sets `require_signed_approvals` for the tier (`strict`: high).

Options:
    require_signed_approvals: require signed approvals for this tier (per risk tier)
    required_roles: roles that must each have signed an approval (per risk tier)

Fails:
    risk_tier: high
    deploy:
      version: "7"
      approvers:
        - {email: priya.natarajan@example.com, role: product}
    # approvals/ holds no record signed by priya.natarajan@example.com

Passes:
    risk_tier: high
    deploy:
      version: "7"
      approvers:
        - {email: priya.natarajan@example.com, role: product}
    # approvals/product-priya.natarajan@example.com.yaml: made by
    # `modelgov approve --role product --key ~/.ssh/id_ed25519` and committed

Fix: Each missing approver runs `modelgov approve --role ROLE --key ~/.ssh/id_ed25519` in the model's folder and commits the record it writes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._approvals import REQUIRE, approver_pointer
from .base import Option, RuleContext

ID = "MG153"
NAME = "approval-missing"
SEVERITY = Severity.ERROR
USES = frozenset({"approvals"})
ENABLED_BY = "require_signed_approvals"
OPTIONS = {
    "require_signed_approvals": REQUIRE,
    "required_roles": Option(
        "list[str]",
        {
            "low": [],
            "medium": ["product", "reliability"],
            "high": ["product", "reliability", "compliance"],
        },
        "Roles that must each have signed an approval of the current version.",
        per_tier=True,
        stricter="superset",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    approvals = ctx.facts.approvals
    if approvals is None:
        return
    tier = f"a {ctx.tier}-risk" if ctx.tier else "a"
    if not approvals.version:
        yield ctx.finding(
            "/deploy/version",
            f"deploy.version is not set: {tier} model needs signed approvals, and an approval "
            "covers one version",
            "Set `deploy.version` to the registry version, tag or artifact digest being "
            "deployed, then have each approver run `modelgov approve`.",
        )
        return
    roles = [str(r) for r in ctx.options["required_roles"]]
    for role in roles:
        verdicts = approvals.of_role(role)
        if any(v.status in ("valid", "stale") for v in verdicts):
            continue  # approved, or out of date (MG155)
        invalid = [v.file for v in verdicts if v.status == "invalid"]
        extra = (
            f" ({', '.join(invalid)} {'does' if len(invalid) == 1 else 'do'} not count: MG154)"
            if invalid
            else ""
        )
        if not approvals.signers:
            extra += "; no allowed signers file is configured, so no signature can be verified"
        yield ctx.finding(
            approver_pointer(ctx, role),
            f"no signed {role} approval of version {approvals.version}: {tier} deploy needs "
            f"{_and(roles)} to approve it{extra}",
            f"The {role} approver runs `modelgov approve --role {role} --key "
            "~/.ssh/id_ed25519` in the model's folder and commits the record.",
        )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

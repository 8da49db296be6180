"""A signed approval is out of date: another version, changed sections, or too old.

An approval covers one `deploy.version` and the `risk_tier`, `deploy`,
`rollback` and `drift` sections as they were when it was signed (each
section's digest is in the record).  Bumping the version, or changing what
was approved -- a slower rollback, a monitor removed -- makes it stale: the
message says what changed since (the version, or which section).  An
approval older than the tier allows (`max_age_days`) is stale too.  One
finding per role that has no current approval, at the most recent record
of that role; a role with a current approval is not reported for older
records.  Off unless a pack sets `require_signed_approvals` for the tier
(`strict`: high).

Options:
    require_signed_approvals: require signed approvals for this tier (per risk tier)
    max_age_days: the oldest approval that still counts, in days (per risk tier)

Fails:
    risk_tier: high
    deploy:
      version: "8"        # approvals/ holds approvals of version 7
      approvers:
        - {email: priya.natarajan@example.com, role: product}

Passes:
    risk_tier: high
    deploy:
      version: "7"        # approved by each role, nothing changed since
      approvers:
        - {email: priya.natarajan@example.com, role: product}

Fix: The approver reviews what changed and runs `modelgov approve` again; commit the new record.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._approvals import REQUIRE, record_finding
from ._util import days
from .base import Option, RuleContext

ID = "MG155"
NAME = "approval-stale"
SEVERITY = Severity.ERROR
USES = frozenset({"approvals"})
ENABLED_BY = "require_signed_approvals"
OPTIONS = {
    "require_signed_approvals": REQUIRE,
    "max_age_days": Option(
        "days",
        {"low": 365, "medium": 180, "high": 90},
        "Oldest signed approval that still counts, in days.",
        per_tier=True,
        stricter="lower",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    approvals = ctx.facts.approvals
    if approvals is None or not approvals.version:
        return  # no version: MG153
    limit = int(ctx.options["max_age_days"])
    tier = f"a {ctx.tier}-risk" if ctx.tier else "an"
    judged = [(v, v.record) for v in approvals.verdicts if v.record is not None]
    for role in dict.fromkeys(v.role for v, _ in judged if v.status != "invalid"):
        mine = [(v, r) for v, r in judged if v.role == role]
        valid = [(v, r) for v, r in mine if v.status == "valid"]
        if any((ctx.today - r.date).days <= limit for _, r in valid):
            continue
        if valid:
            verdict, record = max(valid, key=lambda vr: (vr[1].date, vr[0].file))
            line, col = record.where("/date")
            age = (ctx.today - record.date).days
            yield record_finding(
                ctx,
                verdict._replace(pointer="/date", line=line, col=col),
                f"the {record.role} approval by {record.signer} is stale: signed "
                f"{record.date.isoformat()}, {days(age)} ago; {tier} approval counts for "
                f"{days(limit)}",
                "The approver reviews the declaration again and runs `modelgov approve`; "
                "commit the new record.",
            )
            continue
        stale = [(v, r) for v, r in mine if v.status == "stale"]
        if stale:
            verdict, record = max(stale, key=lambda vr: (vr[1].date, vr[0].file))
            yield record_finding(
                ctx,
                verdict,
                f"the {record.role} approval by {record.signer} is stale: {verdict.reason}",
                f"{record.signer} reviews what changed and runs `modelgov approve --role "
                f"{record.role}` again; commit the new record.",
            )

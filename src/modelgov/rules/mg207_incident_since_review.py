"""The declaration was reviewed after the model's last serious incident.

An incident is the moment a declaration is proven wrong or right: the
runbook that did not work, the rollback that took an hour, the owner who did
not answer.  A sev1 or sev2 incident (``min_severity``) dated after
``review.last_reviewed`` means nobody has checked the declaration since the
model last failed.  The finding is on ``/review/last_reviewed`` and names the
newest such incident.  A missing review, or one dated in the future, is
MG200's; an incident dated in the future is not counted.

Options:
    min_severity: the least severe incident that calls for a review (per risk tier)

Fails:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
    review:
      last_reviewed: 2026-08-01
      reviewed_by: dana.okafor@example.com

Passes:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
    review:
      last_reviewed: 2026-11-02
      reviewed_by: dana.okafor@example.com

Fix: Review the declaration with what the incident taught (owner, on-call, rollback, monitors), then update `review.last_reviewed`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.incidents import SEVERITIES, incident_name
from ..facts.staleness import incidents_since_review
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG207"
NAME = "incident-since-review"
SEVERITY = Severity.ERROR
OPTIONS = {
    "min_severity": Option(
        "str",
        "sev2",
        "The least severe incident after which the declaration must be reviewed again "
        "(sev1 is the worst): sev2 means sev1 and sev2 incidents.",
        per_tier=True,
        stricter="higher",
        choices=SEVERITIES,
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    found = incidents_since_review(ctx.data, ctx.today, str(ctx.options["min_severity"]))
    if not found:
        return
    newest = found[0]
    name = incident_name(newest.id, newest.position)
    more = len(found) - 1
    others = f" (and {more} earlier one{'s' if more != 1 else ''})" if more else ""
    yield ctx.finding(
        "/review/last_reviewed",
        f"the last review ({newest.reviewed.isoformat()}) is older than {name} "
        f"({newest.severity}, {newest.date.isoformat()}){others}: the declaration has not "
        "been reviewed since the model last failed",
    )

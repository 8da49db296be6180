"""The declaration was reviewed recently enough for its tier.

A declaration that was true last year is the most dangerous kind: it looks
fine.  ``review.last_reviewed`` records when someone last checked that the
owner, rotation, rollback and monitors still hold; the policy sets how old
that may be per tier.  A missing review, or a date in the future, is an error.

Options:
    max_age_days: the oldest acceptable review, in days (per risk tier)

Fails:
    risk_tier: high
    review:
      last_reviewed: 2025-01-10
      reviewed_by: dana.okafor@example.com

Passes:
    risk_tier: high
    review:
      last_reviewed: 2026-11-02
      reviewed_by: dana.okafor@example.com

Fix: Review the declaration with the owner and on-call, then update `review.last_reviewed`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._dates import age_findings
from ._util import missing_fields
from .base import Option, RuleContext

ID = "MG200"
NAME = "review-overdue"
SEVERITY = Severity.ERROR
OPTIONS = {
    "max_age_days": Option(
        "days",
        {"low": 365, "medium": 180, "high": 90},
        "Oldest acceptable `review.last_reviewed`, in days.",
        per_tier=True,
        stricter="lower",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from missing_fields(
        ctx,
        "review",
        ("last_reviewed", "reviewed_by"),
        what="the declaration has never been reviewed",
        hints={
            "last_reviewed": "Review the declaration and record the date.",
            "reviewed_by": "Record the email of the reviewer.",
        },
    )
    yield from age_findings(
        ctx,
        "/review/last_reviewed",
        "the last review",
        "Review the declaration with the owner and on-call, then update `review.last_reviewed`.",
    )

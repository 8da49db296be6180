"""Shared judgement of "how long ago" dates (review, rollback drill)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from ._util import as_date, days, tier_model
from .base import RuleContext


def age_findings(ctx: RuleContext, pointer: str, what: str, fix: str) -> Iterator[Finding]:
    """Findings for a date at ``pointer`` that is in the future or older than ``max_age_days``."""
    when = as_date(ctx.get(pointer))
    if when is None:
        return  # missing: the section's rule; malformed: MG007/MG010
    age = (ctx.today - when).days
    if age < 0:
        yield ctx.finding(
            pointer,
            f"{what} is dated {when.isoformat()}, {days(-age)} in the future (today is "
            f"{ctx.today.isoformat()})",
            "Record the date the event actually happened.",
        )
        return
    limit = int(ctx.options["max_age_days"])
    if age > limit:
        yield ctx.finding(
            pointer,
            f"{what} was {days(age)} ago ({when.isoformat()}); {tier_model(ctx)} allows at "
            f"most {days(limit)}",
            fix,
        )

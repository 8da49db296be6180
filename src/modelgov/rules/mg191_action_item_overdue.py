"""Action items of incidents are done by their due date.

A post-mortem whose action items are never done has taught nothing: the
same failure comes back.  Each item of ``incidents[].action_items`` has an
``owner`` and a ``due`` date; one past its due date and not ``done: true``
is a finding on the item, naming its owner and how many days it is overdue.
An item due today is not overdue yet.  An owner who has left the company is
MG205's (with a roster).

Fails:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
        action_items:
          - title: Watch prediction confidence per merchant category
            owner: dana.okafor@example.com
            due: 2026-10-15

Passes:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
        action_items:
          - title: Watch prediction confidence per merchant category
            owner: dana.okafor@example.com
            due: 2026-10-15
            done: true

Fix: Finish the action item and set `done: true`, or agree a new `due` date with its owner.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.incidents import action_items
from ..findings import Finding, Severity
from ._util import days
from .base import Option, RuleContext

ID = "MG191"
NAME = "action-item-overdue"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for item in action_items(ctx.data, today=ctx.today):
        if item.state != "overdue" or item.due is None:
            continue
        what = f"action item {item.title!r}" if item.title else f"action item #{item.position + 1}"
        of = f" of incident {item.incident}" if item.incident else ""
        owner = f"owned by {item.owner}" if item.owner else "with no owner"
        yield ctx.finding(
            item.pointer,
            f"{what}{of}, {owner}, was due {item.due.isoformat()} and is "
            f"{days(item.days_overdue)} overdue",
        )

"""Incident and post-mortem status as the playbook reads it.

Interim: the oprules branch puts the pure functions the rules MG190/MG191 use
in ``modelgov.facts.incidents``; once it is on main, this module only adapts
them (one logic for the rules, the playbook and the audit).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from ..facts import as_date
from ..results import IncidentPolicy

__all__ = [
    "PostmortemState", "action_item_overdue", "as_date", "postmortem_state",
    "severities_at_or_above",
]  # fmt: skip

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")


class PostmortemState(NamedTuple):
    status: Literal["written", "pending", "overdue", "not-required", "unknown"]
    due: str = ""  # YYYY-MM-DD when one is required

    @property
    def shown(self) -> str:
        return {
            "written": "written",
            "pending": f"pending, due {self.due}",
            "overdue": f"missing, was due {self.due}",
            "not-required": "not required",
            "unknown": "missing",
        }[self.status]


def severities_at_or_above(min_severity: str) -> str:
    """``sev1, sev2`` for ``sev2``."""
    if min_severity not in SEVERITIES:
        return min_severity
    return ", ".join(SEVERITIES[: SEVERITIES.index(min_severity) + 1])


def needs_postmortem(severity: Any, min_severity: str) -> bool:
    if severity not in SEVERITIES or min_severity not in SEVERITIES:
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(min_severity)


def postmortem_state(
    incident: Mapping[str, Any], policy: IncidentPolicy | None, today: _dt.date | None
) -> PostmortemState:
    """Whether the incident's post-mortem is written, pending (with its due date), overdue
    or not required under ``policy`` (``None``: not known)."""
    written = incident.get("postmortem")
    if isinstance(written, str) and written.strip():
        return PostmortemState("written")
    if policy is None or today is None:
        return PostmortemState("unknown")
    if not needs_postmortem(incident.get("severity"), policy.min_severity):
        return PostmortemState("not-required")
    when = as_date(incident.get("date"))
    if when is None:
        return PostmortemState("unknown")
    due = when + _dt.timedelta(days=policy.due_days)
    return PostmortemState("overdue" if today > due else "pending", due.isoformat())


def action_item_overdue(item: Mapping[str, Any], today: _dt.date | None) -> bool:
    """Past its due date and not done."""
    due = as_date(item.get("due"))
    return today is not None and due is not None and item.get("done") is not True and today > due

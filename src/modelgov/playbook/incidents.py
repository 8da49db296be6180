"""Incident and post-mortem status as the playbook and the audit read it.

Interim: the oprules branch puts the pure functions the rules MG190/MG191 use
in ``modelgov.facts.incidents``; once it is on main, this module only adapts
them (one logic for the rules, the playbook and the audit).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal, NamedTuple

from ..facts import as_date
from ..results import IncidentPolicy

__all__ = ["ActionItem", "PostmortemState", "action_items", "as_date", "postmortems",
           "severities_at_or_above"]  # fmt: skip

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")


class PostmortemState(NamedTuple):
    """One incident's post-mortem (``position``: its index in ``incidents``)."""

    position: int
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


class ActionItem(NamedTuple):
    """An action item not done (``incident``, ``position``: indexes in the document)."""

    incident: int
    position: int
    overdue: bool


def severities_at_or_above(min_severity: str) -> str:
    """``sev1, sev2`` for ``sev2``."""
    if min_severity not in SEVERITIES:
        return min_severity
    return ", ".join(SEVERITIES[: SEVERITIES.index(min_severity) + 1])


def _incidents(data: Any) -> list[tuple[int, dict[str, Any]]]:
    value = data.get("incidents") if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, e) for i, e in enumerate(value) if isinstance(e, dict)]


def postmortems(
    data: Any, policy: IncidentPolicy | None, today: _dt.date | None
) -> dict[int, PostmortemState]:
    """Each incident's post-mortem: written (declared: MG190 judges whether it exists),
    pending with its due date, overdue, not required under ``policy``, or unknown (no
    policy, or no valid severity or date)."""
    out = {}
    for index, entry in _incidents(data):
        written = entry.get("postmortem")
        severity, when = entry.get("severity"), as_date(entry.get("date"))
        if isinstance(written, str) and written.strip():
            out[index] = PostmortemState(index, "written")
        elif policy is None or today is None or when is None or severity not in SEVERITIES:
            out[index] = PostmortemState(index, "unknown")
        elif policy.min_severity in SEVERITIES and SEVERITIES.index(severity) > SEVERITIES.index(
            policy.min_severity
        ):
            out[index] = PostmortemState(index, "not-required")
        else:
            due = when + _dt.timedelta(days=policy.due_days)
            status: Literal["overdue", "pending"] = "overdue" if today > due else "pending"
            out[index] = PostmortemState(index, status, due.isoformat())
    return out


def action_items(data: Any, today: _dt.date | None) -> list[ActionItem]:
    """The action items not done, each overdue when past its due date."""
    out = []
    for index, entry in _incidents(data):
        items = entry.get("action_items")
        for m, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict) or item.get("done") is True:
                continue
            due = as_date(item.get("due"))
            late = today is not None and due is not None and today > due
            out.append(ActionItem(index, m, late))
    return out

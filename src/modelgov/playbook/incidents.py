"""Incident and post-mortem status as the playbook and the audit read it: an adapter of
:mod:`modelgov.facts.incidents`, the pure functions rules MG190 and MG191 judge with, so
the playbook, the audit and the rules answer each question the same way.

The playbook is built from a judged model and its document, with no view of the
repository: a declared post-mortem counts as written here, and whether it exists is
MG190's finding, which the playbook shows as a gap of step 5.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal, NamedTuple

from ..facts import as_date
from ..facts import incidents as facts
from ..results import IncidentPolicy

__all__ = ["ActionItem", "PostmortemState", "action_items", "as_date", "postmortems",
           "severities_at_or_above"]  # fmt: skip

SEVERITIES = facts.SEVERITIES
_STATUS = {"present": "written", "pending": "pending", "missing": "overdue",
           "not-required": "not-required"}  # fmt: skip


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


def postmortems(
    data: Any, policy: IncidentPolicy | None, today: _dt.date | None
) -> dict[int, PostmortemState]:
    """Each incident's post-mortem: written (declared), pending with its due date, overdue,
    not required under ``policy``, or unknown (no policy known, or an incident with no
    valid severity or date, which MG010 reports)."""
    out: dict[int, PostmortemState] = {
        index: PostmortemState(index, "written" if facts.postmortem_text(entry) else "unknown")
        for index, entry in facts.incident_entries(data)
    }
    if policy is None or today is None:
        return out
    for s in facts.postmortems(
        data,
        today=today,
        exists=lambda _text: True,
        min_severity=policy.min_severity,
        due_days=policy.due_days,
    ):
        status = _STATUS[s.state]
        out[s.position] = PostmortemState(
            s.position,
            status,  # type: ignore[arg-type]
            s.due.isoformat() if s.due is not None else "",
        )
    return out


def action_items(data: Any, today: _dt.date | None) -> list[ActionItem]:
    """The action items not done, each overdue when past its due date (never, when
    ``today`` is not known)."""
    return [
        ActionItem(a.incident_position, a.position, a.state == "overdue")
        for a in facts.action_items(data, today=today or _dt.date.min)
        if a.state != "done"
    ]

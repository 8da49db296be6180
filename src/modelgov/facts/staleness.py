"""What the git history (and the incidents) say about a declaration's staleness:
pure functions of facts.

Rules MG202 (code changed), MG203 (history too shallow), MG204 (owner
handoff) and MG207 (incident since the last review) and the audit's "stale"
column read these, so each question is answered once, the same way, whichever
rules run.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from . import ModelFacts, as_date, is_missing, norm_email
from .history import CodeChange, Commit, ModelHistory
from .incidents import DEFAULT_MIN_SEVERITY, at_least, incident_entries, severity_rank


def declared_paths(data: Any) -> tuple[str, ...]:
    """The model's ``paths`` globs (non-empty strings only)."""
    value = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(value, list):
        return ()
    return tuple(p for p in value if isinstance(p, str) and p.strip())


class Staleness(NamedTuple):
    """Code changes the declaration has not caught up with."""

    changes: tuple[CodeChange, ...]  # newest first
    oldest: CodeChange
    age: int  # days since the oldest, 0 when in the future
    #: the judged ``review.last_reviewed`` when it is a date (not in the future): every
    #: change above is newer than it
    reviewed: _dt.date | None = None


def review_date(data: Any, today: _dt.date) -> _dt.date | None:
    """``review.last_reviewed`` of a declaration, when it is a date no later than ``today``
    (a review dated in the future is MG200's finding, and reviews nothing)."""
    review = data.get("review") if isinstance(data, dict) else None
    when = as_date(review.get("last_reviewed")) if isinstance(review, dict) else None
    return when if when is not None and when <= today else None


def last_review(facts: ModelFacts) -> _dt.date | None:
    """:func:`review_date` of the judged version."""
    return review_date(facts.data, facts.today)


class UnreviewedIncident(NamedTuple):
    """An incident the declaration has not been reviewed since."""

    position: int  # index in ``incidents``
    id: str  # '' when not given
    severity: str
    date: _dt.date
    reviewed: _dt.date  # the judged ``review.last_reviewed``, earlier than ``date``


def incidents_since_review(
    data: Any, today: _dt.date, min_severity: str = DEFAULT_MIN_SEVERITY
) -> tuple[UnreviewedIncident, ...]:
    """Incidents at or above ``min_severity`` dated after ``review.last_reviewed`` (and
    no later than ``today``), newest first; ``()`` without a judgeable review date (a
    missing review or one in the future is MG200's)."""
    reviewed = review_date(data, today)
    if reviewed is None:
        return ()
    out = []
    for index, entry in incident_entries(data):
        when = as_date(entry.get("date"))
        severity = entry.get("severity")
        if when is None or not at_least(severity, min_severity):
            continue
        if reviewed < when <= today:
            ident = entry.get("id")
            rank = severity_rank(severity)
            assert rank is not None  # at_least() held
            out.append(
                UnreviewedIncident(
                    index,
                    ident.strip() if isinstance(ident, str) else "",
                    f"sev{rank + 1}",
                    when,
                    reviewed,
                )
            )
    return tuple(sorted(out, key=lambda u: (u.date, -u.position), reverse=True))


def code_staleness(facts: ModelFacts) -> Staleness | None:
    """The code changes the declaration has not caught up with, or ``None`` when there are
    none (or nothing to compare: no ``paths``, no history, a new model.yaml, or one whose
    uncommitted edit changes what it declares).

    A change counts unless the last commit that changed what the model.yaml declares
    saw it (it is an ancestor of that commit; a touch of comments or layout only sees
    nothing), or ``review.last_reviewed`` is on or after the day it was committed."""
    hist = facts.history
    if not declared_paths(facts.data) or hist is None:
        return None
    if not hist.committed or hist.changed_now or not hist.code_changes:
        return None
    reviewed = last_review(facts)
    if reviewed is None:
        changes = hist.code_changes
    else:
        # c.commit.date > reviewed, compared as timestamps (a long history has thousands)
        after = _day_after(reviewed)
        changes = (
            ()
            if after is None
            else tuple(c for c in hist.code_changes if c.commit.commit_time >= after)
        )
    if not changes:
        return None
    oldest = min(changes, key=lambda c: c.commit.commit_time)
    age = max((facts.today - oldest.commit.date).days, 0)
    return Staleness(changes, oldest, age, reviewed)


def _day_after(day: _dt.date) -> int | None:
    """The first second (UTC) of the day after ``day``: a commit is dated after ``day``
    (:attr:`~modelgov.facts.history.Commit.date`) exactly when it was committed at or
    after it.  ``None`` for the last day Python's dates hold: no commit is dated later."""
    if day >= _dt.date.max:
        return None
    start = _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(), _dt.timezone.utc)
    return int(start.timestamp())


def code_gap(facts: ModelFacts) -> str:
    """Why code changes cannot all be judged (a shallow clone), or ``''``."""
    hist = facts.history
    if not declared_paths(facts.data) or hist is None:
        return ""
    if not hist.committed or hist.changed_now or hist.change_known:
        return ""
    reviewed = last_review(facts)
    if reviewed is not None and hist.boundary is not None and reviewed >= hist.boundary.date:
        return ""  # whatever lies beyond the boundary is older than the last review
    since = f"since {hist.boundary.date.isoformat()}" if hist.boundary else "in the history"
    return (
        f"{_name(facts)} did not change {since}, where the shallow history ends: code "
        "changes before that cannot be checked against it"
    )


def previous_owner(hist: ModelHistory, current: str) -> tuple[str | None, Commit | None]:
    """The owner before ``current`` and the commit that made the change (None: uncommitted)."""
    newer = None
    for version in hist.owners:  # newest first
        if not version.email:
            continue  # unreadable version: skip it
        if version.email != current:
            return version.email, newer.commit if newer is not None else None
        newer = version
    return None, None


def handoff_complete(handoff: Any) -> bool:
    return isinstance(handoff, dict) and all(
        not is_missing(handoff.get(k)) for k in ("from", "date", "document")
    )


def owner_gap(facts: ModelFacts) -> str:
    """Why a change of owner cannot be ruled out (a shallow clone), or ``''``."""
    hist = facts.history
    current = norm_email(facts.doc.get("/owner/email"))
    if hist is None or not current:
        return ""
    previous, _ = previous_owner(hist, current)
    if previous is not None or hist.origin_known:
        return ""
    if handoff_complete(facts.doc.get("/owner/handoff")):
        return ""
    edge = hist.boundary
    since = f" before {edge.date}" if edge else ""
    return (
        f"the owner history{since} is beyond the shallow history, so a change of "
        "owner without a handoff record cannot be ruled out"
    )


def _name(facts: ModelFacts) -> str:
    return facts.file.rsplit("/", 1)[-1]


def age_in_days(when: _dt.date | None, today: _dt.date) -> int | None:
    return (today - when).days if when is not None else None

"""What a declaration's incidents say: post-mortems due, pending or present, and
action items open, overdue or done.  Pure functions of the document and the options.

Rules MG190 (post-mortem missing), MG191 (action item overdue) and MG207
(incident since the last review), ``modelgov playbook`` and the audit read
these, so each question is answered once, the same way.  Nothing here reads a
file: whether a post-mortem path exists in the repository is a predicate the
caller passes (:func:`repo_predicate` builds the usual one from a
:class:`~modelgov.repoview.RepoView`, confined to the repository as MG160's
references are).

Incidents whose ``severity`` or ``date`` is not valid (MG010 reports them) are
left out: nothing can say when their post-mortem is due.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..document import join_pointer
from . import as_date

if TYPE_CHECKING:
    from ..repoview import RepoView

#: The severities of the schema, worst first.
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
DEFAULT_MIN_SEVERITY = "sev2"
DEFAULT_DUE_DAYS = 14


def incident_name(ident: str, position: int) -> str:
    """How messages name an incident: ``incident INC-2026-031``, or ``incident #2`` (its
    place in ``incidents``) when it has no id."""
    return f"incident {ident}" if ident else f"incident #{position + 1}"


PostmortemState = Literal["present", "pending", "missing", "not-required"]
ActionState = Literal["done", "open", "overdue"]


class PostmortemStatus(NamedTuple):
    """One incident's post-mortem, as judged on ``today``.

    ``state``: ``present`` (a well-formed URL, or a path that exists in the
    repository), ``pending`` (required, not there yet, and ``today`` is no later
    than ``due``), ``missing`` (required and past ``due``), ``not-required``
    (below the policy's severity, and none present).
    """

    position: int  # index in ``incidents``
    id: str  # the incident's id ('' when not given)
    severity: str  # sev1 .. sev4
    date: _dt.date
    due: _dt.date | None  # date + due_days when a post-mortem is required, else None
    state: PostmortemState
    pointer: str  # /incidents/N/postmortem when the key exists, else /incidents/N
    postmortem: str = ""  # as written, stripped ('' when absent or empty)

    @property
    def required(self) -> bool:
        return self.due is not None


class ActionItemStatus(NamedTuple):
    """One action item of an incident, as judged on ``today``."""

    incident_position: int  # index in ``incidents``
    incident: str  # the incident's id ('' when not given)
    position: int  # index in the incident's ``action_items``
    title: str
    owner: str  # as written, stripped
    due: _dt.date | None  # None when missing or not a date (MG010)
    done: bool
    state: ActionState  # overdue: not done and past due; open: not done otherwise
    days_overdue: int  # 0 unless overdue
    pointer: str  # /incidents/N/action_items/M


def severity_rank(value: Any) -> int | None:
    """0 for sev1 (the worst) .. 3 for sev4; ``None`` for anything else."""
    if isinstance(value, str) and value.strip().lower() in SEVERITIES:
        return SEVERITIES.index(value.strip().lower())
    return None


def at_least(severity: Any, minimum: str) -> bool:
    """Is ``severity`` as bad as ``minimum`` or worse (sev1 is at least sev2)?"""
    rank, limit = severity_rank(severity), severity_rank(minimum)
    return rank is not None and limit is not None and rank <= limit


def incident_entries(data: Any) -> list[tuple[int, dict[str, Any]]]:
    """``(index, mapping)`` of each incident that is a mapping."""
    value = data.get("incidents") if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def postmortem_text(entry: dict[str, Any]) -> str:
    """An incident's ``postmortem`` as written (stripped; ``''``: none declared)."""
    return _text(entry.get("postmortem"))


def postmortems(
    data: Any,
    *,
    today: _dt.date,
    exists: Callable[[str], bool],
    min_severity: str = DEFAULT_MIN_SEVERITY,
    due_days: int = DEFAULT_DUE_DAYS,
) -> tuple[PostmortemStatus, ...]:
    """The post-mortem status of every judgeable incident of ``data`` (a model.yaml).

    ``exists(text)`` says whether the ``postmortem`` text as written is there: a
    well-formed http(s) URL or a path inside the repository that exists (see
    :func:`repo_predicate`).  An incident at or above ``min_severity`` needs one
    once it is more than ``due_days`` old; until then it is pending."""
    out = []
    for index, entry in incident_entries(data):
        when = as_date(entry.get("date"))
        rank = severity_rank(entry.get("severity"))
        if when is None or rank is None:
            continue  # MG010 reports the value; nothing can say when a post-mortem is due
        pointer = join_pointer("/incidents", index)
        if "postmortem" in entry:
            pointer = join_pointer(pointer, "postmortem")
        text = postmortem_text(entry)
        there = bool(text) and exists(text)
        required = at_least(SEVERITIES[rank], min_severity)
        due = when + _dt.timedelta(days=due_days) if required else None
        state: PostmortemState
        if there:
            state = "present"
        elif due is None:
            state = "not-required"
        elif today > due:
            state = "missing"
        else:
            state = "pending"
        out.append(
            PostmortemStatus(
                index, _text(entry.get("id")), SEVERITIES[rank], when, due, state, pointer, text
            )
        )
    return tuple(out)


def action_items(data: Any, *, today: _dt.date) -> tuple[ActionItemStatus, ...]:
    """Every action item (a mapping) of every incident of ``data``: done, open or overdue.

    An item is overdue when it is not ``done: true`` and ``today`` is after its
    ``due`` date; one without a valid due date is open."""
    out = []
    for index, entry in incident_entries(data):
        items = entry.get("action_items")
        if not isinstance(items, list):
            continue
        base = join_pointer(join_pointer("/incidents", index), "action_items")
        for m, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            due = as_date(item.get("due"))
            done = item.get("done") is True
            late = 0 if done or due is None else max((today - due).days, 0)
            state: ActionState = "done" if done else ("overdue" if late > 0 else "open")
            out.append(
                ActionItemStatus(
                    incident_position=index,
                    incident=_text(entry.get("id")),
                    position=m,
                    title=_text(item.get("title")),
                    owner=_text(item.get("owner")),
                    due=due,
                    done=done,
                    state=state,
                    days_overdue=late,
                    pointer=join_pointer(base, m),
                )
            )
    return tuple(out)


def repo_predicate(view: RepoView, base: str) -> Callable[[str], bool]:
    """``exists(text)`` for :func:`postmortems`: a well-formed http(s) URL, or a path
    relative to ``base`` (the model.yaml's folder) that is a file inside the repository
    (no ``..`` out, no absolute path, no symlink out), as MG160 resolves references."""
    from ..repoview import resolve_reference

    def exists(text: str) -> bool:
        return resolve_reference(view, base, text).ok

    return exists

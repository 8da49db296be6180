"""Every serious incident has a post-mortem, written within the days the policy allows.

An incident nobody wrote up is an incident that will happen again: the next
on-call engineer meets it with nothing to read.  An incident at or above the
policy's severity (``min_severity``, sev1 and sev2 by default) that is more
than ``due_days`` old (14 by default) needs a ``postmortem`` that exists: a
repo path relative to the folder of the model.yaml that is a file inside the
repository (no ``..`` that climbs out, no absolute path, no symlink that
leads out, as for MG160's references), or a well-formed http(s) URL
(modelgov never fetches it).  Within the ``due_days`` the post-mortem is
pending: not a finding (``modelgov playbook`` shows when it is due).  What
is judged is that the document exists, not when it was committed: a team
adopting modelgov may add its old post-mortems later.  Less severe incidents
need none.  The finding is on ``/incidents/N/postmortem`` when the key is
there, else on the incident.

Options:
    min_severity: the least severe incident that needs a post-mortem (per risk tier)
    due_days: days after the incident by which its post-mortem must exist (per risk tier)

Fails:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
        postmortem: docs/postmortems/missing.md

Passes:
    incidents:
      - id: INC-2026-031
        date: 2026-09-14
        severity: sev2
        summary: Merchant-category remap shifted scores.
        postmortem: docs/postmortems/2026-09-14-false-declines.md

Fix: Write the post-mortem and point `postmortem` at it (a repo path or an http(s) URL).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.incidents import SEVERITIES, incident_name, postmortems, repo_predicate
from ..findings import Finding, Severity
from ..repoview import resolve_reference
from ._util import days
from .base import Option, RuleContext

ID = "MG190"
NAME = "postmortem-missing"
SEVERITY = Severity.ERROR
OPTIONS = {
    "min_severity": Option(
        "str",
        "sev2",
        "The least severe incident that needs a post-mortem (sev1 is the worst): sev2 "
        "means sev1 and sev2 incidents.",
        per_tier=True,
        stricter="higher",
        choices=SEVERITIES,
    ),
    "due_days": Option(
        "days",
        14,
        "Days after an incident's date by which its post-mortem must exist.",
        per_tier=True,
        stricter="lower",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    statuses = postmortems(
        ctx.data,
        today=ctx.today,
        exists=repo_predicate(ctx.facts.repo, ctx.facts.base),
        min_severity=str(ctx.options["min_severity"]),
        due_days=int(ctx.options["due_days"]),
    )
    for status in statuses:
        if status.state != "missing" or status.due is None:
            continue
        name = incident_name(status.id, status.position)
        head = (
            f"{name} ({status.severity}, {status.date.isoformat()}) was "
            f"{days((ctx.today - status.date).days)} ago"
        )
        due = f"its post-mortem was due by {status.due.isoformat()}"
        if status.postmortem:
            ref = resolve_reference(ctx.facts.repo, ctx.facts.base, status.postmortem)
            shown = f" ({ref.repo_path})" if ref.repo_path and ref.status == "missing" else ""
            message = (
                f"{head}: its post-mortem {status.postmortem!r}{shown} {ref.problem} "
                f"(due by {status.due.isoformat()})"
            )
        elif status.pointer.endswith("/postmortem"):
            message = f"{head}: `postmortem` is empty, and {due}"
        else:
            message = f"{head} and has no `postmortem`: {due}"
        empty = status.pointer.endswith("/postmortem") and not status.postmortem
        yield ctx.finding(status.pointer, message, at_key=empty)

"""Everyone the declaration names still works here.

An owner who left, an approver whose account was closed, a reviewer who
moved on: the declaration looks complete and nobody answers.  With a roster
(config ``roster: FILE`` or ``--roster FILE``: an HR or identity export, YAML
or CSV, with ``email`` and ``status`` active/left) every person the file
names must be listed and ``active``: the owner, the on-call escalation and
the rollback and override decision owners when they are emails, the deploy
approvers, the reviewer, the retraining owner, the owners of incidents'
action items and the waiver approvers.  An action item's owner counts until
the item is done: an open item owned by someone who left is owned by nobody.
Without a roster this rule does nothing.

Fails:
    # roster: dana.okafor@example.com,left
    owner:
      email: dana.okafor@example.com

Passes:
    # roster: dana.okafor@example.com,active
    owner:
      email: dana.okafor@example.com

Fix: Replace people who left with someone active, and record the handoff where ownership changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..facts.incidents import action_items
from ..findings import Finding, Severity
from ._util import is_email
from .base import Option, RuleContext

ID = "MG205"
NAME = "person-inactive"
SEVERITY = Severity.ERROR
USES = frozenset({"roster"})
OPTIONS: dict[str, Option] = {}

#: Single places that hold a person: (pointer, role, only-if-an-email).
PLACES = (
    ("/owner/email", "owner", False),
    ("/on_call/escalation", "on-call escalation", True),
    ("/rollback/decision_owner", "rollback decision owner", True),
    ("/override/decision_owner", "override decision owner", True),
    ("/review/reviewed_by", "reviewer", False),
    ("/retraining/owner", "retraining owner", False),
)


def people(ctx: RuleContext) -> Iterator[tuple[str, str, str]]:
    """(pointer, role, email) of every person the declaration names."""
    for pointer, role, only_email in PLACES:
        value = ctx.get(pointer)
        if not isinstance(value, str) or not value.strip():
            continue
        if only_email and not is_email(value):
            continue  # a rotation or role name, not a person
        yield pointer, role, value.strip()
    approvers = ctx.get("/deploy/approvers")
    if isinstance(approvers, list):
        for i, entry in enumerate(approvers):
            email = entry.get("email") if isinstance(entry, dict) else None
            if isinstance(email, str) and email.strip():
                role = entry.get("role")
                what = f"deploy approver ({role})" if isinstance(role, str) else "deploy approver"
                yield (
                    join_pointer(join_pointer("/deploy/approvers", i), "email"),
                    what,
                    email.strip(),
                )
    for item in action_items(ctx.data, today=ctx.today):
        if item.owner and not item.done:
            of = f" ({item.incident})" if item.incident else ""
            yield join_pointer(item.pointer, "owner"), f"action item owner{of}", item.owner
    waivers = ctx.get("/waivers")
    if isinstance(waivers, list):
        for i, entry in enumerate(waivers):
            email = entry.get("approved_by") if isinstance(entry, dict) else None
            if isinstance(email, str) and email.strip():
                pointer = join_pointer(join_pointer("/waivers", i), "approved_by")
                yield pointer, f"approver of waiver #{i + 1}", email.strip()


def check(ctx: RuleContext) -> Iterator[Finding]:
    roster = ctx.facts.roster  # a modelgov.people.Roster, or None without a roster
    if roster is None:
        return
    for pointer, role, email in people(ctx):
        person = roster.get(email)
        if person is None:
            yield ctx.finding(
                pointer,
                f"{role} {email} is not in the roster {roster.source}",
                "Name someone who is in the roster (or fix the address); the roster is the "
                "HR/identity export of who works here.",
            )
        elif person.status == "left":
            yield ctx.finding(
                pointer,
                f"{role} {email} has left (roster {roster.source}, line {person.line})",
                "Name an active person instead; when the owner changes, record `owner.handoff`.",
            )

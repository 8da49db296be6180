"""Who decides a rollback (or an override) is one person or the on-call role, not a list.

"Who rolls back at 2am?" answered with a mailing list is answered by nobody:
a list cannot decide, and everyone on it assumes someone else will.
``rollback.decision_owner`` (and ``override.decision_owner``, who may switch
the model off) must name the on-call role (``on_call``, or the on-call
rotation or escalation by name) or one person.  A value that matches the group
alias patterns MG111 applies to the owner (an address such as
``ml-team@example.com`` or ``team+fraud@example.com``, judged on its local
part without the ``+tag``; or a name such as ``ml-team``) is a finding.  A
missing decision owner is MG130's.

Options:
    alias_patterns: regular expressions that mark a group (as in MG111)
    roles: values that name the on-call role

Fails:
    rollback:
      decision_owner: ml-team@example.com

Passes:
    rollback:
      decision_owner: on_call

Fix: Name who may roll back without a meeting: the on-call role (`on_call`) or one person's email.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._aliases import ALIAS_PATTERNS, alias_search, stopped_findings
from .base import Option, RuleContext

ID = "MG132"
NAME = "decider-not-a-person"
SEVERITY = Severity.ERROR
OPTIONS = {
    "alias_patterns": Option(
        "list[str]",
        list(ALIAS_PATTERNS),
        "Regular expressions (case-insensitive) matched against the decision owner (the "
        "local part of an email, without a +tag); a match marks a group alias.",
    ),
    "roles": Option(
        "list[str]",
        ["on_call", "on-call", "oncall"],
        "Values that name the on-call role (compared without case); the on-call rotation "
        "and escalation count as well.",
    ),
}

#: The decision owners judged, and what each decides.
FIELDS = (
    ("/rollback/decision_owner", "rollback.decision_owner", "roll back"),
    ("/override/decision_owner", "override.decision_owner", "switch the model off"),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    roles = {str(r).strip().casefold() for r in ctx.options["roles"]}
    on_call = ctx.get("/on_call")
    if isinstance(on_call, dict):
        for key in ("rotation", "escalation"):
            if isinstance(on_call.get(key), str) and on_call[key].strip():
                roles.add(on_call[key].strip().casefold())
    for pointer, field, decides in FIELDS:
        value = ctx.get(pointer)
        if not isinstance(value, str) or not value.strip():
            continue  # missing or empty: MG130; wrong type: MG010
        if value.strip().casefold() in roles:
            continue
        found = alias_search(ctx.facts.repo, ctx.options["alias_patterns"], value)
        yield from stopped_findings(ctx, pointer, found, "decision owner", "value")
        if found.pattern is not None:
            yield ctx.finding(
                pointer,
                f"`{field}` {value.strip()!r} looks like a group alias: at 2am a list "
                f"cannot decide to {decides}, and everyone on it waits for someone else",
                f"Set `{field}` to the on-call role (`on_call`) or to one person's email.",
            )

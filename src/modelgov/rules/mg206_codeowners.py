"""The owner is a code owner of the model.yaml.

When the repository has a CODEOWNERS file (``.github/``, the root or
``docs/``, the first found, as GitHub uses them), changes to the declaration
are reviewed by its code owners; an owner who is not one of them does not
see the changes made to their own model.  The rule that decides the
model.yaml's path is the last matching pattern; the owner must be listed in
it by email, or by GitHub ``@handle`` when the roster has a ``github``
column for them.  Teams (``@org/team``) cannot be resolved without the
GitHub API; with ``allow_teams`` a team entry is accepted as covering the
owner.  Without a CODEOWNERS file this rule does nothing.

Options:
    allow_teams: accept a team (@org/team) among the code owners as covering the owner

Fails:
    # CODEOWNERS: /models/fraud/ @payments/ml-platform
    owner:
      email: dana.okafor@example.com

Passes:
    # CODEOWNERS: /models/fraud/ dana.okafor@example.com
    owner:
      email: dana.okafor@example.com

Fix: Add the owner (email or @handle) to the CODEOWNERS rule that covers the model.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import norm_email
from .base import Option, RuleContext

ID = "MG206"
NAME = "codeowners"
SEVERITY = Severity.WARNING
USES = frozenset({"codeowners"})
OPTIONS = {
    "allow_teams": Option(
        "bool",
        False,
        "Accept a team (@org/team) among the code owners as covering the owner "
        "(membership cannot be checked offline).",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    owners_file = ctx.facts.codeowners  # a modelgov.people.CodeOwners, or None
    if owners_file is None:
        return
    email = norm_email(ctx.get("/owner/email"))
    if not email:
        return  # MG110
    path = ctx.facts.file
    rule = owners_file.match(path)
    if rule is None:
        yield ctx.finding(
            "/owner/email",
            f"no rule in {owners_file.file} covers {path}, so the owner {email} does not "
            "review changes to it",
            f"Add a line for the model's folder to {owners_file.file} naming {email}.",
        )
        return
    where = f"{owners_file.file} line {rule.line} (`{rule.pattern}`)"
    if not rule.owners:
        yield ctx.finding(
            "/owner/email",
            f"{where} leaves {path} without code owners; the owner {email} should be one",
            f"Name {email} on {owners_file.file} line {rule.line}.",
        )
        return
    listed = {o.lower() for o in rule.owners}
    roster = ctx.facts.roster
    handle = roster.handle_of(email) if roster is not None else ""
    if email in listed or (handle and f"@{handle}" in listed):
        return
    if ctx.options["allow_teams"] and any(o.startswith("@") and "/" in o for o in listed):
        return
    teams = any(o.startswith("@") and "/" in o for o in listed)
    note = " (teams cannot be resolved offline; list the owner or set allow_teams)" if teams else ""
    yield ctx.finding(
        "/owner/email",
        f"the owner {email} is not a code owner of {path}: {where} names "
        f"{', '.join(rule.owners)}{note}",
        f"Add {email} (or their @handle, with a `github` column in the roster) to "
        f"{owners_file.file} line {rule.line}.",
    )

"""The owner is one person with a valid email, not a group alias.

A list address (``ml-team@``, ``fraud-owners@``, ``teams@``,
``team+fraud@``) spreads accountability until nobody holds it: at 2am a group
cannot decide.  The local part of the email, without its sub-address
(``+tag``), is matched against ``alias_patterns`` (regular expressions,
case-insensitive; the default catches group words such as team, group, list,
owners, ops, squad and crew, singular or plural, and whole local parts such as
``ml`` or ``support``); with ``allowed_domains`` set, the email must belong to
one of them.  MG132 applies the same patterns to who decides a rollback.

Options:
    alias_patterns: regular expressions that mark a group address
    allowed_domains: if not empty, the owner's email domain must be one of these

Fails:
    owner:
      email: payments-ml-team@example.com

Passes:
    owner:
      email: dana.okafor@example.com

Fix: Name one person as owner; keep the team in `owner.team`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._aliases import ALIAS_PATTERNS, alias_search, stopped_findings
from ._util import is_email
from .base import Option, RuleContext

ID = "MG111"
NAME = "owner-not-a-person"
SEVERITY = Severity.ERROR
OPTIONS = {
    "alias_patterns": Option(
        "list[str]",
        list(ALIAS_PATTERNS),
        "Regular expressions (case-insensitive) matched against the local part of the "
        "owner's email (without a +tag); a match marks a group alias.",
    ),
    "allowed_domains": Option(
        "list[str]", [], "If not empty, the owner's email domain must be one of these."
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    email = ctx.get("/owner/email")
    if not isinstance(email, str) or not email.strip():
        return  # missing: MG110; wrong type: MG010
    email = email.strip()
    if not is_email(email):
        yield ctx.finding(
            "/owner/email",
            f"owner email {email!r} is not a valid email address",
            "Write the owner's address as name@domain.",
        )
        return
    domain = email.lower().rsplit("@", 1)[1]
    found = alias_search(ctx.facts.repo, ctx.options["alias_patterns"], email)
    yield from stopped_findings(ctx, "/owner/email", found, "owner email", "email")
    if found.pattern is not None:
        yield ctx.finding(
            "/owner/email",
            f"owner email {email!r} looks like a group alias, not one accountable person",
            "Name one person as owner; keep the team in `owner.team` and the rotation "
            "in `on_call`.",
        )
    allowed = [d.lower().lstrip("@") for d in ctx.options["allowed_domains"]]
    if allowed and domain not in allowed:
        yield ctx.finding(
            "/owner/email",
            f"owner email domain {domain!r} is not one of the allowed domains "
            f"({', '.join(allowed)})",
            "Use the owner's work address.",
        )

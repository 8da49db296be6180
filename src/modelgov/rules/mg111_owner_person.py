"""The owner is one person with a valid email, not a group alias.

A list address (``ml-team@``, ``fraud-owners@``) spreads accountability until
nobody holds it: at 2am a group cannot decide.  The local part of the email is
matched against ``alias_patterns`` (regular expressions, case-insensitive);
with ``allowed_domains`` set, the email must belong to one of them.

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

import re
from collections.abc import Iterator

from .. import bounded
from ..findings import Finding, Severity
from ._util import is_email
from .base import Option, RuleContext

ID = "MG111"
NAME = "owner-not-a-person"
SEVERITY = Severity.ERROR
OPTIONS = {
    "alias_patterns": Option(
        "list[str]",
        [
            r"(^|[._-])(team|group|grp|all|list|dl|owners?|admins?|ops|squad|crew)([._-]|\d*$)",
            r"^(ml|ai|data|ds|mlops|support|help|info|noreply|no-reply)$",
        ],
        "Regular expressions (case-insensitive) matched against the local part of the "
        "owner's email; a match marks a group alias.",
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
    local, domain = email.lower().rsplit("@", 1)
    found = bounded.search(ctx.facts.repo, ctx.options["alias_patterns"], local, re.IGNORECASE)
    for pattern, stopped in found.stopped:  # a pattern from a config that backtracks
        yield ctx.finding(
            "/owner/email",
            f"alias pattern {pattern!r} {stopped.describe()} on this owner email; the email "
            "is not judged by it, here or in the rest of this run",
            "Simplify the pattern in `alias_patterns`: no nested repetition such as (a+)+.",
            severity=Severity.ERROR,
        )
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

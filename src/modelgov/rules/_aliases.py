"""Group aliases: the patterns that tell a mailing list from a person, shared by
MG111 (the owner) and MG132 (who decides a rollback or an override).

An address is matched on its local part without its sub-address: ``ml-team``
of ``ml-team@example.com``, ``team`` of ``team+fraud@example.com`` (a list
with a tag is still a list), ``dana`` of ``dana+ops@example.com`` (a person
with a tag is still a person).  A value that is not an address (``ml-team``)
is matched as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .. import bounded
from ..findings import Finding, Severity
from .base import RuleContext

#: The default ``alias_patterns`` of MG111 and MG132 (regular expressions,
#: case-insensitive, searched in the local part).  Words of a group in any
#: position, singular or plural (``fraud-team``, ``teams``, ``ml.squads``), and
#: local parts that are a department or a mailbox as a whole (``ml``, ``support``).
ALIAS_PATTERNS = [
    r"(^|[._-])(teams?|groups?|grps?|all|everyone|lists?|dls?|owners?|admins?|ops"
    r"|squads?|crews?)([._-]|\d*$)",
    r"^(ml|ai|data|ds|mlops|support|help|info|noreply|no-reply)$",
]


def local_part(value: str) -> str:
    """What the patterns are searched in: the local part without its ``+tag``, lower case."""
    local = value.strip().lower().rsplit("@", 1)[0]
    return local.split("+", 1)[0] or local


def alias_search(owner: object, patterns: Sequence[str], value: str) -> bounded.Search:
    """The first of ``patterns`` that marks ``value`` as a group alias (``Search.pattern``),
    each pattern run under the time bound of ``owner``'s run (the patterns may come from a
    repository's own config: see :mod:`modelgov.bounded`)."""
    return bounded.search(owner, patterns, local_part(value), re.IGNORECASE)


def stopped_findings(
    ctx: RuleContext, pointer: str, found: bounded.Search, what: str, short: str
) -> Iterator[Finding]:
    """One error per pattern that overran its time bound (the first time in the run):
    ``what`` names the value (``owner email``), ``short`` again (``email``)."""
    for pattern, stopped in found.stopped:
        yield ctx.finding(
            pointer,
            f"alias pattern {pattern!r} {stopped.describe()} on this {what}; the {short} "
            "is not judged by it, here or in the rest of this run",
            "Simplify the pattern in `alias_patterns`: no nested repetition such as (a+)+.",
            severity=Severity.ERROR,
        )

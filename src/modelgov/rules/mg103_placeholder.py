"""No value is still a placeholder: every TODO a template left is filled in.

A declaration copied from a template, or written by ``modelgov init``, is
full of stand-ins -- ``team: TODO-team``, ``rotation: TODO-primary-rotation``,
an approver ``TODO-product@example.com``, ``<your team>`` -- that look like
answers to every other rule.  A value that holds one of ``markers`` is not an
answer, and is a finding at its own pointer.  A marker made of letters,
digits, ``-`` and ``_`` matches as a whole word, as written (``TODO`` matches
``TODO-team`` and ``TODO@example.com``, not ``todos`` or ``MASTODON``; add
``tbd`` to catch lower case); the marker ``<...>`` matches any text in angle
brackets that starts with a letter (``<team>``, ``<owner email>``).  The
defaults include every marker ``modelgov init`` writes.  Every string value is
read, in lists too, except ``x-`` extension fields.  A value the schema
already rejects (``last_tested: TBD`` is not a date, ``provider: TODO`` not a
provider) is MG010's finding alone.

Options:
    markers: words (or ``<...>``) that mark a value as a placeholder

Fails:
    owner:
      name: Dana Okafor
      email: dana.okafor@example.com
      team: TODO-team

Passes:
    owner:
      name: Dana Okafor
      email: dana.okafor@example.com
      team: payments-ml

Fix: Replace the placeholder with the real value (or remove a field that does not apply).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..document import join_pointer
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG103"
NAME = "placeholder"
SEVERITY = Severity.ERROR
#: What ``modelgov init`` writes where a person must fill in a value (its
#: template uses nothing else, and the tests check that every one is caught).
INIT_MARKER = "TODO"
ANGLE = "<...>"
OPTIONS = {
    "markers": Option(
        "list[str]",
        [INIT_MARKER, "TBD", "FIXME", "CHANGEME", ANGLE],
        "Words that mark a placeholder, matched as whole words and case-sensitively; "
        "`<...>` stands for any `<text>` in angle brackets.",
        stricter="superset",
    ),
}
_ANGLE = r"<[A-Za-z][^<>\n]{0,80}>"


def marker_regex(markers: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for ``markers`` (``None`` when the list is empty)."""
    parts = []
    for marker in markers:
        text = str(marker).strip()
        if not text:
            continue
        if text == ANGLE:
            parts.append(_ANGLE)
        else:
            parts.append(rf"(?<![A-Za-z0-9]){re.escape(text)}(?![A-Za-z0-9])")
    return re.compile("|".join(parts)) if parts else None


def _strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """``(pointer, text)`` of every string value, depth first (``x-`` fields skipped)."""
    stack = [(pointer, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            stack.extend(
                (join_pointer(where, k), v)
                for k, v in reversed(node.items())
                if not (isinstance(k, str) and k.startswith("x-"))
            )
        elif isinstance(node, list):
            stack.extend((join_pointer(where, i), v) for i, v in reversed(list(enumerate(node))))


def check(ctx: RuleContext) -> Iterator[Finding]:
    rx = marker_regex(ctx.options["markers"])
    if rx is None:
        return
    rejected = {err.pointer for err in ctx.facts.schema_errors}
    for pointer, text in _strings(ctx.data, ""):
        if pointer in rejected or rx.search(text) is None:
            continue
        field = pointer.lstrip("/").replace("/", ".")
        text = " ".join(text.split())
        shown = text if len(text) <= 40 else text[:39] + "…"
        yield ctx.finding(
            pointer, f"`{field}` is still a placeholder ({shown!r}): a person must fill it in"
        )

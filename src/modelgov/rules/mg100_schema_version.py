"""The file says which format version it follows.

``schema_version`` lets modelgov read old files correctly when the format
grows.  The only version today is 1.

Fails:
    name: fraud-scorer

Passes:
    schema_version: 1
    name: fraud-scorer

Fix: Add `schema_version: 1` at the top of the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import MISSING
from ..findings import Finding, Severity
from .base import Option, RuleContext, is_missing

ID = "MG100"
NAME = "schema-version"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    if is_missing(value := ctx.get("/schema_version")):
        shown = "is missing" if value is MISSING else "is empty"
        yield ctx.finding("/schema_version", f"`schema_version` {shown}", at_key=True)

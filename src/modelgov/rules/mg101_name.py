"""The model has a name.

The name is how alerts, audits and dashboards refer to the model; without
it an audit row says nothing.

Fails:
    risk_tier: high

Passes:
    name: fraud-scorer
    risk_tier: high

Fix: Add `name:` with a short slug such as `fraud-scorer`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import MISSING
from ..findings import Finding, Severity
from .base import Option, RuleContext, is_missing

ID = "MG101"
NAME = "name-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    if is_missing(value := ctx.get("/name")):
        shown = "is missing" if value is MISSING else "is empty"
        yield ctx.finding("/name", f"`name` {shown}", at_key=True)

"""The model can be rolled back: procedure, strategy, time, decision owner, last drill.

A rollback plan that is not written down does not exist at 2am.  The
declaration names the procedure (MG160 checks it resolves), how the previous
version is put back, how long that takes, who may decide it without a
meeting, and when it was last rehearsed (MG201 judges how long ago).

Fails:
    rollback:
      strategy: registry-alias

Passes:
    rollback:
      procedure: docs/runbooks/fraud-scorer.md
      strategy: registry-alias
      max_minutes: 15
      decision_owner: on_call
      last_tested: 2026-10-12

Fix: Add a `rollback:` section with procedure, strategy, max_minutes, decision_owner and last_tested.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import missing_fields
from .base import Option, RuleContext

ID = "MG130"
NAME = "rollback-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from missing_fields(
        ctx,
        "rollback",
        ("procedure", "strategy", "max_minutes", "decision_owner", "last_tested"),
        what="there is no plan to restore the previous version",
        hints={
            "procedure": "Point to the rollback procedure (a repo path or URL).",
            "strategy": "Name the strategy: registry-alias, blue-green, canary, feature-flag "
            "or redeploy-previous.",
            "max_minutes": "State the minutes needed to restore the previous version.",
            "decision_owner": "Name who may roll back without a meeting (such as on_call).",
            "last_tested": "Run a rollback drill and record its date.",
        },
    )

"""The git history is deep enough to judge the declaration against it.

CI systems check out one commit by default (a shallow clone).  In a shallow
history the last change of a model.yaml, or the change of its owner, may lie
beyond the first commit git has, and "nothing changed" would be a silent,
wrong pass.  MG202 and MG204 judge what the history shows; this rule reports,
as a warning, what they could not see (or that the history could not be read
at all).  It only speaks when MG202 or MG204 ran and needed more history.

Fails:
    # checked out with actions/checkout defaults (fetch-depth: 1);
    # model.yaml was last changed before the one commit in the clone
    paths:
      - src/fraud/**

Passes:
    # checked out with fetch-depth: 0 (full history)
    paths:
      - src/fraud/**

Fix: Fetch the full history: `fetch-depth: 0` on actions/checkout (elsewhere `git fetch --unshallow`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..facts.history import HISTORY_GAPS
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG203"
NAME = "history-shallow"
SEVERITY = Severity.WARNING
USES = frozenset({"git"})
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
HINT = (
    "Fetch the full history: set `fetch-depth: 0` on actions/checkout (GitLab: "
    "GIT_DEPTH: 0; elsewhere `git fetch --unshallow`), then run modelgov again."
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    return iter(())


def check_after(ctx: RuleContext, findings: Sequence[Finding]) -> Iterator[Finding]:
    """Judged after every rule ran: what did MG202 and MG204 note they could not see?"""
    gaps: dict[str, Any] = ctx.model.extra.get(HISTORY_GAPS, {})
    if not gaps:
        return
    if "git" in gaps:
        yield ctx.finding(
            "",
            f"{gaps['git']}: code changes (MG202) and owner handoffs (MG204) were not judged",
            "Check the repository (`git fsck`); if it is a partial or broken clone, "
            "clone it again with full history.",
        )
        return
    parts = [f"{text} ({rule})" for rule, text in sorted(gaps.items())]
    yield ctx.finding(
        "",
        "the git history is too shallow to judge this declaration: " + "; ".join(parts),
        HINT,
    )

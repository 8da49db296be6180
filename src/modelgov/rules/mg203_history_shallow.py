"""The git history is deep enough to judge the declaration against it.

CI systems check out one commit by default (a shallow clone).  In a shallow
history the last change of a model.yaml, or the change of its owner, may lie
beyond the first commit git has, and "nothing changed" would be a silent,
wrong pass.  MG202 and MG204 judge what the history shows; this rule reports,
as a warning, what the history cannot show them: a model.yaml with `paths`
whose last change lies beyond the shallow boundary (unless its
`review.last_reviewed` is later than the boundary), or an owner whose history
does too.  A history that cannot be read at all is not a gap this rule
reports: MG202 and MG204 report what they could not judge, at their own
severity (an error by default), so an unreadable or timed-out history never
passes.

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

from collections.abc import Iterator

from ..facts.staleness import code_gap, owner_gap
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG203"
NAME = "history-shallow"
SEVERITY = Severity.WARNING
USES = frozenset({"history"})
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
HINT = (
    "Fetch the full history: set `fetch-depth: 0` on actions/checkout (GitLab: "
    "GIT_DEPTH: 0; elsewhere `git fetch --unshallow`), then run modelgov again."
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    gaps = [
        (rule, text)
        for rule, text in (("MG202", code_gap(ctx.facts)), ("MG204", owner_gap(ctx.facts)))
        if text
    ]
    if gaps:
        parts = [f"{text} ({rule})" for rule, text in gaps]
        yield ctx.finding(
            "",
            "the git history is too shallow to judge this declaration: " + "; ".join(parts),
            HINT,
        )

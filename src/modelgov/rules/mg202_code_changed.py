"""The declaration was updated after the model's code last changed.

A model.yaml describes the code under its ``paths``.  When that code keeps
changing and the declaration does not, the rollback procedure, monitors and
owner describe a model that no longer exists.  From the git history modelgov
finds the last commit that changed the model.yaml (following renames), and
the commits after it that changed a file under ``paths`` (globs relative to
the model.yaml's folder); commits merged from branches the declaration's last
update never saw count too.  The declaration is stale when the oldest such
commit is more than ``grace_days`` old.  A model.yaml that is staged or
modified in the work tree counts as changed now.  Without ``paths`` there is
nothing to compare; outside git, nothing is judged.  In a shallow clone what
the history shows is judged and MG203 says what it cannot show.  The history
walk stops as soon as no older commit can change the answer (in a linear
history: once past the model.yaml's last change), so a long history costs
little more than its recent part.

Options:
    grace_days: days code may change before the declaration must follow (per risk tier)
    max_commits: commits named in the message (newest first)
    max_files: files named per commit

Fails:
    # model.yaml last changed 2026-06-01; src/fraud/score.py changed on 2026-09-14
    paths:
      - src/fraud/**

Passes:
    # the commit that changed src/fraud/score.py also updated model.yaml
    paths:
      - src/fraud/**

Fix: Review the declaration against these changes (owner, rollback, monitors, paths) and commit the updated model.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.history import CodeChange
from ..facts.staleness import code_staleness
from ..findings import Finding, Severity
from ._util import days
from .base import Option, RuleContext

ID = "MG202"
NAME = "code-changed"
SEVERITY = Severity.ERROR
USES = frozenset({"history"})
OPTIONS = {
    "grace_days": Option(
        "days",
        {"low": 14, "medium": 14, "high": 14},
        "Days the code under `paths` may have changed before model.yaml must be updated.",
        per_tier=True,
        stricter="lower",
    ),
    "max_commits": Option("int", 5, "Commits named in the message, newest first."),
    "max_files": Option("int", 3, "Files named per commit."),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    stale = code_staleness(ctx.facts)
    if stale is None:
        return  # outside git, no `paths`, new, being updated right now, or nothing changed
    grace = int(ctx.options["grace_days"])
    if stale.age <= grace:
        return
    hist = ctx.facts.history
    assert hist is not None
    name = ctx.facts.file.rsplit("/", 1)[-1]
    if hist.last_touch is not None:
        last = f"{name} was last changed in {hist.last_touch.short} on {hist.last_touch.date}"
    else:
        edge = hist.boundary
        last = f"{name} was last changed before the shallow history starts" + (
            f" ({edge.short}, {edge.date})" if edge else ""
        )
    changes = stale.changes
    count = len(changes)
    shown = changes[: max(1, int(ctx.options["max_commits"]))]
    listed = "; ".join(_describe(c, int(ctx.options["max_files"])) for c in shown)
    if count > len(shown):
        listed += f"; and {count - len(shown)} more"
    yield ctx.finding(
        "/paths",
        f"the code under `paths` changed in {count} commit{'s' if count != 1 else ''} since "
        f"{last}; the oldest is {days(stale.age)} old, past the {grace}-day grace period: {listed}",
        "Review the declaration against these changes (owner, on-call, rollback, monitors, "
        "paths) and commit the updated model.yaml.",
        at_key=True,
    )


def _describe(change: CodeChange, max_files: int) -> str:
    files = list(change.files[: max(0, max_files)])
    more = len(change.files) - len(files) + change.more
    shown = ", ".join(files) + (f" +{more} more" if more else "")
    return f"{change.commit.describe()} ({shown})" if shown else change.commit.describe()

"""The declaration was updated after the model's code last changed.

A model.yaml describes the code under its ``paths``.  When that code keeps
changing and the declaration does not, the rollback procedure, monitors and
owner describe a model that no longer exists.  From the git history modelgov
finds the last commit that changed what the model.yaml declares (following
renames), and the commits that changed a file under ``paths`` (globs relative
to the model.yaml's folder) that this change did not see: later ones, and
those merged from branches it never saw.  The declaration is stale when the
oldest such commit is more than ``grace_days`` old.

Only two things count as the declaration catching up with a code change:

* a commit that changes what the model.yaml declares -- its parsed content.
  Comments, whitespace, quoting and key order are not content: appending
  ``# touched`` to the file and committing clears nothing, nor does
  renaming it within its folder (``model.yaml`` to ``model.yml``); moving it
  to another folder does count, since its ``paths`` are relative to it;
* ``review.last_reviewed`` on or after the day the code change was committed
  (a review dated after today counts for nothing; MG200 reports it).

The message says which it compared against: the last change of the
declaration (and any later cosmetic edits), and the last review.  A
model.yaml whose staged or work-tree version changes what it declares counts
as changed now; an uncommitted edit of comments or layout does not.  Without
``paths`` there is nothing to compare; outside git, nothing is judged.  In a
shallow clone what the history shows is judged and MG203 says what it cannot
show.  When the history cannot be read at all -- a broken repository, or a
walk that overran git's time limit (``MODELGOV_GIT_TIMEOUT``) -- the
declaration was not judged, and that is this rule's finding at its own
severity: a stale declaration never passes because its history was too long
to read.  The history walk stops as soon as no older commit can change the
answer (in a linear history: once past the model.yaml's last change), so a
long history costs little more than its recent part.

Options:
    grace_days: days code may change before the declaration must follow (per risk tier)
    max_commits: commits named in the message (newest first)
    max_files: files named per commit

Fails:
    # model.yaml last changed what it declares on 2026-06-01 (a later commit only
    # added a comment); src/fraud/score.py changed on 2026-09-14
    paths:
      - src/fraud/**
    review:
      last_reviewed: 2026-06-01

Passes:
    # src/fraud/score.py changed on 2026-09-14; the declaration was reviewed after it
    paths:
      - src/fraud/**
    review:
      last_reviewed: 2026-09-20

Fix: Review the declaration against these changes (owner, rollback, monitors, paths), record the review in `review.last_reviewed` and commit the updated model.yaml.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..facts.history import CodeChange, ModelHistory
from ..facts.staleness import Staleness, code_staleness, declared_paths
from ..findings import Finding, Severity
from ._util import as_date, days
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
    if ctx.facts.history_error and declared_paths(ctx.data):
        yield ctx.finding(
            "/paths",
            f"the code under `paths` was not compared with the declaration: the git history "
            f"could not be read ({ctx.facts.history_error}), so a stale declaration cannot be "
            "ruled out",
            "Check the repository (`git fsck`), or raise MODELGOV_GIT_TIMEOUT for a very long "
            "history; if it is a partial or broken clone, clone it again with full history.",
            at_key=True,
        )
        return
    stale = code_staleness(ctx.facts)
    if stale is None:
        return  # outside git, no `paths`, new, being updated right now, or nothing changed
    grace = int(ctx.options["grace_days"])
    if stale.age <= grace:
        return
    hist = ctx.facts.history
    assert hist is not None
    changes = stale.changes
    count = len(changes)
    shown = changes[: max(1, int(ctx.options["max_commits"]))]
    listed = "; ".join(_describe(c, int(ctx.options["max_files"])) for c in shown)
    if count > len(shown):
        listed += f"; and {count - len(shown)} more"
    yield ctx.finding(
        "/paths",
        f"the code under `paths` changed in {count} commit{'s' if count != 1 else ''} since "
        f"{_compared(ctx, hist, stale)}; the oldest is {days(stale.age)} old, past the "
        f"{grace}-day grace period: {listed}",
        "Review the declaration against these changes (owner, on-call, rollback, monitors, "
        "paths), record the review in `review.last_reviewed` and commit the updated model.yaml.",
        at_key=True,
    )


def _compared(ctx: RuleContext, hist: ModelHistory, stale: Staleness) -> str:
    """What the code changes were compared against: the declaration's last change (and the
    cosmetic edits after it), and its last review."""
    name = posixpath.basename(ctx.facts.file)
    last = hist.last_change
    if last is not None:
        text = f"{name} last changed what it declares, in {last.short} on {last.date}"
    else:
        edge = hist.boundary
        text = f"{name} last changed what it declares, before the shallow history starts" + (
            f" ({edge.short}, {edge.date})" if edge else ""
        )
    later = hist.cosmetic
    if len(later) == 1:
        text += f" (a later edit, {later[0].short} on {later[0].date}, {_SAME})"
    elif later:
        text += (
            f" ({len(later)} later edits, the newest {later[0].short} on {later[0].date}, {_SAME})"
        )
    if hist.touched_now:
        text += " (nor does its uncommitted edit)" if later else f" (its uncommitted edit {_SAME})"
    if stale.reviewed is not None:
        return text + f", and since its last review on {stale.reviewed} (`review.last_reviewed`)"
    claimed = as_date(ctx.get("/review/last_reviewed"))
    if claimed is not None:
        return (
            text + f", and `review.last_reviewed` ({claimed}) is after today, which reviews nothing"
        )
    return text + ", with no review recorded in `review.last_reviewed`"


#: what a cosmetic touch did not change (it changed comments, layout, key order or the name)
_SAME = "did not change what it declares"


def _describe(change: CodeChange, max_files: int) -> str:
    files = list(change.files[: max(0, max_files)])
    more = len(change.files) - len(files) + change.more
    shown = ", ".join(files) + (f" +{more} more" if more else "")
    return f"{change.commit.describe()} ({shown})" if shown else change.commit.describe()

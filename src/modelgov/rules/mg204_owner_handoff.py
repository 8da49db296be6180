"""A change of owner is recorded as a handoff.

When ownership changes hands silently, the new owner inherits alerts,
rollbacks and waivers they never heard about.  modelgov reads the owner
email of every committed version of the model.yaml (renames followed); when
it changed, ``owner.handoff`` must record the previous owner (``from``), the
date of the handoff and a handoff document that exists (a repo path relative
to the model.yaml's folder, or an http(s) URL).  An owner change that is
staged or in the work tree counts too.  The most recent change of owner is
the one judged: versions are read newest first and the history walk stops
once one names another owner (at most 200 versions are read).  When the
history cannot be read at all (a broken repository, or a walk that overran
git's time limit), an owner without a complete ``owner.handoff`` record was
not judged, and that is this rule's finding at its own severity: it fails
closed, never open.

Fails:
    # git history: owner.email was sam.lee@example.com until 2026-03-01
    owner:
      email: dana.okafor@example.com

Passes:
    owner:
      email: dana.okafor@example.com
      handoff:
        from: sam.lee@example.com
        date: 2026-03-01
        document: docs/handoff/fraud-scorer-2026-03.md

Fix: Record the handoff in `owner.handoff`: the previous owner's email (`from`), the `date` and the handoff `document`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.staleness import handoff_complete, previous_owner
from ..findings import Finding, Severity
from ..repoview import resolve_reference
from ._util import as_date, norm_email
from .base import Option, RuleContext, is_missing

ID = "MG204"
NAME = "owner-handoff"
SEVERITY = Severity.ERROR
USES = frozenset({"history"})
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    current = norm_email(ctx.get("/owner/email"))
    if not current:
        return  # MG110 reports a missing owner
    hist = ctx.facts.history
    handoff = ctx.get("/owner/handoff")
    if ctx.facts.history_error and not handoff_complete(handoff):
        yield ctx.finding(
            "/owner/email",
            "a change of owner was not checked: the git history could not be read "
            f"({ctx.facts.history_error}), so an unrecorded handoff cannot be ruled out",
            "Check the repository (`git fsck`), or raise MODELGOV_GIT_TIMEOUT for a very long "
            "history; if it is a partial or broken clone, clone it again with full history.",
        )
        return
    if hist is None:
        return
    previous, changed_in = previous_owner(hist, current)
    if previous is None:
        return  # no change of owner in the history (MG203 says when it is too shallow to tell)
    if changed_in is not None:
        when = f"in {changed_in.short} on {changed_in.date} by {changed_in.author}"
    else:
        when = "in this uncommitted version"
    what = f"git history shows the owner changed from {previous} to {current} {when}"
    if not isinstance(handoff, dict):
        yield ctx.finding(
            "/owner/email",
            f"{what}, but `owner.handoff` does not record the handoff",
            f"Add `owner.handoff` with `from: {previous}`, the `date` and the handoff `document`.",
        )
        return
    recorded = norm_email(handoff.get("from"))
    if recorded != previous:
        shown = f"records {handoff.get('from')!r}" if recorded else "is missing"
        yield ctx.finding(
            "/owner/handoff/from",
            f"{what}, but `owner.handoff.from` {shown}",
            f"Set `owner.handoff.from: {previous}`.",
            at_key=not recorded and "from" in handoff,
        )
    if as_date(handoff.get("date")) is None:
        yield ctx.finding(
            "/owner/handoff/date",
            f"{what}, but `owner.handoff.date` is "
            + ("missing" if is_missing(handoff.get("date")) else "not a date (YYYY-MM-DD)"),
            "Record the date of the handoff as YYYY-MM-DD.",
        )
    document = handoff.get("document")
    if not isinstance(document, str) or not document.strip():
        yield ctx.finding(
            "/owner/handoff/document",
            f"{what}, but `owner.handoff.document` is missing",
            "Write down what the new owner must know and link it in `owner.handoff.document`.",
        )
    else:
        ref = resolve_reference(ctx.facts.repo, ctx.facts.base, document)
        if not ref.ok:
            yield ctx.finding(
                "/owner/handoff/document",
                f"{what}, but the handoff document {document.strip()!r} "
                + ("is not a well-formed http(s) URL" if ref.kind == "url" else "does not exist"),
                "Commit the handoff document and point `owner.handoff.document` at it.",
            )

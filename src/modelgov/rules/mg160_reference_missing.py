"""Every runbook, procedure and document the file names exists.

A runbook link that 404s at 2am is worse than none.  Repo paths are relative
to the folder that holds the model.yaml (a ``#anchor`` suffix is allowed);
they must exist in the repository and stay inside it: no ``..`` that climbs
out, no absolute path, no symlink that leads out.  URLs must be well-formed
http(s) URLs (modelgov never fetches them).

Fails:
    on_call:
      runbook: docs/runbooks/missing.md
    rollback:
      procedure: ../../etc/passwd

Passes:
    on_call:
      runbook: docs/runbooks/fraud-scorer.md#rollback
    rollback:
      procedure: https://wiki.example.com/fraud-scorer/rollback

Fix: Point the reference at a file that exists in the repository, or at an http(s) URL.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ..repoview import resolve_reference
from .base import Option, RuleContext

ID = "MG160"
NAME = "reference-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}

#: The places in a model.yaml that name a document.
REFERENCES = (
    ("/on_call/runbook", "runbook"),
    ("/rollback/procedure", "rollback procedure"),
    ("/owner/handoff/document", "handoff document"),
)
URLS = (("/on_call/schedule", "on-call schedule"),)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for pointer, what in REFERENCES:
        value = ctx.get(pointer)
        if not isinstance(value, str) or not value.strip():
            continue
        ref = resolve_reference(ctx.facts.repo, ctx.facts.base, value)
        if not ref.ok:
            shown = f" ({ref.repo_path})" if ref.repo_path and ref.status == "missing" else ""
            yield ctx.finding(pointer, f"{what} {value.strip()!r}{shown} {ref.problem}")
    for pointer, what in URLS:
        value = ctx.get(pointer)
        if not isinstance(value, str) or not value.strip():
            continue
        ref = resolve_reference(ctx.facts.repo, ctx.facts.base, value)
        if ref.kind != "url" or not ref.ok:
            yield ctx.finding(
                pointer,
                f"{what} {value.strip()!r} is not a well-formed http(s) URL",
                "Use an https:// URL.",
            )

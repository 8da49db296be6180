"""Someone is on call: a rotation, its paging provider and a runbook.

The 2am question is "who gets paged, and what do they read first?".  The
rotation must be named in a paging system, and the runbook must exist
(MG160 checks that it resolves).  A runbook key left empty is reported even
where the policy does not require one.

Options:
    require_runbook: whether ``on_call.runbook`` is required (per risk tier)

Fails:
    on_call:
      rotation: payments-ml-primary

Passes:
    on_call:
      rotation: payments-ml-primary
      provider: pagerduty
      runbook: docs/runbooks/fraud-scorer.md

Fix: Add `on_call:` with `rotation`, `provider` and `runbook`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import missing_fields
from .base import Option, RuleContext

ID = "MG120"
NAME = "on-call-missing"
SEVERITY = Severity.ERROR
OPTIONS = {
    "require_runbook": Option(
        "bool",
        {"low": True, "medium": True, "high": True},
        "Require `on_call.runbook`.",
        per_tier=True,
        stricter="true",
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    fields = ["rotation", "provider"]
    if ctx.options["require_runbook"]:
        fields.append("runbook")
    yield from missing_fields(
        ctx,
        "on_call",
        fields,
        optional=("runbook",),
        what="nobody is paged when the model misbehaves",
        hints={
            "rotation": "Name the primary on-call rotation.",
            "provider": "Name the paging system: pagerduty, opsgenie, grafana-oncall, incident-io or manual.",
            "runbook": "Point to the incident runbook (a repo path or URL).",
        },
    )

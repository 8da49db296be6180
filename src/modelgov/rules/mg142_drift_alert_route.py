"""Drift alerts reach the people on call.

A monitor that alerts a dashboard nobody watches, or a Slack channel at 2am,
has not alerted anyone.  ``drift.alert_route`` must be the declared on-call
rotation or its escalation.

Fails:
    on_call:
      rotation: payments-ml-primary
    drift:
      alert_route: "#ml-alerts"

Passes:
    on_call:
      rotation: payments-ml-primary
    drift:
      alert_route: payments-ml-primary

Fix: Route drift alerts to `on_call.rotation` (or `on_call.escalation`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG142"
NAME = "drift-alert-route"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    route = ctx.get("/drift/alert_route")
    if not isinstance(route, str) or not route.strip():
        return  # MG140 reports it missing
    targets = [
        v.strip()
        for v in (ctx.get("/on_call/rotation"), ctx.get("/on_call/escalation"))
        if isinstance(v, str) and v.strip()
    ]
    if not targets:
        return  # MG120 reports the missing rotation
    if route.strip() not in targets:
        yield ctx.finding(
            "/drift/alert_route",
            f"drift alerts go to {route.strip()!r}, which is not the on-call rotation "
            f"({' or '.join(repr(t) for t in targets)}): nobody is paged",
            f"Set `drift.alert_route: {targets[0]}`.",
        )

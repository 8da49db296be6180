"""Drift is monitored: an alert route and at least one complete monitor.

Models decay silently.  Each monitor names the signal it watches, the metric,
the alert threshold and the window it is computed over; without all four it
cannot alert anyone.

Fails:
    drift:
      monitors:
        - signal: input_distribution

Passes:
    drift:
      alert_route: payments-ml-primary
      monitors:
        - signal: input_distribution
          metric: psi
          threshold: 0.2
          window: 1d

Fix: Add `drift.alert_route` and monitors with signal, metric, threshold and window.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..findings import Finding, Severity
from ._util import missing_fields
from .base import Option, RuleContext, is_missing

ID = "MG140"
NAME = "drift-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from missing_fields(
        ctx,
        "drift",
        ("alert_route", "monitors"),
        what="nothing watches the model for drift",
        hints={
            "alert_route": "Route drift alerts to the on-call rotation.",
            "monitors": "Add monitors for input_distribution and prediction_confidence.",
        },
    )
    monitors = ctx.get("/drift/monitors")
    if not isinstance(monitors, list):
        return
    for i, monitor in enumerate(monitors):
        if not isinstance(monitor, dict):
            continue
        base = join_pointer("/drift/monitors", i)
        label = monitor.get("name") if isinstance(monitor.get("name"), str) else f"#{i + 1}"
        for name in ("signal", "metric", "threshold", "window"):
            if is_missing(monitor.get(name)):
                yield ctx.finding(
                    join_pointer(base, name),
                    f"drift monitor {label} has no `{name}`: it cannot alert",
                    "Each monitor needs signal, metric, threshold and window.",
                    at_key=name in monitor,
                )

"""Drift monitors compute over a window short enough for the tier.

A monitor that averages a month of traffic notices a shift weeks after it
began.  Each monitor's ``window`` (such as ``12h``, ``1d``, ``2w``) must not
be longer than the tier's limit.

Options:
    max_days: the longest window, in days (per risk tier)

Fails:
    risk_tier: high
    drift:
      monitors:
        - {signal: input_distribution, metric: psi, threshold: 0.2, window: 30d}

Passes:
    risk_tier: high
    drift:
      monitors:
        - {signal: input_distribution, metric: psi, threshold: 0.2, window: 1d}

Fix: Compute the monitor over a shorter window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelgov.findings import Finding, Severity
from modelgov.rules.base import Option, RuleContext

ID = "ACME100"
NAME = "drift-window-too-long"
SEVERITY = Severity.ERROR
OPTIONS = {
    "max_days": Option(
        "int",
        {"low": 30, "medium": 14, "high": 7},
        "Longest drift window, in days.",
        per_tier=True,
    ),
}

_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def window_hours(text: str) -> int | None:
    """``12h``, ``1d``, ``2w`` -> hours; ``None`` when the text is no such window."""
    m = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text)
    return int(m.group(1)) * _UNIT_HOURS[m.group(2)] if m else None


def check(ctx: RuleContext) -> Iterator[Finding]:
    monitors = ctx.get("/drift/monitors")
    if not isinstance(monitors, list):
        return
    limit = int(ctx.options["max_days"])
    for i, monitor in enumerate(monitors):
        window = monitor.get("window") if isinstance(monitor, dict) else None
        hours = window_hours(window) if isinstance(window, str) else None
        if hours is not None and hours > limit * 24:
            yield ctx.finding(
                f"/drift/monitors/{i}/window",
                f"drift window {window} is longer than the {limit} days a "
                f"{ctx.tier or 'model of unknown'}-risk model allows",
            )

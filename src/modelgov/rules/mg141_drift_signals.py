"""Drift monitors watch inputs and confidence, not only accuracy.

Accuracy (``performance``) needs ground-truth labels, which arrive days or
weeks after the predictions: by the time an accuracy monitor fires, the
model has been wrong for weeks.  Input distribution and prediction
confidence move the day the world changes.  The policy says which signals
each tier must watch, and with how many monitors each.

Options:
    required_signals: signals that must each be watched (per risk tier)
    min_monitors_per_signal: monitors required for each required signal (per risk tier)

Fails:
    risk_tier: high
    drift:
      monitors:
        - signal: performance
          metric: auc
          threshold: 0.05
          window: 7d

Passes:
    risk_tier: high
    drift:
      monitors:
        - {signal: input_distribution, metric: psi, threshold: 0.2, window: 1d}
        - {signal: prediction_confidence, metric: mean_max_probability, threshold: 0.1, window: 1d}

Fix: Add monitors for the missing signals (input_distribution: PSI or KS on key features; prediction_confidence: mean max probability).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import listing, tier_model
from .base import Option, RuleContext

ID = "MG141"
NAME = "drift-signals"
SEVERITY = Severity.ERROR
OPTIONS = {
    "required_signals": Option(
        "list[str]",
        {
            "low": [],
            "medium": ["input_distribution", "prediction_confidence"],
            "high": ["input_distribution", "prediction_confidence"],
        },
        "Signals that must each be watched by a monitor.",
        per_tier=True,
        stricter="superset",
    ),
    "min_monitors_per_signal": Option(
        "int",
        {"low": 1, "medium": 1, "high": 1},
        "How many monitors each required signal needs.",
        per_tier=True,
        stricter="higher",
    ),
}

_WHY = {
    "input_distribution": "input drift shows the day the data changes, before any label arrives",
    "prediction_confidence": "falling confidence shows the model is unsure before outcomes are known",
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    monitors = ctx.get("/drift/monitors")
    if not isinstance(monitors, list) or not monitors:
        return  # MG140 reports a missing monitor list
    watched: dict[str, int] = {}
    for monitor in monitors:
        if isinstance(monitor, dict) and isinstance(monitor.get("signal"), str):
            watched[monitor["signal"]] = watched.get(monitor["signal"], 0) + 1
    need = int(ctx.options["min_monitors_per_signal"])
    required = list(ctx.options["required_signals"])
    missing = [s for s in required if watched.get(s, 0) < need]
    if not missing:
        return
    if watched and set(watched) <= {"performance"}:
        yield ctx.finding(
            "/drift/monitors",
            "drift monitors only watch `performance` (accuracy): accuracy needs labels that "
            "arrive days or weeks late, so drift is found after the damage is done; "
            f"{tier_model(ctx)} must also watch {listing(missing)}",
        )
        return
    for signal in missing:
        have = watched.get(signal, 0)
        count = f"{need} monitors" if need > 1 else "a monitor"
        why = _WHY.get(signal, "the policy requires it")
        yield ctx.finding(
            "/drift/monitors",
            f"no {signal} monitor" if have == 0 else f"{have} of {need} required {signal} monitors",
            f"Add {count} with `signal: {signal}` ({why}).",
        )

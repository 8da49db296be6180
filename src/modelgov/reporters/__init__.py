"""Reporters: pure functions from a :class:`~modelgov.report.Report` to text.

``REPORTERS`` maps a format name to its module's ``render(report, *, color)``.
Modules are imported only when their format is asked for, so the common case
(text) does not pay for XML or SARIF at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..report import Report

Render = Callable[..., str]

REPORTERS: dict[str, str] = {
    "text": "modelgov.reporters.text",
    "json": "modelgov.reporters.json_report",
    "sarif": "modelgov.reporters.sarif",
    "junit": "modelgov.reporters.junit",
    "github": "modelgov.reporters.github",
    "markdown": "modelgov.reporters.markdown",
}

FORMATS = tuple(REPORTERS)


def get(name: str) -> Render:
    module = importlib.import_module(REPORTERS[name])
    render: Render = module.render
    return render


def render(name: str, report: Report, *, color: bool = False) -> str:
    return get(name)(report, color=color)

"""Audit report formats: pure functions from an :class:`~..report.AuditReport` to text.

``RENDERERS`` maps a format name to its module; each module has
``render(report, *, color=False) -> str``.  Modules are imported only when
their format is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..report import AuditReport

RENDERERS: dict[str, str] = {
    "table": "modelgov.audit.render.table",
    "json": "modelgov.audit.render.json_",
    "csv": "modelgov.audit.render.csv_",
    "csv-findings": "modelgov.audit.render.csv_findings",
    "markdown": "modelgov.audit.render.markdown",
    "html": "modelgov.audit.render.html",
}
FORMATS = tuple(RENDERERS)


def render(name: str, report: AuditReport, *, color: bool = False) -> str:
    module: Any = importlib.import_module(RENDERERS[name])
    text: str = module.render(report, color=color)
    return text

"""Audit report formats: pure functions from an :class:`~..report.AuditReport` to text.

``RENDERERS`` maps a format name to the module that renders it; every module
satisfies :class:`Renderer` (mypy checks the literal table below).  Modules
are imported only when their format is asked for, and the command line's
format choices are derived from this table.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from ..report import AuditReport


class Renderer(Protocol):
    def render(self, report: AuditReport, /, *, color: bool = False) -> str: ...


RENDERERS: dict[str, str] = {
    "table": "modelgov.audit.render.table",
    "json": "modelgov.audit.render.json_",
    "csv": "modelgov.audit.render.csv_",
    "csv-findings": "modelgov.audit.render.csv_findings",
    "markdown": "modelgov.audit.render.markdown",
    "html": "modelgov.audit.render.html",
}
FORMATS = tuple(RENDERERS)

if TYPE_CHECKING:  # the registry, checked by mypy without importing it at run time
    from . import csv_, csv_findings, html, json_, markdown, table

    CHECKED: dict[str, Renderer] = {
        "table": table,
        "json": json_,
        "csv": csv_,
        "csv-findings": csv_findings,
        "markdown": markdown,
        "html": html,
    }


def get(name: str) -> Renderer:
    module: Renderer = importlib.import_module(RENDERERS[name])
    return module


def render(name: str, report: AuditReport, *, color: bool = False) -> str:
    return get(name).render(report, color=color)

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
    "markdown": "modelgov.audit.render.markdown",
    "html": "modelgov.audit.render.html",
}
FORMATS = tuple(RENDERERS)


def render(name: str, report: AuditReport, *, color: bool = False) -> str:
    module: Any = importlib.import_module(RENDERERS[name])
    text: str = module.render(report, color=color)
    return text


def _approved(value: Any) -> str:
    """The approved version: ``-`` when approvals were not judged, ``no`` when not approved."""
    if value is None:
        return "-"
    return str(value) if value else "no"


def columns(row: Any) -> dict[str, str]:
    """The per-model values every tabular format shows (strings; ``-`` when unknown)."""

    def days(value: Any) -> str:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else "-"

    status = str(row.get("status", ""))
    if status == "error":
        detail = str(row.get("reason", ""))
    elif status == "undeclared":
        shown = ", ".join(s.get("path", "") for s in row.get("signals", [])[:3])
        detail = f"{row.get('reason', '')}: {shown}" if shown else str(row.get("reason", ""))
    else:
        detail = " ".join(row.get("failing_rules") or [])
    return {
        "status": status,
        "repo": str(row.get("repo", "")),
        "path": str(row.get("path", "")),
        "name": str(row.get("name", "")),
        "owner": str(row.get("owner", "")),
        "team": str(row.get("team", "")),
        "tier": str(row.get("risk_tier") or "-"),
        "review": days(row.get("days_since_review")),
        "drill": days(row.get("days_since_drill")),
        "stale": days(row.get("stale_code_days")),
        "approved": _approved(row.get("approved_version")),
        "approvals": "; ".join(
            f"{a.get('role', '')} by {a.get('signer', '')} {a.get('date', '')}"
            + ("" if a.get("status") == "valid" else f" ({a.get('status', '')})")
            for a in row.get("approvals") or []
        ),
        "detail": detail,
    }

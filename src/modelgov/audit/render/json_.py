"""``--format json``: the complete report (the format shards are merged from)."""

from __future__ import annotations

from ..report import AuditReport


def render(report: AuditReport, *, color: bool = False) -> str:
    return report.to_json()

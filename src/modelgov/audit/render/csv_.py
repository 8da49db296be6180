"""``--format csv``: one row per model, safe to open in a spreadsheet.

Text from repositories is untrusted: a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be run as a formula by
Excel, LibreOffice or Google Sheets, so it gets a leading ``'`` (the
OWASP recommendation).  Numbers modelgov computed (day counts) stay numbers.
Control characters (terminal escapes) are written as ``\\uXXXX`` and line
breaks as ``\\n``, so printing the file cannot drive a terminal or start a
workflow command in a CI log either.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ...reporters._safe import inert
from ..report import AuditReport

HEADER = (
    "repo", "path", "name", "owner", "team", "risk_tier", "status", "failing_rules",
    "days_since_review", "days_since_drill", "stale_code_days", "approved_version", "approvals",
    "reason", "labels", "notes",
    "commit", "blob", "policy_digest", "modelgov_version", "today",
)  # fmt: skip
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str | int:
    """A spreadsheet-safe cell: integers stay, text that could start a formula gets a ``'``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    safe = inert(text)  # no terminal escapes, no line break that starts a CI log command
    return "'" + safe if text.startswith(_FORMULA) else safe


def render(report: AuditReport, *, color: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in report.models:
        ev = row.get("evidence") or {}
        reason = row.get("reason", "")
        if row.get("signals"):
            reason = f"{reason}: " + ", ".join(s.get("path", "") for s in row["signals"])
        values = [
            row.get("repo"), row.get("path"), row.get("name"), row.get("owner"),
            row.get("team"), row.get("risk_tier") or "", row.get("status"),
            " ".join(row.get("failing_rules") or []),
            row.get("days_since_review"), row.get("days_since_drill"),
            row.get("stale_code_days"), row.get("approved_version") or "",
            " ".join(
                f"{a.get('role')}:{a.get('signer')}:{a.get('date')}:{a.get('status')}"
                for a in row.get("approvals") or []
            ),
            reason, " ".join(row.get("labels") or []),
            " | ".join(row.get("notes") or []), ev.get("commit"), ev.get("blob"),
            ev.get("policy_digest"), ev.get("modelgov"), ev.get("today"),
        ]  # fmt: skip
        writer.writerow([neutralise(v) for v in values])
    return buf.getvalue()

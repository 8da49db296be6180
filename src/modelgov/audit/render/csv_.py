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
from ..columns import shown_in
from ..report import AuditReport

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str | int:
    """A spreadsheet-safe cell: integers stay, text that could start a formula gets a ``'``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    safe = inert(text)  # no terminal escapes, no line break that starts a CI log command
    return "'" + safe if text.startswith(_FORMULA) else safe


def render(report: AuditReport, *, color: bool = False) -> str:
    columns = shown_in("csv")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    for row in report.models:
        cells = []
        for c in columns:
            value = c.get(row)
            # numbers stay numbers; an unknown number is an empty cell, lists are joined
            cells.append(
                neutralise(
                    value if isinstance(value, int) else c.text(row) if value is not None else ""
                )
            )
        writer.writerow(cells)
    return buf.getvalue()

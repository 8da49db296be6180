"""``--format csv-findings``: one row per finding, safe to open in a spreadsheet.

The per-model CSV (``--format csv``) answers "which models fail"; this one
answers "what exactly is wrong, where": each finding of each model with its
rule (id and name), severity, whether a waiver silences it (and whose, until
when), the model.yaml it is in, its JSON pointer, line and column, the
message and the hint, and the commit and blob it was read from.  Cells are
made inert like the per-model CSV's (:func:`.csv_.neutralise`: no formula,
no terminal escape, no line break); line and column stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import NamedTuple

from ..report import AuditReport
from ..rows import Row, RowFinding
from .csv_ import neutralise


class FindingColumn(NamedTuple):
    key: str
    get: Callable[[AuditReport, Row, RowFinding], str | int]


def _rule_name(report: AuditReport, row: Row, f: RowFinding) -> str:
    info = report.rule(f.rule)
    return info.name if info is not None else ""


COLUMNS: tuple[FindingColumn, ...] = (
    FindingColumn("repo", lambda _, r, f: r.repo),
    # the model.yaml (`path` of the model CSV), or the approval record the finding is in
    FindingColumn("file", lambda _, r, f: f.file or r.path),
    FindingColumn("name", lambda _, r, f: r.name),
    FindingColumn("team", lambda _, r, f: r.team),
    FindingColumn("status", lambda _, r, f: r.status),
    FindingColumn("rule", lambda _, r, f: f.rule),
    FindingColumn("rule_name", _rule_name),
    FindingColumn("severity", lambda _, r, f: f.severity),
    FindingColumn(
        "fails", lambda _, r, f: "yes" if f.rule in r.failing_rules and f.active else "no"
    ),
    FindingColumn("waived_by", lambda _, r, f: f.waived.approved_by if f.waived else ""),
    FindingColumn("waived_until", lambda _, r, f: f.waived.expires if f.waived else ""),
    FindingColumn("pointer", lambda _, r, f: f.pointer),
    FindingColumn("line", lambda _, r, f: f.line),
    FindingColumn("col", lambda _, r, f: f.col),
    FindingColumn("message", lambda _, r, f: f.message),
    FindingColumn("hint", lambda _, r, f: f.hint),
    FindingColumn("commit", lambda _, r, f: r.evidence.commit),
    FindingColumn("blob", lambda _, r, f: r.evidence.blob),
)


def render(report: AuditReport, *, color: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.key for c in COLUMNS])
    for row in report.models:
        for finding in row.findings:
            writer.writerow([neutralise(c.get(report, row, finding)) for c in COLUMNS])
    return buf.getvalue()

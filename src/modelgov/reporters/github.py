"""``--format github``: GitHub Actions workflow commands that annotate the diff.

One line per finding::

    ::error file=models/churn/model.yaml,line=15,col=16,title=MG131::rollback takes ...

``error`` for errors, ``warning`` for warnings, ``notice`` for notes and for
waived findings.  Everything taken from a model.yaml is untrusted: values are
escaped exactly as the runner unescapes them (``%``, CR and LF in the message;
also ``:`` and ``,`` in properties), so a crafted name or message cannot end
the line and start a command of its own (``::add-mask::``, ``::stop-commands::``),
and terminal escapes are made inert first.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from ..results import RunResult
from ._safe import inert

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """The message part of a workflow command (the runner's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value of a workflow command (the runner's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, policy: str = "", path: str = "") -> str:
    command = COMMANDS[finding.severity] if finding.active else "notice"
    title = finding.rule if finding.active else f"{finding.rule} (waived)"
    props = {
        "file": inert(path or finding.file),
        "line": str(max(finding.line, 1)),
        "col": str(max(finding.col, 1)),
        "title": inert(title),
    }
    lines = [inert(finding.message)]
    if finding.waived is not None:
        w = finding.waived
        ticket = f", {w.ticket}" if w.ticket else ""
        lines.append(inert(f"waived until {w.expires} by {w.approved_by}{ticket}: {w.reason}"))
    if finding.hint:
        lines.append("hint: " + inert(finding.hint))
    where = f"{finding.severity.label} at {finding.pointer or '/'}"
    if finding.model:
        where += f" in model {finding.model}"
    if policy:
        where += f"; {policy}"
    lines.append(f"({inert(where)})")
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{command} {joined}::{escape_data(chr(10).join(lines))}"


def render(result: RunResult, *, color: bool = False) -> str:
    # The policy and its digest ride on every annotation: an audit of the log
    # says which policy judged it (a line of its own would be no annotation).
    out = []
    for lf in result.located():
        policy = f"policy {lf.target.policy.name} {lf.target.policy.digest[:19]}"
        out.append(annotation(lf.finding, policy, lf.path) + "\n")
    return "".join(out)

"""``--format github``: GitHub Actions workflow commands that annotate the diff.

One line per finding::

    ::error file=models/churn/model.yaml,line=15,col=16,title=MG131::rollback takes ...

``error`` for errors, ``warning`` for warnings, ``notice`` for notes and for
waived findings.  Everything taken from a model.yaml is untrusted: values are
escaped exactly as the runner unescapes them (``%``, CR and LF in the message;
also ``:`` and ``,`` in properties), so a crafted name or message cannot end
the line and start a command of its own (``::add-mask::``, ``::stop-commands::``),
and terminal escapes are made inert first.

GitHub shows at most 10 annotations of each kind per step (and 50 per job);
the others are in the log only.  When a run has more, a notice comes first
that says how many are not shown and where every finding is (the job log, the
step summary, code scanning through SARIF).
"""

from __future__ import annotations

from collections import Counter

from ..findings import Finding, Severity
from ..results import RunResult
from ._safe import inert

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
#: Annotations of one kind (error, warning, notice) GitHub shows per step; the rest
#: stay in the log only.
LIMIT = 10


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


def kinds(result: RunResult) -> Counter[str]:
    """How many annotations of each kind (error, warning, notice) the findings make."""
    return Counter(
        COMMANDS[lf.finding.severity] if lf.finding.active else "notice" for lf in result.located()
    )


def hidden(counts: Counter[str]) -> dict[str, int]:
    """How many annotations of each kind GitHub will not show: it shows :data:`LIMIT`
    per kind and step, and the notice that says so takes one of the notices' places."""
    over = {kind: n - LIMIT for kind, n in counts.items() if n > LIMIT}
    if over and counts["notice"] >= LIMIT:
        over["notice"] = counts["notice"] - (LIMIT - 1)
    return over


def limit_notice(over: dict[str, int], counts: Counter[str]) -> str:
    """The annotation that says how many others GitHub hides, and where to see them all."""
    parts = [f"{over[k]} of {counts[k]} {k}s" for k in ("error", "warning", "notice") if k in over]
    message = (
        f"GitHub shows at most {LIMIT} annotations of each kind per step: "
        f"{' and '.join(parts)} are not shown on the diff. Every finding is in this job's "
        "log, in its summary and, with the SARIF upload, in code scanning."
    )
    title = f"modelgov: {sum(over.values())} findings not annotated"
    return f"::notice title={escape_property(title)}::{escape_data(message)}"


def render(result: RunResult, *, color: bool = False) -> str:
    # The policy and its digest ride on every annotation: an audit of the log
    # says which policy judged it (a line of its own would be no annotation).
    out = []
    counts = kinds(result)
    over = hidden(counts)
    if over:  # first, so that it is among the notices GitHub shows
        out.append(limit_notice(over, counts) + "\n")
    for lf in result.located():
        policy = f"policy {lf.target.policy.name} {lf.target.policy.digest[:19]}"
        out.append(annotation(lf.finding, policy, lf.path) + "\n")
    return "".join(out)

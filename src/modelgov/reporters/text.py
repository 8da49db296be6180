"""``--format text``: one line per finding, the hint below it, a closing summary.

``path:line:col: severity RULE message``, like compilers and ruff, with the
path as the user can open it from the working directory, so editors and
terminals make the location clickable.  Colour only on a TTY.
"""

from __future__ import annotations

from ..findings import Finding, Severity
from ..results import RunResult
from ._safe import inert, line_start_path

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _line(path: str, f: Finding, color: bool) -> list[str]:
    where = _c(f"{line_start_path(path)}:{f.line}:{f.col}:", "1", color)
    sev = _c(f.severity.label, _COLORS[f.severity], color) if f.active else _c("waived", "2", color)
    lines = [f"{where} {sev} {_c(f.rule, '1', color)} {inert(f.message)}"]
    if f.waived is not None:
        w = f.waived
        ticket = f", {inert(w.ticket)}" if w.ticket else ""
        lines.append(
            f"    waived until {inert(w.expires)} by {inert(w.approved_by)}{ticket}: {inert(w.reason)}"
        )
    elif f.hint:
        lines.append(f"    {_c('hint:', '2', color)} {inert(f.hint)}")
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result: RunResult, *, color: bool = False) -> str:
    out: list[str] = []
    for lf in result.located():
        out.extend(_line(lf.path, lf.finding, color))
    for t, m in result.models():
        if m.approvals is not None:  # signed approvals, when a rule judged them
            label = f"{m.name} ({t.shown(m.file)})" if m.name else t.shown(m.file)
            out.append(f"approvals of {inert(label)}: {inert(m.approvals.describe())}")
    s = result.summary()
    models = _plural(s["models"], "model")
    policy = f"{inert(result.policy_label())}, today {result.today}"
    if out:
        out.append("")
    counts = [_plural(s["errors"], "error"), _plural(s["warnings"], "warning")]
    if s["notes"]:
        counts.append(_plural(s["notes"], "note"))
    waived = f", {s['waived']} waived" if s["waived"] else ""
    failing = result.failing()
    if not failing and not any(f.active for f in result.findings):
        out.append(f"{_c('All clear:', '32', color)} {models} checked{waived}; {policy}.")
    else:
        verdict = "failed" if failing else "passed"
        label = _c(verdict.capitalize() + ":", "31" if failing else "32", color)
        out.append(
            f"{label} {', '.join(counts)}{waived} in {models} (fail-on {result.fail_on}); {policy}."
        )
    return "\n".join(out) + "\n"

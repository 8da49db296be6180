"""``--format text``: one line per finding, the hint below it, then which models passed.

``path:line:col: severity RULE message``, like compilers and ruff, with the
path as the user can open it from the working directory, so editors and
terminals make the location clickable.  After the findings, one line per
model with its verdict (failing models first, at most :data:`MAX_MODELS`
lines), then the verdict of the run.  Colour only when asked (the command
line decides: a terminal, ``NO_COLOR``, ``FORCE_COLOR``, ``TERM=dumb``).

``quiet`` (``-q``) prints the findings only; ``statistics`` prints how many
findings each rule has instead of each finding.
"""

from __future__ import annotations

from collections import Counter

from ..findings import Finding, Severity
from ..results import ModelResult, RunResult, TargetResult
from ._safe import inert, line_start_path

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTE: "36"}
#: Models listed by name in the summary; the rest are counted (JSON lists every one).
MAX_MODELS = 20


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


def _counts(findings: list[Finding] | tuple[Finding, ...]) -> str:
    active = Counter(f.severity for f in findings if f.active)
    parts = [
        _plural(active[sev], sev.label)
        for sev in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
        if active[sev]
    ]
    waived = sum(1 for f in findings if not f.active)
    if waived:
        parts.append(f"{waived} waived")
    return ", ".join(parts)


def statistics_lines(result: RunResult) -> list[str]:
    """One line per rule with findings: count, id, severity, name; most findings first."""
    names = {r.id: r.name for r in result.rules}
    findings = result.findings
    active = Counter((f.rule, f.severity) for f in findings if f.active)
    waived = Counter(f.rule for f in findings if not f.active)
    rows = [(n, rule, sev.label, "") for (rule, sev), n in active.items()]
    rows += [(n, rule, "waived", "") for rule, n in waived.items()]
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    if not rows:
        return []
    width = max(len(str(r[0])) for r in rows)
    rule_width = max(len(r[1]) for r in rows)
    return [
        f"{n:>{width}}  {inert(rule):<{rule_width}}  {sev:<7}  {inert(names.get(rule, ''))}".rstrip()
        for n, rule, sev, _ in rows
    ]


def _models(result: RunResult, color: bool) -> list[str]:
    """Each model's verdict, failing first, then by the path shown."""
    rows: list[tuple[bool, str, ModelResult, TargetResult]] = []
    for target, model in result.models():
        rows.append((target.status(model) == "fail", target.shown(model.file), model, target))
    rows.sort(key=lambda r: (not r[0], r[1]))
    shown = rows[:MAX_MODELS]
    if not shown:
        return []
    width = max(len(line_start_path(r[1])) for r in shown)
    out = []
    for failed, path, model, _ in shown:
        word = _c("failed", "31", color) if failed else _c("passed", "32", color)
        name = inert(model.name) if model.name else ""
        counts = _counts(model.findings)
        detail = (
            f"{name} ({counts})" if name and counts else (name or (f"({counts})" if counts else ""))
        )
        out.append(f"{word}  {line_start_path(path):<{width}}  {detail}".rstrip())
    rest = rows[MAX_MODELS:]
    if rest:
        failing = sum(1 for r in rest if r[0])
        out.append(
            f"... and {_plural(len(rest), 'more model')} ({len(rest) - failing} passed, "
            f"{failing} failed; --format json lists every model)"
        )
    return out


def render(
    result: RunResult, *, color: bool = False, quiet: bool = False, statistics: bool = False
) -> str:
    out: list[str] = []
    if statistics:
        out.extend(statistics_lines(result))
    else:
        for lf in result.located():
            out.extend(_line(lf.path, lf.finding, color))
    if quiet:
        return "".join(line + "\n" for line in out)
    s = result.summary()
    models = _plural(s["models"], "model")
    policy = f"{inert(result.policy_label())}, today {result.today}"
    if out:
        out.append("")
    out.extend(_models(result, color))
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

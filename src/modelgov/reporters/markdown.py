"""``--format markdown``: a summary for ``$GITHUB_STEP_SUMMARY`` and PR comments.

A verdict line, a table of counts per model, then a table of findings
(location, rule, severity, message, hint, JSON pointer) and the policy and
date the run was judged under.  Text from model.yaml is untrusted: table
cells escape ``|``, backticks, HTML and Markdown markup, and control or bidi
characters are made visible, so a model.yaml cannot inject markup or hide
text in a comment.  The findings table is capped so the summary stays far
below GitHub's 1 MiB step-summary limit.
"""

from __future__ import annotations

import re

from ..findings import Finding
from ..results import Located, RunResult
from ._safe import inert

MAX_ROWS = 500

_MARKUP = re.compile(r"([\\`*_{}\[\]()#+!~|<>&@])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "&#96;", "|": "&#124;", "@": "&#64;"}


def cell(text: str) -> str:
    """Make untrusted text safe and literal inside a Markdown table cell."""

    def repl(m: re.Match[str]) -> str:
        ch = m.group(1)
        return _ENTITIES.get(ch, "\\" + ch)

    flat = inert(text.replace("\r\n", " ").replace("\n", " "))
    return _MARKUP.sub(repl, flat).strip() or " "


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verdict(report: RunResult) -> str:
    s = report.summary()
    counts = f"{_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')}"
    if s["notes"]:
        counts += f", {_plural(s['notes'], 'note')}"
    if s["waived"]:
        counts += f", {s['waived']} waived"
    models = _plural(s["models"], "model")
    if report.failing():
        return f"### :x: modelgov failed: {counts} in {models} (fail-on `{report.fail_on}`)"
    if any(f.active for f in report.findings):
        return f"### :warning: modelgov passed: {counts} in {models} (fail-on `{report.fail_on}`)"
    return f"### :white_check_mark: modelgov: all clear, {models} checked" + (
        f", {s['waived']} waived" if s["waived"] else ""
    )


def _count(findings: tuple[Finding, ...] | list[Finding], label: str) -> int:
    if label == "waived":
        return sum(1 for f in findings if not f.active)
    return sum(1 for f in findings if f.active and f.severity.label == label)


def _models_table(result: RunResult) -> list[str]:
    out = [
        "| model | file | risk tier | policy | status | errors | warnings | notes | waived |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for t in result.targets:
        policy = cell(t.policy.name)
        for m in t.models:
            counts = [_count(m.findings, k) for k in ("error", "warning", "note", "waived")]
            out.append(
                f"| {cell(m.name or '(unnamed)')} | {cell(t.shown(m.file))} | "
                f"{cell(m.tier or '-')} | {policy} | {t.status(m)} | "
                + " | ".join(str(c) for c in counts)
                + " |"
            )
        if t.findings:
            found = list(t.findings)
            counts = [_count(found, k) for k in ("error", "warning", "note", "waived")]
            failing = set(t.failing())
            out.append(
                f"| (no declaration) | {cell(t.shown(found[0].file))} | - | {policy} | "
                f"{'fail' if any(f in failing for f in found) else 'pass'} | "
                + " | ".join(str(c) for c in counts)
                + " |"
            )
    return out


def _approvals_table(result: RunResult) -> list[str]:
    """Signed approvals of the models a rule judged them for: who approved, when."""
    rows = []
    for _target, m in result.models():
        if m.approvals is None:
            continue
        a = m.approvals
        head = f"| {cell(m.name or '(unnamed)')} | {cell(a.version or '-')} | {'yes' if a.approved else 'no'} |"
        if not a.entries:
            rows.append(f"{head} - | - | - | no records |")
        for e in a.entries:
            rows.append(
                f"{head} {cell(e.role or '-')} | {cell(e.signer or '-')} | {cell(e.date or '-')} | "
                f"{cell(e.status + (': ' + e.reason if e.reason else ''))} |"
            )
    if not rows:
        return []
    return [
        "",
        "| model | version | approved | role | signer | date | record |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
    ]


def _finding_row(lf: Located) -> str:
    f = lf.finding
    where = cell(f"{lf.path}:{f.line}:{f.col}")
    severity = f.severity.label if f.active else f"{f.severity.label} (waived)"
    hint = f.hint
    if f.waived is not None:
        w = f.waived
        ticket = f", {w.ticket}" if w.ticket else ""
        hint = f"waived until {w.expires} by {w.approved_by}{ticket}: {w.reason}"
    return (
        f"| {where} | {cell(f.rule)} | {severity} | {cell(f.message)} | {cell(hint)} "
        f"| {cell(f.pointer or '/')} |"
    )


def render(result: RunResult, *, color: bool = False) -> str:
    out = [_verdict(result), ""]
    out += _models_table(result)
    out += _approvals_table(result)
    located = result.located()
    if located:
        out += [
            "",
            "| location | rule | severity | message | hint | pointer |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        out += [_finding_row(lf) for lf in located[:MAX_ROWS]]
        if len(located) > MAX_ROWS:
            out += [
                "",
                f"{len(located) - MAX_ROWS} more findings are in the JSON or SARIF report.",
            ]
    policies = ", ".join(f"{cell(p.name)} ({cell(p.digest)})" for p in result.policies)
    word = "Policy" if len(result.policies) == 1 else "Policies"
    out += [
        "",
        f"{word} {policies}, today {cell(result.today)}, modelgov {cell(result.version)}.",
    ]
    return "\n".join(out) + "\n"

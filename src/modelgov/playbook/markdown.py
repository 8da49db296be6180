"""The playbook as Markdown: a GitHub step summary or a wiki page."""

from __future__ import annotations

from ..reporters.markdown import cell
from .model import NOT_ENFORCED, Playbook, PlaybookRun, Step
from .text import summary


def _step(p: Playbook, s: Step) -> list[str]:
    mark = "" if s.answered else f" — {len(s.gaps)} gap{'' if len(s.gaps) == 1 else 's'}"
    out = [f"### {s.number}. {cell(s.title)}{mark}", ""]
    out += [f"- **{cell(f.label)}**: {cell(f.value)}" for f in s.facts]
    for g in s.gaps:
        off = "" if g.enforced else "; " + NOT_ENFORCED
        out.append(
            f"- :x: **gap**: {cell(g.message)} — **{g.rule}** "
            f"({cell(p.shown)}:{g.line}:{g.column}{off})"
            + (f"<br>fix: {cell(g.hint)}" if g.hint else "")
        )
    if out[-1]:
        out.append("")
    for t in s.tables:
        out += [
            f"**{cell(t.title)}**",
            "",
            "| " + " | ".join(cell(c) for c in t.columns) + " |",
            "|" + "---|" * len(t.columns),
        ]
        out += ["| " + " | ".join(cell(c or "-") for c in r) + " |" for r in t.rows]
        out.append("")
    return out


def playbook(p: Playbook) -> list[str]:
    verdict = "ready at 2am" if p.ready else f"**not ready at 2am**: {len(p.gaps)} gap(s)"
    who = f", owner {cell(p.owner)}" if p.owner else ""
    lines = [
        f"## {cell(p.name or p.shown)}",
        "",
        f"{cell(p.shown)} · {cell(p.tier or 'no valid')} tier{who} · {verdict}",
        "",
    ]
    for s in p.steps:
        lines += _step(p, s)
    return lines


def render(run: PlaybookRun) -> str:
    lines = ["# Playbook: the next four hours", "", cell(summary(run)), ""]
    for p in run.playbooks:
        lines += playbook(p)
    return "\n".join(lines).rstrip("\n") + "\n"

"""The playbook for a terminal: what an on-call engineer reads at 2am."""

from __future__ import annotations

from ..reporters._safe import inert
from .model import NOT_ENFORCED, Gap, Playbook, PlaybookRun, Step, Table

_INDENT = "    "


def _tier(p: Playbook) -> str:
    parts = [f"{p.tier} tier" if p.tier else "no valid tier"]
    if p.owner:
        parts.append(f"owner {p.owner}" + (f" ({p.team})" if p.team else ""))
    return ", ".join(parts)


def gap_line(p: Playbook, g: Gap) -> str:
    """``GAP nobody is paged if the primary does not answer — MG121 (file:9:3)``."""
    off = "" if g.enforced else "; " + NOT_ENFORCED
    return f"GAP {g.message} — {g.rule} ({p.shown}:{g.line}:{g.column}{off})"


def _table(t: Table) -> list[str]:
    rows = [tuple(inert(c) or "-" for c in r) for r in t.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(t.columns))]
    out = [f"{_INDENT}{t.title}:"]
    for r in rows:
        out.append(
            _INDENT + "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        )
    return out


def _step(p: Playbook, s: Step) -> list[str]:
    out = [f"{s.number}. {s.title}" + ("" if s.answered else f"  [{len(s.gaps)} gap(s)]")]
    width = max((len(f.label) for f in s.facts), default=0)
    out += [f"{_INDENT}{f.label.ljust(width)}  {inert(f.value)}" for f in s.facts]
    for t in s.tables:
        out += _table(t)
    out += [f"{_INDENT}{inert(gap_line(p, g))}" for g in s.gaps]
    return out


def playbook(p: Playbook) -> list[str]:
    head = f"{inert(p.name or p.shown)} — {inert(p.shown)} ({inert(_tier(p))})"
    lines = [head, "=" * min(len(head), 100)]
    for s in p.steps:
        lines += _step(p, s)
    verdict = "ready at 2am" if p.ready else f"NOT ready at 2am: {len(p.gaps)} gap(s)"
    lines.append(f"{inert(p.name or p.shown)}: {verdict}")
    return lines


def summary(run: PlaybookRun) -> str:
    n = len(run.playbooks)
    return (
        f"{n} model{'' if n == 1 else 's'}: {run.ready} ready at 2am, {run.gaps} "
        f"gap{'' if run.gaps == 1 else 's'}; today {run.today}."
    )


def render(run: PlaybookRun) -> str:
    blocks = ["\n".join(playbook(p)) for p in run.playbooks]
    return "\n\n".join([*blocks, summary(run)]) + "\n"

"""The playbook as one self-contained HTML page: no scripts, no external resources;
printed, each model starts on a page of its own (CSS page breaks)."""

from __future__ import annotations

import html

from ..reporters._safe import inert
from .model import NOT_ENFORCED, Playbook, PlaybookRun, Step
from .text import summary

CSS = """
:root { --gap: #b3261e; --ok: #1b6e3a; --ink: #1d1d1f; --muted: #5f6368; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 0 0 .2rem; }
h3 { font-size: 1rem; margin: .9rem 0 .3rem; }
.meta, .summary { color: var(--muted); margin: 0 0 .6rem; }
section.model { border-top: 2px solid var(--ink); padding-top: .8rem; margin-top: 1.2rem; }
.verdict { font-weight: 600; }
.verdict.ready { color: var(--ok); }
.verdict.gaps, .gap { color: var(--gap); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .9rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul.gaps { margin: .3rem 0 0; padding-left: 1.2rem; }
.hint { color: var(--muted); }
table { border-collapse: collapse; margin: .3rem 0; width: 100%; }
caption { text-align: left; color: var(--muted); }
th, td { border-bottom: 1px solid var(--line); padding: .15rem .5rem .15rem 0; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
code { font-size: .92em; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10px; line-height: 1.3; }
  h1 { font-size: 14px; } h2 { font-size: 13px; } h3 { font-size: 11px; margin: .5rem 0 .15rem; }
  .meta, .summary { margin-bottom: .3rem; }
  section.model { break-before: page; page-break-before: always; border-top: 0; margin: 0;
                  padding: 0; }
  section.model:first-of-type { break-before: auto; page-break-before: auto; }
  h3, tr, li { break-inside: avoid; page-break-inside: avoid; }
}
"""


def _e(text: str) -> str:
    return html.escape(inert(text), quote=True)


def _step(p: Playbook, s: Step) -> list[str]:
    mark = "" if s.answered else f' <span class="gap">({len(s.gaps)} gap(s))</span>'
    out = [f'<div class="step" data-step="{s.key}">', f"<h3>{s.number}. {_e(s.title)}{mark}</h3>"]
    if s.facts:
        out.append("<dl>")
        out += [f"<dt>{_e(f.label)}</dt><dd>{_e(f.value)}</dd>" for f in s.facts]
        out.append("</dl>")
    for t in s.tables:
        out.append(f"<table><caption>{_e(t.title)}</caption><thead><tr>")
        out += [f"<th>{_e(c)}</th>" for c in t.columns]
        out.append("</tr></thead><tbody>")
        for r in t.rows:
            out.append("<tr>" + "".join(f"<td>{_e(c or '-')}</td>" for c in r) + "</tr>")
        out.append("</tbody></table>")
    if s.gaps:
        out.append('<ul class="gaps">')
        for g in s.gaps:
            off = "" if g.enforced else "; " + NOT_ENFORCED
            out.append(
                f'<li class="gap">gap: {_e(g.message)} — <strong>{_e(g.rule)}</strong> '
                f"<code>{_e(p.shown)}:{g.line}:{g.column}</code>{_e(off)}"
                + (f'<br><span class="hint">fix: {_e(g.hint)}</span>' if g.hint else "")
                + "</li>"
            )
        out.append("</ul>")
    out.append("</div>")
    return out


def playbook(p: Playbook) -> list[str]:
    if p.ready:
        verdict = '<span class="verdict ready">ready at 2am</span>'
    else:
        verdict = f'<span class="verdict gaps">not ready at 2am: {len(p.gaps)} gap(s)</span>'
    who = f", owner {_e(p.owner)}" if p.owner else ""
    out = [
        f'<section class="model" data-ready="{"yes" if p.ready else "no"}">',
        f"<h2>{_e(p.name or p.shown)}</h2>",
        f'<p class="meta"><code>{_e(p.shown)}</code> · {_e(p.tier or "no valid")} tier{who}'
        f" · {verdict}</p>",
    ]
    for s in p.steps:
        out += _step(p, s)
    out.append("</section>")
    return out


def render(run: PlaybookRun) -> str:
    names = ", ".join(p.name or p.shown for p in run.playbooks)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Playbook: {_e(names)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>Playbook: the next four hours</h1>",
        f'<p class="summary">{_e(summary(run))}</p></header>',
    ]
    for p in run.playbooks:
        out += playbook(p)
    out += [f'<footer class="summary">modelgov {_e(run.version)}</footer>', "</body></html>"]
    return "\n".join(out) + "\n"

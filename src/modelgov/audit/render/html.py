"""``--format html``: one self-contained page an auditor can read on screen and hand on printed.

No external asset of any kind (a Content-Security-Policy forbids loading
one): inline CSS, inline JavaScript, SVG charts.  It works offline, from a
file or an artifact store.  The page holds

* the verdict and the counts by status, each with a text label and a symbol
  (colour is never the only carrier of meaning; the palette is Okabe-Ito's,
  safe for the common colour-vision deficiencies, and bars carry patterns);
* charts with value labels: status by team, most-failed rules (by name),
  staleness, and -- with ``--history`` -- pass rates over the recorded runs,
  overall, per team and per rule;
* the **framework view**: for each control of each framework, how many
  models have passing, failing or no evidence, the rules behind it (linked)
  and, on expanding, the failing models (a link filters the table to one);
* the models table, sortable and filterable (``#status=fail&team=search&
  sort=-days_since_review&q=text`` deep links); each row that has findings
  shows a button saying how many, expanding it to the findings (rule names
  linked to their entry in the rules section), signals, config notes and
  evidence; "Expand all" / "Collapse all";
* the rules: every rule of the org policy with its name, summary and a link
  to its documentation.

Printing (a print stylesheet) shows every row expanded with all its
findings, hides the controls that make no sense on paper, fits the table to
the page width (columns wrap between words, never inside one: long paths and
addresses may also break after ``/`` and ``@``) and keeps rows whole
across pages.

Safety: every value from a repository is untrusted.  Text written into the
HTML is escaped (``html.escape``); the data the script reads is embedded as
JSON inside ``<script type="application/json">`` with ``<``, ``>``, ``&``,
U+2028 and U+2029 written as ``\\uXXXX`` escapes, so no value can close the
script element or start markup; the script builds the page with
``textContent`` and DOM/SVG attributes only, never ``innerHTML``; a link is
only ever an in-page ``#`` link or a rule's ``https://`` documentation.

When the page has rendered, ``<body>`` gets ``data-render="done"``; any
script error is caught, shown in the page and counted in ``data-errors``
(the browser tests check both).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

from ...reporters._safe import inert
from ..columns import COLUMNS, shown_in
from ..report import STATUSES, AuditReport

#: The text label and symbol of each status (meaning without colour).
SYMBOLS = {"pass": "\u2713", "fail": "\u2717", "error": "!", "undeclared": "?"}


def embed_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _e(text: Any) -> str:
    """Escaped for HTML, with control and bidi characters written out (``inert``)."""
    return html.escape(inert(str(text)), quote=True)


def breakable(text: Any) -> str:
    """Escaped text that may wrap after ``/`` and ``@`` too (never inside a word)."""
    return "<wbr>".join(_e(part) for part in re.split(r"(?<=[/@])(?=\w)", str(text)))


def _safe_url(url: str) -> str:
    return url if url.startswith("https://") else ""


def _rule_link(report: AuditReport, rule_id: str) -> str:
    info = report.rule(rule_id)
    name = f" {_e(info.name)}" if info is not None else ""
    return f'<a class="rule" href="#rule-{_e(rule_id)}"><code>{_e(rule_id)}</code>{name}</a>'


def _data(report: AuditReport) -> dict[str, Any]:
    columns = shown_in("html", report.models)
    # collected columns the table has no room for (the printed A4 page) are shown in
    # each row's details instead: approvals, and whatever a new column collects
    more = [c for c in COLUMNS if c.collect is not None and "html" not in c.formats]
    rows = []
    for r in report.models:
        ev = r.evidence
        cells: list[Any] = []
        for c in columns:
            value = c.get(r)
            cells.append(
                list(value) if c.kind == "rules" and isinstance(value, tuple) else c.text(r)
            )
        rows.append(
            {
                "cells": cells,
                "status": r.status,
                "team": r.team,
                "labels": list(r.labels),
                "notes": list(r.notes),
                "signals": [f"{s.path} ({s.detail})" for s in r.signals],
                "more": [[c.header, c.text(r)] for c in more if c.get(r) is not None],
                "findings": [
                    [f.rule, f.severity, f.line, f.message, f.waived is not None, f.pointer]
                    for f in r.findings
                ],
                "commit": ev.commit,
                "blob": ev.blob,
                "digest": ev.policy_digest,
            }
        )
    return {
        "summary": report.summary(),
        "columns": [{"key": c.key, "header": c.header, "kind": c.kind} for c in columns],
        "rows": rows,
        "statuses": list(STATUSES),
        "symbols": SYMBOLS,
        "rules": {r.id: {"name": r.name, "summary": r.summary} for r in report.rules},
        "trend": dict(report.trend) if report.trend else None,
    }


def _frameworks(report: AuditReport, summary: dict[str, Any]) -> str:
    if not summary["frameworks"]:
        return ""
    out = [
        '<section id="frameworks" class="frameworks">',
        "<h2>Evidence by framework</h2>",
        '<p class="note">For each control: the models whose declarations give passing '
        "evidence towards it (a rule mapped to it judged them and none fails), failing "
        "evidence (one of its rules fails them) or none. Evidence <em>towards</em> a control, "
        "never compliance with it: see docs/frameworks.md for the sources and reasoning.</p>",
    ]
    for fw in summary["frameworks"]:
        out.append(f'<h3 id="fw-{_e(fw["id"])}">{_e(fw["title"])} <code>{_e(fw["id"])}</code></h3>')
        out.append(
            '<table class="controls"><thead><tr><th class="c-id">Control</th><th>Title</th>'
            '<th>Rules</th><th class="c-bar">Models: passing / failing / no evidence</th>'
            "</tr></thead><tbody>"
        )
        for i, c in enumerate(fw["controls"]):
            total = c["pass"] + c["fail"] + c["none"]
            rules = ", ".join(_rule_link(report, r) for r in c["rules"])
            bar = _evidence_bar(c["pass"], c["fail"], c["none"], total)
            ident = f"ctl-{_e(fw['id'])}-{i}"
            toggle = ""
            if c["failing_models"]:
                toggle = (
                    f'<button type="button" class="toggle" aria-expanded="false" '
                    f'aria-controls="{ident}" data-toggle="{ident}">'
                    f'<span class="arrow" aria-hidden="true">\u25b8</span> '
                    f"{c['fail']} failing model{'' if c['fail'] == 1 else 's'}</button>"
                )
            out.append(
                f'<tr class="control"><td class="c-id">{_e(c["id"])}</td>'
                f'<td>{_e(c["title"])}</td><td class="rules">{rules}</td>'
                f'<td class="c-bar">{bar}{toggle}</td></tr>'
            )
            if c["failing_models"]:
                items = []
                for m in c["failing_models"]:
                    q = quote(f"{m['repo']} {m['path']}", safe="")
                    failing = ", ".join(_rule_link(report, r) for r in m["rules"])
                    items.append(
                        f'<li><a href="#q={q}">{breakable(m["repo"])} {breakable(m["path"])}</a>'
                        f" fails {failing}</li>"
                    )
                more = c["fail"] - len(c["failing_models"])
                if more > 0:
                    items.append(f"<li>and {more} more (filter the models table by rule)</li>")
                out.append(
                    f'<tr class="more" id="{ident}"><td colspan="4"><ul>{"".join(items)}</ul></td></tr>'
                )
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _evidence_bar(good: int, bad: int, none: int, total: int) -> str:
    """A stacked bar of the three counts, each segment labelled in words and numbers."""
    parts = []
    for n, cls, word in (
        (good, "pass", "passing"),
        (bad, "fail", "failing"),
        (none, "none", "no evidence"),
    ):
        width = 100 * n / total if total else 0
        if n:
            parts.append(
                f'<span class="seg seg-{cls}" data-width="{width:.1f}" title="{n} {word}"></span>'
            )
    label = f"{good} passing \u00b7 {bad} failing \u00b7 {none} no evidence"
    return f'<span class="ebar" role="img" aria-label="{label}">{"".join(parts)}</span><span class="elabel">{label}</span>'


def _ready_chart(ready: dict[str, int]) -> str:
    """Inline SVG bars (drawn here, no script): models ready at 2am and not, and the
    operating-model gaps an auditor asks about; each bar carries its value and its words."""
    if not ready["models"]:
        return ""
    bars = (
        ("yes", "ready at 2am", ready["ready"]),
        ("no", "not ready at 2am", ready["models"] - ready["ready"]),
        ("no", "no override declared", ready["without_override"]),
        ("no", "incidents without post-mortem", ready["incidents_without_postmortem"]),
        ("no", "overdue action items", ready["overdue_action_items"]),
    )
    top, bar, left, width = 8, 18, 210, 620
    scale = max([1, *(n for _, _, n in bars)])
    out = [
        f'<svg viewBox="0 0 {width} {top + len(bars) * (bar + 8)}" role="img" '
        f'class="chart-svg" aria-label="Ready at 2am: {ready["ready"]} of {ready["models"]} '
        'models">'
    ]
    for i, (cls, label, n) in enumerate(bars):
        y = top + i * (bar + 8)
        w = (width - left - 60) * n / scale
        out.append(
            f'<text class="label" x="{left - 8}" y="{y + 13}" text-anchor="end">{label}</text>'
            f'<rect class="bar r-{cls}" x="{left}" y="{y}" width="{w:.1f}" height="{bar}" '
            f'data-value="{n}"></rect>'
            f'<text class="value" x="{left + w + 6:.1f}" y="{y + 13}">{n}</text>'
        )
    out.append("</svg>")
    return (
        '<figure id="ready"><figcaption>Ready at 2am (models whose every playbook step is '
        f"answered: {ready['ready']} of {ready['models']})</figcaption>"
        f'<div id="chart-ready" class="chart">{"".join(out)}</div></figure>'
    )


def _rules_section(report: AuditReport) -> str:
    if not report.rules:
        return ""
    items = []
    for r in report.rules:
        url = _safe_url(r.url)
        doc = f' <a class="doc" href="{_e(url)}">documentation</a>' if url else ""
        items.append(
            f'<dt id="rule-{_e(r.id)}"><code>{_e(r.id)}</code> {_e(r.name)} '
            f'<span class="sev">({_e(r.severity)})</span></dt><dd>{_e(r.summary)}{doc}</dd>'
        )
    return (
        '<section id="rules" class="rules-list"><h2>Rules</h2>'
        '<p class="note">Every rule of the org policy; <code>modelgov explain RULE</code> prints '
        f"its rationale, examples and fix.</p><dl>{''.join(items)}</dl></section>"
    )


def render(report: AuditReport, *, color: bool = False) -> str:
    s = report.summary()
    st = s["by_status"]
    cards = "".join(
        f'<div class="card s-{name}"><b>{st.get(name, 0)}</b>'
        f'<span><span class="sym" aria-hidden="true">{SYMBOLS[name]}</span> {name}</span></div>'
        for name in STATUSES
    )
    reg = s["registry"]
    if reg["compared"]:
        cards += (
            f'<div class="card s-{"fail" if reg["mismatched"] or reg["unreadable"] else "pass"}">'
            f"<b>{reg['mismatched']}</b><span>registry mismatches (of {reg['compared']} "
            f"compared{', ' + str(reg['unreadable']) + ' unreadable' if reg['unreadable'] else ''})"
            "</span></div>"
        )
    ready = s["ready_at_2am"]
    if ready["models"]:
        cards += (
            f'<div class="card s-{"pass" if ready["ready"] == ready["models"] else "fail"}">'
            f"<b>{ready['ready']}</b><span>ready at 2am (of {ready['models']})</span></div>"
        )
    when = f"today {report.today}" + (f", as of {report.as_of}" if report.as_of else "")
    meta = (
        f"{s['repos']['total']} repositories ({s['repos']['error']} could not be audited), "
        f"{s['models']} rows &middot; policy <code>{_e(report.policy.get('name', ''))}</code> "
        f"<code>{breakable(report.policy.get('digest', ''))}</code> &middot; {_e(when)} &middot; "
        f"fail-on {_e(report.fail_on)} &middot; modelgov {_e(report.version)}"
    )
    verdict = "failed" if report.exit_code else "passed"
    trend = (
        '<section id="trend" class="charts"><h2 class="wide">Compliance over time</h2>'
        "<figure><figcaption>Pass rate by team (share of rows passing, per recorded run)"
        '</figcaption><div id="chart-trend-team" class="chart"></div></figure>'
        "<figure><figcaption>Pass rate by rule (share of the models each rule judged that "
        "pass it; the rules lowest in the last run)</figcaption>"
        '<div id="chart-trend-rule" class="chart"></div></figure></section>'
        if report.trend and report.trend.get("runs")
        else ""
    )
    nav = ['<a href="#charts">Charts</a>']
    if trend:
        nav.append('<a href="#trend">Over time</a>')
    if s["frameworks"]:
        nav.append('<a href="#frameworks">Frameworks</a>')
    nav += ['<a href="#models">Models</a>']
    if report.rules:
        nav.append('<a href="#rules">Rules</a>')
    values = {
        "TITLE": _e(f"modelgov audit {report.today}"),
        "VERDICT": verdict,
        "SYMBOL": "\u2717" if report.exit_code else "\u2713",
        "META": meta,
        "CARDS": cards,
        "NAV": " &middot; ".join(nav),
        "TREND": trend,
        "FRAMEWORKS": _frameworks(report, s),
        "RULES": _rules_section(report),
        "READY": _ready_chart(ready),
        "DATA": embed_json(_data(report)),
        "STYLE": _STYLE,
        "SCRIPT": _SCRIPT,
    }
    # one pass over the template: a value is never scanned for placeholders again
    return re.sub(r"%%([A-Z]+)%%", lambda m: values[m.group(1)], _TEMPLATE)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>%%TITLE%%</title>
<style>%%STYLE%%</style>
</head>
<body data-render="pending" data-errors="0">
<header>
<h1>modelgov audit <span class="verdict v-%%VERDICT%%"><span aria-hidden="true">%%SYMBOL%%</span> %%VERDICT%%</span></h1>
<p class="meta">%%META%%</p>
<div class="cards">%%CARDS%%</div>
<nav class="toc">%%NAV%%</nav>
</header>
<noscript><p class="warn">The charts and the models table need JavaScript; the JSON and CSV reports hold the same data.</p></noscript>
<div id="js-errors" class="warn" hidden></div>
<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs id="patterns"></defs></svg>
<section id="charts" class="charts">
<figure><figcaption>Status by team (rows)</figcaption><div id="chart-team" class="chart"></div></figure>
<figure><figcaption>Most-failed rules (failing models)</figcaption><div id="chart-rules" class="chart"></div></figure>
<figure><figcaption>Staleness distribution (models per age bucket, days)</figcaption><div id="chart-stale" class="chart"></div></figure>
%%READY%%
</section>
%%TREND%%
%%FRAMEWORKS%%
<section id="models" class="models">
<h2>Models</h2>
<div class="filters">
<input id="q" type="search" placeholder="Filter: repo, path, name, owner, team, rule..." aria-label="Filter rows">
<select id="f-status" aria-label="Status"><option value="">all statuses</option></select>
<select id="f-team" aria-label="Team"><option value="">all teams</option></select>
<button type="button" id="expand-all" aria-pressed="false">Expand all</button>
<span id="shown" aria-live="polite"></span>
</div>
<div class="table-wrap"><table id="models-table"><thead><tr></tr></thead><tbody></tbody></table></div>
</section>
%%RULES%%
<script type="application/json" id="audit-data">%%DATA%%</script>
<script>%%SCRIPT%%</script>
</body>
</html>
"""

_STYLE = """
:root{--pass:#009E73;--fail:#D55E00;--error:#CC79A7;--undeclared:#E69F00;--none:#BBBBBB;
--review:#0072B2;--drill:#56B4E9;--code:#000000;--ink:#1d232a;--mute:#4a5560;--line:#d5dce3;--bg:#f7f9fb}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
td,th,li,dd,dt,p,figcaption,h1,h2,h3{overflow-wrap:normal;word-break:normal;hyphens:manual}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--mute);margin:0 0 14px}.note{color:var(--mute);max-width:70em}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef2f6;padding:1px 4px;border-radius:3px}
a{color:#0b5394}a.rule{text-decoration:none;white-space:nowrap}a.rule:hover{text-decoration:underline}
.verdict{font-size:13px;vertical-align:middle;padding:2px 8px;border-radius:10px;border:2px solid;background:#fff}
.v-failed{border-color:var(--fail);color:#8a3300}.v-passed{border-color:var(--pass);color:#00604a}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid;border-radius:6px;padding:8px 16px;min-width:120px}
.card b{display:block;font-size:24px}.card span{color:var(--mute)}
.s-pass{border-left-color:var(--pass)}.s-fail{border-left-color:var(--fail)}
.s-error{border-left-color:var(--error)}.s-undeclared{border-left-color:var(--undeclared)}
.toc{margin-top:12px}.defs{position:absolute}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;margin:20px 0}
.charts .wide{grid-column:1/-1;margin:0}
#chart-ready rect.r-yes{fill:var(--pass)}#chart-ready rect.r-no{fill:var(--fail)}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:6px}
.chart svg{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:var(--ink)}.chart text.value{font-weight:600}
.legend text{fill:var(--mute)}
.filters{display:flex;gap:8px;align-items:center;margin:8px 0;flex-wrap:wrap}
.filters input{flex:1;min-width:240px;padding:6px 8px;border:1px solid var(--line);border-radius:4px}
.filters select,.filters button{padding:5px 8px;border:1px solid var(--line);border-radius:4px;background:#fff}
#shown{color:var(--mute)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef2f6;white-space:nowrap}
#models-table th{cursor:pointer;user-select:none;position:sticky;top:0;white-space:normal;min-width:4.5em}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.repo,td.path{min-width:11em;max-width:22em}td.owner{min-width:11em;max-width:18em}
td.name,td.team{min-width:6em}td.detail{min-width:15em;max-width:30em}
tr.more td{background:#fafbfc;font-size:12px}
tr.more ul{margin:4px 0;padding-left:18px}
tr.more.collapsed{display:none}
button.toggle{border:1px solid var(--line);background:#fff;border-radius:4px;padding:1px 6px;margin-top:3px;font-size:12px;cursor:pointer;white-space:nowrap;display:inline-block}
.st{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;border:1px solid;background:#fff;white-space:nowrap}
.st-pass{border-color:var(--pass);color:#00604a}.st-fail{border-color:var(--fail);color:#8a3300}
.st-error{border-color:var(--error);color:#7a2c5e}.st-undeclared{border-color:var(--undeclared);color:#7a5200}
.sev{color:var(--mute)}
table.controls td.c-id{white-space:nowrap;font-weight:600}
table.controls td.c-bar{min-width:220px}
table.controls td.rules a.rule{white-space:normal}
.ebar{display:flex;height:12px;width:100%;max-width:260px;border:1px solid var(--line);background:#fff}
.seg{display:block;height:100%}
.seg-pass{background:var(--pass)}
.seg-fail{background:repeating-linear-gradient(45deg,var(--fail) 0 3px,#f3b48a 3px 5px)}
.seg-none{background:repeating-linear-gradient(90deg,#cfcfcf 0 2px,#fff 2px 4px)}
.elabel{display:block;font-size:12px;color:var(--mute)}
.rules-list dt{margin-top:6px;font-weight:600}.rules-list dd{margin:0 0 0 2em;color:var(--mute)}
.warn{background:#fff3e0;border:1px solid var(--undeclared);padding:8px 12px;border-radius:4px}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{background:#fff;padding:0;font-size:10pt}
  .filters,.toc,button.toggle,#js-errors,noscript{display:none!important}
  .charts{grid-template-columns:1fr 1fr}
  .table-wrap{overflow:visible}
  table{font-size:8pt}
  #models-table th{position:static}
  td.repo,td.path{min-width:7em}td.owner{min-width:8em}td.detail{min-width:12em}
  .chart text{font-size:10px}
  tr.more.collapsed:not([hidden]){display:table-row}
  tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  thead{display:table-header-group}
}
"""

_SCRIPT = r"""
(function () {
  'use strict';
  var errors = [];
  function showErrors() {
    var box = document.getElementById('js-errors');
    box.hidden = false;
    box.textContent = 'Script errors: ' + errors.join('; ');
    document.body.setAttribute('data-errors', String(errors.length));
  }
  window.addEventListener('error', function (ev) {
    errors.push(String(ev.message || ev.error || 'error'));
    showErrors();
  });

  var SVG = 'http://www.w3.org/2000/svg';
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies
  var COLORS = {pass: '#009E73', fail: '#D55E00', error: '#CC79A7', undeclared: '#E69F00',
                review: '#0072B2', drill: '#56B4E9', code: '#000000'};
  var LINE_COLORS = ['#000000', '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442'];
  var DASHES = ['', '6 3', '2 2', '8 3 2 3', '1 3', '10 4', '4 1', '3 6'];
  var MARKERS = ['circle', 'square', 'triangle', 'diamond', 'circle', 'square', 'triangle', 'diamond'];
  var data = JSON.parse(document.getElementById('audit-data').textContent);
  var summary = data.summary, rows = data.rows, statuses = data.statuses, RULES = data.rules || {};

  function el(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]); }
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(width, height, label) {
    return el('svg', {viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label, 'class': 'chart-svg'});
  }
  function cut(text, n) { text = String(text); return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
  function pct(x) { return x === null || x === undefined ? '-' : Math.round(x * 100) + '%'; }

  // patterns, so bars keep their meaning in grey print and without colour vision
  function patterns() {
    var defs = document.getElementById('patterns');
    function add(id, color, mark) {
      var p = el('pattern', {id: id, patternUnits: 'userSpaceOnUse', width: 6, height: 6});
      p.appendChild(el('rect', {width: 6, height: 6, fill: color}));
      if (mark === 'hatch') p.appendChild(el('path', {d: 'M0,6 L6,0', stroke: '#ffffff', 'stroke-width': 1.2}));
      if (mark === 'cross') { p.appendChild(el('path', {d: 'M0,0 L6,6 M0,6 L6,0', stroke: '#ffffff', 'stroke-width': 1})); }
      if (mark === 'dots') p.appendChild(el('circle', {cx: 3, cy: 3, r: 1.2, fill: '#ffffff'}));
      defs.appendChild(p);
    }
    add('p-pass', COLORS.pass, ''); add('p-fail', COLORS.fail, 'hatch');
    add('p-error', COLORS.error, 'cross'); add('p-undeclared', COLORS.undeclared, 'dots');
    add('p-review', COLORS.review, ''); add('p-drill', COLORS.drill, 'hatch'); add('p-code', COLORS.code, 'dots');
  }
  function fill(name) { return 'url' + '(#p-' + name + ')'; }
  function legend(root, names, x, y, labels) {
    var g = el('g', {'class': 'legend'});
    names.forEach(function (name, i) {
      g.appendChild(el('rect', {x: x + i * 105, y: y, width: 12, height: 12, fill: fill(name), stroke: '#555', 'stroke-width': 0.5}));
      g.appendChild(el('text', {x: x + i * 105 + 16, y: y + 10}, (labels && labels[name]) || name));
    });
    root.appendChild(g);
  }

  function teamChart() {
    var teams = Object.keys(summary.by_team).map(function (t) { return [t, summary.by_team[t]]; });
    teams.sort(function (a, b) {
      var pa = a[1].total - a[1].pass, pb = b[1].total - b[1].pass;
      return (pb - pa) || (b[1].total - a[1].total) || (a[0] < b[0] ? -1 : 1);
    });
    teams = teams.slice(0, 15);
    var bar = 18, top = 26, left = 150, width = 620, right = 190;
    var root = svg(width, top + Math.max(teams.length, 1) * (bar + 8) + 8, 'Status by team');
    var labels = {};
    statuses.forEach(function (s) { labels[s] = (data.symbols[s] || '') + ' ' + s; });
    legend(root, statuses, left, 4, labels);
    var max = Math.max.apply(null, teams.map(function (t) { return t[1].total; }).concat([1]));
    teams.forEach(function (t, i) {
      var y = top + i * (bar + 8), x = left, parts = [];
      root.appendChild(el('text', {x: left - 6, y: y + 13, 'text-anchor': 'end'}, cut(t[0], 24)));
      statuses.forEach(function (s) {
        var n = t[1][s] || 0;
        if (!n) return;
        parts.push(n + ' ' + s);
        var w = (width - left - right) * n / max;
        var r = el('rect', {x: x, y: y, width: Math.max(w, 1), height: bar, fill: fill(s), 'class': 'bar bar-' + s, 'data-value': n});
        r.appendChild(el('title', {}, t[0] + ': ' + n + ' ' + s));
        root.appendChild(r);
        if (w >= 16) root.appendChild(el('text', {x: x + w / 2, y: y + 13, 'text-anchor': 'middle', 'class': 'value inbar', fill: '#000', stroke: '#fff', 'stroke-width': 3, 'paint-order': 'stroke'}, String(n)));
        x += w;
      });
      root.appendChild(el('text', {x: x + 6, y: y + 13, 'class': 'value total'}, t[1].total + ' (' + parts.join(', ') + ')'));
    });
    if (!teams.length) root.appendChild(el('text', {x: left, y: top + 14}, 'no models'));
    document.getElementById('chart-team').appendChild(root);
  }

  function rulesChart() {
    var rules = Object.keys(summary.by_rule).map(function (r) { return [r, summary.by_rule[r].models]; })
      .filter(function (r) { return r[1] > 0; });
    rules.sort(function (a, b) { return (b[1] - a[1]) || (a[0] < b[0] ? -1 : 1); });
    rules = rules.slice(0, 15);
    var bar = 16, top = 8, left = 230, width = 620;
    var root = svg(width, top + Math.max(rules.length, 1) * (bar + 6) + 8, 'Most-failed rules');
    var max = Math.max.apply(null, rules.map(function (r) { return r[1]; }).concat([1]));
    rules.forEach(function (r, i) {
      var y = top + i * (bar + 6), w = (width - left - 50) * r[1] / max;
      var name = RULES[r[0]] ? r[0] + ' ' + RULES[r[0]].name : r[0];
      var a = el('a', {href: '#rule-' + r[0]});
      a.appendChild(el('text', {x: left - 6, y: y + 12, 'text-anchor': 'end'}, cut(name, 36)));
      root.appendChild(a);
      var rect = el('rect', {x: left, y: y, width: Math.max(w, 1), height: bar, fill: fill('fail'), 'class': 'bar bar-rule', 'data-value': r[1]});
      rect.appendChild(el('title', {}, name + ': ' + r[1] + ' failing models'));
      root.appendChild(rect);
      root.appendChild(el('text', {x: left + w + 4, y: y + 12, 'class': 'value'}, String(r[1])));
    });
    if (!rules.length) root.appendChild(el('text', {x: left, y: top + 12}, 'no failing rule'));
    document.getElementById('chart-rules').appendChild(root);
  }

  function staleChart() {
    var series = ['review', 'drill', 'code'];
    var order = ['0-30', '31-90', '91-180', '181-365', '>365', 'future', 'none', 'unknown'];
    var buckets = Object.keys(summary.staleness.review);
    buckets.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    var width = 620, height = 250, left = 34, bottom = 44, top = 30;
    var root = svg(width, height, 'Staleness distribution');
    legend(root, series, left, 4, {review: 'review', drill: 'rollback drill', code: 'code changed'});
    var max = 1;
    series.forEach(function (s) { buckets.forEach(function (b) { max = Math.max(max, summary.staleness[s][b]); }); });
    var slot = (width - left - 10) / buckets.length, bw = slot / (series.length + 1);
    root.appendChild(el('line', {x1: left, y1: height - bottom, x2: width - 6, y2: height - bottom, stroke: '#999'}));
    buckets.forEach(function (b, i) {
      var x0 = left + i * slot;
      series.forEach(function (s, j) {
        var n = summary.staleness[s][b], h = (height - bottom - top - 12) * n / max;
        var x = x0 + (j + 0.5) * bw;
        var rect = el('rect', {x: x, y: height - bottom - h, width: bw - 2, height: Math.max(h, 0), fill: fill(s), 'class': 'bar bar-stale', 'data-value': n});
        rect.appendChild(el('title', {}, s + ' ' + b + ' days: ' + n));
        root.appendChild(rect);
        if (n) root.appendChild(el('text', {x: x + (bw - 2) / 2, y: height - bottom - h - 3, 'text-anchor': 'middle', 'class': 'value'}, String(n)));
      });
      root.appendChild(el('text', {x: x0 + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle'}, b));
    });
    root.appendChild(el('text', {x: left, y: height - 8}, 'review, drill: days since; code: age of the oldest change the declaration missed'));
    document.getElementById('chart-stale').appendChild(root);
  }

  function marker(root, kind, x, y, color) {
    if (kind === 'square') return root.appendChild(el('rect', {x: x - 3.5, y: y - 3.5, width: 7, height: 7, fill: color}));
    if (kind === 'triangle') return root.appendChild(el('path', {d: 'M' + x + ',' + (y - 4.5) + ' l4.5,8 h-9 z', fill: color}));
    if (kind === 'diamond') return root.appendChild(el('path', {d: 'M' + x + ',' + (y - 5) + ' l5,5 l-5,5 l-5,-5 z', fill: color}));
    return root.appendChild(el('circle', {cx: x, cy: y, r: 3.5, fill: color}));
  }

  // lines of rates (0..1) over the runs, each with its own colour, dash and marker, a value
  // label at every point of the first line and at the last point of every line, and its
  // name at its end (no legend to match by colour)
  function lineChart(id, title, series, runs) {
    var width = 640, height = 60 + 26 * Math.max(series.length, 4), left = 40, right = 190, top = 16, bottom = 36;
    var root = svg(width, height, title);
    var plotW = width - left - right, plotH = height - top - bottom;
    function X(i) { return left + (runs.length > 1 ? plotW * i / (runs.length - 1) : plotW / 2); }
    function Y(v) { return top + plotH * (1 - v); }
    [0, 0.5, 1].forEach(function (v) {
      root.appendChild(el('line', {x1: left, y1: Y(v), x2: left + plotW, y2: Y(v), stroke: '#ddd'}));
      root.appendChild(el('text', {x: left - 4, y: Y(v) + 4, 'text-anchor': 'end'}, pct(v)));
    });
    var step = Math.max(1, Math.ceil(runs.length / 8));
    runs.forEach(function (r, i) {
      if (i % step === 0 || i === runs.length - 1) root.appendChild(el('text', {x: X(i), y: height - bottom + 16, 'text-anchor': 'middle'}, r.today));
    });
    var ends = [];
    series.forEach(function (s, k) {
      var color = LINE_COLORS[k % LINE_COLORS.length], d = '', last = null;
      s.values.forEach(function (v, i) {
        if (v === null || v === undefined) return;
        d += (d ? ' L' : 'M') + X(i) + ',' + Y(v);
        last = [i, v];
      });
      if (!d) return;
      var g = el('g', {'class': 'series', 'data-name': s.name});
      g.appendChild(el('path', {d: d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': DASHES[k % DASHES.length]}));
      s.values.forEach(function (v, i) {
        if (v === null || v === undefined) return;
        var m = marker(g, MARKERS[k % MARKERS.length], X(i), Y(v), color);
        m.appendChild(el('title', {}, s.name + ' ' + runs[i].today + ': ' + pct(v)));
        if (k === 0 && i !== last[0]) g.appendChild(el('text', {x: X(i), y: Y(v) - 7, 'text-anchor': 'middle', 'class': 'value'}, pct(v)));
      });
      root.appendChild(g);
      ends.push({y: Y(last[1]), label: pct(last[1]) + '  ' + cut(s.name, 24), x: X(last[0]), color: color, k: k});
    });
    ends.sort(function (a, b) { return a.y - b.y; });
    var prev = -1e9;
    ends.forEach(function (e) {
      var y = Math.max(e.y, prev + 13);
      prev = y;
      root.appendChild(el('text', {x: left + plotW + 8, y: y + 4, 'class': 'value end-label', fill: '#000'}, e.label));
      root.appendChild(el('line', {x1: e.x + 4, y1: e.y, x2: left + plotW + 6, y2: y, stroke: e.color, 'stroke-width': 0.6}));
    });
    if (!ends.length) root.appendChild(el('text', {x: left, y: top + 14}, 'no data'));
    document.getElementById(id).appendChild(root);
  }

  function trendCharts() {
    var trend = data.trend;
    if (!trend || !trend.runs || !trend.runs.length || !document.getElementById('chart-trend-team')) return;
    var runs = trend.runs;
    var teams = Object.keys(trend.teams).map(function (t) { return {name: t, values: trend.teams[t]}; });
    var size = {};
    rows.forEach(function (r) { size[r.team || '(no team)'] = (size[r.team || '(no team)'] || 0) + 1; });
    teams.sort(function (a, b) { return ((size[b.name] || 0) - (size[a.name] || 0)) || (a.name < b.name ? -1 : 1); });
    var all = {name: 'all teams', values: runs.map(function (r) { return r.pass_rate; })};
    lineChart('chart-trend-team', 'Pass rate by team', [all].concat(teams.slice(0, 7)), runs);
    var rules = Object.keys(trend.rules).map(function (r) {
      return {name: r + ' ' + trend.rules[r].name, values: trend.rules[r].rates};
    });
    function lastValue(s) { for (var i = s.values.length - 1; i >= 0; i--) { if (s.values[i] !== null) return s.values[i]; } return 2; }
    rules.sort(function (a, b) { return (lastValue(a) - lastValue(b)) || (a.name < b.name ? -1 : 1); });
    lineChart('chart-trend-rule', 'Pass rate by rule', rules.slice(0, 8), runs);
  }

  var COLUMNS = data.columns.map(function (c, i) { return [c.key, c.header, c.kind, i]; });
  var NUMERIC = {};
  COLUMNS.forEach(function (c) { if (c[2] === 'days') NUMERIC[c[0]] = 1; });
  rows.forEach(function (row) {
    COLUMNS.forEach(function (c) { row[c[0]] = row.cells[c[3]]; });
  });
  var sortKey = null, sortDir = 1, trs = [];

  // text that may wrap after / and @ (paths, addresses) and between words, never inside a word
  function breakable(node, text) {
    String(text).split(/(?<=[\/@])(?=\w)/).forEach(function (part, i) {
      if (i) node.appendChild(document.createElement('wbr'));
      node.appendChild(document.createTextNode(part));
    });
    return node;
  }
  function ruleLink(id) {
    var a = document.createElement('a');
    a.className = 'rule';
    a.href = '#rule-' + id;
    var code = document.createElement('code');
    code.textContent = id;
    a.appendChild(code);
    if (RULES[id]) a.appendChild(document.createTextNode(' ' + RULES[id].name));
    return a;
  }
  function cellText(value) { return Array.isArray(value) ? value.join(' ') : String(value); }

  function toggleButton(target, label) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'toggle';
    b.setAttribute('aria-expanded', 'false');
    if (target.id) b.setAttribute('aria-controls', target.id);
    var arrow = document.createElement('span');
    arrow.className = 'arrow';
    arrow.setAttribute('aria-hidden', 'true');
    arrow.textContent = '\u25B8';
    b.appendChild(arrow);
    b.appendChild(document.createTextNode(' ' + label));
    b.addEventListener('click', function (ev) { ev.stopPropagation(); setOpen(b, target, b.getAttribute('aria-expanded') !== 'true'); });
    return b;
  }
  function setOpen(button, target, open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    var arrow = button.querySelector('.arrow');
    if (arrow) arrow.textContent = open ? '\u25BE' : '\u25B8';
    if (open) target.classList.remove('collapsed'); else target.classList.add('collapsed');
  }

  function detailRow(row, index) {
    var tr = document.createElement('tr');
    tr.className = 'more collapsed';
    tr.id = 'more-' + index;
    var td = document.createElement('td');
    td.colSpan = COLUMNS.length;
    var ul = document.createElement('ul');
    function item() { var li = document.createElement('li'); ul.appendChild(li); return li; }
    row.findings.forEach(function (f) {
      var li = item();
      li.className = 'finding';
      li.appendChild(ruleLink(f[0]));
      li.appendChild(document.createTextNode(' ' + (f[4] ? 'waived ' + f[1] : f[1]) + ' (line ' + f[2] + ', '));
      var ptr = document.createElement('code');
      breakable(ptr, f[5] || '/');
      li.appendChild(ptr);
      li.appendChild(document.createTextNode('): ' + f[3]));
    });
    row.signals.forEach(function (s) { breakable(item(), 'signal: ' + s); });
    row.more.forEach(function (m) { breakable(item(), m[0].toLowerCase() + ': ' + m[1]); });
    row.notes.forEach(function (n) { item().textContent = 'config: ' + n; });
    if (row.labels.length) item().textContent = 'labels: ' + row.labels.join(', ');
    breakable(item(), 'evidence: commit ' + (row.commit || '-') + ', blob ' + (row.blob || '-') + ', policy ' + row.digest);
    td.appendChild(ul);
    tr.appendChild(td);
    return tr;
  }

  function buildTable() {
    var head = document.querySelector('#models-table thead tr');
    COLUMNS.forEach(function (c) {
      var th = document.createElement('th');
      th.textContent = c[1];
      th.setAttribute('data-key', c[0]);
      th.setAttribute('scope', 'col');
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(c[0]); });
      th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') sortBy(c[0]); });
      head.appendChild(th);
    });
    var body = document.querySelector('#models-table tbody');
    rows.forEach(function (row, index) {
      var tr = document.createElement('tr');
      tr.className = 'row';
      var more = detailRow(row, index);
      COLUMNS.forEach(function (c) {
        var td = document.createElement('td');
        var value = row[c[0]];
        if (c[2] === 'status') {
          var span = document.createElement('span');
          span.className = 'st st-' + row.status;
          span.textContent = (data.symbols[row.status] || '') + ' ' + row.status;
          td.appendChild(span);
          var n = row.findings.length;
          var label = n ? n + ' finding' + (n === 1 ? '' : 's') : 'details';
          td.appendChild(document.createElement('br'));
          var b = toggleButton(more, label);
          td.appendChild(b);
          tr._toggle = b;
        } else if (c[2] === 'rules' && Array.isArray(value)) {
          td.className = 'detail';
          value.forEach(function (id, i) { if (i) td.appendChild(document.createTextNode(' ')); td.appendChild(ruleLink(id)); });
        } else {
          td.className = NUMERIC[c[0]] ? 'num' : c[2] === 'rules' ? 'detail' : c[0];
          breakable(td, value);
        }
        tr.appendChild(td);
      });
      tr._row = row; tr._more = more;
      tr._text = COLUMNS.map(function (c) { return cellText(row[c[0]]); }).concat(row.labels)
        .concat(row.findings.map(function (f) { return f[0] + ' ' + ((RULES[f[0]] || {}).name || ''); })).join(' ').toLowerCase();
      body.appendChild(tr);
      body.appendChild(more);
      trs.push(tr);
    });
    var fs = document.getElementById('f-status');
    statuses.forEach(function (s) { var o = document.createElement('option'); o.value = s; o.textContent = s; fs.appendChild(o); });
    var ft = document.getElementById('f-team');
    var teams = {};
    rows.forEach(function (r) { teams[r.team] = 1; });
    Object.keys(teams).sort().forEach(function (t) { var o = document.createElement('option'); o.value = t; o.textContent = t || '(no team)'; o.setAttribute('data-team', t); ft.appendChild(o); });
    ft.options[0].value = '\u0000all';
    ['input', 'change'].forEach(function (ev) {
      document.getElementById('q').addEventListener(ev, applyFilter);
      fs.addEventListener(ev, applyFilter);
      ft.addEventListener(ev, applyFilter);
    });
    var all = document.getElementById('expand-all');
    all.addEventListener('click', function () {
      var open = all.getAttribute('aria-pressed') !== 'true';
      trs.forEach(function (tr) { if (!tr.hidden) setOpen(tr._toggle, tr._more, open); });
      all.setAttribute('aria-pressed', open ? 'true' : 'false');
      all.textContent = open ? 'Collapse all' : 'Expand all';
    });
    applyFilter();
  }

  function wireStaticToggles() {
    document.querySelectorAll('button[data-toggle]').forEach(function (b) {
      var target = document.getElementById(b.getAttribute('data-toggle'));
      if (!target) return;
      target.classList.add('collapsed');
      b.addEventListener('click', function () { setOpen(b, target, b.getAttribute('aria-expanded') !== 'true'); });
    });
    document.querySelectorAll('.seg[data-width]').forEach(function (s) { s.style.width = s.getAttribute('data-width') + '%'; });
  }

  function applyFilter() {
    var q = document.getElementById('q').value.trim().toLowerCase();
    var st = document.getElementById('f-status').value;
    var team = document.getElementById('f-team').value;
    var shown = 0;
    trs.forEach(function (tr) {
      var ok = (!q || tr._text.indexOf(q) >= 0) && (!st || tr._row.status === st) &&
        (team === '\u0000all' || tr._row.team === team);
      tr.hidden = !ok;
      if (!ok) setOpen(tr._toggle, tr._more, false);
      tr._more.hidden = !ok;
      if (ok) shown += 1;
    });
    document.getElementById('shown').textContent = shown + ' of ' + trs.length + ' rows';
    document.body.setAttribute('data-shown', String(shown));
  }

  // deep links: #q=text&status=fail&team=search&sort=-days_since_review (a leading '-'
  // sorts descending; review, drill, stale and tier are accepted as short names)
  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i > 0) {
        try { params[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1)); }
        catch (e) { /* a malformed link: ignored */ }
      }
    });
    if (!Object.keys(params).length) return false;
    if (params.q !== undefined) document.getElementById('q').value = params.q;
    if (params.status) document.getElementById('f-status').value = params.status;
    if (params.team !== undefined) document.getElementById('f-team').value = params.team;
    if (params.sort) {
      var key = params.sort.replace(/^-/, '');
      key = {tier: 'risk_tier', review: 'days_since_review', drill: 'days_since_drill',
             stale: 'stale_code_days'}[key] || key;
      if (COLUMNS.some(function (c) { return c[0] === key; })) {
        sortKey = null;
        sortBy(key);
        if (params.sort.charAt(0) === '-') sortBy(key);
      }
    }
    applyFilter();
    return true;
  }

  function sortBy(key) {
    sortDir = key === sortKey ? -sortDir : 1;
    sortKey = key;
    var numeric = NUMERIC[key];
    trs.sort(function (a, b) {
      var x = a._row[key], y = b._row[key];
      if (numeric) {
        x = x === '-' ? null : Number(x); y = y === '-' ? null : Number(y);
        if (x === null && y === null) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x - y) * sortDir;
      }
      x = cellText(x); y = cellText(y);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
    var body = document.querySelector('#models-table tbody');
    trs.forEach(function (tr) { body.appendChild(tr); body.appendChild(tr._more); });
    document.querySelectorAll('#models-table th').forEach(function (th) {
      if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  try {
    patterns();
    teamChart();
    rulesChart();
    staleChart();
    trendCharts();
    wireStaticToggles();
    buildTable();
    fromHash();
    window.addEventListener('hashchange', function () {
      if (fromHash()) document.getElementById('models').scrollIntoView();
    });
    document.body.setAttribute('data-rows', String(trs.length));
    document.body.setAttribute('data-render', 'done');
  } catch (exc) {
    errors.push(String(exc && exc.stack || exc));
    showErrors();
    document.body.setAttribute('data-render', 'failed');
  }
})();
"""

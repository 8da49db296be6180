"""``--format html``: one self-contained page with charts and a sortable, filterable table.

No external asset of any kind (a Content-Security-Policy forbids loading
one): inline CSS, inline JavaScript, SVG charts drawn by the script --
status by team, most-failed rules, staleness distribution -- and the
models table, sortable by any column and filterable by text, status and
team.  It works offline, from a file or an artifact store.

Safety: every value from a repository is untrusted.  Text written into the
HTML is escaped (``html.escape``); the data the script reads is embedded as
JSON inside ``<script type="application/json">`` with ``<``, ``>``, ``&``,
U+2028 and U+2029 written as ``\\uXXXX`` escapes, so no value can close the
script element or start markup; the script builds the page with
``textContent`` and SVG attributes only, never ``innerHTML``.

When the page has rendered, ``<body>`` gets ``data-render="done"``; any
script error is caught, shown in the page and counted in
``data-errors`` (the browser test checks both).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..columns import shown_in
from ..report import STATUSES, AuditReport


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


def _data(report: AuditReport) -> dict[str, Any]:
    columns = shown_in("html")
    rows = []
    for r in report.models:
        ev = r.evidence
        rows.append(
            {
                "cells": [c.text(r) for c in columns],
                "status": r.status,
                "team": r.team,
                "labels": list(r.labels),
                "notes": list(r.notes),
                "signals": [f"{s.path} ({s.detail})" for s in r.signals],
                "findings": [
                    [f.rule, f.severity, f.line, f.message, f.waived is not None]
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
    }


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def render(report: AuditReport, *, color: bool = False) -> str:
    s = report.summary()
    st = s["by_status"]
    cards = "".join(
        f'<div class="card s-{name}"><b>{st.get(name, 0)}</b><span>{name}</span></div>'
        for name in STATUSES
    )
    when = f"today {report.today}" + (f", as of {report.as_of}" if report.as_of else "")
    meta = (
        f"{s['repos']['total']} repositories ({s['repos']['error']} could not be audited), "
        f"{s['models']} rows &middot; policy <code>{_e(report.policy.get('name', ''))}</code> "
        f"<code>{_e(report.policy.get('digest', ''))}</code> &middot; {_e(when)} &middot; "
        f"fail-on {_e(report.fail_on)} &middot; modelgov {_e(report.version)}"
    )
    verdict = "failed" if report.exit_code else "passed"
    values = {
        "TITLE": _e(f"modelgov audit {report.today}"),
        "VERDICT": verdict,
        "META": meta,
        "CARDS": cards,
        "DATA": embed_json(_data(report)),
        "STYLE": _STYLE,
        "SCRIPT": _SCRIPT,
    }
    # one pass over the template: a value is never scanned for placeholders again
    page = re.sub(r"%%([A-Z]+)%%", lambda m: values[m.group(1)], _TEMPLATE)
    return page


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
<h1>modelgov audit <span class="verdict v-%%VERDICT%%">%%VERDICT%%</span></h1>
<p class="meta">%%META%%</p>
<div class="cards">%%CARDS%%</div>
</header>
<noscript><p class="warn">The charts and the table need JavaScript; the JSON and CSV reports hold the same data.</p></noscript>
<div id="js-errors" class="warn" hidden></div>
<section class="charts">
<figure><figcaption>Status by team</figcaption><div id="chart-team" class="chart"></div></figure>
<figure><figcaption>Most-failed rules (models)</figcaption><div id="chart-rules" class="chart"></div></figure>
<figure><figcaption>Staleness distribution (days)</figcaption><div id="chart-stale" class="chart"></div></figure>
</section>
<section class="models">
<div class="filters">
<input id="q" type="search" placeholder="Filter: repo, path, name, owner, team, rule..." aria-label="Filter rows">
<select id="f-status" aria-label="Status"><option value="">all statuses</option></select>
<select id="f-team" aria-label="Team"><option value="">all teams</option></select>
<span id="shown"></span>
</div>
<table id="models"><thead><tr></tr></thead><tbody></tbody></table>
</section>
<script type="application/json" id="audit-data">%%DATA%%</script>
<script>%%SCRIPT%%</script>
</body>
</html>
"""

_STYLE = """
:root{--pass:#2e7d32;--fail:#c62828;--error:#6a1b9a;--undeclared:#ef6c00;--ink:#1d232a;--mute:#5f6b77;--line:#dde3ea}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f7f9fb}
h1{font-size:22px;margin:0 0 4px}
.meta{color:var(--mute);margin:0 0 14px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef2f6;padding:1px 4px;border-radius:3px}
.verdict{font-size:13px;vertical-align:middle;padding:2px 8px;border-radius:10px;color:#fff}
.v-failed{background:var(--fail)}.v-passed{background:var(--pass)}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid;border-radius:6px;padding:8px 16px;min-width:120px}
.card b{display:block;font-size:24px}.card span{color:var(--mute)}
.s-pass{border-left-color:var(--pass)}.s-fail{border-left-color:var(--fail)}
.s-error{border-left-color:var(--error)}.s-undeclared{border-left-color:var(--undeclared)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:16px;margin:20px 0}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px}
figcaption{font-weight:600;margin-bottom:6px}
.chart svg{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:var(--ink)}
.legend text{fill:var(--mute)}
.filters{display:flex;gap:8px;align-items:center;margin:8px 0;flex-wrap:wrap}
.filters input{flex:1;min-width:240px;padding:6px 8px;border:1px solid var(--line);border-radius:4px}
.filters select{padding:5px;border:1px solid var(--line);border-radius:4px}
#shown{color:var(--mute)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef2f6;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td{overflow-wrap:anywhere}
td.repo,td.path{max-width:260px}td.owner{max-width:200px}
td.detail{color:var(--mute);max-width:360px}
tr.row{cursor:pointer}tr.row:hover{background:#f3f6f9}
tr.more td{background:#fafbfc;font-size:12px}
tr.more ul{margin:4px 0;padding-left:18px}
.st{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}
.st-pass{background:var(--pass)}.st-fail{background:var(--fail)}.st-error{background:var(--error)}.st-undeclared{background:var(--undeclared)}
.warn{background:#fff3e0;border:1px solid var(--undeclared);padding:8px 12px;border-radius:4px}
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
  var COLORS = {pass: '#2e7d32', fail: '#c62828', error: '#6a1b9a', undeclared: '#ef6c00',
                review: '#1565c0', drill: '#00838f', code: '#8d6e63'};
  var data = JSON.parse(document.getElementById('audit-data').textContent);
  var summary = data.summary, rows = data.rows, statuses = data.statuses;

  function el(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]); }
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(width, height) {
    return el('svg', {viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'class': 'chart-svg'});
  }
  function cut(text, n) { text = String(text); return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
  function legend(root, names, x, y) {
    var g = el('g', {'class': 'legend'});
    names.forEach(function (name, i) {
      g.appendChild(el('rect', {x: x + i * 95, y: y, width: 10, height: 10, fill: COLORS[name]}));
      g.appendChild(el('text', {x: x + i * 95 + 14, y: y + 9}, name));
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
    var bar = 18, top = 24, left = 150, width = 560;
    var root = svg(width, top + Math.max(teams.length, 1) * (bar + 6) + 8);
    legend(root, statuses, left, 4);
    var max = Math.max.apply(null, teams.map(function (t) { return t[1].total; }).concat([1]));
    teams.forEach(function (t, i) {
      var y = top + i * (bar + 6), x = left;
      root.appendChild(el('text', {x: left - 6, y: y + 13, 'text-anchor': 'end'}, cut(t[0], 24)));
      statuses.forEach(function (s) {
        var n = t[1][s] || 0;
        if (!n) return;
        var w = (width - left - 40) * n / max;
        var r = el('rect', {x: x, y: y, width: Math.max(w, 1), height: bar, fill: COLORS[s], 'class': 'bar bar-' + s});
        r.appendChild(el('title', {}, t[0] + ': ' + n + ' ' + s));
        root.appendChild(r);
        x += w;
      });
      root.appendChild(el('text', {x: x + 4, y: y + 13}, String(t[1].total)));
    });
    if (!teams.length) root.appendChild(el('text', {x: left, y: top + 14}, 'no models'));
    document.getElementById('chart-team').appendChild(root);
  }

  function rulesChart() {
    var rules = Object.keys(summary.by_rule).map(function (r) { return [r, summary.by_rule[r].models]; })
      .filter(function (r) { return r[1] > 0; });
    rules.sort(function (a, b) { return (b[1] - a[1]) || (a[0] < b[0] ? -1 : 1); });
    rules = rules.slice(0, 15);
    var bar = 16, top = 8, left = 70, width = 560;
    var root = svg(width, top + Math.max(rules.length, 1) * (bar + 6) + 8);
    var max = Math.max.apply(null, rules.map(function (r) { return r[1]; }).concat([1]));
    rules.forEach(function (r, i) {
      var y = top + i * (bar + 6), w = (width - left - 40) * r[1] / max;
      root.appendChild(el('text', {x: left - 6, y: y + 12, 'text-anchor': 'end'}, r[0]));
      var rect = el('rect', {x: left, y: y, width: Math.max(w, 1), height: bar, fill: COLORS.fail, 'class': 'bar bar-rule'});
      rect.appendChild(el('title', {}, r[0] + ': ' + r[1] + ' failing models'));
      root.appendChild(rect);
      root.appendChild(el('text', {x: left + w + 4, y: y + 12}, String(r[1])));
    });
    if (!rules.length) root.appendChild(el('text', {x: left, y: top + 12}, 'no failing rule'));
    document.getElementById('chart-rules').appendChild(root);
  }

  function staleChart() {
    var series = ['review', 'drill', 'code'];
    var buckets = Object.keys(summary.staleness.review);
    var order = ['0-30', '31-90', '91-180', '181-365', '>365', 'future', 'none', 'unknown'];
    buckets.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    var width = 560, height = 230, left = 34, bottom = 40, top = 24;
    var root = svg(width, height);
    legend(root, series, left, 4);
    var max = 1;
    series.forEach(function (s) { buckets.forEach(function (b) { max = Math.max(max, summary.staleness[s][b]); }); });
    var slot = (width - left - 10) / buckets.length, bw = slot / (series.length + 1);
    root.appendChild(el('line', {x1: left, y1: height - bottom, x2: width - 6, y2: height - bottom, stroke: '#999'}));
    root.appendChild(el('text', {x: left - 4, y: top + 8, 'text-anchor': 'end'}, String(max)));
    buckets.forEach(function (b, i) {
      var x0 = left + i * slot;
      series.forEach(function (s, j) {
        var n = summary.staleness[s][b], h = (height - bottom - top) * n / max;
        var rect = el('rect', {x: x0 + (j + 0.5) * bw, y: height - bottom - h, width: bw - 2, height: Math.max(h, 0), fill: COLORS[s], 'class': 'bar bar-stale'});
        rect.appendChild(el('title', {}, s + ' ' + b + ' days: ' + n));
        root.appendChild(rect);
      });
      root.appendChild(el('text', {x: x0 + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle'}, b));
    });
    root.appendChild(el('text', {x: left, y: height - 6}, 'review, drill: days since; code: age of the oldest change the declaration missed'));
    document.getElementById('chart-stale').appendChild(root);
  }

  var COLUMNS = data.columns.map(function (c, i) { return [c.key, c.header, c.kind, i]; });
  var NUMERIC = {};
  COLUMNS.forEach(function (c) { if (c[2] === 'days') NUMERIC[c[0]] = 1; });
  rows.forEach(function (row) { COLUMNS.forEach(function (c) { row[c[0]] = row.cells[c[3]]; }); });
  var sortKey = null, sortDir = 1, trs = [];

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function detailRow(row) {
    var tr = document.createElement('tr');
    tr.className = 'more';
    tr.hidden = true;
    var td = document.createElement('td');
    td.colSpan = COLUMNS.length;
    var lines = [];
    row.findings.forEach(function (f) { lines.push(f[0] + ' ' + (f[4] ? 'waived' : f[1]) + ' (line ' + f[2] + '): ' + f[3]); });
    row.signals.forEach(function (s) { lines.push('signal: ' + s); });
    row.notes.forEach(function (n) { lines.push('config: ' + n); });
    if (row.labels.length) lines.push('labels: ' + row.labels.join(', '));
    lines.push('evidence: commit ' + (row.commit || '-') + ', blob ' + (row.blob || '-') + ', policy ' + row.digest);
    var ul = document.createElement('ul');
    lines.forEach(function (line) { var li = document.createElement('li'); li.textContent = line; ul.appendChild(li); });
    td.appendChild(ul);
    tr.appendChild(td);
    return tr;
  }

  function buildTable() {
    var head = document.querySelector('#models thead tr');
    COLUMNS.forEach(function (c) {
      var th = document.createElement('th');
      th.textContent = c[1];
      th.setAttribute('data-key', c[0]);
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(c[0]); });
      th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') sortBy(c[0]); });
      head.appendChild(th);
    });
    var body = document.querySelector('#models tbody');
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      tr.className = 'row';
      COLUMNS.forEach(function (c) {
        if (c[0] === 'status') {
          var td = cell(tr, '');
          var span = document.createElement('span');
          span.className = 'st st-' + row.status;
          span.textContent = row.status;
          td.appendChild(span);
        } else {
          cell(tr, row[c[0]], NUMERIC[c[0]] ? 'num' : c[2] === 'rules' ? 'detail' : c[0]);
        }
      });
      var more = detailRow(row);
      tr.addEventListener('click', function () { more.hidden = !more.hidden; });
      tr._row = row; tr._more = more;
      tr._text = COLUMNS.map(function (c) { return row[c[0]]; }).concat(row.labels).join(' ').toLowerCase();
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
    applyFilter();
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
      if (!ok) tr._more.hidden = true;
      if (ok) shown += 1;
    });
    document.getElementById('shown').textContent = shown + ' of ' + trs.length + ' rows';
    document.body.setAttribute('data-shown', String(shown));
  }

  // deep links: #q=text&status=fail&team=search&sort=-review (a leading '-' sorts descending)
  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var i = part.indexOf('=');
      if (i > 0) params[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
    });
    if (params.q) document.getElementById('q').value = params.q;
    if (params.status) document.getElementById('f-status').value = params.status;
    if (params.team !== undefined) document.getElementById('f-team').value = params.team;
    if (params.sort) {
      var key = params.sort.replace(/^-/, '');
      key = {tier: 'risk_tier', review: 'days_since_review', drill: 'days_since_drill',
             stale: 'stale_code_days'}[key] || key;
      if (COLUMNS.some(function (c) { return c[0] === key; })) {
        sortBy(key);
        if (params.sort.charAt(0) === '-') sortBy(key);
      }
    }
    applyFilter();
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
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
    var body = document.querySelector('#models tbody');
    trs.forEach(function (tr) { body.appendChild(tr); body.appendChild(tr._more); });
    document.querySelectorAll('#models th').forEach(function (th) {
      if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  try {
    teamChart();
    rulesChart();
    staleChart();
    buildTable();
    fromHash();
    document.body.setAttribute('data-rows', String(trs.length));
    document.body.setAttribute('data-render', 'done');
  } catch (exc) {
    errors.push(String(exc && exc.stack || exc));
    showErrors();
    document.body.setAttribute('data-render', 'failed');
  }
})();
"""

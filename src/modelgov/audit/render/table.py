"""``--format table`` (default): the models as a terminal table, then the org summary.

Text from repositories goes through :func:`~modelgov.reporters._safe.inert`
(no escape sequence from a model.yaml acts on the terminal) and long cells
are cut to keep one model per line.
"""

from __future__ import annotations

from ...reporters._safe import inert
from ..columns import shown_in
from ..report import AuditReport

_COLORS = {"pass": "32", "fail": "31", "error": "35", "undeclared": "33"}


def _cut(text: str, width: int) -> str:
    text = inert(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(report: AuditReport, *, color: bool = False) -> str:
    columns = shown_in("table", report.models)  # optional columns when a row has them
    titles = [c.short or c.header.upper() for c in columns]
    rows = [[c.text(r) for c in columns] for r in report.models]
    widths = [
        min(c.width, max([len(title)] + [len(inert(r[i])) for r in rows]))
        for i, (c, title) in enumerate(zip(columns, titles, strict=True))
    ]
    out = []
    head = [
        title.rjust(w) if c.kind == "days" else title.ljust(w)
        for c, title, w in zip(columns, titles, widths, strict=True)
    ]
    out.append("  ".join(head).rstrip())
    for r in rows:
        cells = []
        for i, c in enumerate(columns):
            text = _cut(r[i], widths[i])
            cell = text.rjust(widths[i]) if c.kind == "days" else text.ljust(widths[i])
            if c.kind == "status" and color:
                cell = f"\x1b[{_COLORS.get(r[i], '0')}m{cell}\x1b[0m"
            cells.append(cell)
        out.append("  ".join(cells).rstrip())
    s = report.summary()
    st = s["by_status"]
    out.append("")
    out.append(
        f"Org summary: {s['repos']['total']} "
        f"{'repository' if s['repos']['total'] == 1 else 'repositories'} "
        f"({s['repos']['error']} could not be audited), {_plural(s['models'], 'row')}: "
        f"{st['pass']} pass, {st['fail']} fail, {st['error']} error, "
        f"{st['undeclared']} undeclared."
    )
    rules = sorted(s["by_rule"].items(), key=lambda kv: (-kv[1]["models"], kv[0]))
    top = [f"{rule} ({v['models']})" for rule, v in rules if v["models"]][:8]
    if top:
        out.append(f"Most-failed rules (models): {', '.join(top)}.")
    teams = [f"{inert(t['team'])} ({t['problems']} of {t['total']})" for t in s["worst_teams"][:5]]
    if teams:
        out.append(f"Teams with the most problems: {', '.join(teams)}.")
    reg = s["registry"]
    if reg["compared"]:
        unread = f", {reg['unreadable']} could not be read" if reg["unreadable"] else ""
        out.append(
            f"Registry: {reg['compared']} models compared, {reg['mismatched']} serve another "
            f"version than they declare{unread}."
        )
    ready = s["ready_at_2am"]
    if ready["models"]:
        out.append(
            f"Ready at 2am (every playbook step answered): {ready['ready']} of "
            f"{_plural(ready['models'], 'model')}; {ready['without_override']} without override, "
            f"{ready['incidents_without_postmortem']} incidents without post-mortem, "
            f"{ready['overdue_action_items']} overdue action items."
        )
    tiers = ", ".join(
        f"{tier} {v['fail'] + v['error']}/{v['total']}"
        for tier, v in s["by_tier"].items()
        if v["total"]
    )
    if tiers:
        out.append(f"Failing or erroring by risk tier: {tiers}.")
    weak = [
        f"{inert(fw['id'])} {sum(1 for c in fw['controls'] if c['fail'])} of {len(fw['controls'])}"
        for fw in s["frameworks"]
    ]
    if weak:
        out.append(
            f"Controls with failing evidence: {', '.join(weak)} (--format markdown or html "
            "for the framework view)."
        )
    when = f"today {report.today}" + (f" (as of {report.as_of})" if report.as_of else "")
    verdict = "FAILED" if report.exit_code else "passed"
    out.append(
        f"Audit {verdict} (fail-on {report.fail_on}): policy {inert(str(report.policy['name']))} "
        f"({str(report.policy['digest'])[:19]}), {when}, modelgov {report.version}."
    )
    return "\n".join(out) + "\n"

"""``--format markdown``: the org summary and the models, for a step summary or a wiki.

Cells go through :func:`modelgov.reporters.markdown.cell`: text from
repositories cannot inject markup, links or HTML.  The models table is
capped (failing rows first) so a step summary stays under GitHub's limit.
"""

from __future__ import annotations

from typing import Any

from ...reporters.markdown import cell
from ..columns import shown_in
from ..report import STATUSES, AuditReport

MAX_ROWS = 1000
_ORDER = {"fail": 0, "error": 1, "undeclared": 2, "pass": 3}


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(cell(str(v)) for v in r) + " |")
    return out


def _frameworks(report: AuditReport, s: Any) -> list[str]:
    """The framework view: per control, models with passing, failing and no evidence."""
    out: list[str] = []
    if not s["frameworks"]:
        return out
    out += [
        "",
        "### Evidence by framework",
        "",
        "Evidence *towards* each control, not compliance with it (docs/frameworks.md).",
    ]
    for fw in s["frameworks"]:
        out += ["", f"#### {cell(fw['title'])} (`{cell(fw['id'])}`)", ""]
        rows = []
        for c in fw["controls"]:
            rules = ", ".join(
                f"{r} {info.name}" if (info := report.rule(r)) is not None else r
                for r in c["rules"]
            )
            failing = ", ".join(f"{m['repo']} {m['path']}" for m in c["failing_models"])
            if c["fail"] > len(c["failing_models"]):
                failing += f" and {c['fail'] - len(c['failing_models'])} more"
            rows.append([c["id"], c["title"], rules, c["pass"], c["fail"], c["none"], failing])
        out += _table(
            ["control", "title", "rules", "passing", "failing", "no evidence", "failing models"],
            rows,
        )
    return out


def _ready(s: dict[str, Any]) -> list[str]:
    """The 2am readiness line (docs/playbook.md), when a model was judged."""
    ready = s["ready_at_2am"]
    if not ready["models"]:
        return []
    return [
        f"**Ready at 2am** (every playbook step answered): {ready['ready']} of "
        f"{ready['models']} models · {ready['without_override']} without override · "
        f"{ready['incidents_without_postmortem']} incidents without post-mortem · "
        f"{ready['overdue_action_items']} overdue action items.",
        "",
    ]


def render(report: AuditReport, *, color: bool = False) -> str:
    s = report.summary()
    st = s["by_status"]
    icon = ":x:" if report.exit_code else ":white_check_mark:"
    out = [
        f"## {icon} modelgov audit: {s['repos']['total']} repositories, {s['models']} rows",
        "",
        f"{st['pass']} pass · {st['fail']} fail · {st['error']} error · "
        f"{st['undeclared']} undeclared (fail-on `{report.fail_on}`). Policy "
        f"`{cell(str(report.policy['name']))}` (`{report.policy['digest']}`), today "
        f"{report.today}"
        + (f", as of {report.as_of}" if report.as_of else "")
        + f", modelgov {report.version}.",
        "",
        *_ready(s),
        "### By team",
        "",
    ]
    out += _table(
        ["team", *STATUSES, "total"],
        [[t, *(c.get(x, 0) for x in STATUSES), c["total"]] for t, c in s["by_team"].items()],
    )
    out += ["", "### By risk tier", ""]
    out += _table(
        ["tier", *STATUSES, "total"],
        [[t, *(c.get(x, 0) for x in STATUSES), c["total"]] for t, c in s["by_tier"].items()],
    )
    rules = sorted(s["by_rule"].items(), key=lambda kv: (-kv[1]["models"], kv[0]))
    out += ["", "### Most-failed rules", ""]
    out += _table(["rule", "failing models", "findings"],
                  [[r, v["models"], v["findings"]] for r, v in rules])  # fmt: skip
    out += ["", "### Worst offenders", ""]
    out += _table(
        ["repo", "path", "name", "team", "failing rules"],
        [[w["repo"], w["path"], w["name"], w["team"], " ".join(w["failing_rules"])]
         for w in s["worst_models"]],
    )  # fmt: skip
    out += _frameworks(report, s)
    rows = sorted(report.models, key=lambda r: _ORDER.get(r.status, 4))
    shown = rows[:MAX_ROWS]
    out += ["", "### Models", ""]
    columns = shown_in("markdown", report.models)
    out += _table([c.header for c in columns], [[c.text(r) for c in columns] for r in shown])
    if len(rows) > MAX_ROWS:
        out += ["", f"... and {len(rows) - MAX_ROWS} more rows (see the JSON or CSV report)."]
    return "\n".join(out) + "\n"

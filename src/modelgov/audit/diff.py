"""``modelgov audit diff OLD.json NEW.json``: what got better or worse between two audits.

Rows are matched by repository and path.  A model is

* **newly failing** when it gates the new run (a failing model, a gating
  undeclared folder, or a repository that could not be audited; see
  :func:`~.report.gates`) and did not gate the old one;
* **fixed** in the other direction; **changed** when its status changed
  without crossing that line (``fail`` to ``error``);
* **added** or **removed** when only one report holds it.

Findings are compared for the models both reports hold: a finding is
identified by its rule and JSON pointer (never its line, which moves when
unrelated lines do), counted, and only active (unwaived) ones count: a
finding that is waived now is *resolved*, one whose waiver expired is
*added*.

The diff is **worse** -- exit 1, so a CI can gate a weekly audit on "no
regressions" -- when a model is newly failing, a model was added that gates
the new run, or a finding at or above the new run's fail level was added.
A change of policy, fail level or modelgov version between the two reports
is said first: some of the differences may come from it.

Everything here is a pure function of the two reports; :func:`render`
writes ``text``, ``markdown`` or ``json``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..reporters._safe import inert
from ..reporters.markdown import cell
from .report import AuditReport, gates
from .rows import Row, RowFinding

FORMAT = "modelgov-audit-diff"
FORMAT_VERSION = 1
FORMATS = ("text", "markdown", "json")
_RANK = {"note": 1, "warning": 2, "error": 3}
_THRESHOLD = {"note": 1, "warning": 2, "error": 3}


class ModelChange(NamedTuple):
    repo: str
    path: str
    name: str
    team: str
    old_status: str  # "" when added
    new_status: str  # "" when removed
    old_failing: tuple[str, ...]
    new_failing: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "path": self.path,
            "name": self.name,
            "team": self.team,
            "old_status": self.old_status or None,
            "new_status": self.new_status or None,
            "old_failing_rules": list(self.old_failing),
            "new_failing_rules": list(self.new_failing),
        }


class FindingChange(NamedTuple):
    repo: str
    path: str
    rule: str
    severity: str
    pointer: str
    line: int
    col: int
    message: str
    gating: bool  # at or above the fail level of the report it is in

    def to_json(self) -> dict[str, Any]:
        return dict(self._asdict())


class Diff(NamedTuple):
    old: AuditReport
    new: AuditReport
    newly_failing: tuple[ModelChange, ...]
    fixed: tuple[ModelChange, ...]
    changed: tuple[ModelChange, ...]
    added: tuple[ModelChange, ...]
    removed: tuple[ModelChange, ...]
    findings_added: tuple[FindingChange, ...]
    findings_resolved: tuple[FindingChange, ...]
    added_gating: tuple[ModelChange, ...] = ()  # the added models that gate the new run

    @property
    def worse(self) -> bool:
        return bool(
            self.newly_failing or self.added_gating or any(f.gating for f in self.findings_added)
        )

    @property
    def exit_code(self) -> int:
        return 1 if self.worse else 0

    def settings_changed(self) -> list[str]:
        """What differs between the runs apart from the repositories: said before the diff."""
        out = []
        if self.old.policy.get("digest") != self.new.policy.get("digest"):
            out.append(
                f"the policy changed ({self.old.policy.get('name')} "
                f"{str(self.old.policy.get('digest'))[:19]} -> {self.new.policy.get('name')} "
                f"{str(self.new.policy.get('digest'))[:19]})"
            )
        if self.old.fail_on != self.new.fail_on:
            out.append(f"the fail level changed ({self.old.fail_on} -> {self.new.fail_on})")
        if self.old.version != self.new.version:
            out.append(f"modelgov changed ({self.old.version} -> {self.new.version})")
        return out


def _change(old: Row | None, new: Row | None) -> ModelChange:
    row = new or old
    assert row is not None
    return ModelChange(
        row.repo,
        row.path,
        row.name,
        row.team,
        old.status if old else "",
        new.status if new else "",
        old.failing_rules if old else (),
        new.failing_rules if new else (),
    )


def _identities(row: Row) -> Counter[tuple[str, str]]:
    return Counter((f.rule, f.pointer) for f in row.findings if f.active)


def _finding(row: Row, f: RowFinding, fail_on: str) -> FindingChange:
    threshold = _THRESHOLD.get(fail_on)
    gating = threshold is not None and _RANK.get(f.severity, 0) >= threshold
    return FindingChange(
        row.repo, row.path, f.rule, f.severity, f.pointer, f.line, f.col, f.message, gating
    )


def _picked(row: Row, wanted: Counter[tuple[str, str]], fail_on: str) -> list[FindingChange]:
    """The active findings of ``row`` whose identities ``wanted`` counts (as many of each)."""
    left = Counter(wanted)
    out = []
    for f in row.findings:
        key = (f.rule, f.pointer)
        if f.active and left[key] > 0:
            left[key] -= 1
            out.append(_finding(row, f, fail_on))
    return out


def compare(old: AuditReport, new: AuditReport) -> Diff:
    before = {(r.repo, r.path): r for r in old.models}
    after = {(r.repo, r.path): r for r in new.models}
    newly, fixed, changed, added, removed, added_gating = [], [], [], [], [], []
    f_added: list[FindingChange] = []
    f_resolved: list[FindingChange] = []
    for key in sorted(before.keys() | after.keys()):
        o, n = before.get(key), after.get(key)
        if o is None:
            assert n is not None
            added.append(_change(None, n))
            if gates(n, new.fail_on):
                added_gating.append(added[-1])
            continue
        if n is None:
            removed.append(_change(o, None))
            continue
        was, now = gates(o, old.fail_on), gates(n, new.fail_on)
        if now and not was:
            newly.append(_change(o, n))
        elif was and not now:
            fixed.append(_change(o, n))
        elif o.status != n.status or o.failing_rules != n.failing_rules:
            changed.append(_change(o, n))
        ids_old, ids_new = _identities(o), _identities(n)
        f_added += _picked(n, ids_new - ids_old, new.fail_on)
        f_resolved += _picked(o, ids_old - ids_new, old.fail_on)
    return Diff(
        old, new, tuple(newly), tuple(fixed), tuple(changed), tuple(added), tuple(removed),
        tuple(f_added), tuple(f_resolved), tuple(added_gating),
    )  # fmt: skip


# -- output -------------------------------------------------------------------------------


def _side(report: AuditReport) -> dict[str, Any]:
    return {
        "today": report.today,
        "as_of": report.as_of,
        "fail_on": report.fail_on,
        "policy": {"name": report.policy.get("name"), "digest": report.policy.get("digest")},
        "modelgov": report.version,
        "models": len(report.models),
        "gating": len(report.gating()),
    }


def as_dict(diff: Diff) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "old": _side(diff.old),
        "new": _side(diff.new),
        "settings_changed": diff.settings_changed(),
        "models": {
            "newly_failing": [m.to_json() for m in diff.newly_failing],
            "fixed": [m.to_json() for m in diff.fixed],
            "changed": [m.to_json() for m in diff.changed],
            "added": [m.to_json() for m in diff.added],
            "removed": [m.to_json() for m in diff.removed],
        },
        "findings": {
            "added": [f.to_json() for f in diff.findings_added],
            "resolved": [f.to_json() for f in diff.findings_resolved],
        },
        "worse": diff.worse,
        "exit_code": diff.exit_code,
    }


def _status(m: ModelChange, arrow: str = "->") -> str:
    return f"{m.old_status or '(absent)'} {arrow} {m.new_status or '(absent)'}"


def _rules(m: ModelChange) -> str:
    old, new = set(m.old_failing), set(m.new_failing)
    parts = [f"+{r}" for r in sorted(new - old)] + [f"-{r}" for r in sorted(old - new)]
    parts += sorted(old & new)
    return " ".join(parts)


def verdict(diff: Diff) -> str:
    if not diff.worse:
        return "Not worse: no model newly failing, no finding added at the fail level (exit 0)."
    parts = []
    if diff.newly_failing:
        parts.append(_n(len(diff.newly_failing), "model") + " newly failing")
    if diff.added_gating:
        parts.append(_n(len(diff.added_gating), "added model") + " failing")
    gating = sum(1 for f in diff.findings_added if f.gating)
    if gating:
        parts.append(_n(gating, "finding") + " added at the fail level")
    return "Worse: " + ", ".join(parts) + " (exit 1)."


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_SECTIONS = (
    ("Newly failing", "newly_failing"),
    ("Fixed", "fixed"),
    ("Changed (status or failing rules)", "changed"),
    ("Added", "added"),
    ("Removed", "removed"),
)


def render_text(diff: Diff) -> str:
    o, n = diff.old, diff.new
    out = [
        f"modelgov audit diff: {o.today} -> {n.today}",
        f"  old: {_n(len(o.models), 'row')}, {len(o.gating())} failing "
        f"(policy {inert(str(o.policy.get('name')))}, fail-on {o.fail_on}, modelgov {o.version})",
        f"  new: {_n(len(n.models), 'row')}, {len(n.gating())} failing "
        f"(policy {inert(str(n.policy.get('name')))}, fail-on {n.fail_on}, modelgov {n.version})",
    ]
    for note in diff.settings_changed():
        out.append(f"  note: {inert(note)}: some differences may come from it")
    for title, attr in _SECTIONS:
        models: Sequence[ModelChange] = getattr(diff, attr)
        if models:
            out += ["", f"{title} ({len(models)}):"]
            out += [
                f"  {inert(m.repo)} {inert(m.path)}  {_status(m)}  {inert(_rules(m))}".rstrip()
                for m in models
            ]
    for title, findings in (
        ("Findings added", diff.findings_added),
        ("Findings resolved", diff.findings_resolved),
    ):
        if findings:
            out += ["", f"{title} ({len(findings)}):"]
            out += [
                f"  {inert(f.repo)} {inert(f.path)}:{f.line}:{f.col}: {f.severity} {inert(f.rule)} "
                f"{inert(f.message)}"
                for f in findings
            ]
    out += ["", verdict(diff)]
    return "\n".join(out) + "\n"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(cell(str(v)) for v in r) + " |" for r in rows]
    return out


def render_markdown(diff: Diff) -> str:
    o, n = diff.old, diff.new
    icon = ":x:" if diff.worse else ":white_check_mark:"
    out = [
        f"## {icon} modelgov audit diff: {cell(o.today)} → {cell(n.today)}",
        "",
        f"{len(o.gating())} → {len(n.gating())} failing rows of {len(o.models)} → "
        f"{len(n.models)}. {cell(verdict(diff))}",
    ]
    for note in diff.settings_changed():
        out += ["", f"> Note: {cell(note)}: some differences may come from it."]
    for title, attr in _SECTIONS:
        models: Sequence[ModelChange] = getattr(diff, attr)
        if models:
            out += ["", f"### {title} ({len(models)})", ""]
            out += _md_table(
                ["repo", "path", "name", "team", "status", "failing rules"],
                [[m.repo, m.path, m.name, m.team, _status(m, "→"), _rules(m)] for m in models],
            )
    for title, findings in (
        ("Findings added", diff.findings_added),
        ("Findings resolved", diff.findings_resolved),
    ):
        if findings:
            out += ["", f"### {title} ({len(findings)})", ""]
            out += _md_table(
                ["repo", "path", "line", "severity", "rule", "pointer", "message"],
                [
                    [f.repo, f.path, f.line, f.severity, f.rule, f.pointer, f.message]
                    for f in findings
                ],
            )
    return "\n".join(out) + "\n"


def render(fmt: str, diff: Diff) -> str:
    if fmt == "json":
        return json.dumps(as_dict(diff), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)

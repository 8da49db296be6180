"""Incidents, post-mortems and overrides (issue 19): the pure facts, and the rules end to end.

The statuses of :mod:`modelgov.facts.incidents` are what MG190, MG191, ``modelgov
playbook`` and the audit read; they are checked here as values, then MG190 is run
through the CLI on real git repositories: a post-mortem that is a symlink out of the
repository (in the work tree and committed), one added long after the incident, and
one only in a commit that ``--rev`` judges.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import BROKEN, COMPLIANT, run_cli
from modelgov.facts.incidents import (
    ActionItemStatus,
    PostmortemStatus,
    action_items,
    at_least,
    postmortems,
    repo_predicate,
)
from modelgov.facts.staleness import UnreviewedIncident, incidents_since_review
from modelgov.repoview import WorktreeView

TODAY = _dt.date(2026, 11, 30)
D = _dt.date.fromisoformat

DOC: dict[str, Any] = {
    "incidents": [
        {"id": "INC-1", "date": D("2026-09-14"), "severity": "sev2", "summary": "s",
         "postmortem": "docs/pm.md"},
        {"id": "INC-2", "date": D("2026-10-01"), "severity": "sev1", "summary": "s"},
        {"id": "INC-3", "date": D("2026-11-20"), "severity": "sev1", "summary": "s",
         "postmortem": "docs/later.md"},
        {"id": "INC-4", "date": "2026-03-02", "severity": "sev3", "summary": "s"},
        {"id": "INC-5", "date": D("2026-03-05"), "severity": "sev4", "summary": "s",
         "postmortem": "https://wiki.example.com/INC-5"},
        {"id": "INC-6", "date": "not a date", "severity": "sev1", "summary": "s"},
        "not an incident",
        {"id": "INC-8", "date": D("2026-09-01"), "severity": "sev2", "summary": "s",
         "postmortem": "docs/gone.md",
         "action_items": [
             {"title": "a", "owner": "dana@example.com", "due": D("2026-10-01"), "done": True},
             {"title": "b", "owner": " sam@example.com ", "due": D("2026-11-01")},
             {"title": "c", "owner": "priya@example.com", "due": D("2026-11-30"), "done": False},
             {"title": "d", "owner": "priya@example.com"},
             "not an item",
         ]},
    ],
}  # fmt: skip


def _exists(text: str) -> bool:
    return text in {"docs/pm.md", "https://wiki.example.com/INC-5"}


def test_postmortem_statuses_as_values() -> None:
    got = postmortems(DOC, today=TODAY, exists=_exists)
    assert got == (
        PostmortemStatus(0, "INC-1", "sev2", D("2026-09-14"), D("2026-09-28"), "present",
                         "/incidents/0/postmortem", "docs/pm.md"),
        PostmortemStatus(1, "INC-2", "sev1", D("2026-10-01"), D("2026-10-15"), "missing",
                         "/incidents/1", ""),
        PostmortemStatus(2, "INC-3", "sev1", D("2026-11-20"), D("2026-12-04"), "pending",
                         "/incidents/2/postmortem", "docs/later.md"),
        PostmortemStatus(3, "INC-4", "sev3", D("2026-03-02"), None, "not-required",
                         "/incidents/3", ""),
        PostmortemStatus(4, "INC-5", "sev4", D("2026-03-05"), None, "present",
                         "/incidents/4/postmortem", "https://wiki.example.com/INC-5"),
        PostmortemStatus(7, "INC-8", "sev2", D("2026-09-01"), D("2026-09-15"), "missing",
                         "/incidents/7/postmortem", "docs/gone.md"),
    )  # fmt: skip
    assert [s.required for s in got] == [True, True, True, False, False, True]


def test_postmortem_options_move_the_due_date_and_the_severity() -> None:
    got = postmortems(DOC, today=TODAY, exists=_exists, min_severity="sev3", due_days=300)
    states = {s.id: (s.state, s.due) for s in got}
    assert states["INC-4"] == ("pending", D("2026-12-27"))  # sev3 counts, 300 days to write it
    assert states["INC-2"] == ("pending", D("2027-07-28"))
    assert states["INC-5"][0] == "present"
    # on the due date itself it is still pending; the day after, missing
    day = D("2026-10-15")
    assert {s.id: s.state for s in postmortems(DOC, today=day, exists=_exists)}["INC-2"] == (
        "pending"
    )
    day = D("2026-10-16")
    assert {s.id: s.state for s in postmortems(DOC, today=day, exists=_exists)}["INC-2"] == (
        "missing"
    )
    assert postmortems({}, today=TODAY, exists=_exists) == ()
    assert postmortems({"incidents": "none"}, today=TODAY, exists=_exists) == ()


def test_severity_order() -> None:
    assert at_least("sev1", "sev2") and at_least("sev2", "sev2") and at_least("SEV2", "sev2")
    assert not at_least("sev3", "sev2") and not at_least("critical", "sev2")
    assert not at_least("sev1", "sev9")


def test_action_item_statuses_as_values() -> None:
    got = action_items(DOC, today=TODAY)
    assert got == (
        ActionItemStatus(7, "INC-8", 0, "a", "dana@example.com", D("2026-10-01"), True, "done", 0,
                         "/incidents/7/action_items/0"),
        ActionItemStatus(7, "INC-8", 1, "b", "sam@example.com", D("2026-11-01"), False, "overdue",
                         29, "/incidents/7/action_items/1"),
        ActionItemStatus(7, "INC-8", 2, "c", "priya@example.com", D("2026-11-30"), False, "open",
                         0, "/incidents/7/action_items/2"),
        ActionItemStatus(7, "INC-8", 3, "d", "priya@example.com", None, False, "open", 0,
                         "/incidents/7/action_items/3"),
    )  # fmt: skip


def test_incidents_since_the_last_review() -> None:
    doc = dict(DOC, review={"last_reviewed": D("2026-09-20")})
    assert incidents_since_review(doc, TODAY) == (
        UnreviewedIncident(2, "INC-3", "sev1", D("2026-11-20"), D("2026-09-20")),
        UnreviewedIncident(1, "INC-2", "sev1", D("2026-10-01"), D("2026-09-20")),
    )
    assert [u.id for u in incidents_since_review(doc, TODAY, "sev4")] == ["INC-3", "INC-2"]
    assert [u.id for u in incidents_since_review(doc, D("2026-11-01"))] == ["INC-2"]
    # no review, or one in the future (MG200's), judges nothing
    assert incidents_since_review(DOC, TODAY) == ()
    future = dict(DOC, review={"last_reviewed": D("2026-12-20")})
    assert incidents_since_review(future, TODAY) == ()


def test_the_repo_predicate_confines_paths(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "models" / "fraud" / "docs").mkdir(parents=True)
    (root / "models" / "fraud" / "docs" / "pm.md").write_text("# pm\n")
    (root / "shared.md").write_text("# shared\n")
    (tmp_path / "outside.md").write_text("secret\n")
    (root / "models" / "fraud" / "docs" / "out.md").symlink_to(tmp_path / "outside.md")
    exists = repo_predicate(WorktreeView(root), "models/fraud")
    assert exists("docs/pm.md") and exists("docs/pm.md#timeline") and exists("../../shared.md")
    assert not exists("docs/missing.md")
    assert not exists("../../../outside.md")
    assert not exists("docs/out.md")  # a symlink out of the repository
    assert not exists(str(tmp_path / "outside.md"))
    assert not exists("docs")  # a folder is not a document
    assert exists("https://wiki.example.com/pm") and not exists("https://")


# -- end to end ----------------------------------------------------------------------

INCIDENT = "postmortem: docs/postmortems/2026-09-14-false-declines.md"


def _check(path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", str(path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, list(json.loads(result.stdout)["findings"])


def _of(findings: list[dict[str, Any]], rule: str) -> list[tuple[str, int, str]]:
    return [(f["pointer"], f["line"], f["message"]) for f in findings if f["rule"] == rule]


def test_a_postmortem_symlinked_out_of_the_repository(make_repo: Any, tmp_path: Path) -> None:
    r = make_repo(example=COMPLIANT)
    outside = tmp_path / "outside.md"
    outside.write_text("# not ours\n")
    pm = r.path / "docs" / "postmortems" / "2026-09-14-false-declines.md"
    pm.unlink()
    pm.symlink_to(outside)
    code, findings = _check(r.path)
    assert code == 1
    ((pointer, line, message),) = _of(findings, "MG190")
    assert (pointer, line) == ("/incidents/0/postmortem", 85)
    assert "leads outside the repository (due by 2026-09-28)" in message
    assert "not ours" not in json.dumps(findings)
    # committed as a symlink and judged from git objects: the same verdict
    pm.unlink()
    pm.symlink_to("../../../outside.md")
    r.commit("post-mortem as a symlink", date="2026-11-02")
    _, findings = _check(r.path, "--rev", "HEAD")
    assert [(p, ln) for p, ln, _ in _of(findings, "MG190")] == [("/incidents/0/postmortem", 85)]


def test_a_postmortem_added_long_after_the_incident_counts(make_repo: Any) -> None:
    """What is judged is that the document exists, not when it was committed."""
    r = make_repo(example=COMPLIANT)
    pm = "docs/postmortems/2026-09-14-false-declines.md"
    text = (r.path / pm).read_text(encoding="utf-8")
    (r.path / pm).unlink()
    r.commit("declare the model, post-mortem still to write", date="2026-09-15")
    first = r.git("rev-parse", "HEAD").strip()
    code, findings = _check(r.path)
    assert code == 1
    assert [(p, ln) for p, ln, _ in _of(findings, "MG190")] == [("/incidents/0/postmortem", 85)]
    r.write(pm, text)
    r.commit("the post-mortem, written up at last", date="2026-11-29")
    assert _check(r.path) == (0, [])
    assert _check(r.path, "--rev", "HEAD") == (0, [])
    # the earlier commit, judged as it was, still lacks it
    _, findings = _check(r.path, "--rev", first)
    assert [p for p, _, _ in _of(findings, "MG190")] == ["/incidents/0/postmortem"]


def test_the_compliant_example_under_every_pack() -> None:
    """Its incident has its post-mortem and done action item, its override is complete and
    its review is newer than the incident (strict fails it for its unsigned approvals and one monitor per signal only)."""
    for pack in ("default", "strict", "minimal"):
        result = run_cli("check", str(COMPLIANT), "--policy", pack, "--format", "json")
        findings = json.loads(result.stdout)["findings"]
        assert {f["rule"] for f in findings} <= (
            {"MG141", "MG153"} if pack == "strict" else set()
        ), pack
        assert result.exit_code == (1 if pack == "strict" else 0), pack


def test_the_broken_example_has_no_override() -> None:
    code, findings = _check(BROKEN)
    assert code == 1
    ((pointer, line, message),) = _of(findings, "MG193")
    assert (pointer, line) == ("/override", 2)
    assert message == (
        "`override` is missing: a high-risk model that cannot be switched off without a "
        "meeting has no operating model"
    )


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ("{min_severity: sev9}", "rules.MG190.options.min_severity must be one of sev1, sev2"),
        ("{min_severity: {high: critical}}", "rules.MG190.options.min_severity.high must be one"),
        ("{due_days: -1}", "rules.MG190.options.due_days must be a whole number of days"),
    ],
)
def test_a_pack_with_a_bad_option_is_a_config_error(
    tmp_path: Path, options: str, said: str
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(f"extends: default\nrules:\n  MG190: {{options: {options}}}\n")
    result = run_cli("check", str(COMPLIANT), "--policy", str(pack))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert "Traceback" not in result.stderr

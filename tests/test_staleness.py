"""Stale declarations, end to end: real repositories with dated commits, the CLI, JSON.

Each rule of issue 3 fires on a real repository here and stays quiet on the
compliant example: MG202 code-changed, MG203 history-shallow, MG204
owner-handoff, MG205 person-inactive, MG206 codeowners, plus --rev/--as-of,
references that lead out through symlinks, and waivers of history findings.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLIANT, git_env, run_cli

SAM = "Sam Lee <sam.lee@example.com>"
DANA = "Dana Okafor <dana.okafor@example.com>"
EXAMPLE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
#: The example as last reviewed on 2026-09-01 (within the 90 days a high-risk model
#: allows on 2026-11-30): code changed after that review is not covered by it (MG202).
#: Its incident is moved before that review, which would otherwise be older than the
#: incident (MG207).
DECLARED = EXAMPLE.replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-09-01").replace(
    "    date: 2026-09-14\n", "    date: 2026-08-14\n"
)
HANDOFF = re.compile(r"  handoff:.*\n(    .*\n)+")
ROSTER = (
    "email,status,name,github\n"
    "dana.okafor@example.com,active,Dana Okafor,danaok\n"
    "sam.lee@example.com,left,Sam Lee,samlee\n"
    "priya.natarajan@example.com,active,Priya Natarajan,\n"
    "ops-lead@example.com,active,Ops Lead,\n"
    "counsel@example.com,active,Counsel,\n"
)


def check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def found(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def owned_by(email: str, *, handoff: bool = True) -> str:
    text = EXAMPLE.replace("  email: dana.okafor@example.com\n", f"  email: {email}\n", 1)
    return text if handoff else HANDOFF.sub("", text)


@pytest.fixture
def stale_repo(make_repo: Any) -> Any:
    """The compliant example, declared on 2026-06-01 (reviewed 2026-09-01), then its code
    kept changing."""
    r = make_repo(example=COMPLIANT)
    r.write("model.yaml", DECLARED)
    r.commit("declare fraud-scorer", date="2026-06-01", author=DANA)
    r.write("src/fraud/score.py", "THRESHOLD = 0.8\n")
    r.write("training/fraud/train.py", "EPOCHS = 3\n")
    r.commit("Tune fraud threshold", date="2026-09-14", author=SAM)
    r.write("src/fraud/score.py", "THRESHOLD = 0.85\n")
    r.commit("Retrain on October data", date="2026-10-01", author=DANA)
    r.write("docs/notes.md", "outside the model's paths\n")
    r.commit("Notes", date="2026-11-01", author=DANA)
    return r


# -- MG202 code-changed -------------------------------------------------------------


def test_code_changed_after_the_declaration(stale_repo: Any) -> None:
    code, report = check(stale_repo.path)
    assert code == 1
    (f,) = found(report, "MG202")
    assert (f["severity"], f["repo_path"], f["pointer"], f["line"], f["col"]) == (
        "error",
        "model.yaml",
        "/paths",
        9,
        1,
    )
    log = stale_repo.git("log", "--format=%H %s").splitlines()
    sha = {line.split(" ", 1)[1]: line.split(" ", 1)[0][:8] for line in log}
    assert f["message"] == (
        "the code under `paths` changed in 2 commits since model.yaml last changed what it "
        f"declares, in {sha['declare fraud-scorer']} on 2026-06-01, and since its last review on "
        "2026-09-01 (`review.last_reviewed`); the oldest is 77 days old, past the "
        f"14-day grace period: {sha['Retrain on October data']} 2026-10-01 {DANA} "
        f'"Retrain on October data" (src/fraud/score.py); {sha["Tune fraud threshold"]} '
        f'2026-09-14 {SAM} "Tune fraud threshold" (src/fraud/score.py, training/fraud/train.py)'
    )
    assert "commit the updated model.yaml" in f["hint"]


def test_message_caps_commits_and_files(stale_repo: Any) -> None:
    stale_repo.write(
        ".modelgov.yaml", "rules:\n  MG202:\n    options: {max_commits: 1, max_files: 1}\n"
    )
    _, report = check(stale_repo.path)
    (f,) = found(report, "MG202")
    assert f["message"].endswith('"Retrain on October data" (src/fraud/score.py); and 1 more')
    stale_repo.write(
        ".modelgov.yaml", "rules:\n  MG202:\n    options: {max_commits: 5, max_files: 1}\n"
    )
    (f,) = found(check(stale_repo.path)[1], "MG202")
    assert '"Tune fraud threshold" (src/fraud/score.py +1 more)' in f["message"]


def test_code_changed_within_the_grace_period(make_repo: Any) -> None:
    r = make_repo(example=COMPLIANT)
    r.commit("declare", date="2026-11-01")
    r.write("src/fraud/score.py", "THRESHOLD = 0.8\n")
    r.commit("tune", date="2026-11-20")
    code, report = check(r.path)
    assert code == 0 and found(report, "MG202") == []
    # the grace period is an option per tier
    r.write(".modelgov.yaml", "rules:\n  MG202:\n    options:\n      grace_days: {high: 7}\n")
    (f,) = found(check(r.path)[1], "MG202")
    assert "the oldest is 10 days old, past the 7-day grace period" in f["message"]


def test_a_cosmetic_edit_does_not_clear_it(stale_repo: Any) -> None:
    """Comments, whitespace and key order are not what the declaration says: neither an
    uncommitted nor a committed edit of them counts as the declaration catching up."""
    touched = DECLARED.replace("review:\n", "# touched\nreview:\n").replace(
        "  last_reviewed: 2026-09-01\n  reviewed_by: dana.okafor@example.com\n",
        "  reviewed_by: dana.okafor@example.com\n  last_reviewed: '2026-09-01'\n",
    )
    assert touched.count("# touched") == 1 and "last_reviewed: '2026-09-01'" in touched
    touched = touched.replace("max_minutes: 15 ", "max_minutes:    15 ")
    stale_repo.write("model.yaml", touched + "\n# touched again\n")
    (f,) = found(check(stale_repo.path)[1], "MG202")
    assert "(its uncommitted edit did not change what it declares)" in f["message"]
    stale_repo.commit("touch the declaration", date="2026-11-20")
    touch = stale_repo.git("rev-parse", "--short=8", "HEAD").strip()
    (f,) = found(check(stale_repo.path)[1], "MG202")
    assert (
        f"on 2026-06-01 (a later edit, {touch} on 2026-11-20, did not change what it declares), "
        "and since its last review on 2026-09-01" in f["message"]
    )
    assert "the oldest is 77 days old" in f["message"]


def test_updating_the_declaration_clears_it(stale_repo: Any) -> None:
    stale_repo.write(
        "model.yaml", DECLARED.replace("last_reviewed: 2026-09-01", "last_reviewed: 2026-11-25")
    )
    # modified in the work tree, and what it declares changed: counts as updated now
    assert found(check(stale_repo.path)[1], "MG202") == []
    # --staged judges the index: not staged yet, still stale
    assert len(found(check(stale_repo.path, "--staged")[1], "MG202")) == 1
    stale_repo.git("add", "model.yaml")
    assert found(check(stale_repo.path, "--staged")[1], "MG202") == []
    stale_repo.commit("review after retrain", date="2026-11-25")
    code, report = check(stale_repo.path)
    assert code == 0 and found(report, "MG202") == []


def test_stale_code_days_is_a_fact(stale_repo: Any) -> None:
    import datetime as dt

    from modelgov.engine.paths import Request, judge_path
    from modelgov.policy import load_policy
    from modelgov.registry import full
    from modelgov.results import Ages

    policy = load_policy(None, full())
    (target,) = judge_path(stale_repo.path, Request(today=dt.date(2026, 11, 30)), lambda c: policy)
    assert target.models[0].ages == Ages(review=90, drill=49, stale_code=77)


def test_monorepo_and_renamed_model(make_repo: Any) -> None:
    r = make_repo()
    r.copy_example(COMPLIANT, into="models/fraud")
    r.copy_example(COMPLIANT, into="models/churn")
    r.write("models/fraud/model.yaml", DECLARED)
    r.write("models/churn/model.yaml", DECLARED)
    r.commit("two models", date="2026-06-01")
    r.git("mv", "models/churn", "models/retention")
    r.commit("rename churn to retention", date="2026-07-01")
    r.write("models/fraud/src/fraud/score.py", "x = 1\n")
    r.commit("fraud code", date="2026-09-02", author=SAM)
    r.write("models/retention/src/fraud/score.py", "x = 2\n")
    r.commit("retention code", date="2026-11-25", author=SAM)
    _, report = check(r.path)
    stale = found(report, "MG202")
    assert [(f["repo_path"], f["line"]) for f in stale] == [("models/fraud/model.yaml", 9)]
    assert '"fraud code" (models/fraud/src/fraud/score.py)' in stale[0]["message"]
    assert "retention" not in stale[0]["message"]


def test_no_history_no_judgement(make_repo: Any, tmp_path: Path) -> None:
    # no commits yet: everything is new
    r = make_repo(example=COMPLIANT)
    code, report = check(r.path)
    assert code == 0 and report["findings"] == []
    # outside git: nothing to judge
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "model.yaml").write_text(EXAMPLE)
    for sub in ("docs", "src", "training"):
        subprocess.run(["cp", "-r", str(COMPLIANT / sub), str(plain)], check=True)
    code, report = check(plain)
    assert code == 0 and report["findings"] == []


def test_git_processes_do_not_grow_with_models(make_repo: Any, monkeypatch: Any) -> None:
    """Count real git processes per run: one walk serves every model."""
    calls: list[list[str]] = []
    real = subprocess.Popen  # every process, also those subprocess.run starts

    def counting(args: Any, **kw: Any) -> Any:
        calls.append(list(args))
        return real(args, **kw)

    monkeypatch.setattr(subprocess, "Popen", counting)

    def processes(n: int, *extra: str) -> list[str]:
        r = make_repo(f"mono{n}{len(extra)}")
        for i in range(n):
            r.copy_example(COMPLIANT, into=f"models/m{i}")
        r.commit("models", date="2026-11-01")
        calls.clear()
        check(r.path, *extra)
        return [c[2] for c in calls]  # ["git", "--no-pager", SUBCOMMAND, ...]

    # one cat-file process reads the trees, the models, a short history and old versions
    one, six = processes(1), processes(6)
    assert one == six == ["ls-files", "cat-file"]
    rev = ["rev-parse", "cat-file"]
    assert processes(1, "--rev", "HEAD") == processes(6, "--rev", "HEAD") == rev
    staged = ["ls-files", "cat-file"]
    assert processes(1, "--staged") == processes(6, "--staged") == staged
    # history is only computed when a rule that needs it is enabled
    assert processes(2, "--policy", "minimal") == ["ls-files"]


# -- MG203 history-shallow ----------------------------------------------------------


def shallow(src: Path, dest: Path, depth: int) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--no-local", f"--depth={depth}", f"file://{src}", str(dest)],
        check=True,
        env=git_env(),
        capture_output=True,
    )
    return dest


def test_shallow_clone_is_never_a_silent_pass(stale_repo: Any, tmp_path: Path) -> None:
    clone = shallow(stale_repo.path, tmp_path / "ci", 1)
    code, report = check(clone)
    assert code == 0  # a warning: the run does not fail by default...
    (f,) = found(report, "MG203")
    # located at the top of the declaration (its first key, after the comment header)
    assert (f["severity"], f["pointer"], f["line"], f["col"]) == ("warning", "", 5, 1)
    assert f["message"].startswith("the git history is too shallow to judge this declaration: ")
    assert (
        "model.yaml did not change since 2026-11-01, where the shallow history ends" in f["message"]
    )
    assert "(MG202)" in f["message"]
    assert "fetch-depth: 0" in f["hint"]
    assert found(report, "MG202") == []
    # ...but strict fails it
    assert run_cli("check", str(clone), "--policy", "strict").exit_code == 1


def test_shallow_clone_judges_what_it_can_see(stale_repo: Any, tmp_path: Path) -> None:
    clone = shallow(stale_repo.path, tmp_path / "ci", 3)
    _, report = check(clone)
    (stale,) = found(report, "MG202")
    assert (
        "model.yaml last changed what it declares, before the shallow history starts"
        in stale["message"]
    )
    assert '"Retrain on October data"' in stale["message"]
    assert '"Tune fraud threshold"' not in stale["message"]  # the boundary: not a change
    # the boundary (2026-09-14) is after the last review (2026-09-01): a gap
    assert len(found(report, "MG203")) == 1
    # depth 4 reaches the first commit (2026-06-01); git cannot tell it has no parents, but
    # whatever lies beyond it is older than the last review (2026-09-01): nothing unjudged
    _, report = check(shallow(stale_repo.path, tmp_path / "four", 4))
    assert found(report, "MG203") == []
    assert "2 commits" in found(report, "MG202")[0]["message"]
    # deep enough (git records no shallow boundary): nothing to warn about
    _, report = check(shallow(stale_repo.path, tmp_path / "deep", 50))
    assert found(report, "MG203") == []
    assert "2 commits" in found(report, "MG202")[0]["message"]


def test_unreadable_history_fails_closed(stale_repo: Any) -> None:
    """MG202 is an error: a judgement it could not make is an error too, not a pass."""
    tree = stale_repo.git("rev-parse", "HEAD~2^{tree}").strip()
    (stale_repo.path / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    code, report = check(stale_repo.path)
    assert code == 1
    (f,) = found(report, "MG202")
    assert (f["severity"], f["pointer"], f["line"]) == ("error", "/paths", 9)
    assert f["message"].startswith(
        "the code under `paths` was not compared with the declaration: the git history "
        "could not be read (git log failed"
    )
    assert "git fsck" in f["hint"]
    assert found(report, "MG203") == []  # one problem, one finding
    # the owner's handoff is recorded in full: nothing MG204 could have found
    assert found(report, "MG204") == []


# -- MG204 owner-handoff ------------------------------------------------------------


@pytest.fixture
def handed_over(make_repo: Any) -> Any:
    r = make_repo(example=COMPLIANT)
    r.write("model.yaml", owned_by("sam.lee@example.com", handoff=False))
    r.commit("declare", date="2026-01-10", author=SAM)
    r.write("model.yaml", owned_by("dana.okafor@example.com", handoff=False))
    r.commit("Dana owns fraud-scorer", date="2026-03-01", author=DANA)
    return r


def test_owner_change_without_handoff(handed_over: Any) -> None:
    code, report = check(handed_over.path)
    assert code == 1
    (f,) = found(report, "MG204")
    sha = handed_over.git("rev-parse", "--short=8", "HEAD").strip()
    assert (f["pointer"], f["line"], f["col"]) == ("/owner/email", 15, 10)
    assert f["message"] == (
        "git history shows the owner changed from sam.lee@example.com to "
        f"dana.okafor@example.com in {sha} on 2026-03-01 by {DANA}, but `owner.handoff` "
        "does not record the handoff"
    )
    assert "from: sam.lee@example.com" in f["hint"]


def test_owner_change_with_a_complete_handoff(handed_over: Any) -> None:
    handed_over.write("model.yaml", EXAMPLE)
    handed_over.commit("record the handoff", date="2026-03-02")
    code, report = check(handed_over.path)
    assert code == 0 and found(report, "MG204") == []


def test_handoff_that_names_the_wrong_person_or_no_document(handed_over: Any) -> None:
    text = EXAMPLE.replace("    from: sam.lee@example.com", "    from: someone@example.com")
    text = text.replace("docs/handoff/fraud-scorer-2026-03.md", "docs/handoff/missing.md")
    handed_over.write("model.yaml", text)
    _, report = check(handed_over.path)
    mg204 = {f["pointer"]: f for f in found(report, "MG204")}
    assert set(mg204) == {"/owner/handoff/from", "/owner/handoff/document"}
    assert mg204["/owner/handoff/from"]["line"] == 19
    assert (
        "`owner.handoff.from` records 'someone@example.com'"
        in mg204["/owner/handoff/from"]["message"]
    )
    doc = mg204["/owner/handoff/document"]
    assert doc["line"] == 21
    assert "handoff document 'docs/handoff/missing.md' does not exist" in doc["message"]


def test_uncommitted_owner_change_needs_a_handoff(make_repo: Any) -> None:
    r = make_repo(example=COMPLIANT)
    r.write("model.yaml", owned_by("sam.lee@example.com", handoff=False))
    r.commit("declare", date="2026-11-01", author=SAM)
    r.write("model.yaml", owned_by("dana.okafor@example.com", handoff=False))
    (f,) = found(check(r.path)[1], "MG204")
    assert f["message"].startswith(
        "git history shows the owner changed from sam.lee@example.com to "
        "dana.okafor@example.com in this uncommitted version"
    )


def test_owner_history_follows_renames(handed_over: Any) -> None:
    handed_over.git("mv", "model.yaml", "fraud.model.yaml")
    handed_over.git("mv", "fraud.model.yaml", "model.yml")
    handed_over.commit("rename", date="2026-04-01")
    (f,) = found(check(handed_over.path)[1], "MG204")
    assert f["repo_path"] == "model.yml" and "from sam.lee@example.com" in f["message"]


# -- MG205 person-inactive ----------------------------------------------------------


@pytest.fixture
def declared(make_repo: Any) -> Any:
    r = make_repo(example=COMPLIANT)
    r.commit("declare", date="2026-11-01")
    return r


def test_people_who_left_or_are_unknown(declared: Any, tmp_path: Path) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text(
        ROSTER.replace("dana.okafor@example.com,active", "dana.okafor@example.com,left").replace(
            "ops-lead@example.com,active,Ops Lead,\n", ""
        )
    )
    code, report = check(declared.path, "--roster", str(roster))
    assert code == 1
    got = {(f["pointer"], f["line"]): f["message"] for f in found(report, "MG205")}
    assert got == {
        ("/owner/email", 15): f"owner dana.okafor@example.com has left (roster {roster}, line 2)",
        ("/deploy/approvers/1/email", 63): (
            f"deploy approver (reliability) ops-lead@example.com is not in the roster {roster}"
        ),
        ("/retraining/owner", 93): (
            f"retraining owner dana.okafor@example.com has left (roster {roster}, line 2)"
        ),
        ("/review/reviewed_by", 98): (
            f"reviewer dana.okafor@example.com has left (roster {roster}, line 2)"
        ),
    }


def test_yaml_roster_from_the_config_and_waiver_approvers(declared: Any) -> None:
    declared.write(
        "people.yaml",
        "people:\n"
        "  - {email: dana.okafor@example.com, status: active}\n"
        "  - {email: priya.natarajan@example.com, status: active}\n"
        "  - {email: ops-lead@example.com, status: active}\n"
        "  - {email: counsel@example.com, status: active}\n"
        "  - {email: old.boss@example.com, status: LEFT}\n",
    )
    declared.write(".modelgov.yaml", "roster: people.yaml\n")
    assert check(declared.path)[0] == 0
    declared.write(
        "model.yaml",
        EXAMPLE.replace(
            "waivers: []",
            "waivers:\n  - {rule: MG131, reason: x, approved_by: old.boss@example.com, "
            "expires: 2026-12-15}",
        ),
    )
    (f,) = found(check(declared.path)[1], "MG205")
    assert f["pointer"] == "/waivers/0/approved_by"
    assert "approver of waiver #1 old.boss@example.com has left" in f["message"]
    assert "people.yaml, line 6" in f["message"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "people.csv",
            "mail,state\nx@example.com,active\n",
            "line 1: the header has no email or status column",
        ),
        (
            "people.csv",
            "email,status\na@example.com,active\nb@example.com,retired\n",
            "line 3: `status` of b@example.com is 'retired'; use active or left",
        ),
        ("people.csv", "email,status\nnot-an-email,active\n", "line 2: `email` is 'not-an-email'"),
        (
            "people.csv",
            "email,status\na@example.com,active\nA@example.com,left\n",
            "line 3: a@example.com is listed again with status 'left' (line 2 says 'active')",
        ),
        (
            "people.yaml",
            "- email: a@example.com\n  status: active\n- email: b@example.com\n",
            "line 3: `status` of b@example.com is missing",
        ),
        ("people.yaml", "people: [a, b\n", "line 2: not valid YAML"),
        ("people.yaml", "just a string\n", "line 1: expected a list of people"),
    ],
)
def test_bad_roster_is_a_config_error(
    declared: Any, tmp_path: Path, name: str, text: str, message: str
) -> None:
    roster = tmp_path / name
    roster.write_text(text)
    result = run_cli("check", str(declared.path), "--roster", str(roster))
    assert result.exit_code == 2
    assert f"modelgov: error: roster {roster}, {message}" in result.stderr


def test_missing_roster_file(declared: Any, tmp_path: Path) -> None:
    result = run_cli("check", str(declared.path), "--roster", str(tmp_path / "nope.csv"))
    assert (
        result.exit_code == 2
        and "roster file" in result.stderr
        and "does not exist" in result.stderr
    )


# -- MG206 codeowners ---------------------------------------------------------------


def test_owner_must_be_a_code_owner(declared: Any, tmp_path: Path) -> None:
    declared.write(
        ".github/CODEOWNERS",
        "# default owners\n* @acme/platform\n/docs/ counsel@example.com\n",
    )
    code, report = check(declared.path)
    assert code == 0  # a warning by default
    (f,) = found(report, "MG206")
    assert (f["severity"], f["pointer"], f["line"]) == ("warning", "/owner/email", 15)
    assert f["message"] == (
        "the owner dana.okafor@example.com is not a code owner of model.yaml: "
        ".github/CODEOWNERS line 2 (`*`) names @acme/platform (teams cannot be resolved "
        "offline; list the owner or set allow_teams)"
    )
    # the last matching pattern wins; an email entry matches
    declared.write(
        ".github/CODEOWNERS", "* @acme/platform\n*.yaml dana.okafor@example.com\n/src/ @x\n"
    )
    assert found(check(declared.path)[1], "MG206") == []
    # a @handle matches through the roster's github column
    declared.write(".github/CODEOWNERS", "* @acme/platform\n/model.yaml @DanaOK\n")
    roster = tmp_path / "people.csv"
    roster.write_text(ROSTER)
    assert found(check(declared.path)[1], "MG206") != []
    assert found(check(declared.path, "--roster", str(roster))[1], "MG206") == []
    # strict makes it an error
    assert run_cli("check", str(declared.path), "--policy", "strict").exit_code == 1


def test_codeowners_locations_and_uncovered_path(make_repo: Any) -> None:
    r = make_repo()
    r.copy_example(COMPLIANT, into="models/fraud")
    r.write("docs/CODEOWNERS", "/models/churn/ dana.okafor@example.com\n")
    r.commit("declare", date="2026-11-01")
    (f,) = found(check(r.path)[1], "MG206")
    assert f["message"].startswith(
        "no rule in docs/CODEOWNERS covers models/fraud/model.yaml, so the owner"
    )
    r.write("CODEOWNERS", "/models/ dana.okafor@example.com\n")  # the root one comes first
    assert found(check(r.path)[1], "MG206") == []


def test_codeowners_patterns() -> None:
    from modelgov.people import parse_codeowners

    owners = parse_codeowners(
        "*.py @py  # trailing comment\n"
        "/build/logs/ @logs\n"
        "docs/* @docs\n"
        "apps/ @apps\n"
        "**/deploy @deploy\n"
        "!negated @x\n"
        "/scripts/unowned\n"
        "\\#hash @hash\n",
        "CODEOWNERS",
    )

    def who(path: str) -> tuple[str, ...] | None:
        rule = owners.match(path)
        return rule.owners if rule else None

    assert who("a/b/c.py") == ("@py",)
    assert who("build/logs/x/y.txt") == ("@logs",) and who("x/build/logs/y") is None
    assert who("docs/a.md") == ("@docs",) and who("docs/sub/a.md") is None
    assert who("apps/x") == ("@apps",) and who("deep/apps/x/y") == ("@apps",)
    assert who("a/deploy/x.yaml") == ("@deploy",) and who("deploy") == ("@deploy",)
    assert who("negated") is None
    assert who("scripts/unowned/x") == ()
    assert who("#hash") == ("@hash",)


# -- --rev and --as-of --------------------------------------------------------------


def test_rev_judges_a_commit_from_git_objects(declared: Any) -> None:
    good = declared.git("rev-parse", "HEAD").strip()
    declared.git("rm", "-q", "docs/runbooks/fraud-scorer.md")
    declared.commit("drop the runbook", date="2026-11-10")
    declared.write("model.yaml", "not: [valid yaml\n")  # the work tree is not read
    code, report = check(declared.path, "--rev", "HEAD")
    assert code == 1
    assert {(f["rule"], f["pointer"]) for f in report["findings"]} == {
        ("MG160", "/on_call/runbook"),
        ("MG160", "/rollback/procedure"),
    }
    code, report = check(declared.path, "--rev", good[:10])
    assert code == 0 and report["findings"] == []
    result = run_cli("check", str(declared.path), "--rev", "no-such-branch")
    assert result.exit_code == 2 and "is not a commit" in result.stderr


def test_as_of_picks_the_commit_and_pins_today(make_repo: Any) -> None:
    r = make_repo(example=COMPLIANT)
    early = EXAMPLE.replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-01-15").replace(
        "last_tested: 2026-10-12", "last_tested: 2026-01-20"
    )
    r.write("model.yaml", early)
    r.commit("declare", date="2026-02-01")
    r.write("model.yaml", "broken: [\n")
    r.commit("break it", date="2026-07-01")
    r.write("model.yaml", EXAMPLE)
    r.commit("review", date="2026-11-02")
    assert check(r.path)[0] == 0
    code, report = check(r.path, "--as-of", "2026-03-01")
    assert code == 0 and report["today"] == "2026-03-01"
    code, report = check(r.path, "--as-of", "2026-06-30")
    assert code == 1 and report["today"] == "2026-06-30"
    (f,) = found(report, "MG200")
    assert f["message"].startswith("the last review was 166 days ago (2026-01-15)")
    assert {f["rule"] for f in report["findings"]} == {"MG200", "MG201"}
    code, report = check(r.path, "--as-of", "2026-07-01")
    assert code == 1 and found(report, "MG001")
    result = run_cli("check", str(r.path), "--as-of", "2025-12-31")
    assert result.exit_code == 2
    assert "no commit on or before 2025-12-31" in result.stderr


def test_as_of_judges_code_history_up_to_that_commit(stale_repo: Any) -> None:
    _, report = check(stale_repo.path, "--as-of", "2026-09-20")
    assert found(report, "MG202") == []  # 6 days after the first change: within grace
    (f,) = found(check(stale_repo.path, "--as-of", "2026-10-15")[1], "MG202")
    assert "the oldest is 31 days old" in f["message"]


# -- references that lead out, waivers of history findings ---------------------------


def test_symlinked_runbook_that_leads_out(declared: Any, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("secret\n")
    runbook = declared.path / "docs" / "runbooks" / "fraud-scorer.md"
    runbook.unlink()
    runbook.symlink_to(outside)
    _, report = check(declared.path)
    got = {(f["pointer"], f["message"]) for f in found(report, "MG160")}
    assert got == {
        (
            "/on_call/runbook",
            "runbook 'docs/runbooks/fraud-scorer.md' leads outside the repository",
        ),
        (
            "/rollback/procedure",
            "rollback procedure 'docs/runbooks/fraud-scorer.md' leads outside the repository",
        ),
    }
    # committed as a symlink and judged from git objects (--rev): same verdict
    runbook.unlink()
    runbook.symlink_to("../../../outside.md")
    declared.commit("symlink the runbook", date="2026-11-02")
    _, report = check(declared.path, "--rev", "HEAD")
    assert {f["pointer"] for f in found(report, "MG160")} == {
        "/on_call/runbook",
        "/rollback/procedure",
    }
    assert all("leads outside the repository" in f["message"] for f in found(report, "MG160"))
    # a symlink that stays inside the repository is fine
    runbook.unlink()
    runbook.symlink_to("../handoff/fraud-scorer-2026-03.md")
    declared.commit("symlink inside", date="2026-11-03")
    assert found(check(declared.path, "--rev", "HEAD")[1], "MG160") == []
    assert found(check(declared.path)[1], "MG160") == []


def test_waiver_silences_code_changed_until_it_expires(make_repo: Any) -> None:
    r = make_repo(example=COMPLIANT)
    r.write(
        "model.yaml",
        DECLARED.replace(
            "waivers: []",
            "waivers:\n  - {rule: code-changed, reason: retrain under review in PR 42, "
            "approved_by: ops-lead@example.com, expires: 2026-12-15}",
        ),
    )
    r.commit("declare, with a waiver", date="2026-06-01")
    r.write("src/fraud/score.py", "THRESHOLD = 0.8\n")
    r.commit("tune", date="2026-09-14")
    code, report = check(r.path)
    assert code == 0
    (f,) = found(report, "MG202")
    assert (
        f["waived"]["source"] == "/waivers/0"
        and f["waived"]["approved_by"] == "ops-lead@example.com"
    )
    # expired: an error, and the finding comes back
    code, report = check(r.path, "--today", "2026-12-16")
    assert code == 1
    assert found(report, "MG211")[0]["pointer"] == "/waivers/0/expires"
    assert found(report, "MG202")[0]["waived"] is None

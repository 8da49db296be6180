"""The history walk on real repositories of both layouts the benchmark measures (issue 16).

* *reviewed*: model.yaml updated now and then, code changing in between: the walk
  stops at the last change of the declaration;
* *early*: model.yaml added in the first commit and never changed, code under its
  ``paths`` changing in every commit since (a busy monorepo): every commit is a
  code change MG202 weighs.

Each repository is written by one ``git fast-import`` (bench/orgfixture.py) with
fixed dates, and judged by the real command line; the expected figures are
computed from the recipe, not read back from modelgov.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from modelgov.git.walk import LOG_FORMAT, LogParser, parse_log

sys.path.insert(0, str(ROOT / "bench"))
import orgfixture as of

CODE = ("src/fraud/score.py", "src/fraud/features.py", "training/fraud/train.py")
OTHER = ("README.md", "services/api.py")
START = _dt.datetime(2026, 11, 17, 9, 0)


def _stamp(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def early_repo(path: Path, commits: int) -> list[_dt.datetime]:
    """model.yaml (reviewed 2026-11-17) only in the first commit; code in every later one.
    Returns the dates of the code commits."""
    rng = random.Random(5)
    files: dict[str, str | bytes | None] = dict(of.example_files(of.COMPLIANT))
    files["model.yaml"] = of.model_yaml(reviewed=START.date().isoformat())
    for rel in CODE + OTHER:
        files.setdefault(rel, f"# {rel}\n")
    history = [of.Commit(files, _stamp(START), "import")]
    dates = []
    for i in range(commits - 1):
        when = START + _dt.timedelta(minutes=20 * (i + 1))  # to 2026-11-21 for 300 commits
        change: dict[str, str | bytes | None] = {rng.choice(CODE): f"v = {i}\n"}
        if i % 3 == 0:
            change[rng.choice(OTHER)] = f"v = {i}\n"
        history.append(of.Commit(change, _stamp(when), f"change {i}"))
        dates.append(when)
    of.fast_import(path, history, checkout=True)
    return dates


def reviewed_repo(path: Path, commits: int) -> tuple[_dt.datetime, list[_dt.datetime]]:
    """Code changing every commit, model.yaml reviewed every 50 commits, the last review
    10 commits before the end.  Returns the last review's date and the code dates after it."""
    files: dict[str, str | bytes | None] = dict(of.example_files(of.COMPLIANT))
    files["model.yaml"] = of.model_yaml(reviewed=START.date().isoformat())
    for rel in CODE + OTHER:
        files.setdefault(rel, f"# {rel}\n")
    history = [of.Commit(files, _stamp(START), "import")]
    last_review = START
    after: list[_dt.datetime] = []
    for i in range(commits - 1):
        when = START + _dt.timedelta(minutes=20 * (i + 1))
        if i % 50 == 0 or i == commits - 12:
            day = when.date().isoformat()
            history.append(of.Commit({"model.yaml": of.model_yaml(reviewed=day)}, _stamp(when)))
            last_review, after = when, []
            continue
        history.append(of.Commit({CODE[i % 3]: f"v = {i}\n"}, _stamp(when), f"change {i}"))
        after.append(when)
    of.fast_import(path, history, checkout=True)
    return last_review, after


def _check(repo: Path, today: str) -> tuple[int, dict[str, object]]:
    res = run_cli("check", str(repo), "--today", today, "--format", "json")
    return res.exit_code, json.loads(res.stdout)


def _mg202(report: dict[str, object]) -> list[str]:
    return _messages(report, "MG202")


def _messages(report: dict[str, object], rule: str) -> list[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["message"] for f in findings if f["rule"] == rule]


@pytest.mark.parametrize("commits", [300, pytest.param(3000, marks=pytest.mark.slow)])
def test_early_layout_counts_every_code_change_since_the_review(
    tmp_path: Path, commits: int
) -> None:
    repo = tmp_path / "early"
    dates = early_repo(repo, commits)
    unreviewed = [d for d in dates if d.date() > START.date()]  # 2026-11-17 is reviewed
    oldest = min(unreviewed).date()

    code, report = _check(repo, "2026-11-30")  # the oldest is 12 days old: within grace
    assert code == 0, report
    assert _mg202(report) == []

    code, report = _check(repo, "2026-12-20")  # past the 14-day grace period
    assert code == 1
    (message,) = _mg202(report)
    assert f"changed in {len(unreviewed)} commits since model.yaml last changed" in message
    assert "on 2026-11-17, and since its last review on 2026-11-17" in message
    assert f"the oldest is {(_dt.date(2026, 12, 20) - oldest).days} days old" in message
    assert f"and {len(unreviewed) - 5} more" in message  # max_commits: 5 named


@pytest.mark.parametrize("commits", [300, pytest.param(3000, marks=pytest.mark.slow)])
def test_reviewed_layout_stops_at_the_last_review(tmp_path: Path, commits: int) -> None:
    repo = tmp_path / "reviewed"
    last_review, after = reviewed_repo(repo, commits)
    later = [d for d in after if d.date() > last_review.date()]
    today = (last_review + _dt.timedelta(days=30)).date()
    code, report = _check(repo, today.isoformat())
    if later:
        (message,) = _mg202(report)
        assert f"changed in {len(later)} commit" in message
        assert f"since its last review on {last_review.date()}" in message
    else:  # every later code change was committed on the review's day: covered by it
        assert _mg202(report) == []
    assert code in (0, 1)


def handed_over_repo(path: Path, commits: int) -> None:
    """Sam's model.yaml first; Dana takes over 20 commits later without recording a
    handoff; code in every other commit, Dana's reviews every 50 commits, the last 10
    commits before the end: the change of owner lies far beyond model.yaml's last change."""
    no_handoff = re.sub(r"  handoff:.*\n(?:    .*\n)+", "", of.model_yaml(), count=1)
    files: dict[str, str | bytes | None] = dict(of.example_files(of.COMPLIANT))
    files["model.yaml"] = of.model_yaml(owner="sam.lee@example.com", text=no_handoff)
    history = [of.Commit(files, _stamp(START), "import", "Sam Lee <sam.lee@example.com>")]
    for i in range(1, commits):
        when = START + _dt.timedelta(minutes=10 * i)
        if i == 20 or i % 50 == 0 or i == commits - 10:
            text = of.model_yaml(reviewed=when.date().isoformat(), text=no_handoff)
            history.append(of.Commit({"model.yaml": text}, _stamp(when), f"review {i}"))
            continue
        change: dict[str, str | bytes | None] = (
            {CODE[i % 3]: f"v = {i}\n"} if i % 2 else {OTHER[0]: f"v = {i}\n"}
        )
        history.append(of.Commit(change, _stamp(when), f"change {i}"))
    of.fast_import(path, history, checkout=True)


def test_an_old_change_of_owner_is_found_past_where_the_walk_narrows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MG204 through the command line on a history where the owner changed 1,480 commits
    before model.yaml's last change: the walk goes on with a log of the model files alone
    (walk.NARROW_AFTER) and reports what the wide walk to the end reports."""
    from modelgov.git import walk

    repo = tmp_path / "handed"
    handed_over_repo(repo, 1500)
    narrowed_at: list[str] = []
    owners_only = walk.Walker.owners_only

    def spy(self: walk.Walker) -> str | None:
        found = owners_only(self)
        if found is not None:
            narrowed_at.append(found)
        return found

    monkeypatch.setattr(walk.Walker, "owners_only", spy)
    code, narrowed = _check(repo, "2026-11-30")
    assert code == 1 and len(narrowed_at) == 1  # the walk went on with the narrow log
    messages = _messages(narrowed, "MG204")
    assert len(messages) == 1, messages
    assert "changed from sam.lee@example.com to dana.okafor@example.com" in messages[0]
    assert "on 2026-11-17 by Dana Okafor" in messages[0]
    monkeypatch.setattr(walk, "NARROW_AFTER", 10**9)  # the same walk, wide to the end
    code_wide, wide = _check(repo, "2026-11-30")
    assert (code_wide, wide["findings"]) == (code, narrowed["findings"])


def monorepo_with_a_rename(path: Path, commits: int) -> None:
    """Two models.  models/a starts as Sam's ``model.yml``; Dana takes over (no handoff
    recorded), then the file is renamed to ``model.yaml``; code of both models changes
    throughout, both are reviewed every 50 commits, the last time 10 commits before the
    end.  models/b is the compliant example."""
    no_handoff = re.sub(r"  handoff:.*\n(?:    .*\n)+", "", of.model_yaml(), count=1)
    files: dict[str, str | bytes | None] = {}
    for name in ("a", "b"):
        files.update(of.example_files(of.COMPLIANT, f"models/{name}"))
    del files["models/a/model.yaml"]
    files["models/a/model.yml"] = of.model_yaml(owner="sam.lee@example.com", text=no_handoff)
    history = [of.Commit(files, _stamp(START), "import", "Sam Lee <sam.lee@example.com>")]
    a_name = "models/a/model.yml"
    for i in range(1, commits):
        when = START + _dt.timedelta(minutes=10 * i)
        day = when.date().isoformat()
        change: dict[str, str | bytes | None]
        if i == 20:
            change = {a_name: of.model_yaml(text=no_handoff)}
        elif i == 40:
            change = {a_name: None, "models/a/model.yaml": of.model_yaml(text=no_handoff)}
            a_name = "models/a/model.yaml"
        elif i % 50 == 0 or i == commits - 10:
            change = {
                a_name: of.model_yaml(reviewed=day, text=no_handoff),
                "models/b/model.yaml": of.model_yaml(reviewed=day),
            }
        else:
            change = {f"models/{'ab'[i % 2]}/{CODE[i % 3]}": f"v = {i}\n"}
        history.append(of.Commit(change, _stamp(when), f"change {i}"))
    of.fast_import(path, history, checkout=True)


def _verdicts(findings: list[dict[str, object]], file: str) -> list[tuple[object, ...]]:
    return sorted(
        (f["rule"], f["pointer"], f["line"], f["message"])
        for f in findings
        if f.get("file", file) == file
    )


def test_one_target_several_targets_and_the_audit_judge_a_long_history_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1,200-commit monorepo where models/a's file was renamed after its owner
    changed: judged alone, beside models/b, and by the audit (the committed tree,
    read through the object store), the history rules say the same -- MG204 finds
    Sam behind the rename, past where the walk narrows to the model files."""
    from modelgov.git import walk

    repo = tmp_path / "org" / "mono"
    monorepo_with_a_rename(repo, 1200)
    seen: list[str] = []
    owners_only, hidden_rename = walk.Walker.owners_only, walk.hidden_rename

    def narrowed(self: walk.Walker) -> str | None:
        found = owners_only(self)
        seen.extend(["narrowed"] if found else [])
        return found

    def renamed(*args: Any) -> bool:
        found = hidden_rename(*args)
        seen.extend(["renamed"] if found else [])
        return found

    monkeypatch.setattr(walk.Walker, "owners_only", narrowed)
    monkeypatch.setattr(walk, "hidden_rename", renamed)
    a = "models/a/model.yaml"
    alone = run_cli("check", str(repo / "models" / "a"), "--today", "2026-11-30",
                    "--format", "json", cwd=repo)  # fmt: skip
    both = run_cli("check", ".", "--today", "2026-11-30", "--format", "json", cwd=repo)
    assert alone.exit_code == both.exit_code == 1, alone.stdout + both.stdout
    # each check's literal walk meets the rename -- before or after it narrows, as git's
    # output arrives in pieces -- and is made again; the two-model walk, reading 1,160
    # entries to the rename, narrows (a piece of at most 64 KiB holds ~200 entries)
    assert seen.count("renamed") == 2 and "narrowed" in seen, seen
    one = _verdicts(json.loads(alone.stdout)["findings"], a)
    assert one == _verdicts(json.loads(both.stdout)["findings"], a)
    (mg204,) = [f[3] for f in one if f[0] == "MG204"]
    assert "changed from sam.lee@example.com to dana.okafor@example.com" in str(mg204)
    audit = run_cli("audit", str(tmp_path / "org"), "--today", "2026-11-30",
                    "--format", "json", "--jobs", "1")  # fmt: skip
    assert audit.exit_code == 1, audit.stdout + audit.stderr
    (row,) = [r for r in json.loads(audit.stdout)["models"] if r["path"] == a]
    assert _verdicts(row["findings"], a) == one


def test_streamed_parse_equals_the_whole_parse(tmp_path: Path) -> None:
    """LogParser fed in pieces of any size gives exactly what parse_log gives for the whole
    output (paths decoded once and shared, fields read by count)."""
    repo = tmp_path / "early"
    early_repo(repo, 120)
    # a rename and an odd file name, so two-path entries and escapes are in the log too
    subprocess.run(["git", "mv", "services/api.py", "services/ä pi.py"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "mv"],
        cwd=repo, check=True,
    )  # fmt: skip
    raw = subprocess.run(
        ["git", "log", "--parents", "--raw", "-z", "--no-abbrev", "-M",
         f"--format={LOG_FORMAT}"],
        cwd=repo, capture_output=True, check=True,
    ).stdout  # fmt: skip
    whole = parse_log(raw)
    assert len(whole) == 121
    assert whole[0].changes[0].status == "R"
    assert whole[0].changes[0].path == "services/ä pi.py"
    rng = random.Random(3)
    for _ in range(20):
        parser = LogParser()
        got = []
        i = 0
        while i < len(raw):
            step = rng.choice((1, 2, 7, 40, 41, 333, 4096))
            got += parser.feed(raw[i : i + step])
            i += step
        got += parser.close()
        assert got == whole

"""Case 7: hostile globs -- CODEOWNERS, ``paths`` and ``exclude`` -- cannot make matching hang.

A real git repository whose model.yaml sits under a 200-character folder (one
long segment, or a hundred short ones) and whose CODEOWNERS holds one hostile
pattern is judged by real ``modelgov check`` and ``modelgov audit``
processes.  Each must finish within seconds of CPU with the verdict a correct
matcher gives: the catch-all line decides when the hostile line does not
match the model.yaml (no MG206), the hostile line when it does (MG206 names
it).  modelgov 0.1 compiled each CODEOWNERS line to an unguarded regular
expression, and these patterns backtracked without end there: ``/`` plus
``**/`` thirty times cost seconds and doubled with every ``**/``;
``*a*a*a*a*a*a*a*a*a*a*a*a*c`` against the long folder never finished.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import COMPLIANT, GitRepoBuilder

from ._support import Run, modelgov

CPU_LIMIT = 5.0  # seconds of CPU for the whole process (start-up ~0.3 s; 0.1 backtracked for hours)
TIMEOUT = 30.0  # the process is killed (and the test fails) after this many seconds
TODAY = "2026-11-30"

WIDE = "a" * 200  # one 200-character folder
DEEP = "/".join(["a"] * 100)  # 100 folders, 199 characters
OWNER = "dana.okafor@example.com"

#: (id, folder the model.yaml sits in, hostile CODEOWNERS pattern, does it match the model.yaml?)
PATTERNS: list[tuple[str, str, str, bool]] = [
    ("double-star-x30", DEEP, "/" + "**/" * 30 + "x", False),
    ("double-star-x30-match", DEEP, "/" + "**/" * 30 + "model.yaml", True),
    ("star-a-x12", WIDE, "*a" * 12 + "*c", False),
    ("star-a-x12-match", WIDE, "*a" * 12 + "*", True),
    ("star-a-in-folders", WIDE, "**/" + "*a" * 10 + "*b/**", False),
    ("alternating-double-star", DEEP, "a/**/" * 15 + "x", False),
    ("alternating-double-star-match", DEEP, "a/**/" * 15 + "model.yaml", True),
    ("question-star", WIDE, "**/" + "*?" * 12 + "x", False),
    ("inner-double-star", WIDE, "**a" * 9 + "**c", False),
    ("trailing-slash", WIDE, "*a" * 12 + "*c/", False),
    ("folder-star", DEEP, "/" + "*/" * 40 + "*/", True),
]


def _repo(make_repo: Any, folder: str, codeowners: str) -> GitRepoBuilder:
    """The compliant example under ``folder``, committed, with this CODEOWNERS."""
    repo: GitRepoBuilder = make_repo()
    repo.copy_example(COMPLIANT, into=folder)
    repo.write(".github/CODEOWNERS", codeowners)
    repo.commit("declare fraud-scorer", date="2026-11-02")
    return repo


def _bounded(run: Run) -> None:
    assert run.code == 0, run.describe()
    assert run.cpu < CPU_LIMIT, run.describe()


def _mg206(findings: list[dict[str, Any]]) -> list[str]:
    return [f["message"] for f in findings if f["rule"] == "MG206"]


@pytest.mark.parametrize(
    ("folder", "pattern", "matches"),
    [case[1:] for case in PATTERNS],
    ids=[case[0] for case in PATTERNS],
)
def test_hostile_codeowners_pattern_is_judged_in_seconds(
    make_repo: Any, folder: str, pattern: str, matches: bool
) -> None:
    repo = _repo(make_repo, folder, f"* {OWNER}\n{pattern} @someone-else\n")
    model = f"{folder}/model.yaml"
    expected = (
        [
            f"the owner {OWNER} is not a code owner of {model}: .github/CODEOWNERS line 2 "
            f"(`{pattern}`) names @someone-else"
        ]
        if matches
        else []
    )

    run = modelgov(
        "check", "--today", TODAY, "--format", "json", ".", cwd=repo.path, timeout=TIMEOUT
    )
    _bounded(run)
    report = json.loads(run.stdout)
    assert [m["file"] for m in report["models"]] == [model], run.describe()
    assert _mg206(report["findings"]) == expected, run.describe()
    assert all(f["severity"] != "error" for f in report["findings"]), run.describe()

    run = modelgov(
        "audit", "--today", TODAY, "--format", "json", ".", cwd=repo.path, timeout=TIMEOUT
    )
    _bounded(run)
    (row,) = json.loads(run.stdout)["models"]
    assert (row["path"], row["status"]) == (model, "pass"), run.describe()
    assert _mg206(row["findings"]) == expected, run.describe()


def test_hostile_paths_and_exclude_globs_are_matched_in_seconds(make_repo: Any) -> None:
    """The git dialect: hostile ``paths`` walked over the history, hostile ``exclude``."""
    repo: GitRepoBuilder = make_repo()
    folder = f"{WIDE}/{DEEP}"
    repo.copy_example(COMPLIANT, into=folder)
    hostile = [
        "**/" * 30 + "x",
        "*a" * 12 + "*c",
        "a/**/" * 15 + "x",
        "**/" + "*?" * 12 + "x",
        "**/" + "*a" * 10 + "*b/**",
    ]
    model = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    listed = "".join(f"  - {json.dumps(p)}\n" for p in hostile)
    model = model.replace("paths:", "paths:\n" + listed.rstrip("\n"), 1)
    repo.write(f"{folder}/model.yaml", model)
    repo.write(".modelgov.yaml", "exclude:\n" + "".join(f"  - {json.dumps(p)}\n" for p in hostile))
    repo.write(".github/CODEOWNERS", f"* {OWNER}\n")
    repo.commit("declare fraud-scorer", date="2026-10-01")
    # code under the model's paths changes after the declaration: the history walk
    # matches every changed file against the hostile globs
    for i in range(3):
        repo.write(f"{folder}/src/fraud/{'a' * 150}{i}.py", f"X = {i}\n")
        repo.write(f"{folder}/{'a/' * 60}{'a' * 80}{i}.txt", f"{i}\n")
        repo.commit(f"change {i}", date=f"2026-11-1{i}")

    run = modelgov(
        "check", "--today", TODAY, "--format", "json", ".", cwd=repo.path, timeout=TIMEOUT
    )
    assert run.code == 1, run.describe()  # MG202: code changed after the declaration
    assert run.cpu < CPU_LIMIT, run.describe()
    report = json.loads(run.stdout)
    rules = sorted({f["rule"] for f in report["findings"]})
    assert rules == ["MG161", "MG202"], run.describe()
    unmatched = sorted(f["pointer"] for f in report["findings"] if f["rule"] == "MG161")
    assert unmatched == [f"/paths/{i}" for i in range(len(hostile))], run.describe()

    run = modelgov(
        "audit", "--today", TODAY, "--format", "json", ".", cwd=repo.path, timeout=TIMEOUT
    )
    assert run.cpu < CPU_LIMIT, run.describe()
    (row,) = json.loads(run.stdout)["models"]
    assert (row["status"], row["failing_rules"]) == ("fail", ["MG202"]), run.describe()

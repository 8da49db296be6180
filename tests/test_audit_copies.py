"""A bare mirror and a working clone of the same repository are one row.

Copies are recognised by their locations and ``origin`` remotes (see
modelgov/audit/identity.py), never by holding the same commit: two unrelated
repositories with identical history stay two rows.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import BROKEN, COMPLIANT, GitRepoBuilder, git_env, run_cli
from modelgov.audit.discovery import shard_of


def _git(cwd: Path, *args: str, date: str | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=git_env(date), check=True, capture_output=True)


def _audit(cwd: Path, *args: str) -> dict[str, object]:
    res = run_cli("audit", "org", "--jobs", "1", "--today", "2026-11-30", "--format", "json",
                  *args, cwd=cwd)  # fmt: skip
    assert res.exit_code in (0, 1), res.stderr
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_a_mirror_beside_its_working_clone_is_one_row(make_repo: object, tmp_path: Path) -> None:
    work: GitRepoBuilder = make_repo("org/fraud")  # type: ignore[operator]
    work.copy_example(COMPLIANT)
    work.commit("declare", date="2026-11-02")
    _git(tmp_path / "org", "clone", "-q", "--mirror", "fraud", "fraud-mirror.git")
    report = _audit(tmp_path)
    assert [(m["repo"], m["path"]) for m in report["models"]] == [("org/fraud", "model.yaml")]  # type: ignore[index]
    (repo,) = report["repos"]  # type: ignore[misc]
    assert repo["repo"] == "org/fraud" and repo["bare"] is False
    assert repo["aliases"] == [{"repo": "org/fraud-mirror.git", "commit": repo["commit"]}]
    assert report["summary"]["repos"]["total"] == 1  # type: ignore[index]


def test_copies_at_different_commits_keep_the_newest(make_repo: object, tmp_path: Path) -> None:
    upstream = tmp_path / "upstream.git"
    seed: GitRepoBuilder = make_repo("seed")  # type: ignore[operator]
    seed.copy_example(COMPLIANT)
    seed.commit("declare", date="2026-11-02")
    _git(tmp_path, "clone", "-q", "--bare", "seed", str(upstream))
    org = tmp_path / "org"
    org.mkdir()
    _git(org, "clone", "-q", str(upstream), "behind")
    _git(org, "clone", "-q", str(upstream), "ahead")
    ahead = GitRepoBuilder(org / "ahead")
    ahead.copy_example(BROKEN)
    ahead.commit("break it", date="2026-11-20")
    report = _audit(tmp_path)
    repos = report["repos"]  # type: ignore[index]
    assert [r["repo"] for r in repos] == ["org/ahead"]
    assert repos[0]["aliases"][0]["repo"] == "org/behind"
    assert {m["repo"] for m in report["models"]} == {"org/ahead"}  # type: ignore[index]
    assert report["models"][0]["status"] == "fail"  # type: ignore[index]  # the newest state
    assert repos[0]["remote"].endswith("upstream.git")
    assert repos[0]["committed"] == "2026-11-20T12:00:00Z"


def test_the_same_history_in_unrelated_repositories_is_two_rows(
    make_repo: object, tmp_path: Path
) -> None:
    for name in ("org/one", "org/two"):
        repo: GitRepoBuilder = make_repo(name)  # type: ignore[operator]
        repo.copy_example(COMPLIANT)
        repo.commit("declare", date="2026-11-02")
    report = _audit(tmp_path)
    commits = {r["repo"]: r["commit"] for r in report["repos"]}  # type: ignore[index]
    assert commits["org/one"] == commits["org/two"]  # identical commits...
    assert len(report["models"]) == 2  # type: ignore[arg-type]  # ...of two repositories


def test_shards_fold_copies_like_one_run(make_repo: object, tmp_path: Path) -> None:
    work: GitRepoBuilder = make_repo("org/fraud")  # type: ignore[operator]
    work.copy_example(COMPLIANT)
    work.commit("declare", date="2026-11-02")
    # mirrors until two of the copies are audited by different shards
    names = [f"fraud-{i}.git" for i in range(6)]
    for name in names:
        _git(tmp_path / "org", "clone", "-q", "--mirror", "fraud", name)
    assert len({shard_of(f"org/{n}", 2) for n in names}) == 2
    single = run_cli("audit", "org", "--jobs", "1", "--today", "2026-11-30", "--format", "json",
                     cwd=tmp_path).stdout  # fmt: skip
    parts = []
    for k in (1, 2):
        part = tmp_path / f"shard-{k}.json"
        run_cli("audit", "org", "--jobs", "1", "--today", "2026-11-30", "--shard", f"{k}/2",
                "--output", f"json={part}", cwd=tmp_path)  # fmt: skip
        parts.append(str(part))
    merged = run_cli("audit", "merge", *parts, "--format", "json")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout == single
    assert len(json.loads(single)["repos"]) == 1
    assert len(json.loads(single)["repos"][0]["aliases"]) == 6

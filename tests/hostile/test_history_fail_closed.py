"""A history walk that cannot finish fails closed (issue 15, "a timed-out history walk
turns a stale declaration into a pass").

Before: when `git log` overran its time limit, MG202 (an error) was not judged and
MG203 said so as a warning only: exit 0, and the audit row passed.  Now the rules that
could not judge report it at their own severity, so a stale declaration never passes
because its history was too long to read -- in `check` and in `audit`.

Two constructions: a `git` first on PATH whose `log` outlives the time limit (fast and
deterministic), and the attack as found, a history padded with 200,000 commits (slow).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ._support import modelgov

TODAY = "2026-11-30"
ROOT = Path(__file__).resolve().parents[2]
COMPLIANT = ROOT / "examples" / "compliant"
DECLARED = 1_788_264_000  # 2026-09-01 12:00 UTC, the day of the review the file records
CHANGED = DECLARED + 86_400 * 44  # 2026-10-15: the code changes after the review


def _declaration() -> bytes:
    """The compliant example, reviewed when declared (after its incident, moved to August:
    else the review is older than the incident, MG207), with no owner handoff on record."""
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    text = text.replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-09-01")
    text = text.replace("    date: 2026-09-14\n", "    date: 2026-08-14\n")
    text = re.sub(r"  handoff:.*\n(?:    .*\n)+", "", text, count=1)
    return text.encode("utf-8")


def _fast_import(repo: Path, padding: int) -> None:
    """The compliant example declared, ``padding`` commits of another file, then a change of
    its code: the walk must read the whole history to find the declaration's last change.
    Otherwise the example is compliant, so the history rules alone decide the exit code."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE, env=_git_env()
    )
    assert proc.stdin is not None
    w = proc.stdin.write

    def commit(when: int, message: bytes, files: dict[str, bytes]) -> None:
        w(b"commit refs/heads/main\ncommitter Dana Okafor <dana.okafor@example.com> ")
        w(b"%d +0000\ndata %d\n%s\n" % (when, len(message), message))
        for path, data in files.items():
            w(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))

    files = {
        f.relative_to(COMPLIANT).as_posix(): f.read_bytes()
        for f in sorted(COMPLIANT.rglob("*"))
        if f.is_file()
    }
    files["model.yaml"] = _declaration()
    commit(DECLARED, b"declare", files)
    for i in range(padding):
        commit(DECLARED + 1 + i * 10 // max(padding, 1), b"pad", {"pad.txt": b"%d\n" % i})
    commit(CHANGED, b"tune the threshold", {"src/fraud/score.py": b"THRESHOLD = 0.8\n"})
    proc.stdin.close()
    assert proc.wait() == 0
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True, env=_git_env())


def _git_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}


def _slow_log_git(bin_dir: Path, seconds: float) -> dict[str, str]:
    """A `git` first on PATH whose `log` sleeps ``seconds`` before running the real one."""
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True)
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = log ] && { sleep ' + str(seconds) + "; break; }; done\n"
        f'exec {real.stdout.strip()} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _mg(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def _assert_fails_closed(repo: Path, env: dict[str, str], cwd: Path) -> None:
    run = modelgov("check", str(repo), "--today", TODAY, "--format", "json", cwd=cwd, env=env)
    assert run.code == 1, run.describe()  # it was 0: MG203's warning only
    report = json.loads(run.stdout)
    assert {f["rule"] for f in report["findings"]} == {"MG202", "MG204"}, run.describe()
    (mg202,) = _mg(report, "MG202")
    assert mg202["severity"] == "error" and mg202["pointer"] == "/paths", run.describe()
    assert "the git history could not be read (git log took longer than" in mg202["message"]
    assert "a stale declaration cannot be ruled out" in mg202["message"]
    assert _mg(report, "MG203") == []  # one problem, one finding
    (mg204,) = _mg(report, "MG204")  # no handoff record: an owner change was not checked
    assert mg204["severity"] == "error", run.describe()
    # the audit row fails too (it passed before)
    audit = modelgov(
        "audit", str(repo.parent), "--today", TODAY, "--format", "json", "--jobs", "1",
        cwd=cwd, env=env, timeout=120,
    )  # fmt: skip
    assert audit.code == 1, audit.describe()
    (row,) = [r for r in json.loads(audit.stdout)["models"] if r["path"] == "model.yaml"]
    assert row["status"] == "fail", audit.describe()  # it passed
    assert set(row["failing_rules"]) == {"MG202", "MG204"}, audit.describe()


@pytest.mark.slow  # seconds: run in CI, skipped by -m "not slow"
def test_a_walk_that_overruns_its_time_limit_fails_closed(tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    repo = org / "fraud"
    _fast_import(repo, padding=80)  # longer than the short history read without `git log`
    env = {"MODELGOV_GIT_TIMEOUT": "1", **_slow_log_git(tmp_path / "bin", 5)}
    _assert_fails_closed(repo, env, tmp_path)
    # with time enough, the same repository is judged: the code changed after the declaration
    run = modelgov("check", str(repo), "--today", TODAY, "--format", "json", cwd=tmp_path)
    assert run.code == 1 and {f["rule"] for f in json.loads(run.stdout)["findings"]} == {"MG202"}, (
        run.describe()
    )
    (mg202,) = _mg(json.loads(run.stdout), "MG202")
    assert '"tune the threshold" (src/fraud/score.py)' in mg202["message"], run.describe()


@pytest.mark.slow
def test_a_history_padded_with_200000_commits_fails_closed(tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    repo = org / "fraud"
    _fast_import(repo, padding=200_000)
    # git log reads the 200,000 commits for seconds; the time limit is one second
    _assert_fails_closed(repo, {"MODELGOV_GIT_TIMEOUT": "1"}, tmp_path)

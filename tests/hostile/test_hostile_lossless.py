"""Case 6: modelgov never loses or changes anything.

``check`` (work tree, ``--staged``, ``--rev``, ``--as-of``) and ``audit``
leave every repository byte-identical -- every file of the work tree and of
``.git``, with its mode, owner, size, mtime and ctime.  An audit interrupted
by SIGINT or SIGTERM leaves no half-written report and resumes from the
repositories it finished; a broken repository never stops an audit.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder, git_env

from ._support import modelgov, state_diff, tree_state

pytestmark = pytest.mark.slow  # real audits of many repositories, interrupted by signals


def _git(path: Path, *args: str, date: str = "2026-01-01") -> None:
    subprocess.run(["git", *args], cwd=path, env=git_env(date), check=True, capture_output=True)


# -- byte-identical -------------------------------------------------------------------


def test_check_and_audit_leave_every_repo_byte_identical(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("busy", example=COMPLIANT)
    repo.commit("declare", date="2026-01-01")
    (repo.path / "src" / "fraud" / "score.py").write_text("THRESHOLD = 0.3\n", encoding="utf-8")
    repo.commit("tune", date="2026-03-01")
    repo.git("tag", "v1")
    repo.git("pack-refs", "--all")
    repo.git("config", "core.untrackedCache", "true")
    repo.git("config", "index.version", "4")
    # staged, unstaged and untracked changes, and files racily as new as the index
    repo.write("model.yaml", (COMPLIANT / "model.yaml").read_text(encoding="utf-8") + "\n")
    repo.git("add", "model.yaml")
    repo.write("src/fraud/score.py", "THRESHOLD = 0.4\n")
    repo.write("notes/untracked.md", "untracked\n")
    index = repo.path / ".git" / "index"
    stamp = index.stat().st_mtime_ns
    for rel in ("model.yaml", "src/fraud/score.py"):
        os.utime(repo.path / rel, ns=(stamp, stamp))
    bare = tmp_path / "bare.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(repo.path), str(bare)],
        check=True,
        env=git_env(),
        capture_output=True,
    )
    out = tmp_path / "reports"
    watched = {"worktree": repo.path, "bare": bare}
    before = {name: tree_state(path) for name, path in watched.items()}
    runs = [
        ("check", str(repo.path)),
        ("check", "--staged", str(repo.path)),
        ("check", "--rev", "HEAD~1", str(repo.path)),
        ("check", "--as-of", "2026-02-01", str(repo.path)),
        ("check", "--format", "sarif", "--output", str(out / "check.sarif"), str(repo.path)),
        ("audit", "--jobs", "2", str(repo.path), str(bare), "--format", "json"),
        ("audit", "--jobs", "1", "--as-of", "2026-02-01", str(bare), "--format", "csv"),
    ]
    for args in runs:
        run = modelgov(*args, cwd=tmp_path)
        assert run.code in (0, 1), run.describe()
        for name, path in watched.items():
            changed = state_diff(before[name], tree_state(path))
            assert changed == [], f"modelgov {' '.join(args)} changed the {name} repo: {changed}"


# -- a broken repository never stops an audit ---------------------------------------------


def _break(path: Path, how: str) -> None:
    git_dir = path / ".git"
    if how == "missing-head-ref":
        (git_dir / "HEAD").write_text("ref: refs/heads/nowhere\n")
    elif how == "corrupt-objects":
        for obj in (git_dir / "objects").glob("??/*"):
            obj.chmod(0o644)
            obj.write_bytes(b"not zlib at all")
    elif how == "no-objects":
        shutil.rmtree(git_dir / "objects")
    elif how == "fifo-packed-refs":
        _git(path, "pack-refs", "--all")
        (git_dir / "packed-refs").unlink()
        os.mkfifo(git_dir / "packed-refs")
    elif how == "fifo-in-object-store":
        os.mkfifo(git_dir / "objects" / "info" / "alternates")
    elif how == "gitfile-to-nowhere":
        shutil.rmtree(git_dir)
        (path / ".git").write_text("gitdir: /nonexistent/modules/x\n")
    elif how == "alias-bomb":
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 8)}]" for i in range(1, 9)]
        (path / "model.yaml").write_text("\n".join(lines) + "\n")
        _git(path, "commit", "-qam", "bomb")
    elif how == "regex-bomb-config":
        # A repository's custom rule whose pattern backtracks for ever on its own model.
        (path / ".modelgov.yaml").write_text(
            "custom_rules:\n"
            "  - id: EVIL001\n"
            "    message: never finishes\n"
            "    require:\n"
            "      properties:\n"
            "        description: {pattern: '^(a+)+$'}\n"
        )
        text = (path / "model.yaml").read_text()
        (path / "model.yaml").write_text(
            text.replace("description: Scores", "description: " + "a" * 40 + "! Scores", 1)
        )
        _git(path, "add", ".")
        _git(path, "commit", "-qm", "a custom rule")
    else:
        raise AssertionError(how)


BROKEN = (
    "missing-head-ref",
    "corrupt-objects",
    "no-objects",
    "fifo-packed-refs",
    "fifo-in-object-store",
    "gitfile-to-nowhere",
    "alias-bomb",
    "regex-bomb-config",
)


def _template(tmp: Path) -> Path:
    path = tmp / "template"
    shutil.copytree(COMPLIANT, path)
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", ".")
    _git(path, "commit", "-qm", "init")
    return path


def test_broken_repositories_never_stop_an_audit(tmp_path: Path) -> None:
    template = _template(tmp_path)
    org = tmp_path / "org"
    org.mkdir()
    for name in ("good-1", *BROKEN, "good-2"):
        shutil.copytree(template, org / name, symlinks=True)
        if name in BROKEN:
            _break(org / name, name)
    run = modelgov("audit", "--jobs", "2", str(org), "--format", "json", cwd=tmp_path, timeout=120)
    assert run.wall < 90, run.describe()
    assert run.code == 1, run.describe()
    rows = {Path(r["repo"]).name: r for r in json.loads(run.stdout)["models"]}
    assert rows["good-1"]["status"] == "pass" and rows["good-2"]["status"] == "pass"
    for name in BROKEN:
        assert name in rows, f"{name}: no row: {run.describe()}"
        assert rows[name]["status"] in ("error", "fail"), rows[name]
        if rows[name]["status"] == "error":
            assert rows[name]["reason"] and "Traceback" not in rows[name]["reason"]
    # The repository's own backtracking rule costs it a finding, in audit and in check.
    assert "EVIL001" in rows["regex-bomb-config"]["failing_rules"], rows["regex-bomb-config"]
    check = modelgov("check", "--format", "json", str(org / "regex-bomb-config"), cwd=tmp_path)
    assert check.code == 1 and check.wall < 15, check.describe()
    slow = [f for f in json.loads(check.stdout)["findings"] if f["rule"] == "EVIL001"]
    assert slow and "took longer" in slow[0]["message"], check.describe()


# -- interrupted audits --------------------------------------------------------------------

ORG_SIZE = 40


def _org(tmp: Path) -> Path:
    template = _template(tmp)
    org = tmp / "org"
    org.mkdir()
    for i in range(ORG_SIZE):
        shutil.copytree(template, org / f"repo-{i:02d}", symlinks=True)
    return org


def _session(sid: int) -> list[str]:
    """Live processes of session ``sid`` (zombies waiting for a reaper do not count)."""
    out = subprocess.run(
        ["ps", "-o", "pid=,stat=", "-s", str(sid)], capture_output=True, text=True, check=False
    ).stdout
    return [line.split()[0] for line in out.splitlines() if not line.split()[1].startswith("Z")]


def _journal_entries(journal: Path) -> int:
    try:
        return max(0, len(journal.read_text(encoding="utf-8").splitlines()) - 1)
    except OSError:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_audit_leaves_no_half_report_and_resumes(
    tmp_path: Path, sig: signal.Signals
) -> None:
    org = _org(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    journal = out / "audit.journal"
    args = [
        "audit", str(org), "--jobs", "2", "--timings", "--resume", str(journal),
        "--format", "json", "--output", f"json={out / 'audit.json'}",
        "--output", f"html={out / 'audit.html'}", "--output", f"csv={out / 'audit.csv'}",
    ]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelgov", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while _journal_entries(journal) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the audit finished before it could be interrupted"
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"the audit did not stop on {sig.name}") from None
    assert proc.returncode != 0, "an interrupted audit must not exit 0"
    assert b"Traceback" not in err, err.decode()
    finished = _journal_entries(journal)
    assert 3 <= finished < ORG_SIZE
    # No report at all, never half of one, and no temporary file left beside them.
    leftovers = sorted(p.name for p in out.iterdir() if p.name != journal.name)
    assert leftovers == [], f"left behind after {sig.name}: {leftovers}"
    # No worker outlives the interrupted run (the session holds nothing after a moment).
    alive = _session(proc.pid)
    until = time.monotonic() + 10
    while alive and time.monotonic() < until:
        time.sleep(0.05)
        alive = _session(proc.pid)
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    assert alive == [], f"processes of the interrupted audit still run: {alive}"
    # Resume: only what is left is judged, and the report is the one a fresh run writes.
    resumed = modelgov(*args, cwd=tmp_path, timeout=120)
    assert resumed.code == 0, resumed.describe()
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert len(report["models"]) == ORG_SIZE
    judged_now = len(report["timings"]["repos"]) if "repos" in report.get("timings", {}) else None
    fresh_out = tmp_path / "fresh"
    fresh = modelgov(
        "audit", str(org), "--jobs", "2", "--format", "json", "--output",
        f"json={fresh_out / 'audit.json'}", cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert fresh.code == 0, fresh.describe()
    resumed_report = dict(report)
    resumed_report.pop("timings", None)
    assert resumed_report == json.loads((fresh_out / "audit.json").read_text(encoding="utf-8"))
    assert not journal.exists(), "the journal outlived a finished audit"
    if judged_now is not None:
        assert judged_now <= ORG_SIZE - finished

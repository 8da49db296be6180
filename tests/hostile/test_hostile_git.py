"""Case 1: a repository's git config cannot make modelgov run anything, forge history or hang.

Each test arms a real repository and first proves, with plain git, that the
trap is live (a marker appears, git hangs, the replaced history shows); then
runs the real ``modelgov`` process in every mode that talks to git and
asserts the trap never fired.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder, git_env

from ._support import git, modelgov, state_diff, tree_state

#: Every way modelgov reads a repository through git.
MODES = (("worktree",), ("--staged",), ("--rev", "HEAD"))

HOOKS = (
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
    "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout",
    "post-merge", "pre-push", "pre-receive", "update", "proc-receive", "post-receive",
    "post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc",
    "post-rewrite", "sendemail-validate", "fsmonitor-watchman", "p4-changelist",
    "p4-prepare-changelist", "p4-post-changelist", "p4-pre-submit", "post-index-change",
)  # fmt: skip


def _check_args(mode: tuple[str, ...], repo: Path) -> list[str]:
    extra = [] if mode == ("worktree",) else list(mode)
    return ["check", *extra, "--format", "json", str(repo)]


def _arm(repo: GitRepoBuilder, tmp: Path) -> tuple[Path, list[str]]:
    """Set every command-running key in the repo's own config; return the marker folder."""
    markers = tmp / "markers"
    markers.mkdir()
    evil = tmp / "evil.sh"
    evil.write_text(f'#!/bin/sh\necho "$@" >> "{markers}/$1"\ncat >/dev/null 2>&1 &\nexit 1\n')
    evil.chmod(0o755)

    def run(key: str) -> str:
        return f"{evil} {key}"

    hooks = tmp / "hooks"
    hooks.mkdir()
    for name in HOOKS:
        for folder in (hooks, repo.path / ".git" / "hooks"):
            script = folder / name
            script.write_text(f"#!/bin/sh\n{run('hook-' + name)}\n")
            script.chmod(0o755)
    keys = {
        "core.fsmonitor": run("core.fsmonitor"),
        "core.hooksPath": str(hooks),
        "core.pager": run("core.pager"),
        "core.editor": run("core.editor"),
        "core.askPass": run("core.askPass"),
        "core.sshCommand": run("core.sshCommand"),
        "core.gitProxy": run("core.gitProxy"),
        "core.alternateRefsCommand": run("core.alternateRefsCommand"),
        "core.untrackedCache": "true",
        "core.worktree": str(tmp),
        "sequence.editor": run("sequence.editor"),
        "pager.log": run("pager.log"),
        "pager.ls-files": run("pager.ls-files"),
        "pager.ls-tree": run("pager.ls-tree"),
        "pager.cat-file": run("pager.cat-file"),
        "pager.rev-parse": run("pager.rev-parse"),
        "pager.show": run("pager.show"),
        "diff.external": run("diff.external"),
        "diff.evil.textconv": run("diff.evil.textconv"),
        "diff.evil.command": run("diff.evil.command"),
        "filter.evil.clean": run("filter.evil.clean"),
        "filter.evil.smudge": run("filter.evil.smudge"),
        "filter.evil.process": run("filter.evil.process"),
        "filter.evil.required": "true",
        "merge.evil.driver": run("merge.evil.driver"),
        "gpg.program": run("gpg.program"),
        "gpg.ssh.program": run("gpg.ssh.program"),
        "gpg.x509.program": run("gpg.x509.program"),
        "log.showSignature": "true",
        "credential.helper": "!" + run("credential.helper"),
        "alias.ls-files": "!" + run("alias.ls-files"),
        "alias.mg": "!" + run("alias.mg"),
        "protocol.allow": "always",
        "remote.origin.url": f"ext::sh -c {evil}% remote.origin.url",
        "remote.origin.uploadpack": run("remote.origin.uploadpack"),
        "uploadpack.packObjectsHook": run("uploadpack.packObjectsHook"),
    }
    for key, value in keys.items():
        repo.git("config", key, value)
    # include.path and includeIf: the config a repo pulls in is no safer than its own.
    included = tmp / "included.cfg"
    included.write_text(f"[core]\n\tfsmonitor = {run('include.path')}\n")
    repo.git("config", "include.path", str(included))
    conditional = tmp / "conditional.cfg"
    conditional.write_text(f"[alias]\n\tmgif = !{run('includeIf')}\n")
    repo.git("config", "includeIf.gitdir:/**.path", str(conditional))
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "attributes").write_text("* diff=evil filter=evil merge=evil\n")
    return markers, list(keys)


@pytest.fixture
def armed(make_repo, tmp_path: Path) -> Iterator[tuple[GitRepoBuilder, Path]]:  # type: ignore[no-untyped-def]
    repo = make_repo("victim", example=COMPLIANT)
    repo.write(".gitattributes", "* diff=evil filter=evil merge=evil\n")
    repo.commit("a compliant model, committed before the trap is armed")
    # Stage and leave unstaged changes so every read path has work to do.
    repo.write("notes.md", "staged\n")
    repo.git("add", "notes.md")
    repo.write("scratch.txt", "untracked\n")
    markers, _ = _arm(repo, tmp_path)
    yield repo, markers


def _canary(repo: Path, markers: Path) -> set[str]:
    """Plain git in the armed repo: which traps fire (proves the trap is live)."""
    for args in (
        ("status",),
        ("log", "-p", "-1"),
        ("diff", "--cached"),
        ("commit", "-q", "--allow-empty", "-m", "canary"),
        ("mgif",),
        ("mg",),
    ):
        subprocess.run(["git", *args], cwd=repo, capture_output=True, timeout=20, check=False)
    return {p.name for p in markers.iterdir()}


def test_repo_git_config_runs_nothing_in_any_mode(armed: tuple[GitRepoBuilder, Path]) -> None:
    repo, markers = armed
    before = tree_state(repo.path)
    for mode in MODES:
        run = modelgov(*_check_args(mode, repo.path), cwd=repo.path)
        assert run.code == 0, run.describe()
        report = json.loads(run.stdout)
        assert report["summary"]["models"] == 1, run.describe()
        assert report["summary"]["errors"] == 0, run.describe()
        fired = sorted(p.name for p in markers.iterdir())
        assert fired == [], f"{mode}: the repo's git config ran {fired}"
    assert state_diff(before, tree_state(repo.path)) == []
    # The trap is real: plain git in the same repo runs the repo's programs.
    fired_by_git = _canary(repo.path, markers)
    assert {"include.path", "includeIf", "alias.mg", "filter.evil.process"} <= fired_by_git
    assert any(name.startswith("hook-") for name in fired_by_git), fired_by_git


def test_repo_git_config_runs_nothing_in_audit(
    armed: tuple[GitRepoBuilder, Path], tmp_path: Path
) -> None:
    """Audited in place and cloned from a manifest (file:// URL): nothing runs."""
    repo, markers = armed
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(f"file://{repo.path}\n{repo.path}\n", encoding="utf-8")
    before = tree_state(repo.path)
    run = modelgov(
        "audit",
        "--format",
        "json",
        "--jobs",
        "2",
        "--manifest",
        str(manifest),
        "--cache-dir",
        str(tmp_path / "cache"),
        str(repo.path),
        cwd=tmp_path,
        timeout=60,
    )
    assert run.code == 0, run.describe()
    assert sorted(p.name for p in markers.iterdir()) == []
    assert state_diff(before, tree_state(repo.path)) == []
    report = json.loads(run.stdout)
    rows = report["models"]
    assert rows and all(r["status"] == "pass" for r in rows), run.describe()
    # both were audited; the clone and the work tree are one repository: one row (issue 18)
    names = {r["repo"] for r in report["repos"]} | {
        a["repo"] for r in report["repos"] for a in r["aliases"]
    }
    assert any(n.startswith("file://") for n in names) and str(repo.path) in names, names


# -- replace refs and grafts ----------------------------------------------------


def test_replace_refs_and_grafts_cannot_forge_the_judged_tree(make_repo) -> None:  # type: ignore[no-untyped-def]
    """HEAD holds a broken model.yaml; a replace ref and a graft make git show a good one."""
    repo = make_repo("forged", example=COMPLIANT)
    good = repo.commit("compliant")
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    broken = text.replace("owner:", "former_owner:", 1)
    repo.write("model.yaml", broken)
    bad = repo.commit("drop the owner", date="2026-02-01")
    # A commit with HEAD's message and parent but the compliant tree replaces HEAD.
    good_tree = repo.git("rev-parse", f"{good}^{{tree}}").strip()
    fake = repo.git("commit-tree", good_tree, "-p", good, "-m", "drop the owner").strip()
    repo.git("replace", bad, fake)
    # Plain git now shows the compliant file at HEAD: the forgery is live.
    assert "former_owner" not in git(repo.path, "show", "HEAD:model.yaml")
    assert "former_owner" in git(repo.path, "--no-replace-objects", "show", "HEAD:model.yaml")
    for mode in (("--rev", "HEAD"), ("--rev", bad[:12])):
        run = modelgov("check", *mode, "--format", "json", str(repo.path), cwd=repo.path)
        assert run.code == 1, run.describe()
        rules = {f["rule"] for f in json.loads(run.stdout)["findings"]}
        assert "MG110" in rules, run.describe()  # owner missing: the real HEAD was judged

    # A graft gives HEAD a forged parent with the compliant tree: plain git's HEAD~1
    # is then the forgery; modelgov's HEAD~1 stays the real (broken) commit.
    repo.git("replace", "-d", bad)
    top = repo.commit("touch the readme", date="2026-03-01")
    grafts = repo.path / ".git" / "info" / "grafts"
    grafts.parent.mkdir(exist_ok=True)
    grafts.write_text(f"{top} {fake}\n")
    assert "former_owner" not in git(repo.path, "show", "HEAD~1:model.yaml")
    run = modelgov("check", "--rev", "HEAD~1", "--format", "json", str(repo.path), cwd=repo.path)
    assert run.code == 1, run.describe()
    assert "MG110" in {f["rule"] for f in json.loads(run.stdout)["findings"]}


# -- includes that never end ------------------------------------------------------


@pytest.fixture
def endless_includes(make_repo, tmp_path: Path) -> Iterator[GitRepoBuilder]:  # type: ignore[no-untyped-def]
    repo = make_repo("endless", example=COMPLIANT)
    repo.commit("init")
    silent = tmp_path / "silent.fifo"  # nobody ever writes: open() blocks forever
    os.mkfifo(silent)
    endless = tmp_path / "endless.fifo"  # a writer that never stops: valid config forever
    os.mkfifo(endless)
    writer = subprocess.Popen(
        ["sh", "-c", f"yes '# endless config comment' > '{endless}'"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    zero = tmp_path / "zero.cfg"
    zero.symlink_to("/dev/zero")
    # Written directly: once the first include is in place, git itself would hang here.
    with (repo.path / ".git" / "config").open("a", encoding="utf-8") as fh:
        fh.write(f"[include]\n\tpath = {endless}\n\tpath = {silent}\n\tpath = {zero}\n")
        fh.write(f'[includeIf "gitdir:/**"]\n\tpath = {silent}\n')
    try:
        yield repo
    finally:
        writer.kill()
        writer.wait()


@pytest.mark.slow
def test_config_includes_of_fifos_and_endless_files_do_not_hang(
    endless_includes: GitRepoBuilder,
) -> None:
    repo = endless_includes
    # The trap is real: plain git reads the endless include and never finishes.
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(["git", "status"], cwd=repo.path, capture_output=True, timeout=2)
    for mode in MODES:
        run = modelgov(*_check_args(mode, repo.path), cwd=repo.path, timeout=15)
        assert run.code == 0, run.describe()
        assert run.wall < 10, run.describe()


# -- git's own files as FIFOs, devices and links out ---------------------------------


def _pack_idx(git_dir: Path) -> str:
    return next(p for p in (git_dir / "objects" / "pack").iterdir() if p.suffix == ".idx").name


@pytest.fixture(scope="module")
def internals_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed repo with packed refs, a pack, a commit-graph and a multi-pack-index."""
    path = tmp_path_factory.mktemp("internals") / "repo"
    path.mkdir()
    shutil.copytree(COMPLIANT, path, dirs_exist_ok=True)
    for args in (
        ("init", "-q", "-b", "main"),
        ("add", "."),
        ("commit", "-q", "-m", "init"),
        ("pack-refs", "--all"),
        ("gc", "-q"),
        ("commit-graph", "write", "--reachable"),
        ("multi-pack-index", "write"),
    ):
        subprocess.run(["git", *args], cwd=path, env=git_env(), check=True, capture_output=True)
    return path


WORKTREE, STAGED, REV = MODES
#: A file git or modelgov opens, and the modes that read it.
INTERNALS = (
    (".git/config", (REV,)),  # read by modelgov in Python (object format), never by git
    (".git/HEAD", (REV,)),
    (".git/packed-refs", (REV,)),
    (".git/refs/heads/main", (REV,)),
    (".git/index", (WORKTREE, STAGED)),
    (".git/objects/info/alternates", (STAGED, REV)),
    (".git/objects/info/commit-graph", (REV,)),
    (".git/objects/pack/multi-pack-index", (REV,)),
    (".git/objects/pack/*.idx", (STAGED, REV)),
    (".gitignore", (WORKTREE,)),
    ("docs/.gitignore", (WORKTREE,)),
)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize(("name", "modes"), INTERNALS, ids=[n for n, _ in INTERNALS])
def test_git_internals_that_are_not_files_cannot_hang_or_crash(
    internals_template: Path, tmp_path: Path, name: str, modes: tuple[tuple[str, ...]], kind: str
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(internals_template, repo, symlinks=True)
    rel = name.replace("*.idx", _pack_idx(repo / ".git")) if "*" in name else name
    target = repo / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    for mode in modes:
        run = modelgov(*_check_args(mode, repo), cwd=repo, timeout=20)
        assert run.wall < 15, run.describe()
        # Judged (0) or refused with a clear message (2): never a hang or a crash.
        assert run.code in (0, 2), run.describe()
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr
        if run.code == 2:
            assert run.stderr.startswith("modelgov: error: "), run.describe()
            assert "took longer" not in run.stderr, "git blocked until its time limit"
        assert run.maxrss_mb < 150, run.describe()


# -- ownership ---------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a repo another owner needs root")
def test_repo_owned_by_another_user_is_read_without_safe_directory(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo("foreign", example=COMPLIANT)
    repo.commit("init")
    for dirpath, dirnames, filenames in os.walk(repo.path):
        for name in [*dirnames, *filenames, ""]:
            os.lchown(os.path.join(dirpath, name), 65534, 65534)
    # Plain git refuses the repository ("dubious ownership").
    proc = subprocess.run(["git", "status"], cwd=repo.path, capture_output=True, text=True)
    assert proc.returncode != 0 and "dubious ownership" in proc.stderr
    for mode in MODES:
        run = modelgov(*_check_args(mode, repo.path), cwd=repo.path)
        assert run.code == 0, run.describe()
        assert json.loads(run.stdout)["summary"]["models"] == 1


# -- forged history cannot hide a stale declaration (MG202) -----------------------------


def _mg202(run_stdout: str) -> list[dict[str, object]]:
    return [f for f in json.loads(run_stdout)["findings"] if f["rule"] == "MG202"]


@pytest.mark.parametrize("forgery", ["replace", "graft"])
def test_forged_history_cannot_hide_a_code_change(make_repo, forgery: str) -> None:  # type: ignore[no-untyped-def]
    """The code under `paths` changed after model.yaml; a forgery makes git say it did not."""
    repo = make_repo("stale", example=COMPLIANT)
    # reviewed when declared: a later review date would cover the change (MG202)
    text = (repo.path / "model.yaml").read_text(encoding="utf-8")
    repo.write("model.yaml", text.replace("last_reviewed: 2026-11-02", "last_reviewed: 2026-01-01"))
    declared = repo.commit("declare the model", date="2026-01-01")
    score = repo.path / "src" / "fraud" / "score.py"
    score.write_text(score.read_text(encoding="utf-8") + "\nTHRESHOLD = 0.1\n", encoding="utf-8")
    change = repo.commit("change the scoring threshold", date="2026-02-01")
    tree = repo.git("rev-parse", f"{declared}^{{tree}}").strip()
    if forgery == "replace":
        # A commit with the same parent and message, but the declared tree: no code change.
        fake = repo.git("commit-tree", tree, "-p", declared, "-m", "change the threshold").strip()
        repo.git("replace", change, fake)
    else:
        repo.write("README.md", "readme\n")
        top = repo.commit("readme", date="2026-03-01")
        grafts = repo.path / ".git" / "info" / "grafts"
        grafts.parent.mkdir(exist_ok=True)
        grafts.write_text(f"{top} {declared}\n")  # HEAD's parent is now the declaration
    # The forgery is live: plain git sees no change to src/fraud after the declaration.
    log = git(repo.path, "log", "--format=%H", "--", "src/fraud")
    assert change not in log
    for mode in MODES:
        run = modelgov(*_check_args(mode, repo.path), cwd=repo.path)
        assert run.code == 1, run.describe()
        stale = _mg202(run.stdout)
        assert stale, f"{mode}: the forged history hid the code change: {run.describe()}"
        assert change[:7] in str(stale[0]["message"]), run.describe()

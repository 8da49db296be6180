"""What ``.git`` holds cannot exhaust memory or walk the machine: bytes capped, files streamed.

* A ~200 KB repository whose tree repeats one folder 50 x 50 x 50 times under
  1,000-character names lists 125,000 paths of 3,000 characters: the listing
  caps bytes as well as files (``MODELGOV_MAX_TREE_BYTES``), also when a
  remote serves such a tree to ``audit --manifest``.
* A 60 MB ``packed-refs`` is streamed into the shadow git dir, never read,
  decoded, split and copied whole.
* ``.git/refs`` as a symlink (to ``/usr``, to ``/``) is refused: the ref
  reader lists only folders inside the repository, with a cap on entries and
  a time limit.

Each runs under a hard memory limit (``RLIMIT_AS``) and reports its peak.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder

from ._support import SECRET, modelgov

MEMORY_MB = 1024


def _tree_bomb(repo: GitRepoBuilder, fanout: int = 50, name_chars: int = 1000) -> str:
    """A commit of ``model.yaml`` plus ``bomb/``: fanout^3 files under long names."""
    blob = repo.git("hash-object", "-w", "model.yaml").strip()

    def mktree(lines: list[str]) -> str:
        proc = subprocess.run(
            ["git", "mktree"],
            cwd=repo.path,
            input="".join(lines),
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout.strip()

    pad = "x" * (name_chars - 3)
    tree = mktree([f"100644 blob {blob}\tf{i:02d}{pad}\n" for i in range(fanout)])
    for _ in range(2):
        tree = mktree([f"040000 tree {tree}\td{i:02d}{pad}\n" for i in range(fanout)])
    root = mktree([f"040000 tree {tree}\tbomb\n", f"100644 blob {blob}\tmodel.yaml\n"])
    commit = repo.git("commit-tree", root, "-m", "a tree bomb").strip()
    repo.git("update-ref", "refs/heads/main", commit)
    return commit


def test_a_tree_bomb_is_capped_in_bytes_in_check_and_audit(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("bomb", example=COMPLIANT)
    _tree_bomb(repo)
    size = sum(f.stat().st_size for f in (repo.path / ".git").rglob("*") if f.is_file())
    assert size < 400_000, size  # a small repository ...
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(f"file://{repo.path}\n", encoding="utf-8")
    runs = {
        "check --rev": modelgov(
            "check", "--rev", "HEAD", ".", cwd=repo.path, memory_mb=MEMORY_MB, timeout=60
        ),
        "audit": modelgov(
            "audit", "--jobs", "1", "--format", "json", str(repo.path),
            cwd=tmp_path, memory_mb=MEMORY_MB, timeout=60,
        ),
        "audit --manifest": modelgov(
            "audit", "--jobs", "1", "--format", "json", "--manifest", str(manifest),
            "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path, memory_mb=MEMORY_MB,
            timeout=60,
        ),
    }  # fmt: skip
    for what, run in runs.items():
        assert "internal error" not in run.output and "MemoryError" not in run.output, what
        assert "MODELGOV_MAX_TREE_BYTES" in run.output, (what, run.describe())
        assert run.maxrss_mb < 300, (what, run.describe())  # ... that lists 375 MB of paths
        assert run.wall < 30, (what, run.describe())
    assert runs["check --rev"].code == 2, runs["check --rev"].describe()
    for what in ("audit", "audit --manifest"):
        rows = json.loads(runs[what].stdout)["models"]
        assert [r["status"] for r in rows] == ["error"], (what, rows)


def test_a_smaller_listing_is_read_whole(make_repo) -> None:  # type: ignore[no-untyped-def]
    """The cap is on bytes, not on the kind of tree: 8 x 8 x 8 long names are fine."""
    repo: GitRepoBuilder = make_repo("fine", example=COMPLIANT)
    _tree_bomb(repo, fanout=8, name_chars=200)
    run = modelgov("check", "--rev", "HEAD", "--format", "json", ".", cwd=repo.path)
    assert run.code == 1, run.describe()  # the commit holds no runbooks: findings, no error
    assert json.loads(run.stdout)["summary"]["models"] == 1, run.describe()


def _packed_refs(repo: GitRepoBuilder, megabytes: int) -> int:
    sha = repo.git("rev-parse", "HEAD").strip()
    count = 0
    with (repo.path / ".git" / "packed-refs").open("w", encoding="ascii") as fh:
        fh.write("# pack-refs with: peeled fully-peeled sorted \n")
        written = 0
        while written < megabytes << 20:
            line = f"{sha} refs/pull/{count:08d}/head\n"
            fh.write(line)
            written += len(line)
            count += 1
    return count


@pytest.mark.slow
def test_a_sixty_megabyte_packed_refs_is_streamed(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("refs", example=COMPLIANT)
    repo.commit("init")
    assert _packed_refs(repo, 60) > 900_000
    for args in (("check", "."), ("check", "--rev", "HEAD", "."), ("check", "--staged", ".")):
        run = modelgov(*args, cwd=repo.path, memory_mb=MEMORY_MB, timeout=120)
        assert run.code == 0, run.describe()
        assert run.maxrss_mb < 100, run.describe()  # 0.1 read it whole: 480 MB
    audit = modelgov(
        "audit", "--jobs", "1", str(repo.path), cwd=tmp_path, memory_mb=MEMORY_MB, timeout=120
    )
    assert audit.code == 0 and audit.maxrss_mb < 100, audit.describe()


@pytest.mark.parametrize("target", ["/usr", "/", "outside"])
def test_git_refs_as_a_symlink_is_never_walked(make_repo, tmp_path: Path, target: str) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("linked", example=COMPLIANT)
    repo.commit("init")
    sha = repo.git("rev-parse", "HEAD").strip()
    refs = repo.path / ".git" / "refs"
    if target == "outside":  # refs planted outside, one of them a secret
        outside = tmp_path / "outside-refs"
        (outside / "heads").mkdir(parents=True)
        (outside / "heads" / "main").write_text(sha + "\n", encoding="ascii")
        (outside / "heads" / SECRET).write_text(sha + "\n", encoding="ascii")
        target = str(outside)
    os.rename(refs, repo.path / ".git" / "refs.real")
    os.symlink(target, refs)
    for args in (("check", "."), ("check", "--rev", "HEAD", ".")):
        run = modelgov(*args, cwd=repo.path, timeout=20)
        assert run.wall < 10, run.describe()
        assert run.code == 2, run.describe()
        assert "symbolic link" in run.stderr and "Traceback" not in run.stderr, run.describe()
        assert SECRET not in run.output
    audit = modelgov("audit", "--jobs", "1", "--format", "json", str(repo.path), cwd=tmp_path)
    assert audit.wall < 10, audit.describe()
    rows = json.loads(audit.stdout)["models"]
    assert [r["status"] for r in rows] == ["error"], rows
    assert SECRET not in audit.output

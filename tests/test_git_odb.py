"""The object store read in Python (``modelgov.git.odb``): what git says, or nothing.

Every answer the store gives is held to ``git cat-file --batch``'s answer for the
same names, over real repositories with packs (deltas of both kinds), loose
objects, alternates and the sha256 format; anything the store is not sure of
(a corrupt or truncated pack, a symlinked pack, an object it cannot find) is
left to git, so an audit of a damaged repository says what it said before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import git_env
from modelgov.errors import GitError
from modelgov.git import GitRepo, SharedShadow
from modelgov.git.catfile import TooMuch
from modelgov.git.odb import ObjectStore, apply_delta


def git(path: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=path, env=git_env(), input=input, capture_output=True, check=True
    ).stdout


def cat_file(path: Path, names: list[str]) -> list[tuple[str, bytes | None]]:
    """``git cat-file --batch`` of ``names``, parsed: (header, content or None)."""
    out = git(path, "cat-file", "--batch", input="".join(f"{n}\n" for n in names).encode())
    records = []
    pos = 0
    for _ in names:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].decode()
        pos = nl + 1
        if header.endswith(" missing"):
            records.append((header, None))
            continue
        size = int(header.rsplit(" ", 1)[1])
        records.append((header, out[pos : pos + size]))
        pos += size + 1
    return records


def all_objects(path: Path) -> list[str]:
    out = git(path, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    return out.decode().split()


def history(r: Any, commits: int = 30) -> None:
    """Commits that rewrite a growing file and a folder tree: deltas once repacked."""
    text = "".join(f"line {i} of a file that changes a little each commit\n" for i in range(200))
    for i in range(commits):
        r.write("model.yaml", f"name: m\nowner:\n  email: o{i % 3}@example.com\n")
        r.write("src/deep/er/code.py", text + f"# change {i}\n")
        r.write(f"src/deep/f{i % 5}.txt", f"{i}\n" * (i + 1))
        r.commit(f"c{i}", date=f"2026-01-{1 + i % 28:02d}")


def store_of(path: Path, fmt: str = "sha1") -> ObjectStore:
    return ObjectStore(path / ".git" / "objects", fmt)


def assert_same_as_git(path: Path, names: list[str], fmt: str = "sha1") -> None:
    store = store_of(path, fmt)
    try:
        got = store.records(names, 1 << 20)
    finally:
        store.close()
    assert got is not None, "the store should answer every object of this repository"
    assert got == cat_file(path, names)


@pytest.mark.parametrize("layout", ["loose", "packed", "deltas", "mixed"])
def test_every_object_reads_as_git_prints_it(make_repo: Any, layout: str) -> None:
    r = make_repo()
    history(r)
    if layout in ("packed", "deltas", "mixed"):
        args = ["-adf", "--depth=50", "--window=250"] if layout != "packed" else ["-ad"]
        git(r.path, "repack", *args)
    if layout == "mixed":  # new loose objects beside the pack
        history(r, 3)
    names = all_objects(r.path)
    assert len(names) > 100
    if layout == "deltas":
        verify = git(
            r.path, "verify-pack", "-v", *map(str, (r.path / ".git/objects/pack").glob("*.idx"))
        )
        assert b"chain length" in verify  # the store resolved real delta chains
    assert_same_as_git(r.path, names)


def test_reference_deltas(make_repo: Any, tmp_path: Path) -> None:
    """A pack written without offset deltas (older git, some servers) names bases by id."""
    r = make_repo()
    history(r, 12)
    head = git(r.path, "rev-parse", "HEAD").decode().strip()
    pack = git(
        r.path, "pack-objects", "--stdout", "--revs", "--no-delta-base-offset", "--window=50",
        input=f"{head}\n".encode(),
    )  # fmt: skip
    clone = tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", str(clone))
    git(clone, "index-pack", "--stdin", input=pack)
    idx = next((clone / "objects/pack").glob("*.idx"))
    assert b"delta" in git(clone, "verify-pack", "-v", str(idx))
    names = all_objects(clone)
    store = ObjectStore(clone / "objects", "sha1")
    assert store.records(names, 1 << 20) == cat_file(clone, names)


def test_ancestors_by_tilde_and_past_the_root(make_repo: Any) -> None:
    r = make_repo()
    history(r, 5)
    git(r.path, "repack", "-adq")
    head = git(r.path, "rev-parse", "HEAD").decode().strip()
    names = [head] + [f"{head}~{i}" for i in range(1, 9)]
    assert_same_as_git(r.path, names)  # ~5 and beyond: "missing", as git says


def test_the_sha256_format(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    probe = subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", str(repo)],
        env=git_env(),
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("this git cannot make sha256 repositories")
    (repo / "a.txt").write_text("a\n" * 100)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a")
    (repo / "a.txt").write_text("a\n" * 101)
    git(repo, "commit", "-qam", "b")
    git(repo, "repack", "-adf")
    names = all_objects(repo)
    assert_same_as_git(repo, names, "sha256")


def test_limits_sizes_and_totals_as_cat_file_does(make_repo: Any) -> None:
    r = make_repo()
    r.write("big.bin", "x" * 300_000)
    r.write("small.txt", "small\n")
    r.commit("a")
    git(r.path, "repack", "-adq")
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        files = {e.path: e.sha for e in g.tree_entries(g.head() or "")}
    store = store_of(r.path)
    big, small = files["big.bin"], files["small.txt"]
    assert store.records([big, small], 1000) == [
        (f"{big} blob 300000", None),
        (f"{small} blob 6", b"small\n"),
    ]
    with pytest.raises(TooMuch):
        store.records([small, big], 1 << 20, max_total=1000)
    assert store.records(["0" * 40], 100) is None  # not found: git decides ("missing")


def test_alternates_are_followed(make_repo: Any, tmp_path: Path) -> None:
    r = make_repo()
    history(r, 6)
    git(r.path, "repack", "-adq")
    shared = tmp_path / "shared"
    git(tmp_path, "clone", "-q", "--shared", str(r.path), str(shared))
    (shared / "x.txt").write_text("new\n")
    git(shared, "add", ".")
    git(shared, "commit", "-qm", "in the clone")
    assert (shared / ".git/objects/info/alternates").exists()
    names = all_objects(shared)
    assert_same_as_git(shared, names)


def test_delta_instructions() -> None:
    base = b"0123456789"
    # sizes 10 -> 7; copy 4 bytes from offset 2; insert "ab"; copy 1 byte from offset 0
    delta = bytes([10, 7, 0x91, 2, 4, 2]) + b"ab" + bytes([0x90, 1])
    assert apply_delta(base, delta) == b"2345ab0"


# -- anything unusual is left to git ------------------------------------------------------


def audit_rows(path: Path) -> tuple[Any, int]:
    from modelgov.audit import judge
    from modelgov.audit.discovery import RepoSpec

    settings = judge.AuditSettings(
        policy=None, config=None, roster=None, today="2026-11-30", as_of=None, fail_on=None,
        cache_dir=str(path.parent / "cache"),
    )  # fmt: skip
    with SharedShadow() as shadow:
        result = judge.audit_repo(RepoSpec(str(path), str(path), "path"), settings, shadow)
    return result, 0


def test_a_plain_repository_is_audited_without_a_git_process(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelgov.git import catfile

    r = make_repo(example=Path(__file__).parent.parent / "examples" / "compliant")
    r.commit("declare")
    history(r, 4)
    git(r.path, "repack", "-adq")
    started: list[list[str]] = []
    real = catfile._CatFile.__init__

    def counting(self: Any, argv: list[str], *args: Any) -> None:
        started.append(argv)
        real(self, argv, *args)

    monkeypatch.setattr(catfile._CatFile, "__init__", counting)
    result, _ = audit_rows(r.path)
    assert result.repo.status == "ok"
    assert result.models and result.models[0].status in ("pass", "fail")
    assert started == []
    # the same repository read through git gives the same result
    monkeypatch.setattr(catfile.ObjectReader, "_in_process", lambda self, *a: None)
    through_git, _ = audit_rows(r.path)
    assert len(started) == 1
    assert through_git == result


def _corrupt(pack: Path, where: float) -> None:
    data = bytearray(pack.read_bytes())
    at = 12 + int((len(data) - 32) * where)
    for i in range(at, min(at + 64, len(data) - 20)):
        data[i] ^= 0x5A
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["corrupt-start", "corrupt-middle", "truncated", "symlinked"])
def test_a_damaged_store_is_left_to_git_and_audits_as_before(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, damage: str
) -> None:
    from modelgov.git import catfile

    r = make_repo(example=Path(__file__).parent.parent / "examples" / "compliant")
    r.commit("declare")
    history(r, 4)
    git(r.path, "repack", "-adq")
    pack = next((r.path / ".git/objects/pack").glob("*.pack"))
    if damage == "corrupt-start":
        _corrupt(pack, 0.0)
    elif damage == "corrupt-middle":
        _corrupt(pack, 0.5)
    elif damage == "truncated":
        pack.chmod(0o644)
        pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    else:
        elsewhere = tmp_path / "elsewhere.pack"
        shutil.move(str(pack), elsewhere)
        os.symlink(elsewhere, pack)
    store = store_of(r.path)
    names = all_objects(r.path) if damage == "symlinked" else []
    if names:
        assert store.records(names, 1 << 20) is None  # a symlinked pack: git reads it
    in_process, _ = audit_rows(r.path)
    monkeypatch.setattr(catfile.ObjectReader, "_in_process", lambda self, *a: None)
    through_git, _ = audit_rows(r.path)
    assert in_process == through_git


def test_a_fifo_in_the_store_is_refused_before_python_reads_it(make_repo: Any) -> None:
    r = make_repo()
    history(r, 2)
    os.mkfifo(r.path / ".git" / "objects" / "pack" / "pack-0000.idx")
    with (
        GitRepo(r.path / ".git", r.path, in_process=True) as g,
        pytest.raises(GitError, match="not a regular file"),
    ):
        g.tree_entries(g.head() or "")


def test_check_never_imports_the_object_store_reader(make_repo: Any) -> None:
    import sys

    r = make_repo(example=Path(__file__).parent.parent / "examples" / "compliant")
    r.commit("declare")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "modelgov", "check", "--today", "2026-11-30"],
        cwd=r.path,
        env=git_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "modelgov.git.catfile" in proc.stderr  # the check did read git objects
    assert "modelgov.git.odb" not in proc.stderr


def test_a_chain_longer_than_followed_is_left_to_git(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the longest delta chain followed (250 links, one Python frame each: far from
    the recursion limit) the store answers nothing and git is asked, never a crash."""
    from modelgov.git import odb

    r = make_repo()
    history(r)
    git(r.path, "repack", "-adf", "--depth=50", "--window=250")
    names = all_objects(r.path)
    assert_same_as_git(r.path, names)  # within the limit, every object
    idx = next((r.path / ".git/objects/pack").glob("*.idx"))
    chains = [
        line.split()
        for line in git(r.path, "verify-pack", "-v", str(idx)).decode().splitlines()
        if len(line.split()) == 7  # sha type size packed offset depth base
    ]
    deepest = max(chains, key=lambda c: int(c[5]))
    assert int(deepest[5]) >= 2
    monkeypatch.setattr(odb, "_MAX_DEPTH", 1)
    store = store_of(r.path)  # a fresh store: no base of the chain is cached yet
    try:
        assert store.records([deepest[0]], 1 << 20) is None
        whole = store.records(names, 1 << 20)  # bases cached along the way shorten chains
        assert whole is None or whole == cat_file(r.path, names)
    finally:
        store.close()
    monkeypatch.undo()
    assert sys.getrecursionlimit() // 3 > odb._MAX_DEPTH

"""Git reads that scale: one cat-file process per repository, trees read through it,
a shadow git dir shared by an audit worker, and a history walk that stops early.

Real repositories (conftest ``make_repo``; long histories with the benchmark's
``git fast-import`` recipe) and real git processes throughout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, git_env
from modelgov.errors import GitError
from modelgov.facts.history import ModelHistory, ModelSpec
from modelgov.git import GitRepo, SharedShadow, sandbox, walk
from modelgov.git import repo as git_repo

sys.path.insert(0, str(ROOT / "bench"))
import orgfixture

SAM = "Sam Lee <sam.lee@example.com>"
DANA = "Dana Okafor <dana.okafor@example.com>"


def model_yaml(owner: str = "dana.okafor@example.com", extra: str = "") -> str:
    return f"name: fraud\nowner:\n  email: {owner}\npaths:\n  - src/**\n{extra}"


def git(path: Path, *args: str, input: bytes | None = None) -> str:
    out = subprocess.run(
        ["git", *args], cwd=path, env=git_env(), input=input, capture_output=True, check=True
    )
    return out.stdout.decode()


def ls_tree(path: Path, rev: str = "HEAD") -> list[tuple[str, str, str, str]]:
    out = git(path, "ls-tree", "-r", "-z", "--full-tree", rev)
    rows = []
    for rec in out.split("\0"):
        if rec:
            meta, _, name = rec.partition("\t")
            mode, kind, sha = meta.split()
            rows.append((mode, kind, sha, name))
    return sorted(rows, key=lambda r: r[3])


# -- trees through cat-file ------------------------------------------------------------


def test_tree_listing_agrees_with_ls_tree(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/fraud/score.py", "x = 1\n")
    r.write("src/fraud/deep/er/est.py", "y = 2\n")
    r.write("docs/a file with spaces.md", "doc\n")
    r.write("ünï/cödé.py", "z = 3\n")
    r.write("run.sh", "#!/bin/sh\n").chmod(0o755)
    os.symlink("src/fraud/score.py", r.path / "link.py")
    r.git("add", ".")
    r.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},vendor/lib")
    sha = r.commit("files", add=("model.yaml",))
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        entries = g.tree_entries(sha)
        assert g.calls == 1  # the cat-file process, no ls-tree
    got = [(e.mode, e.type, e.sha, e.path) for e in entries]
    assert got == ls_tree(r.path)
    assert next((e.mode, e.type) for e in entries if e.path == "run.sh") == ("100755", "blob")
    assert next((e.mode, e.type) for e in entries if e.path == "vendor/lib") == ("160000", "commit")
    assert all(e.size == -1 for e in entries)


def test_a_tree_bomb_is_refused_quickly(make_repo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """One subtree named ten times per level, six levels deep: a million paths."""
    r = make_repo()
    blob = git(r.path, "hash-object", "-w", "--stdin", input=b"x\n").strip()
    tree = git(r.path, "mktree", input=f"100644 blob {blob}\tf\n".encode()).strip()
    for _ in range(6):
        listing = "".join(f"040000 tree {tree}\td{i}\n" for i in range(10))
        tree = git(r.path, "mktree", input=listing.encode()).strip()
    commit = git(r.path, "commit-tree", tree, "-m", "bomb").strip()
    monkeypatch.setattr(git_repo, "MAX_TREE_ENTRIES", 5000)
    started = time.monotonic()
    with GitRepo.open(r.path) as g, pytest.raises(GitError, match="more than 5000 files"):  # type: ignore[union-attr]
        g.tree_entries(commit)
    assert time.monotonic() - started < 10


# -- one cat-file process per repository ------------------------------------------------


def test_one_cat_file_process_serves_every_read_and_is_closed(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml(owner="sam.lee@example.com"))
    r.write("src/a.py", "1")
    r.commit("initial", author=SAM)
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "2")
    sha = r.commit("dana", date="2026-02-01")
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        entries = {e.path: e.sha for e in g.tree_entries(sha)}
        assert g.read_blobs([entries["model.yaml"]], 1 << 20)[entries["model.yaml"]]
        assert g.read_objects([entries["src/a.py"]], 10)[entries["src/a.py"]] == (
            entries["src/a.py"],
            b"2",
        )
        out = g.model_histories([ModelSpec("model.yaml", "", ("src/**",))])
        assert [v.email for v in out["model.yaml"].owners] == [
            "dana.okafor@example.com",
            "sam.lee@example.com",
        ]
        assert g.calls == 1  # one cat-file for every read (a short history needs no log)
        procs = [b.proc for b in g._cat.batches.values()]
        assert len(procs) == 1 and procs[0].poll() is None
    assert procs[0].poll() is not None  # ended and reaped by close()
    assert g._sandbox.shadow is None or not g._sandbox.shadow.exists()


def test_batches_larger_than_a_pipe_and_objects_over_the_limit(make_repo: Any) -> None:
    r = make_repo()
    r.write("small.txt", "small\n")
    r.write("big.bin", "x" * 300_000)
    sha = r.commit("files")
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        files = {e.path: e.sha for e in g.tree_entries(sha)}
        small, big = files["small.txt"], files["big.bin"]
        # 4000 names (160 KB of requests) and 40 big answers (12 MB): no deadlock
        records = g._cat.records([small] * 4000 + [big] * 40, 1 << 20)
        assert len(records) == 4040
        assert records[0][1] == b"small\n" and records[-1][1] == b"x" * 300_000
        # over the limit: read past, never held, and the stream stays in step
        assert g.read_blobs([big, small], 1000) == {big: None, small: b"small\n"}
        assert g.read_objects(["0" * 40, small], 100) == {
            "0" * 40: None,
            small: (small, b"small\n"),
        }
        assert g.calls == 1


def test_a_cat_file_that_hangs_is_killed_at_the_time_limit(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    r = make_repo()
    r.write("a.txt", "a\n")
    sha = r.commit("a")
    fake = tmp_path / "bin"
    fake.mkdir()
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True).stdout
    (fake / "git").write_text(
        '#!/bin/sh\nfor a in "$@"; do [ "$a" = cat-file ] && exec sleep 30; done\n'
        f'exec {real.strip()} "$@"\n'
    )
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sandbox, "GIT_TIMEOUT", 0.5)
    started = time.monotonic()
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        with pytest.raises(GitError, match="longer than"):
            g.tree_entries(sha)
        procs = [b.proc for b in g._cat.batches.values()]
        assert procs and all(p.poll() is not None for p in procs)  # killed, reaped
    assert time.monotonic() - started < 10


def test_cat_file_that_dies_is_an_error_with_its_reason(make_repo: Any) -> None:
    r = make_repo()
    r.write("a.txt", "a\n")
    sha = r.commit("a")
    pack = next((r.path / ".git" / "objects").glob("??"))  # a loose object folder
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        g.tree_entries(sha)
        batch = next(iter(g._cat.batches.values()))
        batch.proc.kill()
        batch.proc.wait()
        with pytest.raises(GitError, match="cat-file"):
            g.read_blobs([sha], 100)
        # the next read starts a new process
        assert g.tree_entries(sha) and g.calls == 2
    assert pack.exists()


# -- a shadow git dir shared by many repositories -------------------------------------------


def test_shared_shadow_serves_reads_by_id_and_holds_nothing_of_a_repo(
    make_repo: Any, tmp_path: Path
) -> None:
    repos = []
    for name in ("one", "two"):
        r = make_repo(name)
        r.write("model.yaml", model_yaml())
        r.write("src/a.py", name)
        r.commit(name)
        repos.append(r)
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repos[0].path}", str(shallow)],
        env=git_env(),
        check=True,
    )
    with SharedShadow() as shared:
        for r in repos:
            with GitRepo(r.path / ".git", r.path, shared=shared) as g:
                head = g.head()
                assert head is not None
                assert {e.path for e in g.tree_entries(head)} == {"model.yaml", "src/a.py"}
                out = g.model_histories([ModelSpec("model.yaml", "", ("src/**",))], rev=head)
                assert out["model.yaml"].committed
                assert g._sandbox.shadow is None  # no shadow of its own was made
                assert g.commit_as_of(__import__("datetime").date(2026, 12, 1)) == head
                assert g._sandbox.shadow is not None  # HEAD is a name: its own shadow, with refs
        folder = shared.get("sha1")
        assert sorted(p.name for p in folder.iterdir()) == ["HEAD", "config", "refs"]
        assert list((folder / "refs").iterdir()) == []
        with GitRepo(shallow / ".git", shallow, shared=shared) as g:
            head = g.head()
            assert head is not None
            out = g.model_histories([ModelSpec("model.yaml", "", ("src/**",))], rev=head)
            assert out["model.yaml"].shallow
            assert g._sandbox.shadow is not None  # git must see `shallow`
    assert not folder.exists()


# -- the history walk: streamed, stopped early, order checked ------------------------------


def _long_history(path: Path, commits: int, handoff: int, review: int) -> None:
    """model.yaml created by Sam, reviewed by Sam 100 commits before ``handoff`` to
    Dana, reviewed by Dana at ``review``; code changes in every other commit."""
    steps = [
        orgfixture.Commit(
            {"model.yaml": model_yaml("sam.lee@example.com"), "src/a.py": "0"},
            "2024-01-01",
            "create",
            SAM,
        )
    ]
    for i in range(1, commits):
        stamp = f"{2024 + i // 300}-{(i // 25) % 12 + 1:02d}-{i % 25 + 1:02d}T{i % 24:02d}:00:00"
        files: dict[str, str | bytes | None] = {}
        if i == handoff - 100:
            files["model.yaml"] = model_yaml("sam.lee@example.com", "description: sam\n")
        elif i == handoff:
            files["model.yaml"] = model_yaml()
        elif i == review:
            files["model.yaml"] = model_yaml(extra="description: reviewed\n")
        elif i % 2:
            files["src/a.py"] = str(i)
        else:
            files["docs/x.md"] = str(i)
        steps.append(orgfixture.Commit(files, stamp, f"c{i}"))
    orgfixture.fast_import(path, steps)


def _reference(g: GitRepo, specs: list[ModelSpec]) -> dict[str, ModelHistory]:
    """The old way: the whole history, topologically sorted, walked in one piece."""
    head = g.head()
    raw = g.log(
        ["--topo-order", "--parents", "--raw", "-z", "--no-abbrev", "-M",
         f"--format={walk.LOG_FORMAT}", head or "", "--", *walk.pathspecs(specs)]
    )  # fmt: skip
    walked = walk.walk(walk.parse_log(raw), specs, rev=head, shallow=False)
    objects = g.read_objects(walked.blob_requests(), 1 << 20)
    return walk.finish(walked, objects)


def _created_midway(
    path: Path, how: str, commits: int = 150, at: int = 60, review: int | None = None
) -> None:
    """A history longer than the small-history reader takes: code changes throughout,
    model.yaml created at commit ``at`` -- simply (``new``), renamed from
    ``old/model.yaml`` (``rename``), beside the deletion of another model's file
    (``other-deleted``), or in place of a deleted code file with its very content,
    which git's rename detection pairs with it (``code-file``)."""
    first: dict[str, str | bytes | None] = {"src/a.py": "0", "README.md": "hi"}
    if how == "rename":
        first["old/model.yaml"] = model_yaml("sam.lee@example.com")
    elif how == "other-deleted":
        first["other/model.yaml"] = "name: other\nowner:\n  email: x@example.com\n"
    elif how == "code-file":
        first["src/template.py"] = model_yaml()
    steps = [orgfixture.Commit(first, "2024-01-01", "start", SAM)]
    for i in range(1, commits):
        stamp = f"{2024 + i // 336}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}T10:00:00"
        files: dict[str, str | bytes | None] = {"src/a.py": str(i)} if i % 3 else {"docs/x": str(i)}
        if i == at:
            files = {
                "model.yaml": model_yaml("sam.lee@example.com" if how == "rename" else DANA[12:-1])
            }
            if how == "rename":
                files["old/model.yaml"] = None
            elif how == "other-deleted":
                files["other/model.yaml"] = None
            elif how == "code-file":
                files = {"model.yaml": model_yaml(), "src/template.py": None}
        elif i == (review if review is not None else at + 30):
            files = {"model.yaml": model_yaml(extra="description: reviewed\n")}
        steps.append(orgfixture.Commit(files, stamp, f"c{i}"))
    orgfixture.fast_import(path, steps)


def _walk_and_reference(path: Path, spec: ModelSpec) -> tuple[ModelHistory, ModelHistory, int]:
    """The walk's history of ``spec``, the whole glob walk's, and the git processes the
    walk started."""
    with GitRepo(path / ".git", None) as g:
        before = g.calls
        out = g.model_histories([spec])[spec.file]
        calls = g.calls - before
        ref = _reference(g, [spec])[spec.file]
    return out, ref, calls


@pytest.mark.parametrize(
    ("how", "processes"),
    [
        ("new", 2),  # the log and cat-file: the addition deletes nothing, so it renames nothing
        (
            "other-deleted",
            3,
        ),  # + one one-commit log: another model file went away, not renamed here
        (
            "rename",
            4,
        ),  # + a one-commit log, which finds the rename, and the walk again with the globs
        # both names are in the literal pathspecs (src is a code folder): git pairs them itself
        ("code-file", 2),
    ],
)
def test_model_files_named_literally_give_the_globs_answer(
    tmp_path: Path, how: str, processes: int
) -> None:
    """The walk names model files literally (``**/model.yaml`` makes git search every
    folder a commit changes); where that could hide a rename, git is asked, and the
    answer is always that of the walk with the globs, read whole."""
    path = tmp_path / how
    _created_midway(path, how)
    spec = ModelSpec("model.yaml", "", ("src/**",), owner=None)
    assert walk.literal_pathspecs([spec]) == [":(literal)model.yaml", ":(literal)src"]
    out, ref, calls = _walk_and_reference(path, spec)
    # the walk stops at the creation (everything older is beyond it); the reference reads on
    assert out._replace(complete=True) == ref
    assert calls == processes
    assert out.origin_known and len(out.code_changes) > 0
    if how in ("rename", "code-file"):
        assert len(out.names) == 2 and out.names[0] == "model.yaml"
    else:
        assert out.names == ("model.yaml",)


@pytest.mark.parametrize(
    ("how", "processes"),
    [
        ("new", 3),  # cat-file, the log to model.yaml's last change, the narrow log
        ("other-deleted", 4),  # + the one-commit log that finds no rename
        # the narrow log meets model.yaml added: a one-commit log finds the rename from
        # old/model.yaml, walk again with the globs (which see it): wide and narrow logs
        ("rename", 6),
        # a rename from a code file only a wide log sees: the literal names' narrow log
        # meets the addition (a one-commit log: a rename), the globs' narrow log meets it too
        # (git is not asked twice), the globs' whole walk sees the rename
        ("code-file", 7),
    ],
)
def test_older_versions_are_read_with_a_log_of_the_model_files_alone(
    tmp_path: Path, how: str, processes: int
) -> None:
    """Past model.yaml's last change no code change can be unseen; what is left (the
    owner history, here the whole of it) is read by a log limited to the model files,
    which is cheaper per commit -- and gives the same answer as the whole glob walk."""
    path = tmp_path / how
    _created_midway(path, how, commits=2400, at=100, review=2300)
    spec = ModelSpec("model.yaml", "", ("src/**",), owner=None)
    out, ref, calls = _walk_and_reference(path, spec)
    assert out._replace(complete=True) == ref
    assert calls == processes
    assert out.code_changes and all(int(c.commit.subject[1:]) > 2300 for c in out.code_changes)
    assert out.owners[-1].commit.subject == ("start" if how in ("rename", "code-file") else "c100")


def test_the_narrow_log_of_older_versions_meets_a_merge(tmp_path: Path) -> None:
    """A merge older than where the walk narrows to the model files: the walk reads to the
    end (the history is not linear any more) and still gives the whole glob walk's answer,
    the side branch's version of model.yaml included."""
    path = tmp_path / "merged"
    steps = []
    for i in range(2400):
        stamp = f"{2024 + i // 336}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}T10:00:00"
        files: dict[str, str | bytes | None] = {"src/a.py": str(i)} if i % 3 else {"docs/x": str(i)}
        if i == 0:
            files = {"src/a.py": "0", "model.yaml": model_yaml()}
        elif i == 2300:
            files = {"model.yaml": model_yaml(extra="description: reviewed\n")}
        steps.append(orgfixture.Commit(files, stamp, f"c{i}"))
    raw = orgfixture.stream(steps)
    side_yaml = model_yaml(extra="description: from the side branch\n").encode()
    who = b"Sam Lee <sam.lee@example.com> 1717000000 +0000"
    side = (
        b"commit refs/heads/side\nmark :99999\nauthor " + who + b"\ncommitter " + who + b"\n"
        b"data 4\nside\nfrom :798\n"
        b"M 100644 inline model.yaml\ndata %d\n%s\n" % (len(side_yaml), side_yaml)
    )
    at = raw.index(b"commit refs/heads/main\nmark :801\n")
    merge_from = raw.index(b"from :800\n", at) + len(b"from :800\n")
    raw = (
        raw[:at]
        + side
        + raw[at:merge_from]
        + b"merge :99999\nM 100644 inline model.yaml\ndata %d\n%s\n" % (len(side_yaml), side_yaml)
        + raw[merge_from:]
    )
    git(tmp_path, "init", "-q", "-b", "main", str(path))
    subprocess.run(
        ["git", "fast-import", "--quiet", "--done"], cwd=path, env=git_env(), input=raw, check=True
    )
    spec = ModelSpec("model.yaml", "", ("src/**",), owner="dana.okafor@example.com")
    out, ref, calls = _walk_and_reference(path, spec._replace(owner=None))
    assert out == ref and out.complete
    assert "side" in [v.commit.subject for v in out.owners]
    assert calls == 3  # cat-file, the wide log, the narrow log (to the end: a merge)


def test_literal_pathspecs_only_where_they_apply() -> None:
    one = ModelSpec("models/a/model.yaml", "models/a", ("src/**",))
    odd = ModelSpec("ml/fraud.yaml", "ml", ("ml/**",))
    assert walk.literal_pathspecs([one, odd]) == [
        ":(literal)models/a/model.yaml",
        ":(literal)ml/fraud.yaml",
        ":(literal)models/a/src",
        ":(literal)ml/ml",
    ]
    # a pattern that starts with a wildcard: the walk is not limited at all
    assert walk.literal_pathspecs([ModelSpec("model.yaml", "", ("**/*.py",))]) is None
    # more model files than literal names git should compare: the globs
    many = [ModelSpec(f"m{i}/model.yaml", f"m{i}") for i in range(walk.MAX_LITERALS + 1)]
    assert walk.literal_pathspecs(many) is None


def test_a_long_linear_history_is_read_only_as_far_as_the_rules_need(tmp_path: Path) -> None:
    path = tmp_path / "long"
    _long_history(path, 1500, handoff=1100, review=1400)
    spec = ModelSpec("model.yaml", "", ("src/**",), owner="dana.okafor@example.com")
    with GitRepo(path / ".git", None) as g:
        fast = g.model_histories([spec])["model.yaml"]
        ref = _reference(g, [spec._replace(owner=None)])["model.yaml"]
    assert not fast.complete and ref.complete
    assert fast.last_touch == ref.last_touch and fast.last_touch is not None
    assert fast.last_touch.subject == "c1400"
    assert fast.code_changes == ref.code_changes and len(fast.code_changes) == 50
    # owner history: newest first, down to the most recent change of owner
    assert [v.commit.subject for v in fast.owners] == ["c1400", "c1100", "c1000"]
    assert fast.owners == ref.owners[:3] and len(ref.owners) == 4
    assert fast.origin_known and fast.committed and not fast.touched_now


def test_without_a_known_owner_every_version_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long"
    _long_history(path, 300, handoff=150, review=250)
    with GitRepo(path / ".git", None) as g:
        spec = ModelSpec("model.yaml", "", ("src/**",), owner=None)
        out = g.model_histories([spec])["model.yaml"]
        assert out == _reference(g, [spec])["model.yaml"] and out.complete
        assert [v.commit.subject for v in out.owners] == ["c250", "c150", "c50", "create"]
        # no owner to compare (MG204 judges nothing): the walk stops past the last change
        spec = spec._replace(owner="")
        out = g.model_histories([spec])["model.yaml"]
        ref = _reference(g, [spec])["model.yaml"]
        assert not out.complete and len(out.owners) < len(ref.owners)
        assert (out.last_touch, out.code_changes) == (ref.last_touch, ref.code_changes)


def test_a_log_out_of_topological_order_is_walked_again_sorted(make_repo: Any) -> None:
    """A branch commit dated before its parent: git's default order shows the parent
    first, which would leave it unreviewed; the walk notices and sorts."""
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.commit("create", date="2026-01-01")
    r.write("src/a.py", "1")
    r.commit("code P", date="2026-03-01")
    r.git("checkout", "-q", "-b", "side")
    r.write("model.yaml", model_yaml(extra="description: reviewed\n"))
    r.commit("review T (clock behind)", date="2026-02-01")
    r.git("checkout", "-q", "main")
    r.write("src/b.py", "x")
    r.commit("code Q", date="2026-04-01")
    r.git("merge", "-q", "--no-ff", "-m", "merge", "side", date="2026-05-01")
    spec = ModelSpec("model.yaml", "", ("src/**",), owner="dana.okafor@example.com")
    default = git(r.path, "log", "--format=%s", "--", "model.yaml", "src").split("\n")
    assert default.index("code P") < default.index("review T (clock behind)")  # not sorted
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        out = g.model_histories([spec])["model.yaml"]
        assert g.calls == 3  # the streamed log, the sorted one, cat-file
        assert out == _reference(g, [spec])["model.yaml"]
    # P is an ancestor of the review; Q is not
    assert [c.commit.subject for c in out.code_changes] == ["code Q"]
    assert out.last_touch is not None and out.last_touch.subject == "review T (clock behind)"
    assert out.complete


@pytest.mark.parametrize("size", [1, 5, 64, 4096])
def test_log_parser_fed_in_pieces_equals_the_whole(make_repo: Any, size: int) -> None:
    r = make_repo()
    r.write("old/model.yaml", model_yaml())
    r.write("old/src/a b.py", "1")
    r.commit("initial")
    r.git("mv", "old", "new")
    r.commit("move, with a subject\x1e that is odd", date="2026-02-01")
    r.write("new/src/ü.py", "2")
    r.commit("code", date="2026-03-01")
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        raw = g.log(["--parents", "--raw", "-z", "--no-abbrev", "-M",
                     f"--format={walk.LOG_FORMAT}", "HEAD"])  # fmt: skip
    whole = walk.parse_log(raw)
    parser = walk.LogParser()
    pieces = []
    for i in range(0, len(raw), size):
        pieces += parser.feed(raw[i : i + size])
    pieces += parser.close()
    assert pieces == whole and len(whole) == 3
    assert whole[1].changes[0].status == "R"


# -- a short history read from objects equals what git log prints ---------------------------


def _log_entries(g: GitRepo, start: str, specs: list[str]) -> list[walk.LogEntry]:
    raw = g.log(["--parents", "--raw", "-z", "--no-abbrev", "-M",
                 f"--format={walk.LOG_FORMAT}", start, "--", *specs])  # fmt: skip
    return walk.parse_log(raw)


def _odd_commit(r: Any, parent: str, headers: str, message: bytes) -> str:
    """A commit object written by hand (odd headers, odd messages), made HEAD."""
    tree = r.git("rev-parse", f"{parent}^{{tree}}").strip()
    who = "Dana  Okafor\t <dana.okafor@example.com> 1767268800 +0100"
    body = (
        f"tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n{headers}".encode()
        + b"\n"
        + message
    )
    sha = git(r.path, "hash-object", "-t", "commit", "-w", "--stdin", input=body).strip()
    r.git("update-ref", "HEAD", sha)
    return sha


SPEC_SETS = [
    [ModelSpec("model.yaml", "", ("src/**",))],
    [ModelSpec("svc/a/model.yml", "svc/a", ("code/**", "../../shared/*.py"))],
    [ModelSpec("cfg/fraud.yaml", "cfg", ("src/**",)), ModelSpec("model.yaml", "", ("**/*.py",))],
    [ModelSpec(f"m{i}/model.yaml", f"m{i}", ("src/**",)) for i in range(12)],  # collapsed
]


def test_a_short_history_read_from_objects_is_what_git_log_prints(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    r.write("README.md", "hi")
    r.commit("create\n\nwith a body", date="2026-01-01")
    r.git("commit", "-q", "--allow-empty", "-m", "  \n\n  empty, after blank lines  \n")
    r.write("src/a.py", "2")
    r.write("docs/x.md", "x")
    r.commit("code and docs\nsecond line of the subject  \n\nbody", date="2026-01-03")
    r.write("svc/a/model.yml", model_yaml())
    r.write("svc/a/code/ü b.py", "1")
    r.write("shared/util.py", "u")
    r.write("cfg/fraud.yaml", model_yaml())
    r.commit("svc and cfg", date="2026-01-04", author="Sam  Lee <sam.lee@example.com>")
    (r.path / "src" / "a.py").chmod(0o755)
    r.commit("mode only", date="2026-01-05")
    (r.path / "src" / "b.py").symlink_to("a.py")
    r.commit("a link", date="2026-01-06")
    (r.path / "src" / "b.py").unlink()
    r.write("src/b.py", "now a file")
    r.commit("link becomes a file", date="2026-01-07")
    r.git("rm", "-q", "docs/x.md", "shared/util.py")
    r.commit("deletions", date="2026-01-08")
    r.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},src/vendored")
    r.git("commit", "-q", "-m", "a submodule", date="2026-01-09")
    for i in range(12):
        r.write(f"m{i}/src/x.py", str(i))
        r.write(f"m{i}/model.yaml", model_yaml())
    r.commit("monorepo", date="2026-01-10", add=tuple(f"m{i}" for i in range(12)))
    r.write("src/a.py", "3\r\n")
    head = r.commit("code\r\n\r\nwindows", date="2026-01-11", add=("src/a.py",))
    head = _odd_commit(
        r,
        head,
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END-----",
        b"\n \t\nsigned  \nline two\r\n\nbody\n",
    )
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        for specs in SPEC_SETS:
            args = walk.pathspecs(specs)
            small = walk.log_from_objects(g._refs, g._cat, head, args)
            assert small is not None, specs
            assert small == _log_entries(g, head, args), specs
        everything = walk.log_from_objects(
            g._refs, g._cat, head, []
        )  # no pathspec: every commit, the empty one too
        assert everything is not None and len(everything) == 12
        assert walk.pathspecs(SPEC_SETS[2]) == []
        assert everything[0].commit.author_name == "Dana  Okafor"
        assert everything[0].commit.subject == "signed line two"
        assert everything[-2].commit.subject == "  empty, after blank lines"
        assert everything[-3].commit.subject == "code and docs second line of the subject"
        # and what the walk makes of it is what the git log walk makes of it
        specs = SPEC_SETS[0] + SPEC_SETS[1]
        before = g.calls
        fast = g.model_histories(specs, rev=head)
        calls = g.calls - before
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        walked = walk.walk(
            _log_entries(g, head, walk.pathspecs(specs)), specs, rev=head, shallow=False
        )
        assert fast == walk.finish(walked, g.read_objects(walked.blob_requests(), 1 << 20))
    assert calls == 0  # the cat-file process already open did it all


@pytest.mark.parametrize(
    "case", ["merge", "rename", "dir-becomes-file", "encoding", "too-long", "missing"]
)
def test_a_short_history_is_left_to_git_log_when_it_must_be(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    base = r.commit("create")
    if case == "merge":
        r.git("checkout", "-q", "-b", "side")
        r.write("src/b.py", "b")
        r.commit("side")
        r.git("checkout", "-q", "main")
        r.git("merge", "-q", "--no-ff", "-m", "merge", "side", date="2026-01-02")
    elif case == "rename":
        r.git("mv", "src/a.py", "src/c.py")
        r.commit("move")
    elif case == "dir-becomes-file":
        r.git("rm", "-q", "-r", "src")
        r.write("src", "a file now")
        r.commit("swap")
    elif case == "encoding":
        _odd_commit(r, base, "encoding ISO-8859-1", "caf\xe9\n".encode("latin-1"))
    elif case == "too-long":
        monkeypatch.setattr(walk, "SMALL_HISTORY", 1)
        r.write("src/a.py", "2")
        r.commit("second")
    else:  # a parent object the repository does not have
        _odd_commit(r, base, "", b"x\n")
        body = git(r.path, "cat-file", "commit", "HEAD").replace(base, "2" * 40)
        sha = git(r.path, "hash-object", "-t", "commit", "-w", "--stdin", input=body.encode())
        r.git("update-ref", "HEAD", sha.strip())
    specs = [ModelSpec("model.yaml", "", ("src/**",))]
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        head = g.head()
        assert head is not None
        assert walk.log_from_objects(g._refs, g._cat, head, walk.pathspecs(specs)) is None
        if case != "missing":
            out = g.model_histories(specs)
            assert g.calls == 2  # cat-file, and the log that walked it
            walked = walk.walk(
                _log_entries(g, head, walk.pathspecs(specs)), specs, rev=head, shallow=False
            )
            assert out == walk.finish(walked, g.read_objects(walked.blob_requests(), 1 << 20))
        else:
            with pytest.raises(GitError):
                g.model_histories(specs)

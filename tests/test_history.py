"""Git history of model.yaml files: the one walk of modelgov.git.walk, and its pure parts.

Real repositories with controlled commit dates (conftest ``make_repo``);
the parser is also fed hand-made bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import git_env
from modelgov.facts.history import ModelHistory, ModelSpec
from modelgov.git import GitRepo, walk

SAM = "Sam Lee <sam.lee@example.com>"
DANA = "Dana Okafor <dana.okafor@example.com>"


def model_yaml(owner: str = "dana.okafor@example.com", extra: str = "") -> str:
    return f"name: fraud\nowner:\n  email: {owner}\npaths:\n  - src/**\n{extra}"


def histories(
    root: Path, specs: list[ModelSpec], rev: str | None = None
) -> tuple[dict[str, ModelHistory], int]:
    """Histories of ``specs`` plus the number of git processes started."""
    with GitRepo.open(root) as repo:  # type: ignore[union-attr]
        out = repo.model_histories(specs, rev=rev)
        return out, repo.calls


def spec(file: str, paths: tuple[str, ...] = ("src/**",), **kw: Any) -> ModelSpec:
    base = file.rsplit("/", 1)[0] if "/" in file else ""
    return ModelSpec(file=file, base=base, paths=paths, **kw)


def shas(h: ModelHistory) -> list[str]:
    return [c.commit.subject for c in h.code_changes]


# -- the pure parser -------------------------------------------------------------


def test_parse_log_reads_fields_by_count() -> None:
    raw = b"\0".join(
        [
            b"\x1e" + b"a" * 40,
            b"b" * 40 + b" " + b"c" * 40,
            b"Na\x1eme",
            b"n@x",
            b"100",
            b"200",
            b"sub\x1eject",
            b"\n:100644 100644 " + b"1" * 40 + b" " + b"2" * 40 + b" M",
            b"src/a b.py",
            b":100644 100644 " + b"3" * 40 + b" " + b"3" * 40 + b" R100",
            b"old/model.yaml",
            b"\x1enew/model.yaml",
            b"\x1e" + b"d" * 40,
            b"",
            b"A",
            b"a@x",
            b"50",
            b"60",
            b"root",
            b"",
        ]
    )
    entries = walk.parse_log(raw, boundary={"d" * 40})
    assert [e.commit.sha[0] for e in entries] == ["a", "d"]
    first = entries[0]
    assert first.commit.parents == ("b" * 40, "c" * 40)
    assert first.commit.author_name == "Na\x1eme" and first.commit.subject == "sub\x1eject"
    assert (first.commit.author_time, first.commit.commit_time) == (100, 200)
    assert first.changes[0] == walk.Change("M", "src/a b.py", "", "1" * 40, "2" * 40)
    # a path that starts with the record separator is still a path
    assert first.changes[1].status == "R"
    assert (first.changes[1].old_path, first.changes[1].path) == (
        "old/model.yaml",
        "\x1enew/model.yaml",
    )
    assert entries[1].commit.boundary and not entries[1].changes
    assert walk.parse_log(b"") == []


def test_pathspecs_limit_the_walk_to_literal_folders() -> None:
    specs = [
        spec("models/a/model.yaml", ("src/**", "../../shared/lib.py", "/etc/passwd")),
        spec("models/b/model.yml", ("train/*.py",)),
    ]
    assert walk.pathspecs(specs) == [
        *walk.MODEL_GLOBS,
        ":(literal)models/a/src",
        ":(literal)shared/lib.py",
        ":(literal)models/b/train",
    ]
    # a pattern that starts with a wildcard at the root needs the whole tree
    assert walk.pathspecs([spec("model.yaml", ("**/*.py",))]) == []
    # many models: their folders collapse to the top-level ones (git matches each
    # pathspec against each changed path); too many top-level folders: no limit
    many = [spec(f"models/m{i}/model.yaml") for i in range(20)]
    assert walk.pathspecs(many) == [*walk.MODEL_GLOBS, ":(literal)models"]
    spread = [spec(f"team{i}/m/model.yaml") for i in range(20)]
    assert walk.pathspecs(spread) == []
    # a model file not named model.yaml is named literally
    assert ":(literal)cfg/fraud.yaml" in walk.pathspecs([spec("cfg/fraud.yaml", ())])


OWNER_LAYOUTS = [
    ("owner:\n  name: D\n  email: Dana@Example.com\n", "dana@example.com", True),
    ("owner:   # who\n  email: 'dana@example.com'  # her\n  team: x\n", "dana@example.com", True),
    (
        'name: x\nowner:\n    email: "dana@example.com"\n    handoff:\n      from: s@example.com\n',
        "dana@example.com",
        True,
    ),
    ("owner:\r\n  email: dana@example.com\r\n", "dana@example.com", False),
    ("owner: {email: dana@example.com}\n", "dana@example.com", False),
    ("base: &b {email: dana@example.com}\nowner: *b\n", "dana@example.com", False),
    ("owner:\n  email: a@example.com\nowner:\n  email: b@example.com\n", None, False),
    ('"owner":\n  email: a@example.com\nowner:\n  email: b@example.com\n', None, False),
    ("owner:\n  email: &e dana@example.com\n", "dana@example.com", False),
    ("owner:\n  handoff:\n    email: x@example.com\n  name: d\n", "", False),
    ("owner:\n  email: >\n    dana@example.com\n", "dana@example.com", False),
    ("owner:\n  - email: dana@example.com\n", "", False),
    (
        "description: |\n  owner:\n    email: no@example.com\nowner:\n  email: yes@example.com\n",
        "yes@example.com",
        True,
    ),
    ("owner:\n  email: dana@example.com\n---\nowner:\n  email: other@example.com\n", None, False),
    ("[not, a, mapping]\n", "", False),
]


@pytest.mark.parametrize(("text", "expected", "quick"), OWNER_LAYOUTS)
def test_owner_email_fast_path_agrees_with_the_loader(
    text: str, expected: str | None, quick: bool
) -> None:
    from modelgov.document import load

    raw = text.encode()
    value = load("model.yaml", raw).get("/owner/email")
    full = value.strip().lower() if isinstance(value, str) else ""
    assert walk.owner_email(raw) == full
    if expected is not None:
        assert full == expected
    fast = walk._quick_owner_email(raw)
    assert (fast is not None) == quick
    if fast is not None:
        assert fast == full


@pytest.mark.parametrize("fmt", ["sha1", "sha256"])
def test_blob_id_is_what_git_computes(tmp_path: Path, fmt: str) -> None:
    repo = tmp_path / fmt
    subprocess.run(
        ["git", "init", "-q", f"--object-format={fmt}", str(repo)], check=True, env=git_env()
    )
    data = b"name: fraud\r\nowner: x\n\x00binary"
    (repo / "f").write_bytes(data)
    out = subprocess.run(
        ["git", "hash-object", "f"], cwd=repo, capture_output=True, text=True, check=True
    )
    assert walk.blob_id(data, fmt) == out.stdout.strip()
    with GitRepo.open(repo) as g:  # type: ignore[union-attr]
        assert g.object_format() == fmt
    ids = walk.worktree_ids(data, fmt)
    assert walk.blob_id(data.replace(b"\r\n", b"\n"), fmt) in ids and len(ids) == 2


# -- the walk on real repositories -----------------------------------------------


def test_repo_without_commits_starts_no_git_process(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    out, calls = histories(r.path, [spec("model.yaml", worktree_ids=frozenset({"x"}))])
    h = out["model.yaml"]
    assert calls == 0
    assert (h.rev, h.committed, h.touched_now, h.code_changes) == (None, False, True, ())


def test_code_commits_after_the_last_touch_newest_first(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    r.commit("initial", date="2026-01-01")
    r.write("src/a.py", "2")
    r.commit("before the update", date="2026-02-01")
    r.write("model.yaml", model_yaml(extra="description: updated\n"))
    touch = r.commit("update model.yaml", date="2026-03-01")
    r.write("src/a.py", "3")
    r.write("src/b.py", "3")
    r.write("README.md", "not code")
    first = r.commit("tune threshold", date="2026-04-01", author=SAM)
    r.write("src/a.py", "4")
    r.commit("retrain", date="2026-05-01")
    r.write("docs/x.md", "x")
    r.commit("docs only", date="2026-06-01")
    out, _ = histories(r.path, [spec("model.yaml")])
    h = out["model.yaml"]
    assert h.committed and not h.touched_now and h.touch_known and h.origin_known
    assert h.last_touch is not None and h.last_touch.sha == touch
    assert shas(h) == ["retrain", "tune threshold"]
    oldest = h.code_changes[-1]
    assert oldest.commit.sha == first and oldest.commit.short == first[:8]
    assert oldest.files == ("src/a.py", "src/b.py")
    assert oldest.commit.author == SAM and str(oldest.commit.date) == "2026-04-01"
    assert oldest.commit.describe() == f'{first[:8]} 2026-04-01 {SAM} "tune threshold"'


def test_a_commit_that_changes_code_and_model_yaml_is_reviewed(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    r.commit("initial", date="2026-01-01")
    r.write("src/a.py", "2")
    r.write("model.yaml", model_yaml(extra="description: x\n"))
    r.commit("both", date="2026-02-01")
    out, _ = histories(r.path, [spec("model.yaml")])
    assert out["model.yaml"].code_changes == ()


def test_merged_branch_the_declaration_never_saw(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    r.commit("initial", date="2026-01-01")
    r.git("checkout", "-q", "-b", "feature")
    r.write("src/b.py", "feature work")
    r.commit("feature work", date="2026-01-05")
    r.git("checkout", "-q", "main")
    r.write("model.yaml", model_yaml(extra="description: updated on main\n"))
    r.commit("update declaration", date="2026-01-10")
    r.git("merge", "-q", "--no-ff", "feature", "-m", "merge feature", date="2026-01-12")
    out, _ = histories(r.path, [spec("model.yaml")])
    h = out["model.yaml"]
    # older by date than the update, but on a branch the update never saw
    assert shas(h) == ["feature work"]
    assert h.last_touch is not None and h.last_touch.subject == "update declaration"


def test_code_from_a_branch_that_also_updated_the_declaration_is_reviewed(
    make_repo: Any,
) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.commit("initial", date="2026-01-01")
    r.git("checkout", "-q", "-b", "feature")
    r.write("src/b.py", "feature work")
    r.commit("feature work", date="2026-01-05")
    r.write("model.yaml", model_yaml(extra="description: covers b.py\n"))
    r.commit("declare b.py", date="2026-01-06")
    r.git("checkout", "-q", "main")
    r.write("other.txt", "x")
    r.commit("unrelated", date="2026-01-07")
    r.git("merge", "-q", "--no-ff", "feature", "-m", "merge", date="2026-01-08")
    out, _ = histories(r.path, [spec("model.yaml")])
    assert out["model.yaml"].code_changes == ()


def test_rename_of_model_yaml_is_followed(make_repo: Any) -> None:
    r = make_repo()
    r.write("old/model.yaml", model_yaml(owner="sam.lee@example.com"))
    r.write("old/src/a.py", "1")
    r.commit("initial", date="2026-01-01", author=SAM)
    r.write("old/model.yaml", model_yaml(owner="dana.okafor@example.com"))
    r.commit("dana takes over", date="2026-02-01")
    r.git("mv", "old", "new")
    moved = r.commit("move the model", date="2026-03-01")
    r.write("new/src/a.py", "2")
    r.commit("code", date="2026-04-01")
    out, calls = histories(r.path, [spec("new/model.yaml")])
    h = out["new/model.yaml"]
    assert h.names == ("new/model.yaml", "old/model.yaml")
    assert h.last_touch is not None and h.last_touch.sha == moved
    assert shas(h) == ["code"]
    assert h.origin_known
    assert [(v.email, v.commit.subject) for v in h.owners] == [
        ("dana.okafor@example.com", "move the model"),
        ("dana.okafor@example.com", "dana takes over"),
        ("sam.lee@example.com", "initial"),
    ]
    # a log walk naming new/model.yaml literally meets its addition, a one-commit log says it
    # was a rename, the walk is made again with the globs; one cat-file for the versions
    assert calls == 4


def test_monorepo_models_are_judged_independently_in_one_walk(make_repo: Any) -> None:
    r = make_repo()
    for name in ("fraud", "churn", "ranking"):
        r.write(f"models/{name}/model.yaml", model_yaml())
        r.write(f"models/{name}/src/main.py", "1")
    r.commit("initial", date="2026-01-01")
    r.write("models/fraud/src/main.py", "2")
    r.commit("fraud code", date="2026-02-01")
    r.write("models/churn/src/main.py", "2")
    r.write("models/churn/model.yaml", model_yaml(extra="description: x\n"))
    r.commit("churn code and declaration", date="2026-02-02")
    specs = [spec(f"models/{n}/model.yaml") for n in ("fraud", "churn", "ranking")]
    out, calls = histories(r.path, specs)
    assert shas(out["models/fraud/model.yaml"]) == ["fraud code"]
    assert shas(out["models/churn/model.yaml"]) == []
    assert shas(out["models/ranking/model.yaml"]) == []
    assert out["models/fraud/model.yaml"].code_changes[0].files == ("models/fraud/src/main.py",)
    assert calls == 1  # a short linear history: cat-file reads commits, trees and versions


def test_git_processes_do_not_grow_with_models(make_repo: Any) -> None:
    r = make_repo()
    for i in range(12):
        r.write(f"m{i}/model.yaml", model_yaml())
        r.write(f"m{i}/src/x.py", "1")
    r.commit("initial", date="2026-01-01")
    for i in range(12):
        r.write(f"m{i}/src/x.py", "2")
        r.write(f"m{i}/model.yaml", model_yaml(owner=f"p{i}@example.com"))
        r.commit(f"change {i}", date=f"2026-02-{i + 1:02d}")
    specs = [spec(f"m{i}/model.yaml", worktree_ids=frozenset()) for i in range(12)]
    out, calls = histories(r.path, specs)
    assert len(out) == 12 and calls == 1  # cat-file: commits, trees, versions, index entries
    _, calls_one = histories(r.path, specs[:1])
    assert calls_one == calls


def test_wildcard_paths_walk_the_whole_tree(make_repo: Any) -> None:
    r = make_repo()
    r.write("0:odd dir/model.yaml", model_yaml())
    r.write("lib/util.py", "1")
    r.commit("initial", date="2026-01-01")
    r.write("lib/util.py", "2")
    r.write("lib/notes.md", "x")
    r.commit("python anywhere", date="2026-02-01")
    r.write("0:odd dir/model.yaml", model_yaml(extra="description: staged\n"))
    r.git("add", ".")
    disk = r.write("0:odd dir/model.yaml", model_yaml())  # the work tree is back at HEAD
    ids = walk.worktree_ids(disk.read_bytes())
    s = spec("0:odd dir/model.yaml", ("../**/*.py",), worktree_ids=ids)
    assert walk.pathspecs([s]) == []
    h = histories(r.path, [s])[0]["0:odd dir/model.yaml"]
    assert h.touched_now  # only its staged index entry (read by name, :0:path) differs
    assert shas(h) == ["python anywhere"] and h.code_changes[0].files == ("lib/util.py",)


def test_detached_head_and_rev(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    first = r.commit("initial", date="2026-01-01")
    r.write("src/a.py", "1")
    r.commit("code", date="2026-02-01")
    r.git("checkout", "-q", "--detach", "HEAD")
    out, _ = histories(r.path, [spec("model.yaml")])
    assert shas(out["model.yaml"]) == ["code"]
    out, _ = histories(r.path, [spec("model.yaml")], rev=first)
    assert out["model.yaml"].rev == first and shas(out["model.yaml"]) == []


def test_never_committed_model_and_deleted_namesake(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.write("src/a.py", "1")
    r.commit("initial", date="2026-01-01")
    r.git("rm", "-q", "model.yaml")
    r.commit("drop the old declaration", date="2026-02-01")
    r.write("model.yaml", model_yaml(owner="new.owner@example.com"))  # not committed
    data = (r.path / "model.yaml").read_bytes()
    out, _ = histories(r.path, [spec("model.yaml", worktree_ids=walk.worktree_ids(data))])
    h = out["model.yaml"]
    assert (h.committed, h.touched_now, h.owners) == (False, True, ())


def test_staged_or_modified_model_counts_as_touched_now(make_repo: Any) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.commit("initial", date="2026-01-01")
    path = r.path / "model.yaml"

    def now() -> ModelHistory:
        ids = walk.worktree_ids(path.read_bytes())
        return histories(r.path, [spec("model.yaml", worktree_ids=ids)])[0]["model.yaml"]

    assert not now().touched_now
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # autocrlf checkout
    assert not now().touched_now
    path.write_text(model_yaml(extra="description: edited\n"))
    assert now().touched_now  # modified in the work tree
    r.git("add", "model.yaml")
    assert now().touched_now  # staged
    r.write("model.yaml", model_yaml())
    assert now().touched_now  # staged, then reverted on disk: the index still differs
    # --staged: the index entry is known from the index view
    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        head_blob = g.read_objects(["HEAD:model.yaml"], 1 << 20)["HEAD:model.yaml"]
    assert head_blob is not None
    same = spec("model.yaml", index_id=head_blob[0])
    assert not histories(r.path, [same])[0]["model.yaml"].touched_now
    other = spec("model.yaml", index_id="f" * 40)
    assert histories(r.path, [other])[0]["model.yaml"].touched_now


def _shallow(src: Path, dest: Path, depth: int) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--no-local", f"--depth={depth}", f"file://{src}", str(dest)],
        check=True,
        env=git_env(),
        capture_output=True,
    )
    return dest


def test_shallow_clone_marks_what_it_cannot_see(make_repo: Any, tmp_path: Path) -> None:
    r = make_repo()
    r.write("model.yaml", model_yaml(owner="sam.lee@example.com"))
    r.write("src/a.py", "1")
    r.commit("initial", date="2026-01-01")
    r.write("model.yaml", model_yaml())
    r.commit("handoff", date="2026-02-01")
    for month in (3, 4, 5):
        r.write("src/a.py", str(month))
        r.commit(f"code {month}", date=f"2026-{month:02d}-01")
    one = _shallow(r.path, tmp_path / "depth1", 1)
    h = histories(one, [spec("model.yaml")])[0]["model.yaml"]
    assert h.shallow and h.committed and not h.touched_now
    assert (h.touch_known, h.origin_known, h.last_touch) == (False, False, None)
    assert h.boundary is not None and h.boundary.subject == "code 5"
    assert h.code_changes == ()  # the boundary's "everything added" is not a change
    assert [v.email for v in h.owners] == ["dana.okafor@example.com"]

    three = _shallow(r.path, tmp_path / "depth3", 3)
    h = histories(three, [spec("model.yaml")])[0]["model.yaml"]
    assert not h.touch_known and shas(h) == ["code 5", "code 4"]

    five = _shallow(r.path, tmp_path / "depth5", 5)
    h = histories(five, [spec("model.yaml")])[0]["model.yaml"]
    assert h.shallow and h.touch_known and not h.origin_known
    assert h.last_touch is not None and h.last_touch.subject == "handoff"
    assert shas(h) == ["code 5", "code 4", "code 3"]


def test_commit_as_of_follows_the_first_parent_line(make_repo: Any) -> None:
    r = make_repo()
    r.write("a", "1")
    march = r.commit("march", date="2026-03-01T10:00:00")
    r.git("checkout", "-q", "-b", "side")
    r.write("b", "1")
    r.commit("side work", date="2026-03-02")
    r.git("checkout", "-q", "main")
    r.git("merge", "-q", "--no-ff", "side", "-m", "merge side", date="2026-03-10")
    import datetime as dt

    with GitRepo.open(r.path) as g:  # type: ignore[union-attr]
        assert g.commit_as_of(dt.date(2026, 3, 1)) == march
        assert g.commit_as_of(dt.date(2026, 3, 5)) == march  # side work was not on main yet
        assert g.commit_as_of(dt.date(2026, 2, 28)) is None


def test_history_walk_runs_with_the_hardened_environment(make_repo: Any) -> None:
    """A hostile repo config (log format, diff program, hooks) changes nothing."""
    r = make_repo()
    r.write("model.yaml", model_yaml())
    r.commit("initial", date="2026-01-01")
    r.write("src/a.py", "1")
    r.commit("code", date="2026-02-01")
    marker = r.path / "pwned"
    with (r.path / ".git" / "config").open("a") as fh:
        fh.write(
            f"[log]\n\tdate = relative\n\tfollow = true\n[diff]\n\texternal = touch {marker}\n"
            f"\tnoprefix = true\n[core]\n\tfsmonitor = touch {marker}\n"
            "[format]\n\tpretty = oneline\n"
        )
    out, _ = histories(r.path, [spec("model.yaml", worktree_ids=frozenset())])
    assert shas(out["model.yaml"]) == ["code"]
    assert not marker.exists()

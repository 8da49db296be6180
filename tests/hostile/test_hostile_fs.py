"""Case 4: the filesystem of an untrusted checkout.

model.yaml files that are links out of the repository, devices, FIFOs,
folders, unreadable or not UTF-8; links to ``/`` and link loops; references
and ``paths`` that climb out; configs that name files outside; file names
with newlines, escapes and leading dashes.  Every case is built for real and
judged by the real CLI in every mode that applies: nothing hangs, each is a
clear finding or error, and a secret planted outside the repository never
appears in any output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import COMPLIANT, GitRepoBuilder, git_env

from ._support import SECRET, Run, modelgov, remove_deep, unprivileged_prefix

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
PASSWD_LINE = "root:x:0:0"


def _no_leak(run: Run) -> None:
    assert SECRET not in run.output, f"a file outside the repository leaked: {run.describe()}"
    assert PASSWD_LINE not in run.output, f"/etc/passwd leaked: {run.describe()}"
    assert "Traceback" not in run.output and "internal error" not in run.output, run.describe()


def _every_format(
    *args: str, cwd: Path, expect: int, formats: tuple[str, ...] = FORMATS
) -> dict[str, Run]:
    runs = {}
    for fmt in formats:
        run = modelgov("check", *args, "--format", fmt, "--no-color", cwd=cwd, timeout=30)
        _no_leak(run)
        assert run.code == expect, run.describe()
        assert run.wall < 20, run.describe()
        runs[fmt] = run
    return runs


def _formats(mode: list[str]) -> tuple[str, ...]:
    """Every format for the work tree; JSON for the git modes (same text, other source)."""
    return FORMATS if not mode else ("json",)


def _findings(run: Run) -> dict[str, list[dict[str, object]]]:
    """Findings of a JSON run by file."""
    out: dict[str, list[dict[str, object]]] = {}
    for f in json.loads(run.stdout)["findings"]:
        out.setdefault(str(f["repo_path"]), []).append(f)
    return out


# -- model.yaml that is not a regular file inside the repository --------------------

#: folder -> (how to make its model.yaml, words the MG005 message must hold)
ODD_MODELS = {
    "passwd": ("link:/etc/passwd", "leads out of the repository"),
    "zero": ("link:/dev/zero", "leads out of the repository"),
    "outside": ("link:{secret}", "leads out of the repository"),
    "fifo": ("fifo", "not a regular file"),
    "folder": ("dir", "directory"),
    "latin1": ("bytes:name: caf\xe9\n", "not valid UTF-8"),
}


def _make_odd_models(root: Path, secret: Path) -> None:
    for folder, (how, _words) in ODD_MODELS.items():
        target = root / folder / "model.yaml"
        target.parent.mkdir(parents=True)
        (root / folder / "README.md").write_text("a model folder\n", encoding="utf-8")
        if how.startswith("link:"):
            target.symlink_to(how[5:].format(secret=secret))
        elif how == "fifo":
            os.mkfifo(target)
        elif how == "dir":
            target.mkdir()
            (target / "x.txt").write_text("x\n", encoding="utf-8")
        else:
            target.write_bytes(how[6:].encode("latin-1"))


@pytest.mark.parametrize("layout", ["plain-folder", "git-worktree"])
def test_model_yaml_that_is_no_regular_file_is_a_clear_finding(
    tmp_path: Path, outside_secret: Path, layout: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _make_odd_models(root, outside_secret)
    if layout == "git-worktree":
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=git_env())
    runs = _every_format(str(root), cwd=tmp_path, expect=1)
    by_file = _findings(runs["json"])
    for folder, (_how, words) in ODD_MODELS.items():
        hits = [f for f in by_file.get(f"{folder}/model.yaml", []) if f["rule"] == "MG005"]
        assert hits, f"{folder}/model.yaml: no MG005 finding: {runs['json'].describe()}"
        assert words in str(hits[0]["message"]), hits
        assert hits[0]["line"] == 1 and hits[0]["col"] >= 1


def test_model_yaml_named_directly_when_not_a_file(tmp_path: Path, outside_secret: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _make_odd_models(root, outside_secret)
    for folder in ODD_MODELS:
        run = modelgov("check", "--format", "json", f"{folder}/model.yaml", cwd=root)
        _no_leak(run)
        assert run.code in (1, 2), run.describe()
        if run.code == 1:
            assert any(f["rule"] == "MG005" for f in json.loads(run.stdout)["findings"])


@pytest.mark.skipif(unprivileged_prefix() is None, reason="needs setpriv or runuser to drop root")
def test_unreadable_model_yaml_as_an_unprivileged_user(open_tmp: Path) -> None:
    """chmod 000 means nothing to root, so the check runs as nobody (CI runs as root)."""
    prefix = unprivileged_prefix()
    assert prefix is not None
    root = open_tmp / "repo"
    shutil.copytree(COMPLIANT, root)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=git_env())
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    secret_dir = root / "vault"
    secret_dir.mkdir()
    (secret_dir / "model.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    (secret_dir / "model.yaml").chmod(0o000)
    (root / "model.yaml").chmod(0o000)
    home = open_tmp / "home"
    home.mkdir(mode=0o777)
    run = modelgov(
        "check",
        "--format",
        "json",
        str(root),
        cwd=open_tmp,
        env={"HOME": str(home)},
        user_prefix=prefix,
    )
    _no_leak(run)
    assert run.code == 1, run.describe()
    by_file = _findings(run)
    for rel in ("model.yaml", "vault/model.yaml"):
        hits = [f for f in by_file.get(rel, []) if f["rule"] == "MG005"]
        assert hits and "permission denied" in str(hits[0]["message"]), run.describe()


# -- links to / and link loops --------------------------------------------------------


@pytest.mark.slow
def test_link_to_root_and_link_loops_cannot_trap_discovery_or_paths(
    make_repo, outside_secret: Path
) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("loops", example=COMPLIANT)
    (repo.path / "root").symlink_to("/")
    (repo.path / "loop").mkdir()
    (repo.path / "loop" / "again").symlink_to("..")
    (repo.path / "self").symlink_to("self")
    (repo.path / "a").symlink_to("b")
    (repo.path / "b").symlink_to("a")
    (repo.path / "secret").symlink_to(outside_secret.parent)
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - training/fraud/**\n",
        "  - training/fraud/**\n  - root/etc/**\n  - loop/again/again/**\n"
        "  - secret/*.yaml\n  - a/x/**\n",
    )
    repo.write("model.yaml", text)
    repo.commit("links everywhere")
    for mode in ([], ["--staged"], ["--rev", "HEAD"]):
        runs = _every_format(*mode, str(repo.path), cwd=repo.path, formats=_formats(mode), expect=0)
        findings = json.loads(runs["json"].stdout)["findings"]
        unmatched = {f["pointer"] for f in findings if f["rule"] == "MG161"}
        # The links are not followed: nothing below them is repository content.
        assert {"/paths/2", "/paths/4", "/paths/5"} <= unmatched, runs["json"].describe()


# -- references and paths that climb out -------------------------------------------------


@pytest.mark.slow
def test_references_and_paths_outside_the_repository(make_repo, outside_secret: Path) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("escape", example=COMPLIANT)
    (repo.path / "docs" / "leak.md").symlink_to(outside_secret)
    (repo.path / "docs" / "vault").symlink_to(outside_secret.parent)
    (repo.path / "root").symlink_to("/")
    rel_secret = os.path.relpath(outside_secret, repo.path)
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    text = text.replace("runbook: docs/runbooks/fraud-scorer.md", f"runbook: {rel_secret}")
    text = text.replace("procedure: docs/runbooks/fraud-scorer.md", "procedure: docs/leak.md")
    text = text.replace(
        "document: docs/handoff/fraud-scorer-2026-03.md", "document: root/etc/passwd"
    )
    text = text.replace(
        "  - training/fraud/**\n",
        f"  - training/fraud/**\n  - {rel_secret}\n  - /etc/**\n  - docs/vault/*.yaml\n  - ../**\n",
    )
    repo.write("model.yaml", text)
    repo.commit("references out of the repository")
    expected_refs = {"/on_call/runbook", "/rollback/procedure", "/owner/handoff/document"}
    for mode in ([], ["--staged"], ["--rev", "HEAD"]):
        runs = _every_format(*mode, str(repo.path), cwd=repo.path, formats=_formats(mode), expect=1)
        findings = json.loads(runs["json"].stdout)["findings"]
        refs = {f["pointer"] for f in findings if f["rule"] == "MG160"}
        assert expected_refs <= refs, runs["json"].describe()
        paths = {f["pointer"]: f for f in findings if f["rule"] == "MG161"}
        for i in (2, 3, 5):  # absolute or climbing out: an error
            assert paths[f"/paths/{i}"]["severity"] == "error", runs["json"].describe()
        assert "/paths/4" in paths  # a link out covers nothing


# -- names: newlines, escapes, leading dashes ----------------------------------------------

ODD_NAMES = (
    "-rf",
    "--output=pwned",
    "--format=json",
    "-",
    "new\nline",
    "esc\x1b[2Japed",
    "tab\tand space ",
    "%0A::warning::x",
    "quote\"'`$(touch pwned)",
)


@pytest.mark.slow
def test_odd_file_names_are_judged_and_never_taken_as_options(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: GitRepoBuilder = make_repo("names")
    base = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    for i, name in enumerate(ODD_NAMES):
        folder = repo.path / name
        folder.mkdir()
        shutil.copytree(COMPLIANT / "docs", folder / "docs")
        (folder / "model.yaml").write_text(
            base.replace("name: fraud-scorer", f"name: model-{i}"), encoding="utf-8"
        )
    repo.commit("odd names")
    for mode in ([], ["--staged"], ["--rev", "HEAD"]):
        runs = _every_format(*mode, ".", cwd=repo.path, formats=_formats(mode), expect=0)
        report = json.loads(runs["json"].stdout)
        assert sorted(m["repo_path"] for m in report["models"]) == sorted(
            f"{n}/model.yaml" for n in ODD_NAMES
        ), runs["json"].describe()
        for out in runs.values():
            assert "\x1b" not in out.output
    assert not (repo.path / "pwned").exists()
    assert not (repo.path.parent / "pwned").exists()


# -- a repository's config cannot name files outside it ------------------------------------


def _config_cases(secret: Path) -> dict[str, tuple[str | None, str]]:
    """case -> (.modelgov.yaml text, or None for a link to the secret; extra file)."""
    return {
        "config-link-out": (None, ""),
        "policy-outside": (f"policy: {secret}\n", ""),
        "policy-relative-out": (f"policy: {os.path.relpath(secret, secret.parent.parent)}\n", ""),
        "policy-etc-passwd": ("policy: /etc/passwd\n", ""),
        "roster-outside": (f"roster: {secret}\n", ""),
        "extends-outside": ("policy: policy/pack.yaml\n", f"extends: {secret}\n"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "config-link-out",
        "policy-outside",
        "policy-relative-out",
        "policy-etc-passwd",
        "roster-outside",
        "extends-outside",
    ],
)
def test_repo_config_cannot_read_files_outside_the_repository(
    tmp_path: Path, outside_secret: Path, case: str
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(COMPLIANT, root)
    # Valid and invalid YAML outside: neither its keys nor its lines may be printed.
    invalid = outside_secret.parent / "broken.yaml"
    invalid.write_text(f"{SECRET}: [unclosed {SECRET}\n", encoding="utf-8")
    for secret in (outside_secret, invalid):
        config, extra = _config_cases(secret)[case]
        cfg = root / ".modelgov.yaml"
        if cfg.exists() or cfg.is_symlink():
            cfg.unlink()
        if config is None:
            cfg.symlink_to(secret)
        else:
            cfg.write_text(config, encoding="utf-8")
        if extra:
            (root / "policy").mkdir(exist_ok=True)
            (root / "policy" / "pack.yaml").write_text(extra, encoding="utf-8")
        run = modelgov("check", "--format", "json", str(root), cwd=tmp_path)
        _no_leak(run)
        assert run.code == 2, run.describe()
        assert run.stderr.startswith("modelgov: error: "), run.describe()
        assert "outside" in run.stderr, run.describe()


def _nested(top: Path, levels: int, name: str) -> None:
    """``top/name/name/...`` ``levels`` deep, built with folder descriptors (no path limit)."""
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


def test_audit_of_a_folder_nested_1500_levels_is_a_clear_error(tmp_path: Path) -> None:
    # outside pytest's tmp folders, whose clean-up cannot remove paths past PATH_MAX
    base = Path(tempfile.mkdtemp(prefix="modelgov-deep-"))
    try:
        _nested(base / "short", 1500, "d")
        _nested(base / "long", 1500, "n" * 200)  # past PATH_MAX after 20 levels
        deep = modelgov("audit", "--depth", "5000", str(base / "short"), cwd=tmp_path)
        assert deep.code == 2, deep.describe()
        assert "--depth must be between 0 and 100" in deep.stderr, deep.describe()
        assert "Traceback" not in deep.output and "internal error" not in deep.output
        for top in ("short", "long"):
            run = modelgov(
                "audit", "--depth", "100", "--format", "json", str(base / top), cwd=tmp_path
            )
            assert run.code == 1, run.describe()  # an error row: no repository found
            assert "internal error" not in run.output and "Traceback" not in run.output
            rows = json.loads(run.stdout)["models"]
            assert rows and all(r["status"] == "error" for r in rows), rows
    finally:
        remove_deep(base)

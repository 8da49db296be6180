"""The pre-commit hook, exercised with the real ``pre-commit`` on real git repositories.

The hook is installed the way users install it: from this repository at a
commit (``repo:`` the checkout's path, ``rev:`` its ``HEAD``), so what is
tested is what is committed.  pre-commit builds the hook's virtualenv with
pip once per session (``PRE_COMMIT_HOME`` is shared); ``try-repo`` builds its
own.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import BROKEN, COMPLIANT, ROOT, TODAY, GitRepoBuilder, git_env, run_cli
from modelgov import hooks

README = ROOT / "README.md"


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: git identity only, nothing from a CI or a hook."""
    drop = ("GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")
    env = {
        k: v
        for k, v in git_env().items()
        if k not in drop and not k.startswith(("GITHUB_", "INPUT_", "PRE_COMMIT"))
    }
    env["PRE_COMMIT_COLOR"] = "never"
    env["MODELGOV_TODAY"] = TODAY
    env.update(extra)
    return env


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=_clean_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="session")
def hook_rev() -> str:
    """The commit of this checkout that pre-commit installs the hook from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if head.returncode != 0 or not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: the hook is installed from a commit")
    rev = head.stdout.strip()
    committed = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{rev}:{hooks.MANIFEST}"],
        capture_output=True,
        check=False,
        env=env,
    )
    assert committed.returncode == 0, f"{hooks.MANIFEST} is not committed at {rev}"
    return rev


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _config(rev: str) -> str:
    return f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: modelgov\n"


def _hooked_repo(make_repo: object, rev: str, example: Path = COMPLIANT) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo(example=example)  # type: ignore[operator]
    repo.write(".pre-commit-config.yaml", _config(rev))
    repo.commit("model and hook config")
    return repo


def _break(repo: GitRepoBuilder) -> str:
    """Make the compliant model's rollback too slow (MG131); return the good text."""
    model = repo.path / "model.yaml"
    good = model.read_text(encoding="utf-8")
    model.write_text(good.replace("max_minutes: 15 ", "max_minutes: 120 "), encoding="utf-8")
    return good


# ------------------------------------------------------------- the manifest


def test_manifest_is_generated_from_the_catalog() -> None:
    assert (ROOT / hooks.MANIFEST).read_text(encoding="utf-8") == hooks.render(), (
        "stale: run `python -m modelgov.hooks --write`"
    )
    result = subprocess.run(
        [sys.executable, "-m", "modelgov.hooks", "--check", str(ROOT / hooks.MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_stale_manifest_is_detected_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / hooks.MANIFEST
    path.write_text("- id: modelgov\n  entry: modelgov check\n", encoding="utf-8")
    assert hooks.main(["--check", str(path)]) == 1
    assert hooks.main(["--write", str(path)]) == 0
    assert hooks.main(["--check", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == hooks.render()


def test_manifest_validates_with_pre_commit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / hooks.MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_uses_only_options_the_cli_offers() -> None:
    import click

    from modelgov.cli.app import cli

    scripts = _console_scripts()
    manifest = yaml.safe_load((ROOT / hooks.MANIFEST).read_text(encoding="utf-8"))
    assert [h["id"] for h in manifest] == ["modelgov"]
    for hook in manifest:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert "files" not in hook and "types" not in hook  # every commit, any file
        program, command, *rest = shlex.split(hook["entry"])
        assert program in scripts
        sub = cli.commands[command]
        offered = {opt for p in sub.params if isinstance(p, click.Option) for opt in p.opts}
        used = [a.split("=")[0] for a in [*rest, *hook.get("args", [])] if a.startswith("-")]
        assert used and set(used) <= offered, (used, offered)
        assert "--staged" in used


def _console_scripts() -> set[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["project"]["scripts"])


def _readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_readme_snippet_is_a_valid_config(tmp_path: Path) -> None:
    section = _readme_section("pre-commit")
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert blocks, "no yaml block in the README's pre-commit section"
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(blocks[0], encoding="utf-8")
    data = yaml.safe_load(blocks[0])
    assert data["repos"][0]["hooks"][0]["id"] == "modelgov"
    # no release is tagged yet: the snippet pins a commit of this repository that has the hook
    rev = data["repos"][0]["rev"]
    assert re.fullmatch(r"[0-9a-f]{40}", rev), rev
    assert data["repos"][0]["repo"] == "https://github.com/modelgov/modelgov"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if (ROOT / ".git").exists():
        found = subprocess.run(
            ["git", "-C", str(ROOT), "cat-file", "-e", f"{rev}:{hooks.MANIFEST}"],
            capture_output=True,
            check=False,
            env=env,
        )
        assert found.returncode == 0, f"{rev} is not a commit of this repository with the hook"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _readme_rev() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", _readme_section("pre-commit"), re.S)
    rev: str = yaml.safe_load(blocks[0])["repos"][0]["rev"]
    return rev


# ------------------------------------------------------------ the real hook


@pytest.mark.slow
def test_the_readme_snippet_blocks_a_broken_model(
    make_repo: object, hook_rev: str, pre_commit_home: Path
) -> None:
    """The README's config as a user pastes it, its ``repo:`` pointed at this checkout
    (the tests reach no GitHub): pre-commit installs the pinned commit and runs it."""
    rev = _readme_rev()
    snippet = re.findall(r"```yaml\n(.*?)```", _readme_section("pre-commit"), re.S)[0]
    config = snippet.replace("https://github.com/modelgov/modelgov", str(ROOT))
    assert f"rev: {rev}" in config and str(ROOT) in config
    repo: GitRepoBuilder = make_repo(example=COMPLIANT)  # type: ignore[operator]
    repo.write(".pre-commit-config.yaml", config)
    repo.commit("model and hook config")
    passed = _pre_commit("run", "--all-files", cwd=repo.path, home=pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    _break(repo)
    repo.git("add", "-A")
    broken = _pre_commit("run", "--all-files", cwd=repo.path, home=pre_commit_home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "model.yaml:33:16: error MG131" in broken.stdout


@pytest.mark.slow
def test_run_blocks_a_broken_model_and_passes_a_fixed_one(
    make_repo: object, hook_rev: str, pre_commit_home: Path
) -> None:
    repo = _hooked_repo(make_repo, hook_rev)
    good = _break(repo)
    repo.git("add", "-A")
    broken = _pre_commit("run", "--all-files", cwd=repo.path, home=pre_commit_home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r"^modelgov\.+Failed$", broken.stdout, re.M), broken.stdout
    assert "model.yaml:33:16: error MG131" in broken.stdout

    # Fix it, stage the fix: the hook passes.
    (repo.path / "model.yaml").write_text(good, encoding="utf-8")
    repo.git("add", "-A")
    fixed = _pre_commit("run", "--all-files", cwd=repo.path, home=pre_commit_home)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"^modelgov\.+Passed$", fixed.stdout, re.M), fixed.stdout

    # A declaration that breaks many rules at once (the broken example) is blocked too.
    (repo.path / "model.yaml").write_text(
        (BROKEN / "model.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    repo.git("add", "-A")
    many = _pre_commit("run", "--all-files", cwd=repo.path, home=pre_commit_home)
    assert many.returncode == 1, many.stdout + many.stderr
    assert "error MG131" in many.stdout and "error MG141" in many.stdout


@pytest.mark.slow
def test_commit_is_judged_on_what_is_staged(
    make_repo: object, hook_rev: str, pre_commit_home: Path
) -> None:
    repo = _hooked_repo(make_repo, hook_rev)
    installed = _pre_commit("install", cwd=repo.path, home=pre_commit_home)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    model = repo.path / "model.yaml"
    head = repo.git("rev-parse", "HEAD").strip()

    # A broken model.yaml is staged while a good one sits unstaged in the worktree.
    good = _break(repo)
    repo.git("add", "model.yaml")
    model.write_text(good.replace("# Reference", "# The reference"), encoding="utf-8")
    # modelgov itself reads the index, not the worktree (no pre-commit stash involved).
    assert run_cli("check", "--staged", cwd=repo.path).exit_code == 1
    assert run_cli("check", cwd=repo.path).exit_code == 0
    hook = _pre_commit("run", cwd=repo.path, home=pre_commit_home)
    assert hook.returncode == 1 and "MG131" in hook.stdout, hook.stdout + hook.stderr
    commit = _git_commit(repo, "-m", "slow rollback", home=pre_commit_home)
    assert commit.returncode != 0 and "MG131" in commit.stderr, commit.stdout + commit.stderr
    assert repo.git("rev-parse", "HEAD").strip() == head
    assert "# The reference" in model.read_text(encoding="utf-8")  # the worktree is untouched

    # `git commit -a` commits the worktree: a broken file that is not yet staged is judged.
    repo.git("add", "model.yaml")  # stage the good version
    _break(repo)
    commit = _git_commit(repo, "-a", "-m", "commit everything", home=pre_commit_home)
    assert commit.returncode != 0 and "MG131" in commit.stderr, commit.stdout + commit.stderr
    assert repo.git("rev-parse", "HEAD").strip() == head

    # The good version staged, a broken one unstaged: the commit holds the good one and passes.
    commit = _git_commit(repo, "-m", "good model", home=pre_commit_home)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert repo.git("rev-parse", "HEAD").strip() != head
    assert "max_minutes: 15 " in repo.git("show", "HEAD:model.yaml")


def test_staged_honours_a_relative_index_file(
    make_repo: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs hooks at the worktree root with ``GIT_INDEX_FILE=.git/index`` (relative)."""
    repo: GitRepoBuilder = make_repo(example=COMPLIANT)  # type: ignore[operator]
    repo.commit("model")
    good = _break(repo)
    repo.git("add", "model.yaml")
    (repo.path / "model.yaml").write_text(good, encoding="utf-8")
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/index")
    result = run_cli("check", "--staged", cwd=repo.path)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "model.yaml:33:16: error MG131" in result.stdout
    assert "MG009" not in result.stdout


def _git_commit(repo: GitRepoBuilder, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = _clean_env(PRE_COMMIT_HOME=str(home))
    env.update({k: v for k, v in git_env(date="2026-11-29").items() if k.startswith("GIT_")})
    return subprocess.run(
        ["git", "commit", "-q", *args],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
def test_try_repo_blocks_broken_and_passes_fixed(
    make_repo: object, hook_rev: str, pre_commit_home: Path
) -> None:
    repo: GitRepoBuilder = make_repo(example=COMPLIANT)  # type: ignore[operator]
    repo.commit("model")
    _break(repo)
    repo.git("add", "-A")
    args = ("try-repo", str(ROOT), "modelgov", "--ref", hook_rev, "--all-files")
    broken = _pre_commit(*args, cwd=repo.path, home=pre_commit_home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "model.yaml:33:16: error MG131" in broken.stdout
    repo.git("checkout", "HEAD", "--", "model.yaml")
    fixed = _pre_commit(*args, cwd=repo.path, home=pre_commit_home)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert re.search(r"^modelgov\.+Passed$", fixed.stdout, re.M), fixed.stdout

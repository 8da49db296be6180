"""Finding model.yaml files: folders, single files, git-ignored and vendored paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import COMPLIANT, run_cli


def _models(result_stdout: str) -> list[str]:
    return [m["repo_path"] for m in json.loads(result_stdout)["models"]]


def _plant(root: Path, rel: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("name: planted\n")


def test_git_repo_skips_ignored_vendored_and_venv_paths(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(example=COMPLIANT)
    repo.write(".gitignore", "build/\n")
    _plant(repo.path, "build/model.yaml")
    _plant(repo.path, "node_modules/pkg/model.yaml")
    _plant(repo.path, ".venv/lib/model.yaml")
    (repo.path / "env").mkdir()
    (repo.path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    _plant(repo.path, "env/lib/model.yaml")
    (repo.path / "models" / "churn").mkdir(parents=True)
    shutil.copy(COMPLIANT / "model.yaml", repo.path / "models" / "churn" / "model.yml")
    repo.commit("init")
    result = run_cli("check", str(repo.path), "--format", "json")
    assert _models(result.stdout) == ["model.yaml", "models/churn/model.yml"]


def test_untracked_model_is_checked_in_a_git_repo(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(example=COMPLIANT)
    repo.commit("init")
    _plant(repo.path, "new/model.yaml")
    result = run_cli("check", str(repo.path), "--format", "json")
    assert "new/model.yaml" in _models(result.stdout)


def test_plain_folder_walk_skips_vendored_paths(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    shutil.copytree(COMPLIANT, root)
    _plant(root, "node_modules/x/model.yaml")
    _plant(root, ".git/model.yaml")
    _plant(root, "venv/model.yaml")
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    _plant(root, "sub/model.yaml")
    result = run_cli("check", str(root), "--format", "json")
    assert _models(result.stdout) == ["model.yaml", "sub/model.yaml"]


def test_subfolder_of_a_repo_checks_only_that_subtree(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    repo.copy_example(COMPLIANT, into="models/fraud")
    repo.copy_example(COMPLIANT, into="models/other")
    repo.commit("two models")
    result = run_cli("check", str(repo.path / "models" / "fraud"), "--format", "json")
    assert _models(result.stdout) == ["models/fraud/model.yaml"]
    both = run_cli("check", str(repo.path), "--format", "json")
    assert _models(both.stdout) == ["models/fraud/model.yaml", "models/other/model.yaml"]
    assert both.exit_code == 0, both.stdout


def test_single_file_of_any_name(tmp_path: Path) -> None:
    shutil.copytree(COMPLIANT, tmp_path / "r")
    other = tmp_path / "r" / "fraud.model.yaml"
    shutil.copy(tmp_path / "r" / "model.yaml", other)
    result = run_cli("check", str(other), "--format", "json")
    assert result.exit_code == 0
    assert _models(result.stdout) == ["fraud.model.yaml"]


def test_repo_without_declaration(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    repo.write("train.py", "import sklearn\n")
    repo.commit("code only")
    result = run_cli("check", str(repo.path))
    assert result.exit_code == 1
    assert "MG009" in result.stdout

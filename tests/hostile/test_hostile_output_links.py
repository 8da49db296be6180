"""Issue 15, "--output through a planted symlink": a report is never written through a link
the checked repository planted.

CI runs ``modelgov check --output reports/modelgov.sarif`` inside the
repository it checks.  A hostile repository commits ``reports/modelgov.sarif``
as a symlink to a file of the runner's user (``~/.bashrc``), or ``reports``
as a symlink to one of its folders, or a FIFO there so the write blocks
forever.  modelgov refuses each with exit 2 and leaves the target untouched;
a symlink the user made outside the repository is still followed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLIANT, GitRepoBuilder

from ._support import modelgov


@pytest.fixture
def planted(make_repo: Any, tmp_path: Path) -> tuple[GitRepoBuilder, Path]:
    """A repository (the compliant example) and a file of the user's it wants overwritten."""
    repo: GitRepoBuilder = make_repo("hostile", example=COMPLIANT)
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("# the user's own file\n", encoding="utf-8")
    return repo, victim


def _untouched(victim: Path) -> None:
    assert victim.read_text(encoding="utf-8") == "# the user's own file\n"


def test_a_planted_file_link_is_not_written_through(planted: tuple[GitRepoBuilder, Path]) -> None:
    repo, victim = planted
    (repo.path / "reports").mkdir()
    (repo.path / "reports" / "modelgov.sarif").symlink_to(victim)
    repo.commit("reports")
    for args in (
        ["--output", "sarif=reports/modelgov.sarif"],
        ["--format", "sarif", "--output", "reports/modelgov.sarif"],
    ):
        run = modelgov("check", ".", *args, cwd=repo.path)
        assert run.code == 2, run.describe()
        assert "refusing to write reports/modelgov.sarif" in run.stderr
        assert "is a symlink inside the checked repository" in run.stderr
        _untouched(victim)
        assert (repo.path / "reports" / "modelgov.sarif").is_symlink()


def test_a_planted_folder_link_is_not_written_through(planted: tuple[GitRepoBuilder, Path]) -> None:
    repo, victim = planted
    (repo.path / "out").symlink_to(victim.parent, target_is_directory=True)
    repo.commit("out")
    run = modelgov("check", ".", "--output", "json=out/.bashrc", cwd=repo.path)
    assert run.code == 2, run.describe()
    assert "is a symlink inside the checked repository" in run.stderr
    _untouched(victim)
    # nor through a `..` after the link, nor when the repository is checked from outside
    run = modelgov(
        "check",
        str(repo.path),
        "--output",
        f"json={repo.path}/out/../home/.bashrc",
        cwd=repo.path.parent,
    )
    assert run.code == 2, run.describe()
    _untouched(victim)


def test_a_planted_fifo_does_not_hang_the_run(planted: tuple[GitRepoBuilder, Path]) -> None:
    repo, _ = planted
    os.mkfifo(repo.path / "report.txt")
    run = modelgov("check", ".", "--output", "report.txt", cwd=repo.path, timeout=20)
    assert run.code == 2, run.describe()
    assert "not a regular file" in run.stderr and run.wall < 20


def test_the_users_own_links_outside_the_repository_are_followed(
    planted: tuple[GitRepoBuilder, Path], tmp_path: Path
) -> None:
    repo, _ = planted
    reports = tmp_path / "reports"
    reports.mkdir()
    link = tmp_path / "latest.sarif"
    link.symlink_to(reports / "run-1.sarif")
    run = modelgov("check", str(repo.path), "--output", f"sarif={link}", cwd=tmp_path)
    assert run.code == 0, run.describe()
    assert link.is_symlink() and (reports / "run-1.sarif").read_text().startswith("{")
    # a link of the user's that leads into the repository: followed, the file written there
    into = tmp_path / "into-repo"
    into.symlink_to(repo.path, target_is_directory=True)
    run = modelgov(
        "check", str(repo.path), "--output", f"sarif={into}/modelgov.sarif", cwd=tmp_path
    )
    assert run.code == 0, run.describe()
    assert (repo.path / "modelgov.sarif").is_file()
    # a regular report file inside the repository is fine: the user named it
    run = modelgov("check", ".", "--output", "sarif=modelgov.sarif", cwd=repo.path)
    assert run.code == 0, run.describe()

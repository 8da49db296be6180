"""Shared fixtures: real git repositories in tmp dirs, and the CLI driven end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COMPLIANT = EXAMPLES / "compliant"
BROKEN = EXAMPLES / "broken"
TODAY = "2026-11-30"

# Git must not read the developer's config in tests either.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Dana Okafor",
    "GIT_AUTHOR_EMAIL": "dana.okafor@example.com",
    "GIT_COMMITTER_NAME": "Dana Okafor",
    "GIT_COMMITTER_EMAIL": "dana.okafor@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the wall clock, the developer's git config or CI variables."""
    monkeypatch.setenv("MODELGOV_TODAY", TODAY)
    for key in list(os.environ):
        if key.startswith(("GITHUB_", "GIT_", "INPUT_")) or key in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(key, raising=False)
    for key, value in _GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git_env(date: str | None = None, author: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(_GIT_ENV)
    if author:
        name, _, email = author.partition("<")
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = name.strip()
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = email.rstrip(">").strip()
    if date:
        stamp = date if "T" in date else f"{date}T12:00:00"
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{stamp}+00:00"
    return env


@dataclass
class GitRepoBuilder:
    """A real git repository in a tmp dir, with commits at controlled dates."""

    path: Path

    def git(self, *args: str, date: str | None = None, author: str | None = None) -> str:
        out = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=git_env(date, author),
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {out.stderr}")
        return out.stdout

    def write(self, rel: str, text: str = "") -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(
        self,
        message: str,
        *,
        date: str = "2026-01-01",
        author: str | None = None,
        add: tuple[str, ...] = (".",),
    ) -> str:
        self.git("add", "--", *add)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date, author=author)
        return self.git("rev-parse", "HEAD").strip()

    def copy_example(self, example: Path = COMPLIANT, into: str = "") -> None:
        dest = self.path / into if into else self.path
        shutil.copytree(example, dest, dirs_exist_ok=True)


@pytest.fixture
def make_repo(tmp_path: Path) -> Iterator[object]:
    """``make_repo(name='repo')`` -> :class:`GitRepoBuilder` of a new repository."""

    def factory(name: str = "repo", *, example: Path | None = None) -> GitRepoBuilder:
        path = tmp_path / name
        path.mkdir(parents=True)
        builder = GitRepoBuilder(path)
        builder.git("init", "-q", "-b", "main")
        if example is not None:
            builder.copy_example(example)
        return builder

    yield factory


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Run the CLI in-process through click's CliRunner (via ``main``, so the error boundary applies)."""
    from modelgov.cli import main

    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(_Main(main), list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return CliResult(result.exit_code, result.stdout, result.stderr)


class _Main:
    """Adapt ``main(argv) -> int`` to what CliRunner.invoke expects."""

    def __init__(self, main: object) -> None:
        self.main_func = main
        self.name = "modelgov"

    def main(self, args: list[str], prog_name: str | None = None, **_: object) -> None:
        code = self.main_func(args)  # type: ignore[operator]
        raise SystemExit(code)


@pytest.fixture
def cli() -> object:
    return run_cli


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing (review with git diff)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True under ``--update-goldens``: golden tests write their files instead of comparing."""
    return bool(request.config.getoption("--update-goldens"))

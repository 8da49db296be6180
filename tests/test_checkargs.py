"""The fast parser of `modelgov check` agrees with the click command, or defers to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKEN, COMPLIANT, TODAY
from modelgov import checkargs
from modelgov.cli import check as click_check

AGREE = [
    [],
    ["."],
    ["a", "b/model.yaml"],
    ["--staged"],
    ["--policy", "strict", "--fail-on", "warning", "."],
    ["--policy=strict", "--fail-on=never"],
    ["--format", "json", "--format", "sarif", "--output", "x.json"],
    ["--output", "sarif=r.sarif", "--output=markdown=s.md", "--format=github"],
    ["--today", "2026-01-02", "--rev", "HEAD~1"],
    ["--as-of", "2026-03-01", "--roster", "people.csv", "--config", "org.yaml"],
    ["--color", "x"],
    ["--no-color", "--color"],
    ["x", "--staged", "y"],
    ["--", "--staged", "-rf"],
    ["-"],
]


@pytest.mark.parametrize("args", AGREE, ids=lambda a: " ".join(a) or "(none)")
def test_fast_parser_agrees_with_click(args: list[str]) -> None:
    fast = checkargs.parse_fast(args)
    assert fast is not None
    ctx = click_check.make_context("check", list(args))
    slow = dict(ctx.params)
    assert {k: (tuple(v) if isinstance(v, list) else v) for k, v in fast.items()} == slow
    assert checkargs.to_options(fast) == checkargs.to_options(slow)


def test_today_from_the_environment_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELGOV_TODAY", "2027-01-01")
    fast = checkargs.parse_fast([])
    assert fast is not None
    assert fast["today"] == click_check.make_context("check", []).params["today"] == "2027-01-01"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--frobnicate"],
        ["-rf"],
        ["--fail-on", "sometimes"],
        ["--format", "xml"],
        ["--policy"],
        ["--staged=yes"],
        ["--config", "."],
    ],
)
def test_fast_parser_defers_to_click(args: list[str]) -> None:
    assert checkargs.parse_fast(args) is None


def test_usage_errors_are_the_same_on_both_paths(cli) -> None:  # type: ignore[no-untyped-def]
    from modelgov.entry import main

    for args in (
        ["check", "--staged", "--rev", "HEAD"],
        ["check", "--output", "a", "--output", "b"],
    ):
        assert main(args) == 2
        assert cli(*args).exit_code == 2


def test_the_hook_path_does_not_import_click(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from modelgov.entry import main\n"
        f"code = main(['check', {str(COMPLIANT)!r}, {str(BROKEN)!r}, '--output', {str(tmp_path / 'r.txt')!r}])\n"
        "sys.stderr.write(f'exit={code} click={\"click\" in sys.modules}')\n"
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stderr.endswith("exit=1 click=False"), proc.stderr
    assert "MG131" in (tmp_path / "r.txt").read_text()
    helped = subprocess.run(
        [sys.executable, "-m", "modelgov", "check", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert helped.returncode == 0
    assert "--as-of YYYY-MM-DD" in helped.stdout

"""The fast parser of `modelgov check` agrees with the click command, or defers to it.

Both are built from one table (``modelgov.cli.options.CHECK``); the fast one
runs on every commit as the pre-commit hook and must not import click.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKEN, COMPLIANT, TODAY
from modelgov.cli import fast, main
from modelgov.cli import options as o
from modelgov.cli.app import check as click_check
from modelgov.cli.app import cli as click_cli

AGREE = [
    [],
    ["."],
    ["a", "b/model.yaml"],
    ["--staged"],
    ["--policy", "strict", "--fail-on", "warning", "."],
    ["--policy=strict", "--fail-on=never"],
    ["--format", "json", "--format", "sarif", "--output", "sarif=x.sarif"],
    ["--output", "sarif=r.sarif", "--output=markdown=s.md", "--format=github"],
    ["--today", "2026-01-02", "--rev", "HEAD~1"],
    ["--as-of", "2026-03-01", "--roster", "people.csv", "--config", "org.yaml"],
    ["--color", "x"],
    ["--no-color", "--color"],
    ["x", "--staged", "y"],
    ["--", "--staged", "-rf"],
    ["-"],
    ["-", "--stdin-filename", "models/churn/model.yaml"],
    ["--stdin-filename=model.yaml"],
    ["--select", "MG1,MG2", "--select=rollback-too-slow", "--ignore", "MG131"],
    ["-q", "--statistics", "."],
    ["--registry", "."],
    ["--quiet", "--format", "gitlab", "--output", "gl.json"],
]


def _same(fast_values: dict[str, object], click_values: dict[str, object]) -> None:
    norm = {k: (tuple(v) if isinstance(v, list) else v) for k, v in fast_values.items()}
    assert norm == click_values


@pytest.mark.parametrize("args", AGREE, ids=lambda a: " ".join(a) or "(none)")
def test_fast_parser_agrees_with_click(args: list[str]) -> None:
    values = fast.parse(args)
    assert values is not None
    ctx = click_check.make_context("check", list(args))
    slow = dict(ctx.params)
    _same(values, slow)
    assert o.check_request(values) == o.check_request(slow)


def test_today_from_the_environment_is_read_in_one_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODELGOV_TODAY", "2027-01-01")
    values = fast.parse([])
    assert values is not None
    # neither parser reads the variable: parse_today does, for both
    assert values["today"] is None and click_check.make_context("check", []).params["today"] is None
    assert o.check_request(values).today.isoformat() == "2027-01-01"
    monkeypatch.setenv("MODELGOV_TODAY", "not-a-date")
    with pytest.raises(o.UsageError, match="MODELGOV_TODAY must be a date"):
        o.check_request(values)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--frobnicate"],
        ["-rf"],
        ["-qq"],
        ["--fail-on", "sometimes"],
        ["--format", "xml"],
        ["--policy"],
        ["--staged=yes"],
        ["--quiet=1"],
        ["--config", "."],
    ],
)
def test_fast_parser_defers_to_click(args: list[str]) -> None:
    assert fast.parse(args) is None


def test_every_option_is_declared_once_and_has_help() -> None:
    """The click commands are built from the table: same flags, same help, nothing else."""
    import click

    declared = {opt.dest: opt for opt in o.CHECK}
    params = [p for p in click_check.params if isinstance(p, click.Option)]
    assert [p.name for p in params] == [opt.dest for opt in o.CHECK]
    for param in params:
        opt = declared[str(param.name)]
        assert set(param.opts) | set(param.secondary_opts) == set(opt.flags)
        assert param.help == opt.help
    # every option of every command, at every level, explains itself
    missing = []

    def walk(cmd: click.Command, path: str) -> None:
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(click.Context(cmd)):
                sub = cmd.get_command(click.Context(cmd), name)
                assert sub is not None
                if hasattr(sub, "load"):
                    sub = sub.load()
                walk(sub, f"{path} {name}")
        missing.extend(
            f"{path} {p.opts[0]}"
            for p in cmd.params
            if isinstance(p, click.Option) and not (p.help or "").strip()
        )
        assert (cmd.help or "").strip(), f"{path} has no help text"

    walk(click_cli, "modelgov")
    assert missing == []


def test_format_choices_come_from_the_registries() -> None:
    from modelgov.audit.render import RENDERERS
    from modelgov.reporters import REPORTERS

    assert o.choices_of(o.CHECK_FORMAT) == ("auto", *REPORTERS)
    assert o.choices_of(o.AUDIT_FORMAT) == tuple(RENDERERS)
    assert "gitlab" in REPORTERS


def test_usage_errors_are_the_same_on_both_paths(cli) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ["check", "--staged", "--rev", "HEAD"],
        ["check", "--output", "a", "--output", "b"],
        ["check", "-", "examples"],
        ["check", "--stdin-filename", "x/model.yaml", "examples"],
    ):
        assert main(args) == 2
        assert cli(*args).exit_code == 2


def test_the_hook_path_does_not_import_click(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from modelgov.cli import main\n"
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

"""The command line: parses options and calls ``commands.*``; no logic here.

Exit codes (fixed): 0 clean, 1 findings at the fail level, 2 usage or config
error, 3 internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import EXIT_USAGE, run_guarded

FAIL_ON = click.Choice(["error", "warning", "note", "never"])
FORMAT_NAMES = ["auto", "text", "json", "sarif", "junit", "github", "markdown"]


def _output_pair(value: str) -> tuple[str, Path]:
    fmt, sep, path = value.partition("=")
    if not sep or not fmt or not path:
        raise click.BadParameter(
            f"expected FORMAT=PATH (such as sarif=results.sarif), not {value!r}"
        )
    return fmt.strip(), Path(path)


def common_check_options(func: Any) -> Any:
    options = [
        click.option(
            "--policy",
            metavar="NAME|FILE",
            help="Policy pack: a built-in name (default, strict, minimal) or a YAML file.",
        ),
        click.option(
            "--config",
            "config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Config file (default: .modelgov.yaml or pyproject.toml found by walking up).",
        ),
        click.option(
            "--fail-on",
            type=FAIL_ON,
            default=None,
            help="Lowest severity that fails the run [default: error].",
        ),
        click.option(
            "--today",
            metavar="YYYY-MM-DD",
            envvar="MODELGOV_TODAY",
            help="Pin today's date (also MODELGOV_TODAY).",
        ),
        click.option(
            "--roster",
            type=click.Path(path_type=Path, dir_okay=False),
            help="People roster (YAML or CSV with email and status).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="modelgov")
def cli() -> None:
    """modelgov: policy-as-code governance for ML model repositories.

    Each model declares who owns it, who is on call, how to roll it back,
    which drift monitors watch it and who approves a deploy in a model.yaml;
    modelgov checks those declarations and fails CI when one is missing,
    wrong or stale.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@common_check_options
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMAT_NAMES),
    help="Output format on stdout; repeat for several [default: auto].",
)
@click.option(
    "--output",
    "output",
    metavar="FILE|FORMAT=FILE",
    multiple=True,
    help="Write the report to FILE instead of stdout, or write FORMAT to FILE besides stdout (repeatable).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Judge what is staged in the git index (the pre-commit hook does this).",
)
@click.option(
    "--rev", metavar="REV", help="Judge the files as they were at a commit (read from git objects)."
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="Judge the last commit on or before DATE, with today pinned to DATE.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the text output [default: on a terminal]."
)
def check(
    paths: tuple[Path, ...],
    formats: tuple[str, ...],
    output: tuple[str, ...],
    staged: bool,
    rev: str | None,
    as_of: str | None,
    color: bool | None,
    **kw: Any,
) -> int:
    """Check the model.yaml files in PATHS (folders or files; default: .)."""
    from .commands import check as cmd

    if staged and (rev or as_of):
        raise click.UsageError("--staged cannot be combined with --rev or --as-of")
    if rev and as_of:
        raise click.UsageError("--rev and --as-of cannot be combined")
    plain = [o for o in output if "=" not in o]
    if len(plain) > 1:
        raise click.UsageError("give at most one --output FILE (use FORMAT=FILE for more)")
    pairs = [_output_pair(o) for o in output if "=" in o]
    import os

    index_file = os.environ.get("GIT_INDEX_FILE") if staged else None
    opts = cmd.CheckOptions(
        paths=list(paths) or [Path(".")],
        policy=kw["policy"],
        config=kw["config"],
        fail_on=kw["fail_on"],
        today=cmd.parse_today(kw["today"]) if kw["today"] else None,
        source="index" if staged else ("commit" if rev or as_of else "worktree"),
        rev=rev,
        index_file=index_file,
        formats=list(formats) or ["auto"],
        output=Path(plain[0]) if plain else None,
        outputs=pairs,
        color=color,
        roster=kw["roster"],
        as_of=cmd.parse_today(as_of) if as_of else None,
    )
    return cmd.run(opts)


@cli.command()
def schema() -> int:
    """Print the JSON Schema of model.yaml."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)
    return 0


@cli.command(name="rules")
@click.option("--policy", metavar="NAME|FILE", help="Show severities and state under this pack.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_cmd(policy: str | None, fmt: str) -> int:
    """List the rules with their default severity."""
    from .commands import rules as cmd

    return cmd.list_rules(policy, fmt)


@cli.command()
@click.argument("rule")
@click.option(
    "--policy", metavar="NAME|FILE", help="Resolve the rule (and custom rules) under this pack."
)
def explain(rule: str, policy: str | None) -> int:
    """Explain a rule: rationale, failing and passing snippets, the fix."""
    from .commands import rules as cmd

    return cmd.explain(rule, policy)


@cli.command()
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path(".")
)
@click.option("--name", help="Model name [default: the folder's name].")
@click.option("--risk-tier", type=click.Choice(["low", "medium", "high"]), default="medium")
def init(folder: Path, name: str | None, risk_tier: str) -> int:
    """Write a commented model.yaml skeleton (never overwrites)."""
    from .commands import init as cmd

    return cmd.run(folder, name=name, risk_tier=risk_tier)


@cli.group()
def policy() -> None:
    """Work with policy packs: test them with YAML cases."""


@policy.command(name="test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--policy",
    "pack",
    metavar="NAME|FILE",
    help="The pack under test [default: the config's pack, else default].",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file [default: found walking up from the first PATH].",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    envvar="MODELGOV_TODAY",
    help="Date for cases that do not pin one (also MODELGOV_TODAY).",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Fail when fewer than N% of the pack's enabled rules are exercised.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only failing cases and the summary.")
def policy_test(
    paths: tuple[Path, ...],
    pack: str | None,
    config: Path | None,
    today: str | None,
    min_coverage: float | None,
    quiet: bool,
) -> int:
    """Run the policy test cases in PATHS (case files, or folders of *.yaml case files)."""
    from .commands import policy_test as cmd
    from .commands.check import parse_today

    return cmd.run(
        list(paths),
        policy=pack,
        config=config,
        today=parse_today(today) if today else None,
        min_coverage=min_coverage,
        quiet=quiet,
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--expiring",
    metavar="DAYS",
    help="Only waivers ending within DAYS (such as 30d or 2w), and expired ones.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    help="Output format [default: text].",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    envvar="MODELGOV_TODAY",
    help="Pin today's date (also MODELGOV_TODAY).",
)
@click.option(
    "--fail-expired",
    is_flag=True,
    help="Exit 1 when a listed waiver has expired or has no valid expiry date.",
)
def waivers(
    paths: tuple[Path, ...], expiring: str | None, fmt: str, today: str | None, fail_expired: bool
) -> int:
    """List the waivers of every model in PATHS, expired first, then soonest to end."""
    from .commands import waivers as cmd
    from .commands.check import parse_today

    return cmd.run(
        list(paths) or [Path(".")],
        expiring=cmd.parse_days(expiring) if expiring else None,
        fmt=fmt,
        today=parse_today(today),
        fail_expired=fail_expired,
    )


class _LazyCommand(click.Command):
    """A command whose click definitions are imported only when it runs, so building
    twenty options for `audit` costs nothing on the `check` hook's path."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name, help=help, short_help=help)
        self._target = target

    def _load(self) -> click.Command:
        import importlib

        module, _, attr = self._target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)


# `modelgov audit` and `modelgov audit merge` (src/modelgov/audit/cli.py)
cli.add_command(
    _LazyCommand(
        "audit",
        "modelgov.audit.cli:audit",
        "Audit every model of an organisation: one report, with evidence.",
    )
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI inside the error boundary and return an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)

    def invoke() -> int:
        try:
            result = cli.main(args=args, prog_name="modelgov", standalone_mode=False)
        except click.UsageError as exc:
            exc.show()
            return EXIT_USAGE
        except click.exceptions.Exit as exc:
            return int(exc.exit_code)
        except click.exceptions.Abort:
            sys.stderr.write("modelgov: aborted\n")
            return 130
        except click.ClickException as exc:
            exc.show()
            return EXIT_USAGE
        return int(result) if isinstance(result, int) else 0

    return run_guarded(invoke)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

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

from . import __version__, checkargs
from .errors import EXIT_USAGE, run_guarded


def _click_option(opt: checkargs.Opt) -> Any:
    """A click option from the declaration in :mod:`modelgov.checkargs`."""
    kwargs: dict[str, Any] = {"help": opt.help}
    if opt.metavar:
        kwargs["metavar"] = opt.metavar
    if opt.envvar:
        kwargs["envvar"] = opt.envvar
    if opt.kind == "flag":
        return click.option(*opt.flags, opt.dest, is_flag=True, **kwargs)
    if opt.kind == "switch":
        return click.option("/".join(opt.flags), opt.dest, default=None, **kwargs)
    if opt.choices:
        kwargs["type"] = click.Choice(list(opt.choices))
    elif opt.file:
        kwargs["type"] = click.Path(path_type=Path, dir_okay=False)
    return click.option(*opt.flags, opt.dest, multiple=opt.multiple, **kwargs)


def check_options(func: Any) -> Any:
    for opt in reversed(checkargs.CHECK_OPTIONS):
        func = _click_option(opt)(func)
    return func


def common_check_options(func: Any) -> Any:
    """--policy, --config, --fail-on, --today and --roster, as ``check`` has them."""
    common = ("policy", "config", "fail_on", "today", "roster")
    for opt in reversed([o for o in checkargs.CHECK_OPTIONS if o.dest in common]):
        func = _click_option(opt)(func)
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
@check_options
def check(**values: Any) -> int:
    """Check the model.yaml files in PATHS (folders or files; default: .)."""
    from .commands import check as cmd

    return cmd.run(checkargs.to_options(values))


@cli.command()
def schema() -> int:
    """Print the JSON Schema of model.yaml."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)
    return 0


_CONFIG_HERE = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file [default: the one `check` finds from the current folder].",
)


@cli.command(name="rules")
@click.option("--policy", metavar="NAME|FILE", help="Show severities and state under this pack.")
@_CONFIG_HERE
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_cmd(policy: str | None, config: Path | None, fmt: str) -> int:
    """List the rules with their severity per risk tier under the policy that applies here."""
    from .commands import rules as cmd

    return cmd.list_rules(policy, fmt, config)


@cli.command()
@click.argument("rule")
@click.option(
    "--policy", metavar="NAME|FILE", help="Resolve the rule (and custom rules) under this pack."
)
@_CONFIG_HERE
def explain(rule: str, policy: str | None, config: Path | None) -> int:
    """Explain a rule under the policy that applies here: rationale, snippets, the fix."""
    from .commands import rules as cmd

    return cmd.explain(rule, policy, config)


@cli.command()
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path(".")
)
@click.option("--name", help="Model name [default: the folder's name].")
@click.option("--risk-tier", type=click.Choice(["low", "medium", "high"]), default="medium")
def init(folder: Path, name: str | None, risk_tier: str) -> int:
    """Write a commented model.yaml skeleton (never overwrites)."""
    from .checkargs import parse_today
    from .commands import init as cmd

    return cmd.run(folder, name=name, risk_tier=risk_tier, today=parse_today(None))


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
    from .checkargs import parse_today
    from .commands import policy_test as cmd

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
    from .checkargs import parse_today
    from .commands import waivers as cmd

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


# `modelgov export` (src/modelgov/export_cli.py)
cli.add_command(
    _LazyCommand(
        "export", "modelgov.export_cli:export", "Export the declarations as a CycloneDX ML-BOM."
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

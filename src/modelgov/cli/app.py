"""The click command line: every command, built from the declarations in :mod:`.options`.

Commands only parse and call ``modelgov.commands.*``; no logic here.  Exit
codes (fixed): 0 clean, 1 findings at the fail level, 2 usage or config
error, 3 internal error.  ``audit`` and its subcommands (:mod:`.audit`) are
loaded only when they run, so ``check --help`` does not build them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import EXIT_BROKEN_PIPE, EXIT_USAGE, did_you_mean, run_guarded
from . import options as o


class Choice(click.Choice):  # type: ignore[type-arg]
    """click's Choice, with "did you mean" for a value that looks like an allowed one."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        message: str = super().get_invalid_choice_message(value, ctx)
        return message + did_you_mean(str(value), [str(c) for c in self.choices])


def click_option(opt: o.Opt) -> Callable[[Any], Any]:
    """The click option of one declaration."""
    kwargs: dict[str, Any] = {"help": opt.help}
    if opt.metavar:
        kwargs["metavar"] = opt.metavar
    if opt.kind == "flag":
        return click.option(*opt.flags, opt.dest, is_flag=True, **kwargs)
    if opt.kind == "switch":
        on, off = opt.flags
        return click.option(f"{on}/{off}", opt.dest, default=None, **kwargs)
    if opt.choices:
        kwargs["type"] = Choice(list(o.choices_of(opt)))
    elif opt.type == "file":
        kwargs["type"] = click.Path(path_type=Path, dir_okay=False)
    elif opt.type == "folder":
        kwargs["type"] = click.Path(path_type=Path, file_okay=False)
    elif opt.type == "path":
        kwargs["type"] = click.Path(path_type=Path)
    elif opt.type == "int":
        kwargs["type"] = click.IntRange(
            None if opt.minimum is None else int(opt.minimum),
            None if opt.maximum is None else int(opt.maximum),
        )
    elif opt.type == "float":
        kwargs["type"] = click.FloatRange(opt.minimum, opt.maximum)
    if opt.default is not None and not opt.multiple:
        kwargs["default"] = opt.default
    return click.option(*opt.flags, opt.dest, multiple=opt.multiple, **kwargs)


def with_options(options: Sequence[o.Opt]) -> Callable[[Any], Any]:
    """Decorate a click command with ``options``, in their order."""

    def decorate(func: Any) -> Any:
        for opt in reversed(options):
            func = click_option(opt)(func)
        return func

    return decorate


def epilog(command: str) -> str:
    """The examples of ``command`` for the end of its help (``\\b``: click keeps the lines)."""
    lines = o.EXAMPLES.get(command, ())
    return "\b\nExamples:\n" + "\n".join(f"  $ {line}" for line in lines) if lines else ""


class Group(click.Group):
    """A group that suggests the command a mistyped one looks like."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            raise click.UsageError(f"No such command {name!r}{hint}.", ctx)
        return super().resolve_command(ctx, args)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=Group, context_settings=CONTEXT, epilog=epilog("check"))
@click.version_option(__version__, "-V", "--version", prog_name="modelgov")
def cli() -> None:
    """modelgov: policy-as-code governance for ML model repositories.

    Each model declares who owns it, who is on call, how to roll it back,
    which drift monitors watch it and who approves a deploy in a model.yaml;
    modelgov checks those declarations and fails CI when one is missing,
    wrong or stale.  Shell completion: eval "$(_MODELGOV_COMPLETE=bash_source modelgov)"
    (zsh_source, fish_source for the other shells).
    """


@cli.command(epilog=epilog("check"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_options(o.CHECK)
def check(**values: Any) -> int:
    """Check the model.yaml files in PATHS (folders or files; default: .; `-`: stdin).

    Exit 0 when no finding reaches the fail level, 1 when one does, 2 for a
    usage or config error.
    """
    from ..commands import check as cmd

    return cmd.run(o.check_request(values))


@cli.command(epilog=epilog("schema"))
def schema() -> int:
    """Print the JSON Schema of model.yaml (for editors and other validators)."""
    from ..schema import schema_text

    click.echo(schema_text(), nl=False)
    return 0


@cli.command(name="rules", epilog=epilog("rules"))
@with_options(o.RULES)
def rules_cmd(policy: str | None, config: Path | None, fmt: str) -> int:
    """List the rules with their severity per risk tier under the policy that applies here."""
    from ..commands import rules as cmd

    return cmd.list_rules(policy, fmt, config)


@cli.command(epilog=epilog("explain"))
@click.argument("rule")
@with_options(o.EXPLAIN)
def explain(rule: str, policy: str | None, config: Path | None) -> int:
    """Explain RULE (an id or a name) under the policy that applies here: rationale,
    snippets, the fix."""
    from ..commands import rules as cmd

    return cmd.explain(rule, policy, config)


@cli.command(epilog=epilog("init"))
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path(".")
)
@with_options(o.INIT)
def init(folder: Path, name: str | None, risk_tier: str) -> int:
    """Write a commented model.yaml skeleton into FOLDER (never overwrites)."""
    from ..commands import init as cmd

    return cmd.run(folder, name=name, risk_tier=risk_tier, today=o.parse_today(None))


@cli.group(cls=Group, epilog=epilog("policy test"))
def policy() -> None:
    """Work with policy packs: test them with YAML cases."""


@policy.command(name="test", epilog=epilog("policy test"))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_options(o.POLICY_TEST)
def policy_test(
    paths: tuple[Path, ...],
    pack: str | None,
    config: Path | None,
    today: str | None,
    min_coverage: float | None,
    quiet: bool,
) -> int:
    """Run the policy test cases in PATHS (case files, or folders of *.yaml case files)."""
    from ..commands import policy_test as cmd

    return cmd.run(
        list(paths),
        policy=pack,
        config=config,
        today=o.parse_today(today),  # a case's own `today:` still wins
        min_coverage=min_coverage,
        quiet=quiet,
    )


@cli.command(epilog=epilog("waivers"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_options(o.WAIVERS)
def waivers(
    paths: tuple[Path, ...], expiring: str | None, fmt: str, today: str | None, fail_expired: bool
) -> int:
    """List the waivers of every model in PATHS, expired first, then soonest to end."""
    from ..commands import waivers as cmd

    return cmd.run(
        list(paths) or [Path(".")],
        expiring=cmd.parse_days(expiring) if expiring else None,
        fmt=fmt,
        today=o.parse_today(today),
        fail_expired=fail_expired,
    )


@cli.command(epilog=epilog("playbook"))
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@with_options(o.PLAYBOOK)
def playbook(path: Path, **values: Any) -> int:
    """Print each model's next four hours in PATH (default: .): who to page, who decides,
    how to roll back, what to watch, who approves a redeploy; every step the
    declarations cannot answer is a gap, with the rule that flags it.

    Exit 0 when every step is answered, 1 when a step is a gap, 2 for a usage or
    config error.
    """
    from ..commands import playbook as cmd

    return cmd.run(
        cmd.PlaybookOptions(
            path=path,
            today=o.parse_today(values["today"]),
            model=values["model"],
            fmt=values["fmt"],
            output=values["output"],
            policy=values["policy"],
            config=values["config"],
        )
    )


class LazyCommand(click.Command):
    """A command whose click definitions are imported only when it runs (or completes),
    so building twenty options for ``audit`` costs nothing on ``check``'s path."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name, help=help, short_help=help)
        self._target = target

    def load(self) -> click.Command:
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
        return self.load().make_context(info_name, args, parent=parent, **extra)


cli.add_command(
    LazyCommand(
        "approve", "modelgov.cli.approve:approve", "Sign a deploy approval with your SSH key."
    )
)
cli.add_command(
    LazyCommand(
        "audit",
        "modelgov.cli.audit:audit",
        "Audit every model of an organisation: one report, with evidence.",
    )
)


# `modelgov export` (cli/export.py)
cli.add_command(
    LazyCommand(
        "export", "modelgov.cli.export:export", "Export the declarations as a CycloneDX ML-BOM."
    )
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the click CLI inside the error boundary and return an exit code."""
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
        except SystemExit as exc:
            # click meets a closed stdout (`modelgov rules | head`) with exit 1; a closed
            # pipe is not a failure of ours: the broken-pipe status, as for check
            # (click wraps stdout in its _PacifyFlushWrapper then; matched by name, as
            # the class is private)
            pacified = type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper"
            if pacified and exc.code == 1:
                return EXIT_BROKEN_PIPE
            raise
        return int(result) if isinstance(result, int) else 0

    return run_guarded(invoke)

"""The ``modelgov audit`` commands (click definitions only; no logic here).

``modelgov audit PATH... [options]`` audits; ``modelgov audit merge
FILE...`` merges shard reports.  A PATH literally named ``merge`` is
written ``./merge``.  Loaded only when ``audit`` runs (see
:class:`.app.LazyCommand`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import options as o
from .app import CONTEXT, Group, epilog, with_options


def _date(value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        return o.parse_today(value, option)
    except Exception:
        raise click.BadParameter(
            f"expected a date as YYYY-MM-DD, not {value!r}", param_hint=option
        ) from None


def _color(color: bool | None, output: Path | None) -> bool:
    """``--color``/``--no-color``, else what the environment and the terminal say."""
    from ..commands.output import want_color

    return want_color(color, tty=sys.stdout.isatty() and output is None)


class _AuditGroup(Group):
    """``audit`` runs its ``run`` command unless the first argument names a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        help_only = bool(args) and all(a in ctx.help_option_names for a in args)
        if not help_only and (not args or args[0] not in self.commands):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        run_cmd = self.commands["run"]
        with click.Context(run_cmd, info_name=ctx.info_name, parent=ctx.parent) as sub:
            run_cmd.format_help(sub, formatter)
        formatter.write_paragraph()
        formatter.write_text(
            "Merge shard reports: modelgov audit merge shard-*.json [--format ...]"
        )


@click.group(cls=_AuditGroup, invoke_without_command=False, context_settings=CONTEXT)
def audit() -> None:
    """Audit every model of an organisation: one report, with evidence."""


@audit.command(name="run", epilog=epilog("audit"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_options(o.AUDIT)
def run_command(
    paths: tuple[Path, ...],
    formats: tuple[str, ...],
    output: tuple[str, ...],
    color: bool | None,
    **kw: Any,
) -> int:
    """Audit repositories: PATHs (repos, or folders searched for repos) and --manifest entries.

    Every model.yaml is read from git objects at the audited commit (HEAD, or
    the --as-of commit) and judged with every rule of `check`; ML artifacts and
    training code no model.yaml covers are reported as undeclared.  Exit 1
    when a row fails at the fail level (a failing model, a gating undeclared
    model, or a repository that could not be audited).
    """
    from ..audit.discovery import parse_shard
    from ..commands import audit as cmd

    plain, pairs = o.split_outputs(output)
    opts = cmd.AuditOptions(
        paths=list(paths),
        manifest=kw["manifest"],
        depth=kw["depth"],
        cache_dir=kw["cache_dir"],
        fetch=not kw["no_fetch"],
        policy=kw["policy"],
        config=kw["config"],
        roster=kw["roster"],
        fail_on=kw["fail_on"],
        today=_date(kw["today"] or "", "--today"),
        as_of=_date(kw["as_of"], "--as-of"),
        formats=list(formats) or ["table"],
        output=plain,
        outputs=pairs,
        jobs=kw["jobs"],
        shard=parse_shard(kw["shard"]) if kw["shard"] else None,
        resume=kw["resume"],
        timings=kw["timings"],
        clone_timeout=kw["clone_timeout"],
        registry=kw["registry"],
        color=_color(color, plain),
        progress=kw["progress"],
    )
    return cmd.run(opts)


@audit.command(name="merge", epilog=epilog("audit merge"))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@with_options(o.AUDIT_REPORT)
def merge_command(
    files: tuple[Path, ...], formats: tuple[str, ...], output: tuple[str, ...], color: bool | None
) -> int:
    """Merge the JSON reports of `--shard K/N` runs into the org report."""
    from ..commands import audit as cmd

    plain, pairs = o.split_outputs(output)
    return cmd.merge(
        list(files),
        formats=list(formats) or ["table"],
        output=plain,
        outputs=pairs,
        color=_color(color, plain),
    )

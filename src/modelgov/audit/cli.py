"""The ``modelgov audit`` command line (click definitions only; no logic here).

``modelgov audit PATH... [options]`` audits; ``modelgov audit merge
FILE...`` merges shard reports.  A PATH literally named ``merge`` is
written ``./merge``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .render import FORMATS as AUDIT_FORMATS  # the renderer registry


def _date(value: str | None, option: str) -> Any:
    from ..checkargs import parse_today

    if value is None:
        return None
    try:
        return parse_today(value)
    except Exception:
        raise click.BadParameter(
            f"expected a date as YYYY-MM-DD, not {value!r}", param_hint=option
        ) from None


def _outputs(output: tuple[str, ...]) -> tuple[Path | None, list[tuple[str, Path]]]:
    from ..checkargs import output_pair as _output_pair

    plain = [o for o in output if "=" not in o]
    if len(plain) > 1:
        raise click.UsageError("give at most one --output FILE (use FORMAT=FILE for more)")
    pairs = [_output_pair(o) for o in output if "=" in o]
    return (Path(plain[0]) if plain else None), pairs


class _AuditGroup(click.Group):
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


def _format_options(func: Any) -> Any:
    func = click.option(
        "--color/--no-color", default=None, help="Colour the table [default: on a terminal]."
    )(func)
    func = click.option(
        "--output",
        "output",
        metavar="FILE|FORMAT=FILE",
        multiple=True,
        help="Write the report to FILE instead of stdout, or FORMAT to FILE (repeatable).",
    )(func)
    return click.option(
        "--format",
        "formats",
        multiple=True,
        type=click.Choice(list(AUDIT_FORMATS)),
        help="Format on stdout; repeat for several [default: table].",
    )(func)


@click.group(cls=_AuditGroup, invoke_without_command=False)
def audit() -> None:
    """Audit every model of an organisation: one report, with evidence."""


def _common(func: Any) -> Any:
    from ..cli import common_check_options

    return common_check_options(func)


@audit.command(name="run")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_common
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Repositories to audit: YAML or one per line (git URLs or local paths, team, labels).",
)
@click.option(
    "--depth", type=int, default=3, show_default=True, help="Folder levels searched for repos."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where URLs are cloned (bare, partial) [default: the user's cache folder].",
)
@click.option(
    "--no-fetch",
    is_flag=True,
    help="Audit cached clones as they are (clone only what is missing).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="Audit each repo at its last commit on or before DATE; today is pinned to DATE.",
)
@click.option("--jobs", "-j", type=int, help="Worker processes [default: the number of cores].")
@click.option("--shard", metavar="K/N", help="Audit shard K of N (a stable 1/N of the repos).")
@click.option(
    "--resume",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Journal FILE: skip repos an interrupted run with the same settings finished.",
)
@click.option("--timings", is_flag=True, help="Add per-repository timings (a separate JSON field).")
@click.option(
    "--clone-timeout", type=float, metavar="SECONDS", help="Time limit per clone or fetch [600]."
)
@click.option(
    "--registry",
    is_flag=True,
    help="Compare each declaration with the model registry (MLflow; from MLFLOW_TRACKING_URI "
    "or the org config's registry_uri, never a repository's).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar [default: stderr is a terminal]."
)
@_format_options
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

    plain, pairs = _outputs(output)
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
        color=color,
        progress=kw["progress"],
    )
    return cmd.run(opts)


@audit.command(name="merge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_format_options
def merge_command(
    files: tuple[Path, ...], formats: tuple[str, ...], output: tuple[str, ...], color: bool | None
) -> int:
    """Merge the JSON reports of `--shard K/N` runs into the org report."""
    from ..commands import audit as cmd

    plain, pairs = _outputs(output)
    return cmd.merge(
        list(files), formats=list(formats) or ["table"], output=plain, outputs=pairs, color=color
    )

"""``modelgov export`` (click definitions only; the command is :mod:`modelgov.commands.export`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import options as o
from .app import CONTEXT, epilog, with_options


@click.command(name="export", context_settings=CONTEXT, epilog=epilog("export"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@with_options(o.EXPORT)
def export(paths: tuple[Path, ...], fmt: str, output: Path | None, **kw: Any) -> int:
    """Export the model.yaml declarations in PATHS (default: .) as an ML-BOM that SBOM
    tools ingest: one component per model, with its model card, ownership and the
    governance facts and verdict modelgov checks.  Exit 0 once written."""
    from ..commands import export as cmd

    return cmd.run(
        list(paths),
        today=o.parse_today(kw["today"]),
        fmt=fmt,
        policy=kw["policy"],
        config=kw["config"],
        output=output,
    )

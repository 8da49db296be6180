"""``modelgov export`` (click definitions only; the command is commands/export.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .commands.export import FORMATS


@click.command(name="export")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="cyclonedx", show_default=True,
    help="The interchange format: a CycloneDX 1.6 ML-BOM (JSON).",
)  # fmt: skip
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--policy", metavar="NAME|FILE", help="Policy pack the verdicts are judged under.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")
@click.option("--today", metavar="YYYY-MM-DD", help="The date to judge against [MODELGOV_TODAY].")
def export(paths: tuple[Path, ...], fmt: str, output: Path | None, **kw: Any) -> int:
    """Export the model.yaml declarations in PATHS (default: .) as an ML-BOM that SBOM
    tools ingest: one component per model, with its model card, ownership and the
    governance facts and verdict modelgov checks.  Exit 0 once written."""
    from .checkargs import parse_today
    from .commands import export as cmd

    return cmd.run(
        list(paths),
        today=parse_today(kw["today"]),
        fmt=fmt,
        policy=kw["policy"],
        config=kw["config"],
        output=output,
    )

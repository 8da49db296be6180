"""``modelgov audit diff OLD.json NEW.json`` (click definitions only; no logic here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .diff import FORMATS as DIFF_FORMATS


@click.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(DIFF_FORMATS)),
    help="Format on stdout; repeat for several [default: text].",
)
@click.option(
    "--output",
    "output",
    metavar="FILE|FORMAT=FILE",
    multiple=True,
    help="Write to FILE instead of stdout, or FORMAT to FILE (repeatable).",
)
def diff_command(old: Path, new: Path, formats: tuple[str, ...], output: tuple[str, ...]) -> Any:
    """Compare two JSON audit reports: models newly failing, fixed, added and removed, and
    findings added and resolved.  Exit 1 when anything got worse (a model newly failing,
    an added failing model, or a finding added at the fail level), else 0."""
    from ..commands import audit as cmd
    from .cli import _outputs

    plain, pairs = _outputs(output)
    return cmd.diff(old, new, formats=list(formats) or ["text"], output=plain, outputs=pairs)

"""``modelgov audit diff OLD.json NEW.json`` (click definitions only; the command is
:func:`modelgov.commands.audit.diff`, the comparison :mod:`modelgov.audit.diff`)."""

from __future__ import annotations

from pathlib import Path

import click

from . import options as o
from .app import epilog, with_options


@click.command(name="diff", epilog=epilog("audit diff"))
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@with_options(o.AUDIT_DIFF)
def diff_command(old: Path, new: Path, formats: tuple[str, ...], output: tuple[str, ...]) -> int:
    """Compare two JSON audit reports: models newly failing, fixed, added and removed, and
    findings added and resolved.  Exit 1 when anything got worse (a model newly failing,
    an added failing model, or a finding added at the fail level), else 0."""
    from ..commands import audit as cmd

    plain, pairs = o.split_outputs(output)
    return cmd.diff(old, new, formats=list(formats) or ["text"], output=plain, outputs=pairs)

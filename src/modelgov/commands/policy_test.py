"""``modelgov policy test DIR``: run a pack's YAML test cases and report rule coverage.

Prints PASS/FAIL per case (with expected vs actual findings for a failure),
then which of the pack's enabled rules no case exercised.  Exit codes: 0 all
cases pass (and coverage is at least ``--min-coverage``), 1 a case failed or
coverage is too low, 2 a case file or the policy is invalid.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import click

from ..engine.paths import config_at
from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..policytest import CASE_USES, Runner, collect, coverage
from ..reporters._safe import inert


def run(
    paths: Sequence[Path],
    *,
    policy: str | None = None,
    config: Path | None = None,
    today: _dt.date | None = None,
    min_coverage: float | None = None,
    quiet: bool = False,
) -> int:
    if min_coverage is not None and not 0 <= min_coverage <= 100:
        raise UsageError(f"--min-coverage must be between 0 and 100, not {min_coverage:g}")
    cases = collect(paths)
    if not cases:
        raise UsageError(
            f"no policy test cases in {', '.join(map(str, paths))} (case files are *.yaml with `cases:`)"
        )
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    runner = Runner(
        policy=policy,
        config=config_at(start, config),
        today=today,
        relative_to=Path.cwd(),
    )
    pack = runner.pack()
    failed = 0
    for case in cases:
        result = runner.run(case)
        label = f"{case.source}::{case.name}"
        if result.passed:
            if not quiet:
                click.echo(f"PASS {inert(label)}")
            continue
        failed += 1
        click.echo(f"FAIL {inert(label)}")
        click.echo("\n".join("    " + inert(line) for line in result.diff().splitlines()))
    cov = coverage(pack, cases)
    click.echo("")
    click.echo(
        f"Coverage: {len(cov.exercised)} of {len(cov.counted)} enabled rules of policy "
        f"{pack.name} ({pack.digest[:19]}) exercised ({cov.percent:.0f}%)."
    )
    if cov.unexercised:
        click.echo(
            "Not exercised by any case: "
            + ", ".join(f"{r.id} ({r.name})" for r in cov.unexercised)
            + "."
        )
    if cov.excluded:
        click.echo(
            "Not counted (they need what a case cannot give): "
            + ", ".join(
                f"{r.id} ({r.name}, uses {inert(', '.join(sorted(r.uses - CASE_USES)))})"
                for r in cov.excluded
            )
            + "."
        )
    passed = len(cases) - failed
    click.echo(
        f"{len(cases)} case{'s' if len(cases) != 1 else ''}: {passed} passed, {failed} failed."
    )
    code = EXIT_FINDINGS if failed else EXIT_CLEAN
    if min_coverage is not None and cov.percent < min_coverage:
        click.echo(
            f"Coverage {cov.percent:.1f}% is below --min-coverage {min_coverage:g}%.", err=True
        )
        code = EXIT_FINDINGS
    return code

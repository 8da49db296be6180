"""The repository declares its model in a model.yaml.

A repository (or a folder given to ``modelgov check``) with no ``model.yaml``
or ``model.yml`` at all has no owner, no on-call, no rollback plan and no
drift monitors on record: the declaration itself is missing.

Fails:
    (a repository with no model.yaml anywhere below it)

Passes:
    (a repository with model.yaml at its root or in a model's folder)

Fix: Run `modelgov init` in the model's folder and fill in the skeleton.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location, Severity
from .base import Option, RuleContext

ID = "MG009"
NAME = "declaration-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Judged by the engine: a document exists, so the declaration is not missing."""
    return iter(())


def finding(file: str, severity: Severity = SEVERITY) -> Finding:
    """The finding for a repository folder with no model.yaml."""
    return Finding(
        rule=ID,
        severity=severity,
        location=Location(file, 1, 1, ""),
        message="no model.yaml found: the model's operating declaration is missing",
        hint="Run `modelgov init` in the model's folder and fill in owner, on_call, rollback, "
        "drift and deploy.",
        key=f"{ID}:{file}",
    )

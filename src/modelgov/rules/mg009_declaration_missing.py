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

from ..findings import Finding, Severity
from .base import Option, TargetContext

ID = "MG009"
NAME = "declaration-missing"
SEVERITY = Severity.ERROR
SCOPE = "target"
OPTIONS: dict[str, Option] = {}


def check(ctx: TargetContext) -> Iterator[Finding]:
    for folder in ctx.facts.missing:
        yield ctx.finding(
            f"{folder}/model.yaml" if folder else "model.yaml",
            "no model.yaml found: the model's operating declaration is missing",
            "Run `modelgov init` in the model's folder and fill in owner, on_call, rollback, "
            "drift and deploy.",
        )

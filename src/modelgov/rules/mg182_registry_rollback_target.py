"""A registry-alias rollback has a version to roll back to.

``rollback.strategy: registry-alias`` promises that moving an alias restores
the previous version within ``rollback.max_minutes``.  That promise is empty
when there is nothing to move it to: a registry with only the serving version,
a rollback alias that resolves to nothing, or one that points at the version
already serving.  Judged only with ``--registry``: with ``registry.rollback_alias``
declared, it must resolve to a version other than the serving one; without it,
an earlier version must exist that registered successfully (status READY) and
is not archived.

Fails:
    rollback:
      strategy: registry-alias
    registry:
      serving_alias: champion    # version 1 is the only version

Passes:
    rollback:
      strategy: registry-alias
    registry:
      serving_alias: champion    # -> 7
      rollback_alias: previous   # -> 6

Fix: Keep the previous version registered (and not archived), and point `registry.rollback_alias` at it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.registry import ModelVersion
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG182"
NAME = "registry-rollback-target"
SEVERITY = Severity.ERROR
USES = frozenset({"registry"})
OPTIONS: dict[str, Option] = {}


def _earlier(versions: tuple[ModelVersion, ...], serving: ModelVersion) -> list[ModelVersion]:
    def number(v: ModelVersion) -> int:
        return int(v.version) if v.version.isdigit() else -1

    return [
        v
        for v in versions
        if v.version != serving.version
        and number(v) < number(serving)
        and v.status == "READY"
        and v.stage.lower() != "archived"
    ]


def check(ctx: RuleContext) -> Iterator[Finding]:
    state = ctx.facts.registry
    alias = ctx.get("/registry/serving_alias")
    if ctx.get("/rollback/strategy") != "registry-alias":
        return
    if state is None or state.error or not state.found or not isinstance(alias, str):
        return  # MG180 says why the registry could not be compared
    serving = state.resolve(alias.strip())
    if serving is None:
        return
    back = ctx.get("/registry/rollback_alias")
    if isinstance(back, str) and back.strip():
        target = state.resolve(back.strip())
        if target is None:
            yield ctx.finding(
                "/registry/rollback_alias",
                f"rollback alias {back.strip()!r} of {state.model!r} resolves to no version: "
                "a rollback by alias has nothing to restore",
            )
        elif target.version == serving.version:
            yield ctx.finding(
                "/registry/rollback_alias",
                f"rollback alias {back.strip()!r} points at version {target.version}, the "
                f"version {alias.strip()!r} serves: rolling back would restore the same model",
                "Point the rollback alias at the previous version.",
            )
        return
    if not _earlier(state.versions, serving):
        yield ctx.finding(
            "/rollback/strategy",
            f"{state.model!r} has no version before the serving version {serving.version} "
            "that could be restored (registered, not archived): the registry-alias rollback "
            "has nothing to roll back to",
        )

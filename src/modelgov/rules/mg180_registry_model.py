"""The registered model exists, and its serving alias names a version.

A declaration that points at a model the registry does not know, or at an
alias that resolves to nothing, describes a deployment nobody can find at
2am: the rollback alias, the approvals and the monitors are attached to
nothing.  Judged only with ``modelgov check --registry`` (or ``audit
--registry``), against MLflow's model registry: the registered model
``registry.model`` must exist and ``registry.serving_alias`` must resolve to a
version.  A registry that cannot be read -- unreachable, slower than the time
limit, refusing the credentials -- is a finding too: a judgement that could
not be made is not a pass.

Fails:
    registry:
      kind: mlflow
      model: fraud-scorer      # not registered
      serving_alias: champion

Passes:
    registry:
      kind: mlflow
      model: fraud-scorer      # registered; champion -> version 7
      serving_alias: champion

Fix: Register the model, or correct `registry.model` and `registry.serving_alias` to the names the registry uses.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG180"
NAME = "registry-model"
SEVERITY = Severity.ERROR
USES = frozenset({"registry"})
OPTIONS: dict[str, Option] = {}
WAIVABLE = False


def check(ctx: RuleContext) -> Iterator[Finding]:
    state = ctx.facts.registry
    if state is None:
        return  # no --registry, or no registry section to compare
    if state.error:
        yield ctx.finding(
            "/registry",
            f"the model registry at {state.uri} could not be read ({state.error}): what serves "
            "was not compared with the declaration",
            "Check that the registry is reachable from here and that the credentials "
            "(MLFLOW_TRACKING_TOKEN, or username and password) are valid; then run again.",
        )
        return
    if not state.found:
        yield ctx.finding(
            "/registry/model",
            f"registered model {state.model!r} does not exist in the registry at {state.uri}",
        )
        return
    alias = ctx.get("/registry/serving_alias")
    if isinstance(alias, str) and alias.strip() and state.resolve(alias.strip()) is None:
        known = ", ".join(sorted(state.aliases)) or "none"
        yield ctx.finding(
            "/registry/serving_alias",
            f"serving alias {alias.strip()!r} of {state.model!r} resolves to no version "
            f"(aliases in the registry: {known})",
            "Set the alias in the registry to the version that serves, or correct "
            "`registry.serving_alias`.",
        )

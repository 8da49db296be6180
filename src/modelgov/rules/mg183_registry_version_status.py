"""The serving version is not one the registry records as failed.

MLflow records facts about each model version that can contradict a
declaration saying the model is fit to serve.  Judged only with
``--registry``, on the version the serving alias resolves to:

* its ``status`` is ``READY`` (not ``PENDING_REGISTRATION`` or ``FAILED_REGISTRATION``);
* it is not in the ``Archived`` stage (stages are deprecated in MLflow, but
  still recorded);
* no validation tag records a failure: a tag ``validation_status``,
  ``validation``, ``model_validation`` or ``validation_result`` whose value is
  ``failed``, ``fail``, ``failure``, ``rejected`` or ``invalid`` (any case).

Descriptions are free text and are not judged.

Fails:
    # champion -> version 9, tagged validation_status=failed
    registry:
      serving_alias: champion

Passes:
    # champion -> version 9, READY, tagged validation_status=passed
    registry:
      serving_alias: champion

Fix: Roll the serving alias back to a version that passed validation, or fix and re-validate the version and update its tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG183"
NAME = "registry-version-status"
SEVERITY = Severity.ERROR
USES = frozenset({"registry"})
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    state = ctx.facts.registry
    alias = ctx.get("/registry/serving_alias")
    if state is None or state.error or not state.found or not isinstance(alias, str):
        return
    serving = state.resolve(alias.strip())
    if serving is None:
        return
    where = f"version {serving.version} of {state.model!r}, which {alias.strip()!r} serves,"
    problems = []
    if serving.status != "READY":
        problems.append(f"has status {serving.status}")
    if serving.stage.lower() == "archived":
        problems.append("is archived")
    if serving.failed_validation:
        problems.append(f"is tagged {serving.failed_validation}")
    if problems:
        yield ctx.finding(
            "/registry/serving_alias",
            f"{where} {' and '.join(problems)}: the registry says it should not be serving",
        )

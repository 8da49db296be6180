"""``modelgov check``: judge the model.yaml files of the given paths."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..document import Document
from ..engine.paths import Request, judge_path
from ..engine.policies import Policies
from ..engine.workspace import Source
from ..findings import FailOn
from ..policy import Policy
from ..results import ControlMeta, RuleMeta, RunResult, TargetResult
from .output import write_outputs


class CheckOptions(NamedTuple):
    """What the command line asked ``check`` to do."""

    paths: Sequence[Path]
    today: _dt.date
    policy: str | None = None
    config: Path | None = None
    fail_on: FailOn | None = None
    source: Source = "worktree"
    rev: str | None = None
    index_file: str | None = None
    formats: Sequence[str] = ("text",)
    output: Path | None = None
    outputs: Sequence[tuple[str, Path]] = ()
    color: bool | None = None
    roster: Path | None = None
    as_of: _dt.date | None = None


def rule_metas(policies: Sequence[Policy], *, controls: bool = False) -> tuple[RuleMeta, ...]:
    """Every rule any target's policy knows (custom rules included), once, in id order;
    with ``controls``, the framework controls each gives evidence towards."""
    seen: dict[str, RuleMeta] = {}
    for policy in policies:
        catalog = None
        if controls:
            from ..frameworks import catalog as framework_catalog

            catalog = framework_catalog(policy)
        for r in policy.registry:
            if r.id in seen:
                continue
            shown: tuple[ControlMeta, ...] = ()
            if catalog is not None:
                shown = tuple(
                    ControlMeta(c.framework, c.id, c.title) for c in catalog.controls_of(r.id)
                )
            seen[r.id] = RuleMeta(r.id, r.name, r.severity, r.summary, r.doc, shown)
    return tuple(seen[k] for k in sorted(seen))


#: The formats that show each rule's framework controls.
SHOW_CONTROLS = frozenset(("sarif",))


def judge(
    opts: CheckOptions, documents: dict[tuple[str, str], Document] | None = None
) -> RunResult:
    """Judge every path, each under its own config and policy (``documents``: see
    :func:`~modelgov.engine.paths.judge_path`)."""
    # --as-of DATE: judge the last commit on or before DATE, as if today were DATE.
    today = opts.as_of or opts.today
    request = Request(
        today=today,
        source=opts.source,
        rev=opts.rev,
        index_file=opts.index_file,
        as_of=opts.as_of,
        config=opts.config,
        roster=opts.roster,
        fail_on=opts.fail_on,
    )
    policies = Policies(opts.policy)
    targets = []
    for path in opts.paths or [Path(".")]:
        targets += judge_path(path, request, policies.get, documents)
    return RunResult(
        version=__version__,
        today=today.isoformat(),
        targets=merged(targets),
        rules=rule_metas(
            policies.resolved(),
            controls=bool(SHOW_CONTROLS & {*opts.formats, *(f for f, _ in opts.outputs)}),
        ),
    )


def merged(targets: Sequence[TargetResult]) -> tuple[TargetResult, ...]:
    """Targets of the same root judged under the same config, policy and fail level are one
    (``check a b`` inside one repository), in the order they first came."""
    out: dict[tuple[str, str | None, str, str], TargetResult] = {}
    for t in targets:
        key = (t.root, t.config, t.policy.digest, t.fail_on)
        if key in out:
            first = out[key]
            known = {m.file for m in first.models}
            out[key] = first._replace(
                models=first.models + tuple(m for m in t.models if m.file not in known),
                findings=tuple(dict.fromkeys(first.findings + t.findings)),
            )
        else:
            out[key] = t
    return tuple(out.values())


def run(opts: CheckOptions) -> int:
    result = judge(opts)
    write_outputs(result, opts.formats, opts.output, opts.outputs, opts.color)
    return result.exit_code

"""``modelgov check``: judge the model.yaml files of the given paths."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..engine.paths import Request, judge_path
from ..engine.policies import Policies
from ..engine.workspace import Source
from ..findings import FailOn
from ..policy import Policy
from ..results import RuleMeta, RunResult, TargetResult
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
    registry: bool = False


def rule_metas(policies: Sequence[Policy]) -> tuple[RuleMeta, ...]:
    """Every rule any target's policy knows (custom rules included), once, in id order."""
    seen: dict[str, RuleMeta] = {}
    for policy in policies:
        for r in policy.registry:
            seen.setdefault(r.id, RuleMeta(r.id, r.name, r.severity, r.summary, r.doc))
    return tuple(seen[k] for k in sorted(seen))


def judge(opts: CheckOptions) -> RunResult:
    """Judge every path, each under its own config and policy."""
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
        registry=opts.registry,
    )
    policies = Policies(opts.policy)
    targets = []
    for path in opts.paths or [Path(".")]:
        targets += judge_path(path, request, policies.get)
    return RunResult(
        version=__version__,
        today=today.isoformat(),
        targets=merged(targets),
        rules=rule_metas(policies.resolved()),
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

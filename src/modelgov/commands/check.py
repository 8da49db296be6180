"""``modelgov check``: judge the model.yaml files of the given paths.

``-`` reads one model.yaml from standard input and judges it as if it were at
``--stdin-filename`` (default: ``-`` in the working directory); ``--select``
and ``--ignore`` decide which rules run, after each target's config and policy.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..config import Config
from ..document import Document
from ..engine.paths import Request, Visit, judge_path
from ..engine.policies import Policies
from ..engine.workspace import Source
from ..findings import FailOn
from ..policy import Policy, Selection, apply_selection
from ..results import ControlMeta, RuleMeta, RunResult, TargetResult
from ..rules.base import Rule
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
    registry: bool = False  # --registry: compare with the model registry
    select: tuple[str, ...] | None = None  # --select (None: the policy decides)
    ignore: tuple[str, ...] = ()  # --ignore
    quiet: bool = False  # -q: the text format without its summary
    statistics: bool = False  # the text format counts findings per rule
    stdin: bool = False  # PATH `-`: the model.yaml comes from standard input
    stdin_filename: Path | None = None  # where the stdin model.yaml is judged as being


#: Where the built-in rules are documented (generated from their docstrings).
RULES_DOC = "https://github.com/modelgov/modelgov/blob/main/docs/rules.md"


def help_uri(rule: Rule) -> str:
    """The anchor of a built-in rule's section in docs/rules.md (``## MG131 rollback-too-slow``
    is ``#mg131-rollback-too-slow``); ``''`` for plug-in and custom rules."""
    if rule.origin != "modelgov":
        return ""
    return f"{RULES_DOC}#{rule.id.lower()}-{rule.name.lower()}"


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
            seen[r.id] = RuleMeta(
                r.id, r.name, r.severity, r.summary, r.doc, help_uri(r), controls=shown
            )
    return tuple(seen[k] for k in sorted(seen))


#: The formats that show each rule's framework controls.
SHOW_CONTROLS = frozenset(("sarif",))


def read_stdin() -> bytes:
    """The model.yaml on standard input, at most one byte over the loader's limit."""
    import sys

    from ..document import MAX_BYTES

    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        from ..errors import UsageError

        raise UsageError("`-` reads the model.yaml from stdin, and there is no stdin")
    return stream.read(MAX_BYTES + 1)


def judge(
    opts: CheckOptions,
    *,
    stdin: bytes | None = None,
    documents: dict[tuple[str, str], Document] | None = None,
    visit: Visit | None = None,
) -> RunResult:
    """Judge every path, each under its own config and policy (``stdin``: the bytes of
    the model.yaml read from standard input, for ``opts.stdin``; ``documents`` and
    ``visit``: see :func:`~modelgov.engine.paths.judge_path`)."""
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
    policy_for = selected(policies, Selection(opts.select, tuple(opts.ignore)))
    targets = []
    if opts.stdin:
        data = stdin if stdin is not None else read_stdin()
        targets += judge_path(
            opts.stdin_filename or Path("-"),
            request,
            policy_for,
            stdin=data,
            documents=documents,
            visit=visit,
        )
    else:
        for path in opts.paths or [Path(".")]:
            targets += judge_path(path, request, policy_for, documents=documents, visit=visit)
    return RunResult(
        version=__version__,
        today=today.isoformat(),
        targets=merged(targets),
        rules=rule_metas(
            policies.resolved(),
            controls=bool(SHOW_CONTROLS & {*opts.formats, *(f for f, _ in opts.outputs)}),
        ),
    )


def selected(policies: Policies, selection: Selection) -> Callable[[Config], Policy]:
    """Each config's policy with ``--select``/``--ignore`` applied (once per policy)."""
    if not selection:
        return policies.get
    done: dict[str, Policy] = {}

    def policy_for(config: Config) -> Policy:
        policy = policies.get(config)
        if policy.digest not in done:
            done[policy.digest] = apply_selection(policy, selection)
        return done[policy.digest]

    return policy_for


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
    write_outputs(
        result,
        opts.formats,
        opts.output,
        opts.outputs,
        opts.color,
        quiet=opts.quiet,
        statistics=opts.statistics,
    )
    return result.exit_code

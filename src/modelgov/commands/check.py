"""``modelgov check``: judge the model.yaml files of the given paths."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__, document
from ..config import Config, load_config
from ..engine import ModelResult, check_model
from ..errors import UsageError
from ..findings import FailOn, Finding
from ..policy import Policy, load_policy
from ..registry import full as full_registry
from ..report import Report, rule_metas
from ..repoview import ReadError
from ..rules import mg009_declaration_missing as mg009
from ..rules.base import ModelContext
from ..workspace import Source, Target, open_target
from .output import write_outputs


class CheckOptions(NamedTuple):
    """What the command line asked ``check`` to do."""

    paths: Sequence[Path]
    policy: str | None = None
    config: Path | None = None
    fail_on: FailOn | None = None
    today: _dt.date | None = None
    source: Source = "worktree"
    rev: str | None = None
    index_file: str | None = None
    formats: Sequence[str] = ("text",)
    output: Path | None = None
    outputs: Sequence[tuple[str, Path]] = ()
    color: bool | None = None
    roster: Path | None = None
    as_of: _dt.date | None = None


def parse_today(text: str | None) -> _dt.date:
    """``--today``, else ``MODELGOV_TODAY``, else the calendar date."""
    value = text or os.environ.get("MODELGOV_TODAY")
    if not value:
        return _dt.date.today()
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from None


def load_model(target: Target, rel: str) -> document.Document:
    """Read and parse one model.yaml from the target's view; never raises for bad input."""
    try:
        raw = target.view.read_bytes(rel, document.MAX_BYTES)
    except ReadError as exc:
        doc = document.Document(path=rel, text="")
        doc.problems.append(
            document.Problem(
                document.UNREADABLE,
                f"{Path(rel).name} {exc}",
                "Make it a regular UTF-8 file inside the repository.",
                1,
                1,
            )
        )
        return doc
    doc = document.load(rel, raw)
    sha = getattr(target.view, "blob_sha", None)
    if sha is not None:
        doc.blob_sha = sha(rel)
    return doc


class PolicyCache:
    """One resolved policy per (config, --policy) pair."""

    def __init__(self, opts: CheckOptions) -> None:
        self.opts = opts
        self._cache: dict[tuple[str, str | None], Policy] = {}

    def get(self, config: Config) -> Policy:
        ref = self.opts.policy or config.policy
        key = (config.label, ref)
        if key not in self._cache:
            self._cache[key] = load_policy(
                ref,
                full_registry(),
                relative_to=Path.cwd() if self.opts.policy else config.folder,
                overrides=config.overrides,
                overrides_label=config.label,
                confine=None if self.opts.policy else config.confine,
            )
        return self._cache[key]


def judge_target(
    target: Target,
    policy: Policy,
    config: Config,
    today: _dt.date,
    *,
    roster: Any = None,
) -> tuple[list[ModelResult], list[Finding]]:
    """Judge every model of one target."""
    from ..context import model_context, target_facts

    # Load every model first: one history walk serves them all and needs their `paths`;
    # from git objects (--staged, --rev) they are read in one batch.
    prefetch = getattr(target.view, "prefetch", None)
    if prefetch is not None:
        prefetch(target.models, document.MAX_BYTES)
    docs = {rel: load_model(target, rel) for rel in target.models}
    facts = target_facts(target)
    for rel, doc in docs.items():
        facts.add(rel, doc)
    results = []
    for rel in target.models:
        doc = docs[rel]
        ctx: ModelContext = model_context(target, rel, doc, today, config=config, roster=roster)
        findings = check_model(ctx, policy)
        data = doc.data if isinstance(doc.data, dict) else {}
        owner_value = data.get("owner")
        owner: dict[str, Any] = owner_value if isinstance(owner_value, dict) else {}
        results.append(
            ModelResult(
                file=rel,
                name=ctx.name,
                tier=ctx.tier,
                findings=tuple(findings),
                owner=str(owner.get("email", "") or ""),
                team=str(owner.get("team", "") or ""),
                blob_sha=doc.blob_sha,
                facts=dict(ctx.extra.get("facts", {})),
                rules_run=tuple(ctx.extra.get("rules_run", ())),
            )
        )
    extra = []
    rule9 = policy.registry.rules.get(mg009.ID)
    if rule9 is not None:
        settings = policy.settings(rule9, None)
        if settings.enabled:
            for folder in target.missing:
                shown = f"{folder}/model.yaml" if folder else "model.yaml"
                extra.append(mg009.finding(shown, settings.severity))
    return results, extra


def run(opts: CheckOptions) -> int:
    as_of = opts.as_of
    # --as-of DATE: judge the last commit on or before DATE, as if today were DATE.
    today = as_of or parse_today(opts.today.isoformat() if opts.today else None)
    policies = PolicyCache(opts)
    results: list[ModelResult] = []
    extra: list[Finding] = []
    fail_on: FailOn | None = opts.fail_on
    policy: Policy | None = None
    roots: list[str] = []
    for path in opts.paths or [Path(".")]:
        target = open_target(
            path, source=opts.source, rev=opts.rev, index_file=opts.index_file, as_of=as_of
        )
        try:
            # Inside git the walk stops at the repository root; outside it walks to /.
            stop = target.root if target.git is not None else None
            config = load_config(opts.config, target.start or target.root, stop)
            if config.exclude:
                target.models = [m for m in target.models if not _excluded(m, config.exclude)]
            policy = policies.get(config)
            fail_on = fail_on or config.fail_on  # type: ignore[assignment]
            from ..context import load_roster

            roster = load_roster(opts.roster or config.roster)
            res, ext = judge_target(target, policy, config, today, roster=roster)
            results.extend(res)
            extra.extend(ext)
            roots.append(str(target.root))
        finally:
            target.close()
    assert policy is not None
    report = Report(
        version=__version__,
        today=today.isoformat(),
        policy_name=policy.name,
        policy_digest=policy.digest,
        policy_chain=policy.chain,
        fail_on=fail_on or "error",
        results=tuple(results),
        extra=tuple(extra),
        rules=rule_metas(list(policy.registry)),
        root=roots[0] if len(roots) == 1 else "",
    )
    write_outputs(report, opts.formats, opts.output, opts.outputs, opts.color)
    return report.exit_code


def _excluded(model: str, patterns: Sequence[str]) -> bool:
    from ..pathmatch import glob_regex

    return any(glob_regex(p).match(model) for p in patterns)

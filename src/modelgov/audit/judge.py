"""Audit one repository: its models at the audited commit, read from git objects.

This runs in worker processes, so everything it returns is typed, picklable
data (a :class:`~.rows.RepoResult`: the repository and its rows), and nothing it meets
in a repository stops the audit: a clone that fails, a missing HEAD, corrupt
objects or an unreadable folder become an ``error`` row that says why.

The audited commit is HEAD (or, with ``--as-of DATE``, the last commit on
HEAD's first-parent line committed on or before DATE).  The working tree is
never read: uncommitted edits do not change an audit.
"""

from __future__ import annotations

import datetime as _dt
import os
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .. import __version__
from ..config import Config
from ..document import Document
from ..engine.configs import Ignored, RepoConfigs, explicit_config
from ..engine.discovery import excluded, models_in
from ..engine.factpass import load_roster, repo_facts
from ..engine.judge import Setup, judge_target, judge_target_rules
from ..engine.workspace import Workspace, tree_view
from ..errors import GitError, ModelgovError
from ..facts.heuristics import (
    MAX_SIGNALS_SHOWN,
    Heuristics,
    Undeclared,
    find_undeclared,
    heuristics_from,
)
from ..facts.registry import RegistryReader
from ..findings import FailOn, Finding, fail_threshold
from ..git import GitRepo, SharedShadow, find_git_dir
from ..git.remote import parse_remote
from ..pathmatch import matcher
from ..results import ModelResult
from ..rules.base import TIERS
from .columns import collectors
from .discovery import RepoSpec
from .identity import identity
from .rows import (
    Evidence,
    RepoEntry,
    RepoResult,
    RepoStatus,
    Row,
    RowFinding,
    Signal,
    Waiver,
)
from .tighten import Effective, OrgPolicy, effective_policy


@dataclass(frozen=True)
class AuditSettings:
    """Everything a worker needs, as plain picklable values (paths absolute)."""

    policy: str | None
    config: str | None
    roster: str | None
    today: str
    as_of: str | None
    fail_on: str | None
    cache_dir: str
    fetch: bool = True
    clone_filter: str | None = "blob:limit=1m"
    clone_timeout: float = 600.0
    registry: bool = False
    #: the working directory of the run (workers may have another): local identity keys
    #: are relative to it, so they are the same on every machine
    cwd: str = ""


@dataclass(frozen=True)
class OrgState:
    org: OrgPolicy
    config: Config
    roster: Any
    heuristics: Heuristics
    today: _dt.date
    as_of: _dt.date | None
    fail_on: FailOn
    #: the org's allowed signers (approvals are never verified against a repository's)
    allowed_signers: Path | None = None
    registry: RegistryReader | None = None
    cwd: str = ""


_STATE: dict[AuditSettings, OrgState] = {}


def org_state(settings: AuditSettings) -> OrgState:
    """The org policy, config, roster and heuristics (loaded once per process).

    Raises :class:`~modelgov.errors.ModelgovError` (exit 2) when they do not load.
    """
    state = _STATE.get(settings)
    if state is not None:
        return state
    from ..policy import load_policy
    from ..registry import full as full_registry

    config = explicit_config(Path(settings.config)) if settings.config else Config()
    ref = settings.policy or config.policy
    relative_to = Path.cwd() if settings.policy else config.folder
    registry = full_registry()
    policy = load_policy(
        ref,
        registry,
        relative_to=relative_to,
        overrides=config.overrides,
        overrides_label=config.label,
    )
    fail_on: FailOn = settings.fail_on or config.fail_on or "error"  # type: ignore[assignment]
    roster_path = Path(settings.roster) if settings.roster else config.roster
    org = OrgPolicy(
        ref=ref,
        relative_to=relative_to,
        overrides=dict(config.overrides),
        label=config.label if config.path is not None else "org policy",
        policy=policy,
        registry=registry,
        allow_loosen=config.allow_loosen,
        exclude=config.exclude,
        fail_on=fail_on,
    )
    state = OrgState(
        org=org,
        config=config,
        roster=load_roster(roster_path),
        heuristics=heuristics_from(config.audit, config.label),
        today=_dt.date.fromisoformat(settings.today),
        as_of=_dt.date.fromisoformat(settings.as_of) if settings.as_of else None,
        fail_on=fail_on,
        allowed_signers=config.allowed_signers,
        cwd=settings.cwd or os.getcwd(),
        registry=_registry(config) if settings.registry else None,
    )
    _needs_signatures(policy, config)
    _STATE[settings] = state
    return state


def _needs_signatures(policy: Any, config: Config) -> None:
    """When the org policy requires signed approvals for some tier and names the allowed
    signers, the file must read and ssh-keygen must be there: exit 2 before any clone."""
    readers = [
        r.id
        for r in policy.registry
        if "approvals" in r.uses and any(policy.settings(r, t).enabled for t in TIERS)
    ]
    if not readers or config.allowed_signers is None:
        return
    from ..engine.factpass import load_signers
    from ..sshsig import find_program

    load_signers(config.allowed_signers)
    find_program(f"the org policy requires signed approvals ({', '.join(readers)})")


def _registry(config: Config) -> RegistryReader:
    """The org's model registry: the environment, else the org config (never a repository's)."""
    from ..mlregistry import open_registry, registry_uri

    return open_registry(registry_uri(config.registry_uri))


# -- results as typed rows ------------------------------------------------------


def _evidence(state: OrgState, commit: str, blob: str, digest: str) -> Evidence:
    return Evidence(
        commit=commit, blob=blob, policy_digest=digest, modelgov=__version__,
        today=state.today.isoformat(),
    )  # fmt: skip


def _row(spec: RepoSpec, state: OrgState, **fields: Any) -> Row:
    base = Row(
        repo=spec.ident,
        team=spec.team,
        labels=tuple(spec.labels),
        evidence=_evidence(state, "", "", state.org.policy.digest),
    )
    return base._replace(**fields)


def error_result(spec: RepoSpec, state: OrgState, reason: str, commit: str = "") -> RepoResult:
    """The result of a repository that could not be audited: one error row."""
    return RepoResult(
        _repo_entry(spec, "error", reason, commit),
        (
            _row(
                spec,
                state,
                reason=reason,
                evidence=_evidence(state, commit, "", state.org.policy.digest),
            ),
        ),
    )


def _repo_entry(
    spec: RepoSpec, status: RepoStatus, reason: str, commit: str, **fields: Any
) -> RepoEntry:
    return RepoEntry(
        repo=spec.ident,
        source="url" if spec.kind == "url" else "path",
        status=status,
        reason=reason,
        commit=commit,
        team=spec.team,
        labels=tuple(spec.labels),
        **fields,
    )


# -- one repository --------------------------------------------------------------


def audit_repo(
    spec: RepoSpec, settings: AuditSettings, shadow: SharedShadow | None = None
) -> RepoResult:
    """Audit one repository; never raises for anything the repository holds.

    ``shadow``: the shadow git dir shared by the repositories a worker audits
    (every git question of an audit names objects by id; see
    :class:`~modelgov.git.SharedShadow`).
    """
    state = org_state(settings)
    try:
        return _audit(spec, settings, state, shadow)
    except ModelgovError as exc:
        return error_result(spec, state, str(exc))
    except Exception as exc:  # a bug: the row says so, the audit goes on
        return error_result(
            spec,
            state,
            f"internal error ({type(exc).__name__}: {exc}); this is a bug in modelgov, "
            "please report it",
        )


def _open(spec: RepoSpec, settings: AuditSettings, shadow: SharedShadow | None) -> GitRepo | str:
    """The repository of ``spec`` (cloned or fetched for URLs), or why not."""
    if spec.kind == "error":
        return spec.problem
    if spec.kind == "url":
        from .cache import ensure_clone

        remote = parse_remote(spec.location)
        try:
            path, _ = ensure_clone(
                remote,
                Path(settings.cache_dir),
                fetch=settings.fetch,
                filter_spec=settings.clone_filter,
                timeout=settings.clone_timeout,
            )
        except GitError as exc:
            return str(exc)
        except OSError as exc:
            return f"cannot write the clone cache: {exc}"
        return GitRepo(path, None, shared=shadow, in_process=True)
    path = Path(spec.location)
    if not os.access(path, os.R_OK | os.X_OK):
        return "permission denied"
    dotgit = path / ".git"
    if dotgit.is_dir() and not dotgit.is_symlink():
        if not os.access(dotgit, os.R_OK | os.X_OK):
            return "permission denied (.git cannot be read)"
        return GitRepo(dotgit, path, shared=shadow, in_process=True)
    if os.path.lexists(dotgit):
        found = find_git_dir(path)
        if found is None or os.path.abspath(found[0]) != os.path.abspath(path):
            return ".git is not a repository folder (or a gitfile naming one)"
        git_dir = found[1]
        if not os.access(git_dir, os.R_OK | os.X_OK):
            return "permission denied (.git cannot be read)"
        return GitRepo(git_dir, path, shared=shadow, in_process=True)
    return GitRepo(path, None, shared=shadow, in_process=True)


def _no_head(repo: GitRepo) -> str:
    head_file = repo.git_dir / "HEAD"
    if not os.path.lexists(head_file):
        return "HEAD is missing: the repository is damaged"
    if not os.access(head_file, os.R_OK):
        return "permission denied (HEAD cannot be read)"
    ref = repo.head_ref()
    if ref != "HEAD":
        return f"no commits yet ({ref} does not exist)"
    return "HEAD is unreadable or does not name a commit"


class _Blobs:
    """Blob reads through one ``cat-file --batch`` per batch, cached for the repository."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self.cache: dict[str, tuple[int, bytes | None]] = {}

    def prefetch(self, shas: Iterable[str], limit: int) -> None:
        self.read_blobs(shas, limit)

    def read_blobs(self, shas: Iterable[str], limit: int) -> dict[str, bytes | None]:
        wanted = list(dict.fromkeys(shas))
        missing = [
            s
            for s in wanted
            if s not in self.cache or (self.cache[s][1] is None and self.cache[s][0] < limit)
        ]
        if missing:
            for sha, data in self.repo.read_blobs(missing, limit).items():
                self.cache[sha] = (limit, data)
        out: dict[str, bytes | None] = {}
        for sha in wanted:
            data = self.cache.get(sha, (0, None))[1]
            out[sha] = data if data is not None and len(data) <= limit else None
        return out


def _audit(
    spec: RepoSpec, settings: AuditSettings, state: OrgState, shadow: SharedShadow | None
) -> RepoResult:
    opened = _open(spec, settings, shadow)
    if isinstance(opened, str):
        return error_result(spec, state, opened)
    with opened as repo:
        head = repo.head()
        if head is None:
            return error_result(spec, state, _no_head(repo))
        commit = head
        if state.as_of is not None:
            found = repo.commit_as_of(state.as_of, head)
            if found is None:
                return error_result(
                    spec, state, f"no commit on or before {state.as_of.isoformat()}"
                )
            commit = found
        try:
            entries = repo.tree_entries(commit)
        except GitError as exc:
            return error_result(spec, state, f"cannot read commit {commit[:12]}: {exc}", commit)
        return _judge_commit(spec, state, repo, commit, entries)


def _judge_commit(
    spec: RepoSpec, state: OrgState, repo: GitRepo, commit: str, entries: Sequence[Any]
) -> RepoResult:
    blobs = _Blobs(repo)
    view = tree_view(list(entries), blobs, f"{spec.ident}@{commit[:12]}")
    ws = Workspace(
        repo.worktree or repo.git_dir, view, git=repo, source="commit", commit=commit,
        label=spec.ident,
    )  # fmt: skip
    # every model path git records -- a symlink too: one that cannot be read is a failing row
    models = excluded(models_in(view.files()), state.org.exclude)
    configs = _RepoConfigs(ws, state)
    # models grouped by the policy that judges them (one group in most repositories)
    groups: dict[str, list[str]] = {}
    for rel in models:
        groups.setdefault(configs.nearest(posixpath.dirname(rel)), []).append(rel)
    docs = repo_facts(ws).load(models)
    rows: list[Row] = []
    for key, rels in sorted(groups.items()):
        eff = configs.effective(key)
        keep = excluded(rels, eff.exclude)
        rows.extend(_judge_models(spec, state, ws, keep, eff, docs))

    covered = _coverage(models, docs)
    files = {e.path: (e.sha, e.size) for e in entries if e.mode.startswith("100")}
    undeclared = find_undeclared(files, covered, blobs.read_blobs, state.heuristics)
    for group in undeclared:
        eff = configs.effective(configs.nearest(group.folder))
        rows.append(_undeclared_row(spec, state, ws, group, eff))
    declared = sum(1 for r in rows if r.status != "undeclared")
    entry = _repo_entry(
        spec, "ok", "", commit, models=declared, undeclared=len(undeclared),
        **identity(repo, spec, commit, state.cwd),
    )  # fmt: skip
    return RepoResult(entry, tuple(rows))


def _judge_models(
    spec: RepoSpec,
    state: OrgState,
    ws: Workspace,
    models: list[str],
    eff: Effective,
    docs: Mapping[str, Document],
) -> list[Row]:
    setup = Setup(
        policy=eff.policy,
        today=state.today,
        fail_on=state.fail_on,
        roster=state.roster,
        allowed_signers=state.allowed_signers,
        registry=state.registry,
    )
    try:
        results: list[ModelResult | _Crashed] = list(judge_target(ws, models, setup).models)
    except Exception:  # a rule or git failed on some model: judge them one by one
        results = []
        for rel in models:
            try:
                results.extend(judge_target(ws, [rel], setup).models)
            except Exception as exc:
                results.append(_crashed(rel, exc))
    return [
        _model_row(spec, state, ws.commit or "", result, docs.get(result.file), eff)
        for result in results
    ]


class _Crashed(NamedTuple):
    file: str
    reason: str


def _crashed(rel: str, exc: Exception) -> _Crashed:
    return _Crashed(rel, str(exc))


def _model_row(
    spec: RepoSpec,
    state: OrgState,
    commit: str,
    result: ModelResult | _Crashed,
    doc: Document | None,
    eff: Effective,
) -> Row:
    if isinstance(result, _Crashed):
        return _row(
            spec,
            state,
            path=result.file,
            status="error",
            reason=f"could not be judged: {result.reason}",
            notes=tuple(eff.notes),
            evidence=_evidence(state, commit, doc.blob_sha if doc else "", eff.policy.digest),
        )
    evidence = _evidence(state, commit, result.blob_sha, eff.policy.digest)
    threshold = fail_threshold(state.fail_on)
    failing = sorted(
        {
            f.rule
            for f in result.findings
            if f.active and threshold is not None and f.severity >= threshold
        }
    )
    return _row(
        spec,
        state,
        path=result.file,
        name=result.name,
        owner=result.owner,
        team=result.team or spec.team,
        risk_tier=result.tier,
        status="fail" if failing else "pass",
        failing_rules=tuple(failing),
        days_since_review=result.ages.review,
        days_since_drill=result.ages.drill,
        stale_code_days=result.ages.stale_code,
        notes=tuple(eff.notes),
        findings=tuple(_finding(f, result.file) for f in result.findings),
        evidence=evidence,
        rules_skipped=_skipped(eff, result),
        extra=tuple((key, collect(result, doc)) for key, collect in collectors()),
    )


def _skipped(eff: Effective, result: ModelResult) -> tuple[str, ...]:
    """The rules of the policy that did not judge the model (see ``Row.rules_skipped``)."""
    ran = set(result.rules_run)
    return tuple(
        sorted(
            r.id
            for r in eff.policy.registry
            if (r.id not in ran)
            if r.scope != "target" or not eff.policy.settings(r, None).enabled
        )
    )


def _finding(f: Finding, model_file: str) -> RowFinding:
    w = f.waived
    return RowFinding(
        rule=f.rule,
        severity=f.severity.label,
        pointer=f.pointer,
        line=f.line,
        col=f.col,
        message=f.message,
        hint=f.hint,
        waived=None
        if w is None
        else Waiver(w.reason, w.approved_by, w.expires, w.ticket, w.source),
        file="" if f.file == model_file else f.file,  # an approval record's finding
    )


def _undeclared_row(
    spec: RepoSpec, state: OrgState, ws: Workspace, group: Undeclared, eff: Effective
) -> Row:
    # the rules of target scope judge the folder that declares nothing (MG009)
    found = judge_target_rules(ws, eff.policy, [group.folder])
    threshold = fail_threshold(state.fail_on)
    failing = sorted({f.rule for f in found if threshold is not None and f.severity >= threshold})
    off = sorted(
        r.id
        for r in eff.policy.registry
        if r.scope == "target" and not eff.policy.settings(r, None).enabled
    )
    commit = ws.commit or ""
    kinds = sorted({s.kind for s in group.signals})
    return _row(
        spec,
        state,
        path=group.folder or ".",
        status="undeclared",
        failing_rules=tuple(failing),
        reason=f"{len(group.signals)} ML signal(s) ({', '.join(kinds)}) and no model.yaml covers them",
        signals=tuple(Signal(s.path, s.kind, s.detail) for s in group.signals[:MAX_SIGNALS_SHOWN]),
        notes=tuple(eff.notes),
        evidence=_evidence(state, commit, "", eff.policy.digest),
        rules_skipped=tuple(off),
    )


def _coverage(models: Sequence[str], docs: Mapping[str, Document]) -> Any:
    """``covered(path)``: a model.yaml's folder subtree, or one of its ``paths``."""
    folders = []
    regexes = []
    for rel in models:
        base = posixpath.dirname(rel)
        folders.append(base)
        doc = docs.get(rel)
        value = doc.get("/paths") if doc is not None and doc.ok else None
        if isinstance(value, list):
            rx = matcher(base, [p for p in value if isinstance(p, str) and p.strip()])
            if rx is not None:
                regexes.append(rx)
    everything = "" in folders
    prefixes = tuple(f + "/" for f in folders if f)

    def covered(path: str) -> bool:
        return everything or path.startswith(prefixes) or any(rx.match(path) for rx in regexes)

    return covered


class _RepoConfigs:
    """The repository's own configs (read from the commit) and their effective policies."""

    def __init__(self, ws: Workspace, state: OrgState) -> None:
        self.found = RepoConfigs(ws, lenient=True)
        self.state = state
        self._effective: dict[str, Effective] = {}

    def nearest(self, folder: str) -> str:
        return self.found.nearest(folder)

    def effective(self, key: str) -> Effective:
        if key not in self._effective:
            parsed = self.found.get(key) if key else None
            if isinstance(parsed, Ignored):
                base = effective_policy(self.state.org, None, key)
                self._effective[key] = Effective(base.policy, (parsed.note,), base.exclude)
            else:
                self._effective[key] = effective_policy(self.state.org, parsed, key)
        return self._effective[key]

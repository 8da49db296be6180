"""Judge the models of a workspace under one policy: facts, rules, waivers, results.

The one judging path of modelgov: ``check``, ``policy test`` and ``audit``
all call :func:`judge_target`.  It knows nothing about the command line or
output formats.  Per model:

1. the fact pass (:mod:`.factpass`) computes the facts the model's enabled
   rules read -- the git history only when one of them reads it;
2. the waiver verdicts are judged (:func:`modelgov.facts.waivers.judge`),
   always, whichever waiver rules are enabled;
3. every enabled rule of model scope yields findings from the facts;
4. valid waivers silence the findings they cover;
5. rules about the other findings (``check_after``: an unused waiver) run.

Rules of target scope (a missing declaration) run once per target.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..facts import ModelFacts, TargetFacts, as_date, norm_email, tier_of
from ..facts.staleness import code_staleness
from ..facts.waivers import WaiverVerdict, covers
from ..facts.waivers import judge as judge_waivers
from ..findings import FailOn, Finding, Waived, sort_findings
from ..policy import Policy
from ..results import (
    Ages,
    ApprovalSummary,
    IncidentPolicy,
    ModelResult,
    PolicyInfo,
    RegistryView,
    TargetResult,
)
from ..rules.base import Rule, RuleContext, TargetContext
from .factpass import model_facts, repo_facts
from .workspace import Workspace

if TYPE_CHECKING:
    from ..document import Document
    from ..facts.registry import RegistryReader
    from ..people import Roster

#: The rule whose option bounds how long a waiver may run (applied even when it is off).
WAIVER_LIMIT_RULE = "MG212"
_DEFAULT_WAIVER_DAYS = 90


class RuleCrashed(Exception):
    """A rule raised instead of yielding findings (a bug in that rule)."""

    def __init__(self, rule: Rule, exc: BaseException) -> None:
        super().__init__(
            f"rule {rule.id} ({rule.name}, from {rule.origin}) crashed: {type(exc).__name__}: {exc}"
        )
        self.rule = rule


class Setup(NamedTuple):
    """How a target is judged."""

    policy: Policy
    today: _dt.date
    fail_on: FailOn = "error"
    roster: Roster | None = None
    registry: RegistryReader | None = None  # --registry: where registry facts come from
    config: str | None = None  # the config file that applied, as shown
    cwd: str = ""  # the working directory of the run (absolute; '' for the process's)
    allowed_signers: Path | None = None  # whose SSH keys sign approvals (config)


def _run(rule: Rule, call: Any) -> list[Finding]:
    try:
        return list(call())
    except Exception as exc:
        raise RuleCrashed(rule, exc) from exc


def policy_info(policy: Policy) -> PolicyInfo:
    return PolicyInfo(policy.name, policy.digest, tuple(policy.chain))


def judge_target(
    ws: Workspace,
    models: Sequence[str],
    setup: Setup,
    *,
    missing: Sequence[str] = (),
) -> TargetResult:
    """Judge ``models`` (root-relative paths) of ``ws``; ``missing``: folders that
    should hold a model.yaml and hold none (judged by the rules of target scope)."""
    docs = repo_facts(ws).load(models)
    waivable = {key.lower(): r.waivable for r in setup.policy.registry for key in (r.id, r.name)}
    results = tuple(judge_model(ws, rel, docs[rel], setup, waivable) for rel in models)
    return TargetResult(
        root=Path(ws.root).as_posix(),
        cwd=setup.cwd or Path.cwd().as_posix(),
        config=setup.config,
        policy=policy_info(setup.policy),
        fail_on=setup.fail_on,
        models=results,
        findings=tuple(judge_target_rules(ws, setup.policy, missing)),
    )


def judge_target_rules(ws: Workspace, policy: Policy, missing: Sequence[str]) -> list[Finding]:
    facts = TargetFacts(label=ws.label, missing=tuple(missing))
    findings: list[Finding] = []
    for rule in policy.registry:
        if rule.scope != "target":
            continue
        settings = policy.settings(rule, None)
        if settings.enabled:
            ctx = TargetContext(facts, rule, settings.severity, settings.options)
            findings += _run(rule, lambda r=rule, c=ctx: r.check(c))
    return sort_findings(findings)


def waiver_days(policy: Policy, tier: str | None) -> int:
    """The longest a waiver may run for a model of ``tier`` under ``policy``."""
    rule = policy.registry.rules.get(WAIVER_LIMIT_RULE)
    if rule is None:
        return _DEFAULT_WAIVER_DAYS
    return int(policy.settings(rule, tier).options.get("max_days", _DEFAULT_WAIVER_DAYS))


def judge_model(
    ws: Workspace,
    rel: str,
    doc: Document,
    setup: Setup,
    waivable: Mapping[str, bool],
) -> ModelResult:
    """All findings for one model, waivers applied, in a stable order."""
    policy = setup.policy
    tier = tier_of(doc.data)
    enabled = []
    for rule in policy.registry:
        if rule.scope != "model" or (rule.needs_data and not doc.ok):
            continue
        settings = policy.settings(rule, tier)
        if settings.enabled:
            enabled.append((rule, settings))
    uses = frozenset().union(*(rule.uses for rule, _ in enabled))
    owner = norm_email(doc.get("/owner/email"))
    verdicts = judge_waivers(
        doc.data,
        today=setup.today,
        waivable=waivable,
        max_days=waiver_days(policy, tier),
        owner=owner,
    )
    facts = model_facts(
        ws,
        rel,
        doc,
        today=setup.today,
        uses=uses,
        waivers=verdicts,
        roster=setup.roster,
        allowed_signers=setup.allowed_signers,
        registry=setup.registry,
    )
    contexts = [RuleContext(facts, rule, s.severity, s.options) for rule, s in enabled]
    findings: list[Finding] = []
    for ctx in contexts:
        findings += _run(ctx.rule, lambda c=ctx: c.rule.check(c))
    findings = apply_waivers(findings, verdicts, policy.registry.rules)
    for ctx in contexts:
        after = ctx.rule.check_after
        if after is not None:
            findings += _run(ctx.rule, lambda c=ctx, a=after, f=tuple(findings): a(c, f))
    data = facts.data
    owner_section = data.get("owner")
    team = owner_section.get("team", "") if isinstance(owner_section, dict) else ""
    email = owner_section.get("email", "") if isinstance(owner_section, dict) else ""
    stale = code_staleness(facts)
    return ModelResult(
        file=rel,
        name=facts.name,
        tier=facts.tier,
        findings=tuple(sort_findings(findings)),
        owner=str(email or ""),
        team=str(team or ""),
        blob_sha=doc.blob_sha,
        ages=Ages(
            review=_age(doc.get("/review/last_reviewed"), setup.today),
            drill=_age(doc.get("/rollback/last_tested"), setup.today),
            stale_code=stale.age if stale is not None else None,
        ),
        rules_run=tuple(ctx.rule.id for ctx in contexts),
        approvals=_approvals(facts, contexts, findings),
        registry=registry_view(facts),
        incident_policy=incident_policy(policy, tier, setup.today),
    )


#: The rule whose options say which incidents need a post-mortem, and by when.
POSTMORTEM_RULE = "MG190"


def incident_policy(policy: Policy, tier: str | None, today: _dt.date) -> IncidentPolicy:
    """MG190's ``min_severity`` and ``due_days`` for ``tier`` (its defaults without it)."""
    base = IncidentPolicy(today.isoformat())
    rule = policy.registry.rules.get(POSTMORTEM_RULE)
    if rule is None:
        return base
    options = policy.settings(rule, tier).options
    severity = options.get("min_severity", base.min_severity)
    due = options.get("due_days", base.due_days)
    return base._replace(
        min_severity=severity if isinstance(severity, str) else base.min_severity,
        due_days=due if isinstance(due, int) and not isinstance(due, bool) else base.due_days,
    )


def _approvals(
    facts: ModelFacts, contexts: Sequence[RuleContext], findings: Sequence[Finding]
) -> ApprovalSummary | None:
    """The approvals to report: approved when no rule that reads them found anything."""
    if facts.approvals is None:
        return None
    from ..facts.approvals import summary

    readers = {c.rule.id for c in contexts if "approvals" in c.rule.uses}
    return summary(
        facts.approvals, approved=not any(f.active and f.rule in readers for f in findings)
    )


def registry_view(facts: ModelFacts) -> RegistryView | None:
    """What serves beside what is declared, for the reports (None without ``--registry``)."""
    state = facts.registry
    if state is None:
        return None
    version = facts.doc.get("/deploy/version")
    declared = (
        ""
        if isinstance(version, bool) or not isinstance(version, (str, int))
        else str(version).strip()
    )
    if state.error:
        return RegistryView(state.model, declared, error=state.error)
    if not state.found:
        return RegistryView(state.model, declared)
    alias = facts.doc.get("/registry/serving_alias")
    serving = state.resolve(alias.strip()) if isinstance(alias, str) else None
    back = facts.doc.get("/registry/rollback_alias")
    target = state.resolve(back.strip()) if isinstance(back, str) and back.strip() else None
    if target is None and serving is not None and not isinstance(back, str):
        earlier = [
            v for v in state.versions
            if v.version.isdigit() and serving.version.isdigit()
            and int(v.version) < int(serving.version)
            and v.status == "READY" and v.stage.lower() != "archived"
        ]  # fmt: skip
        target = earlier[0] if earlier else None
    return RegistryView(
        state.model,
        declared,
        serving=serving.version if serving is not None else None,
        rollback=target.version if target is not None else None,
    )


def _age(value: Any, today: _dt.date) -> int | None:
    when = as_date(value)
    return (today - when).days if when is not None else None


def apply_waivers(
    findings: list[Finding], verdicts: Sequence[WaiverVerdict], rules: Mapping[str, Rule]
) -> list[Finding]:
    """Mark findings silenced by a valid waiver.  Invalid waivers silence nothing."""
    valid = [v.entry for v in verdicts if v.valid]
    if not valid:
        return findings
    out = []
    for finding in findings:
        rule = rules.get(finding.rule)
        if rule is not None and rule.waivable and finding.waived is None:
            for w in valid:
                if covers(w, rule.id, rule.name, finding.pointer):
                    finding = finding.with_waiver(
                        Waived(
                            reason=w.reason,
                            approved_by=w.approved_by,
                            expires=w.expires.isoformat() if w.expires else "",
                            ticket=w.ticket,
                            source=w.pointer,
                        )
                    )
                    break
        out.append(finding)
    return out

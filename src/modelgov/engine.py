"""Run the rules of a policy on one loaded model.yaml; apply waivers; sort.

The engine knows nothing about the command line, git or output formats: it
takes a :class:`~modelgov.rules.base.ModelContext` and a
:class:`~modelgov.policy.Policy` and returns findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .findings import Finding, Severity, Waived, sort_findings
from .policy import Policy
from .rules._waivers import WAIVER_RULES, covers, entries
from .rules.base import ModelContext, Rule, RuleContext


class RuleCrashed(Exception):
    """A rule raised instead of yielding findings (a bug in that rule)."""

    def __init__(self, rule: Rule, exc: BaseException) -> None:
        super().__init__(
            f"rule {rule.id} ({rule.name}, from {rule.origin}) crashed: {type(exc).__name__}: {exc}"
        )
        self.rule = rule


class ModelResult(NamedTuple):
    """The verdict on one model.yaml."""

    file: str
    name: str
    tier: str | None
    findings: tuple[Finding, ...]
    owner: str = ""
    team: str = ""
    blob_sha: str = ""
    facts: Mapping[str, Any] = {}  # never mutated; a plain dict pickles for audit workers
    #: ids of the rules that ran on this model (enabled for its tier; JUnit test cases)
    rules_run: tuple[str, ...] = ()

    def worst(self) -> Severity | None:
        active = [f.severity for f in self.findings if f.active]
        return max(active) if active else None


def _run(rule: Rule, ctx: RuleContext, after: Sequence[Finding] | None = None) -> list[Finding]:
    try:
        if after is None:
            return list(rule.check(ctx))
        assert rule.check_after is not None
        return list(rule.check_after(ctx, after))
    except RecursionError as exc:  # pragma: no cover - guarded by the loader's depth cap
        raise RuleCrashed(rule, exc) from exc
    except Exception as exc:
        raise RuleCrashed(rule, exc) from exc


def check_model(model: ModelContext, policy: Policy) -> list[Finding]:
    """All findings for one model, waivers applied, in a stable order."""
    registry = policy.registry
    model.extra.setdefault(
        "waivable_rules",
        {key.lower(): r.waivable for r in registry for key in (r.id, r.name)},
    )
    contexts: list[RuleContext] = []
    findings: list[Finding] = []
    for rule in registry:
        if rule.needs_data and not model.doc.ok:
            continue
        settings = policy.settings(rule, model.tier)
        if not settings.enabled:
            continue
        ctx = RuleContext(model, rule, settings.severity, settings.options)
        contexts.append(ctx)
        findings.extend(_run(rule, ctx))
    model.extra["rules_run"] = tuple(c.rule.id for c in contexts)
    findings = apply_waivers(model, findings, registry_rules={r.id: r for r in registry})
    for ctx in contexts:
        if ctx.rule.check_after is not None:
            findings.extend(_run(ctx.rule, ctx, after=findings))
    return sort_findings(findings)


def apply_waivers(
    model: ModelContext, findings: list[Finding], registry_rules: dict[str, Rule]
) -> list[Finding]:
    """Mark findings silenced by a valid waiver.  Invalid waivers silence nothing."""
    waivers = entries(model.data)
    if not waivers:
        return findings
    invalid = {
        "/".join(f.pointer.split("/")[:3])
        for f in findings
        if f.rule in WAIVER_RULES and f.pointer.startswith("/waivers/")
    }
    model.extra["invalid_waivers"] = invalid
    valid = [w for w in waivers if w.pointer not in invalid]
    out = []
    for finding in findings:
        rule = registry_rules.get(finding.rule)
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

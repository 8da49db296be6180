"""The org policy, and what a repository's own config may change in it.

The org policy (``--policy``, ``--config``) applies to every repository.  A
repository's own ``.modelgov.yaml`` (or ``.modelgov.yml``, or
``[tool.modelgov]`` in ``pyproject.toml``), read from the audited commit,
may **tighten** it but not **loosen** it, unless the org config sets
``allow_loosen: true``.  Concretely, for every rule and every risk tier the
settings the repo config asks for (its pack, if it names a built-in one,
plus its ``rules:``, on top of the org's overrides) are compared with the
org's:

* ``enabled``: turning a rule on is accepted; turning it off is not;
* ``severity``: raising it is accepted; lowering it is not;
* an option: accepted only when it moves in the direction the option
  declares as stricter (``Option.stricter``: ``lower`` or ``higher`` for
  numbers such as ``max_minutes`` or ``min_approvers``, ``true`` for
  requirements such as ``required``, ``superset`` for lists such as
  ``required_signals``); options with no declared direction (patterns,
  domain lists) cannot be changed by a repo config;
* ``custom_rules``: added (they can only add findings);
* ``exclude`` (it hides model.yaml files), ``roster``, ``fail_on``,
  ``allow_loosen``, ``audit``, ``registry_uri`` and pack files inside the
  repository are ignored: the auditor decides those.

Every ignored entry is reported in the row as a *config note*, so a repo
that tried to loosen the policy is visible.  Accepted changes produce an
effective policy with its own digest, recorded as evidence in each row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ModelgovError
from ..findings import Severity
from ..policy import Policy, load_policy, merge
from ..registry import Registry
from ..rules.base import TIERS


@dataclass(frozen=True)
class OrgPolicy:
    """The auditor's policy and settings, applied to every repository."""

    ref: str | None
    relative_to: Path | None
    overrides: Mapping[str, Any]
    label: str
    policy: Policy
    registry: Registry
    allow_loosen: bool = False
    exclude: tuple[str, ...] = ()
    fail_on: str = "error"


@dataclass(frozen=True)
class Effective:
    policy: Policy
    notes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def stricter(direction: str, new: Any, old: Any) -> bool:
    """Is ``new`` at least as strict as ``old`` in the option's declared ``direction``?"""
    try:
        if direction == "lower":
            return bool(new < old)
        if direction == "higher":
            return bool(new > old)
        if direction == "true":
            return new is True and old is False
        if direction == "superset":
            return set(new) >= set(old)
    except TypeError:
        return False
    return False


def _is_pack_path(ref: str) -> bool:
    return "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml"))


def _repo_notes(org: OrgPolicy, repo: Config, where: str) -> list[str]:
    notes = []
    if repo.exclude and not org.allow_loosen:
        notes.append(f"{where}: exclude ignored: it would hide model.yaml files from the audit")
    if repo.roster is not None:
        notes.append(f"{where}: roster ignored: the audit uses the org roster")
    if repo.fail_on is not None and repo.fail_on != org.fail_on:
        notes.append(f"{where}: fail_on ignored: the auditor sets the fail level")
    if repo.allow_loosen:
        notes.append(f"{where}: allow_loosen ignored: only the org config may allow loosening")
    if repo.audit is not None:
        notes.append(f"{where}: audit ignored: the org config sets the audit heuristics")
    if repo.registry_uri is not None:
        notes.append(
            f"{where}: registry_uri ignored: a repository does not choose where the audit connects"
        )
    return notes


def _custom(overrides: Mapping[str, Any]) -> list[Any]:
    value = overrides.get("custom_rules") or []
    return list(value) if isinstance(value, list) else []


def _combined(org: OrgPolicy, rules: Mapping[str, Any], custom: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = merge(dict(org.overrides), {"rules": dict(rules)} if rules else {})
    all_custom = _custom(org.overrides) + custom
    if all_custom:
        out["custom_rules"] = all_custom
    return out


def effective_policy(org: OrgPolicy, repo: Config | None, where: str) -> Effective:
    """The policy a repository is judged with, and notes on what of its config was ignored."""
    if repo is None:
        return Effective(org.policy, (), org.exclude)
    notes = _repo_notes(org, repo, where)
    ref = org.ref
    if repo.policy:
        if _is_pack_path(repo.policy):
            notes.append(
                f"{where}: policy {Path(repo.policy).name!r} ignored: an audit does not read "
                "pack files from the repositories it audits (built-in pack names only)"
            )
        else:
            ref = repo.policy
    repo_rules = repo.overrides.get("rules") or {}
    repo_custom = _custom(repo.overrides)
    if ref == org.ref and not repo_rules and not repo_custom:
        return Effective(org.policy, tuple(notes), org.exclude)
    label = f"{org.label} + {where}"
    try:
        candidate = load_policy(
            ref,
            org.registry,
            relative_to=org.relative_to,
            overrides=_combined(
                org, repo_rules if isinstance(repo_rules, dict) else {}, repo_custom
            ),
            overrides_label=label,
        )
    except ModelgovError as exc:
        notes.append(f"{where} ignored: it does not validate ({exc}); the org policy applies")
        return Effective(org.policy, tuple(notes), org.exclude)
    if org.allow_loosen:
        return Effective(candidate, tuple(notes), tuple(org.exclude) + tuple(repo.exclude))
    accepted, loosened = compare(org.policy, candidate)
    for text in loosened:
        notes.append(f"{where}: {text} ignored: looser than the org policy")
    new_custom = [r for r in candidate.registry if r.id not in org.policy.registry.rules]
    if not accepted and not new_custom:
        return Effective(org.policy, tuple(notes), org.exclude)
    for rule in new_custom:
        conf = candidate.data.get("rules", {}).get(rule.id)
        if conf:
            accepted[rule.id] = conf
    final = load_policy(
        org.ref,
        org.registry,
        relative_to=org.relative_to,
        overrides=_combined(org, accepted, repo_custom),
        overrides_label=f"{label} (tightening only)",
    )
    return Effective(final, tuple(notes), org.exclude)


def compare(org: Policy, candidate: Policy) -> tuple[dict[str, Any], list[str]]:
    """Per rule and tier: the stricter settings of ``candidate`` (as ``rules:`` overrides
    keyed by rule id, per tier) and a description of each looser one."""
    accepted: dict[str, Any] = {}
    loose: dict[tuple[str, str], list[str]] = {}
    for rule in candidate.registry:
        org_rule = org.registry.rules.get(rule.id)
        if org_rule is None:
            continue  # a custom rule the repository adds
        for tier in TIERS:
            o = org.settings(org_rule, tier)
            c = candidate.settings(rule, tier)
            block: dict[str, Any] = {}
            if not c.enabled:
                if o.enabled:
                    loose.setdefault((rule.id, f"{rule.id} ({rule.name}) disabled"), []).append(
                        tier
                    )
                continue
            if not o.enabled:  # turning a rule on only adds checks: take it as asked
                options = {k: v for k, v in c.options.items() if v is not None}
                block = {"enabled": True, "severity": c.severity.label, "options": options}
                accepted.setdefault(rule.id, {"tiers": {}})["tiers"][tier] = block
                continue
            if c.severity > o.severity:
                block["severity"] = c.severity.label
            elif c.severity < o.severity:
                what = f"{rule.id} severity {c.severity.label} (org: {o.severity.label})"
                loose.setdefault((rule.id, what), []).append(tier)
            for name, spec in rule.options.items():
                new, old = c.options.get(name), o.options.get(name)
                if new == old:
                    continue
                if stricter(spec.stricter, new, old):
                    block.setdefault("options", {})[name] = new
                else:
                    what = f"{rule.id} {name} {_show(new)} (org: {_show(old)})"
                    loose.setdefault((rule.id, what), []).append(tier)
            if block:
                accepted.setdefault(rule.id, {"tiers": {}})["tiers"][tier] = block
    loosened = []
    for (_rid, what), tiers in sorted(loose.items()):
        scope = "every tier" if len(tiers) == len(TIERS) else f"tier {', '.join(tiers)}"
        loosened.append(f"{what} for {scope}")
    return accepted, loosened


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, Severity):
        return value.label
    return str(value)

"""``modelgov rules`` and ``modelgov explain``: documentation from the rule registry."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..engine.paths import config_at
from ..engine.policies import Policies
from ..errors import UsageError, did_you_mean
from ..policy import Policy
from ..rules.base import Rule, doc_sections


def resolve_policy(
    policy_ref: str | None, config: Path | None = None, where: Path = Path(".")
) -> Policy:
    """The policy ``check`` would apply at ``where``: the config found there (or
    ``--config``), with ``--policy`` replacing its pack."""
    return Policies(policy_ref).get(config_at(where, config))


def list_rules(policy_ref: str | None, fmt: str, config: Path | None = None) -> int:
    policy = resolve_policy(policy_ref, config)
    rows = []
    for rule in policy.registry:
        by_tier = {t: policy.settings(rule, t) for t in ("low", "medium", "high")}
        state = {t: (s.severity.label if s.enabled else "off") for t, s in by_tier.items()}
        rows.append((rule, state))
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "policy": {"name": policy.name, "digest": policy.digest},
                    "rules": [
                        {
                            "id": r.id,
                            "name": r.name,
                            "default_severity": r.severity.label,
                            "summary": r.summary,
                            "origin": r.origin,
                            "by_tier": state,
                            "options": {
                                k: {"type": o.type, "default": o.default, "help": o.help}
                                for k, o in r.options.items()
                            },
                        }
                        for r, state in rows
                    ],
                },
                indent=2,
            )
        )
        return 0
    if fmt == "markdown":
        click.echo("| id | name | severity (low / medium / high) | summary |")
        click.echo("| --- | --- | --- | --- |")
        for r, state in rows:
            click.echo(f"| {r.id} | {r.name} | {' / '.join(state.values())} | {r.summary} |")
        return 0
    width = max(len(r.name) for r, _ in rows)
    click.echo(
        f"Rules under policy {policy.name} ({policy.digest[:19]}); severity by tier low/medium/high:"
    )
    for r, state in rows:
        states = "/".join(state.values())
        click.echo(f"{r.id}  {r.name:<{width}}  {r.severity.label:<7}  {states:<23}  {r.summary}")
    return 0


def render_explain(rule: Rule, policy: Policy) -> str:
    parts = doc_sections(rule.doc)
    out = [
        f"{rule.id} {rule.name} (default severity: {rule.severity.label}; from {rule.origin})",
        "",
    ]
    out.append(parts.get("summary", ""))
    if parts.get("rationale"):
        out += ["", parts["rationale"]]
    if rule.options:
        out += ["", "Options (under this policy, low / medium / high):"]
        for name, opt in rule.options.items():
            values = [policy.settings(rule, t).options[name] for t in ("low", "medium", "high")]
            shown = " / ".join(json.dumps(v) for v in values)
            out.append(f"  {name} ({opt.type}): {opt.help}  [{shown}]")
    for title in ("Fails", "Passes"):
        if parts.get(title):
            out += ["", f"{title}:", "\n".join("    " + line for line in parts[title].splitlines())]
    if parts.get("Fix"):
        out += ["", f"Fix: {parts['Fix']}"]
    return "\n".join(out).rstrip() + "\n"


def explain(rule_key: str, policy_ref: str | None, config: Path | None = None) -> int:
    policy = resolve_policy(policy_ref, config)
    rule = policy.registry.resolve(rule_key)
    if rule is None:
        known = [r.id for r in policy.registry] + [r.name for r in policy.registry]
        raise UsageError(
            f"unknown rule {rule_key!r}{did_you_mean(rule_key, known)}; `modelgov rules` lists them"
        )
    click.echo(render_explain(rule, policy), nl=False)
    return 0

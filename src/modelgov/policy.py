"""Policy packs: which rules run, at which severity, with which options, per risk tier.

A pack is a YAML file::

    name: strict
    description: Regulated and high-risk settings.
    extends: default            # a pack name, a path, or a list of them
    rules:
      MG131:                    # rule id or name
        severity: error
        options: {max_minutes: {low: 120, medium: 45, high: 15}}
        tiers:
          low: {severity: warning}

Packs are found by name in ``policies/`` (shipped with modelgov), in
packages registered under the entry point group ``modelgov.policies``, or
by path.  ``extends`` merges key by key; cycles and unknown names are
errors.  Everything a pack says is validated here, in one place, against
what the rules declare: unknown rule ids or options and wrong types exit 2
with a message that names them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import PolicyError, unknown_keys
from .findings import Severity
from .hashing import sha256
from .registry import Registry
from .resources import data_dir
from .rules.base import TIERS, Option, Rule

PACK_KEYS = {"name", "description", "extends", "rules", "custom_rules", "frameworks"}
RULE_KEYS = {"enabled", "severity", "options", "tiers"}
TIER_KEYS = {"enabled", "severity", "options"}
DEFAULT_PACK = "default"
POLICY_ENTRY_POINTS = "modelgov.policies"


class RuleSettings(NamedTuple):
    enabled: bool
    severity: Severity
    options: Mapping[str, Any]


class Policy(NamedTuple):
    """A fully resolved, validated policy."""

    name: str
    chain: tuple[str, ...]  # the packs merged, base first
    data: Mapping[str, Any]  # the merged pack (rules keyed by id)
    registry: Registry
    digest: str
    custom_rules: tuple[Any, ...] = ()

    def settings(self, rule: Rule, tier: str | None) -> RuleSettings:
        """Enabled flag, severity and options of ``rule`` for a model of ``tier``.

        A model whose tier is missing or invalid is judged with the high tier's
        settings (MG102/MG010 report the tier itself).
        """
        tier = tier if tier in TIERS else "high"
        conf = self.data.get("rules", {}).get(rule.id, {})
        over = conf.get("tiers", {}).get(tier, {})
        enabled = bool(over.get("enabled", conf.get("enabled", True)))
        sev_text = over.get("severity", conf.get("severity"))
        severity = Severity.parse(sev_text) if sev_text else rule.severity
        options: dict[str, Any] = {}
        for name, spec in rule.options.items():
            value = spec.default
            if name in conf.get("options", {}):
                value = conf["options"][name]
            if name in over.get("options", {}):
                value = over["options"][name]
            options[name] = tier_value(spec, value, tier)
        if rule.enabled_by and options.get(rule.enabled_by) is not True:
            enabled = False  # the rule's switch option is off for this tier
        return RuleSettings(enabled, severity, options)


def tier_value(spec: Option, value: Any, tier: str) -> Any:
    if spec.per_tier and isinstance(value, dict):
        if tier in value:
            return value[tier]
        if "default" in value:
            return value["default"]
        return tier_value(spec, spec.default, tier) if value is not spec.default else None
    return value


# -- loading -----------------------------------------------------------------


def builtin_pack_names() -> list[str]:
    return sorted(p.stem for p in data_dir("policies").glob("*.yaml"))


#: A pack is read up to this size, and to this many values (aliases counted each time
#: they are used): a pack named by a repository's own config is as untrusted as the
#: repository, and its data is hashed (the policy digest) and printed (rule docs).
MAX_PACK_BYTES = 4 << 20
MAX_PACK_VALUES = 100_000


def _read_yaml(path: Path, what: str) -> Any:
    """A pack's YAML, read by the bounded loader of model.yaml (:func:`modelgov.config.load_yaml`)."""
    from .config import load_yaml
    from .errors import ConfigError
    from .repoview import ReadError, read_regular_file

    if not path.is_file():
        raise PolicyError(f"{what} {path} does not exist or is not a file")
    try:
        raw = read_regular_file(str(path), MAX_PACK_BYTES)
    except ReadError as exc:
        raise PolicyError(f"{what} {path} {exc}") from None
    if len(raw) > MAX_PACK_BYTES:
        raise PolicyError(f"{what} {path} is larger than {MAX_PACK_BYTES} bytes; not read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"cannot read {what} {path}: {exc}") from None
    try:
        return load_yaml(text, f"{what} {path}", max_values=MAX_PACK_VALUES)
    except ConfigError as exc:
        raise PolicyError(str(exc)) from None


def _entry_point_pack(name: str) -> Path | None:
    from importlib.metadata import entry_points

    for ep in entry_points(group=POLICY_ENTRY_POINTS):
        if ep.name != name:
            continue
        try:
            target = ep.load()
        except Exception as exc:
            raise PolicyError(
                f"policy plug-in {ep.value!r} for pack {name!r} failed to load: {exc}"
            ) from None
        path = Path(target() if callable(target) else target)
        return path
    return None


def locate_pack(ref: str, relative_to: Path | None) -> tuple[str, Path]:
    """Find a pack by name (built-in or plug-in) or by path."""
    looks_like_path = any(s in ref for s in ("/", os.sep)) or ref.endswith((".yaml", ".yml"))
    if looks_like_path:
        path = Path(ref).expanduser()
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        return str(path), path
    builtin_path = data_dir("policies") / f"{ref}.yaml"
    if builtin_path.is_file():
        return ref, builtin_path
    plugin = _entry_point_pack(ref)
    if plugin is not None:
        return ref, plugin
    raise PolicyError(
        f"unknown policy pack {ref!r}; built-in packs: {', '.join(builtin_pack_names())} "
        "(or give a path to a YAML file)"
    )


def merge(base: Any, over: Any) -> Any:
    """Merge ``over`` onto ``base`` key by key (mappings recursively, other values replace)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return over


def _load_chain(
    ref: str, relative_to: Path | None, seen: tuple[str, ...], confine: Path | None = None
) -> tuple[dict[str, Any], list[str]]:
    label, path = locate_pack(ref, relative_to)
    if confine is not None and _is_path(ref) and not _inside(path, confine):
        raise PolicyError(
            f"policy pack {ref!r} leads outside the repository; a repository's packs may only "
            "extend packs inside it (give an outside pack with --policy)"
        )
    ident = str(path.resolve()) if path.exists() else label
    if ident in seen:
        raise PolicyError(
            f"policy packs extend each other in a cycle: {' -> '.join([*seen, ident])}"
        )
    data = _read_yaml(path, "policy pack")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(f"policy pack {label}: the top level must be a mapping")
    if problem := unknown_keys(data, PACK_KEYS):
        raise PolicyError(f"policy pack {label}: {problem}")
    return _extend(data, label, path.parent, (*seen, ident), confine)


def _is_path(ref: str) -> bool:
    return any(s in ref for s in ("/", os.sep)) or ref.endswith((".yaml", ".yml"))


def _inside(path: Path, root: Path) -> bool:
    real, top = os.path.realpath(path.expanduser()), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _extend(
    data: dict[str, Any],
    label: str,
    folder: Path | None,
    seen: tuple[str, ...],
    confine: Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    parents = data.get("extends") or []
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise PolicyError(
            f"policy pack {label}: `extends` must be a pack name, a path or a list of them"
        )
    merged: dict[str, Any] = {}
    chain: list[str] = []
    for parent in parents:
        pdata, pchain = _load_chain(parent, folder, seen, confine)
        merged = merge(merged, pdata)
        chain.extend(c for c in pchain if c not in chain)
    own = {k: v for k, v in data.items() if k != "extends"}
    if "custom_rules" in merged and "custom_rules" in own:
        own = dict(own, custom_rules=list(merged["custom_rules"]) + list(own["custom_rules"] or []))
    merged = merge(merged, own)
    chain.append(label)
    return merged, chain


def load_policy(
    ref: str | None,
    registry: Registry,
    *,
    relative_to: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    overrides_label: str = "config",
    confine: Path | None = None,
) -> Policy:
    """Resolve ``ref`` (default pack if ``None``) plus config ``overrides`` into a policy.

    ``confine``: the pack comes from a repository's own config, so it and every
    pack it extends by path must lie inside that folder.
    """
    data, chain = _load_chain(ref or DEFAULT_PACK, relative_to, (), confine)
    if overrides:
        own = {k: v for k, v in overrides.items() if k != "extends"}
        if "custom_rules" in data and "custom_rules" in own:
            # as with `extends`: a config adds custom rules to the pack's, never drops them
            own["custom_rules"] = list(data["custom_rules"] or []) + list(own["custom_rules"] or [])
        data = merge(data, own)
        chain.append(overrides_label)
    custom: list[Rule] = []
    if data.get("custom_rules"):  # jsonschema and modelgov.custom only for packs that need them
        from .custom import custom_rules_from_policy

        custom = custom_rules_from_policy(data["custom_rules"], registry, chain[-1])
        registry = registry.with_rules(custom)
    rules = normalize_rules(data.get("rules") or {}, registry, chain[-1])
    final = dict(data, rules=rules)
    if data.get("frameworks") is not None:  # an organisation's own control mappings
        from .frameworks import normalise as frameworks

        final["frameworks"] = frameworks(
            data["frameworks"],
            chain[-1],
            lambda key: rule.id if (rule := registry.resolve(key)) is not None else None,
        )
    final.setdefault("name", chain[-1])
    return Policy(
        name=str(final.get("name") or chain[-1]),
        chain=tuple(chain),
        data=final,
        registry=registry,
        digest=_digest(final),
        custom_rules=tuple(custom),
    )


def _digest(final: Mapping[str, Any]) -> str:
    raw = json.dumps(final, sort_keys=True, default=str, separators=(",", ":")).encode()
    return f"sha256:{sha256(raw).hexdigest()}"


class Selection(NamedTuple):
    """``--select`` / ``--ignore``: which rules run, decided after the config (as in ruff).

    Each entry is a rule id (``MG131``), an id prefix (``MG2``, ``MG13``), a rule
    name (``rollback-too-slow``) or ``ALL``.  ``select`` (when given) is the set
    of rules that run -- for every risk tier, whatever the pack enabled -- and
    ``ignore`` takes rules out of it.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.select is not None or bool(self.ignore)


def matching_rules(registry: Registry, entry: str, option: str) -> list[Rule]:
    """The rules ``entry`` names; a usage error (with "did you mean") when it names none."""
    from .errors import UsageError, did_you_mean

    key = entry.strip()
    if key.upper() == "ALL":
        return list(registry)
    exact = registry.resolve(key)
    if exact is not None:
        return [exact]
    found = [r for r in registry if r.id.upper().startswith(key.upper())]
    if not found:
        known = [r.id for r in registry] + [r.name for r in registry]
        raise UsageError(
            f"{option} {entry}: no rule has this id, id prefix or name{did_you_mean(key, known)}"
            " (`modelgov rules` lists them)"
        )
    return found


def apply_selection(policy: Policy, selection: Selection) -> Policy:
    """``policy`` with the rules ``selection`` leaves out turned off and those it selects
    on, at every tier; the digest and chain say the command line chose."""
    if not selection:
        return policy
    registry = policy.registry
    if selection.select is None:
        chosen = {r.id for r in registry}
    else:
        chosen = {r.id for e in selection.select for r in matching_rules(registry, e, "--select")}
    chosen -= {r.id for e in selection.ignore for r in matching_rules(registry, e, "--ignore")}
    rules: dict[str, Any] = {}
    for rule in registry:
        conf = dict(policy.data.get("rules", {}).get(rule.id, {}))
        on = rule.id in chosen
        if selection.select is not None or not on:
            conf["enabled"] = on
            tiers = conf.get("tiers") or {}
            conf["tiers"] = {
                t: dict(v, enabled=on) if "enabled" in v else v for t, v in tiers.items()
            }
            if not conf["tiers"]:
                del conf["tiers"]
        if conf:
            rules[rule.id] = conf
    final = dict(policy.data, rules=rules)
    words = []
    if selection.select is not None:
        words.append("--select " + ",".join(selection.select))
    if selection.ignore:
        words.append("--ignore " + ",".join(selection.ignore))
    return policy._replace(
        chain=(*policy.chain, " ".join(words)), data=final, digest=_digest(final)
    )


def normalize_rules(raw: Any, registry: Registry, where: str) -> dict[str, Any]:
    """Validate a ``rules:`` mapping and key it by rule id."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: `rules` must be a mapping of rule id to settings")
    out: dict[str, Any] = {}
    for key, conf in raw.items():
        rule = registry.resolve(str(key))
        if rule is None:
            raise PolicyError(
                f"{where}: unknown rule {key!r} (see `modelgov rules`; a plug-in rule "
                "needs the package that provides it installed)"
            )
        if conf is None:
            conf = {}
        if isinstance(conf, bool):
            conf = {"enabled": conf}
        if not isinstance(conf, dict):
            raise PolicyError(
                f"{where}: rules.{key} must be a mapping (enabled, severity, options, tiers)"
            )
        if problem := unknown_keys(conf, RULE_KEYS, noun="setting"):
            raise PolicyError(f"{where}: rules.{key}: {problem}")
        _check_block(conf, rule, f"{where}: rules.{key}")
        tiers = conf.get("tiers", {})
        if not isinstance(tiers, dict):
            raise PolicyError(f"{where}: rules.{key}.tiers must be a mapping of tier to settings")
        for tier, tconf in tiers.items():
            if tier not in TIERS:
                raise PolicyError(
                    f"{where}: rules.{key}.tiers: unknown tier {tier!r} (low, medium, high)"
                )
            if not isinstance(tconf, dict) or set(tconf) - TIER_KEYS:
                raise PolicyError(
                    f"{where}: rules.{key}.tiers.{tier} must be a mapping of enabled, severity, options"
                )
            _check_block(tconf, rule, f"{where}: rules.{key}.tiers.{tier}", in_tier=True)
        target = out.setdefault(rule.id, {})
        out[rule.id] = merge(target, conf)
    return out


def _check_block(conf: dict[str, Any], rule: Rule, where: str, *, in_tier: bool = False) -> None:
    if "enabled" in conf and not isinstance(conf["enabled"], bool):
        raise PolicyError(f"{where}.enabled must be true or false")
    if "severity" in conf:
        try:
            Severity.parse(str(conf["severity"]))
        except ValueError as exc:
            raise PolicyError(f"{where}.severity: {exc}") from None
    options = conf.get("options", {})
    if not isinstance(options, dict):
        raise PolicyError(f"{where}.options must be a mapping")
    for name, value in options.items():
        spec = rule.options.get(str(name))
        if spec is None:
            known = ", ".join(sorted(rule.options)) or "none"
            raise PolicyError(
                f"{where}: unknown option {name!r} for {rule.id} ({rule.name}); options: {known}"
            )
        check_option_value(spec, value, f"{where}.options.{name}", allow_tiers=not in_tier)


_TYPE_WORDS = {
    "int": "an integer",
    "days": "a whole number of days",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "list[str]": "a list of strings",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind in ("int", "days"):
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (kind != "days" or value >= 0)
        )
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def check_option_value(spec: Option, value: Any, where: str, *, allow_tiers: bool = True) -> None:
    if spec.per_tier and allow_tiers and isinstance(value, dict):
        for tier, sub in value.items():
            if tier not in (*TIERS, "default"):
                raise PolicyError(f"{where}: unknown tier {tier!r} (low, medium, high or default)")
            check_option_value(spec, sub, f"{where}.{tier}", allow_tiers=False)
        return
    if not _type_ok(spec.type, value):
        extra = " (or a mapping of tier to value)" if spec.per_tier and allow_tiers else ""
        raise PolicyError(f"{where} must be {_TYPE_WORDS[spec.type]}{extra}, not {value!r}")
    if spec.choices and value not in spec.choices:
        raise PolicyError(f"{where} must be one of {', '.join(spec.choices)}, not {value!r}")
    if spec.type == "list[str]" and "pattern" in where:
        import re

        for pat in value:
            try:
                re.compile(pat)
            except re.error as exc:
                raise PolicyError(f"{where}: invalid regular expression {pat!r}: {exc}") from None


def describe(policy: Policy, rules: Sequence[Rule]) -> dict[str, Any]:
    """A summary for reports: name, chain and digest."""
    return {
        "name": policy.name,
        "chain": list(policy.chain),
        "digest": policy.digest,
        "rules": len(rules),
    }

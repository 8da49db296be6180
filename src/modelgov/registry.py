"""The rule registry: built-in rules plus plug-ins, looked up by id or name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from .errors import PluginError
from .rules.base import Rule, rule_from_module

ENTRY_POINT_GROUP = "modelgov.rules"


@dataclass(frozen=True)
class Registry:
    rules: Mapping[str, Rule]  # id -> rule, in id order

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def resolve(self, key: str) -> Rule | None:
        """A rule by id (``MG201``) or name (``rollback-drill-overdue``), any case."""
        wanted = key.strip()
        rule = self.rules.get(wanted.upper())
        if rule is not None:
            return rule
        for rule in self.rules.values():
            if rule.name == wanted.lower():
                return rule
        return None

    def with_rules(self, extra: Iterable[Rule]) -> Registry:
        merged = dict(self.rules)
        for rule in extra:
            clash = merged.get(rule.id) or self.resolve(rule.name)
            if clash is not None:
                raise PluginError(
                    f"rule {rule.id} ({rule.name}) from {rule.origin} collides with "
                    f"{clash.id} ({clash.name}) from {clash.origin}; rule ids and names must be unique"
                )
            merged[rule.id] = rule
        return Registry(dict(sorted(merged.items())))


@cache
def builtin() -> Registry:
    from .rules import BUILTIN_MODULES

    return Registry({}).with_rules(rule_from_module(m) for m in BUILTIN_MODULES)


def plugin_rules() -> list[Rule]:
    """Rules from installed packages (entry point group ``modelgov.rules``).

    A plug-in that fails to import or declares a bad rule stops the run with
    an error naming the package: never a silent skip.
    """
    from importlib.metadata import entry_points

    rules: list[Rule] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = getattr(ep, "dist", None)
        origin = f"{dist.name if dist else '?'} (entry point {ep.name} = {ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:
            raise PluginError(
                f"rule plug-in {origin} failed to import: {type(exc).__name__}: {exc}"
            ) from None
        modules = obj if isinstance(obj, (list, tuple)) else [obj]
        for module in modules:
            try:
                rules.append(rule_from_module(module, origin=origin))
            except ValueError as exc:
                raise PluginError(f"rule plug-in {origin} declares a bad rule: {exc}") from None
    return rules


@cache
def full() -> Registry:
    """Built-in rules plus every installed plug-in rule."""
    return builtin().with_rules(plugin_rules())

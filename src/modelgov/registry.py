"""The rule registry: built-in rules plus plug-ins, looked up by id or name."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache

from .errors import PluginError
from .rules.base import Rule, rule_from_module

ENTRY_POINT_GROUP = "modelgov.rules"
RESERVED_PREFIX = "MG"  # built-in rule ids; plug-ins and custom rules use their own


class Registry:
    """Rules by id, in id order (immutable by convention: ``with_rules`` copies)."""

    __slots__ = ("rules",)

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.rules = rules

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
    from .rules import BUILTIN

    return Registry({}).with_rules(rule_from_module(m) for m in BUILTIN.values())


#: modelgov's own entry point (pyproject.toml): the built-in rules register
#: through the same group as plug-ins do, but :func:`builtin` imports them
#: directly, so discovery skips this one by its value.
BUILTIN_ENTRY_POINT = "modelgov.rules:BUILTIN_MODULES"


def _declares_plugins(group: str, path: Sequence[str]) -> bool:
    """Cheap pre-scan: may an installed distribution declare an entry point in ``group``?

    ``importlib.metadata`` costs about 15 ms to import on every hook run (it
    pulls in ``email``, ``zipfile`` and ``csv``), while almost every
    installation has no plug-in at all.  This reads the ``entry_points.txt``
    of each ``*.dist-info``/``*.egg-info`` folder on ``path`` (about 1 ms for
    a few hundred distributions) and answers ``False`` only when none names
    ``group`` with anything but modelgov's own built-in entry point.  Where it
    cannot tell (a zip archive on ``sys.path``), it answers ``True`` and the
    real scan decides: a plug-in is never skipped because of this shortcut.
    """
    header = f"[{group}]"
    for entry in path:
        folder = entry or "."
        if os.path.isfile(folder):
            return True  # a zip archive (zipapp, egg): let importlib.metadata look inside
        try:
            listing = os.scandir(folder)
        except OSError:
            continue
        with listing:
            for item in listing:
                if not item.name.endswith((".dist-info", ".egg-info")):
                    continue
                try:
                    with open(os.path.join(item.path, "entry_points.txt"), encoding="utf-8") as fh:
                        text = fh.read()
                except (OSError, UnicodeDecodeError):
                    continue
                if header in text and _names_other_than_builtin(text, header):
                    return True
    return False


def _names_other_than_builtin(text: str, header: str) -> bool:
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == header
            continue
        is_entry = inside and "=" in line and not line.startswith(("#", ";"))
        if is_entry and line.split("=", 1)[1].strip() != BUILTIN_ENTRY_POINT:
            return True
    return False


def plugin_rules() -> list[Rule]:
    """Rules from installed packages (entry point group ``modelgov.rules``).

    An entry point names a rule module or a list/tuple of rule modules.  A
    plug-in that fails to import or declares a bad rule stops the run with
    an error naming the package: never a silent skip.
    """
    if not _declares_plugins(ENTRY_POINT_GROUP, sys.path):
        return []
    from importlib.metadata import entry_points

    rules: list[Rule] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        if ep.value.replace(" ", "") == BUILTIN_ENTRY_POINT:
            continue
        dist = getattr(ep, "dist", None)
        package = dist.name if dist is not None else "an unknown package"
        origin = f"{package} (entry point {ep.name} = {ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:
            raise PluginError(
                f"rule plug-in {origin} failed to import: {type(exc).__name__}: {exc}"
            ) from None
        modules = obj if isinstance(obj, (list, tuple)) else [obj]
        if not modules:
            raise PluginError(f"rule plug-in {origin} declares no rule module")
        for module in modules:
            try:
                rule = rule_from_module(module, origin=origin)
            except ValueError as exc:
                raise PluginError(f"rule plug-in {origin} declares a bad rule: {exc}") from None
            if rule.id.startswith(RESERVED_PREFIX):
                raise PluginError(
                    f"rule plug-in {origin} declares a bad rule: id {rule.id} uses the prefix "
                    f"{RESERVED_PREFIX}, which is reserved for modelgov's own rules"
                )
            rules.append(rule)
    return rules


@cache
def full() -> Registry:
    """Built-in rules plus every installed plug-in rule."""
    return builtin().with_rules(plugin_rules())

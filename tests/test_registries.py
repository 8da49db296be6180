"""The registries every list is derived from: rules, check reporters, audit renderers."""

from __future__ import annotations

import importlib
import inspect

from modelgov import checkargs
from modelgov.audit import cli as audit_cli
from modelgov.audit.render import RENDERERS
from modelgov.registry import builtin
from modelgov.reporters import REPORTERS
from modelgov.rules import BUILTIN, BUILTIN_MODULES


def test_the_rule_table_is_keyed_by_each_rule_id() -> None:
    assert list(BUILTIN) == sorted(BUILTIN)
    for rule_id, module in BUILTIN.items():
        assert rule_id == module.ID, module
        assert module.__name__.split(".")[-1].startswith(rule_id.lower() + "_")
    assert [r.id for r in builtin()] == list(BUILTIN)
    assert tuple(BUILTIN.values()) == BUILTIN_MODULES


def test_every_reporter_and_renderer_renders() -> None:
    for table in (REPORTERS, RENDERERS):
        for name, path in table.items():
            render = importlib.import_module(path).render
            params = inspect.signature(render).parameters
            assert list(params)[1:] == ["color"], (name, list(params))
            assert params["color"].kind is inspect.Parameter.KEYWORD_ONLY


def test_format_choices_come_from_the_registries() -> None:
    assert ("auto", *REPORTERS) == checkargs.FORMAT_NAMES
    assert tuple(audit_cli.AUDIT_FORMATS) == tuple(RENDERERS)

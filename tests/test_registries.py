"""The registries every list is derived from: rules, check reporters, audit renderers."""

from __future__ import annotations

import importlib
import inspect

from modelgov.audit.render import RENDERERS
from modelgov.cli import options
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
            # the text format also takes -q and --statistics (keyword-only, defaulted)
            extra = ["quiet", "statistics"] if (table, name) == (REPORTERS, "text") else []
            assert list(params)[1:] == ["color", *extra], (name, list(params))
            for key in ("color", *extra):
                assert params[key].kind is inspect.Parameter.KEYWORD_ONLY
                assert params[key].default is False


def test_format_choices_come_from_the_registries() -> None:
    assert ("auto", *REPORTERS) == options.choices_of(options.CHECK_FORMAT)
    assert tuple(RENDERERS) == options.choices_of(options.AUDIT_FORMAT)


def test_the_checked_tables_name_every_registered_format() -> None:
    """The literal tables mypy reads (``CHECKED``) list the same formats as the registries."""
    import ast
    from pathlib import Path

    import modelgov.audit.render as renderers
    import modelgov.reporters as reporters

    for module, table in ((reporters, REPORTERS), (renderers, RENDERERS)):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        checked = next(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "CHECKED"
        )
        assert isinstance(checked, ast.Dict)
        assert [ast.literal_eval(k) for k in checked.keys if k is not None] == list(table)

"""Docs from code: docs/rules.md is generated from the registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from modelgov import docs
from modelgov.registry import builtin
from modelgov.rules.base import doc_sections

RULES_MD = ROOT / "docs" / "rules.md"


def test_rules_md_is_up_to_date() -> None:
    current = RULES_MD.read_text(encoding="utf-8") if RULES_MD.is_file() else ""
    assert current == docs.render(), (
        "docs/rules.md is stale: run `python -m modelgov.docs --write` and commit it"
    )


def test_every_rule_has_its_page_with_examples() -> None:
    text = docs.render()
    for rule in builtin():
        page = text.split(f"\n## {rule.id} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        sections = doc_sections(rule.doc)
        assert f"**{sections['summary']}**" in page.replace("\\|", "|")
        assert "| minimal |" in page and "| default |" in page and "| strict |" in page
        for title in ("Fails", "Passes"):
            assert sections.get(title), f"{rule.id} has no {title} example in its docstring"
            assert f"{title}:\n\n```" in page
            assert sections[title].rstrip() in page
        for option in rule.options:
            assert f"| `{option}` |" in page


def test_pack_settings_show_per_tier() -> None:
    text = docs.render()
    mg121 = text.split("\n## MG121 ", 1)[1].split("\n## ", 1)[0]
    assert (
        "| `required` | bool per tier | false / false / true | false / false / true | false / false / true | false / true / true |"
        in mg121
    )
    mg131 = text.split("\n## MG131 ", 1)[1].split("\n## ", 1)[0]
    assert "| minimal | off | off | off |" in mg131
    assert "| strict | error | error | error |" in mg131
    mg161 = text.split("\n## MG161 ", 1)[1].split("\n## ", 1)[0]
    assert "| default | warning | warning | warning |" in mg161
    assert "| strict | error | error | error |" in mg161


def test_check_and_write(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    out.write_text("# old\n", encoding="utf-8")
    assert docs.main(["--check", "--output", str(out)]) == 1
    assert docs.main(["--write", "--output", str(out)]) == 0
    assert docs.main(["--check", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == docs.render()

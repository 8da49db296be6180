"""docs/audit.md shows what modelgov prints for the example organisation.

The blocks marked ``<!-- output: NAME -->`` in docs/audit.md are the output
of the documented commands on the organisation docs/examples/audit-org/
build.py makes; this test builds it, runs them, and fails when a block is
stale.  ``python -m pytest tests/test_audit_docs.py --update-goldens``
rewrites the blocks (then review ``git diff docs/audit.md``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from conftest import ROOT, run_cli

DOC = ROOT / "docs" / "audit.md"
BUILD = ROOT / "docs" / "examples" / "audit-org" / "build.py"
BLOCK = re.compile(
    r"(<!-- output: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(\n<!-- end output -->)", re.S
)


def _build(dest: Path, later: bool) -> None:
    spec = importlib.util.spec_from_file_location("audit_org_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dest, later)


def _outputs(tmp_path: Path) -> dict[str, str]:
    nov, mar = tmp_path / "nov", tmp_path / "mar"
    _build(nov, later=False)
    _build(mar, later=True)
    first = run_cli("audit", "acme", "--today", "2026-11-30", "--jobs", "1",
                    "--output", f"json={tmp_path / '2026-11.json'}", cwd=nov)  # fmt: skip
    assert first.exit_code == 1, first.stderr
    second = run_cli("audit", "acme", "--today", "2027-03-01", "--jobs", "1", "--format",
                     "markdown", "--output", f"json={tmp_path / '2027-03.json'}", cwd=mar)  # fmt: skip
    assert second.exit_code == 1, second.stderr
    eu = second.stdout.split("#### EU AI Act", 1)[1].split("\n#### ", 1)[0]
    diff = run_cli("audit", "diff", "2026-11.json", "2027-03.json", cwd=tmp_path)
    assert diff.exit_code == 1  # the search ranker got worse
    return {
        "framework-view": ("#### EU AI Act" + eu).rstrip(),
        "diff": "```text\n" + diff.stdout.rstrip() + "\n```",
    }


def test_the_documented_outputs_are_current(tmp_path: Path, update_goldens: bool) -> None:
    outputs = _outputs(tmp_path)
    text = DOC.read_text(encoding="utf-8")
    names = [m.group("name") for m in BLOCK.finditer(text)]
    assert sorted(names) == sorted(outputs), names
    if update_goldens:
        new = BLOCK.sub(lambda m: m.group(1) + outputs[m.group("name")] + m.group(4), text)
        DOC.write_text(new, encoding="utf-8")
        return
    for m in BLOCK.finditer(text):
        assert m.group("body") == outputs[m.group("name")], (
            f"docs/audit.md block {m.group('name')!r} is stale: run "
            "python -m pytest tests/test_audit_docs.py --update-goldens"
        )
    # and the diff says what the story says
    diff = outputs["diff"]
    assert "| Art. 14 | Human oversight |" in outputs["framework-view"]
    assert "Newly failing (1):\n  acme/search/ranking model.yaml  pass -> fail  +MG131" in diff
    assert "Fixed (1):\n  acme/growth/churn model.yaml  fail -> pass" in diff
    assert "Added (1):\n  acme/research/lab experiments/model.yaml  (absent) -> pass" in diff

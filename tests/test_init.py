"""`modelgov init` then `modelgov check`: a fresh skeleton fails, naming every field a
person still has to fill in, and passes once they are filled in (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import run_cli
from modelgov.document import join_pointer
from modelgov.rules import mg103_placeholder

#: What a person must fill in, and the rule that says so.
TO_FILL = {
    ("MG103", "/description"),
    ("MG103", "/owner/team"),
    ("MG103", "/on_call/rotation"),
    ("MG103", "/on_call/escalation"),
    ("MG103", "/drift/alert_route"),
    ("MG103", "/deploy/approvers/0/email"),
    ("MG103", "/deploy/approvers/1/email"),
    ("MG133", "/rollback/preserves_data"),
    ("MG130", "/rollback/last_tested"),
    ("MG200", "/review/last_reviewed"),
    ("MG200", "/review/reviewed_by"),
    ("MG160", "/on_call/runbook"),  # the runbook it names must be written
    ("MG160", "/rollback/procedure"),
}


def _blanks(value: Any, pointer: str = "") -> set[str]:
    """Pointers of the values still to fill in: empty, or holding init's marker."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in _blanks(v, join_pointer(pointer, k))}
    if isinstance(value, list):
        return {p for i, v in enumerate(value) for p in _blanks(v, join_pointer(pointer, i))}
    if value is None or (isinstance(value, str) and mg103_placeholder.INIT_MARKER in value):
        return {pointer}
    return set()


def _init(make_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Dana Okafor\n\temail = dana.okafor@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    repo = make_repo()
    result = run_cli("init", str(repo.path), cwd=repo.path)  # risk_tier: medium
    assert result.exit_code == 0, result.stderr
    assert "fill in every TODO and empty field" in result.stdout
    return repo


def test_a_fresh_skeleton_fails_naming_every_field_to_fill_in(
    make_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _init(make_repo, tmp_path, monkeypatch)
    text = (repo.path / "model.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # it claims no review and no drill that never happened
    assert data["review"] == {"last_reviewed": None, "reviewed_by": None}
    assert data["rollback"]["last_tested"] is None
    assert "2026-11-30" not in text.split("\n", 3)[3]  # only the header says when it was written
    check = run_cli("check", str(repo.path), "--format", "json", cwd=repo.path)
    assert check.exit_code == 1, check.stdout
    findings = json.loads(check.stdout)["findings"]
    errors = {(f["rule"], f["pointer"]) for f in findings if f["severity"] == "error"}
    assert errors == TO_FILL, sorted(errors ^ TO_FILL)
    # every blank or TODO of the file is among them
    assert _blanks(data) <= {p for _, p in TO_FILL}
    assert not [f for f in findings if f["rule"] == "MG010"]  # one problem, one finding


def test_init_writes_only_markers_the_placeholder_rule_knows() -> None:
    default = mg103_placeholder.OPTIONS["markers"].default
    assert mg103_placeholder.INIT_MARKER in default


def test_filled_in_it_passes(
    make_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _init(make_repo, tmp_path, monkeypatch)
    path = repo.path / "model.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("TODO one or two sentences on what the model decides and for whom.", "Scores checkouts."),
        ("TODO-team", "payments-ml"),
        ("TODO-primary-rotation", "payments-ml-primary"),
        ("TODO-secondary-rotation", "payments-ml-secondary"),
        ("TODO-product@example.com", "priya.natarajan@example.com"),
        ("TODO-reliability@example.com", "ops-lead@example.com"),
        ("  preserves_data:  ", "  preserves_data: true"),
        ("  last_tested:     ", "  last_tested: 2026-11-20"),
        ("  last_reviewed:   ", "  last_reviewed: 2026-11-25"),
        ("  reviewed_by:     ", "  reviewed_by: dana.okafor@example.com"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    repo.write("docs/runbook.md", "# Runbook\n")
    repo.write("src/score.py", "def score(x):\n    return x\n")
    check = run_cli("check", str(repo.path), cwd=repo.path)
    assert check.exit_code == 0, check.stdout

"""The policy digest is in every report format; custom rules show in rules and explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BROKEN, run_cli
from modelgov.reporters import FORMATS

PACK = """\
name: house
extends: default
rules:
  MG161: {severity: error}
custom_rules:
  - id: HOUSE001
    name: description-required
    message: a model says what it does in `description`
    severity: warning
    hint: Add a one-line description.
    require: {required: [description]}
    pointer: /name
    fails: "name: churn"
    passes: "name: churn\\ndescription: Predicts churn."
"""


def _digest(pack: Path) -> str:
    report = json.loads(
        run_cli("check", str(BROKEN), "--policy", str(pack), "--format", "json").stdout
    )
    (target,) = report["targets"]
    digest = target["policy"]["digest"]
    assert isinstance(digest, str) and digest.startswith("sha256:") and len(digest) == 71
    return digest


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_the_digest(tmp_path: Path, fmt: str) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK, encoding="utf-8")
    digest = _digest(pack)
    result = run_cli("check", str(BROKEN), "--policy", str(pack), "--format", fmt)
    assert result.exit_code == 1, result.stderr
    assert digest[:19] in result.stdout, f"--format {fmt} does not name the policy digest"
    assert "house" in result.stdout


def test_the_digest_follows_the_policy(tmp_path: Path) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK, encoding="utf-8")
    first = _digest(pack)
    assert _digest(pack) == first
    pack.write_text(
        PACK.replace("MG161: {severity: error}", "MG161: {severity: note}"), encoding="utf-8"
    )
    assert _digest(pack) != first


def test_rules_and_explain_show_custom_rules(tmp_path: Path) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK, encoding="utf-8")
    rules = run_cli("rules", "--policy", str(pack))
    assert rules.exit_code == 0, rules.stderr
    assert rules.stdout.startswith(f"Rules under policy house ({_digest(pack)[:19]})")
    line = next(ln for ln in rules.stdout.splitlines() if ln.startswith("HOUSE001"))
    assert "description-required" in line and "warning/warning/warning" in line
    listed = json.loads(run_cli("rules", "--policy", str(pack), "--format", "json").stdout)
    custom = next(r for r in listed["rules"] if r["id"] == "HOUSE001")
    assert custom["origin"] == str(pack)
    explain = run_cli("explain", "description-required", "--policy", str(pack))
    assert explain.exit_code == 0, explain.stderr
    assert explain.stdout.startswith("HOUSE001 description-required (default severity: warning")
    assert "Fails:\n    name: churn\n" in explain.stdout
    assert "Passes:\n    name: churn\n    description: Predicts churn.\n" in explain.stdout
    assert "Fix: Add a one-line description." in explain.stdout
    # Without the pack the custom rule does not exist.
    assert run_cli("explain", "HOUSE001").exit_code == 2

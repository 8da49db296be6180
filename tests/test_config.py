"""Config discovery and validation: one place, clear messages, exit 2."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import COMPLIANT, run_cli


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(COMPLIANT, target)
    return target


def test_config_found_by_walking_up(model_dir: Path) -> None:
    sub = model_dir / "models" / "fraud"
    sub.mkdir(parents=True)
    shutil.move(str(model_dir / "model.yaml"), sub / "model.yaml")
    (sub / "model.yaml").write_text(
        (sub / "model.yaml").read_text().replace("docs/", "../../docs/")
    )
    subprocess.run(["git", "init", "-q", str(model_dir)], check=True)  # the root stops the walk
    (model_dir / ".modelgov.yaml").write_text(
        "rules:\n  MG131:\n    options:\n      max_minutes: 10\n"
    )
    result = run_cli("check", str(sub / "model.yaml"))
    assert result.exit_code == 1, result.stdout
    assert "MG131 rollback takes 15 minutes; the limit for a high-risk model is 10" in result.stdout


def test_pyproject_tool_table(model_dir: Path) -> None:
    (model_dir / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.modelgov]\npolicy = "strict"\nfail_on = "warning"\n'
    )
    result = run_cli("check", str(model_dir), "--format", "json")
    assert '"name": "strict"' in result.stdout


def test_explicit_config_overrides_discovery(model_dir: Path, tmp_path: Path) -> None:
    (model_dir / ".modelgov.yaml").write_text("rules:\n  MG131: {options: {max_minutes: 5}}\n")
    other = tmp_path / "org.yaml"
    other.write_text("policy: default\n")
    assert run_cli("check", str(model_dir)).exit_code == 1
    assert run_cli("check", str(model_dir), "--config", str(other)).exit_code == 0


def test_policy_file_extending_a_pack(model_dir: Path, tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        "name: acme\nextends: default\nrules:\n  rollback-drill-overdue:\n"
        "    tiers:\n      high: {options: {max_age_days: 30}}\n"
    )
    result = run_cli("check", str(model_dir), "--policy", str(pack))
    assert result.exit_code == 1
    assert "MG201 the last rollback drill was 49 days ago" in result.stdout
    assert "policy acme" in result.stdout


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("rules:\n  MG999: {enabled: false}\n", "unknown rule 'MG999'"),
        ("rules:\n  MG131: {options: {max_mins: 3}}\n", "unknown option 'max_mins' for MG131"),
        ("rules:\n  MG131: {options: {max_minutes: fast}}\n", "max_minutes must be an integer"),
        ("rules:\n  MG131: {options: {max_minutes: {urgent: 3}}}\n", "unknown tier 'urgent'"),
        ("rules:\n  MG131: {severity: fatal}\n", "unknown severity 'fatal'"),
        ("rules:\n  MG131: {enabled: maybe}\n", "enabled must be true or false"),
        ("rules:\n  MG131: {tiers: {critical: {}}}\n", "unknown tier 'critical'"),
        ("rules:\n  MG131: {colour: red}\n", "unknown setting(s) colour"),
        ("polcy: default\n", "unknown key(s) polcy"),
        ("fail_on: sometimes\n", "`fail_on` must be one of"),
        ("policy: nonesuch\n", "unknown policy pack 'nonesuch'"),
        ("rules: [1, 2]\n", "`rules` must be a mapping"),
        ("rules: {MG131: {options: {max_minutes: 1}}\n", "is not valid YAML"),
    ],
)
def test_bad_config_exits_2_naming_the_problem(model_dir: Path, config: str, message: str) -> None:
    (model_dir / ".modelgov.yaml").write_text(config)
    result = run_cli("check", str(model_dir))
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_extends_cycle_is_an_error(model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: ./b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: ./a.yaml\n")
    result = run_cli("check", str(model_dir), "--policy", str(tmp_path / "a.yaml"))
    assert result.exit_code == 2
    assert "cycle" in result.stderr


def test_rules_can_be_named_by_slug_and_turned_off(model_dir: Path) -> None:
    (model_dir / "model.yaml").write_text(
        (model_dir / "model.yaml").read_text().replace("max_minutes: 15", "max_minutes: 300")
    )
    assert run_cli("check", str(model_dir)).exit_code == 1
    (model_dir / ".modelgov.yaml").write_text("rules:\n  rollback-too-slow: false\n")
    assert run_cli("check", str(model_dir)).exit_code == 0


def test_severity_per_tier_and_fail_on(model_dir: Path) -> None:
    (model_dir / "model.yaml").write_text(
        (model_dir / "model.yaml").read_text().replace("max_minutes: 15", "max_minutes: 45")
    )
    (model_dir / ".modelgov.yaml").write_text(
        "rules:\n  MG131:\n    tiers:\n      high: {severity: warning}\n"
    )
    result = run_cli("check", str(model_dir))
    assert result.exit_code == 0
    assert "warning MG131" in result.stdout
    assert run_cli("check", str(model_dir), "--fail-on", "warning").exit_code == 1
    (model_dir / ".modelgov.yaml").write_text(
        "fail_on: warning\nrules:\n  MG131:\n    tiers:\n      high: {severity: warning}\n"
    )
    assert run_cli("check", str(model_dir)).exit_code == 1
    assert run_cli("check", str(model_dir), "--fail-on", "never").exit_code == 0


def test_exclude_globs(model_dir: Path) -> None:
    legacy = model_dir / "legacy" / "old"
    legacy.mkdir(parents=True)
    (legacy / "model.yaml").write_text("name: old\n")
    assert run_cli("check", str(model_dir)).exit_code == 1
    (model_dir / ".modelgov.yaml").write_text("exclude: ['legacy/**']\n")
    assert run_cli("check", str(model_dir)).exit_code == 0


def test_config_outside_git_is_found_in_a_parent_folder(tmp_path: Path) -> None:
    (tmp_path / ".modelgov.yaml").write_text("rules:\n  MG131: {options: {max_minutes: 10}}\n")
    shutil.copytree(COMPLIANT, tmp_path / "a" / "b")
    result = run_cli("check", str(tmp_path / "a" / "b"))
    assert result.exit_code == 1
    assert "the limit for a high-risk model is 10" in result.stdout

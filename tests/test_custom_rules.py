"""Declarative custom rules in packs: validation, collisions, extends, located findings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import COMPLIANT, run_cli
from modelgov.errors import PolicyError
from modelgov.policy import load_policy
from modelgov.registry import builtin

RULE = """\
  - id: ACME001
    name: high-risk-two-input-monitors
    message: high-risk models need two input-distribution monitors
    when: {required: [risk_tier], properties: {risk_tier: {const: high}}}
    require:
      properties:
        drift:
          properties:
            monitors:
              contains: {properties: {signal: {const: input_distribution}}}
              minContains: 2
"""


def _pack(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("  - {id: MG900, message: m, require: {}}\n", "prefix MG, which is reserved"),
        (
            "  - {id: ACME1, name: schema, message: m, require: {}}\n",
            "collides with an existing rule",
        ),
        ("  - {id: ACME1, name: mg131, message: m, require: {}}\n", "collides"),
        (
            "  - {id: ACME1, message: m, require: {}}\n  - {id: ACME1, message: n, require: {}}\n",
            "collides",
        ),
        ("  - {id: acme1, message: m, require: {}}\n", "must look like ACME001"),
        ("  - {id: ACME1, require: {}}\n", "`message` is required"),
        ("  - {id: ACME1, message: m}\n", "`require` (a JSON Schema) is required"),
        (
            "  - {id: ACME1, message: m, require: {type: 12}}\n",
            "`require` is not a valid JSON Schema",
        ),
        (
            "  - {id: ACME1, message: m, require: {}, when: {minimum: x}}\n",
            "`when` is not a valid JSON Schema",
        ),
        ("  - {id: ACME1, message: m, require: {}, pointer: drift}\n", "must be a JSON pointer"),
        ("  - {id: ACME1, message: m, require: {}, severity: fatal}\n", "unknown severity 'fatal'"),
        ("  - {id: ACME1, message: m, require: {}, colour: red}\n", "unknown key(s) colour"),
    ],
)
def test_bad_custom_rules_are_policy_errors(
    tmp_path: Path, custom: str, message: str | None
) -> None:
    pack = _pack(tmp_path, "extends: default\ncustom_rules:\n" + custom)
    with pytest.raises(PolicyError) as err:
        load_policy(str(pack), builtin())
    assert message in str(err.value)
    assert str(pack) in str(err.value)


def test_a_collision_with_a_builtin_id_exits_2(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path,
        "custom_rules:\n  - {id: ACME1, name: rollback-too-slow, message: m, require: {}}\n",
    )
    result = run_cli("check", str(COMPLIANT), "--policy", str(pack))
    assert result.exit_code == 2
    assert (
        "custom rule ACME1 (rollback-too-slow) collides with an existing rule id or name"
        in result.stderr
    )


def test_custom_rules_add_up_through_extends_and_config(tmp_path: Path) -> None:
    base = _pack(tmp_path, "extends: default\ncustom_rules:\n" + RULE, "base.yaml")
    child = _pack(
        tmp_path,
        "extends: ./base.yaml\ncustom_rules:\n  - {id: ACME002, message: name it, require: {required: [name]}}\n",
        "child.yaml",
    )
    policy = load_policy(
        str(child),
        builtin(),
        overrides={"custom_rules": [{"id": "ACME003", "message": "m", "require": {}}]},
    )
    assert [r.id for r in policy.custom_rules] == ["ACME001", "ACME002", "ACME003"]
    assert policy.chain[0] == "default" and policy.chain[1] == str(base)
    # A custom rule is configured like any other, by id or name.
    tuned = _pack(
        tmp_path,
        "extends: ./base.yaml\nrules:\n  high-risk-two-input-monitors:\n    tiers: {high: {severity: warning}}\n",
        "tuned.yaml",
    )
    rule = load_policy(str(tuned), builtin()).registry.resolve("ACME001")
    assert rule is not None
    assert load_policy(str(tuned), builtin()).settings(rule, "high").severity.label == "warning"


def test_a_custom_rule_finding_is_located(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    (repo / "model.yaml").write_text(text, encoding="utf-8")
    pack = _pack(
        tmp_path, "extends: default\nrules: {MG160: false, MG161: false}\ncustom_rules:\n" + RULE
    )
    result = run_cli("check", ".", "--policy", str(pack), cwd=repo)
    assert result.exit_code == 1, result.stdout + result.stderr
    # No pointer declared: the finding stands where jsonschema blames, /drift/monitors.
    line = next(ln for ln in result.stdout.splitlines() if "ACME001" in ln)
    monitors_line = text.splitlines().index("  monitors:") + 2
    assert line.startswith(f"model.yaml:{monitors_line}:5: error ACME001 high-risk models need two")
    # The rule applies to high risk only.
    (repo / "model.yaml").write_text(
        text.replace("risk_tier: high", "risk_tier: medium"), encoding="utf-8"
    )
    medium = run_cli("check", str(repo), "--policy", str(pack))
    assert "ACME001" not in medium.stdout

"""`modelgov policy test`: pass/fail per case, diffs, coverage, exit codes, bad case files."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import COMPLIANT, run_cli
from modelgov.findings import Severity
from modelgov.policy import load_policy
from modelgov.policytest import Runner, collect, coverage
from modelgov.registry import builtin
from modelgov.rules.base import Rule


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SLOW = """\
rules: [MG131]
today: 2026-11-30
cases:
  - name: too slow
    model: |
      risk_tier: high
      rollback:
        max_minutes: 120
    expect:
      - {rule: MG131, pointer: /rollback/max_minutes, line: 3}
  - name: wrong expectation
    model: |
      risk_tier: high
      rollback:
        max_minutes: 120
    expect:
      - {rule: MG131, pointer: /rollback/max_minutes, line: 2}
  - name: passes although it should not
    model: |
      risk_tier: low
      rollback:
        max_minutes: 300
    expect: []
"""


def test_failures_show_expected_and_found(tmp_path: Path) -> None:
    _write(tmp_path / "cases", "slow.yaml", SLOW)
    result = run_cli("policy", "test", str(tmp_path / "cases"))
    assert result.exit_code == 1
    out = result.stdout
    assert "PASS " in out and "slow.yaml::too slow" in out
    assert "FAIL " in out and "slow.yaml::wrong expectation" in out
    block = out.split("slow.yaml::wrong expectation", 1)[1].split("slow.yaml::", 1)[0]
    assert "expected, not found:\n      - MG131 /rollback/max_minutes line 2" in block
    assert "found, not expected:\n      + MG131 /rollback/max_minutes line 3 col 16 error" in block
    low = out.split("slow.yaml::passes although it should not", 1)[1]
    assert "+ MG131 /rollback/max_minutes line 3" in low
    assert "3 cases: 1 passed, 2 failed." in out
    assert "Coverage: 1 of " in out and "enabled rules of policy default" in out


def test_quiet_prints_only_failures(tmp_path: Path) -> None:
    _write(tmp_path, "slow.yaml", SLOW)
    result = run_cli("policy", "test", "-q", str(tmp_path / "slow.yaml"))
    assert result.exit_code == 1
    assert "PASS" not in result.stdout
    assert result.stdout.count("FAIL ") == 2


def test_min_coverage(tmp_path: Path) -> None:
    good = "\n".join(SLOW.splitlines()[:10]) + "\n"
    _write(tmp_path, "slow.yaml", good)
    ok = run_cli("policy", "test", str(tmp_path), "--min-coverage", "2")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    low = run_cli("policy", "test", str(tmp_path), "--min-coverage", "50")
    assert low.exit_code == 1
    assert "1 cases" not in low.stdout and "1 case: 1 passed, 0 failed." in low.stdout
    assert "below --min-coverage 50%" in low.stderr
    assert "Not exercised by any case: MG001 (yaml-syntax)" in low.stdout


def test_the_config_found_beside_the_cases_is_the_pack_under_test(tmp_path: Path) -> None:
    _write(tmp_path, ".modelgov.yaml", "policy: strict\n")
    _write(
        tmp_path / "policy-tests",
        "escalation.yaml",
        """\
        rules: [MG121]
        cases:
          - name: strict wants escalation for medium risk
            model: |
              risk_tier: medium
              on_call:
                rotation: primary
            expect:
              - {rule: MG121, pointer: /on_call/escalation, line: 3}
        """,
    )
    result = run_cli("policy", "test", str(tmp_path / "policy-tests"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "enabled rules of policy strict" in result.stdout
    # --policy overrides the config: under default the case fails.
    other = run_cli("policy", "test", str(tmp_path / "policy-tests"), "--policy", "default")
    assert other.exit_code == 1
    assert "- MG121 /on_call/escalation line 3" in other.stdout


def test_custom_rules_files_path_and_today(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "acme.yaml",
        """\
        config:
          custom_rules:
            - id: ACME001
              name: high-risk-needs-retraining-owner
              message: high-risk models name a retraining owner
              when: {properties: {risk_tier: {const: high}}, required: [risk_tier]}
              require: {required: [retraining]}
              pointer: /risk_tier
        rules: [ACME001, MG160, MG201]
        cases:
          - name: a high-risk model without retraining
            model: |
              name: fraud-scorer
              risk_tier: high
            expect:
              - {rule: high-risk-needs-retraining-owner, pointer: /risk_tier, line: 2, message_contains: retraining owner}
          - name: the compliant example, copied whole, has its runbooks
            path: COMPLIANT_DIR
            expect: []
          - name: the file alone, a year later, misses its runbooks and its drill
            path: COMPLIANT_FILE
            today: 2027-11-30
            expect:
              - {rule: MG160, pointer: /owner/handoff/document, line: 21}
              - {rule: MG160, pointer: /on_call/runbook, line: 28}
              - {rule: MG160, pointer: /rollback/procedure, line: 31}
              - {rule: MG201, pointer: /rollback/last_tested, line: 36}
          - name: a runbook given as a file of the case
            files:
              docs/run.md: "# runbook\\n"
            model: |
              on_call:
                runbook: docs/run.md
            expect: []
        """.replace("COMPLIANT_DIR", str(COMPLIANT)).replace(
            "COMPLIANT_FILE", str(COMPLIANT / "model.yaml")
        ),
    )
    result = run_cli("policy", "test", str(tmp_path / "acme.yaml"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "4 cases: 4 passed, 0 failed." in result.stdout


def test_git_rules_are_left_out_of_coverage() -> None:
    def no_findings(ctx: object) -> list[object]:
        return []

    git_rule = Rule(
        id="ACME900",
        name="history-rule",
        severity=Severity.ERROR,
        options={},
        doc="Judges git history.\n",
        check=no_findings,  # type: ignore[arg-type]
        uses=frozenset({"history"}),
    )
    pack = load_policy(None, builtin().with_rules([git_rule]))
    cov = coverage(pack, collect([Path(__file__).parent / "rules"]))
    assert "ACME900" in {r.id for r in cov.excluded}
    assert all("history" in r.uses for r in cov.excluded)
    assert "ACME900" not in {r.id for r in cov.counted}
    assert not any("history" in r.uses for r in cov.counted)


def test_runner_reports_each_case(tmp_path: Path) -> None:
    path = _write(tmp_path, "slow.yaml", SLOW)
    results = [Runner().run(case) for case in collect([path])]
    assert [r.passed for r in results] == [True, False, False]
    assert results[1].missing[0].line == 2
    assert results[1].unexpected[0].line == 3


def test_malformed_case_files_exit_2(tmp_path: Path) -> None:
    bad = {
        "no-cases.yaml": "rules: [MG131]\n",
        "bad-key.yaml": "cases:\n  - name: x\n    modle: 'a: 1'\n    expect: []\n",
        "no-pointer.yaml": "cases:\n  - name: x\n    model: 'a: 1'\n    expect: [{rule: MG131}]\n",
        "unknown-rule.yaml": "cases:\n  - name: x\n    model: 'a: 1'\n    expect: [{rule: MG999, pointer: /a, line: 1}]\n",
        "outside-filter.yaml": "rules: [MG131]\ncases:\n  - name: x\n    model: 'a: 1'\n    expect: [{rule: MG100, pointer: /a, line: 1}]\n",
        "escape.yaml": "cases:\n  - name: x\n    files: {../../x: hi}\n    expect: []\n",
        "dupe.yaml": "cases:\n  - {name: x, expect: []}\n  - {name: x, expect: []}\n",
        "bad-yaml.yaml": "cases: [\n",
    }
    messages = {
        "no-cases.yaml": "`cases` must be a non-empty list",
        "bad-key.yaml": "unknown key(s) modle",
        "no-pointer.yaml": "`pointer` is required",
        "unknown-rule.yaml": "names unknown rule 'MG999'",
        "outside-filter.yaml": "expects MG100, which is not among the file's `rules`",
        "escape.yaml": "must be a path inside the case's folder",
        "dupe.yaml": "another case is already named 'x'",
        "bad-yaml.yaml": "is not valid YAML",
    }
    for name, text in bad.items():
        folder = tmp_path / name.removesuffix(".yaml")
        _write(folder, name, text)
        result = run_cli("policy", "test", str(folder))
        assert result.exit_code == 2, (name, result.stdout, result.stderr)
        assert messages[name] in result.stderr, (name, result.stderr)
        assert name in result.stderr
        assert "Traceback" not in result.stderr


def test_empty_folder_and_missing_path_are_usage_errors(tmp_path: Path) -> None:
    empty = run_cli("policy", "test", str(tmp_path))
    assert empty.exit_code == 2
    assert "no policy test cases" in empty.stderr
    missing = run_cli("policy", "test", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_cases_can_bring_a_roster_and_codeowners(tmp_path: Path) -> None:
    """A case's `files:` make its repository; `config: {roster: ...}` names a file among them."""
    _write(
        tmp_path,
        "people.yaml",
        """\
        rules: [MG205, MG206]
        today: 2026-11-30
        cases:
          - name: the owner left
            config: {roster: people.csv}
            files:
              people.csv: "email,status\\ndana.okafor@example.com,left\\n"
            model: |
              owner:
                email: dana.okafor@example.com
            expect:
              - {rule: MG205, pointer: /owner/email, line: 2}
          - name: the owner is active
            config: {roster: people.csv}
            files:
              people.csv: "email,status\\ndana.okafor@example.com,active\\n"
            model: |
              owner:
                email: dana.okafor@example.com
            expect: []
          - name: CODEOWNERS names someone else
            files:
              CODEOWNERS: "/model.yaml sam.lee@example.com\\n"
            model: |
              owner:
                email: dana.okafor@example.com
            expect:
              - {rule: MG206, pointer: /owner/email, line: 2}
        """,
    )
    result = run_cli("policy", "test", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "3 cases: 3 passed, 0 failed." in result.stdout

"""`modelgov policy test`: pass/fail per case, diffs, coverage, exit codes, bad case files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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
    ok = run_cli("policy", "test", str(tmp_path), "--min-coverage", "1")
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


def test_rules_a_case_cannot_express_are_left_out_of_coverage() -> None:
    def no_findings(ctx: object) -> list[object]:
        return []

    def rule(rule_id: str, uses: set[str]) -> Rule:
        return Rule(
            id=rule_id,
            name=rule_id.lower(),
            severity=Severity.ERROR,
            options={},
            doc="A plug-in rule.\n",
            check=no_findings,  # type: ignore[arg-type]
            uses=frozenset(uses),
        )

    # git history, a roster, CODEOWNERS and the document are what cases give
    extra = [rule("ACME900", {"history"}), rule("ACME901", {"roster", "codeowners", "instance"})]
    extra.append(rule("ACME902", {"history", "ticketing"}))  # a fact no case could give
    pack = load_policy(None, builtin().with_rules(extra))
    cov = coverage(pack, collect([Path(__file__).parent / "rules"]))
    assert [r.id for r in cov.excluded] == ["ACME902"]
    counted = {r.id for r in cov.counted}
    assert {"ACME900", "ACME901", "MG202", "MG203", "MG204", "MG205", "MG206"} <= counted
    assert "ACME902" not in counted
    # every built-in rule can be expressed as a case
    assert coverage(load_policy(None, builtin()), []).excluded == ()


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


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("history: {date: 2026-01-01}", "`history` must be a list of commits"),
        ("history: [2026-01-01]", "history[0] must be a mapping with date and files"),
        ("history: [{date: 2026-01-01, filez: {}}]", "history[0]: unknown key(s) filez"),
        ("history: [{files: {a: x}}]", "history[0]: `date` is required"),
        ("history: [{date: 2026-13-01}]", "`date` must be a date as YYYY-MM-DD"),
        ("history: [{date: yesterday}]", "not 'yesterday'"),
        ("history: [{date: 1969-12-31}]", "before 1970"),
        (
            "history: [{date: 2026-02-01}, {date: 2026-01-31}]",
            "history[1]: dated 2026-01-31T12:00:00+00:00, before the commit above it",
        ),
        ("history: [{date: 2026-01-01, author: Dana}]", "`author` must look like 'Name <email>'"),
        ("history: [{date: 2026-01-01, message: ''}]", "`message` must be non-empty text"),
        ("history: [{date: 2026-01-01, files: [a]}]", "`files` must map repository paths"),
        ("history: [{date: 2026-01-01, files: {../x: hi}}]", "must be a path inside the case's"),
        ("history: [{date: 2026-01-01, files: {/etc/x: hi}}]", "must be a path inside the case's"),
        ("history: [{date: 2026-01-01, files: {.git/config: hi}}]", "is inside .git"),
        ("history: [{date: 2026-01-01, files: {a: 3}}]", "must be text (or null to delete it)"),
        ("history: [{date: 2026-01-01, files: {a: x, ./a: y}}]", "file './a' is given twice"),
        ("history: [{date: 2026-01-01, files: {a: null}}]", "deletes 'a', which is not in the"),
        (
            "history: [{date: 2026-01-01, files: {a/b: x}}, {date: 2026-01-02, files: {a: x}}]",
            "history[1]: writes 'a', which is a folder at that point",
        ),
        (
            "history: [{date: 2026-01-01, files: {a: x, a/b: y}}]",
            "writes 'a/b' inside 'a', which is a file",
        ),
        ("history: [{date: 2026-01-01, renames: {a: b}}]", "renames 'a', which no earlier commit"),
        (
            "history: [{date: 2026-01-01, files: {a: x, b: y}}, {date: 2026-01-02, renames: {a: b}}]",
            "renames 'a' to 'b', which already exists",
        ),
        ("history: [{date: 2026-01-01, renames: [a]}]", "`renames` must map old paths to new ones"),
        ("shallow: 1", "`shallow` clones the case's `history`, which it lacks"),
        ("history: []\n    shallow: 1", "`shallow` clones the case's `history`, which it lacks"),
        ("history: [{date: 2026-01-01}]\n    shallow: 0", "`shallow` must be a positive number"),
        ("history: [{date: 2026-01-01}]\n    shallow: true", "`shallow` must be a positive"),
        ("staged: true", "`staged` needs a `history`"),
        ("history: []\n    staged: yes please", "`staged` must be true or false"),
    ],
)
def test_malformed_history_exits_2(tmp_path: Path, history: str, message: str) -> None:
    _write(tmp_path, "git.yaml", f"cases:\n  - name: x\n    {history}\n    expect: []\n")
    result = run_cli("policy", "test", str(tmp_path))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert "git.yaml: case 'x'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_history_is_a_real_repository(tmp_path: Path) -> None:
    """The commits of a case, as git shows them: dates, authors, messages, renames, deletes."""
    import subprocess

    from modelgov.policytest import write_case

    _write(
        tmp_path,
        "git.yaml",
        """\
        cases:
          - name: x
            history:
              - date: 2026-01-10
                author: Sam Lee <sam.lee@example.com>
                message: declare
                files: {model.yaml: "owner: {email: sam.lee@example.com}\\n", "odd \\"name\\"\\t.txt": hi}
              - date: 2026-03-01T09:30:00+02:00
                renames: {model.yaml: models/fraud/model.yml}
                files: {"odd \\"name\\"\\t.txt": null}
            model: "name: uncommitted\\n"
            staged: true
            expect: []
        """,
    )
    (case,) = collect([tmp_path / "git.yaml"])
    root = write_case(case, tmp_path / "out")
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae> %aI %cI %s", "--name-status"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.splitlines() == [
        "Policy Test <policy-test@example.com> 2026-03-01T09:30:00+02:00 "
        "2026-03-01T09:30:00+02:00 change 2",
        "",
        "R100\tmodel.yaml\tmodels/fraud/model.yml",
        'D\t"odd \\"name\\"\\t.txt"',
        "Sam Lee <sam.lee@example.com> 2026-01-10T12:00:00+00:00 2026-01-10T12:00:00+00:00 declare",
        "",
        "A\tmodel.yaml",
        'A\t"odd \\"name\\"\\t.txt"',
    ]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert status == "A  model.yaml\n"  # the case's model, staged


def test_the_history_example_of_the_docs_passes(tmp_path: Path) -> None:
    text = (COMPLIANT.parent.parent / "docs" / "policies.md").read_text(encoding="utf-8")
    section = text[text.index("### Git history in a case") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", 10)]
    (tmp_path / "history.yaml").write_text(example, encoding="utf-8")
    result = run_cli("policy", "test", str(tmp_path / "history.yaml"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 cases: 2 passed, 0 failed." in result.stdout


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

"""`modelgov waivers`: every waiver with days left, expired first, in text, json and csv."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from conftest import COMPLIANT, run_cli

FRAUD = """\
schema_version: 1
name: fraud-scorer
risk_tier: high
owner: {name: Dana Okafor, email: dana.okafor@example.com, team: payments-ml}
waivers:
  - rule: MG201
    reason: drill scheduled for the January release freeze
    approved_by: ops-lead@example.com
    expires: 2027-01-15
    ticket: OPS-1234
    pointer: /rollback/last_tested
  - rule: MG131
    reason: registry migration
    approved_by: ops-lead@example.com
    expires: 2026-11-20
"""

CHURN = """\
schema_version: 1
name: churn
waivers:
  - rule: MG141
    reason: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"
    approved_by: "@ops-lead@example.com"
    expires: 2026-12-10
    ticket: "+1-555"
  - rule: MG200
    reason: "-review after reorg"
    approved_by: counsel@example.com
"""


def _repo(make_repo: Any) -> Any:
    repo = make_repo()
    repo.write("models/fraud/model.yaml", FRAUD)
    repo.write("models/churn/model.yaml", CHURN)
    return repo


def test_text_lists_expired_first_then_soonest(make_repo: Any) -> None:
    repo = _repo(make_repo)
    result = run_cli("waivers", cwd=repo.path)  # paths as seen from where the user stands
    assert result.exit_code == 0, result.stderr
    heads = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert heads[:4] == [
        "models/churn/model.yaml:9: MG200 NO VALID EXPIRY, expires - (churn)",
        "models/fraud/model.yaml:12: MG131 EXPIRED 10 days ago, expires 2026-11-20 (fraud-scorer)",
        "models/churn/model.yaml:4: MG141 10 days left, expires 2026-12-10 (churn)",
        "models/fraud/model.yaml:6: MG201 46 days left, expires 2027-01-15 (fraud-scorer)",
    ]
    assert (
        "    scope /rollback/last_tested; approved by ops-lead@example.com; ticket OPS-1234"
        in result.stdout
    )
    assert "    scope the whole file; approved by ops-lead@example.com\n" in result.stdout
    assert "    reason: drill scheduled for the January release freeze" in result.stdout
    assert heads[-1] == (
        "4 waivers in total (1 expired, 1 without a valid expiry); today 2026-11-30."
    )


def test_expiring_keeps_those_ending_soon_and_the_lapsed(make_repo: Any) -> None:
    repo = _repo(make_repo)
    result = run_cli("waivers", str(repo.path), "--expiring", "30d", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["today"] == "2026-11-30"
    assert data["expiring_within_days"] == 30
    assert [(w["rule"], w["status"], w["days_left"]) for w in data["waivers"]] == [
        ("MG200", "no-expiry", None),
        ("MG131", "expired", -10),
        ("MG141", "active", 10),
    ]
    two_weeks = run_cli("waivers", str(repo.path), "--expiring", "1w", "--format", "json")
    assert [w["rule"] for w in json.loads(two_weeks.stdout)["waivers"]] == ["MG200", "MG131"]


def test_json_carries_every_field(make_repo: Any) -> None:
    repo = _repo(make_repo)
    data = json.loads(run_cli("waivers", "--format", "json", cwd=repo.path).stdout)
    fraud = next(w for w in data["waivers"] if w["rule"] == "MG201")
    assert fraud == {
        "model": "fraud-scorer",
        "file": "models/fraud/model.yaml",
        "line": 6,
        "rule": "MG201",
        "rule_id": "MG201",
        "rule_name": "rollback-drill-overdue",
        "pointer": "/rollback/last_tested",
        "reason": "drill scheduled for the January release freeze",
        "approved_by": "ops-lead@example.com",
        "ticket": "OPS-1234",
        "expires": "2027-01-15",
        "days_left": 46,
        "status": "active",
        "waiver": "/waivers/0",
    }


def test_csv_neutralises_formulas(make_repo: Any) -> None:
    repo = _repo(make_repo)
    result = run_cli("waivers", str(repo.path), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["rule"] for r in rows] == ["MG200", "MG131", "MG141", "MG201"]
    churn = rows[2]
    assert churn["reason"] == '\'=HYPERLINK("http://evil.example","click")'
    assert churn["approved_by"] == "'@ops-lead@example.com"
    assert churn["ticket"] == "'+1-555"
    assert rows[0]["reason"] == "'-review after reorg"
    assert rows[0]["expires"] == "" and rows[0]["days_left"] == ""
    # Numbers we compute are numbers, not neutralised text.
    assert rows[1]["days_left"] == "-10"
    assert all(not cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())


def test_fail_expired(make_repo: Any) -> None:
    repo = _repo(make_repo)
    assert run_cli("waivers", str(repo.path), "--fail-expired").exit_code == 1
    clean = make_repo("clean")
    clean.write("model.yaml", FRAUD.split("  - rule: MG131")[0])
    result = run_cli("waivers", str(clean.path), "--fail-expired")
    assert result.exit_code == 0, result.stdout
    assert "1 waiver in total (0 expired)" in result.stdout
    # A later date makes the remaining waiver lapse.
    later = run_cli("waivers", str(clean.path), "--fail-expired", "--today", "2027-02-01")
    assert later.exit_code == 1
    assert "EXPIRED 17 days ago" in later.stdout


def test_no_waivers_and_bad_input() -> None:
    result = run_cli("waivers", str(COMPLIANT))
    assert result.exit_code == 0
    assert result.stdout.strip() == "0 waivers in total (0 expired); today 2026-11-30."
    bad = run_cli("waivers", str(COMPLIANT), "--expiring", "soon")
    assert bad.exit_code == 2
    assert "--expiring takes a number of days" in bad.stderr


def test_untrusted_text_is_inert(make_repo: Any) -> None:
    repo = make_repo()
    repo.write(
        "model.yaml",
        'name: x\nwaivers:\n  - {rule: MG201, reason: "ok\\u001b[2Jgone", approved_by: a@example.com, expires: 2027-01-01}\n',
    )
    result = run_cli("waivers", str(repo.path))
    assert "\x1b" not in result.stdout
    assert "ok\\u001b[2Jgone" in result.stdout


NAMED = """\
schema_version: 1
name: fraud-scorer
waivers:
  - rule: code-changed
    reason: refactor reviewed in the design doc
    approved_by: ops-lead@example.com
    expires: 2027-01-15
  - rule: no-such-rule
    reason: typo
    approved_by: ops-lead@example.com
    expires: 2027-01-10
  - rule: threshold-documented
    reason: a custom rule of the repository's config
    approved_by: ops-lead@example.com
    expires: 2027-01-12
"""

CUSTOM_CONFIG = """\
custom_rules:
  - id: ACME001
    name: threshold-documented
    message: every model states its threshold
    severity: warning
    require:
      required: [x-threshold]
"""


def test_a_waiver_named_by_rule_name_carries_the_rule_id(make_repo: Any) -> None:
    """CSV and JSON carry the rule as written and the id and name it resolves to (under
    the model's config, custom rules included); text shows the id beside a name."""
    repo = make_repo()
    repo.write("model.yaml", NAMED)
    repo.write(".modelgov.yaml", CUSTOM_CONFIG)
    data = json.loads(run_cli("waivers", "--format", "json", cwd=repo.path).stdout)
    assert [(w["rule"], w["rule_id"], w["rule_name"]) for w in data["waivers"]] == [
        ("no-such-rule", "", ""),
        ("threshold-documented", "ACME001", "threshold-documented"),
        ("code-changed", "MG202", "code-changed"),
    ]
    rows = list(
        csv.DictReader(io.StringIO(run_cli("waivers", "--format", "csv", cwd=repo.path).stdout))
    )
    assert list(rows[0])[3:6] == ["rule", "rule_id", "rule_name"]
    assert [(r["rule"], r["rule_id"]) for r in rows] == [
        ("no-such-rule", ""),
        ("threshold-documented", "ACME001"),
        ("code-changed", "MG202"),
    ]
    text = run_cli("waivers", cwd=repo.path).stdout
    assert "model.yaml:4: code-changed (MG202) 46 days left" in text
    assert "model.yaml:8: no-such-rule (unknown rule) 41 days left" in text

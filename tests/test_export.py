"""``modelgov export --format cyclonedx``: an ML-BOM that CycloneDX's own library validates.

The validation is the CycloneDX project's (cyclonedx-python-lib's strict
JSON validator, against its bundled 1.6 schema), not a copy of the schema
kept here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from conftest import BROKEN, COMPLIANT, TODAY, GitRepoBuilder, run_cli


def _valid(text: str) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)[:2000]


def _props(component: dict[str, object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component["modelCard"]["properties"]:  # type: ignore[index]
        out.setdefault(p["name"].removeprefix("modelgov:"), []).append(p["value"])
    return out


def test_the_examples_as_an_ml_bom(tmp_path: Path) -> None:
    res = run_cli("export", "--format", "cyclonedx", "--today", TODAY, str(COMPLIANT), str(BROKEN))
    assert res.exit_code == 0, res.stderr
    _valid(res.stdout)
    bom = json.loads(res.stdout)
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert bom["metadata"]["timestamp"] == f"{TODAY}T00:00:00Z"
    assert bom["metadata"]["tools"]["components"][0]["name"] == "modelgov"
    models = {c["name"]: c for c in bom["components"]}
    assert set(models) == {"fraud-scorer", "Churn Model"}
    assert all(c["type"] == "machine-learning-model" for c in models.values())
    fraud = models["fraud-scorer"]
    assert fraud["version"] == "7" and fraud["group"] == "payments-ml"
    assert fraud["authors"] == [{"name": "Dana Okafor", "email": "dana.okafor@example.com"}]
    assert fraud["manufacturer"]["name"] == "payments-ml"
    assert fraud["modelCard"]["considerations"]["useCases"] == [
        "Scores card-not-present checkout transactions for fraud risk."
    ]
    risks = {
        r["name"]: r["mitigationStrategy"]
        for r in fraud["modelCard"]["considerations"]["ethicalConsiderations"]
    }
    assert "rollback by registry-alias within 15 minutes, last drilled 2026-10-12" in risks.values()
    facts = _props(fraud)
    assert facts["risk_tier"] == ["high"] and facts["status"] == ["pass"]
    assert facts["drift.signals"] == ["feature_importance input_distribution prediction_confidence"]
    assert facts["deploy.approver_roles"] == ["compliance product reliability"]
    assert "finding" not in facts
    churn = _props(models["Churn Model"])
    assert churn["status"] == ["fail"] and "MG131" in churn["failing_rules"][0].split()
    assert any(
        f.startswith("MG131 error /rollback/max_minutes line 15: rollback takes 120")
        for f in churn["finding"]
    )
    assert "none declared" not in json.dumps(fraud)
    # byte for byte the same on a second run, and to a file
    out = tmp_path / "bom.json"
    again = run_cli("export", "--today", TODAY, "--output", str(out), str(COMPLIANT), str(BROKEN))
    assert again.exit_code == 0 and again.stdout == "" and out.read_text() == res.stdout


def test_the_validator_is_not_vacuous() -> None:
    res = run_cli("export", "--today", TODAY, str(COMPLIANT))
    bom = json.loads(res.stdout)
    bom["components"][0]["modelCard"]["owner"] = "not in the schema"
    with pytest.raises(AssertionError):
        _valid(json.dumps(bom))
    bom = json.loads(res.stdout)
    bom["components"][0]["type"] = "model"
    with pytest.raises(AssertionError):
        _valid(json.dumps(bom))


def test_hostile_declarations_still_validate_and_leak_nothing(
    make_repo: object, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("name: TOPSECRET-VALUE\n")
    repo: GitRepoBuilder = make_repo("repo")  # type: ignore[operator]
    repo.write(
        "odd/model.yaml",
        "schema_version: 1\nname: [not, a, string]\nrisk_tier: high\n"
        "owner: {name: '<script>x</script>', email: 'not an email <x@y>', team: 7}\n"
        "on_call: {rotation: r, schedule: 'javascript:alert(1)'}\n"
        "deploy: {version: {nested: 1}, approvers: [{role: [x]}, 5]}\n"
        "drift: {monitors: [{signal: {a: b}}, oops]}\n"
        'description: "line\\nbreak \\u0007 and a very long text ' + "x" * 5000 + '"\n',
    )
    os.symlink(secret, repo.path / "model.yaml")  # a declaration leading outside the repository
    repo.commit("odd")
    res = run_cli("export", "--today", TODAY, str(repo.path))
    assert res.exit_code == 0, res.stderr
    _valid(res.stdout)
    assert "TOPSECRET" not in res.stdout
    odd = next(
        c for c in json.loads(res.stdout)["components"] if c["bom-ref"].endswith("odd/model.yaml")
    )
    assert "email" not in json.dumps(odd.get("authors", []))
    assert "externalReferences" not in odd and "version" not in odd
    assert len(odd["description"]) <= 2000


def test_usage_errors() -> None:
    assert run_cli("export", "--format", "spdx", str(COMPLIANT)).exit_code == 2
    res = run_cli("export", "--today", "soon", str(COMPLIANT))
    assert res.exit_code == 2 and "--today" in res.stderr
    missing = run_cli("export", "no/such/folder")
    assert missing.exit_code == 2 and "Traceback" not in missing.stderr

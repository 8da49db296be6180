"""One problem, one finding: where a declaration rule speaks, MG010 stays silent.

Every field of the table in modelgov.facts.presence is emptied in turn (``""`` and
null) in the compliant example: the rule the table names reports it, at its pointer,
and MG010 says nothing there.  The same for the waiver fields MG210 judges.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import COMPLIANT, run_cli
from modelgov.document import split_pointer
from modelgov.facts.presence import PRESENCE, reported_when_empty

EXAMPLE = yaml.safe_load((COMPLIANT / "model.yaml").read_text(encoding="utf-8"))
WAIVER = {
    "rule": "MG201",
    "reason": "drill scheduled for the January release freeze",
    "approved_by": "ops-lead@example.com",
    "expires": "2027-01-15",
}


def _set(data: Any, pointer: str, value: Any) -> None:
    *parents, last = [int(t) if t.isdigit() else t for t in split_pointer(pointer)]
    for token in parents:
        data = data[token]
    data[last] = value


def _judge(tmp_path: Path, data: Any) -> list[dict[str, Any]]:
    folder = tmp_path / "model"
    shutil.copytree(COMPLIANT, folder)
    (folder / "model.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("check", str(folder), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return list(json.loads(result.stdout)["findings"])


def _concrete(pattern: str) -> str:
    return pattern.replace("*", "0")


@pytest.mark.parametrize("empty", ["", None], ids=["empty-string", "null"])
@pytest.mark.parametrize("pattern", sorted(PRESENCE))
def test_an_empty_field_is_one_finding_of_its_section_rule(
    tmp_path: Path, pattern: str, empty: object
) -> None:
    pointer = _concrete(pattern)
    assert reported_when_empty(pointer) == PRESENCE[pattern]
    data = json.loads(json.dumps(EXAMPLE, default=str))
    _set(data, pointer, empty)
    findings = _judge(tmp_path, data)
    here = [f for f in findings if f["pointer"] == pointer]
    assert [f["rule"] for f in here] == [PRESENCE[pattern]], here
    assert "is empty" in here[0]["message"] or "has no" in here[0]["message"], here[0]
    assert not [f for f in findings if f["rule"] == "MG010"], findings


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("pointer", "review", "has a pointer 'review' that is not a JSON pointer"),
        ("pointer", 5, "has a pointer that is not a JSON pointer"),
        ("expires", "soon", "has no valid expiry date"),
        ("approved_by", "not-an-email", "has no approver email"),
        ("reason", "", "gives no reason"),
        ("rule", "", "names no rule"),
    ],
)
def test_a_bad_waiver_field_is_mg210_alone(
    tmp_path: Path, field: str, value: object, says: str
) -> None:
    data = json.loads(json.dumps(EXAMPLE, default=str))
    data["waivers"] = [{**WAIVER, field: value}]
    findings = _judge(tmp_path, data)
    assert [(f["rule"], f["pointer"]) for f in findings if f["rule"] in ("MG010", "MG210")] == [
        ("MG210", "/waivers/0")
    ], findings
    (mg210,) = [f for f in findings if f["rule"] == "MG210"]
    assert says in mg210["message"]


def test_a_waiver_pointer_that_is_not_text_waives_nothing(tmp_path: Path) -> None:
    """``pointer: 5`` once read as no pointer at all: a waiver of the whole file."""
    data = json.loads(json.dumps(EXAMPLE, default=str))
    data["rollback"]["max_minutes"] = 120
    data["waivers"] = [{**WAIVER, "rule": "MG131", "pointer": 5}]
    (mg131,) = [f for f in _judge(tmp_path, data) if f["rule"] == "MG131"]
    assert mg131["waived"] is None


def test_a_wrong_value_of_an_optional_field_is_still_mg010(tmp_path: Path) -> None:
    """The silence is only where a declaration rule speaks."""
    data = json.loads(json.dumps(EXAMPLE, default=str))
    data["owner"]["since"] = ""
    data["rollback"]["max_minutes"] = "fifteen"
    found = {(f["rule"], f["pointer"]) for f in _judge(tmp_path, data)}
    assert {("MG010", "/owner/since"), ("MG010", "/rollback/max_minutes")} <= found

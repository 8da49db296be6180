"""The JSON Schema of model.yaml, and the fast validator that checks it on every commit."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COMPLIANT, ROOT, run_cli
from modelgov.schema import SUPPORTED, UnsupportedSchema, assert_supported, model_schema, validate

SCHEMA_FILE = ROOT / "schemas" / "model.schema.json"


def reference() -> dict[str, Any]:
    data = yaml.safe_load((COMPLIANT / "model.yaml").read_text())
    assert isinstance(data, dict)
    return data


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def official_errors(instance: Any) -> set[tuple[str, str]]:
    schema = json.loads(SCHEMA_FILE.read_text())
    cls = jsonschema.Draft202012Validator
    out = set()
    for err in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(jsonable(instance)):
        if err.validator == "format":
            continue
        pointer = "".join(f"/{p}" for p in err.absolute_path)
        out.add((pointer, str(err.validator)))
    return out


def our_errors(instance: Any) -> set[tuple[str, str]]:
    out = set()
    for err in validate(instance, model_schema()):
        if err.keyword == "format":
            continue
        pointer = (
            err.pointer.rsplit("/", 1)[0] if err.keyword == "additionalProperties" else err.pointer
        )
        out.add((pointer, err.keyword))
    return out


def test_schema_is_valid_2020_12_and_accepts_the_reference() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert official_errors(reference()) == set()
    assert list(validate(reference(), model_schema())) == []


def test_shared_reference_is_accepted_when_present() -> None:
    shared = ROOT.parent / "shared" / "reference" / "model.yaml"
    if not shared.is_file():
        pytest.skip("../shared is not beside this checkout (a user's machine)")
    assert (COMPLIANT / "model.yaml").read_bytes() == shared.read_bytes()


def _walk(schema: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = [(where, schema)]
    for name, sub in schema.get("properties", {}).items():
        out += _walk(sub, f"{where}/{name}")
    if isinstance(schema.get("items"), dict):
        out += _walk(schema["items"], f"{where}/[]")
    return out


def test_every_property_has_a_description_and_enums_and_formats_are_declared() -> None:
    nodes = _walk(json.loads(SCHEMA_FILE.read_text()))
    missing = [where for where, node in nodes if not node.get("description")]
    assert missing == []
    by_path = dict(nodes)
    assert by_path["/risk_tier"]["enum"] == ["low", "medium", "high"]
    assert "pagerduty" in by_path["/on_call/provider"]["enum"]
    assert by_path["/owner/email"]["format"] == "email"
    assert by_path["/rollback/last_tested"]["format"] == "date"
    assert by_path["/on_call/schedule"]["format"] == "uri"
    assert "input_distribution" in by_path["/drift/monitors/[]/signal"]["enum"]


def test_validator_refuses_keywords_it_does_not_implement() -> None:
    assert_supported(model_schema())
    with pytest.raises(UnsupportedSchema, match="oneOf"):
        assert_supported({"properties": {"a": {"oneOf": []}}})
    assert "oneOf" not in SUPPORTED


def test_schema_command_prints_the_file() -> None:
    result = run_cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(SCHEMA_FILE.read_text())


def test_format_checks() -> None:
    doc = reference()
    doc["owner"]["email"] = "not-an-email"
    doc["rollback"]["last_tested"] = "2026-13-01"
    doc["on_call"]["schedule"] = "not a uri"
    found = {(e.pointer, e.keyword) for e in validate(doc, model_schema())}
    assert found == {
        ("/owner/email", "format"),
        ("/rollback/last_tested", "format"),
        ("/on_call/schedule", "format"),
    }


# -- cross-check against jsonschema on generated documents -----------------

_POINTERS = [
    ("schema_version",),
    ("name",),
    ("risk_tier",),
    ("paths",),
    ("paths", 0),
    ("owner",),
    ("owner", "email"),
    ("owner", "handoff"),
    ("owner", "handoff", "date"),
    ("on_call",),
    ("on_call", "provider"),
    ("rollback", "max_minutes"),
    ("rollback", "strategy"),
    ("rollback", "preserves_data"),
    ("drift", "monitors"),
    ("drift", "monitors", 0),
    ("drift", "monitors", 0, "threshold"),
    ("drift", "monitors", 1, "window"),
    ("deploy", "approvers", 0, "role"),
    ("review",),
    ("waivers",),
]

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=500),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "high", "pagerduty", "1d", "x", "canary", "2026-01-01", "UPPER"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.lists(st.sampled_from(["a", "src/**"]), max_size=2),
    st.dictionaries(
        st.sampled_from(["name", "bogus", "x-ext", "signal"]), st.integers(), max_size=2
    ),
)


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> None:
    node: Any = doc
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    try:
        if delete and isinstance(node, dict):
            node.pop(last, None)
        else:
            node[last] = value
    except (IndexError, TypeError):
        return


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(_POINTERS), values, st.booleans()),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["", "bogus_key"]),
)
def test_fast_validator_agrees_with_jsonschema(
    mutations: list[tuple[tuple[Any, ...], Any, bool]], extra: str
) -> None:
    doc = copy.deepcopy(reference())
    for path, value, delete in mutations:
        _mutate(doc, path, value, delete)
    if extra:
        doc[extra] = 1
    ours = our_errors(doc)
    theirs = official_errors(doc)
    # jsonschema also reports enum/const after a type error on the same value; we stop at type.
    typed = {p for p, k in ours if k == "type"}
    theirs = {
        (p, k)
        for p, k in theirs
        if not (p in typed and k in ("enum", "const", "pattern", "minimum"))
    }
    assert ours == theirs


def test_examples_folder_models_validate(tmp_path: Path) -> None:
    assert official_errors(reference()) == set()

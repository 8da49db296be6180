"""Typed audit rows: their JSON form, its validation, and the one column table.

Rows cross process boundaries (workers), go into the resume journal and come
back from JSON (``audit merge``, ``audit diff``): ``from_json(to_json(x)) == x``
for any value, and a report that does not validate is a clear error (exit 2)
that names the place.  Every format reads the same column table, so a new
column is one entry in ``COLUMNS``: the test adds one and finds it everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BROKEN, COMPLIANT, GitRepoBuilder, run_cli
from modelgov.audit import columns
from modelgov.audit.rows import (
    STATUSES,
    Alias,
    Evidence,
    RepoEntry,
    RepoResult,
    ReportError,
    Row,
    RowFinding,
    Signal,
    Waiver,
)

# -- round trips ----------------------------------------------------------------------

_text = st.text(max_size=12)
_texts = st.lists(_text, max_size=3).map(tuple)
_days = st.none() | st.integers(min_value=-400, max_value=4000)
_waiver = st.builds(Waiver, _text, _text, _text, _text, _text)
_finding = st.builds(
    RowFinding,
    rule=_text,
    severity=st.sampled_from(["error", "warning", "note"]),
    pointer=_text,
    line=st.integers(1, 10_000),
    col=st.integers(1, 200),
    message=_text,
    hint=_text,
    waived=st.none() | _waiver,
)
_rows = st.builds(
    Row,
    repo=_text,
    path=_text,
    name=_text,
    owner=_text,
    team=_text,
    risk_tier=st.none() | st.sampled_from(["low", "medium", "high"]),
    status=st.sampled_from(STATUSES),
    failing_rules=_texts,
    days_since_review=_days,
    days_since_drill=_days,
    stale_code_days=_days,
    labels=_texts,
    reason=_text,
    notes=_texts,
    signals=st.lists(st.builds(Signal, _text, _text, _text), max_size=2).map(tuple),
    findings=st.lists(_finding, max_size=3).map(tuple),
    evidence=st.builds(Evidence, _text, _text, _text, _text, _text),
    rules_skipped=_texts,
    extra=st.just(()),
)
_entries = st.builds(
    RepoEntry,
    repo=_text,
    source=st.sampled_from(["path", "url"]),
    status=st.sampled_from(["ok", "error"]),
    reason=_text,
    commit=_text,
    team=_text,
    labels=_texts,
    models=st.integers(0, 50),
    undeclared=st.integers(0, 50),
    bare=st.booleans(),
    remote=_text,
    committed=_text,
    identity=_texts,
    aliases=st.lists(st.builds(Alias, _text, _text), max_size=2).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(entry=_entries, rows=st.lists(_rows, max_size=3))
def test_json_round_trip(entry: RepoEntry, rows: list[Row]) -> None:
    result = RepoResult(entry, tuple(rows))
    data = json.loads(json.dumps(result.to_json(), sort_keys=True))
    assert RepoResult.from_json(data, "result") == result


def test_collected_values_round_trip() -> None:
    row = Row("r", "model.yaml", extra=(("approvals", 2), ("stage", None), ("who", ("a", "b"))))
    data = row.to_json()
    assert data["approvals"] == 2 and data["who"] == ["a", "b"] and data["stage"] is None
    assert Row.from_json(data, "row", ("approvals", "stage", "who")) == row


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["failing_rules"].append(7), "row.failing_rules[0] must be a string, not 7"),
        (lambda d: d.update(status="ok"), "row.status must be one of pass, fail, error"),
        (lambda d: d.update(days_since_review="3"), "row.days_since_review must be a whole number"),
        (lambda d: d.update(days_since_drill=True), "must be a whole number, not True"),
        (lambda d: d.update(surprise=1), "row: unknown key(s) surprise"),
        (lambda d: d.pop("evidence"), "row: missing key(s) evidence"),
        (lambda d: d["findings"][0].update(line=None), "row.findings[0].line must be a whole"),
        (
            lambda d: d["findings"][0].update(rule=["MG131"]),
            "row.findings[0].rule must be a string, not a list",
        ),
        (lambda d: d["findings"][0].update(severity="fatal"), "severity must be one of error"),
        (lambda d: d.update(signals={}), "row.signals must be a list, not an object"),
    ],
)
def test_a_row_that_does_not_validate_names_the_place(mutate: object, message: str) -> None:
    row = Row(
        "r",
        "model.yaml",
        status="fail",
        failing_rules=(),
        findings=(RowFinding("MG131", "error", "/rollback", 3, 5, "slow"),),
    )
    data = json.loads(json.dumps(row.to_json()))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(ReportError) as info:
        Row.from_json(data, "row")
    assert message in str(info.value)


# -- the reports of a real audit -------------------------------------------------------


@pytest.fixture
def examples_repo(make_repo: object) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo("acme")  # type: ignore[operator]
    repo.copy_example(COMPLIANT, "fraud")
    repo.copy_example(BROKEN, "churn")
    repo.commit("two models", date="2026-11-02")
    return repo


def _audit(repo: GitRepoBuilder, *args: str) -> object:
    return run_cli("audit", str(repo.path), "--jobs", "1", "--today", "2026-11-30", *args)


def test_merge_refuses_a_shard_that_does_not_validate(
    examples_repo: GitRepoBuilder, tmp_path: Path
) -> None:
    res = _audit(examples_repo, "--format", "json")
    good = json.loads(res.stdout)  # type: ignore[attr-defined]
    shard = tmp_path / "shard.json"

    def merged(data: object) -> object:
        shard.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return run_cli("audit", "merge", str(shard), "--format", "json")

    # a rule that is not a string
    bad = json.loads(json.dumps(good))
    bad["models"][0]["failing_rules"] = [131]
    out = merged(bad)
    assert out.exit_code == 2, out.stderr  # type: ignore[attr-defined]
    assert "models[0].failing_rules[0] must be a string, not 131" in out.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in out.stderr  # type: ignore[attr-defined]
    # deeply nested JSON: refused before it is parsed (no RecursionError, no traceback)
    out = merged('{"format": "modelgov-audit", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert out.exit_code == 2  # type: ignore[attr-defined]
    assert "nested more than 64 levels deep" in out.stderr  # type: ignore[attr-defined]
    # a row of a repository the report does not list
    bad = json.loads(json.dumps(good))
    bad["models"][0]["repo"] = "elsewhere"
    out = merged(bad)
    assert out.exit_code == 2 and "is not in the repos list" in out.stderr  # type: ignore[attr-defined]
    # a shard index that is not a number
    bad = json.loads(json.dumps(good))
    bad["shard"] = {"index": "1", "count": 2}
    out = merged(bad)
    assert out.exit_code == 2 and "shard.index must be a whole number" in out.stderr  # type: ignore[attr-defined]
    # the good report merges to itself, byte for byte
    out = merged(good)
    assert out.stdout == res.stdout  # type: ignore[attr-defined]


def _shown_headers(fmt: str, text: str) -> list[str]:
    if fmt == "table":
        return re.split(r"\s{2,}", text.splitlines()[0].strip())
    if fmt == "csv":
        return next(csv.reader(io.StringIO(text)))
    if fmt == "markdown":
        line = next(ln for ln in text.split("### Models", 1)[1].splitlines() if ln.startswith("|"))
        return [c.strip() for c in line.strip("|").split("|")]
    data = text.split('<script type="application/json" id="audit-data">', 1)[1]
    return [c["header"] for c in json.loads(data.split("</script>", 1)[0])["columns"]]


def _expected_headers(fmt: str) -> list[str]:
    cols = columns.shown_in(fmt)  # type: ignore[arg-type]
    if fmt == "table":
        return [c.short or c.header.upper() for c in cols]
    if fmt == "csv":
        return [c.key for c in cols]
    return [c.header for c in cols]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_every_format_shows_the_column_table(examples_repo: GitRepoBuilder, fmt: str) -> None:
    res = _audit(examples_repo, "--format", fmt)
    assert _shown_headers(fmt, res.stdout) == _expected_headers(fmt)  # type: ignore[attr-defined]


def test_a_new_column_is_one_entry(
    examples_repo: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collected column: computed where the model is judged, in every format, in JSON,
    read back by a merge."""

    def approvers(model: object, doc: object) -> columns.Cell:
        value = doc.get("/deploy/approvers") if doc is not None else None  # type: ignore[attr-defined]
        return len(value) if isinstance(value, list) else None

    column = columns.collected("approvers", "Approvers", approvers, kind="days", short="APPR")
    monkeypatch.setattr(columns, "COLUMNS", (*columns.COLUMNS, column))
    out = {fmt: tmp_path / f"audit.{fmt}" for fmt in ("table", "csv", "markdown", "html", "json")}
    args = [a for fmt, path in out.items() for a in ("--output", f"{fmt}={path}")]
    res = _audit(examples_repo, *args)
    assert res.exit_code == 1, res.stderr  # type: ignore[attr-defined]
    text = {fmt: path.read_text(encoding="utf-8") for fmt, path in out.items()}
    for fmt in ("table", "csv", "markdown", "html"):
        assert _shown_headers(fmt, text[fmt])[-1] == _expected_headers(fmt)[-1], fmt
    report = json.loads(text["json"])
    counts = {m["path"]: m["approvers"] for m in report["models"]}
    assert counts == {"churn/model.yaml": 1, "fraud/model.yaml": 3}, counts
    rows = list(csv.DictReader(io.StringIO(text["csv"])))
    assert {r["path"]: r["approvers"] for r in rows} == {
        "churn/model.yaml": "1",
        "fraud/model.yaml": "3",
    }
    merged = run_cli("audit", "merge", str(out["json"]), "--format", "json")
    assert merged.stdout == text["json"]

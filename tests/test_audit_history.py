"""``modelgov audit --history FILE``: runs appended to SQLite, whole or not at all.

Real audits of a real repository are appended; interruption is tested with an
exception raised mid-write and with a process killed (SIGKILL) inside its
transaction; concurrency with processes appending at once and with a lock
held by another connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import BROKEN, COMPLIANT, ROOT, GitRepoBuilder, run_cli
from modelgov.audit import history
from modelgov.audit.report import from_json


@pytest.fixture
def repo(make_repo: object) -> GitRepoBuilder:
    r: GitRepoBuilder = make_repo("org")  # type: ignore[operator]
    r.copy_example(COMPLIANT, "fraud")
    r.copy_example(BROKEN, "churn")
    r.commit("two models", date="2026-11-02")
    return r


def _audit(repo: GitRepoBuilder, db: Path, today: str, *args: str) -> object:
    return run_cli(
        "audit", str(repo.path), "--today", today, "--jobs", "1", "--history", str(db), *args
    )


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_runs_are_appended_with_every_row(repo: GitRepoBuilder, tmp_path: Path) -> None:
    db = tmp_path / "audits.sqlite"
    report = tmp_path / "r.json"
    first = _audit(repo, db, "2026-11-30", "--output", f"json={report}", "--format", "json")
    assert first.exit_code == 1, first.stderr  # type: ignore[attr-defined]
    assert first.stdout == report.read_text()  # type: ignore[attr-defined]  # the trend is not in JSON
    second = _audit(repo, db, "2027-03-30", "--format", "json")
    assert second.exit_code == 1  # type: ignore[attr-defined]
    assert history.run_ids(db) == [1, 2]
    data = json.loads(report.read_text())
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        run = con.execute("SELECT * FROM runs WHERE id = 1").fetchone()
        assert run["today"] == "2026-11-30" and run["models"] == 2 and run["gating"] == 1
        assert run["report_sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
        assert run["policy_digest"] == data["policy"]["digest"] and run["exit_code"] == 1
        rows = {r["path"]: r for r in con.execute("SELECT * FROM models WHERE run_id = 1")}
        assert rows["fraud/model.yaml"]["status"] == "pass"
        assert rows["fraud/model.yaml"]["days_since_review"] == 28
        churn = rows["churn/model.yaml"]["id"]
        failing = {
            r[0] for r in con.execute("SELECT rule FROM failing_rules WHERE model_id = ?", (churn,))
        }
        expected = next(m for m in data["models"] if m["path"] == "churn/model.yaml")
        assert failing == set(expected["failing_rules"])
        findings = con.execute(
            "SELECT COUNT(*) FROM findings WHERE model_id = ?", (churn,)
        ).fetchone()[0]
        assert findings == len(expected["findings"])
        mg131 = con.execute(
            "SELECT judged, failing FROM rule_runs WHERE run_id = 1 AND rule = 'MG131'"
        ).fetchone()
        assert tuple(mg131) == (2, 1)
        later = con.execute("SELECT gating FROM runs WHERE id = 2").fetchone()[0]
        assert later == 2  # by March the compliant model's review is overdue too
    trend = history.trend(db)
    assert [r["today"] for r in trend["runs"]] == ["2026-11-30", "2027-03-30"]
    assert [r["pass_rate"] for r in trend["runs"]] == [0.5, 0.0]
    assert trend["teams"]["payments-ml"] == [1.0, 0.0]
    assert trend["rules"]["MG131"] == {"name": "rollback-too-slow", "rates": [0.5, 0.5]}


def test_merge_appends_the_merged_report(repo: GitRepoBuilder, tmp_path: Path) -> None:
    part = tmp_path / "shard.json"
    run_cli("audit", str(repo.path), "--today", "2026-11-30", "--output", f"json={part}")
    db = tmp_path / "h.sqlite"
    merged = run_cli("audit", "merge", str(part), "--history", str(db), "--format", "json")
    assert merged.exit_code == 1 and history.run_ids(db) == [1]
    assert _count(db, "models") == 2


def test_the_schema_is_the_documented_one(repo: GitRepoBuilder, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _audit(repo, db, "2026-11-30")
    documented = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    doc = history.__doc__ or ""
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == set(history.TABLES)
        for table in tables:
            assert f"`{table}`" in documented, table
            for column in con.execute(f"PRAGMA table_info({table})"):
                assert f"``{column[1]}``" in doc, (table, column[1])
                assert f"`{column[1]}`" in documented, (table, column[1])


def test_an_interrupted_write_leaves_nothing(
    repo: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "h.sqlite"
    _audit(repo, db, "2026-11-30")
    before = {t: _count(db, t) for t in history.TABLES}
    real = history._insert

    def interrupted(con: sqlite3.Connection, report: object, digest: str) -> int:
        real(con, report, digest)  # type: ignore[arg-type]  # everything written...
        raise KeyboardInterrupt  # ...then Ctrl-C before the commit

    monkeypatch.setattr(history, "_insert", interrupted)
    res = _audit(repo, db, "2026-12-01")
    assert res.exit_code == 130  # type: ignore[attr-defined]
    assert {t: _count(db, t) for t in history.TABLES} == before
    # a first run interrupted leaves no schema half made either
    fresh = tmp_path / "fresh.sqlite"
    assert _audit(repo, fresh, "2026-12-01").exit_code == 130  # type: ignore[attr-defined]
    with sqlite3.connect(fresh) as con:
        assert con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from modelgov.audit import history
    from modelgov.audit.report import from_json
    report = from_json(Path(sys.argv[2]).read_text(), sys.argv[2])
    db, mode, count = Path(sys.argv[1]), sys.argv[3], int(sys.argv[4])
    if mode == "kill":
        real = history._insert
        def killed(con, rep, digest):
            real(con, rep, digest)
            os.kill(os.getpid(), signal.SIGKILL)  # dies inside the transaction
        history._insert = killed
    for _ in range(count):
        history.append(db, report)
    """
)


def _writer(db: Path, report: Path, mode: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db), str(report), mode, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_writer_leaves_the_history_as_it_was(repo: GitRepoBuilder, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    report = tmp_path / "r.json"
    _audit(repo, db, "2026-11-30", "--output", f"json={report}")
    proc = _writer(db, report, "kill", 1)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert history.run_ids(db) == [1] and _count(db, "models") == 2
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _audit(repo, db, "2026-12-01").exit_code == 1  # type: ignore[attr-defined]
    assert history.run_ids(db) == [1, 2]


def test_concurrent_runs_all_land(repo: GitRepoBuilder, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    report = tmp_path / "r.json"
    run_cli("audit", str(repo.path), "--today", "2026-11-30", "--output", f"json={report}")
    procs = [_writer(db, report, "append", 8) for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert len(history.run_ids(db)) == 24
    assert _count(db, "models") == 48
    # a run waits for another's lock instead of failing
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiting = _writer(db, report, "append", 1)
    with pytest.raises(subprocess.TimeoutExpired):
        waiting.wait(timeout=1.5)
    holder.execute("COMMIT")
    holder.close()
    waiting.communicate(timeout=60)
    assert waiting.returncode == 0 and len(history.run_ids(db)) == 25


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: p.write_text("not a database, a file someone cares about\n" * 50),
            "is not a modelgov history",
        ),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE mine (x)"),
            "but not a modelgov history",
        ),
        (lambda p: sqlite3.connect(p).execute("PRAGMA user_version = 7"), "schema version 7"),
    ],
)
def test_a_file_that_is_not_a_history_is_refused_and_left_alone(
    repo: GitRepoBuilder, tmp_path: Path, make: object, message: str
) -> None:
    db = tmp_path / "h.sqlite"
    make(db)  # type: ignore[operator]
    before = db.read_bytes()
    res = _audit(repo, db, "2026-11-30")
    assert res.exit_code == 2, res.stdout  # type: ignore[attr-defined]
    assert message in res.stderr and "Traceback" not in res.stderr  # type: ignore[attr-defined]
    assert db.read_bytes() == before
    assert res.stdout == ""  # type: ignore[attr-defined]  # no report without its history


def test_the_trend_of_a_missing_or_empty_history(tmp_path: Path) -> None:
    empty = tmp_path / "e.sqlite"
    sqlite3.connect(empty).close()
    assert history.trend(empty) == {"runs": [], "teams": {}, "rules": {}}
    report = from_json((ROOT / "tests" / "golden" / "audit-json.json").read_text().replace(
        "@VERSION@", "0"), "golden")  # fmt: skip
    history.append(empty, report)
    assert [r["pass_rate"] for r in history.trend(empty)["runs"]] == [0.5]
    assert re.fullmatch(r"[0-9a-f]{64}", sqlite3.connect(empty).execute(
        "SELECT report_sha256 FROM runs").fetchone()[0])  # fmt: skip
    assert not os.path.exists(tmp_path / "e.sqlite-journal")

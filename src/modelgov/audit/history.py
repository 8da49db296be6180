"""``--history FILE``: every audit run appended to an SQLite database, and trends read back.

SQLite is the embedded default: one file, no server, in Python's standard
library, readable by any SQL tool.  The schema (``PRAGMA user_version`` 1) has
one table per concept:

``runs``
    one row per audit appended: ``id``, ``today``, ``as_of``, ``modelgov``
    (version), ``policy_name``, ``policy_digest``, ``fail_on``, ``repos``,
    ``models`` (rows), ``gating`` (rows that fail the run), ``exit_code`` and
    ``report_sha256`` (the SHA-256 of the JSON report, the run's evidence).
``repos``
    per run, every repository: ``run_id``, ``repo``, ``status`` (ok, error),
    ``reason``, ``commit_id``, ``team``.
``models``
    per run, every row of the report: ``id``, ``run_id``, ``repo``, ``path``,
    ``name``, ``owner``, ``team``, ``risk_tier``, ``status`` (pass, fail, error,
    undeclared), ``days_since_review``, ``days_since_drill``,
    ``stale_code_days``, ``commit_id``, ``blob``, ``policy_digest``.
``failing_rules``
    ``model_id``, ``rule``: the rules failing each row at the fail level.
``findings``
    ``model_id``, ``rule``, ``severity``, ``pointer``, ``line``, ``col``,
    ``message``, ``waived`` (0 or 1).
``rule_runs``
    per run and rule of the policy: ``run_id``, ``rule``, ``name``, ``judged``
    (rows the rule judged), ``failing`` (rows it failed): the per-rule pass
    rate over time.

Safe against concurrent runs and interruption: a run is written in one
``BEGIN IMMEDIATE`` transaction (writers queue on SQLite's lock for up to
:data:`BUSY_SECONDS`; readers are never blocked for long), so it is there
whole or not at all -- Ctrl-C, a killed process or a full disk leave the
database as it was (SQLite's rollback journal).  The schema is created in the
same transaction as the first run.  A file that is not a modelgov history, or
one written by a newer modelgov, is refused (exit 2) and left untouched.

Nothing here reads the wall clock: a run is dated by the audit's ``today``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .report import AuditReport
from .rows import Row

SCHEMA_VERSION = 1
BUSY_SECONDS = 60.0
#: Runs the HTML trend draws (the most recent ones).
TREND_RUNS = 24
TABLES = ("runs", "repos", "models", "failing_rules", "findings", "rule_runs")

SCHEMA = """
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  today TEXT NOT NULL,
  as_of TEXT,
  modelgov TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  policy_digest TEXT NOT NULL,
  fail_on TEXT NOT NULL,
  repos INTEGER NOT NULL,
  models INTEGER NOT NULL,
  gating INTEGER NOT NULL,
  exit_code INTEGER NOT NULL,
  report_sha256 TEXT NOT NULL
);
CREATE TABLE repos (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  commit_id TEXT NOT NULL,
  team TEXT NOT NULL,
  PRIMARY KEY (run_id, repo)
);
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  risk_tier TEXT,
  status TEXT NOT NULL,
  days_since_review INTEGER,
  days_since_drill INTEGER,
  stale_code_days INTEGER,
  commit_id TEXT NOT NULL,
  blob TEXT NOT NULL,
  policy_digest TEXT NOT NULL
);
CREATE INDEX models_by_run ON models (run_id);
CREATE TABLE failing_rules (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  PRIMARY KEY (model_id, rule)
);
CREATE TABLE findings (
  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  pointer TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  message TEXT NOT NULL,
  waived INTEGER NOT NULL
);
CREATE INDEX findings_by_model ON findings (model_id);
CREATE TABLE rule_runs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  name TEXT NOT NULL,
  judged INTEGER NOT NULL,
  failing INTEGER NOT NULL,
  PRIMARY KEY (run_id, rule)
);
"""


@contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        con = sqlite3.connect(str(path), timeout=BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot open the history {path}: {exc}") from None
    with closing(con):
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            yield con
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise UsageError(
                    f"the history {path} stayed locked by another run for {BUSY_SECONDS:.0f} s; "
                    "try again"
                ) from None
            raise UsageError(f"cannot use the history {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"{path} is not a modelgov history (SQLite: {exc})") from None


def _check_schema(con: sqlite3.Connection, path: Path, *, create: bool) -> bool:
    """True when the schema is there; creates it (``create``) in the open transaction."""
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and not tables:
        if create:
            # statement by statement: executescript() would commit the open transaction
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return True
        return False
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"the history {path} has schema version {version}; this modelgov writes "
            f"{SCHEMA_VERSION}: use a newer modelgov or another file"
        )
    if version != SCHEMA_VERSION or not set(TABLES) <= tables:
        raise UsageError(f"{path} is an SQLite database but not a modelgov history")
    return True


def _judged(row: Row, rule: str) -> bool:
    if rule in row.failing_rules:
        return True
    return row.status in ("pass", "fail") and rule not in row.rules_skipped


def append(path: Path, report: AuditReport) -> int:
    """Append ``report`` as one run (one transaction); the new run's id."""
    digest = hashlib.sha256(report.to_json().encode("utf-8")).hexdigest()
    with _connect(path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            _check_schema(con, path, create=True)
            run_id = _insert(con, report, digest)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    return run_id


def _insert(con: sqlite3.Connection, report: AuditReport, digest: str) -> int:
    cur = con.execute(
        "INSERT INTO runs (today, as_of, modelgov, policy_name, policy_digest, fail_on, repos, "
        "models, gating, exit_code, report_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            report.today, report.as_of, report.version, str(report.policy.get("name", "")),
            str(report.policy.get("digest", "")), report.fail_on, len(report.repos),
            len(report.models), len(report.gating()), report.exit_code, digest,
        ),
    )  # fmt: skip
    run_id = int(cur.lastrowid or 0)
    con.executemany(
        "INSERT INTO repos (run_id, repo, status, reason, commit_id, team) VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, r.repo, r.status, r.reason, r.commit, r.team) for r in report.repos],
    )
    for row in report.models:
        ev = row.evidence
        cur = con.execute(
            "INSERT INTO models (run_id, repo, path, name, owner, team, risk_tier, status, "
            "days_since_review, days_since_drill, stale_code_days, commit_id, blob, policy_digest) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id, row.repo, row.path, row.name, row.owner, row.team, row.risk_tier,
                row.status, row.days_since_review, row.days_since_drill, row.stale_code_days,
                ev.commit, ev.blob, ev.policy_digest,
            ),
        )  # fmt: skip
        model_id = int(cur.lastrowid or 0)
        con.executemany(
            "INSERT INTO failing_rules (model_id, rule) VALUES (?, ?)",
            [(model_id, rule) for rule in dict.fromkeys(row.failing_rules)],
        )
        con.executemany(
            "INSERT INTO findings (model_id, rule, severity, pointer, line, col, message, waived) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    model_id,
                    f.rule,
                    f.severity,
                    f.pointer,
                    f.line,
                    f.col,
                    f.message,
                    int(not f.active),
                )
                for f in row.findings
            ],
        )
    con.executemany(
        "INSERT INTO rule_runs (run_id, rule, name, judged, failing) VALUES (?, ?, ?, ?, ?)",
        [
            (
                run_id,
                rule.id,
                rule.name,
                sum(1 for r in report.models if _judged(r, rule.id)),
                sum(1 for r in report.models if rule.id in r.failing_rules),
            )
            for rule in report.rules
        ],
    )
    return run_id


def _rate(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def trend(path: Path, runs: int = TREND_RUNS) -> dict[str, Any]:
    """Pass rates over the last ``runs`` runs: overall, per team and per rule.

    ``{"runs": [{"id", "today", "models", "passing", "pass_rate", "policy_digest"}],
    "teams": {team: [rate or None per run]}, "rules": {rule: {"name", "rates"}}}``;
    a rate is ``None`` where a team had no row or a rule judged none.
    """
    with _connect(path) as con:
        if not _check_schema(con, path, create=False):
            return {"runs": [], "teams": {}, "rules": {}}
        chosen = con.execute(
            "SELECT id, today, models, policy_digest FROM runs ORDER BY today DESC, id DESC LIMIT ?",
            (runs,),
        ).fetchall()[::-1]
        ids = [r[0] for r in chosen]
        marks = ",".join("?" * len(ids)) or "NULL"
        teams: dict[str, list[float | None]] = {}
        counts: dict[tuple[int, str], tuple[int, int]] = {}
        for run_id, team, total, passing in con.execute(
            f"SELECT run_id, team, COUNT(*), SUM(status = 'pass') FROM models "  # noqa: S608 - placeholders only
            f"WHERE run_id IN ({marks}) GROUP BY run_id, team",
            ids,
        ):
            counts[(run_id, team or "(no team)")] = (int(passing or 0), int(total))
            teams.setdefault(team or "(no team)", [])
        for team in teams:
            teams[team] = [_rate(*counts.get((i, team), (0, 0))) for i in ids]
        overall = {i: (0, 0) for i in ids}
        for (i, _), (good, total) in counts.items():
            overall[i] = (overall[i][0] + good, overall[i][1] + total)
        rules: dict[str, dict[str, Any]] = {}
        by_rule: dict[tuple[int, str], float | None] = {}
        for run_id, rule, name, judged, failing in con.execute(
            f"SELECT run_id, rule, name, judged, failing FROM rule_runs WHERE run_id IN ({marks})",  # noqa: S608
            ids,
        ):
            rules.setdefault(rule, {"name": name, "rates": []})
            by_rule[(run_id, rule)] = _rate(int(judged) - int(failing), int(judged))
        for rule, entry in rules.items():
            entry["rates"] = [by_rule.get((i, rule)) for i in ids]
        return {
            "runs": [
                {
                    "id": i,
                    "today": today,
                    "models": models,
                    "passing": overall[i][0],
                    "pass_rate": _rate(*overall[i]),
                    "policy_digest": digest,
                }
                for i, today, models, digest in chosen
            ],
            "teams": dict(sorted(teams.items())),
            "rules": dict(sorted(rules.items())),
        }


def run_ids(path: Path) -> Sequence[int]:
    """The ids of the runs the history holds, oldest first (for tests and tools)."""
    with _connect(path) as con:
        if not _check_schema(con, path, create=False):
            return []
        return [int(r[0]) for r in con.execute("SELECT id FROM runs ORDER BY id")]

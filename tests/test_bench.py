"""The benchmark works: ``bench/run.py --quick`` builds its fixtures, runs every command
and reports every target of issue 8.

Timing targets are the benchmark's business, not a unit test's: the bounds here
are loose (figures are positive numbers, verdicts are PASS or MISS) and only
prove that the measuring machinery runs end to end on tiny fixtures.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # runs the benchmark on its fixtures

TARGET_IDS = (
    "check-speed",
    "audit-speed",
    "check-memory",
    "audit-memory",
    "check-history",
    "check-history-early",
    "audit-growth",
    "audit-small",
)


def test_quick_benchmark_measures_every_target(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--repeat",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout

    # the table: machine facts, a row per target with a figure and a verdict, the commands
    assert re.search(r"machine: \d+ cores, .*Python 3\.\d+.*git version .*libyaml", table)
    for target in TARGET_IDS:
        row = re.search(rf"^{target}\s+(\d+\.\d+)(x|MiB)\s.*\b(PASS|MISS)\b", table, re.M)
        assert row, f"no row for {target} in:\n{table}"
        assert float(row.group(1)) > 0
    assert "modelgov check --today 2026-11-30" in table
    assert "check-jsonschema --schemafile" in table
    assert "log -1 --format=%ct -- model.yaml" in table

    # the JSON: every command measured, with positive times and memory for modelgov's runs
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["format"] == "modelgov-bench/1"
    assert result["mode"] == "quick"
    names = set(result["measurements"])
    assert {"check 30 commits", "check 300 commits", "check-jsonschema"} <= names
    assert {"check early 30 commits", "check early 300 commits"} <= names
    assert {"audit 5 repos", "audit 5 repos -j 1"} <= names
    assert {f"audit {n} repos" for n in (4, 8, 16, 32)} <= names
    assert {f"floor {n} repos" for n in (4, 8, 16, 32)} <= names
    for name, series in result["measurements"].items():
        assert len(series["seconds"]) == 1, name
        assert series["median"] > 0, name
        if not name.startswith("floor"):
            assert series["maxrss_mib"] > 0, name
            assert series["tree_rss_mib"] >= series["maxrss_mib"] * 0.5, name
    assert {t["id"] for t in result["targets"]} == set(TARGET_IDS)
    for t in result["targets"]:
        assert t["verdict"] in ("PASS", "MISS")
        assert t["figure"] > 0
    assert [g["repos"] for g in result["audit_growth"]] == [4, 8, 16, 32]

    # the audit really audited every generated repository, without error rows
    report = json.loads((tmp_path / "work" / "out" / "audit-32.json").read_text("utf-8"))
    assert report["summary"]["repos"] == {"total": 32, "ok": 32, "error": 0}
    assert report["summary"]["models"] > 0
    for name in ("audit-5-repos", "audit-5-repos-j-1"):  # the small audit, both ways
        small = json.loads((tmp_path / "work" / "out" / f"{name}.json").read_text("utf-8"))
        assert small["summary"]["repos"] == {"total": 5, "ok": 5, "error": 0}
    # the early layout: model.yaml only in the first commit, code in every commit since
    early = tmp_path / "work" / "early-300"
    log = subprocess.run(
        ["git", "log", "--format=%H", "--", "model.yaml"],
        cwd=early, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert len(log) == 1
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD", "--", "src/fraud", "training/fraud"],
        cwd=early, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert int(count) == 300

    # check and audit run git a few times per repository, never per commit
    extras = result["extras"]
    assert 1 <= sum(extras["git_processes_check"].values()) <= 10
    assert 1 <= extras["git_processes_audit_per_repo"] <= 10
    assert {row["module"] for row in extras["imports"]} >= {"click", "modelgov.cli"}


def test_benchmark_measures_a_committed_snapshot(tmp_path: Path) -> None:
    """--rev REV measures modelgov as committed at REV, whatever the work tree holds."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--repeat",
            "1",
            "--only",
            "check",
            "--no-extras",
            "--rev",
            "HEAD",
            "--work",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["machine"]["commit"] == f"HEAD = {head[:12]} (snapshot)"
    snapshot = tmp_path / "work" / "snapshots" / head[:12] / "src"
    assert (snapshot / "modelgov" / "cli" / "__init__.py").is_file()
    check = result["measurements"]["check 30 commits"]
    assert f"PYTHONPATH={snapshot} {snapshot.parent / 'bin' / 'modelgov'} check" in check["command"]
    assert check["median"] > 0
    # only the check group ran: the audit targets say so instead of inventing a figure
    verdicts = {t["id"]: t["verdict"] for t in result["targets"]}
    assert verdicts["check-speed"] in ("PASS", "MISS")
    assert verdicts["audit-speed"] == verdicts["audit-growth"] == "SKIP"

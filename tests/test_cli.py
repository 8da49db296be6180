"""The command line end to end: in-process through click and as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import modelgov
from conftest import BROKEN, COMPLIANT, TODAY, run_cli


def test_text_output_shape() -> None:
    result = run_cli("check", str(BROKEN), "--no-color")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    first = lines[0]
    # file:line:col: severity RULE message, then the hint indented below
    assert first.startswith("model.yaml:") or first.startswith("examples/broken/model.yaml:")
    _file, line, col, rest = first.split(":", 3)
    assert line.isdigit() and col.isdigit()
    assert rest.split()[0] in ("error", "warning", "note")
    assert lines[1].startswith("    hint: ")
    assert lines[-1].startswith("Failed: ")
    assert "\x1b[" not in result.stdout


def test_json_output_is_complete_and_stable() -> None:
    result = run_cli("check", str(BROKEN), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["format_version"] == 2
    assert data["tool"] == {"name": "modelgov", "version": modelgov.__version__}
    assert data["today"] == TODAY
    (target,) = data["targets"]
    assert target["policy"]["name"] == "default"
    assert target["policy"]["digest"].startswith("sha256:")
    assert target["root"] == "." and target["config"] is None and target["exit_code"] == 1
    assert data["summary"]["errors"] == len(
        [f for f in data["findings"] if f["severity"] == "error"]
    )
    assert data["models"][0]["status"] == "fail"
    for finding in data["findings"]:
        assert set(finding) >= {
            "rule",
            "severity",
            "file",
            "pointer",
            "line",
            "col",
            "message",
            "hint",
            "model",
            "repo_path",
            "target",
        }
        assert finding["line"] >= 1 and finding["col"] >= 1
        assert finding["model"] == "Churn Model" or finding["model"] == ""
    again = run_cli("check", str(BROKEN), "--format", "json")
    assert again.stdout == result.stdout


def test_output_file_and_format_pairs(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    js = tmp_path / "sub" / "report.json"
    result = run_cli("check", str(BROKEN), "--output", str(out), "--output", f"json={js}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Failed:" in out.read_text()
    assert json.loads(js.read_text())["summary"]["exit_code"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--today", "30/11/2026"], "--today must be a date"),
        (["check", "does-not-exist"], "does not exist"),
        (["check", "--fail-on", "sometimes"], "Invalid value for '--fail-on'"),
        (["check", "--output", "x=y=z", "--output", "a"], "unknown format 'x'"),
        (["explain", "MG999"], "unknown rule 'MG999'"),
        (["check", "--staged", "--rev", "HEAD"], "cannot be combined"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args, cwd=COMPLIANT)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_today_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELGOV_TODAY", "2027-06-01")
    result = run_cli("check", str(COMPLIANT))
    assert result.exit_code == 1
    assert "MG200 the last review was 211 days ago" in result.stdout
    assert run_cli("check", str(COMPLIANT), "--today", TODAY).exit_code == 0


def test_missing_declaration_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import torch\n")
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 1
    assert "model.yaml:1:1: error MG009 no model.yaml found" in result.stdout


def test_rules_and_explain() -> None:
    result = run_cli("rules")
    assert result.exit_code == 0
    assert "MG141  drift-signals" in result.stdout
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    ids = [r["id"] for r in data["rules"]]
    assert ids == sorted(ids) and "MG152" in ids
    strict = json.loads(run_cli("rules", "--policy", "strict", "--format", "json").stdout)
    mg170 = next(r for r in strict["rules"] if r["id"] == "MG170")
    assert mg170["by_tier"] == {"low": "error", "medium": "error", "high": "error"}
    explained = run_cli("explain", "rollback-too-slow")
    assert explained.exit_code == 0
    text = explained.stdout
    assert text.startswith("MG131 rollback-too-slow")
    assert "Fails:" in text and "Passes:" in text and "Fix:" in text
    assert "max_minutes (int)" in text and "[240 / 60 / 30]" in text


def test_every_rule_explains_itself() -> None:
    from modelgov.registry import builtin

    for rule in builtin():
        text = run_cli("explain", rule.id).stdout
        assert rule.summary in text
        assert "Fails:" in text and "Passes:" in text and "Fix:" in text, rule.id


def test_init_writes_a_skeleton_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Dana Okafor\n\temail = dana.okafor@example.com\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    folder = tmp_path / "Fraud Scorer"
    folder.mkdir()
    result = run_cli("init", str(folder))
    assert result.exit_code == 0, result.stderr
    text = (folder / "model.yaml").read_text()
    assert "name: fraud-scorer" in text
    assert "email: dana.okafor@example.com" in text
    assert "# yaml-language-server: $schema=" in text
    before = text
    again = run_cli("init", str(folder))
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert (folder / "model.yaml").read_text() == before
    # the skeleton parses and is judged: its TODOs are findings, not crashes
    check = run_cli("check", str(folder))
    assert check.exit_code == 1
    assert "Traceback" not in check.stderr


def test_internal_error_is_short_and_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelgov.rules import mg142_drift_alert_route as rule

    def boom(ctx: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(rule, "check", boom)
    from modelgov import registry

    registry.builtin.cache_clear()
    registry.full.cache_clear()
    try:
        result = run_cli("check", str(COMPLIANT))
    finally:
        monkeypatch.undo()
        registry.builtin.cache_clear()
        registry.full.cache_clear()
    assert result.exit_code == 3
    assert "internal error" in result.stderr
    assert "MG142" in result.stderr
    assert "please report" in result.stderr
    assert "Traceback" not in result.stderr


def _installed_modelgov() -> list[str]:
    exe = shutil.which("modelgov", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "modelgov"]


def test_real_subprocess_of_the_installed_command(tmp_path: Path) -> None:
    env = dict(os.environ, MODELGOV_TODAY=TODAY)
    proc = subprocess.run(
        [*_installed_modelgov(), "check", str(COMPLIANT), str(BROKEN)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "MG131" in proc.stdout
    assert "in 2 models" in proc.stdout
    module = subprocess.run(
        [sys.executable, "-m", "modelgov", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0
    assert modelgov.__version__ in module.stdout


def test_broken_pipe_is_not_an_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        f"{' '.join(_installed_modelgov())} rules | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in proc.stderr


def test_output_to_a_device_or_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = run_cli("check", str(BROKEN), "--output", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 1
    assert "Failed:" in got[0]
    assert fifo.is_fifo()
    assert run_cli("check", str(COMPLIANT), "--output", os.devnull).exit_code == 0
    assert Path(os.devnull).is_char_device()
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    run_cli("check", str(COMPLIANT), "--output", str(link))
    assert link.is_symlink()
    assert "All clear" in target.read_text()

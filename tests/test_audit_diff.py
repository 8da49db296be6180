"""``modelgov audit diff OLD.json NEW.json``: two real audits of a repository that changed.

The repository's history is written here (files, dates): the first audit runs
on its first state, the second after commits that break one model, fix
another, add and remove models and waive a finding.  Expectations come from
those edits, never from running the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLIANT, GitRepoBuilder, run_cli


def _model(name: str, **edits: str) -> str:
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    text = text.replace("name: fraud-scorer", f"name: {name}")
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def audits(make_repo: object, tmp_path: Path) -> dict[str, Any]:
    repo: GitRepoBuilder = make_repo("org")  # type: ignore[operator]
    for name in ("stays", "breaks", "leaves", "waived"):
        repo.copy_example(COMPLIANT, name)
        repo.write(f"{name}/model.yaml", _model(name))
    repo.copy_example(COMPLIANT, "mends")
    repo.write("mends/model.yaml", _model("mends", **{"max_minutes: 15": "max_minutes: 120"}))
    repo.commit("four good models and a broken one", date="2026-11-02")
    old = tmp_path / "old.json"
    first = run_cli("audit", str(repo.path), "--today", "2026-11-30", "--jobs", "1",
                    "--output", f"json={old}", "--format", "json")  # fmt: skip
    assert first.exit_code == 1, first.stderr  # `mends` fails
    # breaks: rollback too slow; mends: becomes the compliant example; leaves: removed;
    # added: a new failing model; waived: a slow rollback, waived
    repo.write("breaks/model.yaml", _model("breaks", **{"max_minutes: 15": "max_minutes: 90"}))
    repo.write("mends/model.yaml", _model("mends"))
    shutil.rmtree(repo.path / "leaves")
    repo.copy_example(COMPLIANT, "added")
    repo.write("added/model.yaml", _model("added", **{"max_minutes: 15": "max_minutes: 45"}))
    repo.write(
        "waived/model.yaml",
        _model(
            "waived",
            **{
                "max_minutes: 15": "max_minutes: 45",
                "waivers: []": "waivers:\n  - rule: MG131\n    reason: the registry migration\n"
                "    approved_by: priya.natarajan@example.com\n    expires: 2026-12-20",
            },
        ),
    )
    repo.commit("changes", date="2026-11-20")
    new = tmp_path / "new.json"
    second = run_cli("audit", str(repo.path), "--today", "2026-11-30", "--jobs", "1",
                     "--output", f"json={new}", "--format", "json")  # fmt: skip
    assert second.exit_code == 1, second.stderr
    return {"repo": repo, "old": old, "new": new}


def test_what_got_worse_and_better(audits: dict[str, Any]) -> None:
    res = run_cli("audit", "diff", str(audits["old"]), str(audits["new"]), "--format", "json")
    assert res.exit_code == 1, res.stderr
    diff = json.loads(res.stdout)
    assert diff["format"] == "modelgov-audit-diff" and diff["worse"] is True
    models = diff["models"]
    paths = {k: [m["path"] for m in v] for k, v in models.items()}
    assert paths == {
        "newly_failing": ["breaks/model.yaml"],
        "fixed": ["mends/model.yaml"],
        "changed": [],
        "added": ["added/model.yaml"],
        "removed": ["leaves/model.yaml"],
    }
    breaks = models["newly_failing"][0]
    assert (breaks["old_status"], breaks["new_status"]) == ("pass", "fail")
    assert breaks["new_failing_rules"] == ["MG131"]
    assert models["removed"][0]["new_status"] is None
    added = [(f["path"], f["rule"], f["pointer"]) for f in diff["findings"]["added"]]
    assert added == [("breaks/model.yaml", "MG131", "/rollback/max_minutes")]  # not the waived one
    assert diff["findings"]["added"][0]["gating"] is True
    resolved = [(f["path"], f["rule"]) for f in diff["findings"]["resolved"]]
    # mends was fixed; the slow rollback of `waived` is waived: neither added nor resolved
    assert resolved == [("mends/model.yaml", "MG131")]
    assert diff["settings_changed"] == []


def test_text_and_markdown(audits: dict[str, Any]) -> None:
    text = run_cli("audit", "diff", str(audits["old"]), str(audits["new"]))
    assert text.exit_code == 1
    out = text.stdout
    assert "Newly failing (1):\n  " in out and "breaks/model.yaml  pass -> fail  +MG131" in out
    assert "Fixed (1):" in out and "Removed (1):" in out and "Added (1):" in out
    assert "breaks/model.yaml:33:16: error MG131 rollback takes 90 minutes" in out
    assert out.rstrip().endswith(
        "Worse: 1 model newly failing, 1 added model failing, 1 finding added at the fail level "
        "(exit 1)."
    )
    md = run_cli("audit", "diff", str(audits["old"]), str(audits["new"]), "--format", "markdown")
    assert md.stdout.startswith("## :x: modelgov audit diff: 2026-11-30 → 2026-11-30")
    assert "### Newly failing (1)" in md.stdout and "| pass → fail |" in md.stdout


def test_no_change_is_not_worse(audits: dict[str, Any], tmp_path: Path) -> None:
    same = run_cli("audit", "diff", str(audits["new"]), str(audits["new"]), "--format", "json")
    assert same.exit_code == 0
    diff = json.loads(same.stdout)
    assert not any(diff["models"].values()) and not any(diff["findings"].values())
    back = run_cli("audit", "diff", str(audits["new"]), str(audits["old"]))
    # the other way round: mends and breaks swap, leaves comes back passing, added is removed
    assert back.exit_code == 1 and "Newly failing (1):\n  " in back.stdout
    assert "mends/model.yaml  pass -> fail  +MG131" in back.stdout
    improving = run_cli("audit", "diff", str(audits["old"]), str(audits["old"]), "--output",
                        f"markdown={tmp_path / 'd.md'}")  # fmt: skip
    assert improving.exit_code == 0
    assert improving.stdout.rstrip().endswith("(exit 0).")
    assert (tmp_path / "d.md").read_text().startswith("## :white_check_mark:")


def test_a_policy_change_is_said_first(audits: dict[str, Any], tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    run_cli("audit", str(audits["repo"].path), "--policy", "strict", "--today", "2026-11-30",
            "--output", f"json={strict}")  # fmt: skip
    res = run_cli("audit", "diff", str(audits["new"]), str(strict))
    assert "note: the policy changed (default sha256:" in res.stdout
    assert "-> strict sha256:" in res.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"format": "something-else"}', "is not a modelgov audit report"),
        ("[" * 10_000 + "]" * 10_000, "nested more than 64 levels deep"),
    ],
)
def test_bad_reports_are_usage_errors(
    audits: dict[str, Any], tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    res = run_cli("audit", "diff", str(audits["old"]), str(bad))
    assert res.exit_code == 2 and message in res.stderr and "Traceback" not in res.stderr
    missing = run_cli("audit", "diff", str(audits["old"]), str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    fmt = run_cli("audit", "diff", str(audits["old"]), str(audits["old"]), "--format", "html")
    assert fmt.exit_code == 2

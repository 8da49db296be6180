"""Patterns and custom rules from configs cannot hang a run: a bound per call and per run.

A repository's own config may supply regular expressions (MG111's
``alias_patterns``) and custom rules with ``pattern`` keywords; Python's
regex engine backtracks, so ``^(a+)+$`` against ``aaaa...a!`` never ends.
Each call is bounded, a pattern or rule that overruns is stopped once and
reported once (an error: the run fails closed), and all of a repository's
bounded calls share one budget per run: R slow rules over M models cost
about ``R x 2 s`` once, not ``2 x R x M`` seconds.  In an audit each
repository has its own budget, so a hostile repository cannot stop the
organisation's patterns for the repositories after it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import COMPLIANT

from ._support import modelgov
from .test_hostile_lossless import _git

BASE = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
#: Backtracks for ever on EVIL: nested repetition, then a character that cannot match.
BOMB = "^(a+)+$"
EVIL = "a" * 40 + "!"


def _models(
    root: Path, count: int, *, email: str = "dana.okafor@example.com", desc: str = ""
) -> None:
    for i in range(count):
        folder = root / f"m{i:03d}"
        shutil.copytree(COMPLIANT, folder)
        text = BASE.replace("email: dana.okafor@example.com", f"email: {email}", 1)
        if desc:
            text = text.replace("description: Scores", f"description: {desc} Scores", 1)
        (folder / "model.yaml").write_text(text, encoding="utf-8")


def _findings(stdout: str, rule: str) -> list[dict[str, object]]:
    return [f for f in json.loads(stdout)["findings"] if f["rule"] == rule]


def test_a_backtracking_alias_pattern_costs_one_finding_not_a_hang(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".modelgov.yaml").write_text(
        f"rules:\n  MG111:\n    options:\n      alias_patterns: ['{BOMB}', '(^|[._-])team$']\n",
        encoding="utf-8",
    )
    _models(repo, 25, email=f"{EVIL}@example.com")
    run = modelgov("check", "--format", "json", str(repo), cwd=tmp_path, timeout=40)
    assert run.code == 1, run.describe()
    assert run.wall < 15, run.describe()  # one stopped call, not one per model
    stopped = [f for f in _findings(run.stdout, "MG111") if "took longer" in str(f["message"])]
    assert len(stopped) == 1, run.describe()
    assert stopped[0]["severity"] == "error" and stopped[0]["pointer"] == "/owner/email"
    assert BOMB in str(stopped[0]["message"]) and stopped[0]["line"] == 15
    # the other pattern still judges every owner: a group alias is found after the stop
    (repo / "m024" / "model.yaml").write_text(
        BASE.replace("dana.okafor@example.com", "fraud-team@example.com", 1), encoding="utf-8"
    )
    again = modelgov("check", "--format", "json", str(repo), cwd=tmp_path, timeout=40)
    alias = [f for f in _findings(again.stdout, "MG111") if "group alias" in str(f["message"])]
    assert [f["repo_path"] for f in alias] == ["m024/model.yaml"], again.describe()


def test_custom_rules_share_one_budget_per_run(tmp_path: Path) -> None:
    """Three backtracking rules and a fast one over 60 models: each stopped once, then off."""
    repo = tmp_path / "repo"
    repo.mkdir()
    rules = [
        f"  - id: EVIL00{i}\n    message: slow\n    require:\n"
        f"      properties: {{description: {{pattern: '{BOMB}'}}}}\n"
        for i in (1, 2, 3)
    ]
    rules.append("  - id: FAST001\n    message: needs a name\n    require: {required: [name]}\n")
    (repo / ".modelgov.yaml").write_text("custom_rules:\n" + "".join(rules), encoding="utf-8")
    _models(repo, 60, desc=EVIL)
    env = {"MODELGOV_RULE_SECONDS": "0.5", "MODELGOV_RULE_BUDGET": "1.2"}
    run = modelgov("check", "--format", "json", str(repo), cwd=tmp_path, env=env, timeout=60)
    assert run.code == 1, run.describe()
    assert run.wall < 12, run.describe()  # without a run budget: 3 x 60 x 0.5 s
    by_rule = {rid: _findings(run.stdout, rid) for rid in ("EVIL001", "EVIL002", "EVIL003")}
    for rid, found in by_rule.items():
        assert len(found) == 1, (rid, run.describe())
        assert found[0]["severity"] == "error"
    messages = [str(f[0]["message"]) for f in by_rule.values()]
    assert sum("took longer than 0.5s" in m for m in messages) == 2, messages
    assert sum("is spent" in m for m in messages) == 1, messages
    # the budget is spent: the fast rule, too, is stopped once and reported once
    fast = _findings(run.stdout, "FAST001")
    assert len(fast) == 1 and "is spent" in str(fast[0]["message"]), run.describe()


def _repo(path: Path, *, email: str, config: str = "") -> None:
    shutil.copytree(COMPLIANT, path)
    (path / "model.yaml").write_text(
        BASE.replace("dana.okafor@example.com", email, 1), encoding="utf-8"
    )
    if config:
        (path / ".modelgov.yaml").write_text(config, encoding="utf-8")
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", ".")
    _git(path, "commit", "-qm", "init")


def test_in_an_audit_a_repository_cannot_slow_or_loosen_the_org_patterns(tmp_path: Path) -> None:
    """The org's own pattern backtracks on a hostile email; the next repository is still judged."""
    org = tmp_path / "org"
    org.mkdir()
    # a sloppy org pattern: nested repetition that backtracks on a long run of letters
    org_config = tmp_path / "org.yaml"
    org_config.write_text(
        "rules:\n  MG111:\n    options:\n      alias_patterns: ['^([a-z]+-?)+(team|ops)$']\n",
        encoding="utf-8",
    )
    _repo(org / "a-hostile", email=f"{EVIL}@example.com")
    loosen = "rules:\n  MG111:\n    options:\n      alias_patterns: []\n"
    _repo(org / "b-loosens", email="fraud-team@example.com", config=loosen)
    slow = f"rules:\n  MG111:\n    options:\n      alias_patterns: ['{BOMB}']\n"
    _repo(org / "c-slows", email="payments-ops@example.com", config=slow)
    _repo(org / "d-alias", email="fraud-team@example.com")
    run = modelgov(
        "audit", "--jobs", "1", "--config", str(org_config), "--format", "json", str(org),
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert run.wall < 20, run.describe()
    rows = {Path(r["repo"]).name: r for r in json.loads(run.stdout)["models"]}
    for name in ("a-hostile", "b-loosens", "c-slows", "d-alias"):
        assert rows[name]["status"] == "fail", (name, rows[name])
        assert "MG111" in rows[name]["failing_rules"], (name, rows[name])
    notes = json.dumps(rows["b-loosens"]) + json.dumps(rows["c-slows"])
    assert notes.count("alias_patterns") >= 2 and "looser than the org policy" in notes, notes

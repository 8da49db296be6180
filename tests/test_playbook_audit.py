"""The audit's operating-model columns, end to end: a real repository audited in a worker,
every format, the JSON summary, and a merge that reads the values back.

``ready_at_2am`` is the playbook's own verdict (the same function ``modelgov playbook``
exits on), so the audit and the playbook agree model by model.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from conftest import BROKEN, COMPLIANT, TODAY, GitRepoBuilder, run_cli

KEYS = ("ready_at_2am", "incidents_without_postmortem", "overdue_action_items", "override")

LATE = """  - id: INC-2026-090
    date: 2026-11-20
    severity: sev1
    summary: Scores went flat after a deploy.
    action_items:
      - title: Alert on flat scores
        owner: sam.lee@example.com
        due: 2026-11-25
        done: false
  - id: INC-2026-091
    date: 2026-10-01
    severity: sev2
    summary: Slow rollback.
"""


def _org(make_repo: Any) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo("acme")
    repo.copy_example(COMPLIANT, "fraud")
    repo.copy_example(BROKEN, "churn")
    repo.copy_example(COMPLIANT, "late")
    path = repo.path / "late" / "model.yaml"
    text = path.read_text(encoding="utf-8").replace("name: fraud-scorer", "name: late-scorer")
    path.write_text(text.replace("\nretraining:", LATE + "\nretraining:"), encoding="utf-8")
    repo.commit("three models", date="2026-11-02")
    return repo


def test_the_columns_in_every_format_and_through_a_merge(make_repo: Any, tmp_path: Path) -> None:
    repo = _org(make_repo)
    out = {fmt: tmp_path / f"audit.{fmt}" for fmt in ("table", "csv", "markdown", "html", "json")}
    args = [a for fmt, path in out.items() for a in ("--output", f"{fmt}={path}")]
    res = run_cli("audit", str(repo.path), "--jobs", "2", "--today", TODAY, *args)
    assert res.exit_code == 1, res.stderr
    text = {fmt: path.read_text(encoding="utf-8") for fmt, path in out.items()}
    report = json.loads(text["json"])
    got = {m["path"]: tuple(m[k] for k in KEYS) for m in report["models"]}
    assert got == {
        "churn/model.yaml": ("no", 0, 0, "no"),
        "fraud/model.yaml": ("yes", 0, 0, "yes"),
        # a pending sev1 post-mortem (due 2026-12-04) and an overdue one (due 2026-10-15);
        # the overdue action item makes the playbook's step 5 a gap
        "late/model.yaml": ("no", 2, 1, "yes"),
    }
    assert report["summary"]["ready_at_2am"] == {
        "models": 3,
        "ready": 1,
        "incidents_without_postmortem": 2,
        "overdue_action_items": 1,
        "without_override": 1,
    }
    late = {m["path"]: m for m in report["models"]}["late/model.yaml"]
    assert late["postmortems_due"] == [  # pending with its due date, and missing since when
        "INC-2026-090 sev1: pending, due 2026-12-04",
        "INC-2026-091 sev2: missing, was due 2026-10-15",
    ]
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(text["csv"]))}
    assert rows["late/model.yaml"]["overdue_action_items"] == "1"
    assert rows["late/model.yaml"]["postmortems_due"] == "; ".join(late["postmortems_due"])
    assert "INC-2026-090 sev1: pending, due 2026-12-04" in text["markdown"]
    assert rows["fraud/model.yaml"]["ready_at_2am"] == "yes"
    assert (
        "Ready at 2am (every playbook step answered): 1 of 3 models; 1 without override, "
        "2 incidents without post-mortem, 1 overdue action items." in text["table"]
    )
    header, *lines = text["table"].splitlines()
    at = header.index(" 2AM ") + 1
    shown = {line.split()[2]: line[at : at + 3].strip() for line in lines[:3]}
    assert shown == {"churn/model.yaml": "no", "fraud/model.yaml": "yes", "late/model.yaml": "no"}
    assert (
        "| 2am ready | Failing rules / reason | Incidents without post-mortem | Post-mortems "
        "due | Overdue action items | Override declared |" in text["markdown"]
    )
    assert "**Ready at 2am** (every playbook step answered): 1 of 3 models" in text["markdown"]
    # HTML: a card and the chart, drawn without script, each bar with its value
    html = text["html"]
    assert "<b>1</b><span>ready at 2am (of 3)</span>" in html
    chart = html.split('<div id="chart-ready" class="chart">', 1)[1].split("</div>", 1)[0]
    values = re.findall(r'data-value="(\d+)"', chart)
    labels = re.findall(r'<text class="value"[^>]*>(\d+)</text>', chart)
    assert values == labels == ["1", "2", "1", "2", "1"]
    merged = run_cli("audit", "merge", str(out["json"]), "--format", "json")
    assert merged.exit_code == 1 and merged.stdout == text["json"]


def test_the_audit_and_the_playbook_agree(make_repo: Any) -> None:
    repo = _org(make_repo)
    audit = json.loads(
        run_cli("audit", str(repo.path), "--jobs", "1", "--today", TODAY, "--format", "json").stdout
    )
    playbook = json.loads(
        run_cli("playbook", "--today", TODAY, "--format", "json", cwd=repo.path).stdout
    )
    assert {m["path"]: m["ready_at_2am"] == "yes" for m in audit["models"]} == {
        m["path"]: m["ready"] for m in playbook["models"]
    }


def test_a_merged_report_refuses_a_bad_value(make_repo: Any, tmp_path: Path) -> None:
    repo = _org(make_repo)
    res = run_cli("audit", str(repo.path), "--jobs", "1", "--today", TODAY, "--format", "json")
    data = json.loads(res.stdout)
    data["models"][0]["overdue_action_items"] = {"not": "a count"}
    shard = tmp_path / "shard.json"
    shard.write_text(json.dumps(data), encoding="utf-8")
    merged = run_cli("audit", "merge", str(shard), "--format", "json")
    assert merged.exit_code == 2 and "overdue_action_items" in merged.stderr

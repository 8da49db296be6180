"""``modelgov playbook`` end to end: real git repositories, the real command line.

The examples (the compliant one answers every step, the broken one has gaps
named by their rules), the gaps a responder meets (no escalation, a pending or
overdue post-mortem, an overdue action item with its owner), ``--model``,
several models in one repository, the JSON against its schema, usage errors,
and a hostile procedure that must not be read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import BROKEN, COMPLIANT, ROOT, TODAY, GitRepoBuilder, run_cli
from modelgov.document import load_text
from modelgov.playbook.model import build, first_rollback_heading, ready
from modelgov.results import IncidentPolicy, ModelResult

SCHEMA = json.loads((ROOT / "schemas" / "playbook.schema.json").read_text(encoding="utf-8"))


def _repo(make_repo: Any, example: Path = COMPLIANT, name: str = "repo") -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo(name, example=example)
    repo.commit("the model", date="2026-11-02")
    return repo


def _edit(repo: GitRepoBuilder, old: str, new: str, rel: str = "model.yaml") -> None:
    path = repo.path / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _json(*args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    res = run_cli("playbook", *args, "--today", TODAY, "--format", "json", cwd=cwd)
    assert res.stderr == "", res.stderr
    body = json.loads(res.stdout)
    jsonschema.validate(body, SCHEMA)
    return res.exit_code, body


def _gaps(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(step, rule, message)`` of every gap of every model."""
    return [
        (s["key"], g["rule"], g["message"])
        for m in body["models"]
        for s in m["steps"]
        for g in s["gaps"]
    ]


def _facts(body: dict[str, Any], model: int = 0) -> dict[str, str]:
    return {f["key"]: f["value"] for s in body["models"][model]["steps"] for f in s["facts"]}


def _table(body: dict[str, Any], key: str, model: int = 0) -> list[list[str]]:
    for s in body["models"][model]["steps"]:
        for t in s["tables"]:
            if t["key"] == key:
                rows: list[list[str]] = t["rows"]
                return rows
    return []


def test_the_compliant_example_answers_every_step(make_repo: Any) -> None:
    repo = _repo(make_repo)
    code, body = _json(".", cwd=repo.path)
    assert code == 0
    assert _gaps(body) == []
    model = body["models"][0]
    assert (model["name"], model["ready"], model["gaps"]) == ("fraud-scorer", True, 0)
    assert [s["key"] for s in model["steps"]] == ["page", "decide", "rollback", "watch", "redeploy"]
    facts = _facts(body)
    assert facts["rotation"] == "payments-ml-primary (pagerduty)"
    assert facts["escalation"] == "payments-ml-secondary"
    assert facts["rollback_decision_owner"] == "on_call (whoever holds payments-ml-primary)"
    assert facts["override_decision_owner"].endswith("by feature-flag fraud-scorer-enabled")
    assert facts["fallback"].startswith("rules-based scoring")
    # the procedure's path and its first heading that mentions rollback, read from the repo
    assert facts["procedure"] == (
        'docs/runbooks/fraud-scorer.md (section "Rollback (registry alias, under 15 minutes)")'
    )
    assert facts["max_minutes"] == "at most 15 minutes"
    assert facts["last_tested"] == "2026-10-12 (49 days ago)"
    assert facts["preserves_data"] == "yes"
    assert facts["postmortem_due"] == "sev1, sev2: due 14 days after the incident"
    assert _table(body, "monitors")[0] == ["input-distribution", "input_distribution", "psi",
                                           "0.2", "1d"]  # fmt: skip
    assert [r[0] for r in _table(body, "approvers")] == ["product", "reliability", "compliance"]
    assert _table(body, "incidents") == [["INC-2026-031", "sev2", "2026-09-14", "written"]]
    assert _table(body, "action_items") == []  # its one action item is done
    assert body["summary"] == {"models": 1, "ready": 1, "gaps": 0, "exit_code": 0}
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert text.exit_code == 0, text.stderr
    assert "GAP" not in text.stdout
    assert "fraud-scorer: ready at 2am" in text.stdout
    assert text.stdout.endswith("1 model: 1 ready at 2am, 0 gaps; today 2026-11-30.\n")


def test_the_broken_example_names_its_gaps(make_repo: Any) -> None:
    repo = _repo(make_repo, BROKEN)
    code, body = _json(".", cwd=repo.path)
    assert code == 1
    gaps = _gaps(body)
    rules = {(step, rule) for step, rule, _ in gaps}
    assert {
        ("page", "MG121"),  # no escalation
        ("page", "MG160"),  # the runbook does not exist
        ("decide", "MG193"),  # no override
        ("rollback", "MG133"),  # preserves_data not declared
        ("rollback", "MG160"),  # the procedure leads out of the repository
        ("rollback", "MG131"),  # too slow
        ("rollback", "MG201"),  # drill overdue
        ("watch", "MG142"),  # alerts reach nobody on call
        ("watch", "MG141"),  # accuracy only
        ("redeploy", "MG152"),  # the owner approves alone
    } <= rules
    # findings that are no step of the playbook are not gaps
    assert not {"MG011", "MG110", "MG111", "MG200", "MG212", "MG213"} & {r for _, r in rules}
    assert body["models"][0]["steps"][0]["answered"] is False
    assert body["summary"]["ready"] == 0
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert text.exit_code == 1
    assert "GAP nobody is paged if the primary does not answer — MG121 (model.yaml:9:3)" in (
        text.stdout
    )
    # the procedure outside the repository is shown as written, never read
    assert "procedure   ../../etc/passwd\n" in text.stdout


def test_a_missing_escalation_is_the_mg121_gap(make_repo: Any) -> None:
    repo = _repo(make_repo)
    _edit(repo, "  escalation: payments-ml-secondary\n", "")
    code, body = _json(cwd=repo.path)
    assert code == 1
    assert _gaps(body) == [("page", "MG121", "nobody is paged if the primary does not answer")]
    gap = body["models"][0]["steps"][0]["gaps"][0]
    assert (gap["pointer"], gap["enforced"]) == ("/on_call/escalation", True)
    assert gap["severity"] == "error"  # check's finding: every gap is located and says how
    assert gap["hint"].startswith("Add `on_call.escalation`")
    assert gap["line"] == 24  # the on_call section (as check locates MG121): no escalation
    md = run_cli("playbook", "--today", TODAY, "--format", "markdown", cwd=repo.path)
    assert md.exit_code == 1
    assert "### 1. Page now, and who next — 1 gap" in md.stdout
    assert "nobody is paged if the primary does not answer — **MG121**" in md.stdout


def test_a_gap_whose_rule_is_off_for_the_tier_is_still_a_gap(make_repo: Any) -> None:
    """A low-tier model without escalation: MG121 does not judge it, the responder still has
    nobody to page next."""
    repo = _repo(make_repo)
    _edit(repo, "risk_tier: high", "risk_tier: low")
    _edit(repo, "  escalation: payments-ml-secondary\n", "")
    code, body = _json(cwd=repo.path)
    assert code == 1
    gap = body["models"][0]["steps"][0]["gaps"][0]
    assert (gap["rule"], gap["enforced"], gap["severity"]) == ("MG121", False, None)
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert "MG121 (model.yaml:24:3; not a finding: the policy does not require it" in text.stdout


INCIDENT = """  - id: INC-2026-077
    date: {date}
    severity: {severity}
    summary: Scores drifted after a feature pipeline change.
{extra}"""


def _add_incident(repo: GitRepoBuilder, date: str, severity: str = "sev1", extra: str = "") -> None:
    _edit(
        repo,
        "\nretraining:",
        INCIDENT.format(date=date, severity=severity, extra=extra) + "\nretraining:",
    )


def test_a_pending_postmortem_shows_its_due_date(make_repo: Any) -> None:
    repo = _repo(make_repo)
    _add_incident(repo, "2026-11-25")
    code, body = _json(cwd=repo.path)
    assert _table(body, "incidents")[1] == ["INC-2026-077", "sev1", "2026-11-25",
                                            "pending, due 2026-12-09"]  # fmt: skip
    assert ("redeploy", "MG190") not in {(s, r) for s, r, _ in _gaps(body)}
    assert code == 0, _gaps(body)  # pending within the 14 days: not a gap
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert "INC-2026-077  sev1  2026-11-25  pending, due 2026-12-09" in text.stdout


def test_an_overdue_postmortem_is_the_mg190_gap(make_repo: Any) -> None:
    repo = _repo(make_repo)
    _add_incident(repo, "2026-10-01")
    _add_incident(repo, "2026-10-02", severity="sev3")  # below the policy's severity
    code, body = _json(cwd=repo.path)
    assert code == 1
    assert [g for g in _gaps(body) if g[1] == "MG190"] == [
        ("redeploy", "MG190", "the post-mortem of INC-2026-077 was due 2026-10-15 and is missing")
    ]
    rows = _table(body, "incidents")
    assert [r[3] for r in rows] == ["written", "missing, was due 2026-10-15", "not required"]


def test_an_overdue_action_item_shows_its_owner(make_repo: Any) -> None:
    repo = _repo(make_repo)
    items = (
        "    postmortem: docs/postmortems/2026-09-14-false-declines.md\n"
        "    action_items:\n"
        "      - title: Alert on merchant-category remaps\n"
        "        owner: sam.lee@example.com\n"
        "        due: 2026-11-01\n"
        "        done: false\n"
        "      - title: Add a canary stage\n"
        "        owner: priya.natarajan@example.com\n"
        "        due: 2026-12-15\n"
        "        done: false\n"
    )
    _add_incident(repo, "2026-10-20", extra=items)
    code, body = _json(cwd=repo.path)
    assert code == 1
    assert [g for g in _gaps(body) if g[1] == "MG191"] == [
        (
            "redeploy",
            "MG191",
            "action item 'Alert on merchant-category remaps' of INC-2026-077, owned by "
            "sam.lee@example.com, was due 2026-11-01",
        )
    ]
    assert _table(body, "action_items") == [
        ["Alert on merchant-category remaps", "sam.lee@example.com", "2026-11-01",
         "INC-2026-077", "overdue"],
        ["Add a canary stage", "priya.natarajan@example.com", "2026-12-15", "INC-2026-077",
         "open"],
    ]  # fmt: skip
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert "owned by sam.lee@example.com, was due 2026-11-01 — MG191" in text.stdout


def _two_models(make_repo: Any) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo("mono")
    repo.copy_example(COMPLIANT, "models/fraud")
    repo.copy_example(BROKEN, "models/churn")
    repo.commit("two models", date="2026-11-02")
    return repo


def test_several_models_in_one_repository(make_repo: Any) -> None:
    repo = _two_models(make_repo)
    code, body = _json(cwd=repo.path)
    assert code == 1
    assert [(m["path"], m["ready"]) for m in body["models"]] == [
        ("models/churn/model.yaml", False),
        ("models/fraud/model.yaml", True),
    ]
    assert body["summary"]["models"] == 2 and body["summary"]["ready"] == 1
    text = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert text.stdout.endswith("2 models: 1 ready at 2am, 13 gaps; today 2026-11-30.\n")
    # a model's references resolve against its own folder
    assert 'models/fraud/docs/runbooks/fraud-scorer.md (section "Rollback' in text.stdout


def test_model_selects_one_model(make_repo: Any) -> None:
    repo = _two_models(make_repo)
    code, body = _json("--model", "fraud-scorer", cwd=repo.path)
    assert code == 0
    assert [m["name"] for m in body["models"]] == ["fraud-scorer"]
    code, body = _json("--model", "models/churn/model.yaml", cwd=repo.path)
    assert code == 1 and [m["name"] for m in body["models"]] == ["Churn Model"]
    # a path below the working directory works too
    res = run_cli("playbook", "models/fraud", "--today", TODAY, cwd=repo.path)
    assert res.exit_code == 0 and "fraud-scorer: ready at 2am" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "fraud-scorr"], "--model: no model named 'fraud-scorr'"),
        (["--today", "2026-13-01"], "--today must be a date as YYYY-MM-DD"),
        (["does-not-exist"], "does-not-exist"),
        (["--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(
    make_repo: Any, args: list[str], message: str
) -> None:
    repo = _two_models(make_repo)
    res = run_cli("playbook", *args, cwd=repo.path)
    assert res.exit_code == 2, (res.stdout, res.stderr)
    assert message in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_the_did_you_mean_of_an_unknown_model(make_repo: Any) -> None:
    repo = _two_models(make_repo)
    res = run_cli("playbook", "--model", "fraud-scorr", cwd=repo.path)
    assert "(did you mean fraud-scorer?)" in res.stderr, res.stderr
    assert "models: Churn Model, fraud-scorer" in res.stderr


def test_a_folder_without_a_model_exits_1(make_repo: Any) -> None:
    repo: GitRepoBuilder = make_repo("empty")
    repo.write("README.md", "# nothing declared\n")
    repo.commit("readme")
    res = run_cli("playbook", "--today", TODAY, cwd=repo.path)
    assert res.exit_code == 1 and "no model.yaml" in res.stderr and res.stdout == ""


def test_the_policy_of_the_config_applies(make_repo: Any) -> None:
    """The playbook is judged like check: a config that turns MG121 off for high tier makes the
    missing escalation a gap the policy does not enforce."""
    repo = _repo(make_repo)
    _edit(repo, "  escalation: payments-ml-secondary\n", "")
    repo.write(".modelgov.yaml", "rules:\n  MG121:\n    enabled: false\n")
    code, body = _json(cwd=repo.path)
    gap = body["models"][0]["steps"][0]["gaps"][0]
    assert (code, gap["rule"], gap["enforced"]) == (1, "MG121", False)


def test_output_writes_a_file(make_repo: Any, tmp_path: Path) -> None:
    repo = _repo(make_repo)
    out = tmp_path / "playbook.md"
    res = run_cli(
        "playbook", "--today", TODAY, "--format", "markdown", "--output", str(out), cwd=repo.path
    )
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("# Playbook: the next four hours\n")


def test_a_procedure_that_leads_out_is_never_read(make_repo: Any, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Rollback secret heading\n", encoding="utf-8")
    repo = _repo(make_repo)
    link = repo.path / "docs" / "runbooks" / "out.md"
    os.symlink(secret, link)
    _edit(repo, "procedure: docs/runbooks/fraud-scorer.md", "procedure: docs/runbooks/out.md")
    code, body = _json(cwd=repo.path)
    assert code == 1
    assert "secret" not in json.dumps(body)
    assert ("rollback", "MG160") in {(s, r) for s, r, _ in _gaps(body)}


def test_markup_in_a_declaration_stays_text(make_repo: Any) -> None:
    repo = _repo(make_repo)
    _edit(repo, "rotation: payments-ml-primary", 'rotation: "<script>x</script>\\u001b[31m"')
    for fmt in ("html", "markdown", "text"):
        res = run_cli("playbook", "--today", TODAY, "--format", fmt, cwd=repo.path)
        assert "\x1b" not in res.stdout, fmt
        if fmt != "text":  # a terminal shows markup as it is; HTML and Markdown escape it
            assert "<script>x" not in res.stdout, fmt


def test_headings_the_playbook_finds() -> None:
    doc = (
        b"# Runbook\n\n```\n# rollback inside a fence\n```\n"
        b"## When you are paged\n### Roll back to the previous version ##\n## Rollback\n"
    )
    assert first_rollback_heading(doc) == "Roll back to the previous version"
    assert first_rollback_heading(b"# Runbook\nrollback: run it\n") == ""
    assert first_rollback_heading(b"\xff\xfe# Rollback\n") == ""  # not a heading at line start
    assert first_rollback_heading(b"#Rollback\n") == ""  # not a heading in CommonMark


def test_ready_is_a_pure_function_of_the_model_and_its_document() -> None:
    """What the audit's workers call: no file, no policy object, no clock."""
    text = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")
    doc = load_text("model.yaml", text)
    model = ModelResult("model.yaml", "fraud-scorer", "high", (), incident_policy=None)
    assert ready(model, doc)
    assert not ready(model, load_text("model.yaml", text.replace("override:", "x-override:")))
    late = model._replace(incident_policy=IncidentPolicy("2026-11-30", "sev2", 14))
    pending = text.replace("    postmortem: docs/postmortems/2026-09-14-false-declines.md\n", "")
    assert not ready(late, load_text("model.yaml", pending))  # due 2026-09-28
    early = late._replace(incident_policy=IncidentPolicy("2026-09-20", "sev2", 14))
    playbook = build(early, load_text("model.yaml", pending))
    assert playbook.ready
    assert playbook.steps[4].tables[-1].rows == (
        ("INC-2026-031", "sev2", "2026-09-14", "pending, due 2026-09-28"),
    )


def test_the_readme_shows_real_playbooks(make_repo: Any) -> None:
    """The README's Playbook section pastes real runs: each is what the command prints now,
    run from a checkout (a repository holding the examples)."""
    import re
    import shutil

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Playbook\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n\$ (modelgov playbook [^\n]*)\n(.*?)```", section, re.S)
    assert [cmd for cmd, _ in blocks] == [
        f"modelgov playbook --today {TODAY} examples/compliant",
        f"modelgov playbook --today {TODAY} examples/broken",
    ]
    repo: GitRepoBuilder = make_repo("checkout")
    for example in (COMPLIANT, BROKEN):
        shutil.copytree(example, repo.path / "examples" / example.name)
    repo.commit("the examples", date="2026-11-02")
    for (cmd, shown), code in zip(blocks, (0, 1), strict=True):
        res = run_cli(*cmd.split()[1:], cwd=repo.path)
        assert (res.exit_code, res.stdout) == (code, shown), cmd
    assert "[docs/playbook.md](docs/playbook.md)" in section


def test_an_unreadable_declaration_says_why_first(make_repo: Any) -> None:
    repo: GitRepoBuilder = make_repo("bad")
    repo.write("model.yaml", "name: [oops\n")
    repo.commit("a broken file")
    code, body = _json(cwd=repo.path)
    assert code == 1
    first = body["models"][0]["steps"][0]["gaps"][0]
    assert (first["rule"], first["enforced"]) == ("MG001", True)
    assert all(not s["answered"] for s in body["models"][0]["steps"])


def test_a_crafted_procedure_is_read_in_linear_time() -> None:
    """The heading scan is string operations: a line built to make a backtracking regular
    expression quadratic (spaces and #s after a heading marker) takes no time."""
    import time

    crafted = b"# " + b" #" * 200_000 + b"x\n## Rollback\n"
    start = time.process_time()
    assert first_rollback_heading(crafted) == ""  # the document is cut at 256 KiB
    assert first_rollback_heading(b"# " + b" #" * 1000 + b"x\n## Rollback\n") == "Rollback"
    assert time.process_time() - start < 1.0


def test_the_policys_due_days_set_when_a_postmortem_is_due(make_repo: Any) -> None:
    """MG190's options, as the config sets them for the tier, decide pending or missing."""
    repo = _repo(make_repo)
    _add_incident(repo, "2026-11-01")  # 29 days ago: missing under the default 14 days
    code, body = _json(cwd=repo.path)
    assert code == 1 and ("redeploy", "MG190") in {(s, r) for s, r, _ in _gaps(body)}
    repo.write(".modelgov.yaml", "rules:\n  MG190:\n    options:\n      due_days: {high: 30}\n")
    code, body = _json(cwd=repo.path)
    assert code == 0, _gaps(body)
    assert _facts(body)["postmortem_due"] == "sev1, sev2: due 30 days after the incident"
    assert _table(body, "incidents")[1][3] == "pending, due 2026-12-01"
    repo.write(".modelgov.yaml", "rules:\n  MG190:\n    options:\n      min_severity: sev3\n")
    code, body = _json(cwd=repo.path)
    assert _facts(body)["postmortem_due"] == "sev1, sev2, sev3: due 14 days after the incident"

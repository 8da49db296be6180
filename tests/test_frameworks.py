"""Controls mapped to frameworks: the shipped data, packs' own mappings, and where they show
(explain, rules --format json, SARIF, the audit's framework view, docs/frameworks.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROKEN, COMPLIANT, ROOT, TODAY, GitRepoBuilder, run_cli
from modelgov import docs
from modelgov.frameworks import load_builtin
from modelgov.registry import builtin

CITATION = {
    "eu-ai-act": r"Art\. \d+",
    "nist-ai-rmf": r"(GOVERN|MAP|MEASURE|MANAGE) \d\.\d+",
    "iso-42001": r"A\.\d+(\.\d+){1,2}",
}

ACME = """\
name: acme
extends: default
frameworks:
  acme-mrm:
    title: ACME model risk policy 2025
    source: https://intranet.example/mrm
    controls:
      MRM-4.2:
        title: Independent approval before deployment
        rules: [MG151, deploy-self-approval]
  eu-ai-act:
    controls:
      Art. 14:
        rules: [MG201]
"""


def test_the_shipped_mapping() -> None:
    catalog = load_builtin()
    assert [f.id for f in catalog.frameworks] == ["eu-ai-act", "nist-ai-rmf", "iso-42001"]
    known = {r.id for r in builtin()}
    for fw in catalog.frameworks:
        assert fw.source.startswith("https://") and fw.title
        for c in fw.controls:
            assert re.fullmatch(CITATION[fw.id], c.id), c.id
            assert c.title and c.note and c.rules, c
            assert set(c.rules) <= known, c
    eu = {c.id for c in catalog.framework("eu-ai-act").controls}  # type: ignore[union-attr]
    # the articles the issue names: risk management, human oversight, accuracy and
    # robustness, quality management, post-market monitoring, serious incidents
    assert {"Art. 9", "Art. 14", "Art. 15", "Art. 17", "Art. 72", "Art. 73"} <= eu
    # every rule about the declaration's content is evidence towards something
    unmapped = {r.id for r in builtin() if not catalog.controls_of(r.id)}
    assert unmapped <= {"MG001", "MG002", "MG003", "MG004", "MG005", "MG006", "MG007",
                        "MG008", "MG011", "MG012", "MG100", "MG203", "MG214"}, unmapped  # fmt: skip


def test_docs_frameworks_md_is_generated_from_the_data() -> None:
    current = (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
    assert docs.with_frameworks(current) == current, (
        "docs/frameworks.md is stale: run `python -m modelgov.docs --write`"
    )
    for c in load_builtin().controls():
        assert f"| {c.id} | {c.title} |" in current


def test_explain_shows_the_controls(tmp_path: Path) -> None:
    res = run_cli("explain", "MG131")
    assert res.exit_code == 0
    text = res.stdout.split("Evidence towards these controls", 1)[1]
    assert "eu-ai-act: EU AI Act" in text and "Art. 14  Human oversight" in text
    assert "MANAGE 2.4" in text and "A.6.2.6" in text
    assert "it does not satisfy them" in res.stdout
    pack = tmp_path / "acme.yaml"
    pack.write_text(ACME)
    mine = run_cli("explain", "MG152", "--policy", str(pack))
    assert "acme-mrm: ACME model risk policy 2025" in mine.stdout
    assert "MRM-4.2  Independent approval before deployment" in mine.stdout
    drill = run_cli("explain", "MG201", "--policy", str(pack)).stdout
    assert "Art. 14  Human oversight" in drill  # added to a built-in control
    listed = json.loads(run_cli("rules", "--format", "json", "--policy", str(pack)).stdout)
    by_id = {r["id"]: r["controls"] for r in listed["rules"]}
    assert {
        "framework": "acme-mrm",
        "id": "MRM-4.2",
        "title": "Independent approval before deployment",
    } in by_id["MG151"]
    assert by_id["MG001"] == []


@pytest.mark.parametrize(
    ("frameworks", "message"),
    [
        ("x:\n  title: X\n  controls: {C1: {title: T, rules: [MG999]}}", "unknown rule 'MG999'"),
        (
            "x:\n  title: X\n  controls: {C1: {title: T, rules: []}}",
            "rules must be a non-empty list",
        ),
        (
            "x:\n  controls: {C1: {title: T, rules: [MG110]}}",
            "frameworks.x.title must be a non-empty",
        ),
        (
            "x:\n  title: X\n  controls: {C1: {title: T, rules: [MG110], owner: me}}",
            "unknown key(s) owner",
        ),
        ("eu-ai-act:\n  title: Mine\n  controls: {Art. 9: {rules: [MG110]}}", "not retitle it"),
        ("eu-ai-act:\n  controls: {Art. 9: {title: Mine, rules: [MG110]}}", "not retitle it"),
        ("'a:b':\n  title: X\n  controls: {C1: {title: T, rules: [MG110]}}", "without ':'"),
        ("[1, 2]", "`frameworks` must be a mapping"),
    ],
)
def test_a_pack_mapping_that_does_not_validate(
    tmp_path: Path, frameworks: str, message: str
) -> None:
    pack = tmp_path / "bad.yaml"
    indented = "\n".join("  " + line for line in frameworks.splitlines())
    pack.write_text(f"name: bad\nframeworks:\n{indented}\n")
    res = run_cli("explain", "MG110", "--policy", str(pack))
    assert res.exit_code == 2, res.stdout
    assert message in res.stderr and "Traceback" not in res.stderr


def test_a_pack_mapping_is_part_of_the_policy_digest(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("name: acme\nextends: default\n")
    mapped = tmp_path / "acme.yaml"
    mapped.write_text(ACME)
    digests = [
        json.loads(run_cli("rules", "--format", "json", "--policy", str(p)).stdout)["policy"][
            "digest"
        ]
        for p in (plain, mapped)
    ]
    assert digests[0] != digests[1]


def test_sarif_carries_the_controls(tmp_path: Path) -> None:
    res = run_cli("check", "--today", TODAY, "--format", "sarif", str(COMPLIANT))
    rules = {r["id"]: r for r in json.loads(res.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    props = rules["MG131"]["properties"]
    assert "eu-ai-act:Art. 14" in props["tags"] and "governance" in props["tags"]
    assert {"framework": "nist-ai-rmf", "id": "MANAGE 2.4",
            "title": "Mechanisms to supersede, disengage or deactivate AI systems"} in props["controls"]  # fmt: skip
    assert "controls" not in rules["MG001"]["properties"]


def test_check_reads_the_mappings_only_for_sarif(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from modelgov.cli import main\n"
        "fmt = sys.argv[1]\n"
        f"main(['check', {str(COMPLIANT)!r}, '--format', fmt, '--output', {str(tmp_path / 'out')!r}])\n"
        "sys.stderr.write(str('modelgov.frameworks' in sys.modules))\n"
    )
    env = dict(os.environ, MODELGOV_TODAY=TODAY)
    loaded = {
        fmt: subprocess.run(
            [sys.executable, "-c", code, fmt], capture_output=True, text=True, env=env, check=False
        ).stderr.rsplit("\n", 1)[-1]
        for fmt in ("text", "sarif")
    }
    assert loaded == {"text": "False", "sarif": "True"}


# -- the audit's framework view --------------------------------------------------------------


@pytest.fixture
def org(make_repo: object) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo("acme")  # type: ignore[operator]
    repo.copy_example(COMPLIANT, "fraud")
    repo.copy_example(BROKEN, "churn")
    repo.write("shadow/model.pt", "weights")  # an undeclared model
    repo.commit("models", date="2026-11-02")
    return repo


def _control(report: dict[str, object], framework: str, control: str) -> dict[str, object]:
    fw = next(f for f in report["summary"]["frameworks"] if f["id"] == framework)  # type: ignore[index]
    return next(c for c in fw["controls"] if c["id"] == control)  # type: ignore[no-any-return]


def test_the_framework_view_counts_models_per_control(org: GitRepoBuilder, tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    # MG102 off: no model has evidence for the controls only it evidences
    pack.write_text(ACME + "rules:\n  MG102: {enabled: false}\n")
    res = run_cli("audit", str(org.path), "--policy", str(pack), "--format", "json", "--jobs", "1")
    report = json.loads(res.stdout)
    assert {m["status"] for m in report["models"]} == {"pass", "fail", "undeclared"}
    art14 = _control(report, "eu-ai-act", "Art. 14")
    assert art14["rules"] == [
        "MG120",
        "MG130",
        "MG131",
        "MG132",
        "MG142",
        "MG182",
        "MG193",
        "MG201",
    ]  # + the pack's
    assert (art14["pass"], art14["fail"], art14["none"]) == (1, 1, 1)  # undeclared: no evidence
    assert art14["failing_models"] == [
        {
            "repo": str(org.path),
            "path": "churn/model.yaml",
            "rules": ["MG131", "MG142", "MG193", "MG201"],
        }
    ]
    # the undeclared folder fails the inventory control (MG009), the declared ones pass it
    inventory = _control(report, "nist-ai-rmf", "GOVERN 1.6")
    assert (inventory["pass"], inventory["fail"], inventory["none"]) == (1, 2, 0)
    tier = _control(report, "nist-ai-rmf", "GOVERN 1.3")  # MG102 only, and it is off
    assert (tier["pass"], tier["fail"], tier["none"]) == (0, 0, 3)
    mrm = _control(report, "acme-mrm", "MRM-4.2")
    assert (mrm["pass"], mrm["fail"]) == (1, 1)
    names = {r["id"]: r for r in report["rules"]}
    assert names["MG131"]["name"] == "rollback-too-slow"
    assert names["MG131"]["url"].endswith("/docs/rules.md#mg131-rollback-too-slow")
    # markdown shows the same view, rules with their names
    md = run_cli("audit", str(org.path), "--policy", str(pack), "--format", "markdown").stdout
    view = md.split("### Evidence by framework", 1)[1].split("### Models", 1)[0]
    assert "#### ACME model risk policy 2025 (`acme-mrm`)" in view
    line = next(ln for ln in view.splitlines() if ln.startswith("| Art. 14 |"))
    assert "MG131 rollback-too-slow" in line and "| 1 | 1 | 1 |" in line

"""The worked example of docs/policies.md, run end to end.

docs/examples/org-policy is an organisation's model repository: its own pack
(extends default, a declarative rule), a Python rule package, a waiver with
an expiry, and policy tests.  The test copies it into a real git repository,
installs the rule package the way pip lays it out (a ``*.dist-info`` with
the entry points its pyproject.toml declares, on ``PYTHONPATH``) and runs the
commands the document shows in subprocesses.  It also checks that the
document quotes the example's files verbatim.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EXAMPLE = ROOT / "docs" / "examples" / "org-policy"
PLUGIN = EXAMPLE / "acme-modelgov-rules"
POLICIES_MD = ROOT / "docs" / "policies.md"


def install_plugin(site: Path) -> None:
    """What `pip install ./acme-modelgov-rules` lays down: the package and its dist-info."""
    meta = tomllib.loads((PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for package in (PLUGIN / "src").iterdir():
        shutil.copytree(package, site / package.name)
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n",
        encoding="utf-8",
    )
    lines = []
    for group, eps in meta["entry-points"].items():
        lines += [f"[{group}]", *(f"{k} = {v}" for k, v in eps.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")


def run(site: Path | None, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*([str(site)] if site else []), str(ROOT / "src")])
    return subprocess.run(
        [sys.executable, "-m", "modelgov", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def org_repo(make_repo: Any, tmp_path: Path) -> tuple[Path, Path]:
    repo = make_repo("credit-limit")
    shutil.copytree(EXAMPLE, repo.path, dirs_exist_ok=True)
    repo.commit("credit-limit model with its declaration", date="2026-11-01")
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    return repo.path, site


def test_the_org_pack_checks_the_repo(org_repo: tuple[Path, Path]) -> None:
    repo, site = org_repo
    result = run(site, repo, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "model.yaml:23:16: waived MG131 rollback takes 45 minutes" in result.stdout
    assert "waived until 2027-01-31 by sre-lead@acme.example, CRD-212" in result.stdout
    assert re.search(
        r"All clear: 1 model checked, 1 waived; policy acme \(sha256:[0-9a-f]{12}\)", result.stdout
    )
    report = json.loads(run(site, repo, "check", "--format", "json").stdout)
    (target,) = report["targets"]
    assert target["policy"]["name"] == "acme"
    assert target["policy"]["chain"][0] == "default"
    assert target["policy"]["chain"][1].endswith("policy/acme.yaml")


def test_the_org_rules_fail_what_they_should(org_repo: tuple[Path, Path]) -> None:
    repo, site = org_repo
    model = (repo / "model.yaml").read_text(encoding="utf-8")
    (repo / "model.yaml").write_text(
        model.replace("noor.haddad@credit-risk.acme.example", "noor.haddad@acme.example").replace(
            "window: 7d}", "window: 2w}"
        ),
        encoding="utf-8",
    )
    result = run(site, repo, "check", "--format", "json")
    assert result.returncode == 1, result.stderr
    found = {(f["rule"], f["pointer"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert ("ACME001", "/deploy/approvers", 36) in found
    assert ("ACME100", "/drift/monitors/1/window", 32) in found
    # The waiver runs out: the finding it silenced counts again.
    later = run(site, repo, "check", "--today", "2027-02-01", "--format", "json")
    active = {
        (f["rule"], f["pointer"]) for f in json.loads(later.stdout)["findings"] if not f["waived"]
    }
    assert {("MG131", "/rollback/max_minutes"), ("MG211", "/waivers/0/expires")} <= active


def test_the_org_pack_is_tested(org_repo: tuple[Path, Path]) -> None:
    repo, site = org_repo
    result = run(site, repo, "policy", "test", "policy-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 cases: 9 passed, 0 failed." in result.stdout
    assert "enabled rules of policy acme" in result.stdout


@pytest.mark.slow  # seconds: run in CI, skipped by -m "not slow"
def test_waivers_rules_and_explain(org_repo: tuple[Path, Path]) -> None:
    repo, site = org_repo
    waivers = run(site, repo, "waivers")
    assert waivers.returncode == 0, waivers.stderr
    assert waivers.stdout.splitlines()[:2] == [
        "model.yaml:51: rollback-too-slow (MG131) 62 days left, expires 2027-01-31 (credit-limit)",
        "    scope /rollback/max_minutes; approved by sre-lead@acme.example; ticket CRD-212",
    ]
    assert (
        "0 waivers ending within 30 days" in run(site, repo, "waivers", "--expiring", "30d").stdout
    )
    rules = run(site, repo, "rules", "--policy", "policy/acme.yaml")
    assert rules.returncode == 0, rules.stderr
    lines = {ln.split()[0]: ln for ln in rules.stdout.splitlines()[1:]}
    assert "credit-compliance-approver  error    error/error/error" in lines["ACME001"]
    assert "drift-window-too-long       error    warning/error/error" in lines["ACME100"]
    explain = run(site, repo, "explain", "ACME001", "--policy", "policy/acme.yaml")
    assert explain.returncode == 0, explain.stderr
    assert explain.stdout.startswith("ACME001 credit-compliance-approver (default severity: error")
    assert "Fails:\n    x-business-line: credit" in explain.stdout
    explain_py = run(site, repo, "explain", "ACME100")
    assert (
        "from acme-modelgov-rules (entry point acme = acme_modelgov_rules:RULES)"
        in explain_py.stdout
    )
    assert "max_days (int): Longest drift window, in days.  [30 / 14 / 7]" in explain_py.stdout


def test_without_the_rule_package_the_pack_does_not_load(org_repo: tuple[Path, Path]) -> None:
    repo, _ = org_repo
    result = run(None, repo, "check")
    assert result.returncode == 2
    assert "unknown rule 'drift-window-too-long'" in result.stderr
    assert "needs the package that provides it installed" in result.stderr


def test_policies_md_quotes_the_example_verbatim() -> None:
    text = POLICIES_MD.read_text(encoding="utf-8")
    quoted = re.findall(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", text, flags=re.S)
    shown = {name: body for name, body in quoted}
    assert len(shown) == len(quoted), "a file is quoted twice"
    for name, body in shown.items():
        path = EXAMPLE / name
        assert path.is_file(), f"docs/policies.md quotes {name}, which is not in the example"
        assert body == path.read_text(encoding="utf-8"), (
            f"docs/policies.md is out of date for {name}"
        )
    must_show = {
        ".modelgov.yaml",
        "policy/acme.yaml",
        "acme-modelgov-rules/pyproject.toml",
        "acme-modelgov-rules/src/acme_modelgov_rules/__init__.py",
        "acme-modelgov-rules/src/acme_modelgov_rules/acme100_drift_window.py",
        "model.yaml",
        "policy-tests/acme.yaml",
    }
    assert must_show <= set(shown), f"not quoted: {sorted(must_show - set(shown))}"

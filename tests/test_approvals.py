"""Signed deploy approvals, end to end: real SSH keys made by ssh-keygen, real records
made by ``modelgov approve``, real commits, judged by ``modelgov check`` and ``audit``.

The repository is the compliant example (three approvers: product, reliability,
compliance) with ``require_signed_approvals`` turned on for the high tier, and an
allowed signers file in git's format listing each approver's key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import COMPLIANT, TODAY, GitRepoBuilder, run_cli
from modelgov import sshsig
from modelgov.facts import approvals as records

pytestmark = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is not installed"
)

APPROVERS = {
    "product": "priya.natarajan@example.com",
    "reliability": "ops-lead@example.com",
    "compliance": "counsel@example.com",
}
OWNER = "dana.okafor@example.com"
APPROVAL_RULES = ("MG153", "MG154", "MG155")
#: the default pack, with signed approvals required of high-risk models
CONFIG = """\
policy: default
allowed_signers: .github/allowed_signers
rules:
  MG153: {options: {require_signed_approvals: {high: true}}}
  MG154: {options: {require_signed_approvals: {high: true}}}
  MG155: {options: {require_signed_approvals: {high: true}}}
"""


@pytest.fixture(autouse=True)
def _fresh_program_lookup() -> Iterator[None]:
    """ssh-keygen is looked up once per process: each test starts from its own PATH."""
    sshsig._FOUND.clear()
    yield
    sshsig._FOUND.clear()


def keygen(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
        check=True,
        capture_output=True,
    )
    return key


def signers_line(email: str, key: Path) -> str:
    kind, blob = ([*Path(f"{key}.pub").read_text(encoding="utf-8").split(), ""])[:2]
    return f'{email} namespaces="modelgov-approval" {kind} {blob}\n'


class Team:
    """The approvers' keys (and the owner's, and an outsider's) in a folder outside the repo."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.keys = {email: keygen(folder, email.split("@")[0]) for email in APPROVERS.values()}
        self.keys[OWNER] = keygen(folder, "dana")
        self.outsider = keygen(folder, "mallory")

    def signers(self, *emails: str) -> str:
        return "".join(signers_line(e, self.keys[e]) for e in emails or APPROVERS.values())


@pytest.fixture(scope="session")
def team(tmp_path_factory: pytest.TempPathFactory) -> Team:
    """Made once: key generation is the slow part of setting a test up."""
    return Team(tmp_path_factory.mktemp("approvers") / "keys")


@pytest.fixture
def repo(make_repo: Any, team: Team) -> GitRepoBuilder:
    builder: GitRepoBuilder = make_repo("fraud", example=COMPLIANT)
    builder.write(".modelgov.yaml", CONFIG)
    builder.write(".github/allowed_signers", team.signers())
    builder.commit("declare fraud-scorer", date="2026-11-02")
    return builder


def approve(repo: GitRepoBuilder, role: str, key: Path, email: str, *extra: str) -> Any:
    return run_cli(
        "approve", str(repo.path), "--role", role, "--key", str(key), "--email", email, *extra
    )


def approve_all(repo: GitRepoBuilder, team: Team) -> None:
    for role, email in APPROVERS.items():
        result = approve(repo, role, team.keys[email], email)
        assert result.exit_code == 0, result.stderr
    repo.commit("approve fraud-scorer 7", date="2026-11-30", add=("approvals",))


def check(repo: GitRepoBuilder, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", str(repo.path), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def approval_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] in APPROVAL_RULES]


def edit_model(repo: GitRepoBuilder, old: str, new: str) -> None:
    path = repo.path / "model.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the cases of the issue -----------------------------------------------------------


def test_approved_by_all_three_roles_passes(repo: GitRepoBuilder, team: Team) -> None:
    code, report = check(repo)
    assert code == 1
    missing = approval_findings(report)
    assert [(f["rule"], f["pointer"]) for f in missing] == [
        ("MG153", "/deploy/approvers/0"),
        ("MG153", "/deploy/approvers/1"),
        ("MG153", "/deploy/approvers/2"),
    ]
    approve_all(repo, team)
    code, report = check(repo)
    assert approval_findings(report) == [] and code == 0, report["findings"]
    model = report["models"][0]
    assert model["approvals"]["version"] == "7"
    assert model["approvals"]["approved"] is True
    assert model["approvals"]["roles"] == ["compliance", "product", "reliability"]
    assert {
        (r["role"], r["signer"], r["date"], r["status"]) for r in model["approvals"]["records"]
    } == {(role, email, TODAY, "valid") for role, email in APPROVERS.items()}


def test_one_role_missing_fails_naming_it(repo: GitRepoBuilder, team: Team) -> None:
    for role in ("product", "reliability"):
        email = APPROVERS[role]
        assert approve(repo, role, team.keys[email], email).exit_code == 0
    code, report = check(repo)
    assert code == 1
    (finding,) = approval_findings(report)
    assert finding["rule"] == "MG153"
    assert finding["pointer"] == "/deploy/approvers/2" and finding["line"] == 65
    assert finding["message"].startswith("no signed compliance approval of version 7")
    assert "--role compliance" in finding["hint"]
    assert report["models"][0]["approvals"]["approved"] is False


def test_a_record_edited_after_signing_fails(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    record = repo.path / "approvals" / "compliance-counsel@example.com.yaml"
    text = record.read_text(encoding="utf-8")
    # the same approval for a version nobody approved: only the signature can tell
    record.write_text(text.replace('version: "7"', 'version: "8"'), encoding="utf-8")
    edit_model(repo, 'version: "7"', 'version: "8"')
    code, report = check(repo)
    assert code == 1
    invalid = [f for f in approval_findings(report) if f["rule"] == "MG154"]
    assert len(invalid) == 1
    assert invalid[0]["file"].endswith("approvals/compliance-counsel@example.com.yaml")
    assert invalid[0]["pointer"] == "/signature"
    assert "changed after it was signed" in invalid[0]["message"]
    statuses = {r["role"]: r["status"] for r in report["models"][0]["approvals"]["records"]}
    assert statuses == {"compliance": "invalid", "product": "stale", "reliability": "stale"}


def test_a_key_the_allowed_signers_do_not_list_fails(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    # the compliance record re-signed by an outsider's key, claiming counsel's email
    result = approve(repo, "compliance", team.outsider, APPROVERS["compliance"])
    assert result.exit_code == 0
    assert "does not list this key for counsel@example.com" in result.stderr  # warned at once
    code, report = check(repo)
    assert code == 1
    kinds = [(f["rule"], f["pointer"]) for f in approval_findings(report)]
    assert kinds == [("MG154", "/signature"), ("MG153", "/deploy/approvers/2")]
    message = approval_findings(report)[0]["message"]
    assert re.search(
        r"signed by key SHA256:\S+, which the allowed signers file \S+ does not list", message
    )
    assert "for counsel@example.com" in message


def test_a_listed_key_of_someone_else_is_named(repo: GitRepoBuilder, team: Team) -> None:
    """Priya's key signing as counsel: the file lists that key, for Priya."""
    approve(repo, "compliance", team.keys[APPROVERS["product"]], APPROVERS["compliance"])
    code, report = check(repo)
    assert code == 1
    (invalid,) = [f for f in approval_findings(report) if f["rule"] == "MG154"]
    assert "(it lists that key for priya.natarajan@example.com)" in invalid["message"]


def test_the_owners_signature_never_counts(repo: GitRepoBuilder, team: Team) -> None:
    # approve refuses the owner outright
    edit_model(repo, "email: counsel@example.com", f"email: {OWNER}")
    repo.write(".github/allowed_signers", team.signers(*APPROVERS.values(), OWNER))
    refused = approve(repo, "compliance", team.keys[OWNER], OWNER)
    assert refused.exit_code == 2
    assert "owner's approval never counts" in refused.stderr
    # a record the owner signed while someone else owned the model still does not count
    edit_model(repo, f"email: {OWNER}\n  team", "email: sam.lee@example.com\n  team")
    assert approve(repo, "compliance", team.keys[OWNER], OWNER).exit_code == 0
    edit_model(repo, "email: sam.lee@example.com\n  team", f"email: {OWNER}\n  team")
    for role in ("product", "reliability"):
        assert approve(repo, role, team.keys[APPROVERS[role]], APPROVERS[role]).exit_code == 0
    code, report = check(repo)
    assert code == 1
    found = approval_findings(report)
    assert [(f["rule"], f["pointer"]) for f in found] == [
        ("MG154", "/signer"),
        ("MG153", "/deploy/approvers/2"),
    ]
    assert "signed by the owner, dana.okafor@example.com" in found[0]["message"]


def test_a_signer_not_listed_with_that_role_fails(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    # counsel is removed from the approvers; ops-lead takes compliance too
    edit_model(
        repo,
        "    - email: counsel@example.com\n      role: compliance\n",
        "    - email: ops-lead@example.com\n      role: compliance\n",
    )
    _code, report = check(repo)
    invalid = [f for f in approval_findings(report) if f["rule"] == "MG154"]
    assert [f["message"] for f in invalid] == [
        "approval record does not count: counsel@example.com is not listed in deploy.approvers"
    ]
    refused = approve(repo, "compliance", team.keys[APPROVERS["product"]], APPROVERS["product"])
    assert refused.exit_code == 2
    assert (
        "not listed in deploy.approvers" in refused.stderr
        and "(listed as product)" in refused.stderr
    )


def test_a_version_bump_makes_every_approval_stale(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    edit_model(repo, 'version: "7"', 'version: "8"')
    repo.commit("deploy version 8", date="2026-11-30")
    code, report = check(repo)
    assert code == 1
    stale = approval_findings(report)
    assert [f["rule"] for f in stale] == ["MG155"] * 3
    for f in stale:
        assert f["pointer"] == "/version"
        assert "it approves version 7; deploy.version is now 8" in f["message"], f["message"]
    assert report["models"][0]["approvals"]["version"] == "8"


def test_a_slower_rollback_makes_approvals_stale_naming_rollback(
    repo: GitRepoBuilder, team: Team
) -> None:
    approve_all(repo, team)
    # comments, quoting and key order are not what was approved
    edit_model(repo, "max_minutes: 15               # time", "max_minutes: 15 # minutes; time")
    edit_model(repo, "risk_tier: high ", "risk_tier: 'high' ")
    code, report = check(repo)
    assert code == 0 and approval_findings(report) == []
    edit_model(repo, "max_minutes: 15", "max_minutes: 25")
    code, report = check(repo)
    assert code == 1
    stale = approval_findings(report)
    assert len(stale) == 3
    for f in stale:
        assert f["rule"] == "MG155" and f["pointer"] == "/sections/rollback"
        assert "rollback changed since it was signed on 2026-11-30 (version 7)" in f["message"]
    text = run_cli("check", ".", cwd=repo.path).stdout
    assert "approvals/compliance-counsel@example.com.yaml:15:13: error MG155 the compliance" in text


def test_an_approval_older_than_the_tier_allows_is_stale(repo: GitRepoBuilder, team: Team) -> None:
    for role, email in APPROVERS.items():
        result = approve(repo, role, team.keys[email], email, "--today", "2026-07-01")
        assert result.exit_code == 0
    code, report = check(repo)
    stale = approval_findings(report)
    assert code == 1 and [f["pointer"] for f in stale] == ["/date"] * 3
    assert (
        "signed 2026-07-01, 152 days ago; a high-risk approval counts for 90 days"
        in stale[0]["message"]
    )
    _, report = check(repo, "--today", "2026-09-01")  # (review dates lie in its future)
    assert approval_findings(report) == []


def test_an_audit_uses_the_org_signers_not_the_repos(
    repo: GitRepoBuilder, team: Team, tmp_path: Path
) -> None:
    """A repository that ships its own allowed signers with a forged key for counsel."""
    for role in ("product", "reliability"):
        assert approve(repo, role, team.keys[APPROVERS[role]], APPROVERS[role]).exit_code == 0
    assert approve(repo, "compliance", team.outsider, APPROVERS["compliance"]).exit_code == 0
    forged = team.signers(APPROVERS["product"], APPROVERS["reliability"])
    forged += signers_line(APPROVERS["compliance"], team.outsider)
    repo.write(".github/allowed_signers", forged)
    repo.commit("approve, with our own signers", date="2026-11-30")
    assert check(repo)[0] == 0  # the repository's own check trusts its own file
    org = tmp_path / "org"
    org.mkdir()
    (org / "allowed_signers").write_text(team.signers(), encoding="utf-8")
    (org / "org.yaml").write_text(
        "policy: strict\nallowed_signers: allowed_signers\n", encoding="utf-8"
    )
    out = tmp_path / "audit.json"
    result = run_cli(
        "audit", str(repo.path), "--config", str(org / "org.yaml"), "--output", f"json={out}"
    )
    assert result.exit_code == 1, result.stderr
    (row,) = json.loads(out.read_text())["models"]
    assert row["status"] == "fail"
    assert {"MG153", "MG154"} <= set(row["failing_rules"])
    invalid = [f for f in row["findings"] if f["rule"] == "MG154"]
    assert "does not list for counsel@example.com" in invalid[0]["message"]
    assert any("allowed_signers ignored" in n for n in row["notes"])
    # the approved version and the approvals columns; the record's findings keep its file
    assert row["approved_version"] == ""
    assert sorted(row["approvals"]) == [
        "compliance by counsel@example.com 2026-11-30 (invalid)",
        "product by priya.natarajan@example.com 2026-11-30",
        "reliability by ops-lead@example.com 2026-11-30",
    ]
    assert invalid[0]["file"] == "approvals/compliance-counsel@example.com.yaml"
    merged = tmp_path / "merged.json"  # the record's file survives a merge of the JSON report
    run_cli("audit", "merge", str(out), "--output", f"json={merged}")
    (again,) = json.loads(merged.read_text())["models"]
    assert again["findings"] == row["findings"] and again["approvals"] == row["approvals"]
    csv_out = tmp_path / "audit.csv"
    run_cli(
        "audit", str(repo.path), "--config", str(org / "org.yaml"), "--output", f"csv={csv_out}"
    )
    assert "compliance by counsel@example.com 2026-11-30 (invalid)" in csv_out.read_text()
    table = run_cli("audit", str(repo.path), "--config", str(org / "org.yaml")).stdout
    assert re.search(r"APPROVED.*\n.*\bno\b", table), table
    _approvals_in_the_html_report(repo, org, tmp_path)
    # approved by all three under the org's file: the version is the approved one
    assert (
        approve(
            repo, "compliance", team.keys[APPROVERS["compliance"]], APPROVERS["compliance"]
        ).exit_code
        == 0
    )
    repo.commit("approve with counsel's own key", date="2026-11-30")
    run_cli("audit", str(repo.path), "--config", str(org / "org.yaml"), "--output", f"json={out}")
    (row,) = json.loads(out.read_text())["models"]
    assert row["approved_version"] == "7", row["failing_rules"]


def _approvals_in_the_html_report(repo: GitRepoBuilder, org: Path, tmp_path: Path) -> None:
    """The HTML report has no room for the approval columns on its A4 table; each row's
    details show them, in a real browser."""
    from browser import Browser

    html_out = tmp_path / "audit.html"
    run_cli(
        "audit", str(repo.path), "--config", str(org / "org.yaml"), "--output", f"html={html_out}"
    )
    with Browser(tmp_path / "chromium-profile") as browser:
        page = browser.open(html_out.as_uri())
        assert page.js("document.body.getAttribute('data-render')") == "done"
        assert page.js("document.body.getAttribute('data-errors')") == "0"
        page.js("document.getElementById('expand-all').click()")
        details = page.js(
            "Array.from(document.querySelectorAll('#models-table tr.more li')).map(li => li.textContent)"
        )
    assert "approved: no" in details, details
    (approvals,) = [d for d in details if d.startswith("approvals: ")]
    assert "compliance by counsel@example.com 2026-11-30 (invalid)" in approvals
    assert "product by priya.natarajan@example.com 2026-11-30" in approvals


# -- what else a user meets ---------------------------------------------------------------


def test_approvals_show_in_every_format(repo: GitRepoBuilder, team: Team, tmp_path: Path) -> None:
    approve_all(repo, team)
    outs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("text", "sarif", "junit", "markdown")}
    args = [f"--output={fmt}={path}" for fmt, path in outs.items()]
    assert run_cli("check", ".", *args, cwd=repo.path).exit_code == 0
    text = outs["text"].read_text()
    assert (
        "passed  model.yaml  fraud-scorer\n    approvals: " in text
        and "version 7 approved: compliance by counsel@example.com (2026-11-30), "
        "product by priya.natarajan@example.com (2026-11-30), "
        "reliability by ops-lead@example.com (2026-11-30)"
        in text
    )
    sarif = json.loads(outs["sarif"].read_text())
    (entry,) = sarif["runs"][0]["properties"]["approvals"]
    assert entry["approved"] is True and entry["version"] == "7"
    assert entry["uri"] == "model.yaml" and len(entry["records"]) == 3
    junit = outs["junit"].read_text()
    assert '<property name="approved_version" value="7" />' in junit
    assert "version 7 approved: compliance by counsel@example.com" in junit
    markdown = outs["markdown"].read_text()
    assert "| model | version | approved | role | signer | date | record |" in markdown
    assert (
        "| fraud-scorer | 7 | yes | compliance | counsel&#64;example.com | 2026-11-30 | valid |"
        in markdown
    )


def test_the_record_is_small_readable_and_documented(repo: GitRepoBuilder, team: Team) -> None:
    result = approve(
        repo,
        "product",
        team.keys[APPROVERS["product"]],
        APPROVERS["product"],
        "--note",
        "PRD-7 signed off",
    )
    assert result.exit_code == 0
    record = repo.path / "approvals" / "product-priya.natarajan@example.com.yaml"
    assert (
        f"{record.relative_to(repo.path)}" in result.stdout or "approvals/product-" in result.stdout
    )
    text = record.read_text(encoding="utf-8")
    assert len(text) < 2000
    parsed = records.parse_record("approvals/x.yaml", text.encode())
    assert isinstance(parsed, records.Record)
    assert (parsed.model, parsed.version, parsed.role, parsed.signer, parsed.note) == (
        "fraud-scorer", "7", "product", APPROVERS["product"], "PRD-7 signed off",
    )  # fmt: skip
    assert dict(parsed.sections).keys() == set(records.SECTIONS)
    assert parsed.signature.startswith("-----BEGIN SSH SIGNATURE-----")
    # the statement is what ssh-keygen signed: verify it by hand as git would
    (repo.path / "stmt").write_bytes(parsed.statement())
    (repo.path / "stmt.sig").write_text(parsed.signature)
    with (repo.path / "stmt").open("rb") as stdin:
        proc = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(repo.path / ".github/allowed_signers"),
             "-I", APPROVERS["product"], "-n", "modelgov-approval", "-s", str(repo.path / "stmt.sig")],
            stdin=stdin, capture_output=True, check=False,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_a_new_approval_replaces_the_signers_earlier_one(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    edit_model(repo, 'version: "7"', 'version: "8"')
    for role, email in APPROVERS.items():
        assert approve(repo, role, team.keys[email], email).exit_code == 0
    assert sorted(p.name for p in (repo.path / "approvals").iterdir()) == sorted(
        records.record_name(r, e) for r, e in APPROVERS.items()
    )
    code, report = check(repo)
    assert code == 0 and report["models"][0]["approvals"]["version"] == "8"


def test_the_hook_judges_the_staged_records(repo: GitRepoBuilder, team: Team) -> None:
    for role, email in APPROVERS.items():
        assert approve(repo, role, team.keys[email], email).exit_code == 0
    assert check(repo)[0] == 0  # the work tree holds them
    env_index = str(repo.path / ".git" / "index")
    code, report = check(repo, "--staged")
    assert code == 1 and len(approval_findings(report)) == 3, env_index
    repo.git("add", "approvals")
    assert check(repo, "--staged")[0] == 0


def test_approvals_are_off_by_default_and_in_minimal(repo: GitRepoBuilder) -> None:
    repo.write(".modelgov.yaml", "policy: default\n")
    code, report = check(repo)
    assert code == 0 and "approvals" not in report["models"][0]
    repo.write(".modelgov.yaml", "policy: minimal\n")
    assert check(repo)[0] == 0
    listing = run_cli("rules", "--policy", "strict").stdout
    assert re.search(r"MG153\s+approval-missing\s+error\s+off/off/error", listing), listing


def test_a_repository_config_can_require_approvals_but_an_audit_cannot_be_loosened(
    repo: GitRepoBuilder, team: Team, tmp_path: Path
) -> None:
    repo.write(
        ".modelgov.yaml",
        "rules:\n  MG153: {options: {require_signed_approvals: {high: false}}}\n",
    )
    repo.commit("try to turn approvals off", date="2026-11-30")
    org = tmp_path / "org.yaml"
    (tmp_path / "signers").write_text(team.signers(), encoding="utf-8")
    org.write_text("policy: strict\nallowed_signers: signers\n", encoding="utf-8")
    out = tmp_path / "audit.json"
    run_cli("audit", str(repo.path), "--config", str(org), "--output", f"json={out}")
    (row,) = json.loads(out.read_text())["models"]
    assert "MG153" in row["failing_rules"]
    assert any(
        "MG153 (approval-missing) disabled for tier high ignored" in n for n in row["notes"]
    ), row["notes"]


# -- errors: clear, exit 2 ---------------------------------------------------------------


def test_without_allowed_signers_nothing_verifies(repo: GitRepoBuilder, team: Team) -> None:
    """No trust root configured: the approvals do not count, and the findings say why."""
    repo.write(".modelgov.yaml", CONFIG.replace("allowed_signers: .github/allowed_signers\n", ""))
    approve_all(repo, team)
    code, report = check(repo)
    assert code == 1
    found = approval_findings(report)
    assert [f["rule"] for f in found] == ["MG154"] * 3 + ["MG153"] * 3
    assert all("no allowed signers file is configured" in f["message"] for f in found)


def test_a_config_cannot_name_signers_outside_the_repository(
    repo: GitRepoBuilder, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").write_text("x\n")
    repo.write(".modelgov.yaml", CONFIG.replace(".github/allowed_signers", "../elsewhere"))
    result = run_cli("check", str(repo.path))
    assert result.exit_code == 2 and "leads outside the repository" in result.stderr
    repo.write(".modelgov.yaml", "allowed_signers: [a, b]\n")
    result = run_cli("check", str(repo.path))
    assert result.exit_code == 2 and "`allowed_signers` must be a path" in result.stderr


def _path_without_ssh_keygen(tmp_path: Path) -> str:
    """A PATH with git and nothing else (ssh-keygen sits beside git in /usr/bin)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git is not None
    os.symlink(git, bin_dir / "git")
    return str(bin_dir)


@pytest.mark.slow
def test_no_ssh_keygen_is_exit_2_only_when_a_policy_needs_signatures(
    repo: GitRepoBuilder, tmp_path: Path
) -> None:
    env = dict(os.environ, PATH=_path_without_ssh_keygen(tmp_path), MODELGOV_TODAY=TODAY)
    # a repository with ssh-keygen planted in it, on a PATH entry that is relative
    planted = repo.write("ssh-keygen", "#!/bin/sh\necho planted > planted.txt\n")
    planted.chmod(planted.stat().st_mode | stat.S_IEXEC)
    env["PATH"] += os.pathsep + "."
    run = [sys.executable, "-m", "modelgov", "check", "."]
    proc = subprocess.run(run, cwd=repo.path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("modelgov: error: ssh-keygen is not installed (or not on PATH)")
    assert "requires signed approvals of fraud-scorer" in proc.stderr
    assert not (repo.path / "planted.txt").exists()
    repo.write(".modelgov.yaml", "policy: default\n")
    proc = subprocess.run(run, cwd=repo.path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_a_hanging_ssh_keygen_is_stopped(repo: GitRepoBuilder, team: Team, tmp_path: Path) -> None:
    """The time limit holds whatever ssh-keygen does (here: one that never answers)."""
    approve(repo, "product", team.keys[APPROVERS["product"]], APPROVERS["product"])
    bin_dir = Path(_path_without_ssh_keygen(tmp_path))
    (bin_dir / "ssh-keygen").write_text("#!/bin/sh\nexec sleep 30\n")
    (bin_dir / "ssh-keygen").chmod(0o755)
    env = dict(os.environ, PATH=str(bin_dir), MODELGOV_TODAY=TODAY, MODELGOV_SSH_TIMEOUT="1")
    proc = subprocess.run(
        [sys.executable, "-m", "modelgov", "check", ".", "--format", "json"],
        cwd=repo.path, env=env, capture_output=True, text=True, check=False, timeout=25,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    (invalid,) = [f for f in report["findings"] if f["rule"] == "MG154"]
    assert "could not be verified: ssh-keygen took longer than 1s; stopped" in invalid["message"]


def test_approve_refuses_what_would_not_count(repo: GitRepoBuilder, team: Team) -> None:
    key = str(team.keys[APPROVERS["product"]])
    edit_model(repo, '  version: "7"', "  # no version")
    result = run_cli(
        "approve",
        str(repo.path),
        "--role",
        "product",
        "--key",
        key,
        "--email",
        APPROVERS["product"],
    )
    assert result.exit_code == 2 and "has no deploy.version" in result.stderr
    edit_model(repo, "  # no version", '  version: "7"')
    result = run_cli(
        "approve",
        str(repo.path),
        "--role",
        "Product!",
        "--key",
        key,
        "--email",
        APPROVERS["product"],
    )
    assert result.exit_code == 2 and "--role must be a role" in result.stderr
    result = run_cli(
        "approve",
        str(repo.path),
        "--role",
        "product",
        "--key",
        str(repo.path / "nokey"),
        "--email",
        APPROVERS["product"],
    )
    assert result.exit_code == 2 and "does not exist" in result.stderr
    repo.copy_example(COMPLIANT, into="second")
    result = run_cli(
        "approve",
        str(repo.path),
        "--role",
        "product",
        "--key",
        key,
        "--email",
        APPROVERS["product"],
    )
    assert result.exit_code == 2 and "pick one with --model" in result.stderr
    result = run_cli(
        "approve",
        str(repo.path / "second"),
        "--role",
        "product",
        "--key",
        key,
        "--email",
        APPROVERS["product"],
    )
    assert result.exit_code == 0
    assert (
        repo.path / "second" / "approvals" / "product-priya.natarajan@example.com.yaml"
    ).is_file()
    assert not (repo.path / "approvals").exists()


def test_approve_never_writes_through_a_symlink(
    repo: GitRepoBuilder, team: Team, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, repo.path / "approvals")
    result = approve(repo, "product", team.keys[APPROVERS["product"]], APPROVERS["product"])
    assert result.exit_code == 2 and "is a symlink" in result.stderr
    assert list(outside.iterdir()) == []


# -- hostile records -----------------------------------------------------------------------


def test_hostile_records_are_findings_never_crashes(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    folder = repo.path / "approvals"
    (folder / "big.yaml").write_bytes(b"a: " + b"x" * (records.MAX_RECORD_BYTES + 10))
    (folder / "list.yaml").write_text("- 1\n- 2\n")
    (folder / "bomb.yaml").write_text(
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c,*c]\n' * 3
    )
    good = (folder / "product-priya.natarajan@example.com.yaml").read_text()
    (folder / "garbage-sig.yaml").write_text(
        good.replace("-----END SSH SIGNATURE-----", "--- garbage ---").replace(
            "product", "reliability"
        )
    )
    (folder / "extra.yaml").write_text(good.replace("note:", "evil: 1\nnote:"))
    (folder / "dash.yaml").write_text(
        good.replace('signer: "priya', 'signer: "-oProxyCommand=x priya')
    )
    os.mkfifo(folder / "fifo.yaml")  # git lists no FIFO; outside git it is a finding
    code, report = check(repo)
    assert code == 1
    invalid = {
        Path(f["file"]).name: f["message"]
        for f in approval_findings(report)
        if f["rule"] == "MG154"
    }
    assert set(invalid) == {
        "big.yaml",
        "list.yaml",
        "bomb.yaml",
        "garbage-sig.yaml",
        "extra.yaml",
        "dash.yaml",
    }
    assert (
        "not an armored SSH signature" in invalid["garbage-sig.yaml"]
        or "does not match" in invalid["garbage-sig.yaml"]
    )
    assert "unknown field(s) evil" in invalid["extra.yaml"]
    shutil.rmtree(repo.path / ".git")
    code, report = check(repo)
    invalid = {
        Path(f["file"]).name: f["message"]
        for f in approval_findings(report)
        if f["rule"] == "MG154"
    }
    assert "not a regular file" in invalid["fifo.yaml"]
    # the three good records still count: no MG153
    assert not [f for f in approval_findings(report) if f["rule"] == "MG153"]


@pytest.mark.slow
def test_too_many_records_are_capped(repo: GitRepoBuilder, team: Team) -> None:
    approve_all(repo, team)
    good = (repo.path / "approvals" / "product-priya.natarajan@example.com.yaml").read_text()
    for i in range(records.MAX_RECORDS):
        (repo.path / "approvals" / f"z{i:03d}.yaml").write_text(good)
    _code, report = check(repo)
    capped = [f for f in approval_findings(report) if "were not read" in f["message"]]
    assert len(capped) == 1 and "3 were not read" in capped[0]["message"]


def test_key_validity_is_judged_at_the_approvals_date(repo: GitRepoBuilder, team: Team) -> None:
    """As git judges a commit's signature at its date: a key retired on 2026-10-01 still
    signs what was approved before, and nothing after."""
    email = APPROVERS["compliance"]
    line = signers_line(email, team.keys[email]).replace(
        'namespaces="modelgov-approval"', 'namespaces="modelgov-approval",valid-before="20261001"'
    )
    repo.write(".github/allowed_signers", team.signers(*list(APPROVERS.values())[:2]) + line)
    assert (
        approve(repo, "compliance", team.keys[email], email, "--today", "2026-09-15").exit_code == 0
    )
    _, report = check(repo)
    found = [(f["rule"], f["pointer"]) for f in approval_findings(report)]
    assert found == [("MG153", "/deploy/approvers/0"), ("MG153", "/deploy/approvers/1")]
    assert approve(repo, "compliance", team.keys[email], email).exit_code == 0  # dated today
    _, report = check(repo)
    invalid = [f for f in approval_findings(report) if f["rule"] == "MG154"]
    assert len(invalid) == 1 and "does not list for counsel@example.com" in invalid[0]["message"]

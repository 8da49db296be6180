"""``modelgov audit`` on a generated organisation of 60+ real repositories.

The org (tests/auditorg.py, built with git fast-import) holds compliant,
failing, stale, undeclared, broken and bare repositories, monorepos, repo
configs that tighten or try to loosen the org policy, a repository nested in
folders, one with uncommitted edits, and remotes cloned from a manifest
through file:// URLs.  One audit run serves most tests (session fixture).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import modelgov
from auditorg import HOSTILE_NAME, HOSTILE_TEAM, TODAY, Org, build, rev
from conftest import run_cli
from modelgov.audit.report import STATUSES


@dataclass
class Run:
    org: Org
    out: Path
    exit_code: int
    stdout: str
    stderr: str

    def text(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.text("audit.json"))


def audit(org: Org, *args: str, cache: Path | None = None) -> Any:
    return run_cli(
        "audit",
        "org",
        "--manifest",
        str(org.manifest),
        "--cache-dir",
        str(cache or org.root / "cache"),
        "--today",
        TODAY.isoformat(),
        *args,
        cwd=org.root,
    )


@pytest.fixture(scope="session")
def org(tmp_path_factory: pytest.TempPathFactory) -> Org:
    return build(tmp_path_factory.mktemp("audit-org"))


@pytest.fixture(scope="session")
def main_run(org: Org) -> Run:
    out = org.root / "out"
    result = audit(
        org,
        "--jobs",
        "2",
        "--output",
        f"json={out / 'audit.json'}",
        "--output",
        f"csv={out / 'audit.csv'}",
        "--output",
        f"html={out / 'audit.html'}",
        "--output",
        f"markdown={out / 'audit.md'}",
        "--output",
        f"csv-findings={out / 'findings.csv'}",
    )
    return Run(org, out, result.exit_code, result.stdout, result.stderr)


def _rows(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m["repo"], m["path"]): m for m in report["models"]}


def test_the_org_is_large_and_varied(main_run: Run) -> None:
    report = main_run.report
    assert report["summary"]["repos"]["total"] >= 50
    statuses = {m["status"] for m in report["models"]}
    assert statuses == set(STATUSES)
    assert main_run.exit_code == 1, main_run.stderr
    assert main_run.stderr == ""  # no progress bar: stderr is not a terminal


def test_every_row_and_column(main_run: Run) -> None:
    org = main_run.org
    report = main_run.report
    rows = _rows(report)
    assert set(rows) == set(org.expected), set(rows) ^ set(org.expected)
    digest = report["policy"]["digest"]
    for key, e in org.expected.items():
        row = rows[key]
        where = f"{key}: { {k: v for k, v in row.items() if k != 'findings'} }"
        assert row["status"] == e.status, where
        assert row["name"] == e.name, where
        assert row["owner"] == e.owner, where
        assert row["team"] == e.team, where
        assert row["risk_tier"] == e.tier, where
        if e.failing_includes:
            assert set(e.failing_includes) <= set(row["failing_rules"]), where
        else:
            assert row["failing_rules"] == list(e.failing), where
        assert row["days_since_review"] == e.review, where
        assert row["days_since_drill"] == e.drill, where
        assert row["stale_code_days"] == e.stale, where
        assert e.reason in row["reason"], where
        assert row["labels"] == list(e.labels), where
        for note in e.notes:
            assert any(note in n for n in row["notes"]), (note, row["notes"])
        assert [s["path"] for s in row["signals"]] == list(e.signals), where
        ev = row["evidence"]
        assert ev["modelgov"] == modelgov.__version__
        assert ev["today"] == TODAY.isoformat()
        if e.status == "error":
            assert ev["blob"] == ""
            continue
        assert e.git_dir is not None
        assert ev["commit"] == rev(e.git_dir, "HEAD"), where
        if e.status == "undeclared":
            assert ev["blob"] == ""
        else:
            assert ev["blob"] == rev(e.git_dir, f"HEAD:{e.path}"), where
        assert (ev["policy_digest"] != digest) is e.tightened, where
    # failing rows carry their findings, located
    broken = rows[("org/failing/broken-example", "model.yaml")]
    assert all(f["line"] >= 1 and f["pointer"] is not None for f in broken["findings"])
    assert {f["rule"] for f in broken["findings"] if f["waived"] is None} >= set(
        broken["failing_rules"]
    )


def test_repos_are_all_listed_with_their_commit(main_run: Run) -> None:
    repos = {r["repo"]: r for r in main_run.report["repos"]}
    plain = repos["org/shadow/plain-service"]  # no ML at all: audited, no row
    assert plain["status"] == "ok" and plain["models"] == 0 and plain["undeclared"] == 0
    mono = repos["org/mono/platform-models"]
    assert (mono["models"], mono["undeclared"]) == (2, 1)
    assert repos["org/broken/no-commits"]["status"] == "error"
    assert repos["org/archive/legacy.git"]["commit"] == rev(
        main_run.org.root / "org/archive/legacy.git", "HEAD"
    )


def test_summary_matches_the_rows(main_run: Run) -> None:
    org = main_run.org
    s = main_run.report["summary"]
    expected_status = {st: 0 for st in STATUSES}
    by_team: dict[str, dict[str, int]] = {}
    by_tier: dict[str, int] = {}
    for e in org.expected.values():
        expected_status[e.status] += 1
        team = e.team or "(no team)"
        by_team.setdefault(team, {}).setdefault(e.status, 0)
        by_team[team][e.status] += 1
        by_tier[e.tier or "unknown"] = by_tier.get(e.tier or "unknown", 0) + 1
    assert s["by_status"] == expected_status
    assert s["models"] == len(org.expected)
    for team, counts in by_team.items():
        for status, n in counts.items():
            assert s["by_team"][team][status] == n, (team, status)
    assert {t: v["total"] for t, v in s["by_tier"].items() if v["total"]} == by_tier
    # by rule: the number of rows failing each rule
    failing: dict[str, int] = {}
    for row in main_run.report["models"]:
        for rule in row["failing_rules"]:
            failing[rule] = failing.get(rule, 0) + 1
    assert {r: v["models"] for r, v in s["by_rule"].items() if v["models"]} == failing
    assert s["by_rule"]["MG009"]["models"] == expected_status["undeclared"]
    # the worst offender fails the most rules: the broken example
    assert s["worst_models"][0]["repo"] == "org/failing/broken-example"
    assert s["worst_teams"][0]["problems"] >= s["worst_teams"][-1]["problems"]
    stale = s["staleness"]["code"]
    assert stale["31-90"] == 1 and stale["0-30"] == 1  # code-changed (60), within grace (5)


def test_tightening_changes_the_digest_loosening_is_reported(main_run: Run) -> None:
    rows = _rows(main_run.report)
    tight = rows[("org/configs/tightened", "model.yaml")]
    assert any("max_minutes" in f["message"] or f["rule"] == "MG131" for f in tight["findings"])
    assert tight["notes"] == []
    loose = rows[("org/configs/loosened", "model.yaml")]
    assert loose["evidence"]["policy_digest"] == main_run.report["policy"]["digest"]


def test_uncommitted_edits_are_not_audited(main_run: Run) -> None:
    row = _rows(main_run.report)[("org/dirty/uncommitted-edits", "model.yaml")]
    assert row["status"] == "pass"  # the working tree holds the broken example


def test_hostile_urls_never_reach_git(main_run: Run) -> None:
    assert not Path("/tmp/modelgov-pwned").exists()
    assert "GITHUB_TOKEN" not in main_run.text("audit.json")


def test_partial_clone_leaves_large_blobs_out(main_run: Run) -> None:
    from modelgov.audit.cache import clone_path
    from modelgov.git.remote import parse_remote

    org = main_run.org
    clone = clone_path(org.root / "cache", parse_remote(org.remotes["remote-1"].as_uri()))
    assert (clone / "HEAD").is_file()
    missing = run_git(clone, "cat-file", "-e", org.big_blob)
    assert missing.returncode != 0, "the 1.5 MiB artifact should not have been fetched"
    model = run_git(clone, "cat-file", "-e", rev(clone, "HEAD:model.yaml"))
    assert model.returncode == 0


def run_git(git_dir: Path, *args: str) -> Any:
    import os
    import subprocess

    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        capture_output=True,
        env={**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_CONFIG_GLOBAL": os.devnull},
        check=False,
    )


def test_table_on_stdout(main_run: Run) -> None:
    out = main_run.stdout
    assert out.splitlines()[0].split()[:4] == ["STATUS", "REPO", "PATH", "NAME"]
    assert "Org summary:" in out and "Audit FAILED (fail-on error)" in out
    assert "\x1b" not in out


def test_json_is_byte_identical_across_runs(main_run: Run, tmp_path: Path) -> None:
    # a second run, in one process, fetching the cached clones instead of cloning them
    marker = next((main_run.org.root / "cache" / "repos").glob("remote-2-*.git")) / "marker"
    marker.write_text("kept\n")
    again = audit(main_run.org, "--jobs", "1", "--format", "json")
    assert again.exit_code == 1
    assert again.stdout == main_run.text("audit.json")
    assert marker.read_text() == "kept\n"  # fetched, not cloned again


def test_shards_merge_to_the_single_run_byte_for_byte(main_run: Run, tmp_path: Path) -> None:
    parts = []
    idents: list[set[str]] = []
    for k in (1, 2, 3):
        part = tmp_path / f"shard-{k}.json"
        res = audit(main_run.org, "--shard", f"{k}/3", "--jobs", "2", "--output", f"json={part}",
                    "--format", "json")  # fmt: skip
        assert res.exit_code in (0, 1), res.stderr
        data = json.loads(part.read_text())
        assert data["shard"] == {"index": k, "count": 3}
        idents.append({r["repo"] for r in data["repos"]})
        parts.append(str(part))
    assert all(idents), "every shard holds some repositories"
    assert (
        not (idents[0] & idents[1]) and not (idents[1] & idents[2]) and not (idents[0] & idents[2])
    )
    merged = run_cli("audit", "merge", *reversed(parts), "--format", "json")
    assert merged.exit_code == 1, merged.stderr
    assert merged.stdout == main_run.text("audit.json")
    # an incomplete set of shards is refused
    partial = run_cli("audit", "merge", parts[0], parts[2], "--format", "json")
    assert partial.exit_code == 2 and "shard(s) 2 of 3 missing" in partial.stderr


def test_csv_one_row_per_model_formulas_neutralised(main_run: Run) -> None:
    text = main_run.text("audit.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(main_run.org.expected)
    hostile = next(r for r in rows if r["repo"] == "org/failing/hostile")
    assert hostile["name"] == "'" + HOSTILE_NAME
    assert hostile["team"] == HOSTILE_TEAM  # not a formula: left as is
    for row in rows:
        for value in row.values():
            if value and value[0] in "=+-@\t\r":
                assert value.lstrip("-").isdigit(), value
    loose = next(r for r in rows if r["repo"] == "org/configs/loosened")
    assert loose["failing_rules"] == "MG141 MG200 MG207" and loose["days_since_review"] == "324"


def test_csv_findings_one_row_per_finding_formulas_neutralised(main_run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(main_run.text("findings.csv"))))
    report = main_run.report
    assert len(rows) == sum(len(m["findings"]) for m in report["models"])
    assert list(rows[0])[:8] == [
        "repo",
        "file",
        "name",
        "team",
        "status",
        "rule",
        "rule_name",
        "severity",
    ]
    broken = [r for r in rows if r["repo"] == "org/failing/broken-example"]
    row = next(m for m in report["models"] if m["repo"] == "org/failing/broken-example")
    assert [(r["rule"], r["pointer"], int(r["line"])) for r in broken] == [
        (f["rule"], f["pointer"], f["line"]) for f in row["findings"]
    ]
    assert {r["rule_name"] for r in broken if r["rule"] == "MG131"} == {"rollback-too-slow"}
    assert {r["fails"] for r in broken if r["rule"] in row["failing_rules"]} <= {"yes", "no"}
    hostile = [r for r in rows if r["repo"] == "org/failing/hostile"]
    assert hostile and all(r["name"] == "'" + HOSTILE_NAME for r in hostile)
    for r in rows:
        for key, value in r.items():
            if value and value[0] in "=+-@\t\r":
                assert key in ("line", "col") or value.lstrip("-").isdigit(), (key, value)


def test_markdown_escapes_untrusted_text(main_run: Run) -> None:
    md = main_run.text("audit.md")
    assert "## :x: modelgov audit:" in md
    assert "<img" not in md and "</script>" not in md
    assert "| team | pass | fail | error | undeclared | total |" in md


def test_html_is_self_contained_and_escaped(main_run: Run) -> None:
    page = main_run.text("audit.html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<img" not in page and "</script><img" not in page
    assert "\\u003c/script\\u003e\\u003cimg" in page  # the team, inside the embedded JSON
    for external in ('src="', "@import", "url(http", "url(//", "<link", "<iframe"):
        assert external not in page, external
    # links: in-page anchors, and the rules' documentation (navigation, never a load)
    for href in re.findall(r'href="([^"]*)"', page):
        assert href.startswith(("#", "https://github.com/modelgov/modelgov/blob/v")), href
    assert "default-src 'none'" in page


def test_as_of_audits_the_past(org: Org) -> None:
    res = run_cli("audit", "org/history", "--as-of", "2026-06-30", "--format", "json", cwd=org.root)
    assert res.exit_code == 0, res.stdout
    report = json.loads(res.stdout)
    assert report["today"] == "2026-06-30" and report["as_of"] == "2026-06-30"
    (row,) = report["models"]
    assert row["status"] == "pass"
    assert row["evidence"]["commit"] == rev(org.root / "org/history/as-of/.git", "HEAD~1")
    assert row["days_since_review"] == 46 and row["evidence"]["today"] == "2026-06-30"
    early = run_cli("audit", "org/history", "--as-of", "2026-01-01", "--format", "json",
                    cwd=org.root)  # fmt: skip
    assert early.exit_code == 1
    assert "no commit on or before 2026-01-01" in json.loads(early.stdout)["models"][0]["reason"]


def test_fetch_brings_new_commits(org: Org, tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import orgfixture as of

    remote = tmp_path / "moving.git"
    shutil.copytree(org.remotes["remote-3"], remote)
    manifest = tmp_path / "repos.txt"
    manifest.write_text(f"# one repository\n{remote.as_uri()} team=search labels=a,b\n")
    cache = tmp_path / "cache"
    args = ("audit", "--manifest", str(manifest), "--cache-dir", str(cache), "--format", "json")
    first = json.loads(run_cli(*args).stdout)
    assert first["models"][0]["status"] == "pass" and first["models"][0]["labels"] == ["a", "b"]
    # the remote moves on: the model loses its owner
    work = tmp_path / "work"
    of.git(tmp_path, "clone", "-q", str(remote), str(work))
    text = (work / "model.yaml").read_text().replace("  email: dana.okafor@example.com\n", "", 1)
    (work / "model.yaml").write_text(text)
    of.git(work, "commit", "-q", "-am", "drop owner")
    of.git(work, "push", "-q", "origin", "HEAD:main")
    second = run_cli(*args)
    report = json.loads(second.stdout)
    assert second.exit_code == 1 and report["models"][0]["status"] == "fail"
    assert report["models"][0]["evidence"]["commit"] == rev(remote, "HEAD")
    assert len(list((cache / "repos").glob("*.git"))) == 1
    offline = json.loads(run_cli(*args, "--no-fetch").stdout)
    assert offline["models"][0]["evidence"]["commit"] == rev(remote, "HEAD")


# -- the HTML report in a real browser -------------------------------------------------


def _chromium() -> str | None:
    import os

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.path.exists("/usr/bin/chromium"):
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("MODELGOV_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (MODELGOV_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return found


def _browse(browser: str, profile: Path, url: str, *args: str) -> Any:
    import subprocess

    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_html_renders_in_headless_chromium(main_run: Run, tmp_path: Path) -> None:
    import re
    import struct

    browser = _chromium()
    assert browser is not None
    url = (main_run.out / "audit.html").as_uri()
    shot = main_run.out / "audit.png"  # kept next to the report for people to look at
    taken = _browse(
        browser, tmp_path / "p1", url, f"--screenshot={shot}", "--window-size=1400,1800"
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1400, 1800)
    assert len(png) > 50_000  # charts and a table, not a blank page

    dumped = _browse(browser, tmp_path / "p2", url, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attrs["data-render"] == "done", dom[-3000:]
    assert attrs["data-errors"] == "0"
    rows = len(main_run.report["models"])
    assert attrs["data-rows"] == str(rows) and attrs["data-shown"] == str(rows)
    for chart, bar in (("chart-team", "bar-fail"), ("chart-rules", "bar-rule"),
                       ("chart-stale", "bar-stale")):  # fmt: skip
        section = dom.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in section and f'class="bar {bar}"' in section, chart
    assert dom.count('<tr class="row"') == rows
    # the hostile team is text, never markup; no script error, no console message
    assert "&lt;/script&gt;&lt;img src=x" in dom
    assert "<img" not in dom
    # filter and sort, driven by the page's deep link (#status=fail&sort=-review)
    sorted_ = _browse(browser, tmp_path / "p3", url + "#status=fail&sort=-review", "--dump-dom")
    assert sorted_.returncode == 0, sorted_.stderr[-2000:]
    table = re.findall(r'<tr class="row"([^>]*)>(.*?)</tr>', sorted_.stdout, re.S)
    visible = [re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S) for attrs_, cells in table
               if "hidden" not in attrs_]  # fmt: skip
    failing = [m for m in main_run.report["models"] if m["status"] == "fail"]
    assert len(visible) == len(failing)
    assert all("st st-fail" in cells[0] for cells in visible)
    reviews = [int(c[7]) if c[7] != "-" else None for c in visible]
    known = [r for r in reviews if r is not None]
    assert known == sorted(known, reverse=True) and reviews[: len(known)] == known
    assert known[0] == max(m["days_since_review"] or 0 for m in failing)
    for log in (taken.stderr, dumped.stderr, sorted_.stderr):
        assert "Uncaught" not in log
        assert ":CONSOLE" not in log, [ln for ln in log.splitlines() if "CONSOLE" in ln]


# -- resume, permissions ------------------------------------------------------------------


def test_resume_skips_what_an_interrupted_run_finished(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelgov.audit import runner

    journal = tmp_path / "audit.journal"
    args = ("audit", "org/failing", "org/stale", "--jobs", "1", "--format", "json")
    full = run_cli(*args, cwd=org.root)
    real = runner._work
    calls: list[str] = []

    def interrupted(spec: Any, settings: Any) -> Any:
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.append(spec.ident)
        return real(spec, settings)

    monkeypatch.setattr(runner, "_work", interrupted)
    first = run_cli(*args, "--resume", str(journal), cwd=org.root)
    assert first.exit_code == 130 and first.stdout == ""
    assert len(journal.read_text().splitlines()) == 1 + 4  # the header, four repositories

    resumed: list[str] = []

    def counting(spec: Any, settings: Any) -> Any:
        resumed.append(spec.ident)
        return real(spec, settings)

    monkeypatch.setattr(runner, "_work", counting)
    second = run_cli(*args, "--resume", str(journal), cwd=org.root)
    assert second.exit_code == full.exit_code
    assert second.stdout == full.stdout  # the same report, byte for byte
    assert not set(resumed) & set(calls) and len(resumed) + 4 == len(
        json.loads(full.stdout)["repos"]
    )
    assert not journal.exists()  # removed once the report is written


def test_permission_denied_is_an_error_row(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import orgfixture as of

    # root reads everything: run the audit as an unprivileged user (setpriv) when root
    as_root = os.geteuid() == 0
    if as_root and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be denied")
    base = Path(tempfile.mkdtemp(prefix="modelgov-perm-"))
    try:
        base.chmod(0o755)
        of.fast_import(base / "org" / "open", [of.Commit(of.model_files(), "2026-03-01")])
        of.fast_import(base / "org" / "locked", [of.Commit(of.model_files(), "2026-03-01")])
        of.fast_import(base / "org" / "sealed", [of.Commit(of.model_files(), "2026-03-01")])
        for p in base.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        (base / "org" / "locked").chmod(0o700)  # the whole repository
        (base / "org" / "sealed" / ".git" / "objects").chmod(0o700)  # its objects only
        cmd = [sys.executable, "-m", "modelgov", "audit", "org", "--format", "json", "--jobs", "1"]
        if as_root:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(HOME=str(base), TMPDIR=str(base), MODELGOV_TODAY="2026-11-30")
        proc = subprocess.run(
            cmd, cwd=base, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if as_root and proc.returncode not in (0, 1) and "Permission denied" in proc.stderr:
            pytest.skip(f"the unprivileged user cannot run this Python: {proc.stderr[-300:]}")
        assert proc.returncode == 1, proc.stderr
        rows = {m["repo"]: m for m in json.loads(proc.stdout)["models"]}
        assert rows["org/open"]["status"] == "pass"
        assert rows["org/locked"]["status"] == "error"
        assert "permission denied" in rows["org/locked"]["reason"]
        assert rows["org/sealed"]["status"] == "error"
        assert "cannot read commit" in rows["org/sealed"]["reason"], rows["org/sealed"]
    finally:
        for p in [base, *base.rglob("*")]:
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_fail_on_and_timings(org: Org) -> None:
    never = run_cli("audit", "org/failing", "--fail-on", "never", "--format", "json", cwd=org.root)
    assert never.exit_code == 0
    report = json.loads(never.stdout)
    assert {m["status"] for m in report["models"]} == {"pass"} and "timings" not in report
    timed = run_cli("audit", "org/stale", "--timings", "--format", "json", cwd=org.root)
    assert timed.exit_code == 1
    timings = json.loads(timed.stdout)["timings"]
    assert set(timings["repos"]) == {r["repo"] for r in json.loads(timed.stdout)["repos"]}
    assert timings["total_seconds"] > 0


def test_the_org_roster_and_config_apply_to_every_repo(org: Org, tmp_path: Path) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text(
        "email,status\ndana.okafor@example.com,left\npriya.natarajan@example.com,active\n"
        "ops-lead@example.com,active\ncounsel@example.com,active\nsam.lee@example.com,left\n"
    )
    config = tmp_path / "org.yaml"
    config.write_text("policy: strict\naudit:\n  undeclared: false\n")
    res = run_cli("audit", "org/payments-ml", "org/shadow", "--roster", str(roster),
                  "--config", str(config), "--format", "json", cwd=org.root)  # fmt: skip
    assert res.exit_code == 1, res.stderr
    report = json.loads(res.stdout)
    assert report["policy"]["name"] == "strict"
    assert report["heuristics"]["undeclared"] is False
    statuses = {m["status"] for m in report["models"]}
    assert statuses == {"fail"}, statuses  # no undeclared rows; the owner has left
    assert all("MG205" in m["failing_rules"] for m in report["models"])

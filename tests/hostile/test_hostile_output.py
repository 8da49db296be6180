"""Case 5: text from a repository comes out inert in every output format.

A real repository carries GitHub workflow commands, terminal (ANSI/OSC)
escapes, HTML/JavaScript and spreadsheet formulas in folder names, model
names, owners, teams, references, waiver reasons and keys.  ``check`` in
every format and ``audit`` in every format are run for real; each output is
parsed the way its consumer parses it (a workflow-command scan of every line,
JSON, XML, CSV, HTML and a real browser's DOM) and must carry the text as
inert data only.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import COMPLIANT, git_env

from ._support import Run, foreign_workflow_commands, modelgov

WORKFLOW = "::error file=pwned.py,line=1::forged annotation"
MASK = "::add-mask::hunter2"
ENCODED = "%0A::warning::encoded"
LEGACY = "##[error]legacy command"
OSC_LINK = "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
SCRIPT = "<script>alert(1)</script>"
TEXTAREA = "</textarea><img src=x onerror=alert(2)>"
JS_URL = "javascript:alert(3)"
CDATA = "]]><evil/>"
FORMULA = '=HYPERLINK("https://evil.example","click")'
PLUS = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
BIDI = "safe\u202eexe.txt"
MENTION = "@octo-org/admins"

#: Folder names (no "/" possible in a name).
FOLDERS = (
    "::error::pwned",
    "%0A::add-mask::x",
    "##[error]legacy",
    "esc\x1b]8;;x\x07link",
    "<img src=x onerror=alert(4)>",
    '=HYPERLINK("x")',
    "@SUM(1)",
    "+cmd",
)


def _model(i: int) -> str:
    """A model.yaml whose untrusted text fields carry the payloads (it fails on purpose)."""
    base = (COMPLIANT / "model.yaml").read_text(encoding="utf-8")

    def q(text: str) -> str:
        return json.dumps(text)  # a YAML double-quoted scalar (JSON escapes are valid YAML)

    line = "\n".join
    text = base.replace("name: fraud-scorer", f"name: {q(f'{FORMULA} {SCRIPT} {i}')}")
    text = text.replace("name: Dana Okafor", f"name: {q(AT)}")
    team = f"{PLUS} {TEXTAREA} {MENTION}\n{MASK}\n{LEGACY}"
    text = text.replace("team: payments-ml", f"team: {q(team)}")
    text = text.replace(
        "runbook: docs/runbooks/fraud-scorer.md",
        f"runbook: {q(f'{WORKFLOW} {OSC_LINK} {CLEAR}')}",
    )
    text = text.replace(
        "procedure: docs/runbooks/fraud-scorer.md",
        f"procedure: {q(f'{JS_URL} {BIDI} {CDATA}')}",
    )
    text = text.replace(
        "schedule: https://example.pagerduty.com/schedules/P1A2B3C",
        f"schedule: {q(f'{JS_URL}//{MINUS}')}",
    )
    reason = q(MASK + "\n" + LEGACY + "\r" + ENCODED + " " + TITLE)
    text = text.replace(
        "waivers: []",
        line(
            [
                "waivers:",
                "  - rule: MG160",
                f"    reason: {reason}",
                "    approved_by: priya.natarajan@example.com",
                "    expires: 2026-12-15",
            ]
        ),
    )
    text += f"{q(f'{SCRIPT}{WORKFLOW}')}: 1\n{q(f'{MASK}/x~y')}: 2\n"
    return text


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("output") / "repo"
    root.mkdir()
    for i, folder in enumerate(FOLDERS):
        (root / folder).mkdir()
        shutil.copytree(COMPLIANT / "docs", root / folder / "docs")
        (root / folder / "model.yaml").write_text(_model(i), encoding="utf-8")
    env = git_env()
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-q", "-m", "hostile")):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


# -- what "inert" means per consumer -------------------------------------------------


def _no_terminal_control(text: str) -> None:
    bad = re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    bad = [c for c in bad if c not in "\r"]  # CSV rows end in CRLF
    assert not bad, f"raw control or bidi characters in the output: {sorted(set(bad))!r}"


def _no_workflow_commands(text: str) -> None:
    foreign = foreign_workflow_commands(text)
    assert not foreign, f"lines a GitHub runner would execute: {foreign[:5]!r}"


def _no_markup(text: str) -> None:
    for raw in ("<script>alert", "<img", "</textarea>", "<evil/>", "](javascript:"):
        assert raw not in text, f"live markup {raw!r} in the output"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _html_tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


CHECK_FORMATS = ("text", "text-color", "github", "json", "sarif", "junit", "markdown")


@pytest.fixture(scope="module")
def check_runs(hostile_repo: Path) -> dict[str, Run]:
    runs = {}
    for fmt in CHECK_FORMATS:
        color = "--color" if fmt.endswith("-color") else "--no-color"
        name = fmt.removesuffix("-color")
        run = modelgov("check", "--format", name, color, ".", cwd=hostile_repo)
        assert run.code == 1, run.describe()
        runs[fmt] = run
    return runs


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_check_output_is_inert(check_runs: dict[str, Run], fmt: str) -> None:
    run = check_runs[fmt]
    out = run.stdout
    assert "Traceback" not in run.stderr
    _no_workflow_commands(out)  # every format may end up in a CI log
    # --color colours the text report itself (SGR codes), nothing from the repository
    _no_terminal_control(re.sub(r"\x1b\[[0-9;]*m", "", out) if fmt == "text-color" else out)
    if fmt == "markdown":  # rendered as HTML by GitHub; the other formats are not markup
        _no_markup(out)
    if fmt in ("json", "sarif"):
        data = json.loads(out)
        assert data  # the payloads are data inside strings, nothing else
    if fmt == "json":
        files = {m["repo_path"] for m in data["models"]}
        assert files == {f"{folder}/model.yaml" for folder in FOLDERS}
        assert any(SCRIPT in m["name"] for m in data["models"])  # kept, as data
    if fmt == "sarif":
        results = data["runs"][0]["results"]
        assert results
        for r in results:
            for loc in r["locations"]:
                uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                assert not re.search(r"[\s<>\"\x00-\x1f]", uri), uri  # a URI, percent-encoded
    if fmt == "junit":
        root = ElementTree.fromstring(out)
        texts = [root.text or ""] + [
            v for el in root.iter() for v in (el.text or "", el.tail or "", *el.attrib.values())
        ]
        for t in texts:
            _no_terminal_control(t)
        assert any("::error::pwned" in t for t in texts)  # present, as text
    if fmt == "markdown":
        assert "@octo-org" not in out, "an @mention would ping people from a PR comment"
    if fmt == "github":
        own = [ln for ln in out.splitlines() if ln.startswith("::")]
        assert own and len(own) == len(out.splitlines())


# -- audit ---------------------------------------------------------------------------

AUDIT_FORMATS = ("table", "json", "csv", "markdown", "html")


@pytest.fixture(scope="module")
def audit_outputs(hostile_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out_dir = tmp_path_factory.mktemp("audit-out")
    args = ["audit", "--jobs", "1", str(hostile_repo), "--format", "table", "--color"]
    for fmt in AUDIT_FORMATS:
        args += ["--output", f"{fmt}={out_dir / ('report.' + fmt)}"]
    run = modelgov(*args, cwd=out_dir)
    assert run.code == 1, run.describe()
    _no_terminal_control(re.sub(r"\x1b\[[0-9;]*m", "", run.stdout))
    _no_workflow_commands(run.stdout + run.stderr)
    return {fmt: (out_dir / f"report.{fmt}").read_text(encoding="utf-8") for fmt in AUDIT_FORMATS}


@pytest.mark.parametrize("fmt", AUDIT_FORMATS)
def test_audit_output_is_inert(audit_outputs: dict[str, str], fmt: str) -> None:
    out = audit_outputs[fmt]
    if fmt == "table":
        _no_terminal_control(re.sub(r"\x1b\[[0-9;]*m", "", out))
    else:
        _no_terminal_control(out)
    _no_workflow_commands(out)
    if fmt == "markdown":
        _no_markup(out)
    if fmt == "json":
        assert len(json.loads(out)["models"]) == len(FOLDERS)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out, newline="")))
        assert len(rows) == len(FOLDERS) + 1
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (
                    f"a spreadsheet would run {cell!r} as a formula"
                )
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    if fmt == "markdown":
        assert "@octo-org" not in out, "an @mention would ping people"
    if fmt == "html":
        tags = _html_tags(out)
        assert [t for t, _ in tags].count("script") == 2  # modelgov's data and code only
        assert not [t for t, _ in tags if t in ("img", "iframe", "object", "embed", "textarea")]
        for _tag, attrs in tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), f"an event handler attribute {name}"
                assert not (value or "").strip().lower().startswith("javascript:")
        data = out.split('<script type="application/json" id="audit-data">', 1)[1]
        data = data.split("</script>", 1)[0]
        assert "<" not in data and ">" not in data  # no value can close the element
        assert "::error::pwned" in json.dumps(json.loads(data))


@pytest.mark.slow
def test_audit_html_in_a_real_browser_shows_text_not_markup(
    audit_outputs: dict[str, str], tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("MODELGOV_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (MODELGOV_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    page = tmp_path / "audit.html"
    page.write_text(audit_outputs["html"], encoding="utf-8")
    dumped = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert 'data-render="done"' in dom and 'data-errors="0"' in dom, dom[-2000:]
    tags = _html_tags(dom)
    assert not [t for t, _ in tags if t in ("img", "iframe", "textarea", "evil")], tags
    assert [t for t, _ in tags].count("script") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text
    assert "Uncaught" not in dumped.stderr


# -- waivers ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_waivers_output_is_inert(hostile_repo: Path, fmt: str) -> None:
    run = modelgov("waivers", "--format", fmt, ".", cwd=hostile_repo)
    assert run.code == 0, run.describe()
    out = run.stdout
    _no_terminal_control(out)
    _no_workflow_commands(out)
    assert out.count("MG160") >= len(FOLDERS), run.describe()  # every waiver is listed
    if fmt == "json":
        json.loads(out)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out, newline="")))
        assert len(rows) == len(FOLDERS) + 1
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

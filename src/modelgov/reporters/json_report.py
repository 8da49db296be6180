"""``--format json``: the complete, stable machine-readable report.

The shape is documented in docs/json-format.md and versioned by
``format_version``; fields are only ever added.
"""

from __future__ import annotations

import json

from ..report import Report

FORMAT_VERSION = 1


def as_dict(report: Report) -> dict[str, object]:
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "modelgov", "version": report.version},
        "today": report.today,
        "policy": {
            "name": report.policy_name,
            "digest": report.policy_digest,
            "chain": list(report.policy_chain),
        },
        "fail_on": report.fail_on,
        "summary": report.summary(),
        "models": [
            {
                "file": r.file,
                "name": r.name,
                "risk_tier": r.tier,
                "status": report.status(r),
                "findings": sum(1 for f in r.findings if f.active),
            }
            for r in report.results
        ],
        "findings": [f.to_dict() for f in report.findings],
    }


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=True) + "\n"

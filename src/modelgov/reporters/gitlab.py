"""``--format gitlab``: a GitLab Code Quality report (the CodeClimate issue subset GitLab reads).

A JSON array with one object per finding::

    {"description": "MG131 rollback takes 120 minutes; ...",
     "check_name": "MG131",
     "fingerprint": "3f1c...",
     "severity": "major",
     "location": {"path": "models/churn/model.yaml", "lines": {"begin": 15, "end": 15}}}

Upload it as ``artifacts: reports: codequality:`` and GitLab shows the
findings in the merge request and the pipeline (docs/workflows/.gitlab-ci.yml).

* ``severity``: error -> ``major``, warning -> ``minor``, note and waived
  findings -> ``info`` (GitLab knows info, minor, major, critical, blocker).
* ``fingerprint``: the finding's identity without its line or column (rule,
  path, JSON pointer, model), numbered among equal identities in an order that
  ignores lines too -- the same scheme as SARIF's ``partialFingerprints`` -- so
  moving lines does not make GitLab report a finding as fixed and new again.
* ``location.path``: the file as seen from the working directory, which in a
  GitLab job is the project's checkout.
* Waived findings are reported at ``info``, with the waiver in the description,
  as every other format reports them.
* ``content.body`` (CodeClimate's detail, which GitLab keeps) carries the
  rest: the JSON pointer, the column, the model and the policy with its digest.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from ..findings import Finding, Severity
from ..results import RunResult

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def identity(finding: Finding, path: str) -> str:
    """What stays the same when lines move: rule, file (as shown), pointer and model."""
    raw = "\0".join(("modelgov/gitlab/v1", finding.rule, path, finding.pointer, finding.model))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _description(finding: Finding) -> str:
    text = f"{finding.rule} {finding.message}"
    if finding.waived is not None:
        w = finding.waived
        ticket = f", {w.ticket}" if w.ticket else ""
        text += f" (waived until {w.expires or 'no date'} by {w.approved_by}{ticket}: {w.reason})"
    elif finding.hint:
        text += f" Hint: {finding.hint}"
    return text


def as_list(result: RunResult) -> list[dict[str, Any]]:
    located = result.located()
    # number repeated identities in an order that does not depend on lines either
    order = sorted(
        range(len(located)),
        key=lambda i: (identity(located[i].finding, located[i].path), located[i].finding.message),
    )
    seen: Counter[str] = Counter()
    prints: dict[int, str] = {}
    for i in order:
        base = identity(located[i].finding, located[i].path)
        seen[base] += 1
        prints[i] = hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()
    out = []
    for i, lf in enumerate(located):
        f = lf.finding
        line = max(f.line, 1)
        policy = lf.target.policy
        where = f"{f.severity.label} at `{f.pointer or '/'}`, line {line} column {max(f.col, 1)}"
        if f.model:
            where += f", in model {f.model}"
        out.append(
            {
                "type": "issue",
                "description": _description(f),
                "check_name": f.rule,
                "fingerprint": prints[i],
                "severity": SEVERITIES[f.severity] if f.active else "info",
                "location": {"path": lf.path, "lines": {"begin": line, "end": line}},
                # CodeClimate's detail: the rest of the facts every format carries
                "content": {"body": f"{where}; policy {policy.name} ({policy.digest})."},
            }
        )
    return out


def render(result: RunResult, *, color: bool = False) -> str:
    return json.dumps(as_list(result), indent=2, ensure_ascii=False) + "\n"

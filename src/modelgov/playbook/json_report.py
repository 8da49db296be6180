"""The playbook as JSON (schemas/playbook.schema.json; docs/playbook.md)."""

from __future__ import annotations

import json
from typing import Any

from .model import Playbook, PlaybookRun, Step

#: Fields are only ever added within a format version, never renamed or removed.
FORMAT_VERSION = 1
SCHEMA_ID = "https://github.com/modelgov/modelgov/blob/main/schemas/playbook.schema.json"


def _step(s: Step) -> dict[str, Any]:
    return {
        "number": s.number,
        "key": s.key,
        "title": s.title,
        "answered": s.answered,
        "facts": [{"key": f.key, "label": f.label, "value": f.value} for f in s.facts],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "columns": list(t.columns),
                "rows": [list(r) for r in t.rows],
            }
            for t in s.tables
        ],
        "gaps": [
            {
                "rule": g.rule,
                "message": g.message,
                "pointer": g.pointer,
                "line": g.line,
                "column": g.column,
                "enforced": g.enforced,
                "severity": g.severity or None,
                "hint": g.hint,
            }
            for g in s.gaps
        ],
    }


def playbook(p: Playbook) -> dict[str, Any]:
    return {
        "name": p.name,
        "file": p.file,
        "path": p.shown,
        "risk_tier": p.tier,
        "owner": p.owner,
        "team": p.team,
        "ready": p.ready,
        "gaps": len(p.gaps),
        "steps": [_step(s) for s in p.steps],
    }


def render(run: PlaybookRun) -> str:
    body = {
        "$schema": SCHEMA_ID,
        "format_version": FORMAT_VERSION,
        "version": run.version,
        "today": run.today,
        "models": [playbook(p) for p in run.playbooks],
        "summary": {
            "models": len(run.playbooks),
            "ready": run.ready,
            "gaps": run.gaps,
            "exit_code": run.exit_code,
        },
    }
    return json.dumps(body, indent=2, ensure_ascii=True) + "\n"

"""``modelgov export --format cyclonedx``: the declarations as a CycloneDX ML-BOM.

Every model.yaml under the given paths (as ``check`` finds and judges them)
becomes a ``machine-learning-model`` component of a CycloneDX 1.6 BOM, with
its model card, so SBOM tools (Dependency-Track and the like) can ingest the
declarations:

* the component: ``name``, ``version`` (``deploy.version``), ``description``,
  ``group`` (the owner's team), ``manufacturer`` (the team, with the owner as
  contact) and ``authors`` (the owner); an ``https`` on-call schedule as an
  external reference;
* ``modelCard.considerations``: ``useCases`` (the description) and
  ``ethicalConsiderations``: the risks the declaration mitigates -- drift,
  a bad release, an unreviewed deploy, an unanswered incident, a stale
  declaration -- each with the mitigation it declares (monitors and their
  signals, the rollback strategy, time and last drill, the approvers' roles,
  the on-call rotation, the last review), or "none declared";
* ``modelCard.properties``: the governance facts modelgov checks, named
  ``modelgov:...`` (risk tier, owner, on call, rollback, drift signals,
  approver roles, review date, the verdict: status, failing rules, each
  active finding located), and the policy and date they were judged under.

The output is deterministic: the timestamp is ``--today`` (midnight UTC),
the serial number a UUID derived from the content, components sorted by
path.  Only values that fit CycloneDX's types are written where it types
them (an email field only holds an address); everything else is a property.
Exit 0 once written (the verdict is in the BOM; ``check`` gates), 2 for usage
errors.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..document import Document
from ..errors import UsageError
from ..findings import fail_threshold
from ..results import ModelResult, RunResult, TargetResult

FORMATS = ("cyclonedx",)
SPEC_VERSION = "1.6"
SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_URL = re.compile(
    r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"
)
_MAX = 2000  # characters kept of any one value


def _text(value: Any) -> str:
    """A scalar as text (``""`` for lists, mappings and missing values), cut to a length."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float, _dt.date)):
        text = " ".join(str(value).split())
        return text if len(text) <= _MAX else text[: _MAX - 3] + "..."
    return ""


def _get(doc: Document | None, pointer: str) -> Any:
    if doc is None or not doc.ok:
        return None
    value = doc.get(pointer)
    return value if isinstance(value, (str, int, float, bool, list, dict, _dt.date)) else None


def _list(doc: Document | None, pointer: str) -> list[Any]:
    value = _get(doc, pointer)
    return value if isinstance(value, list) else []


def _prop(name: str, value: Any) -> dict[str, str] | None:
    text = _text(value)
    return {"name": f"modelgov:{name}", "value": text} if text else None


def _contact(name: Any, email: Any) -> dict[str, str] | None:
    out = {}
    if _text(name):
        out["name"] = _text(name)
    if isinstance(email, str) and _EMAIL.match(email.strip()):
        out["email"] = email.strip()
    return out or None


def _risks(doc: Document | None, result: ModelResult) -> list[dict[str, str]]:
    """The risks a declaration answers, with what it declares against each."""
    monitors = [m for m in _list(doc, "/drift/monitors") if isinstance(m, dict)]
    drift = "; ".join(
        f"{_text(m.get('name')) or 'monitor'} watches {_text(m.get('signal')) or '?'}"
        + (
            f" ({_text(m.get('metric'))} > {_text(m.get('threshold'))})"
            if _text(m.get("metric"))
            else ""
        )
        for m in monitors
    )
    if drift and _text(_get(doc, "/drift/alert_route")):
        drift += f"; alerts go to {_text(_get(doc, '/drift/alert_route'))}"
    rollback = ""
    if _text(_get(doc, "/rollback/strategy")):
        rollback = f"rollback by {_text(_get(doc, '/rollback/strategy'))}"
        if _text(_get(doc, "/rollback/max_minutes")):
            rollback += f" within {_text(_get(doc, '/rollback/max_minutes'))} minutes"
        if _text(_get(doc, "/rollback/last_tested")):
            rollback += f", last drilled {_text(_get(doc, '/rollback/last_tested'))}"
    roles = sorted(
        {_text(a.get("role")) for a in _list(doc, "/deploy/approvers") if isinstance(a, dict)}
        - {""}
    )
    approvals = f"a deploy is approved by: {', '.join(roles)}" if roles else ""
    on_call = _text(_get(doc, "/on_call/rotation"))
    if on_call and _text(_get(doc, "/on_call/escalation")):
        on_call += f", escalating to {_text(_get(doc, '/on_call/escalation'))}"
    review = _text(_get(doc, "/review/last_reviewed"))
    risks = (
        ("Drift of inputs or confidence goes unnoticed", drift),
        ("A bad release stays in production", rollback),
        ("A deploy nobody independent approved", approvals),
        ("An incident nobody answers", f"on call: {on_call}" if on_call else ""),
        (
            "The declaration no longer describes the model",
            f"last reviewed {review}" if review else "",
        ),
    )
    return [{"name": name, "mitigationStrategy": how or "none declared"} for name, how in risks]


def _component(target: TargetResult, result: ModelResult, doc: Document | None) -> dict[str, Any]:
    shown = target.shown(result.file)
    threshold = fail_threshold(target.fail_on)
    active = [f for f in result.findings if f.active]
    failing = sorted({f.rule for f in active if threshold is not None and f.severity >= threshold})
    facts = [
        _prop("file", shown),
        _prop("blob", result.blob_sha),
        _prop("risk_tier", result.tier),
        _prop("owner.email", result.owner),
        _prop("owner.team", result.team),
        _prop("on_call.rotation", _get(doc, "/on_call/rotation")),
        _prop("on_call.escalation", _get(doc, "/on_call/escalation")),
        _prop("rollback.strategy", _get(doc, "/rollback/strategy")),
        _prop("rollback.max_minutes", _get(doc, "/rollback/max_minutes")),
        _prop("rollback.last_tested", _get(doc, "/rollback/last_tested")),
        _prop("drift.alert_route", _get(doc, "/drift/alert_route")),
        _prop(
            "drift.signals",
            " ".join(
                sorted(
                    {
                        _text(m.get("signal"))
                        for m in _list(doc, "/drift/monitors")
                        if isinstance(m, dict)
                    }
                    - {""}
                )
            ),
        ),
        _prop(
            "deploy.approver_roles",
            " ".join(
                sorted(
                    {
                        _text(a.get("role"))
                        for a in _list(doc, "/deploy/approvers")
                        if isinstance(a, dict)
                    }
                    - {""}
                )
            ),
        ),
        _prop("review.last_reviewed", _get(doc, "/review/last_reviewed")),
        _prop("review.days_since", result.ages.review),
        _prop("rollback.days_since_drill", result.ages.drill),
        _prop("status", target.status(result)),
        _prop("failing_rules", " ".join(failing)),
        _prop("policy", target.policy.name),
        _prop("policy_digest", target.policy.digest),
    ]
    facts += [
        _prop(
            "finding", f"{f.rule} {f.severity.label} {f.pointer or '/'} line {f.line}: {f.message}"
        )
        for f in active
    ]
    card: dict[str, Any] = {
        "considerations": {"ethicalConsiderations": _risks(doc, result)},
        "properties": [p for p in facts if p is not None],
    }
    description = _text(_get(doc, "/description"))
    if description:
        card["considerations"]["useCases"] = [description]
    component: dict[str, Any] = {
        "type": "machine-learning-model",
        "bom-ref": f"modelgov:{shown}",
        "name": result.name or shown,
    }
    version = _text(_get(doc, "/deploy/version"))
    if version:
        component["version"] = version
    if description:
        component["description"] = description
    if result.team:
        component["group"] = _text(result.team)
    owner = _contact(_get(doc, "/owner/name"), result.owner)
    if owner is not None:
        component["authors"] = [owner]
        if result.team:
            component["manufacturer"] = {"name": _text(result.team), "contact": [owner]}
    schedule = _get(doc, "/on_call/schedule")
    if isinstance(schedule, str) and _URL.match(schedule.strip()):
        component["externalReferences"] = [
            {"type": "support", "url": schedule.strip(), "comment": "on-call schedule"}
        ]
    component["modelCard"] = card
    return component


def bom(result: RunResult, documents: dict[tuple[str, str], Document]) -> dict[str, Any]:
    """The CycloneDX ML-BOM of a run's models."""
    components = [
        _component(t, m, documents.get((t.root, m.file))) for t in result.targets for m in t.models
    ]
    components.sort(key=lambda c: str(c["bom-ref"]))
    seen: dict[str, int] = {}
    for c in components:  # a bom-ref is unique in a BOM
        ref = str(c["bom-ref"])
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:
            c["bom-ref"] = f"{ref}#{seen[ref]}"
    policies = sorted({(t.policy.name, t.policy.digest) for t in result.targets})
    body = {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "version": 1,
        "metadata": {
            "timestamp": f"{result.today}T00:00:00Z",
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": "modelgov",
                        "version": __version__,
                        "externalReferences": [
                            {"type": "website", "url": "https://github.com/modelgov/modelgov"}
                        ],
                    }
                ]
            },
            "properties": [
                {"name": "modelgov:today", "value": result.today},
                *(
                    {"name": "modelgov:policy", "value": f"{name} {digest}"}
                    for name, digest in policies
                ),
            ],
        },
        "components": components,
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    body["serialNumber"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'modelgov:' + digest)}"
    return body


def run(
    paths: Sequence[Path],
    *,
    today: _dt.date,
    fmt: str = "cyclonedx",
    policy: str | None = None,
    config: Path | None = None,
    output: Path | None = None,
) -> int:
    from .check import CheckOptions, judge
    from .output import atomic_write

    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")
    documents: dict[tuple[str, str], Document] = {}
    result = judge(
        CheckOptions(paths=list(paths), today=today, policy=policy, config=config),
        documents=documents,
    )
    text = json.dumps(bom(result, documents), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    if output is not None:
        atomic_write(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0

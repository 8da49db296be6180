"""Custom rules declared as data in a policy pack, evaluated with jsonschema.

::

    custom_rules:
      - id: ACME001
        name: high-risk-second-monitor
        severity: error
        message: high-risk models need two input-distribution monitors
        hint: Add a second monitor with signal input_distribution.
        when: {properties: {risk_tier: {const: high}}, required: [risk_tier]}
        require:
          properties:
            drift:
              properties:
                monitors:
                  contains: {properties: {signal: {const: input_distribution}}}
                  minContains: 2
        pointer: /drift/monitors      # optional: where to report

``when`` and ``require`` are JSON Schemas (2020-12).  The rule applies when
the document matches ``when`` (always, if absent) and fails when it does not
satisfy ``require``.  The finding stands at ``pointer`` if given, otherwise
at the deepest place jsonschema blames.  Ids must not start with ``MG``
(reserved for modelgov) nor collide with any other rule.

``jsonschema`` is imported only when a policy declares custom rules, so the
pre-commit hook stays fast for everyone else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from . import bounded
from .errors import PolicyError, unknown_keys
from .findings import Finding, Severity
from .registry import Registry
from .rules.base import Rule, RuleContext

CUSTOM_KEYS = {
    "id",
    "name",
    "message",
    "severity",
    "hint",
    "when",
    "require",
    "pointer",
    "description",
    "fails",
    "passes",
}
RESERVED_PREFIX = "MG"
#: Time one custom rule may take on one model, and all of them on one repository in a run.
#: Their schemas' ``pattern`` keywords run Python regular expressions over values of an
#: untrusted model.yaml (and an audit applies the custom rules a repository's own config
#: adds): a backtracking pattern must cost one finding, never a hung run
#: (:mod:`modelgov.bounded`).
RULE_SECONDS = bounded.CALL_SECONDS
RUN_SECONDS = bounded.RUN_SECONDS
_SERIAL = itertools.count()


def _validator(schema: Any, where: str) -> Any:
    import jsonschema

    cls = jsonschema.Draft202012Validator
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise PolicyError(f"{where} is not a valid JSON Schema: {exc.message}") from None
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _pointer(path: Sequence[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def make_rule(spec: Any, where: str) -> Rule:
    if not isinstance(spec, dict):
        raise PolicyError(f"{where} must be a mapping with id, message, require")
    if problem := unknown_keys(spec, CUSTOM_KEYS):
        raise PolicyError(f"{where}: {problem}")
    rid = spec.get("id")
    if not isinstance(rid, str) or not re.fullmatch(r"[A-Z][A-Z0-9]*[0-9]+", rid):
        raise PolicyError(
            f"{where}: id {rid!r} must look like ACME001 (capital letters, then digits)"
        )
    if rid.startswith(RESERVED_PREFIX):
        raise PolicyError(
            f"{where}: id {rid} uses the prefix MG, which is reserved for modelgov's rules"
        )
    where = f"{where} ({rid})"
    name = spec.get("name", rid.lower())
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise PolicyError(f"{where}: name {name!r} must be a lower-case slug")
    message = spec.get("message")
    if not isinstance(message, str) or not message.strip():
        raise PolicyError(f"{where}: `message` is required")
    if "require" not in spec:
        raise PolicyError(f"{where}: `require` (a JSON Schema) is required")
    try:
        severity = Severity.parse(str(spec.get("severity", "error")))
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from None
    pointer = spec.get("pointer", "")
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PolicyError(f"{where}: pointer {pointer!r} must be a JSON pointer such as /drift")
    hint = str(spec.get("hint", ""))
    when = _validator(spec["when"], f"{where}: `when`") if "when" in spec else None
    require = _validator(spec["require"], f"{where}: `require`")

    def judge(instance: Any) -> list[Any] | None:
        if when is not None and not when.is_valid(instance):
            return None
        return sorted(
            require.iter_errors(instance), key=lambda e: (len(e.absolute_path), str(e.message))
        )

    key = f"custom\0{rid}\0{next(_SERIAL)}"  # this rule object: one stop reported per run

    def check(ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.doc.ok:
            return
        errors, stopped = bounded.call(ctx.facts.repo, key, lambda: judge(ctx.facts.instance))
        if stopped is not None:
            if stopped.first:
                yield ctx.finding(
                    pointer,
                    f"custom rule {rid} {stopped.describe()} on this model (a `pattern` that "
                    "backtracks without end?); it judges no model for the rest of this run",
                    "Simplify the rule's regular expressions: no nested repetition such as (a+)+.",
                    severity=Severity.ERROR,
                )
            return
        if not errors:
            return
        at = pointer or _pointer(list(errors[-1].absolute_path))
        yield ctx.finding(at, message.strip(), hint)

    doc_parts = [
        message.strip(),
        "",
        str(spec.get("description", "")).strip() or f"Declared in {where}.",
    ]
    for title in ("fails", "passes"):
        if title in spec:
            body = "\n".join("    " + line for line in str(spec[title]).splitlines())
            doc_parts += ["", f"{title.capitalize()}:", body]
    if hint:
        doc_parts += ["", f"Fix: {hint}"]
    return Rule(
        id=rid,
        name=name,
        severity=severity,
        options={},
        doc="\n".join(doc_parts) + "\n",
        check=check,
        origin=where.split(":")[0],
        uses=frozenset({"instance"}),
    )


def custom_rules_from_policy(specs: Any, registry: Registry, where: str) -> list[Rule]:
    if not specs:
        return []
    if not isinstance(specs, list):
        raise PolicyError(f"{where}: `custom_rules` must be a list")
    rules = [make_rule(spec, f"{where}: custom_rules[{i}]") for i, spec in enumerate(specs)]
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.id, rule.name):
            if key in seen or registry.resolve(key) is not None:
                raise PolicyError(
                    f"{where}: custom rule {rule.id} ({rule.name}) collides with an existing rule id "
                    "or name; a custom rule never overrides another"
                )
            seen[key] = rule.id
    return rules

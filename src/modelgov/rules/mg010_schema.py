"""Every declared value has the shape the model.yaml schema gives it.

The JSON Schema in ``schemas/model.schema.json`` is the public contract of
the file: types, enums (risk tiers, providers, strategies, signals), dates,
emails, URIs and patterns.  A value of the wrong shape is as bad as a
missing one: ``max_minutes: "fifteen"`` cannot be compared with any limit.
Missing fields are reported by the rule of their section (MG1xx), unknown
keys by MG011; but an incident or an action item has no section rule that
names its missing fields, so a missing ``id``, ``date``, ``severity`` or
``summary`` of an incident (``title``, ``owner`` or ``due`` of an action
item) is reported here, on the entry.

One problem, one finding: where a declaration rule already speaks, this rule
stays silent.  An empty value of a field its section's rule checks
(``team: ""`` is MG110's "`owner.team` is empty"; the table is
``modelgov.facts.presence``), and a waiver field that MG210 reports as
invalid (``expires: soon``, ``pointer: review``) are not reported here again.

Fails:
    risk_tier: critical
    rollback:
      max_minutes: fifteen

Passes:
    risk_tier: high
    rollback:
      max_minutes: 15

Fix: Give the value the type and form the schema declares (see `modelgov schema`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..facts.presence import reported_when_empty
from ..findings import Finding, Severity
from ..schema import SchemaError, subschema
from .base import Option, RuleContext, is_missing

ID = "MG010"
NAME = "schema"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def _hint(err: SchemaError, ctx: RuleContext) -> str:
    sub = subschema(err.pointer) or {}
    desc = str(sub.get("description", "")).split(". ")[0].rstrip(".")
    if err.keyword == "type" and sub.get("type") == "string" and ctx.doc.is_plain(err.pointer):
        return (
            "Quote the value: YAML reads unquoted yes/no/on/off, numbers and dates as other types."
            + (f" Expected: {desc}." if desc else "")
        )
    if "enum" in sub:
        return "Use one of: " + ", ".join(str(v) for v in sub["enum"]) + "."
    return f"Expected: {desc}." if desc else "See `modelgov schema` for the expected form."


def _spoken_for(ctx: RuleContext) -> set[str]:
    """Pointers a declaration rule reports on its own (see the module docstring)."""
    out: set[str] = set()
    for verdict in ctx.facts.waivers:
        for problem in verdict.problems:
            if problem.kind == "invalid":
                out.update(join_pointer(verdict.entry.pointer, f) for f in problem.fields)
    return out


#: Lists whose entries' required fields no section rule reports (see the docstring).
_LISTS_WITHOUT_A_RULE = ("/incidents/",)


def _missing_field(ctx: RuleContext, err: SchemaError) -> Finding:
    entry = err.pointer.lstrip("/").replace("/", ".")
    sub = subschema(join_pointer(err.pointer, err.key)) or {}
    desc = str(sub.get("description", "")).split(". ")[0].rstrip(".")
    return ctx.finding(
        err.pointer,
        f"`{entry}` has no `{err.key}`: every entry needs it",
        f"Add `{err.key}`" + (f" ({desc})." if desc else "."),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    spoken = _spoken_for(ctx)
    for err in ctx.facts.schema_errors:
        if err.keyword == "required" and err.pointer.startswith(_LISTS_WITHOUT_A_RULE):
            yield _missing_field(ctx, err)
            continue
        if err.keyword in ("required", "additionalProperties"):
            continue
        if err.pointer in spoken:
            continue  # MG210: the waiver is invalid, naming this field
        if reported_when_empty(err.pointer) and is_missing(ctx.get(err.pointer)):
            continue  # the section's rule: "`owner.team` is empty"
        field = err.pointer.lstrip("/").replace("/", ".") or "(document)"
        yield ctx.finding(err.pointer, f"`{field}` {err.message}", _hint(err, ctx))

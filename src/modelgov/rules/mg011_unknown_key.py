"""Every key is one the schema knows (or an ``x-`` extension).

A misspelt key (``ownr:``, ``last_test:``) is silently ignored by everything
that reads the file, so the declaration it was meant to make is missing while
the file looks complete.  Keys starting with ``x-`` are free for your own
tooling.

Fails:
    rollback:
      last_test: 2026-10-12

Passes:
    rollback:
      last_tested: 2026-10-12
    x-cost-center: 4711

Fix: Correct the key's spelling, or prefix your own keys with `x-`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ..schema import subschema
from .base import Option, RuleContext

ID = "MG011"
NAME = "unknown-key"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for err in ctx.facts.schema_errors:
        if err.keyword != "additionalProperties":
            continue
        parent = err.pointer.rsplit("/", 1)[0]
        known = sorted((subschema(parent) or {}).get("properties", {}))
        import difflib  # only when there is an unknown key

        close = difflib.get_close_matches(err.key, known, n=1, cutoff=0.6)
        where = parent.lstrip("/").replace("/", ".") or "the top level"
        hint = (
            f"Did you mean `{close[0]}`?"
            if close
            else f"Known keys here: {', '.join(known)}; prefix your own keys with `x-`."
        )
        yield ctx.finding(err.pointer, f"unknown key `{err.key}` in {where}", hint, at_key=True)

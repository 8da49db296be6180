"""One folder holds one declaration: not both a model.yaml and a model.yml.

``model.yaml`` and ``model.yml`` side by side are two declarations of the
same folder's model, usually a copy that was meant to replace the other.
Each is judged, but nobody can tell which one states the truth -- the owner,
the rollback or the monitors of one may be stale -- so the pair is an error,
reported at each file.  The folder is read as the judged source holds it
(the work tree, the index with ``--staged``, or a commit).

Fails:
    # models/fraud/model.yaml and models/fraud/model.yml both exist

Passes:
    # models/fraud/model.yaml only

Fix: Keep one declaration per folder: merge what is right into model.yaml and delete model.yml.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG012"
NAME = "declaration-ambiguous"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False  # a waiver inside one of the two files cannot settle which one counts
NEEDS_DATA = False  # ambiguous even when one of them does not load


def check(ctx: RuleContext) -> Iterator[Finding]:
    name = posixpath.basename(ctx.facts.file)
    for other in ctx.facts.siblings:
        yield ctx.finding(
            "",
            f"{name} and {posixpath.basename(other)} are both in this folder: two declarations "
            f"of one model, and nobody can tell which one is meant ({other} is judged too)",
            line=1,
            col=1,
        )

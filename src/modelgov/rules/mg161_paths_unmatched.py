"""Every entry of ``paths`` covers something in the repository.

``paths`` says which code and artifacts the declaration covers; modelgov
uses it to notice code that changed after the declaration (MG202) and an
audit uses it to tell declared models from shadow ones.  A pattern that
matches no file covers nothing (usually a moved folder), and one that climbs
out of the repository or is absolute cannot be judged.  Patterns are git
pathspecs with ``:(glob)`` magic (see ``modelgov.pathmatch``); one with more
than 1,000 characters from its first wildcard on matches nothing.

Fails:
    paths:
      - src/fraud_old/**

Passes:
    paths:
      - src/fraud/**

Fix: Update `paths` to where the model's code and artifacts live now.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..document import join_pointer
from ..findings import Finding, Severity
from ..pathmatch import anchor, compile_glob
from .base import Option, RuleContext

ID = "MG161"
NAME = "paths-unmatched"
SEVERITY = Severity.WARNING
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    paths = ctx.get("/paths")
    if not isinstance(paths, list):
        return
    files = None
    for i, pattern in enumerate(paths):
        if not isinstance(pattern, str) or not pattern.strip():
            continue
        pointer = join_pointer("/paths", i)
        anchored = anchor(ctx.facts.base, pattern)
        if anchored is None:
            yield ctx.finding(
                pointer,
                f"path {pattern!r} is absolute or leads outside the repository",
                "Write paths relative to the model.yaml's folder, inside the repository.",
                severity=Severity.ERROR,
            )
            continue
        glob = compile_glob(anchored)
        if glob.problem:
            yield ctx.finding(
                pointer,
                f"path {pattern!r} {glob.problem}",
                "Shorten the glob: name the folder the model's code and artifacts live in.",
            )
            continue
        if files is None:
            files = ctx.facts.repo.files()
        if not any(glob.match(f) for f in files):
            yield ctx.finding(pointer, f"path {pattern!r} matches no file in the repository")

"""Loading problems (document.py) surface as findings of the MG00x rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..findings import Finding
from .base import RuleContext


def loading_check(rule_id: str) -> Callable[[RuleContext], Iterator[Finding]]:
    def check(ctx: RuleContext) -> Iterator[Finding]:
        for problem in ctx.doc.problems:
            if problem.rule == rule_id:
                yield ctx.finding(
                    problem.pointer,
                    problem.message,
                    problem.hint,
                    line=problem.line,
                    col=problem.col,
                )

    check.__doc__ = f"Report the loader's {rule_id} problems."
    return check

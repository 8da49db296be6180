"""Helpers shared by the signed-approval rules (MG153-MG155)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..document import join_pointer
from ..findings import Finding, Location
from .base import Option, RuleContext, default_hint

if TYPE_CHECKING:  # facts.approvals (hashlib, json) loads only when a rule needs the fact
    from ..facts.approvals import Verdict

#: The per-tier switch of the approval rules: off unless a pack turns it on for a tier.
REQUIRE = Option(
    "bool",
    {"low": False, "medium": False, "high": False},
    "Require signed approvals (`modelgov approve`) for models of this tier.",
    per_tier=True,
    stricter="true",
)


def record_finding(ctx: RuleContext, verdict: Verdict, message: str, hint: str = "") -> Finding:
    """A finding located in the approval record ``verdict`` judged (not in model.yaml)."""
    return Finding(
        rule=ctx.rule.id,
        severity=ctx.severity,
        location=Location(verdict.file, verdict.line, verdict.col, verdict.pointer),
        message=message,
        hint=hint or default_hint(ctx.rule),
        model=ctx.facts.name,
        key=f"{ctx.rule.id}:{verdict.file}:{verdict.pointer}",
    )


def approver_pointer(ctx: RuleContext, role: str) -> str:
    """The pointer of the first approver with ``role`` in deploy.approvers, else the list."""
    approvers = ctx.get("/deploy/approvers")
    if isinstance(approvers, list):
        for i, entry in enumerate(approvers):
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("role"), str)
                and entry["role"].strip().lower() == role.strip().lower()
            ):
                return join_pointer("/deploy/approvers", i)
    return "/deploy/approvers"

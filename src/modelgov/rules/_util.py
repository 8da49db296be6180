"""Small helpers shared by rule modules (dates, emails, field checks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..document import MISSING, join_pointer
from ..facts import EMAIL, as_date, is_email, norm_email
from ..findings import Finding
from .base import RuleContext, is_missing

__all__ = ["EMAIL", "as_date", "days", "is_email", "missing_fields", "norm_email"]


def days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def missing_fields(
    ctx: RuleContext,
    section: str,
    fields: Iterable[str],
    *,
    what: str,
    hints: dict[str, str] | None = None,
) -> Iterator[Finding]:
    """Findings for a missing section, or for each missing field of it."""
    value = ctx.get(f"/{section}")
    if value is MISSING or value is None:
        yield ctx.finding(f"/{section}", f"`{section}` is missing: {what}", at_key=True)
        return
    if not isinstance(value, dict):
        return  # wrong shape: MG010 reports it
    for name in fields:
        if is_missing(value.get(name, MISSING)):
            pointer = join_pointer(f"/{section}", name)
            hint = (hints or {}).get(name, "")
            shown = "is empty" if name in value else "is missing"
            yield ctx.finding(pointer, f"`{section}.{name}` {shown}", hint, at_key=name in value)

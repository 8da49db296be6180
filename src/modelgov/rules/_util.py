"""Small helpers shared by rule modules (dates, emails, field checks)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..document import MISSING, join_pointer
from ..findings import Finding
from .base import RuleContext, is_missing

EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def as_date(value: Any) -> _dt.date | None:
    """A date from a YAML date or a ``YYYY-MM-DD`` string; ``None`` otherwise."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def norm_email(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(EMAIL.match(value.strip()))


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

"""Small helpers shared by rule modules (dates, emails, field checks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..document import MISSING, join_pointer
from ..facts import EMAIL, as_date, is_email, norm_email
from ..findings import Finding
from .base import RuleContext, is_missing

__all__ = [
    "EMAIL", "as_date", "days", "is_email", "listing", "missing_fields", "norm_email",
    "tier_model",
]  # fmt: skip

#: The tier whose settings judge a model without a valid ``risk_tier`` (see
#: :meth:`modelgov.policy.Policy.settings`).
FALLBACK_TIER = "high"


def days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def tier_model(ctx: RuleContext, article: str = "a") -> str:
    """The model as a message names it: ``a high-risk model``, or, without a valid
    ``risk_tier``, ``a model without a valid risk tier (judged as high-risk)``.

    ``article`` is the determiner in front (``a``, ``this``).  Every message that
    depends on the tier uses it, so it reads as a sentence for every tier value."""
    if ctx.tier:
        return f"{article} {ctx.tier}-risk model"
    return f"{article} model without a valid risk tier (judged as {FALLBACK_TIER}-risk)"


def listing(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (``last``: the final conjunction)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def missing_fields(
    ctx: RuleContext,
    section: str,
    fields: Iterable[str],
    *,
    what: str,
    hints: dict[str, str] | None = None,
    optional: Iterable[str] = (),
) -> Iterator[Finding]:
    """Findings for a missing or empty section, or for each missing or empty field of it.

    ``optional`` fields are not required, but one present and empty is reported
    too (fill it in or remove it): MG010 leaves empty fields to these rules."""
    value = ctx.get(f"/{section}")
    if value is MISSING or value is None or (is_missing(value) and not isinstance(value, dict)):
        shown = "is missing" if value is MISSING else "is empty"
        yield ctx.finding(f"/{section}", f"`{section}` {shown}: {what}", at_key=True)
        return
    if not isinstance(value, dict):
        return  # wrong shape: MG010 reports it
    required = list(fields)
    for name in [*required, *(f for f in optional if f not in required)]:
        present = name in value
        if not is_missing(value.get(name, MISSING)) or (name not in required and not present):
            continue
        pointer = join_pointer(f"/{section}", name)
        hint = (hints or {}).get(name, "")
        shown = "is empty" if present else "is missing"
        yield ctx.finding(pointer, f"`{section}.{name}` {shown}", hint, at_key=present)

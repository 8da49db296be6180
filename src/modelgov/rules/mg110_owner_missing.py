"""The model has one accountable owner with a name, an email and a team.

When a model misbehaves, somebody must be able to decide.  ``owner`` names
that person; ``team`` says where the model lives in the organisation.

Fails:
    owner:
      name: Dana Okafor

Passes:
    owner:
      name: Dana Okafor
      email: dana.okafor@example.com
      team: payments-ml

Fix: Add an `owner:` section with `name`, `email` and `team` of one person.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Severity
from ._util import missing_fields
from .base import Option, RuleContext

ID = "MG110"
NAME = "owner-missing"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from missing_fields(
        ctx,
        "owner",
        ("name", "email", "team"),
        what="nobody is accountable for this model",
        hints={
            "email": "Add the owner's personal work email.",
            "team": "Add the team the owner belongs to.",
            "name": "Add the owner's full name.",
        },
    )

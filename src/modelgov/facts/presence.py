"""Which fields a declaration rule reports when they are missing or empty.

One problem, one finding: ``team: ""`` is an empty field, which MG110 reports
("`owner.team` is empty"); the schema's ``minLength`` says the same thing
less well, so MG010 stays silent there.  :data:`PRESENCE` is the table of the
fields whose absence or emptiness a declaration rule reports on its own (the
rule named beside each), whatever else is enabled; MG010 reads it through
:func:`reported_when_empty`.  ``tests/test_one_finding.py`` checks every
entry: an empty value there gives that rule's finding and no MG010 one.

Fields a rule judges only on some tiers (``retraining``) are not in the table:
where that rule is silent, MG010 still says the value is empty.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..document import split_pointer

#: Field pattern (JSON pointer, ``*`` for any list index) -> the rule that reports
#: the field when it is missing or empty (null, ``""``, ``[]`` or ``{}``).
PRESENCE: Mapping[str, str] = {
    "/schema_version": "MG100",
    "/name": "MG101",
    "/risk_tier": "MG102",
    "/owner": "MG110",
    "/owner/name": "MG110",
    "/owner/email": "MG110",
    "/owner/team": "MG110",
    "/on_call": "MG120",
    "/on_call/rotation": "MG120",
    "/on_call/provider": "MG120",
    "/on_call/runbook": "MG120",
    "/on_call/escalation": "MG121",
    "/rollback": "MG130",
    "/rollback/procedure": "MG130",
    "/rollback/strategy": "MG130",
    "/rollback/max_minutes": "MG130",
    "/rollback/decision_owner": "MG130",
    "/rollback/last_tested": "MG130",
    "/rollback/preserves_data": "MG133",
    "/drift": "MG140",
    "/drift/alert_route": "MG140",
    "/drift/monitors": "MG140",
    "/drift/monitors/*/signal": "MG140",
    "/drift/monitors/*/metric": "MG140",
    "/drift/monitors/*/threshold": "MG140",
    "/drift/monitors/*/window": "MG140",
    "/deploy": "MG150",
    "/deploy/approvers": "MG150",
    "/deploy/approvers/*/email": "MG150",
    "/deploy/approvers/*/role": "MG150",
    "/review": "MG200",
    "/review/last_reviewed": "MG200",
    "/review/reviewed_by": "MG200",
}


def _pattern(pointer: str) -> str:
    return "/" + "/".join("*" if t.isdigit() else t for t in split_pointer(pointer))


def reported_when_empty(pointer: str) -> str | None:
    """The rule that reports the field at ``pointer`` when it is missing or empty, or ``None``."""
    if not pointer:
        return None
    return PRESENCE.get(_pattern(pointer))

"""Waivers as data: read from ``waivers[]``, judged by MG210-MG214, applied by the engine."""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from ..document import join_pointer
from ._util import as_date

#: Rules that judge waivers; a waiver with a finding of one of these does not apply.
WAIVER_RULES = frozenset({"MG210", "MG211", "MG212", "MG213"})


class WaiverEntry(NamedTuple):
    position: int  # its place in waivers[], from 0
    pointer: str  # where the waiver stands: /waivers/N
    rule: str
    reason: str
    approved_by: str
    expires: _dt.date | None
    ticket: str
    scope: str  # JSON pointer the waiver is limited to ('' for the whole file)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def entries(data: Any) -> list[WaiverEntry]:
    waivers = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(waivers, list):
        return []
    out = []
    for i, w in enumerate(waivers):
        if not isinstance(w, dict):
            continue
        out.append(
            WaiverEntry(
                position=i,
                pointer=join_pointer("/waivers", i),
                rule=_text(w.get("rule")),
                reason=_text(w.get("reason")),
                approved_by=_text(w.get("approved_by")),
                expires=as_date(w.get("expires")),
                ticket=_text(w.get("ticket")),
                scope=_text(w.get("pointer")).rstrip("/"),
            )
        )
    return out


def covers(entry: WaiverEntry, rule_id: str, rule_name: str, pointer: str) -> bool:
    """True when the waiver names the rule (by id or name) and its scope holds the pointer."""
    wanted = entry.rule.lower()
    if wanted not in (rule_id.lower(), rule_name.lower()):
        return False
    if not entry.scope:
        return True
    return pointer == entry.scope or pointer.startswith(entry.scope + "/")

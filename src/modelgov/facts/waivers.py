"""Waivers as data, and the one judgement of whether each is valid.

A waiver silences findings only when it is valid.  Validity is one pure
function of the model.yaml, today, the rules the policy knows and the
longest waiver the policy allows: :func:`judge`.  The engine always applies
its verdicts, whichever rules are enabled -- switching off MG211 must not
make a waiver that expired in 2020 silence an error -- and the waiver rules
(MG210-MG213) only report what it decided, each the problems of its kind.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from ..document import join_pointer
from . import as_date, is_email

ProblemKind = Literal["invalid", "expired", "too-long", "self-approved"]
#: The rule that reports each kind of problem.
RULE_OF: Mapping[ProblemKind, str] = {
    "invalid": "MG210",
    "expired": "MG211",
    "too-long": "MG212",
    "self-approved": "MG213",
}


class WaiverEntry(NamedTuple):
    position: int  # its place in waivers[], from 0
    pointer: str  # where the waiver stands: /waivers/N
    rule: str
    reason: str
    approved_by: str
    expires: _dt.date | None
    ticket: str
    scope: str  # JSON pointer the waiver is limited to ('' for the whole file)
    has_expires: bool = False  # the entry has an `expires` key (valid or not)
    #: ``pointer`` is absent, null or a string (a number there must not widen the
    #: waiver to the whole file)
    scope_is_text: bool = True


class WaiverProblem(NamedTuple):
    kind: ProblemKind
    pointer: str
    message: str
    hint: str = ""
    #: the waiver's fields the problem is about (``reason``, ``expires``...): the
    #: schema rule (MG010) does not report them a second time
    fields: tuple[str, ...] = ()


class WaiverVerdict(NamedTuple):
    entry: WaiverEntry
    problems: tuple[WaiverProblem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def entries(data: Any) -> list[WaiverEntry]:
    """The waivers of a model.yaml (entries that are not mappings are skipped: MG010)."""
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
                has_expires="expires" in w,
                scope_is_text=isinstance(w.get("pointer"), (str, type(None))),
            )
        )
    return out


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def judge(
    data: Any,
    *,
    today: _dt.date,
    waivable: Mapping[str, bool],
    max_days: int,
    owner: str,
) -> tuple[WaiverVerdict, ...]:
    """The verdict on every waiver of ``data``.

    ``waivable`` maps every rule id and name the policy knows (lower case) to
    whether its findings may be waived; ``max_days`` is the longest a waiver
    may run from today; ``owner`` the model owner's email (lower case, ``''``
    when none), who may not approve a waiver of their own model.
    """
    verdicts = []
    for w in entries(data):
        problems: list[WaiverProblem] = []
        invalid: list[tuple[str, str]] = []  # (field, what is wrong with it)
        if not w.rule:
            invalid.append(("rule", "names no rule"))
        elif w.rule.lower() not in waivable:
            invalid.append(("rule", f"names unknown rule {w.rule!r}"))
        elif not waivable[w.rule.lower()]:
            invalid.append(("rule", f"names rule {w.rule!r}, which cannot be waived"))
        if not w.reason:
            invalid.append(("reason", "gives no reason"))
        if not is_email(w.approved_by):
            invalid.append(("approved_by", "has no approver email"))
        if w.expires is None:
            invalid.append(("expires", "has no valid expiry date"))
        if not w.scope_is_text:
            invalid.append(("pointer", "has a pointer that is not a JSON pointer (text)"))
        elif w.scope and not w.scope.startswith("/"):
            invalid.append(("pointer", f"has a pointer {w.scope!r} that is not a JSON pointer"))
        if invalid:
            problems.append(
                WaiverProblem(
                    "invalid",
                    w.pointer,
                    f"waiver #{w.position + 1} {', '.join(t for _, t in invalid)}; "
                    "it waives nothing",
                    fields=tuple(f for f, _ in invalid),
                )
            )
        named = w.rule or "an unnamed rule"
        expires_at = f"{w.pointer}/expires" if w.has_expires else w.pointer
        if w.expires is not None and w.expires < today:
            problems.append(
                WaiverProblem(
                    "expired",
                    expires_at,
                    f"waiver of {named} expired on {w.expires.isoformat()} "
                    f"({_days((today - w.expires).days)} ago); the findings it waived count again",
                )
            )
        if w.expires is not None and (w.expires - today).days > max_days:
            limit = (today + _dt.timedelta(days=max_days)).isoformat()
            problems.append(
                WaiverProblem(
                    "too-long",
                    expires_at,
                    f"waiver of {named} expires {w.expires.isoformat()}, "
                    f"{_days((w.expires - today).days)} from today; the policy allows at most "
                    f"{_days(max_days)}",
                    f"Set `expires` no later than {limit}.",
                )
            )
        if owner and w.approved_by.lower() == owner:
            problems.append(
                WaiverProblem(
                    "self-approved",
                    f"{w.pointer}/approved_by",
                    f"waiver of {named} is approved by the model's owner",
                )
            )
        verdicts.append(WaiverVerdict(w, tuple(problems)))
    return tuple(verdicts)


def covers(entry: WaiverEntry, rule_id: str, rule_name: str, pointer: str) -> bool:
    """True when the waiver names the rule (by id or name) and its scope holds the pointer."""
    wanted = entry.rule.lower()
    if wanted not in (rule_id.lower(), rule_name.lower()):
        return False
    if not entry.scope:
        return True
    return pointer == entry.scope or pointer.startswith(entry.scope + "/")

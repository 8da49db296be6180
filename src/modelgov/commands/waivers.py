"""``modelgov waivers``: every waiver of every model, with the days it has left.

Waivers are governed exceptions: each names a rule, a reason, an approver and
an expiry, optionally a ticket and a pointer that limits it to one place.
This lists them across repositories so that somebody renews or removes them
before they lapse: those without a valid expiry first, then expired ones,
then the soonest to end.

Each row carries the rule as the waiver names it (``rule``: an id or a name)
and as the policy resolves it (``rule_id`` such as MG202 and ``rule_name`` such
as code-changed, empty when no rule of that policy has that id or name), so a
spreadsheet sorts and filters by rule whichever way the waiver was written.
The policy is the one ``modelgov check`` would use for the model (its nearest
config), custom rules included.

Exit codes: 0 (listing is not judging: ``modelgov check`` fails on expired
and invalid waivers, MG210/MG211); with ``--fail-expired``, 1 when a listed
waiver has expired or has no valid expiry date; 2 for a usage error.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from ..config import Config
from ..engine.configs import RepoConfigs
from ..engine.discovery import find_models
from ..engine.factpass import load_model
from ..engine.paths import shown
from ..engine.policies import Policies
from ..engine.workspace import open_path
from ..errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from ..facts.waivers import entries
from ..reporters._safe import inert, line_start_path

FIELDS = (
    "model",
    "file",
    "line",
    "rule",
    "rule_id",
    "rule_name",
    "pointer",
    "reason",
    "approved_by",
    "ticket",
    "expires",
    "days_left",
    "status",
    "waiver",
)
_DAYS = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class WaiverRow:
    model: str
    file: str
    line: int
    rule: str  # as the waiver names it
    rule_id: str  # the rule it resolves to under the model's policy ('' when none)
    rule_name: str
    pointer: str  # the scope ('' = the whole file)
    reason: str
    approved_by: str
    ticket: str
    expires: _dt.date | None
    days_left: int | None
    waiver: str  # JSON pointer of the entry: /waivers/N

    @property
    def status(self) -> str:
        if self.days_left is None:
            return "no-expiry"
        return "expired" if self.days_left < 0 else "active"

    def sort_key(self) -> tuple[_dt.date, str, int]:
        return (self.expires or _dt.date.min, self.file, self.line)

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "file": self.file,
            "line": self.line,
            "rule": self.rule,
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "pointer": self.pointer,
            "reason": self.reason,
            "approved_by": self.approved_by,
            "ticket": self.ticket,
            "expires": self.expires.isoformat() if self.expires else None,
            "days_left": self.days_left,
            "status": self.status,
            "waiver": self.waiver,
        }


def parse_days(text: str) -> int:
    """``30d``, ``30`` or ``2w`` -> days."""
    m = _DAYS.match(text)
    if not m:
        raise UsageError(f"--expiring takes a number of days such as 30d or 2w, not {text!r}")
    n = int(m.group(1))
    return n * 7 if m.group(2).lower() == "w" else n


def collect(paths: Sequence[Path], today: _dt.date) -> list[WaiverRow]:
    """The waivers of every model found in ``paths``, sorted by expiry (missing dates first)."""
    rows: list[WaiverRow] = []
    policies = Policies()
    for path in paths:
        opened = open_path(path)
        with opened.workspace as ws:
            configs = RepoConfigs(ws)
            for rel in find_models(opened):
                doc = load_model(ws, rel)
                data = doc.data if isinstance(doc.data, dict) else {}
                raw_name = data.get("name")
                name = raw_name if isinstance(raw_name, str) else ""
                found = entries(data)
                config = configs.get(configs.nearest(posixpath.dirname(rel))) if found else None
                registry = policies.get(config).registry if isinstance(config, Config) else None
                for w in found:
                    left = (w.expires - today).days if w.expires is not None else None
                    rule = registry.resolve(w.rule) if registry is not None and w.rule else None
                    rows.append(
                        WaiverRow(
                            model=name,
                            file=shown(ws.root.joinpath(*rel.split("/"))),
                            line=doc.locate(w.pointer)[0],
                            rule=w.rule,
                            rule_id=rule.id if rule is not None else "",
                            rule_name=rule.name if rule is not None else "",
                            pointer=w.scope,
                            reason=w.reason,
                            approved_by=w.approved_by,
                            ticket=w.ticket,
                            expires=w.expires,
                            days_left=left,
                            waiver=w.pointer,
                        )
                    )
    return sorted(rows, key=WaiverRow.sort_key)


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection), and a
    terminal or CI log showing the file from acting on escapes or on a line break
    followed by a workflow command (``\\n`` is shown as text)."""
    safe = inert(cell)
    return "'" + safe if cell.startswith(_FORMULA_START) else safe


def render_csv(rows: Sequence[WaiverRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        values = row.as_dict()
        writer.writerow(
            [
                neutralise(v) if isinstance(v, str) else ("" if v is None else v)
                for v in (values[k] for k in FIELDS)
            ]
        )
    return buf.getvalue()


def _left(row: WaiverRow) -> str:
    if row.days_left is None:
        return "NO VALID EXPIRY"
    n = row.days_left
    if n < 0:
        return f"EXPIRED {-n} day{'s' if n != -1 else ''} ago"
    if n == 0:
        return "ends today"
    return f"{n} day{'s' if n != 1 else ''} left"


def _rule(row: WaiverRow) -> str:
    """The rule as written, with the id it resolves to when it was named otherwise."""
    if not row.rule:
        return "(no rule)"
    if not row.rule_id:
        return f"{inert(row.rule)} (unknown rule)"
    return (
        row.rule_id
        if row.rule.strip().upper() == row.rule_id
        else f"{inert(row.rule)} ({row.rule_id})"
    )


def render_text(rows: Sequence[WaiverRow], today: _dt.date, within: int | None) -> str:
    out = []
    for row in rows:
        expires = row.expires.isoformat() if row.expires else "-"
        model = f" ({inert(row.model)})" if row.model else ""
        out.append(
            f"{line_start_path(row.file)}:{row.line}: {_rule(row)} "
            f"{_left(row)}, expires {expires}{model}"
        )
        scope = inert(row.pointer) if row.pointer else "the whole file"
        ticket = f"; ticket {inert(row.ticket)}" if row.ticket else ""
        out.append(f"    scope {scope}; approved by {inert(row.approved_by) or '(nobody)'}{ticket}")
        out.append(f"    reason: {inert(row.reason) or '(none given)'}")
    expired = sum(1 for r in rows if r.status == "expired")
    undated = sum(1 for r in rows if r.status == "no-expiry")
    parts = [f"{expired} expired"]
    if undated:
        parts.append(f"{undated} without a valid expiry")
    shown = f"ending within {within} days or expired" if within is not None else "in total"
    if out:
        out.append("")
    noun = "waiver" if len(rows) == 1 else "waivers"
    out.append(f"{len(rows)} {noun} {shown} ({', '.join(parts)}); today {today.isoformat()}.")
    return "\n".join(out) + "\n"


def run(
    paths: Sequence[Path],
    *,
    expiring: int | None,
    fmt: str,
    today: _dt.date,
    fail_expired: bool = False,
) -> int:
    rows = collect(paths, today)
    if expiring is not None:
        rows = [r for r in rows if r.days_left is None or r.days_left <= expiring]
    if fmt == "json":
        payload = {
            "today": today.isoformat(),
            "expiring_within_days": expiring,
            "waivers": [r.as_dict() for r in rows],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=True))
    elif fmt == "csv":
        click.echo(render_csv(rows), nl=False)
    else:
        click.echo(render_text(rows, today, expiring), nl=False)
    lapsed = any(r.status != "active" for r in rows)
    return EXIT_FINDINGS if fail_expired and lapsed else EXIT_CLEAN

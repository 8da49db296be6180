"""Findings are data: frozen values that rules yield and reporters render.

Nothing in here prints, exits or raises for a violation.  Every finding is
located (file, JSON pointer, 1-based line and column) so every output format
carries the same facts.
"""

from __future__ import annotations

import enum
from typing import Literal, NamedTuple


class Severity(enum.IntEnum):
    """Ordered severities; a higher value is worse."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or note)"
            ) from None


FailOn = Literal["error", "warning", "note", "never"]
FAIL_ON: tuple[FailOn, ...] = ("error", "warning", "note", "never")


def fail_threshold(fail_on: FailOn) -> Severity | None:
    """The lowest severity that fails a run, or ``None`` for ``never``."""
    if fail_on == "never":
        return None
    return Severity.parse(fail_on)


class Location(NamedTuple):
    """Where a finding points: a repo-relative file plus a place inside it."""

    file: str
    line: int = 1
    col: int = 1
    pointer: str = ""


class Waived(NamedTuple):
    """The waiver that silenced a finding (the finding is still reported)."""

    reason: str
    approved_by: str
    expires: str
    ticket: str = ""
    source: str = ""  # JSON pointer of the waiver in the model.yaml (/waivers/N)


class Finding(NamedTuple):
    """One problem with one declaration."""

    rule: str
    severity: Severity
    location: Location
    message: str
    hint: str = ""
    model: str = ""
    waived: Waived | None = None
    #: Stable identity of the finding, independent of its line: used by SARIF
    #: ``partialFingerprints`` and waivers scoped by pointer.
    key: str = ""

    @property
    def file(self) -> str:
        return self.location.file

    @property
    def pointer(self) -> str:
        return self.location.pointer

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.col

    @property
    def active(self) -> bool:
        """True when the finding counts (it is not waived)."""
        return self.waived is None

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.file, self.line, self.col, self.rule, self.pointer, self.message)

    def with_waiver(self, waived: Waived | None) -> Finding:
        return self._replace(waived=waived)

    def to_dict(self) -> dict[str, object]:
        """The documented JSON shape of a finding (see docs/json-format.md)."""
        out: dict[str, object] = {
            "rule": self.rule,
            "severity": self.severity.label,
            "file": self.file,
            "pointer": self.pointer,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "hint": self.hint,
            "model": self.model,
            "waived": None,
        }
        if self.waived is not None:
            out["waived"] = {
                "reason": self.waived.reason,
                "approved_by": self.waived.approved_by,
                "expires": self.waived.expires,
                "ticket": self.waived.ticket,
                "source": self.waived.source,
            }
        return out


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)

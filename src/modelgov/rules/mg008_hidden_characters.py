"""Text contains no control, bidi or zero-width characters.

Bidirectional overrides, ANSI escapes and zero-width characters make a value read differently to a reviewer than to a tool (Trojan Source).

Fails:
    name: "fraud\u202escorer"

Passes:
    name: fraud-scorer

Fix: Remove the invisible character.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG008"
NAME = "hidden-characters"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

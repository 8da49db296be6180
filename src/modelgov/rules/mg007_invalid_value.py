"""Every scalar is a valid value.

Invalid dates (2026-02-30), integers too large to read, NaN and infinity cannot be compared with anything, so the rules that need them would silently pass.

Fails:
    rollback:
      last_tested: 2026-02-30

Passes:
    rollback:
      last_tested: 2026-02-28

Fix: Write a valid date (YYYY-MM-DD) or a finite number.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG007"
NAME = "invalid-value"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

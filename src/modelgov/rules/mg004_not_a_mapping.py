"""The top level is a mapping of declarations.

An empty file, a list or a bare string declares nothing.

Fails:
    - fraud-scorer

Passes:
    name: fraud-scorer

Fix: Write `key: value` pairs at the top level, or start from `modelgov init`.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG004"
NAME = "not-a-mapping"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

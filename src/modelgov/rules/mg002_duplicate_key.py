"""No key appears twice in one mapping.

YAML loaders disagree on which of two equal keys wins; a reviewer reads the first while a tool may use the last.

Fails:
    owner:
      email: dana@example.com
      email: sam@example.com

Passes:
    owner:
      email: dana@example.com

Fix: Remove one of the two keys.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG002"
NAME = "duplicate-key"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

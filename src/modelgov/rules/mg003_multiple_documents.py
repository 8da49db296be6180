"""The file holds one YAML document.

A second `---` document is silently ignored by most tools; only the first is judged.

Fails:
    name: a
    ---
    name: b

Passes:
    name: a

Fix: Keep one declaration per file; put another model in its own folder.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG003"
NAME = "multiple-documents"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

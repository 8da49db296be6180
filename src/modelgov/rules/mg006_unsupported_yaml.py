"""The file uses plain YAML data only.

Tags (`!!python/object`, custom `!tags`), merge keys (`<<`), non-string keys (`1:`, `true:`), recursive anchors, alias bombs and absurd nesting are refused: a declaration is plain data, and an untrusted file must not be able to run code or exhaust memory.

Fails:
    owner: !!python/object:os.system echo

Passes:
    owner: dana@example.com

Fix: Remove the tag, alias or merge key and write plain values; quote keys such as "on".
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG006"
NAME = "unsupported-yaml"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

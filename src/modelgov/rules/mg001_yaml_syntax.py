"""The file is valid YAML.

A model.yaml that does not parse declares nothing: every other rule is blind until it parses.

Fails:
    owner: {name: Dana

Passes:
    owner: {name: Dana}

Fix: Fix the YAML syntax at the reported line and column.
"""

from __future__ import annotations

from ..findings import Severity
from ._loading import loading_check
from .base import Option

ID = "MG001"
NAME = "yaml-syntax"
SEVERITY = Severity.ERROR
OPTIONS: dict[str, Option] = {}
WAIVABLE = False
NEEDS_DATA = False

check = loading_check(ID)

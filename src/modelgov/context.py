"""Build the :class:`~modelgov.rules.base.ModelContext` of one model.yaml.

This is where the facts rules may ask for are gathered lazily: git history
(only when a rule asks for it), the roster, CODEOWNERS.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
from pathlib import Path
from typing import Any

from .config import Config
from .document import Document
from .rules.base import ModelContext
from .workspace import Target


def model_context(
    target: Target,
    rel: str,
    doc: Document,
    today: _dt.date,
    *,
    config: Config | None = None,
    roster: Any = None,
) -> ModelContext:
    return ModelContext(
        doc=doc,
        file=rel,
        base=posixpath.dirname(rel),
        today=today,
        repo=target.view,
        roster=roster,
    )


def load_roster(path: Path | None) -> Any:
    return None
